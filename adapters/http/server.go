// Package http is the JSON API of casetrack: one route per domain command,
// compound reads with time travel, the audit history, and compound lists
// from the directory projection. Errors are RFC 9457 problem documents.
//
// Authentication is out of scope for now: the actor headers are trusted as
// sent, so the server must only be reachable through a proxy that
// authenticates users and sets X-Actor-User, X-Actor-Role and X-Actor-Org.
package http

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
	"github.com/casetrack/casetrack/projections/directory"
	"github.com/casetrack/casetrack/projections/league"
)

const (
	maxBodyBytes = 1 << 20          // commands are small; anything larger is a mistake or an attack
	readyTimeout = 2 * time.Second  // a store slower than this is not ready
	waitTimeout  = 5 * time.Second  // how long a read waits for its min_position
	asOfTimeout  = 30 * time.Second // a replay to a past position takes a while
)

// Server serves the API; it is an http.Handler.
type Server struct {
	router *chi.Mux
	svc    *app.Service
	store  domain.EventStore
	dir    *projections.Runner[*directory.Model]
	league *league.Service // nil: no league tables served
	web    http.Handler    // nil: no pages; else every path outside the API's
	logger *slog.Logger

	waitTimeout time.Duration
}

// NewServer serves the API; dir runs the directory projection (compound lists).
func NewServer(svc *app.Service, store domain.EventStore, dir *projections.Runner[*directory.Model], logger *slog.Logger, opts ...Option) *Server {
	s := &Server{router: chi.NewRouter(), svc: svc, store: store, dir: dir, logger: logger, waitTimeout: waitTimeout}
	r := s.router
	r.Use(s.recoverer)
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		if s.web != nil && !strings.HasPrefix(r.URL.Path, "/api/") {
			s.web.ServeHTTP(w, r)
			return
		}
		s.Error(w, r, domain.Errorf(domain.CodeNotFound, "%s %s is not a resource of this API", r.Method, r.URL.Path))
	})
	r.MethodNotAllowed(s.methodNotAllowed)

	r.Get("/healthz", s.handleHealth)
	r.Get("/readyz", s.handleReady)
	r.Get("/api/v1/commands", s.handleCommands)
	r.Get("/api/v1/compounds", s.handleListCompounds)
	r.Get("/api/v1/compounds/{id}", s.handleGetCompound)
	r.Get("/api/v1/compounds/{id}/history", s.handleHistory)
	// One route per command rather than a {command} parameter: an unknown
	// command is then an ordinary 404, and the routes document the API.
	for _, name := range domain.CommandNames() {
		r.Post("/api/v1/compounds/{id}/"+name, s.handleCommand(name))
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.router.ServeHTTP(w, r) }

// WithWeb serves the pages (adapters/web) at every path the API does not
// route, outside /api/: the API's routes and its problem documents stay
// as they are.
func WithWeb(h http.Handler) Option {
	return func(s *Server) { s.web = h }
}

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
	for _, m := range []string{http.MethodGet, http.MethodPost} {
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
	s.respond(w, r, http.StatusOK, map[string]string{"status": "ok"})
}

// handleReady reports whether the event store answers a minimal read.
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	if _, err := s.store.ReadAll(ctx, 0, 1); err != nil {
		s.logger.WarnContext(r.Context(), "not ready: event store does not answer", "err", err)
		s.Error(w, r, &domain.Error{Code: domain.CodeUnavailable, Message: "the event store does not answer", Err: err})
		return
	}
	s.respond(w, r, http.StatusOK, map[string]string{"status": "ready"})
}

func (s *Server) handleCommands(w http.ResponseWriter, r *http.Request) {
	s.respond(w, r, http.StatusOK, map[string][]string{"commands": domain.CommandNames()})
}

// respond writes v as JSON. It encodes before writing the status, so that
// an encoding failure can still become a proper 500.
func (s *Server) respond(w http.ResponseWriter, r *http.Request, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		s.Error(w, r, domain.Internal(err, "encode response"))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// etag is the strong entity tag of a stream version; If-Match sends it back.
func etag(version uint64) string { return fmt.Sprintf("%q", fmt.Sprint(version)) }
