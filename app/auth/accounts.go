// Package auth keeps the accounts (domain/account.go) and signs people and
// programs in: argon2id password hashes, random API tokens kept hashed.
// Every check reads the accounts stream up to its head first, so an
// account an admin disabled stops working at once, on every instance.
package auth

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/domain"
)

// DefaultTokenTTL is how long an API token lives unless asked otherwise.
const DefaultTokenTTL = 90 * 24 * time.Hour

// Principal is the signed-in user a request acts as.
type Principal struct {
	Name         string       `json:"name"`
	Role         domain.Role  `json:"role"`
	Scope        domain.Scope `json:"scope"`
	Organisation string       `json:"organisation"`
}

// Actor is the principal as sealed into the events it records.
func (p Principal) Actor() domain.Actor {
	return domain.Actor{UserID: p.Name, Role: string(p.Role), Organisation: p.Organisation}
}

// AccountInfo is an account as listed: never a hash.
type AccountInfo struct {
	Principal
	Disabled bool        `json:"disabled"`
	Tokens   []TokenInfo `json:"active_tokens"` // unrevoked, unexpired, by expiry
}

// TokenInfo names a token for revocation; the token itself is never kept.
type TokenInfo struct {
	ID        string    `json:"id"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Accounts is the accounts service: it records account commands and
// answers sign-ins from the current state of the accounts stream.
type Accounts struct {
	store domain.EventStore
	now   func() time.Time

	writeMu sync.Mutex // serialises Execute
	mu      sync.Mutex // guards state
	state   *domain.Accounts
}

// New serves the accounts kept in store; now is the clock (tests pin it).
func New(store domain.EventStore, now func() time.Time) *Accounts {
	if now == nil {
		now = time.Now
	}
	return &Accounts{store: store, now: now, state: domain.NewAccounts()}
}

var errSignIn = &domain.Error{Code: domain.CodeUnauthenticated, Message: "wrong account name or password"}

// dummyHash is compared against when the account does not exist, so that
// a sign-in takes as long for a wrong name as for a wrong password.
var dummyHash = HashPassword("no account has this password")

// refresh reads what was appended to the accounts stream since the last
// look. It runs on every request, so the store is read without holding
// mu: concurrent requests read at once, and an event one of them applied
// already is skipped by the others.
func (s *Accounts) refresh(ctx context.Context) error {
	s.mu.Lock()
	from := s.state.Version() + 1
	s.mu.Unlock()
	events, err := s.store.ReadStream(ctx, domain.AccountsStream, domain.StreamQuery{FromVersion: from})
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range events {
		if e.Version != s.state.Version()+1 {
			continue // applied by a concurrent refresh
		}
		if err := s.state.Apply(e); err != nil {
			s.state = domain.NewAccounts() // never answer from a half-applied state
			return err
		}
	}
	return nil
}

// current returns the named account as it stands now.
func (s *Accounts) current(ctx context.Context, name string) (domain.Account, bool, error) {
	if err := s.refresh(ctx); err != nil {
		return domain.Account{}, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	acc, ok := s.state.Get(name)
	return acc, ok, nil
}

func principalOf(a domain.Account) Principal {
	return Principal{Name: a.Name, Role: a.Role, Scope: a.Scope, Organisation: a.Organisation}
}

// SignIn checks a name and password.
func (s *Accounts) SignIn(ctx context.Context, name, password string) (Principal, error) {
	acc, ok, err := s.current(ctx, name)
	if err != nil {
		return Principal{}, err
	}
	hash := acc.PasswordHash
	if !ok {
		hash = dummyHash
	}
	if !CheckPassword(hash, password) || !ok || acc.Disabled {
		return Principal{}, errSignIn
	}
	return principalOf(acc), nil
}

// Principal returns the named account if it may still act (a session
// names its account; the account is checked on every request).
func (s *Accounts) Principal(ctx context.Context, name string) (Principal, error) {
	acc, ok, err := s.current(ctx, name)
	if err != nil {
		return Principal{}, err
	}
	if !ok || acc.Disabled {
		return Principal{}, domain.Errorf(domain.CodeUnauthenticated, "the account of this session is disabled or gone; sign in again")
	}
	return principalOf(acc), nil
}

// ByToken returns the account of an API token that is known, unrevoked,
// unexpired and whose account is enabled.
func (s *Accounts) ByToken(ctx context.Context, token string) (Principal, error) {
	if err := s.refresh(ctx); err != nil {
		return Principal{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	bad := domain.Errorf(domain.CodeUnauthenticated, "the API token is unknown, expired or revoked, or its account is disabled")
	name, id, ok := s.state.TokenOwner(HashToken(token))
	if !ok {
		return Principal{}, bad
	}
	acc, _ := s.state.Get(name)
	if t := acc.Tokens[id]; acc.Disabled || t.Revoked || !s.now().Before(t.ExpiresAt) {
		return Principal{}, bad
	}
	return principalOf(acc), nil
}

// Execute records an account command on behalf of by.
func (s *Accounts) Execute(ctx context.Context, cmd domain.AccountCommand, by domain.Actor) error {
	s.writeMu.Lock() // one change at a time from this process; other processes are caught by the version
	defer s.writeMu.Unlock()
	fingerprint := domain.Fingerprint(cmd)
	for attempt := 0; ; attempt++ {
		if err := s.refresh(ctx); err != nil {
			return err
		}
		now := s.now().UTC().Truncate(time.Microsecond)
		s.mu.Lock()
		events, err := s.state.Decide(cmd, now)
		version := s.state.Version()
		s.mu.Unlock()
		if err != nil {
			return err
		}
		req := domain.AppendRequest{StreamID: domain.AccountsStream, ExpectedVersion: version, CommandID: uuid.NewString()}
		if err := domain.ValidateMeta(by, req.CommandID, "", "", now); err != nil {
			return err
		}
		for i, e := range events {
			typ, ver, data, err := domain.EncodeEvent(e)
			if err != nil {
				return err
			}
			req.Events = append(req.Events, domain.Envelope{EventID: app.EventID(req.StreamID, req.CommandID, fingerprint, i), StreamID: req.StreamID,
				Type: typ, SchemaVersion: ver, OccurredAt: now, RecordedAt: now, Actor: by, CommandID: req.CommandID, Data: data})
		}
		_, err = s.store.Append(ctx, req)
		if domain.ErrorCode(err) == domain.CodeConflict && attempt < 5 {
			continue // another instance changed an account: read it and decide again
		}
		if err != nil {
			return err
		}
		return s.refresh(ctx)
	}
}

// Create opens an account and returns its one-time password.
func (s *Accounts) Create(ctx context.Context, by domain.Actor, name string, role domain.Role, scope domain.Scope, org string) (string, error) {
	password := NewPassword()
	err := s.Execute(ctx, domain.CreateAccount{Name: name, Role: role, Scope: scope, Organisation: org, PasswordHash: HashPassword(password)}, by)
	return password, err
}

// SetPassword replaces an account's password.
func (s *Accounts) SetPassword(ctx context.Context, by domain.Actor, name, password string) error {
	if len(password) < 12 {
		return &domain.Error{Code: domain.CodeInvalid, Message: "command rejected", Violations: []domain.Violation{{Rule: "account.password_short",
			Field: "password", Message: "a password has at least 12 characters", MessageZH: "密码至少12个字符"}}}
	}
	return s.Execute(ctx, domain.ChangePassword{Name: name, PasswordHash: HashPassword(password)}, by)
}

// IssueToken makes an API token of an account, valid for ttl; the token
// is returned once and only its hash is kept.
func (s *Accounts) IssueToken(ctx context.Context, by domain.Actor, name string, ttl time.Duration) (token, id string, err error) {
	token, id, hash := NewToken()
	err = s.Execute(ctx, domain.IssueToken{Name: name, TokenID: id, TokenHash: hash, ExpiresAt: s.now().Add(ttl)}, by)
	if err != nil {
		return "", "", err
	}
	return token, id, nil
}

// Grant gives an account a role and its scope in place of the former.
func (s *Accounts) Grant(ctx context.Context, by domain.Actor, name string, role domain.Role, scope domain.Scope, org string) error {
	return s.Execute(ctx, domain.GrantRole{Name: name, Role: role, Scope: scope, Organisation: org}, by)
}

// ResetPassword gives an account a new one-time password and returns it.
func (s *Accounts) ResetPassword(ctx context.Context, by domain.Actor, name string) (string, error) {
	password := NewPassword()
	return password, s.Execute(ctx, domain.ChangePassword{Name: name, PasswordHash: HashPassword(password)}, by)
}

// Revoke stops one API token of an account at once.
func (s *Accounts) Revoke(ctx context.Context, by domain.Actor, name, tokenID string) error {
	return s.Execute(ctx, domain.RevokeToken{Name: name, TokenID: tokenID}, by)
}

// Disable stops an account at once.
func (s *Accounts) Disable(ctx context.Context, by domain.Actor, name string) error {
	return s.Execute(ctx, domain.DisableAccount{Name: name}, by)
}

// List lists every account, without secrets.
func (s *Accounts) List(ctx context.Context) ([]AccountInfo, error) {
	if err := s.refresh(ctx); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	var out []AccountInfo
	for _, n := range s.state.Names() {
		acc, _ := s.state.Get(n)
		info := AccountInfo{Principal: principalOf(acc), Disabled: acc.Disabled, Tokens: []TokenInfo{}}
		for id, t := range acc.Tokens {
			if !t.Revoked && now.Before(t.ExpiresAt) {
				info.Tokens = append(info.Tokens, TokenInfo{ID: id, ExpiresAt: t.ExpiresAt})
			}
		}
		slices.SortFunc(info.Tokens, func(a, b TokenInfo) int { return a.ExpiresAt.Compare(b.ExpiresAt) })
		out = append(out, info)
	}
	return out, nil
}
