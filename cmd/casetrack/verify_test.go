package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/audit"
	"github.com/casetrack/casetrack/audit/audittest"
	"github.com/casetrack/casetrack/domain"
)

// auditedLog is a store holding three compounds (c1, c2, c3, recorded one
// after the other), a signed checkpoint of it stored and a copy kept
// outside, and a way to run SQL on it as an insider would.
type auditedLog struct {
	data, store string // --data and --store
	kept        string // the checkpoint file kept outside the store
	exec        func(t *testing.T, stmt string, args ...any)
}

// backends runs test on the embedded store and, when configured, on
// PostgreSQL (a fresh schema per log), each log seeded by seedAudited.
func backends(t *testing.T, test func(t *testing.T, newLog func(t *testing.T) auditedLog)) {
	seededBackends(t, seedAudited, test)
}

// seededBackends is backends with the logs seeded by seed.
func seededBackends(t *testing.T, seed func(t *testing.T, l auditedLog) auditedLog, test func(t *testing.T, newLog func(t *testing.T) auditedLog)) {
	t.Run("sqlite", func(t *testing.T) {
		test(t, func(t *testing.T) auditedLog {
			data := t.TempDir()
			return seed(t, auditedLog{data: data, exec: func(t *testing.T, stmt string, args ...any) {
				t.Helper()
				sqliteExec(t, data, stmt, args...)
			}})
		})
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := os.Getenv("CASETRACK_TEST_POSTGRES")
		if dsn == "" {
			t.Skip("set CASETRACK_TEST_POSTGRES")
		}
		test(t, func(t *testing.T) auditedLog {
			ctx := context.Background()
			schema := fmt.Sprintf("casetrack_audit_%d", time.Now().UnixNano())
			exec := func(t *testing.T, dsn, stmt string, args ...any) {
				t.Helper()
				conn, err := pgx.Connect(ctx, dsn)
				if err != nil {
					t.Fatal(err)
				}
				defer conn.Close(ctx)
				if _, err := conn.Exec(ctx, stmt, args...); err != nil {
					t.Fatalf("%s: %v", stmt, err)
				}
			}
			exec(t, dsn, "CREATE SCHEMA "+schema)
			t.Cleanup(func() { exec(t, dsn, "DROP SCHEMA IF EXISTS "+schema+" CASCADE") })
			u, _ := url.Parse(dsn)
			q := u.Query()
			q.Set("search_path", schema)
			u.RawQuery = q.Encode()
			store := u.String()
			if err := migrate(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)), store); err != nil {
				t.Fatal(err)
			}
			return seed(t, auditedLog{data: t.TempDir(), store: store,
				exec: func(t *testing.T, stmt string, args ...any) { t.Helper(); exec(t, store, stmt, args...) }})
		})
	})
}

// sqliteExec runs a statement on the embedded store's file, as someone
// editing the database by hand would.
func sqliteExec(t *testing.T, data, stmt string, args ...any) {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(data, "casetrack.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(stmt, args...); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}

// seedAudited records the compounds, signs a checkpoint with a new key in
// the data directory and keeps a copy of it outside the store.
func seedAudited(t *testing.T, l auditedLog) auditedLog {
	t.Helper()
	ctx := context.Background()
	store, err := openStore(ctx, l.store, l.data)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() }) // after the audit service's own cleanup, which comes later
	svc := app.NewService(store, domain.DefaultRuleBook())
	for _, id := range []string{"c1", "c2", "c3"} {
		for _, c := range []struct{ name, body string }{
			{"register", `{"name":"阳光花园","district":"海淀","street":"中关村","community":"东区","kind":"commercial",
			"households":120,"private_area":"12000.50","delivered_area":12000,"property_company":"甲物业"}`},
			{"establish-party-branch", `{"branch":"党支部","secretary":"王芳"}`},
			{"change-property-company", `{"company":"乙物业"}`},
			{"change-property-company", `{"company":"丙物业"}`},
		} {
			cmd, err := domain.ParseCommand(c.name, []byte(c.body))
			if err == nil {
				_, err = svc.Execute(ctx, id, cmd, app.Meta{Actor: domain.Actor{UserID: "u1", Role: "inspector", Organisation: "住建局"}})
			}
			if err != nil {
				t.Fatalf("%s %s: %v", id, c.name, err)
			}
		}
	}
	return keepCheckpoint(t, l, store)
}

// keepCheckpoint signs a checkpoint of store with a new key in the data
// directory, stores it and keeps a copy outside the store (l.kept).
func keepCheckpoint(t *testing.T, l auditedLog, store domain.EventStore) auditedLog {
	t.Helper()
	ctx := context.Background()
	if _, _, err := writeKeys(l.data, "test.casetrack"); err != nil {
		t.Fatal(err)
	}
	skey, err := audit.ReadKeyFile(filepath.Join(l.data, privateKeyFile), true)
	if err != nil {
		t.Fatal(err)
	}
	a := audittest.Run(t, store, skey, time.Hour, nil)
	_, signed, err := a.Seal(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	l.kept = filepath.Join(t.TempDir(), "kept.note")
	if err := os.WriteFile(l.kept, signed, 0o644); err != nil {
		t.Fatal(err)
	}
	return l
}

// verify runs `casetrack verify` on the log, with extra arguments.
func (l auditedLog) verify(t *testing.T, extra ...string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	args := append([]string{"verify", "--data", l.data}, extra...)
	if l.store != "" {
		args = append(args, "--store", l.store)
	}
	code := run(context.Background(), args, &out, &out)
	return code, out.String()
}

// events reads a stream of the log.
func (l auditedLog) events(t *testing.T, stream string) []domain.Envelope {
	t.Helper()
	store, err := openStore(context.Background(), l.store, l.data)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	events, err := store.ReadStream(context.Background(), stream, domain.StreamQuery{})
	if err != nil {
		t.Fatal(err)
	}
	return events
}

// Each way an insider rewrites the log is caught by verify (exit 1, the
// place named); all but the payload edit are caught also when the stored
// checkpoints are deleted too and only the one kept outside remains.
func TestVerifyCatchesEveryRewrite(t *testing.T) {
	backends(t, func(t *testing.T, newLog func(t *testing.T) auditedLog) {
		l := newLog(t)
		if code, out := l.verify(t, "--checkpoint", l.kept); code != 0 || !strings.Contains(out, "OK") {
			t.Fatalf("intact log: exit %d\n%s", code, out)
		}
		for _, tc := range []struct {
			name     string
			rewrite  func(t *testing.T, l auditedLog)
			want     string // in the report: the place
			keptOnly bool   // also caught with only the checkpoint kept outside
		}{
			{"payload edited", func(t *testing.T, l auditedLog) {
				l.exec(t, `UPDATE events SET data = $1 WHERE stream_id = 'compound-c2' AND version = 2`, []byte(`{"branch":"假支部","secretary":"王芳"}`))
			}, "stream compound-c2 version 2", false},
			{"stream edited, chain recomputed", func(t *testing.T, l auditedLog) {
				events := l.events(t, "compound-c2")
				prev := events[0].Hash
				for _, e := range events[1:] {
					if e.Version == 2 {
						e.Data = []byte(`{"branch":"假支部","secretary":"王芳"}`)
					}
					e.Seal(prev)
					prev = e.Hash
					l.exec(t, `UPDATE events SET data = $1, prev_hash = $2, hash = $3 WHERE position = $4`, []byte(e.Data), e.PrevHash, e.Hash, int64(e.Position))
				}
			}, "a position from 1 to 12", true},
			{"last events of a stream deleted", func(t *testing.T, l auditedLog) {
				l.exec(t, `DELETE FROM events WHERE stream_id = 'compound-c3' AND version >= 3`)
			}, "events after position 10 were removed", true},
			{"stream deleted", func(t *testing.T, l auditedLog) {
				l.exec(t, `DELETE FROM events WHERE stream_id = 'compound-c2'`)
			}, "position 5: the log jumps from position 4 to 9", true},
			{"positions swapped", func(t *testing.T, l auditedLog) {
				l.exec(t, `UPDATE events SET position = -1 WHERE position = 4`)
				l.exec(t, `UPDATE events SET position = 4 WHERE position = 5`)
				l.exec(t, `UPDATE events SET position = 5 WHERE position = -1`)
			}, "a position from 1 to 12", true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				for _, keptOnly := range []bool{false, true} {
					if keptOnly && !tc.keptOnly {
						continue
					}
					l := newLog(t)
					tc.rewrite(t, l)
					var extra []string
					if keptOnly {
						l.exec(t, `DELETE FROM audit_checkpoints`)
						extra = []string{"--checkpoint", l.kept}
					}
					code, out := l.verify(t, extra...)
					if code != 1 || !strings.Contains(out, "TAMPERED") || !strings.Contains(out, tc.want) {
						t.Errorf("kept only %v: exit %d, want 1 naming %q:\n%s", keptOnly, code, tc.want, out)
					}
				}
			})
		}
	})
}

// verify cannot check without the public key or the store: exit 2.
func TestVerifyUsage(t *testing.T) {
	data := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"verify", "--data", data}, "public key"},
		{[]string{"verify", "--data", data, "extra"}, "no arguments"},
		{[]string{"verify", "--data", data, "--checkpoint"}, "flag needs an argument"},
		{[]string{"verify", "--store", "esdb://localhost:2113"}, "EventStoreDB"},
		{[]string{"proof"}, "usage: casetrack proof check"},
		{[]string{"proof", "check", "--key", filepath.Join(data, "nope.pub")}, "public key"},
		{[]string{"keys"}, "usage: casetrack keys generate"},
		{[]string{"keys", "generate", "--name", "has space", "--out", data}, "--name"},
		{[]string{"witness"}, "usage: casetrack witness"},
		{[]string{"serve", "--checkpoint-every", "1ns"}, "--checkpoint-every"},
		{[]string{"serve", "--verify-every", "-1s"}, "--verify-every"},
		{[]string{"witness", "ftp://x", "--key", "k", "--keep", data}, "not an http(s) URL"},
		{[]string{"witness", "http://x", "--key", "k", "--keep", data, "--interval", "1ms"}, "--interval"},
	} {
		var out bytes.Buffer
		if code := run(context.Background(), tc.args, &out, &out); code != 2 || !strings.Contains(out.String(), tc.want) {
			t.Errorf("%q: exit %d, want 2 with %q:\n%s", tc.args, code, tc.want, out.String())
		}
	}
	if code, out := (auditedLog{data: data}).verify(t, "--key", filepath.Join(data, "x.pub")); code != 2 {
		t.Errorf("no key: exit %d\n%s", code, out)
	}
	// Not a proof at all: nothing checked (2), not a failed check (1).
	if _, _, err := writeKeys(data, "test.casetrack"); err != nil {
		t.Fatal(err)
	}
	garbage := filepath.Join(data, "garbage.json")
	os.WriteFile(garbage, []byte("\x00{not json"), 0o644)
	if code, out := runCLI("proof", "check", "--key", filepath.Join(data, publicKeyFile), garbage); code != 2 || !strings.Contains(out, "not a casetrack proof") {
		t.Errorf("garbage proof: exit %d\n%s", code, out)
	}
	// keys generate never overwrites a key; serve refuses a private key others may read.
	if code, out := runCLI("keys", "generate", "--out", data); code != 1 || !strings.Contains(out, "exists") {
		t.Errorf("keys generate over a key: exit %d\n%s", code, out)
	}
	os.Chmod(filepath.Join(data, privateKeyFile), 0o644)
	if code, out := runCLI("serve", "--addr", "127.0.0.1:0", "--data", data, "--demo=false", "--signing-key", filepath.Join(data, privateKeyFile)); code != 1 || !strings.Contains(out, "readable by others") {
		t.Errorf("serve with a readable key: exit %d\n%s", code, out)
	}
}
