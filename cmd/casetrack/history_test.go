package main

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/domain"
)

// seedCompound records a compound of three events in a fresh data directory.
func seedCompound(t *testing.T) (data string) {
	t.Helper()
	ctx, data := context.Background(), t.TempDir()
	store, err := openStore(ctx, "", data)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	svc := app.NewService(store, domain.DefaultRuleBook())
	for _, c := range []struct{ name, body string }{
		{"register", `{"name":"阳光花园","district":"海淀","street":"中关村","community":"东区","kind":"commercial",
			"households":120,"private_area":"12000.50","delivered_area":12000,"property_company":"甲物业"}`},
		{"establish-party-branch", `{"branch":"党支部","secretary":"王芳"}`},
		{"change-property-company", `{"company":"乙物业"}`},
	} {
		cmd, err := domain.ParseCommand(c.name, []byte(c.body))
		if err == nil {
			_, err = svc.Execute(ctx, "c1", cmd, app.Meta{Actor: domain.Actor{UserID: "u1", Role: "inspector", Organisation: "住建局"}})
		}
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
	}
	return data
}

// tamper runs one statement on the embedded store's file, as someone
// editing the database by hand would.
func tamper(t *testing.T, data, stmt string) {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(data, "casetrack.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if res, err := db.Exec(stmt); err != nil {
		t.Fatal(err)
	} else if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("%s changed %d rows", stmt, n)
	}
}

func runHistory(t *testing.T, args ...string) (code int, out string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code = run(context.Background(), append([]string{"history"}, args...), &stdout, &stderr)
	return code, stdout.String() + stderr.String()
}

// history exits 0 on an intact chain, 1 on a broken one, 2 on usage errors.
func TestHistoryExitCodes(t *testing.T) {
	data := seedCompound(t)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"c1", "--data", data}, 0, "Hash chain intact"},
		{[]string{"c1", "--data", data, "--json"}, 0, `"chain_valid": true`},
		{[]string{"--data", data}, 2, "usage: casetrack history"},
		{[]string{"c1", "c2", "--data", data}, 2, "usage: casetrack history"},
		{[]string{"c1", "--data", data, "--nope"}, 2, "flag provided but not defined"},
		{[]string{"c1", "--data", data, "--at", "yesterday"}, 2, "--at"},
		{[]string{"--help"}, 0, ""},
		{[]string{"nope", "--data", data}, 1, "no compound nope"},
	} {
		if code, out := runHistory(t, tc.args...); code != tc.code || !strings.Contains(out, tc.want) {
			t.Errorf("history %q: exit %d, want %d with %q:\n%s", tc.args, code, tc.code, tc.want, out)
		}
	}
}

// A stream missing a middle event is reported as damaged, naming the first
// bad version, without a state (and without the panic it once caused).
func TestHistoryMissingMiddleEvent(t *testing.T) {
	data := seedCompound(t)
	tamper(t, data, `DELETE FROM events WHERE stream_id = 'compound-c1' AND version = 2`)
	for _, format := range [][]string{nil, {"--json"}} {
		code, out := runHistory(t, append([]string{"c1", "--data", data}, format...)...)
		if code != 1 || !strings.Contains(out, "expected version 2, found 3") || strings.Contains(out, "State as of") {
			t.Errorf("history %v: exit %d:\n%s", format, code, out)
		}
	}
}

// Stored values reach the auditor's terminal neutralised: an ANSI escape
// smuggled into a record is shown, not obeyed.
func TestHistoryNeutralisesControls(t *testing.T) {
	data := seedCompound(t)
	tamper(t, data, "UPDATE events SET actor_user = 'u1\x1b[2J\x1b]0;pwned\x07\u202e' WHERE stream_id = 'compound-c1' AND version = 1")
	code, out := runHistory(t, "c1", "--data", data)
	if code != 1 || strings.ContainsAny(out, "\x1b\x07\u202e") || !strings.Contains(out, `u1\x1b[2J\x1b]0;pwned\x07\u202e`) {
		t.Errorf("exit %d, output %q", code, out)
	}
}

func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"阳光花园":            "阳光花园",
		"a\tb\nc":         `a\x09b\x0ac`,
		"\x1b[31mred":     `\x1b[31mred`,
		"\u0085\u009b":    `\u0085\u009b`,
		"bad\xffutf8":     `bad\xffutf8`,
		"\u2067rtl\u202e": `\u2067rtl\u202e`,
		"real \uFFFD ok":  "real \uFFFD ok",
	} {
		if got := clean(in); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
}
