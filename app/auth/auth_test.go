package auth

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/casetrack/casetrack/adapters/memory"
	"github.com/casetrack/casetrack/domain"
)

func TestPasswordHash(t *testing.T) {
	h1, h2 := HashPassword("correct horse"), HashPassword("correct horse")
	if h1 == h2 {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	if !strings.HasPrefix(h1, "$argon2id$v=19$m=19456,t=2,p=1$") || strings.Contains(h1, "correct horse") {
		t.Errorf("hash %s", h1)
	}
	for _, h := range []string{h1, h2} {
		if !CheckPassword(h, "correct horse") {
			t.Error("the right password is refused")
		}
		if CheckPassword(h, "correct horsE") || CheckPassword(h, "") {
			t.Error("a wrong password is accepted")
		}
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=1,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=x,t=1,p=1$c2FsdA$a2V5",
		"$argon2id$v=19$m=8,t=1,p=1$!!$a2V5", "$argon2id$v=19$m=8,t=1,p=1$c2FsdA$"} {
		if CheckPassword(bad, "") || CheckPassword(bad, "plain") {
			t.Errorf("malformed hash %q accepted", bad)
		}
	}
}

func TestSecretsAreRandom(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		token, id, hash := NewToken()
		p := NewPassword()
		if !strings.HasPrefix(token, TokenPrefix) || len(token) != len(TokenPrefix)+43 || len(id) != 12 || hash != HashToken(token) || len(p) != 16 {
			t.Fatalf("token %q id %q password %q", token, id, p)
		}
		for _, s := range []string{token, id, p} {
			if seen[s] {
				t.Fatalf("%q drawn twice", s)
			}
			seen[s] = true
		}
	}
}

var by = domain.Actor{UserID: "test", Role: "operator"}

// Two instances on one store: what one records, the other honours on its
// next check, with no restart and no cache to expire.
func TestAccountsAcrossInstances(t *testing.T) {
	ctx := context.Background()
	store := memory.NewStore()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	a, b := New(store, clock), New(store, clock)
	password, err := a.Create(ctx, by, "li", domain.RoleHotline, domain.Scope{}, "")
	if err != nil {
		t.Fatal(err)
	}
	if p, err := b.SignIn(ctx, "li", password); err != nil || p.Organisation != "市" {
		t.Fatalf("sign-in on the other instance: %+v %v", p, err)
	}
	// A wrong name and a wrong password get the same answer.
	_, errName := b.SignIn(ctx, "nobody", password)
	_, errPassword := b.SignIn(ctx, "li", "wrong")
	if domain.ErrorCode(errName) != domain.CodeUnauthenticated || errName.Error() != errPassword.Error() {
		t.Errorf("wrong name %v, wrong password %v", errName, errPassword)
	}
	token, id, err := b.IssueToken(ctx, by, "li", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.ByToken(ctx, token); err != nil {
		t.Fatal(err)
	}
	if err := a.Execute(ctx, domain.RevokeToken{Name: "li", TokenID: id}, by); err != nil {
		t.Fatal(err)
	}
	if _, err := b.ByToken(ctx, token); domain.ErrorCode(err) != domain.CodeUnauthenticated {
		t.Errorf("revoked token: %v", err)
	}
	token, _, _ = a.IssueToken(ctx, by, "li", time.Hour)
	now = now.Add(time.Hour)
	if _, err := b.ByToken(ctx, token); domain.ErrorCode(err) != domain.CodeUnauthenticated {
		t.Errorf("expired token: %v", err)
	}
	if err := b.SetPassword(ctx, by, "li", "short"); domain.ErrorCode(err) != domain.CodeInvalid {
		t.Errorf("short password: %v", err)
	}
	if err := b.SetPassword(ctx, by, "li", "a much longer password"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.SignIn(ctx, "li", password); err == nil {
		t.Error("the old password still works")
	}
	if err := b.Disable(ctx, by, "li"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Principal(ctx, "li"); domain.ErrorCode(err) != domain.CodeUnauthenticated {
		t.Errorf("disabled account's session: %v", err)
	}
	if _, err := a.SignIn(ctx, "li", "a much longer password"); err == nil {
		t.Error("a disabled account signs in")
	}
	list, err := a.List(ctx)
	if err != nil || len(list) != 1 || !list[0].Disabled || len(list[0].Tokens) != 0 {
		t.Errorf("list %+v %v", list, err)
	}
}

// Requests check tokens while an admin changes accounts: every check
// answers from a whole state (run with -race).
func TestConcurrentChecks(t *testing.T) {
	ctx := context.Background()
	a := New(memory.NewStore(), nil)
	if _, err := a.Create(ctx, by, "li", domain.RoleHotline, domain.Scope{}, ""); err != nil {
		t.Fatal(err)
	}
	token, _, _ := a.IssueToken(ctx, by, "li", time.Hour)
	done := make(chan error, 8)
	for range 8 {
		go func() {
			for range 50 {
				if _, err := a.ByToken(ctx, token); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for i := range 5 {
		if _, _, err := a.IssueToken(ctx, by, "li", time.Duration(i+1)*time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

// BenchmarkByToken is the cost every API request pays: read the accounts
// stream's new events (none) and find the token among 100 accounts'.
func BenchmarkByToken(b *testing.B) {
	ctx := context.Background()
	a := New(memory.NewStore(), nil)
	var token string
	for i := range 100 {
		name := fmt.Sprintf("user%d", i)
		if err := a.Execute(ctx, domain.CreateAccount{Name: name, Role: domain.RoleHotline, PasswordHash: "h"}, by); err != nil {
			b.Fatal(err)
		}
		token, _, _ = a.IssueToken(ctx, by, name, time.Hour)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := a.ByToken(ctx, token); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSignIn is one argon2id check: the price of a sign-in.
func BenchmarkSignIn(b *testing.B) {
	h := HashPassword("correct horse battery")
	for b.Loop() {
		CheckPassword(h, "correct horse battery")
	}
}
