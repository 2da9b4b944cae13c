package main

import (
	"bytes"
	"context"
	"encoding/json"
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

	"github.com/casetrack/casetrack/adapters/storetest"
	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/domain"
)

// recordComplainant records a compound with a complaint naming its
// resident in the store (empty: the embedded one in data).
func recordComplainant(t *testing.T, storeURL, data string) {
	t.Helper()
	ctx := context.Background()
	store, pd, done, err := openRecording(ctx, storeURL, data, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	svc := app.NewService(store, domain.DefaultRuleBook(), app.WithPersonalData(pd))
	for _, c := range []struct{ name, body string }{
		{"register", `{"name":"阳光花园","district":"海淀","street":"中关村","community":"东区","kind":"commercial",
			"households":120,"private_area":"12000.50","delivered_area":12000,"property_company":"甲物业"}`},
		{"receive-complaint", `{"complaint_id":"k1","channel":"hotline","kind":"complaint","category":"fees","summary":"x",
			"complainant_name":"欧阳测试","complainant_phone":"17000001234"}`},
	} {
		cmd, err := domain.ParseCommand(c.name, []byte(c.body))
		if err == nil {
			_, err = svc.Execute(ctx, "c1", cmd, app.Meta{Actor: domain.Actor{UserID: "u1", Role: "hotline", Organisation: "12345"}})
		}
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
	}
}

// logOf is the whole log as stored, and what its complainant opens to.
func logOf(t *testing.T, storeURL, data string) ([]byte, domain.Personal) {
	t.Helper()
	ctx := context.Background()
	store, pd, done, err := openRecording(ctx, storeURL, data, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	all, err := store.ReadAll(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(all)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := all[1].Decode()
	if err != nil {
		t.Fatal(err)
	}
	opened, err := pd.Open(ctx, app.Reader{User: "test"}, []domain.Personal{ev.(domain.ComplaintReceived).Complainant})
	if err != nil {
		t.Fatal(err)
	}
	return b, opened[0]
}

func TestForgetCommand(t *testing.T) {
	file := filepath.Join(t.TempDir(), "events.db")
	stores := map[string]string{"embedded": "", "SQLite file": file}
	if dsn := os.Getenv("CASETRACK_TEST_POSTGRES"); dsn != "" {
		_, stores["PostgreSQL"] = freshPostgres(t, dsn, "casetrack_forget")
	}
	for name, storeURL := range stores {
		t.Run(name, func(t *testing.T) {
			data := t.TempDir()
			if isPostgres(storeURL) {
				if code := run(context.Background(), []string{"migrate", "--store", storeURL}, io.Discard, io.Discard); code != 0 {
					t.Fatalf("migrate: exit %d", code)
				}
			}
			recordComplainant(t, storeURL, data)
			before, p := logOf(t, storeURL, data)
			if p.Fields[domain.FieldPhone] != "17000001234" {
				t.Fatalf("the complainant opens to %+v", p)
			}
			forget := func(args ...string) (int, string) {
				var out, errs bytes.Buffer
				code := run(context.Background(), append(append([]string{"forget"}, args...), "--data", data, "--store", storeURL), &out, &errs)
				return code, out.String() + errs.String()
			}
			if code, out := forget("complainant:c1:k1"); code != 0 || !strings.Contains(out, "forgotten: complainant:c1:k1") {
				t.Fatalf("forget: exit %d: %s", code, out)
			}
			after, p := logOf(t, storeURL, data)
			if !bytes.Equal(before, after) {
				t.Error("the log changed")
			}
			if !p.Erased || p.Fields != nil {
				t.Errorf("after forget the complainant opens to %+v", p)
			}
			if code, out := forget("complainant:c1:k1"); code != 1 || !strings.Contains(out, "no personal data") {
				t.Errorf("forget again: exit %d: %s", code, out)
			}
			for _, bad := range [][]string{{"nobody"}, {}, {"complainant:c1:k1", "extra"}, {"complainant:c1:k1\x00"}} {
				if code, out := forget(bad...); code != 2 {
					t.Errorf("forget %q: exit %d, want 2: %s", bad, code, out)
				}
			}
			// No file of the store or its keys holds the data in clear.
			for _, dir := range []string{data, filepath.Dir(file)} {
				entries, _ := os.ReadDir(dir)
				for _, e := range entries {
					b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
					if bytes.Contains(b, []byte("17000001234")) || bytes.Contains(b, []byte("欧阳测试")) {
						t.Errorf("%s holds the personal data in clear", e.Name())
					}
				}
			}
		})
	}
}

// freshPostgres creates a schema of its own, named prefix and a unique
// number, in dsn's database, dropped at cleanup, and returns its name and
// the store URL that uses it.
func freshPostgres(t *testing.T, dsn, prefix string) (schema, store string) {
	t.Helper()
	ctx := context.Background()
	schema = fmt.Sprintf("%s_%d", prefix, time.Now().UnixNano())
	exec := func(sql string) {
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	exec("CREATE SCHEMA " + schema)
	t.Cleanup(func() { exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE") })
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return schema, u.String()
}

// After casetrack forget, on the embedded store and PostgreSQL, verify
// still exits 0, against the stored checkpoint and one kept outside; the
// log, every projection rebuilt from zero and the league table are as
// before; the subjects' fields read as erased; and no file of the store
// holds them in clear (storetest.Forget checks PostgreSQL's rows).
func TestForgetThenVerify(t *testing.T) {
	ctx, book := context.Background(), domain.DefaultRuleBook()
	seed := func(t *testing.T, l auditedLog) auditedLog {
		store, pd, done, err := openRecording(ctx, l.store, l.data, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(done) // after the audit service's own cleanup, which comes later
		storetest.RecordPersonal(t, app.NewService(store, book, app.WithPersonalData(pd)), book)
		return keepCheckpoint(t, l, store)
	}
	seededBackends(t, seed, func(t *testing.T, newLog func(t *testing.T) auditedLog) {
		l := newLog(t)
		state := func() (storetest.State, map[string]domain.Personal) {
			t.Helper()
			store, pd, done, err := openRecording(ctx, l.store, l.data, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			defer done()
			s := storetest.Snapshot(t, store, book)
			return s, storetest.OpenSubjects(t, pd, app.Reader{User: "test"}, s.Events)
		}
		before, opened := state()
		if f := opened[storetest.ForgetCandidate].Fields; f[domain.FieldBirthDate] != storetest.ForgetBirthDate {
			t.Fatalf("the candidate opens to %+v", opened[storetest.ForgetCandidate])
		}
		for _, subject := range []string{storetest.ForgetComplainant, storetest.ForgetCandidate} {
			var out bytes.Buffer
			if code := run(ctx, []string{"forget", subject, "--data", l.data, "--store", l.store}, &out, &out); code != 0 {
				t.Fatalf("forget %s: exit %d: %s", subject, code, out.String())
			}
		}
		if code, out := l.verify(t, "--checkpoint", l.kept); code != 0 {
			t.Fatalf("verify after forget: exit %d:\n%s", code, out)
		}
		after, opened := state()
		storetest.Unchanged(t, before, after)
		for _, subject := range []string{storetest.ForgetComplainant, storetest.ForgetCandidate} {
			if p := opened[subject]; !p.Erased || p.Fields != nil {
				t.Errorf("after forget %s opens to %+v", subject, p)
			}
		}
		entries, _ := os.ReadDir(l.data)
		for _, e := range entries {
			b, _ := os.ReadFile(filepath.Join(l.data, e.Name()))
			for _, s := range storetest.ForgetClear {
				if bytes.Contains(b, []byte(s)) {
					t.Errorf("%s holds %q in clear", e.Name(), s)
				}
			}
		}
	})
}
