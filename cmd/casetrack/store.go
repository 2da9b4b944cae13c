package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/casetrack/casetrack/adapters/esdb"
	"github.com/casetrack/casetrack/adapters/postgres"
	"github.com/casetrack/casetrack/adapters/sqlite"
	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/migrations"
)

// eventStore is what the commands need of a backend.
type eventStore interface {
	domain.EventStore
	Close() error
}

// storeFlag adds --store.
func storeFlag(fs *flag.FlagSet, store *string) {
	fs.StringVar(store, "store", "", "event store `URL`: empty for the embedded store in --data, a SQLite file, postgres://… or esdb://…")
}

// dataFlag adds --data.
func dataFlag(fs *flag.FlagSet, data *string) {
	fs.StringVar(data, "data", "./data", "data `directory`: the embedded store, the projections' snapshots, the demo marker")
}

// snapshotsFlag sets how many snapshots of each projection projections.db
// keeps: each is a whole model, so keeping every one made the file
// outgrow the event store.
func snapshotsFlag(fs *flag.FlagSet, keep *int) {
	fs.IntVar(keep, "snapshots-keep", 3, "snapshots of each projection kept in projections.db, the latest included (at least 1); reads as of an older position (explained league tables; other league tables and compound lists need no replay) replay from the nearest kept one, or from the start")
}

// openSnapshots opens projections.db in the data directory, keeping keep
// snapshots of each projection.
func openSnapshots(data string, keep int) (*sqlite.Checkpoints, error) {
	if err := checkSnapshotsKeep(keep); err != nil {
		return nil, err
	}
	return sqlite.OpenCheckpoints(filepath.Join(data, "projections.db"), keep)
}

// checkSnapshotsKeep refuses a --snapshots-keep that keeps no snapshot.
func checkSnapshotsKeep(keep int) error {
	if keep < 1 {
		return usageError{fmt.Errorf("--snapshots-keep must be at least 1 (the latest snapshot), not %d", keep)}
	}
	return nil
}

// isPostgres reports whether the store is a PostgreSQL URL.
func isPostgres(store string) bool {
	return strings.HasPrefix(store, "postgres://") || strings.HasPrefix(store, "postgresql://")
}

// isESDB reports whether the store is an EventStoreDB / KurrentDB URL.
func isESDB(store string) bool {
	for _, scheme := range []string{"esdb://", "esdb+discover://", "kurrentdb://", "kurrentdb+discover://"} {
		if strings.HasPrefix(store, scheme) {
			return true
		}
	}
	return false
}

// external reports whether the store is a server shared with other
// instances, rather than a file of this one.
func external(store string) bool { return strings.Contains(store, "://") }

// openStore opens the event store named by store: empty for the embedded
// SQLite file in the data directory, postgres:// or postgresql:// for
// PostgreSQL, anything else without a scheme for a SQLite file at that path.
// It creates the data directory, which holds the projections' checkpoints
// whatever the store.
func openStore(ctx context.Context, store, data string) (eventStore, error) {
	if err := os.MkdirAll(data, 0o700); err != nil { // the data is personal: this user's alone
		return nil, err
	}
	switch {
	case isPostgres(store):
		return postgres.Open(ctx, store)
	case isESDB(store):
		return esdb.Open(ctx, store)
	case external(store):
		return nil, fmt.Errorf("unknown event store %q: use a file path, postgres://… or esdb://…", redact(store))
	case store == "":
		store = filepath.Join(data, "casetrack.db")
	}
	return sqlite.Open(store)
}

// migrate brings the PostgreSQL schema up to date; the embedded store
// creates its own schema, so there is nothing to do for it.
func migrate(ctx context.Context, logger *slog.Logger, store string) error {
	if !isPostgres(store) {
		return nil
	}
	applied, err := migrations.Up(ctx, store)
	for _, name := range applied {
		logger.Info("migration applied", "file", name)
	}
	if err == nil && len(applied) == 0 {
		logger.Info("schema up to date")
	}
	return err
}

func migrateFlags(fs *flag.FlagSet) (store *string, log *logOptions) {
	store = new(string)
	storeFlag(fs, store)
	return store, logFlags(fs)
}

// migrateCmd: `migrate --store postgres://…`.
func migrateCmd(ctx context.Context, stderr io.Writer, args []string) error {
	fs := newFlags("migrate", "migrate --store postgres://…", "Applies the pending PostgreSQL migrations (migrations/); the embedded store migrates itself.")
	store, log := migrateFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	logger := log.logger(stderr)
	if !isPostgres(*store) {
		return errors.New("migrate needs --store postgres://… (or CASETRACK_STORE); the embedded store migrates itself")
	}
	return migrate(ctx, logger, *store)
}

// redact hides a password in a store URL, for logs.
func redact(store string) string {
	if u, err := url.Parse(store); err == nil && u.Scheme != "" {
		return u.Redacted()
	}
	return store
}

// openRecording opens the store and its keys: what a command that records
// or forgets personal data needs. done closes both.
func openRecording(ctx context.Context, storeURL, data string, logger *slog.Logger) (store eventStore, pd *app.PersonalData, done func(), err error) {
	if store, err = openStore(ctx, storeURL, data); err != nil {
		return nil, nil, nil, err
	}
	pd, closeKeys, err := openKeys(store, storeURL, data, logger)
	if err != nil {
		store.Close()
		return nil, nil, nil, err
	}
	return store, pd, func() { closeKeys(); store.Close() }, nil
}

// openKeys opens the data subjects' keys of store (app/personal.go): a
// SQLite file of their own beside the embedded store or a SQLite store,
// tables beside the events in PostgreSQL. EventStoreDB has no place for
// keys that can be destroyed apart from the log: with it, no personal data
// is recorded (nil).
func openKeys(store eventStore, storeURL, data string, logger *slog.Logger) (*app.PersonalData, func() error, error) {
	none := func() error { return nil }
	switch s := store.(type) {
	case *postgres.Store:
		return app.NewPersonalData(s.Keys(), logger), none, nil
	case *sqlite.Store:
		path := storeURL + ".keys"
		if storeURL == "" {
			path = filepath.Join(data, "keys.db")
		}
		keys, err := sqlite.OpenKeys(path)
		if err != nil {
			return nil, none, err
		}
		return app.NewPersonalData(keys, logger), keys.Close, nil
	}
	return nil, none, nil
}
