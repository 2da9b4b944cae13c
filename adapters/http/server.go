// Package http is the JSON API of casetrack: one route per domain command,
// compound reads with time travel, the audit history, and compound lists
// from the directory projection. Errors are RFC 9457 problem documents.
//
// Every route but /healthz, /readyz and sign-in needs a signed-in account
// (auth.go); what each role may do, and in which part of the city, is the
// table in policy.go. The actor sealed into every event is the account
// that signed in: X-Actor-* headers are ignored.
package http

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/go-chi/chi/v5"

	"github.com/casetrack/casetrack/adapters/http/encoded"
	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/app/auth"
	"github.com/casetrack/casetrack/audit"
	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/labels"
	"github.com/casetrack/casetrack/projections"
	"github.com/casetrack/casetrack/projections/complaints"
	"github.com/casetrack/casetrack/projections/directory"
	"github.com/casetrack/casetrack/projections/league"
)

const (
	maxBodyBytes = 1 << 20          // commands are small; anything larger is a mistake or an attack
	readyTimeout = 2 * time.Second  // a store slower than this is not ready
	waitTimeout  = 5 * time.Second  // how long any read waits for its min_position
	asOfTimeout  = 30 * time.Second // a replay to a past position takes a while

	// Replays to a past state and rebuilds fold the log from a snapshot:
	// each holds a core and a model's memory. Beyond these, requests are
	// answered 503 with Retry-After at once rather than queued.
	defaultMaxReplays  = 4
	defaultMaxRebuilds = 1
)

// Server serves the API; it is an http.Handler.
type Server struct {
	router *chi.Mux
	svc    *app.Service
	store  domain.EventStore
	dir    *projections.Runner[*directory.Model]
	league *league.Service // nil: no league tables served
	// complaints serves the Open311 API (WithComplaints); nil: not served.
	complaints *projections.Runner[*complaints.Model]
	web        Pages          // nil: no pages
	audit      *audit.Service // nil: no checkpoints or proofs served
	logger     *slog.Logger

	accounts                         *auth.Accounts
	sessions                         *scs.SessionManager
	now                              func() time.Time // the abuse limits' clock
	limits                           Limits
	accountFailures, addressFailures *lockout
	tokenRate                        *rateLimit

	waitTimeout time.Duration
	replays     chan struct{} // a slot per as-of read being served
	rebuilds    chan struct{} // a slot per projection rebuild running

	answers encoded.Cache // answers encoded once per (query, position)

	rebuild      func(name string) error // starts a projection's rebuild (WithProjections); nil: none served
	observers    []Observer              // see every answered request (WithObservers)
	campaignFile string                  // the campaign file reloaded on request (WithCampaignFile)

	doc         *document // the OpenAPI document of the routes registered (openapi.go)
	openapiOnce sync.Once
	openapiJSON []byte
	cop         *http.CrossOriginProtection
	corsOrigins []string     // the other sites' origins whose pages may call the API (WithCORS)
	handler     http.Handler // the router, behind CORS when allowed
}

// NewServer serves the API; dir runs the directory projection (compound
// lists), accounts signs users in.
func NewServer(svc *app.Service, store domain.EventStore, dir *projections.Runner[*directory.Model], accounts *auth.Accounts,
	logger *slog.Logger, opts ...Option) *Server {
	s := &Server{router: chi.NewRouter(), doc: newDocument(), svc: svc, store: store, dir: dir, accounts: accounts, sessions: newSessions(),
		now: time.Now, logger: logger, waitTimeout: waitTimeout,
		replays: make(chan struct{}, defaultMaxReplays), rebuilds: make(chan struct{}, defaultMaxRebuilds)}
	s.setLimits(DefaultLimits)
	s.sessions.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		s.Error(w, r, domain.Internal(err, "session"))
	}
	r := s.router
	r.Use(s.accessLog, s.recoverer, securityHeaders, s.crossOrigin(), s.sessions.LoadAndSave, s.authenticate)
	r.NotFound(s.signedIn(func(w http.ResponseWriter, r *http.Request) {
		if s.web != nil && !isAPI(r) {
			s.servePage(w, r)
			return
		}
		s.Error(w, r, domain.Errorf(domain.CodeNotFound, "%s %s is not a resource of this API", r.Method, r.URL.Path))
	}))
	r.MethodNotAllowed(s.signedIn(s.methodNotAllowed))

	s.handle("GET", "/healthz", api{summary: "the server is alive", answer: status{}}, s.handleHealth)
	s.handle("GET", "/readyz", api{summary: "the event store answers", answer: status{}}, s.handleReady)
	s.handle("GET", "/openapi.json", api{summary: "this document (OpenAPI 3.1)", answer: map[string]any{}}, s.handleOpenAPI)
	s.handle("GET", "/api/v1/commands", api{summary: "the commands, each with its route and the schema of its body", answer: commandList{}},
		s.handleCommands)
	s.handle("GET", "/api/v1/compounds", api{summary: "compounds with their case file summaries",
		query: []string{"district", "street", "community", "limit", "cursor", "as_of", "as_of_position", "min_position"}, answer: compoundList{},
		problems: []domain.Code{domain.CodeNotFound}}, // nothing recorded by as_of
		s.handleListCompounds)
	s.handle("GET", "/api/v1/compounds/{id}", api{summary: "a compound's state, now or at a point in time",
		query: []string{"at", "known_at", "version", "position"}, answer: domain.CompoundView{},
		problems: []domain.Code{domain.CodeNotFound, domain.CodeIntegrity}}, s.handleGetCompound)
	s.handle("GET", "/api/v1/compounds/{id}/history", api{summary: "a compound's events, the hash chain checked",
		query: []string{"type", "actor", "from", "to", "limit", "cursor"}, answer: history{}, problems: []domain.Code{domain.CodeNotFound}},
		s.handleHistory)
	s.handle("GET", "/api/v1/events/{id}", api{summary: "one event, as the history shows it", answer: eventAnswer{},
		problems: []domain.Code{domain.CodeNotFound}}, s.handleEvent)
	s.handle("POST", "/api/v1/subjects/{subject}/forget", api{summary: "erase a data subject's personal data (destroys its key)",
		answer: forgetAnswer{}, problems: []domain.Code{domain.CodeNotFound}}, s.handleForget)
	// One route per command rather than a {command} parameter: an unknown
	// command is then an ordinary 404, and the routes document the API.
	for _, name := range domain.CommandNames() {
		t, _ := domain.CommandType(name)
		s.handle("POST", commandRoute(name), api{summary: labels.Of(labels.EN, labels.Command, name) + " (" +
			labels.Of(labels.ZH, labels.Command, name) + ")", query: []string{"occurred_at"},
			headers: []string{"Idempotency-Key", "If-Match", "X-Correlation-ID", "X-Causation-ID"},
			body:    reflect.New(t).Elem().Interface(), strict: true, answer: commandResult{},
			status: []int{http.StatusCreated, http.StatusOK}, problems: commandProblems}, s.handleCommand(name))
	}
	s.registerAuthRoutes()
	for _, o := range opts {
		o(s)
	}
	s.handler = s.cors(s.router)
	return s
}

// status is the answer of the health checks.
type status struct {
	Status string `json:"status"`
}

// signedIn answers anonymous callers 401 before anything else, so that
// they learn nothing of the routes.
func (s *Server) signedIn(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		switch {
		case infoOf(r).principal != nil:
			h(w, r)
		case s.web != nil && !isAPI(r):
			signInFirst(w, r)
		default:
			s.Error(w, r, errNoCredentials)
		}
	}
}

// isAPI reports whether a request is for an API (JSON, or Open311's XML)
// rather than a page.
func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") || isOpen311(r) }

// WithWorkLimits sets how many as-of replays and projection rebuilds may
// run at once (defaults 4 and 1).
func WithWorkLimits(replays, rebuilds int) Option {
	return func(s *Server) {
		s.replays, s.rebuilds = make(chan struct{}, replays), make(chan struct{}, rebuilds)
	}
}

// slot takes a place in sem, or answers that the server is busy.
func slot(sem chan struct{}, what string) (release func(), err error) {
	select {
	case sem <- struct{}{}:
		return func() { <-sem }, nil
	default:
		return nil, domain.Errorf(domain.CodeUnavailable, "too many %s are running (at most %d); retry shortly", what, cap(sem))
	}
}

// bound bounds the work of a read model query, the same for every
// endpoint: the min_position wait by waitTimeout, a read of a past state
// by asOfTimeout and, if it replays (replays: the model cannot answer it
// from the live state), by a replay slot (reads of the live model need
// none). The request's context ends it all when the client goes away.
// done releases what bound took.
func (s *Server) bound(r *http.Request, q *projections.Query, replays bool) (ctx context.Context, done func(), err error) {
	release := func() {}
	if replays && (!q.AsOf.IsZero() || q.AsOfPosition != 0) {
		if release, err = slot(s.replays, "replays of a past state"); err != nil {
			return nil, nil, err
		}
	}
	q.Wait = s.waitTimeout
	ctx, cancel := context.WithTimeout(r.Context(), asOfTimeout)
	return ctx, func() { cancel(); release() }, nil
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// recoverer turns a panic into a logged 500 problem; the panic value and
// stack go to the log only.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler { // net/http's way to abort a response; not a bug
					panic(v)
				}
				s.Error(w, r, domain.Internal(fmt.Errorf("panic: %v\n%s", v, debug.Stack()), "panic"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// methodNotAllowed answers a known path with the wrong method. chi's own
// handler sets Allow but writes no problem document, so Allow is recomputed.
func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodDelete} {
		if s.router.Match(chi.NewRouteContext(), m, r.URL.Path) {
			allow = append(allow, m)
		}
	}
	w.Header().Set("Allow", strings.Join(allow, ", "))
	// 405 has no domain code: it is the one status set outside statusOf.
	writeProblem(w, r, http.StatusMethodNotAllowed, "Method not allowed",
		domain.Errorf(domain.CodeUnsupported, "%s is not allowed here; use %s", r.Method, strings.Join(allow, " or ")))
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	if !s.noParams(w, r) {
		return
	}
	s.respond(w, r, http.StatusOK, status{Status: "ok"})
}

// handleReady reports whether the event store answers a minimal read.
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	if !s.noParams(w, r) {
		return
	}
	if err := s.auditNotReady(); err != nil {
		s.logger.WarnContext(r.Context(), "not ready: audit", "err", err)
		s.Error(w, r, err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	if _, err := s.store.ReadAll(ctx, 0, 1); err != nil {
		s.logger.WarnContext(r.Context(), "not ready: event store does not answer", "err", err)
		s.Error(w, r, &domain.Error{Code: domain.CodeUnavailable, Message: "the event store does not answer", Err: err})
		return
	}
	s.respond(w, r, http.StatusOK, status{Status: "ready"})
}

// commandList names the commands, and where each is sent and described.
type commandList struct {
	Commands []string      `json:"commands"` // the names, sorted
	Bodies   []commandBody `json:"bodies"`
}

type commandBody struct {
	Name   string `json:"name"`
	Route  string `json:"route"`  // POST, with the compound's ID for {id}
	Schema string `json:"schema"` // the body's schema in the OpenAPI document
}

func (s *Server) handleCommands(w http.ResponseWriter, r *http.Request) {
	if !s.noParams(w, r) {
		return
	}
	out := commandList{Commands: domain.CommandNames()}
	for _, name := range out.Commands {
		out.Bodies = append(out.Bodies, commandBody{Name: name, Route: commandRoute(name), Schema: commandSchemaRef(name)})
	}
	s.respond(w, r, http.StatusOK, out)
}

// noParams answers a request to an endpoint without parameters that sent
// some, and reports whether it may go on.
func (s *Server) noParams(w http.ResponseWriter, r *http.Request) bool {
	if err := newParams(r).err(); err != nil {
		s.Error(w, r, err)
		return false
	}
	return true
}

// respond writes v as JSON (encoded.Answer.Write: gzip, ETag, 304). It encodes
// before writing the status, so that an encoding failure can still become
// a proper 500.
func (s *Server) respond(w http.ResponseWriter, r *http.Request, status int, v any) {
	b, err := s.marshal(r, v)
	if info := infoOf(r); err == nil && info.open {
		// Opened before encoding: the body sent is the opened one. A sealed
		// field that does not open was altered or moved and answers with
		// its own code (integrity, 409), as a key store that is down does
		// (503): neither is a failure to encode.
		if b, err = s.svc.Personal().OpenJSON(r.Context(), app.Reader{User: info.principal.Name, Role: string(info.principal.Role),
			Purpose: r.Method + " " + r.URL.Path}, b); err != nil {
			s.Error(w, r, err)
			return
		}
	}
	var e *encoded.Answer
	if err == nil {
		e, err = encoded.For(r, encoded.JSON, b)
	}
	if err != nil {
		s.Error(w, r, domain.Internal(err, "encode response"))
		return
	}
	e.Write(w, r, status)
}

// marshal is v's JSON as the request's caller sees it: personal data
// masked for roles that do not vet candidates.
func (s *Server) marshal(r *http.Request, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err == nil && infoOf(r).mask {
		b, err = auth.MaskPersonal(b)
	}
	return append(b, '\n'), err
}

// etag is the strong entity tag of a stream version; If-Match sends it back.
func etag(version uint64) string { return fmt.Sprintf("%q", fmt.Sprint(version)) }

// Starting answers while the server starts (the store opens, the demo city
// loads, the read models are restored): it is alive (/healthz), not ready
// (/readyz 503), and every other request gets 503 with Retry-After, so that
// a newcomer's first request meets a clear answer instead of a dead port.
func Starting(what string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"status":"ok"}` + "\n"))
			return
		}
		w.Header().Set("Retry-After", "5")
		writeProblem(w, r, http.StatusServiceUnavailable, statuses[domain.CodeUnavailable].title,
			domain.Errorf(domain.CodeUnavailable, "the server is starting (%s); retry shortly", what))
	})
}
