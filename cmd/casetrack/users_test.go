package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/casetrack/casetrack/app/auth"
	"github.com/casetrack/casetrack/domain"
)

// cliToken adds an account with `users add --token` and returns its token.
func cliToken(t *testing.T, store, name, role string, extra ...string) string {
	t.Helper()
	var out strings.Builder
	args := append([]string{"add", name, "--role", role, "--token", "--store", store, "--data", t.TempDir()}, extra...)
	if err := usersCmd(context.Background(), &out, args); err != nil {
		t.Fatalf("users %v: %v", args, err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	return lines[len(lines)-1]
}

var by = domain.Actor{UserID: "test", Role: "operator"}

// The first admin on an empty store, then the other commands; every change
// is in the accounts stream as made by the operator; the secrets printed
// work and are kept only as hashes.
func TestUsersCommand(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	run := func(args ...string) (string, error) {
		var out strings.Builder
		err := usersCmd(ctx, &out, append(args, "--data", data))
		return out.String(), err
	}
	out, err := run("add", "admin", "--role", "admin")
	if err != nil {
		t.Fatal(err)
	}
	password := strings.TrimSpace(out[strings.LastIndex(strings.TrimSpace(out), "\n")+1:])
	if len(password) != 16 {
		t.Fatalf("no one-time password in %q", out)
	}
	if _, err := run("add", "zgc", "--role", "street_office", "--district", "海淀", "--street", "中关村"); err != nil {
		t.Fatal(err)
	}
	out, err = run("token", "zgc", "--days", "7")
	if err != nil {
		t.Fatal(err)
	}
	token, tokenID := strings.TrimSpace(out[strings.LastIndex(strings.TrimSpace(out), "\n")+1:]), strings.Fields(out)[2] // "API token ID of NAME, …"
	if !strings.HasPrefix(token, auth.TokenPrefix) {
		t.Fatalf("no token in %q", out)
	}
	if out, err = run("list"); err != nil || !strings.Contains(out, "zgc") || !strings.Contains(out, "中关村") || strings.Contains(out, "$argon2id") {
		t.Fatalf("list: %v\n%s", err, out)
	}

	store, err := openStore(ctx, "", data)
	if err != nil {
		t.Fatal(err)
	}
	accounts := auth.New(store, nil)
	if p, err := accounts.SignIn(ctx, "admin", password); err != nil || p.Role != domain.RoleAdmin {
		t.Fatalf("the printed password does not sign in: %v", err)
	}
	if p, err := accounts.ByToken(ctx, token); err != nil || p.Name != "zgc" {
		t.Fatalf("the printed token does not work: %v", err)
	}
	if _, err := run("revoke", "zgc", tokenID); err != nil {
		t.Fatal(err)
	}
	if _, err := accounts.ByToken(ctx, token); domain.ErrorCode(err) != domain.CodeUnauthenticated {
		t.Fatalf("a revoked token: %v", err)
	}
	if _, err := run("role", "zgc", "--role", "inspector", "--district", "海淀"); err != nil {
		t.Fatal(err)
	}
	out, err = run("password", "zgc")
	if err != nil {
		t.Fatal(err)
	}
	reset := strings.TrimSpace(out[strings.LastIndex(strings.TrimSpace(out), "\n")+1:])
	if p, err := accounts.SignIn(ctx, "zgc", reset); err != nil || p.Role != domain.RoleInspector || p.Scope != (domain.Scope{District: "海淀"}) {
		t.Fatalf("after role and password: %+v %v", p, err)
	}
	token, _, _ = accounts.IssueToken(ctx, by, "zgc", time.Hour)
	if _, err := run("disable", "zgc"); err != nil {
		t.Fatal(err)
	}
	if _, err := accounts.ByToken(ctx, token); domain.ErrorCode(err) != domain.CodeUnauthenticated {
		t.Fatalf("a disabled account's token: %v", err)
	}
	events, err := store.ReadStream(ctx, domain.AccountsStream, domain.StreamQuery{})
	store.Close()
	if err != nil || len(events) != 10 {
		t.Fatalf("%d account events (%v), want 10", len(events), err)
	}
	for _, e := range events {
		if e.Type == "AccountTokenIssued" && e.Actor == by {
			continue // issued by the test itself
		}
		if !strings.HasPrefix(e.Actor.UserID, "cli:") || e.Actor.Role != "operator" {
			t.Errorf("%s recorded by %+v", e.Type, e.Actor)
		}
		if strings.Contains(string(e.Data), password) || strings.Contains(string(e.Data), token) {
			t.Errorf("%s keeps a secret: %s", e.Type, e.Data)
		}
	}

	// Bad input: usage errors, or the domain's field errors.
	for _, args := range [][]string{{"add"}, {"list", "x"}, {"frobnicate", "x"}, {"token", "admin", "--days", "0"}, {"revoke", "admin"}, {"password"}} {
		if _, err := run(args...); err == nil {
			t.Errorf("users %v: no error", args)
		}
	}
	if _, err := run("add", "x", "--role", "resident"); domain.ErrorCode(err) != domain.CodeInvalid || !strings.Contains(err.Error(), "account.role") {
		t.Errorf("bad role: %v", err)
	}
	if _, err := run("add", "admin", "--role", "admin"); !strings.Contains(err.Error(), "account.duplicate") {
		t.Errorf("duplicate: %v", err)
	}
}

func TestLoopback(t *testing.T) {
	for addr, want := range map[string]bool{"127.0.0.1:8080": true, "localhost:80": true, "[::1]:8080": true, ":8080": false,
		"0.0.0.0:8080": false, "10.0.0.5:8080": false} {
		if got := loopback(addr); got != want {
			t.Errorf("loopback(%s) = %v", addr, got)
		}
	}
}
