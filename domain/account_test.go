package domain

import (
	"strings"
	"testing"
	"time"
)

// accountsAfter folds decided account events as the store would.
func accountsAfter(t *testing.T, at time.Time, cmds ...AccountCommand) *Accounts {
	t.Helper()
	a := NewAccounts()
	for _, cmd := range cmds {
		events, err := a.Decide(cmd, at)
		if err != nil {
			t.Fatalf("%T: %v", cmd, err)
		}
		for _, e := range events {
			typ, ver, data, err := EncodeEvent(e)
			if err != nil {
				t.Fatal(err)
			}
			if err := a.Apply(Envelope{StreamID: AccountsStream, Version: a.Version() + 1, Type: typ, SchemaVersion: ver, Data: data}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return a
}

func TestAccountLife(t *testing.T) {
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	a := accountsAfter(t, at,
		CreateAccount{Name: "zgc", Role: RoleStreetOffice, Scope: Scope{District: "海淀", Street: "中关村"}, PasswordHash: "h1"},
		IssueToken{Name: "zgc", TokenID: "t1", TokenHash: "th1", ExpiresAt: at.Add(time.Hour)},
		GrantRole{Name: "zgc", Role: RoleInspector, Scope: Scope{District: "海淀"}},
		RevokeToken{Name: "zgc", TokenID: "t1"},
		DisableAccount{Name: "zgc"})
	acc, ok := a.Get("zgc")
	if !ok || acc.Role != RoleInspector || acc.Scope != (Scope{District: "海淀"}) || acc.Organisation != "海淀区" ||
		!acc.Disabled || acc.PasswordHash != "h1" || !acc.Tokens["t1"].Revoked {
		t.Fatalf("account %+v", acc)
	}
	if name, id, ok := a.TokenOwner("th1"); !ok || name != "zgc" || id != "t1" {
		t.Errorf("token owner %s %s %v", name, id, ok)
	}
	// Nothing more is recorded for a disabled account.
	_, err := a.Decide(ChangePassword{Name: "zgc", PasswordHash: "h2"}, at)
	ctWantViolation(t, err, CodeRejected, "account.disabled", "name")
}

func TestAccountRules(t *testing.T) {
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	a := accountsAfter(t, at, CreateAccount{Name: "admin", Role: RoleAdmin, PasswordHash: "h"})
	tests := []struct {
		name        string
		cmd         AccountCommand
		code        Code
		rule, field string
	}{
		{"bad name", CreateAccount{Name: "a b", Role: RoleAdmin, PasswordHash: "h"}, CodeInvalid, "account.name_format", "name"},
		{"duplicate", CreateAccount{Name: "admin", Role: RoleAdmin, PasswordHash: "h"}, CodeRejected, "account.duplicate", "name"},
		{"unknown role", CreateAccount{Name: "x", Role: "resident", PasswordHash: "h"}, CodeInvalid, "account.role", "role"},
		{"street office without street", CreateAccount{Name: "x", Role: RoleStreetOffice, Scope: Scope{District: "海淀"}, PasswordHash: "h"}, CodeInvalid, "account.scope_missing", "street"},
		{"auditor with a street", CreateAccount{Name: "x", Role: RoleAuditor, Scope: Scope{Street: "中关村"}, PasswordHash: "h"}, CodeInvalid, "account.scope_extra", "street"},
		{"no password", CreateAccount{Name: "x", Role: RoleHotline}, CodeInvalid, "field.required", "password_hash"},
		{"unknown account", DisableAccount{Name: "nobody"}, CodeNotFound, "account.unknown", "name"},
		{"expired token", IssueToken{Name: "admin", TokenID: "t", TokenHash: "h", ExpiresAt: at}, CodeInvalid, "token.expiry", "expires_at"},
		{"unknown token", RevokeToken{Name: "admin", TokenID: "t"}, CodeNotFound, "token.unknown", "token_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := a.Decide(tt.cmd, at)
			ctWantViolation(t, err, tt.code, tt.rule, tt.field)
		})
	}
}

func TestScopeCovers(t *testing.T) {
	p := Profile{District: "海淀", Street: "中关村", Community: "东区"}
	for _, tt := range []struct {
		s    Scope
		want bool
	}{
		{Scope{}, true}, {Scope{District: "海淀"}, true}, {Scope{District: "海淀", Street: "中关村"}, true},
		{Scope{District: "海淀", Street: "学院路"}, false}, {Scope{District: "海淀", Street: "中关村", Community: "西区"}, false},
	} {
		if got := tt.s.Covers(p); got != tt.want {
			t.Errorf("%+v covers %+v: %v", tt.s, p, got)
		}
	}
}

// An account's organisation becomes the actor's of every event it records,
// so it keeps the actor's limits (limits.go); its scope keeps a place name's.
func TestAccountTextLimits(t *testing.T) {
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	long := strings.Repeat("区", TextActor.MaxRunes+1)
	_, err := NewAccounts().Decide(CreateAccount{Name: "x", Role: RoleAuditor, Organisation: long, PasswordHash: "h"}, at)
	ctWantViolation(t, err, CodeInvalid, "text.too_long", "organisation")
	_, err = NewAccounts().Decide(CreateAccount{Name: "x", Role: RoleStreetOffice, Scope: Scope{District: "海淀", Street: "中\x00关村"}, PasswordHash: "h"}, at)
	ctWantViolation(t, err, CodeInvalid, "text.control_character", "street")
	// A street named at the limit of a place name makes an organisation name
	// ("…街道") beyond the actor's limit: refused, not recorded.
	_, err = NewAccounts().Decide(CreateAccount{Name: "x", Role: RoleStreetOffice, Scope: Scope{District: "海淀", Street: strings.Repeat("街", TextActor.MaxRunes)}, PasswordHash: "h"}, at)
	ctWantViolation(t, err, CodeInvalid, "text.too_long", "organisation")
}
