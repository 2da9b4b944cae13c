// Accounts (账号): who may sign in, in which role, for which part of the city.
//   - every account lives in one stream, "accounts", so that names are
//     unique and every change is sealed into one audited chain; the actor
//     of each event is the administrator who made the change;
//   - an account has a login name (letters, digits, '.', '_', '-', '@'),
//     one role, and the scope its role needs: a street office its district
//     and street; a community worker its district, street and community; an
//     inspector the city or one district; an admin, hotline operator or
//     auditor the whole city;
//   - a role is granted in place of the former one, with its scope;
//   - a disabled account stays disabled: nothing more is recorded for it;
//   - a password is kept only as its hash, a token only as its hash with
//     its expiry; a token is revoked once; a token expires in the future.
//
// The domain reads no randomness and no clock: hashes, token IDs and the
// time come in with each command (app/auth makes them).

package domain

import (
	"regexp"
	"sort"
	"time"
)

// AccountsStream is the stream of every account event.
const AccountsStream = "accounts"

// Role is what an account may do; the HTTP policy table maps roles to routes.
type Role string

const (
	RoleAdmin           Role = "admin"            // accounts and configuration
	RoleInspector       Role = "inspector"        // 住建局: city- or district-wide reads, supervision
	RoleStreetOffice    Role = "street_office"    // 街道: its street's compounds
	RoleCommunityWorker Role = "community_worker" // 社区: its community's compounds
	RoleHotline         Role = "hotline"          // 12345: complaint intake and dispatch
	RoleAuditor         Role = "auditor"          // 审计/纪检: read-only, full history
)

// Roles lists every role, in the order messages name them.
var Roles = vocabulary[Role]{RoleAdmin, RoleInspector, RoleStreetOffice, RoleCommunityWorker, RoleHotline, RoleAuditor}

// Scope is the part of the city an account acts for; empty fields mean all.
type Scope struct {
	District  string `json:"district,omitempty"`
	Street    string `json:"street,omitempty"`
	Community string `json:"community,omitempty"`
}

// Covers reports whether a compound at p lies within the scope.
func (s Scope) Covers(p Profile) bool {
	return (s.District == "" || s.District == p.District) && (s.Street == "" || s.Street == p.Street) &&
		(s.Community == "" || s.Community == p.Community)
}

// City reports whether the scope is the whole city.
func (s Scope) City() bool { return s == Scope{} }

// Account is the state of one account, as read models and sign-in see it.
type Account struct {
	Name         string
	Role         Role
	Scope        Scope
	Organisation string
	Disabled     bool
	PasswordHash string
	Tokens       map[string]Token // by token ID
}

// Token is an API token as kept: its hash and expiry, never the token.
type Token struct {
	Hash      string
	ExpiresAt time.Time
	Revoked   bool
}

// Accounts is the aggregate of every account (the "accounts" stream).
type Accounts struct {
	version  uint64
	accounts map[string]*Account
}

// NewAccounts returns the empty set of accounts.
func NewAccounts() *Accounts { return &Accounts{accounts: map[string]*Account{}} }

func (a *Accounts) Version() uint64 { return a.version }

// Get returns a copy of the named account.
func (a *Accounts) Get(name string) (Account, bool) {
	acc, ok := a.accounts[name]
	if !ok {
		return Account{}, false
	}
	out := *acc
	out.Tokens = make(map[string]Token, len(acc.Tokens))
	for id, t := range acc.Tokens {
		out.Tokens[id] = t
	}
	return out, true
}

// Names lists every account name, sorted.
func (a *Accounts) Names() []string {
	out := make([]string, 0, len(a.accounts))
	for n := range a.accounts {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// TokenOwner finds the account and token ID of a token hash.
func (a *Accounts) TokenOwner(hash string) (name, tokenID string, ok bool) {
	for _, acc := range a.accounts {
		for id, t := range acc.Tokens {
			if t.Hash == hash {
				return acc.Name, id, true
			}
		}
	}
	return "", "", false
}

// Apply evolves the accounts by one stored event.
func (a *Accounts) Apply(e Envelope) error {
	ev, err := e.Decode()
	if err != nil {
		return err
	}
	ae, ok := ev.(accountEvent)
	if !ok {
		return Errorf(CodeIntegrity, "event %s at version %d of %s is not an account event", e.Type, e.Version, e.StreamID)
	}
	ae.applyAccount(a)
	a.version = e.Version
	return nil
}

// AccountCommand is a request to change the accounts, decided at a time.
type AccountCommand interface {
	decideAccount(a *Accounts, at time.Time) ([]Event, error)
}

// Decide runs an account command without recording anything.
func (a *Accounts) Decide(cmd AccountCommand, at time.Time) ([]Event, error) {
	return cmd.decideAccount(a, at)
}

// accountEvent is a fact about the accounts.
type accountEvent interface {
	Event
	applyAccount(a *Accounts)
}

// Commands.

// CreateAccount opens an account with its role, scope and first password.
type CreateAccount struct {
	Name         string
	Role         Role
	Scope        Scope
	Organisation string // empty: named after the scope
	PasswordHash string
}

// GrantRole gives an account a role, with its scope, in place of the former.
type GrantRole struct {
	Name         string
	Role         Role
	Scope        Scope
	Organisation string
}

// DisableAccount stops an account: its sessions and tokens stop working.
type DisableAccount struct{ Name string }

// ChangePassword replaces an account's password hash.
type ChangePassword struct {
	Name         string
	PasswordHash string
}

// IssueToken records a new API token of an account.
type IssueToken struct {
	Name      string
	TokenID   string
	TokenHash string
	ExpiresAt time.Time
}

// RevokeToken stops one token.
type RevokeToken struct {
	Name    string
	TokenID string
}

// Events.

// AccountCreated: the account exists, with its role and scope.
type AccountCreated struct {
	Name         string `json:"name"`
	Role         Role   `json:"role"`
	Scope        Scope  `json:"scope"`
	Organisation string `json:"organisation"`
}

// AccountRoleGranted: the account's role and scope from now on.
type AccountRoleGranted struct {
	Name         string `json:"name"`
	Role         Role   `json:"role"`
	Scope        Scope  `json:"scope"`
	Organisation string `json:"organisation"`
}

// AccountDisabled: the account may no longer sign in or call the API.
type AccountDisabled struct {
	Name string `json:"name"`
}

// AccountPasswordChanged: the account's password hash (argon2id, encoded).
type AccountPasswordChanged struct {
	Name         string `json:"name"`
	PasswordHash string `json:"password_hash"`
}

// AccountTokenIssued: a token of the account, kept as its hash.
type AccountTokenIssued struct {
	Name      string    `json:"name"`
	TokenID   string    `json:"token_id"`
	TokenHash string    `json:"token_hash"`
	ExpiresAt time.Time `json:"expires_at"`
}

// AccountTokenRevoked: the token no longer works.
type AccountTokenRevoked struct {
	Name    string `json:"name"`
	TokenID string `json:"token_id"`
}

func (AccountCreated) EventType() string         { return "AccountCreated" }
func (AccountRoleGranted) EventType() string     { return "AccountRoleGranted" }
func (AccountDisabled) EventType() string        { return "AccountDisabled" }
func (AccountPasswordChanged) EventType() string { return "AccountPasswordChanged" }
func (AccountTokenIssued) EventType() string     { return "AccountTokenIssued" }
func (AccountTokenRevoked) EventType() string    { return "AccountTokenRevoked" }

var accountNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$`)

// checkRoleScope checks a role, the scope it needs and the organisation:
// the organisation is sealed into every event as the actor's, so it keeps
// the actor's limits (limits.go).
func checkRoleScope(v *violations, role Role, s Scope, org string) {
	checkText(v, named("organisation"), TextActor, org)
	checkText(v, named("district"), TextName, s.District)
	checkText(v, named("street"), TextName, s.Street)
	checkText(v, named("community"), TextName, s.Community)
	if !oneOf(v, "role", "account.role", role, Roles) {
		return
	}
	need := func(field, value string) {
		if value == "" {
			v.invalid(field, "account.scope_missing", "a %s account needs a %s", "%s 账号须指定 %s", string(role), field)
		}
	}
	deny := func(field, value string) {
		if value != "" {
			v.invalid(field, "account.scope_extra", "a %s account has no %s", "%s 账号不设 %s", string(role), field)
		}
	}
	switch role {
	case RoleStreetOffice:
		need("district", s.District)
		need("street", s.Street)
		deny("community", s.Community)
	case RoleCommunityWorker:
		need("district", s.District)
		need("street", s.Street)
		need("community", s.Community)
	case RoleInspector:
		deny("street", s.Street)
		deny("community", s.Community)
	default:
		deny("district", s.District)
		deny("street", s.Street)
		deny("community", s.Community)
	}
}

// organisation names the organisation an account acts for when none is given.
func organisation(org string, s Scope) string {
	switch {
	case org != "":
		return org
	case s.Community != "":
		return s.Community + "社区"
	case s.Street != "":
		return s.Street + "街道"
	case s.District != "":
		return s.District + "区"
	}
	return "市"
}

// existing finds an account that must exist and be enabled.
func (a *Accounts) existing(v *violations, name string) *Account {
	acc, ok := a.accounts[name]
	switch {
	case !ok:
		v.code = CodeNotFound
		v.fail("name", "account.unknown", "no account %q", "账号 %q 不存在", name)
		return nil
	case acc.Disabled:
		v.fail("name", "account.disabled", "account %s is disabled", "账号 %s 已停用", name)
		return nil
	}
	return acc
}

func (cmd CreateAccount) decideAccount(a *Accounts, _ time.Time) ([]Event, error) {
	var v violations
	if !accountNamePattern.MatchString(cmd.Name) {
		v.invalid("name", "account.name_format", "an account name is 1–64 letters, digits, '.', '_', '-' or '@', starting with a letter or digit",
			"账号名须为1–64位字母、数字、'.'、'_'、'-'或'@'，以字母或数字开头")
	} else if _, dup := a.accounts[cmd.Name]; dup {
		v.fail("name", "account.duplicate", "account %s exists already", "账号 %s 已存在", cmd.Name)
	}
	checkRoleScope(&v, cmd.Role, cmd.Scope, organisation(cmd.Organisation, cmd.Scope))
	v.required("password_hash", cmd.PasswordHash)
	return v.emit(AccountCreated{Name: cmd.Name, Role: cmd.Role, Scope: cmd.Scope, Organisation: organisation(cmd.Organisation, cmd.Scope)},
		AccountPasswordChanged{Name: cmd.Name, PasswordHash: cmd.PasswordHash})
}

func (cmd GrantRole) decideAccount(a *Accounts, _ time.Time) ([]Event, error) {
	var v violations
	a.existing(&v, cmd.Name)
	checkRoleScope(&v, cmd.Role, cmd.Scope, organisation(cmd.Organisation, cmd.Scope))
	return v.emit(AccountRoleGranted{Name: cmd.Name, Role: cmd.Role, Scope: cmd.Scope, Organisation: organisation(cmd.Organisation, cmd.Scope)})
}

func (cmd DisableAccount) decideAccount(a *Accounts, _ time.Time) ([]Event, error) {
	var v violations
	a.existing(&v, cmd.Name)
	return v.emit(AccountDisabled{Name: cmd.Name})
}

func (cmd ChangePassword) decideAccount(a *Accounts, _ time.Time) ([]Event, error) {
	var v violations
	a.existing(&v, cmd.Name)
	v.required("password_hash", cmd.PasswordHash)
	return v.emit(AccountPasswordChanged{Name: cmd.Name, PasswordHash: cmd.PasswordHash})
}

func (cmd IssueToken) decideAccount(a *Accounts, at time.Time) ([]Event, error) {
	var v violations
	acc := a.existing(&v, cmd.Name)
	v.required("token_id", cmd.TokenID)
	v.required("token_hash", cmd.TokenHash)
	if acc != nil && cmd.TokenID != "" {
		if _, dup := acc.Tokens[cmd.TokenID]; dup {
			v.fail("token_id", "token.duplicate", "token %s exists already", "令牌 %s 已存在", cmd.TokenID)
		}
	}
	if !cmd.ExpiresAt.After(at) {
		v.invalid("expires_at", "token.expiry", "a token must expire in the future", "令牌的到期时间须晚于现在")
	}
	return v.emit(AccountTokenIssued{Name: cmd.Name, TokenID: cmd.TokenID, TokenHash: cmd.TokenHash, ExpiresAt: cmd.ExpiresAt.UTC()})
}

func (cmd RevokeToken) decideAccount(a *Accounts, _ time.Time) ([]Event, error) {
	var v violations
	if acc := a.existing(&v, cmd.Name); acc != nil {
		switch t, ok := acc.Tokens[cmd.TokenID]; {
		case !ok:
			v.code = CodeNotFound
			v.fail("token_id", "token.unknown", "account %s has no token %s", "账号 %s 没有令牌 %s", cmd.Name, cmd.TokenID)
		case t.Revoked:
			v.fail("token_id", "token.revoked", "token %s is revoked already", "令牌 %s 已撤销", cmd.TokenID)
		}
	}
	return v.emit(AccountTokenRevoked{Name: cmd.Name, TokenID: cmd.TokenID})
}

func (e AccountCreated) applyAccount(a *Accounts) {
	a.accounts[e.Name] = &Account{Name: e.Name, Role: e.Role, Scope: e.Scope, Organisation: e.Organisation, Tokens: map[string]Token{}}
}

func (e AccountRoleGranted) applyAccount(a *Accounts) {
	if acc := a.accounts[e.Name]; acc != nil {
		acc.Role, acc.Scope, acc.Organisation = e.Role, e.Scope, e.Organisation
	}
}

func (e AccountDisabled) applyAccount(a *Accounts) {
	if acc := a.accounts[e.Name]; acc != nil {
		acc.Disabled = true
	}
}

func (e AccountPasswordChanged) applyAccount(a *Accounts) {
	if acc := a.accounts[e.Name]; acc != nil {
		acc.PasswordHash = e.PasswordHash
	}
}

func (e AccountTokenIssued) applyAccount(a *Accounts) {
	if acc := a.accounts[e.Name]; acc != nil {
		acc.Tokens[e.TokenID] = Token{Hash: e.TokenHash, ExpiresAt: e.ExpiresAt}
	}
}

func (e AccountTokenRevoked) applyAccount(a *Accounts) {
	if acc := a.accounts[e.Name]; acc != nil {
		t := acc.Tokens[e.TokenID]
		t.Revoked = true
		acc.Tokens[e.TokenID] = t
	}
}

func init() {
	registerEvent[AccountCreated]()
	registerEvent[AccountRoleGranted]()
	registerEvent[AccountDisabled]()
	registerEvent[AccountPasswordChanged]()
	registerEvent[AccountTokenIssued]()
	registerEvent[AccountTokenRevoked]()
}
