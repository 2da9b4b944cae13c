package http

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/go-chi/chi/v5"

	"github.com/casetrack/casetrack/app/auth"
	"github.com/casetrack/casetrack/domain"
)

// Sign-in for people (a session cookie, from POST /api/v1/session) and for
// programs (Authorization: Bearer with an API token). Either way the
// account is read from its current state on every request, so disabling it
// takes effect on the next one.

const (
	sessionKey      = "account" // the session holds the account name only
	sessionLifetime = 12 * time.Hour
	sessionIdle     = 2 * time.Hour
)

// Limits are the abuse limits of sign-in and of API tokens.
type Limits struct {
	SignInFailures int           // failed sign-ins per account, or 4× per address, before a lockout
	SignInWindow   time.Duration // failures older than this are forgotten
	Lockout        time.Duration // how long a locked account or address waits
	TokenRequests  int           // requests per token per minute
}

// DefaultLimits suit a city's offices: a person mistypes a few times, a
// program calls a few times a second at most.
var DefaultLimits = Limits{SignInFailures: 5, SignInWindow: 15 * time.Minute, Lockout: 15 * time.Minute, TokenRequests: 600}

// WithLimits replaces the abuse limits.
func WithLimits(l Limits) Option { return func(s *Server) { s.setLimits(l) } }

// WithSecureCookies marks the session cookie Secure: on whenever users reach
// the server over TLS (directly or through a proxy).
func WithSecureCookies(secure bool) Option {
	return func(s *Server) { s.sessions.Cookie.Secure = secure }
}

// WithClock sets the clock of the abuse limits; tests pin it.
func WithClock(now func() time.Time) Option {
	return func(s *Server) { s.now = now; s.setLimits(s.limits) }
}

func (s *Server) setLimits(l Limits) {
	s.limits = l
	s.accountFailures = newLockout(l.SignInFailures, l.SignInWindow, l.Lockout, s.now)
	s.addressFailures = newLockout(4*l.SignInFailures, l.SignInWindow, l.Lockout, s.now)
	s.tokenRate = newRateLimit(l.TokenRequests, time.Minute, s.now)
}

func newSessions() *scs.SessionManager {
	sm := scs.New()
	sm.Lifetime, sm.IdleTimeout = sessionLifetime, sessionIdle
	sm.Cookie.Name = "casetrack_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Path = "/"
	return sm
}

// requestInfo is what the middlewares learn about a request, shared with
// the access log that wraps them.
type requestInfo struct {
	principal *auth.Principal
	via       string // session or token
	mask      bool   // personal data is masked in the answer
	open      bool   // sealed personal data is opened in the answer (and the read recorded)
}

type infoKey struct{}

func infoOf(r *http.Request) *requestInfo {
	if i, ok := r.Context().Value(infoKey{}).(*requestInfo); ok {
		return i
	}
	return &requestInfo{}
}

// principalOf is the signed-in user of r; authorize guarantees one on every
// route that is not public.
func principalOf(r *http.Request) auth.Principal {
	if p := infoOf(r).principal; p != nil {
		return *p
	}
	return auth.Principal{}
}

var (
	errNoCredentials = domain.Errorf(domain.CodeUnauthenticated, "sign in (POST /api/v1/session) or send Authorization: Bearer TOKEN")
	errForbidden     = domain.Errorf(domain.CodeForbidden, "your role may not do this")
	errOutOfScope    = domain.Errorf(domain.CodeForbidden, "this compound is outside the part of the city your account is for")
)

// authenticate finds the principal of a request: a bearer token, else a
// session. Bad credentials are refused here; missing ones are judged per
// route by authorize.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := infoOf(r)
		h := r.Header.Get("Authorization")
		if h == "" && isOpen311(r) {
			h = apiKey(r)
		}
		if h != "" {
			token, ok := strings.CutPrefix(h, "Bearer ")
			if !ok || strings.TrimSpace(token) == "" {
				s.Error(w, r, domain.Errorf(domain.CodeUnauthenticated, "the Authorization header must be Bearer TOKEN"))
				return
			}
			p, err := s.accounts.ByToken(r.Context(), strings.TrimSpace(token))
			if err != nil {
				s.Error(w, r, err)
				return
			}
			info.principal, info.via = &p, "token"
			if ok, wait := s.tokenRate.allow(auth.HashToken(token)); !ok {
				s.tooMany(w, r, wait, "too many requests with this token")
				return
			}
		} else if name := s.sessions.GetString(r.Context(), sessionKey); name != "" {
			p, err := s.accounts.Principal(r.Context(), name)
			if err != nil {
				_ = s.sessions.Destroy(r.Context())
				s.Error(w, r, err)
				return
			}
			info.principal, info.via = &p, "session"
		}
		next.ServeHTTP(w, r)
	})
}

// apiKey is the Open311 api_key of r (an API token), as an Authorization
// header value; "" when there is none. A form body is read for it and put
// back for the handler, which reads it strictly.
func apiKey(r *http.Request) string {
	q, _ := url.ParseQuery(r.URL.RawQuery) // lenient: the handler refuses a malformed query by name
	key := q.Get("api_key")
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); key == "" && r.Method == http.MethodPost && mt == "application/x-www-form-urlencoded" {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
		r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), r.Body))
		if err == nil {
			form, _ := url.ParseQuery(string(body))
			key = form.Get("api_key")
		}
	}
	if key == "" {
		return ""
	}
	return "Bearer " + key
}

func (s *Server) tooMany(w http.ResponseWriter, r *http.Request, wait time.Duration, msg string) {
	s.Error(w, r, rateLimited(w, wait, msg))
}

// rateLimited is the error of a limit hit, its wait set as Retry-After.
func rateLimited(w http.ResponseWriter, wait time.Duration, msg string) error {
	w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
	return domain.Errorf(domain.CodeRateLimited, "%s; try again in %s", msg, wait.Round(time.Second))
}

// handle registers an API route behind its access rule (policy.go),
// described by a in the OpenAPI document (openapi.go).
func (s *Server) handle(method, pattern string, a api, h http.HandlerFunc) {
	rl := mustRule(method, pattern)
	if rl.page {
		panic(method + " " + pattern + " is a page in policy.go, registered as an API route")
	}
	s.doc.add(method, pattern, rl, a)
	s.router.Method(method, pattern, s.authorize(rl, h))
}

// handlePage registers a web page's route behind its access rule; pages
// are not in the API's document.
func (s *Server) handlePage(method, pattern string, h http.HandlerFunc) {
	rl := mustRule(method, pattern)
	if !rl.page {
		panic(method + " " + pattern + " is an API route in policy.go, registered as a page")
	}
	s.router.Method(method, pattern, s.authorize(rl, h))
}

// authorize applies a route's rule: sign-in, role, the compound's scope,
// and personal data (masked, or logged for auditors).
func (s *Server) authorize(rl rule, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if rl.public {
			h(w, r)
			return
		}
		info := infoOf(r)
		refuse := s.Error
		if rl.page {
			refuse = s.web.Refuse
		}
		if info.principal == nil {
			if rl.page {
				signInFirst(w, r)
				return
			}
			refuse(w, r, errNoCredentials)
			return
		}
		p := *info.principal
		if !rl.allows(p.Role) {
			refuse(w, r, errForbidden)
			return
		}
		if rl.scope == scopeCompound && !p.Scope.City() {
			prof, registered, err := s.svc.Profile(r.Context(), chi.URLParam(r, "id"))
			if err != nil {
				refuse(w, r, err)
				return
			}
			if registered && !p.Scope.Covers(prof) {
				refuse(w, r, errOutOfScope)
				return
			}
		}
		if rl.personal {
			info.mask = !slices.Contains(personalRoles, p.Role)
			info.open = slices.Contains(subjectRoles, p.Role)
			if p.Role == domain.RoleAuditor {
				s.logger.InfoContext(r.Context(), "personal data read", "user", p.Name, "role", p.Role, "method", r.Method, "path", r.URL.Path)
			}
		}
		h(w, r)
	}
}

// signInRequest is the body of POST /api/v1/session, as JSON or a form.
type signInRequest struct {
	Name     string `json:"name"`
	Password string `json:"password"`
}

// handleSignIn starts a session: JSON {"name","password"} for programs and
// pages alike, or an HTML form (application/x-www-form-urlencoded).
func (s *Server) handleSignIn(w http.ResponseWriter, r *http.Request) {
	var req signInRequest
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "application/x-www-form-urlencoded":
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil {
			s.Error(w, r, &domain.Error{Code: domain.CodeInvalid, Message: "the form could not be read", Err: err})
			return
		}
		req.Name, req.Password = r.PostForm.Get("name"), r.PostForm.Get("password")
	default:
		if err := decodeBody(w, r, &req); err != nil {
			s.Error(w, r, err)
			return
		}
	}
	var v []domain.Violation
	for field, value := range map[string]string{"name": req.Name, "password": req.Password} {
		if value == "" {
			v = append(v, domain.Violation{Rule: "field.required", Field: field, Message: field + " is required", MessageZH: field + " 为必填项"})
		}
	}
	if len(v) > 0 {
		slices.SortFunc(v, func(a, b domain.Violation) int { return strings.Compare(a.Field, b.Field) })
		s.Error(w, r, &domain.Error{Code: domain.CodeInvalid, Message: "sign-in needs a name and a password", Violations: v})
		return
	}
	p, err := s.signIn(w, r, req.Name, req.Password)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.respond(w, r, http.StatusOK, me{Principal: p, Via: "session"})
}

// SignIn is the sign-in of the web pages: the same path as POST
// /api/v1/session, its lockouts included. A refusal that is not a wrong
// password (a lockout) names the wait as the API does.
func (s *Server) SignIn(w http.ResponseWriter, r *http.Request, name, password string) error {
	_, err := s.signIn(w, r, name, password)
	return err
}

// SignOut ends the session of a web page's user.
func (s *Server) SignOut(w http.ResponseWriter, r *http.Request) error {
	if err := s.sessions.Destroy(r.Context()); err != nil {
		return domain.Internal(err, "end session")
	}
	return nil
}

// signIn checks a name and password against the lockouts and the
// accounts, and starts a session. On a lockout it sets Retry-After.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request, name, password string) (auth.Principal, error) {
	addr := clientAddress(r)
	for _, l := range []struct {
		lock *lockout
		key  string
	}{{s.accountFailures, name}, {s.addressFailures, addr}} {
		if locked, wait := l.lock.locked(l.key); locked {
			return auth.Principal{}, rateLimited(w, wait, "too many failed sign-ins")
		}
	}
	p, err := s.accounts.SignIn(r.Context(), name, password)
	if err != nil {
		if domain.ErrorCode(err) == domain.CodeUnauthenticated {
			s.accountFailures.fail(name)
			s.addressFailures.fail(addr)
			// The name is not logged: people type their password into it.
			s.logger.WarnContext(r.Context(), "sign-in failed", "remote", addr)
		}
		return auth.Principal{}, err
	}
	s.accountFailures.reset(name)
	// A new session token on sign-in: a token planted before cannot ride it.
	if err := s.sessions.RenewToken(r.Context()); err != nil {
		return auth.Principal{}, domain.Internal(err, "renew session")
	}
	s.sessions.Put(r.Context(), sessionKey, p.Name)
	infoOf(r).principal, infoOf(r).via = &p, "session"
	s.logger.InfoContext(r.Context(), "signed in", "user", p.Name, "role", p.Role, "remote", addr)
	return p, nil
}

// clientAddress is the caller's IP (without the port), the key of the
// per-address sign-in limit.
func clientAddress(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

func (s *Server) handleSignOut(w http.ResponseWriter, r *http.Request) {
	if err := s.SignOut(w, r); err != nil {
		s.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// me is who the caller is signed in as, and how.
type me struct {
	auth.Principal
	Via string `json:"via"`
}

func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) {
	s.respond(w, r, http.StatusOK, me{Principal: principalOf(r), Via: infoOf(r).via})
}

// tokenRequest asks for an API token; expires_in_days defaults to 90.
type tokenRequest struct {
	ExpiresInDays int `json:"expires_in_days"`
}

type tokenAnswer struct {
	Account   string    `json:"account"`
	TokenID   string    `json:"token_id"`
	Token     string    `json:"token"` // shown this once; only its hash is kept
	ExpiresAt time.Time `json:"expires_at"`
}

// issueToken answers a token for account, made on behalf of the caller.
func (s *Server) issueToken(w http.ResponseWriter, r *http.Request, account string) {
	var req tokenRequest
	if r.ContentLength != 0 {
		if err := decodeBody(w, r, &req); err != nil {
			s.Error(w, r, err)
			return
		}
	}
	ttl := auth.DefaultTokenTTL
	switch {
	case req.ExpiresInDays < 0 || req.ExpiresInDays > 366:
		s.Error(w, r, &domain.Error{Code: domain.CodeInvalid, Message: "invalid token request", Violations: []domain.Violation{{
			Rule: "token.expiry", Field: "expires_in_days", Message: "a token lives 1 to 366 days", MessageZH: "令牌有效期为1至366天"}}})
		return
	case req.ExpiresInDays > 0:
		ttl = time.Duration(req.ExpiresInDays) * 24 * time.Hour
	}
	token, id, err := s.accounts.IssueToken(r.Context(), principalOf(r).Actor(), account, ttl)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.respond(w, r, http.StatusCreated, tokenAnswer{Account: account, TokenID: id, Token: token, ExpiresAt: s.now().Add(ttl).UTC()})
}

// handleChangePassword: {"current_password","new_password"}; the current
// one counts against the sign-in limits like a sign-in.
// passwordChange is the body of POST /api/v1/me/password.
type passwordChange struct {
	Current string `json:"current_password"`
	New     string `json:"new_password"`
}

func (s *Server) handleChangePassword(w http.ResponseWriter, r *http.Request) {
	var req passwordChange
	if err := decodeBody(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	p := principalOf(r)
	if locked, wait := s.accountFailures.locked(p.Name); locked {
		s.tooMany(w, r, wait, "too many failed sign-ins")
		return
	}
	if _, err := s.accounts.SignIn(r.Context(), p.Name, req.Current); err != nil {
		s.accountFailures.fail(p.Name)
		s.Error(w, r, &domain.Error{Code: domain.CodeInvalid, Message: "command rejected", Violations: []domain.Violation{{
			Rule: "account.password_wrong", Field: "current_password", Message: "the current password is wrong", MessageZH: "当前密码不正确"}}})
		return
	}
	if err := s.accounts.SetPassword(r.Context(), p.Actor(), p.Name, req.New); err != nil {
		s.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// newAccount is the body of POST /api/v1/accounts: a name, a role and its scope.
type newAccount struct {
	Name string `json:"name"`
	roleGrant
}

func (s *Server) handleAccounts(w http.ResponseWriter, r *http.Request) {
	list, err := s.accounts.List(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.respond(w, r, http.StatusOK, accountList{Accounts: append([]auth.AccountInfo{}, list...)})
}

type accountList struct {
	Accounts []auth.AccountInfo `json:"accounts"`
}

// oneTimePassword answers a new account or a password reset.
type oneTimePassword struct {
	Name     string `json:"name"`
	Password string `json:"password"` // shown this once; the account must change it
}

// handleCreateAccount answers the account and its one-time password.
func (s *Server) handleCreateAccount(w http.ResponseWriter, r *http.Request) {
	var req newAccount
	if err := decodeBody(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	password, err := s.accounts.Create(r.Context(), principalOf(r).Actor(), req.Name, req.Role,
		domain.Scope{District: req.District, Street: req.Street, Community: req.Community}, req.Organisation)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.respond(w, r, http.StatusCreated, oneTimePassword{Name: req.Name, Password: password})
}

// roleGrant is the body of POST /api/v1/accounts/{name}/role.
type roleGrant struct {
	Role         domain.Role `json:"role"`
	District     string      `json:"district"`
	Street       string      `json:"street"`
	Community    string      `json:"community"`
	Organisation string      `json:"organisation"`
}

type grantedRole struct {
	Name string      `json:"name"`
	Role domain.Role `json:"role"`
}

// handleGrantRole gives the account in the path a role and its scope.
func (s *Server) handleGrantRole(w http.ResponseWriter, r *http.Request) {
	var req roleGrant
	if err := decodeBody(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	name := chi.URLParam(r, "name")
	err := s.accounts.Grant(r.Context(), principalOf(r).Actor(), name, req.Role,
		domain.Scope{District: req.District, Street: req.Street, Community: req.Community}, req.Organisation)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.respond(w, r, http.StatusOK, grantedRole{Name: name, Role: req.Role})
}

// handleResetPassword answers a new one-time password of the account.
func (s *Server) handleResetPassword(w http.ResponseWriter, r *http.Request) {
	name := chi.URLParam(r, "name")
	password, err := s.accounts.ResetPassword(r.Context(), principalOf(r).Actor(), name)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.respond(w, r, http.StatusOK, oneTimePassword{Name: name, Password: password})
}

// revokeToken stops a token of account.
func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request, account string) {
	if err := s.accounts.Revoke(r.Context(), principalOf(r).Actor(), account, chi.URLParam(r, "token")); err != nil {
		s.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type disabledAccount struct {
	Name     string `json:"name"`
	Disabled bool   `json:"disabled"`
}

func (s *Server) handleDisableAccount(w http.ResponseWriter, r *http.Request) {
	name := chi.URLParam(r, "name")
	if err := s.accounts.Disable(r.Context(), principalOf(r).Actor(), name); err != nil {
		s.Error(w, r, err)
		return
	}
	s.respond(w, r, http.StatusOK, disabledAccount{Name: name, Disabled: true})
}

// decodeBody reads a small JSON body strictly into v.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	if err := requireJSON(r); err != nil {
		return err
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return domain.Errorf(domain.CodeTooLarge, "the request body exceeds %d bytes", tooLarge.Limit)
	case err != nil:
		return &domain.Error{Code: domain.CodeInvalid, Message: "the request body could not be read", Err: err}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &domain.Error{Code: domain.CodeInvalid, Message: "the request body is not the JSON expected", Violations: []domain.Violation{{
			Rule: "json.invalid", Message: jsonProblem(err), MessageZH: "请求体不是所需的 JSON：" + jsonProblem(err)}}}
	}
	if dec.More() {
		return &domain.Error{Code: domain.CodeInvalid, Message: "request body holds more than one JSON value"}
	}
	return nil
}

// jsonProblem names what is wrong with a JSON body without echoing it.
func jsonProblem(err error) string {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		return typeErr.Field + " must be a " + typeErr.Type.String()
	}
	return err.Error()
}

// registerAuthRoutes serves sign-in, the caller's own account, and the
// accounts administration.
func (s *Server) registerAuthRoutes() {
	// None of them takes a query parameter: one sent is refused by name.
	handle := func(method, pattern string, a api, h http.HandlerFunc) {
		s.handle(method, pattern, a, func(w http.ResponseWriter, r *http.Request) {
			if s.noParams(w, r) {
				h(w, r)
			}
		})
	}
	bodyProblems := []domain.Code{domain.CodeTooLarge, domain.CodeUnsupported}
	accountProblems := append([]domain.Code{domain.CodeNotFound, domain.CodeRejected}, bodyProblems...)
	handle("POST", "/api/v1/session", api{summary: "sign in: a session cookie", body: signInRequest{}, strict: true, form: true, answer: me{},
		problems: append([]domain.Code{domain.CodeUnauthenticated, domain.CodeRateLimited, domain.CodeForbidden}, bodyProblems...)}, s.handleSignIn)
	handle("DELETE", "/api/v1/session", api{summary: "sign out"}, s.handleSignOut)
	handle("GET", "/api/v1/me", api{summary: "who the caller is signed in as, and how", answer: me{}}, s.handleMe)
	handle("POST", "/api/v1/me/tokens", api{summary: "a new API token of one's own (shown once)", body: tokenRequest{}, strict: true, optional: true,
		answer: tokenAnswer{}, status: []int{http.StatusCreated}, problems: accountProblems},
		func(w http.ResponseWriter, r *http.Request) { s.issueToken(w, r, principalOf(r).Name) })
	handle("DELETE", "/api/v1/me/tokens/{token}", api{summary: "revoke one's own API token", problems: []domain.Code{domain.CodeNotFound}},
		func(w http.ResponseWriter, r *http.Request) { s.revokeToken(w, r, principalOf(r).Name) })
	handle("POST", "/api/v1/me/password", api{summary: "change one's password", body: passwordChange{}, strict: true, problems: accountProblems},
		s.handleChangePassword)
	handle("GET", "/api/v1/accounts", api{summary: "the accounts, their roles, scopes and token IDs", answer: accountList{}}, s.handleAccounts)
	handle("POST", "/api/v1/accounts", api{summary: "a new account and its one-time password", body: newAccount{}, strict: true,
		answer: oneTimePassword{}, status: []int{http.StatusCreated}, problems: append([]domain.Code{domain.CodeConflict}, accountProblems...)},
		s.handleCreateAccount)
	handle("POST", "/api/v1/accounts/{name}/disable", api{summary: "disable an account: its sessions and tokens stop at once",
		answer: disabledAccount{}, problems: accountProblems}, s.handleDisableAccount)
	handle("POST", "/api/v1/accounts/{name}/tokens", api{summary: "a new API token of the account (shown once)", body: tokenRequest{}, strict: true,
		optional: true, answer: tokenAnswer{}, status: []int{http.StatusCreated}, problems: accountProblems},
		func(w http.ResponseWriter, r *http.Request) { s.issueToken(w, r, chi.URLParam(r, "name")) })
	handle("DELETE", "/api/v1/accounts/{name}/tokens/{token}", api{summary: "revoke an API token of the account",
		problems: []domain.Code{domain.CodeNotFound}}, func(w http.ResponseWriter, r *http.Request) {
		s.revokeToken(w, r, chi.URLParam(r, "name"))
	})
	handle("POST", "/api/v1/accounts/{name}/role", api{summary: "give the account a role and its scope", body: roleGrant{}, strict: true,
		answer: grantedRole{}, problems: accountProblems}, s.handleGrantRole)
	handle("POST", "/api/v1/accounts/{name}/password", api{summary: "a new one-time password of the account", answer: oneTimePassword{},
		problems: accountProblems}, s.handleResetPassword)
}
