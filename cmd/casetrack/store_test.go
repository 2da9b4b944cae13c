package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/casetrack/casetrack/adapters/sqlite"
	"github.com/casetrack/casetrack/domain"
)

// --store picks the backend by its form. PostgreSQL itself is exercised in
// adapters/postgres, the one package allowed to use (and restart) it; here
// an unreachable server shows the URL went to that adapter.
func TestOpenStore(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	for _, tc := range []struct {
		store, file string
	}{{"", filepath.Join(data, "casetrack.db")}, {filepath.Join(data, "other.db"), filepath.Join(data, "other.db")}} {
		s, err := openStore(ctx, tc.store, data)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := s.(*sqlite.Store); !ok {
			t.Fatalf("%q opened a %T", tc.store, s)
		}
		s.Close()
		if _, err := os.Stat(tc.file); err != nil {
			t.Fatalf("%q: %v", tc.store, err)
		}
	}
	for store, want := range map[string]string{
		"esdb://127.0.0.1:1?tls=false":                       "unavailable",
		"mysql://u:secret@localhost/db":                      "unknown event store \"mysql://u:xxxxx@localhost/db\"",
		"postgres://casetrack@127.0.0.1:1/x?sslmode=disable": "unavailable",
		"postgresql://casetrack@127.0.0.1:1/x":               "unavailable",
	} {
		if _, err := openStore(ctx, store, data); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", store, err, want)
		}
	}
	if err := migrateCmd(ctx, io.Discard, []string{"--store", ""}); err == nil {
		t.Error("migrate without a PostgreSQL store succeeded")
	}
	if _, err := openStore(ctx, "postgres://casetrack@127.0.0.1:1/x", data); domain.ErrorCode(err) != domain.CodeUnavailable {
		t.Errorf("unreachable PostgreSQL: %v", err)
	}
}

// The data directory and every file casetrack creates in it are this
// user's alone: the log holds names and birth dates.
func TestDataFilesArePrivate(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	s, err := openStore(context.Background(), "", data)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cp, err := openSnapshots(data, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	entries, err := os.ReadDir(data)
	if err != nil || len(entries) < 2 {
		t.Fatalf("data dir holds %v (%v)", entries, err)
	}
	if st, _ := os.Stat(data); st.Mode().Perm() != 0o700 {
		t.Errorf("data dir mode %v, want 0700", st.Mode().Perm())
	}
	for _, e := range entries {
		if st, _ := os.Stat(filepath.Join(data, e.Name())); st.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", e.Name(), st.Mode().Perm())
		}
	}
}
