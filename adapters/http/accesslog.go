package http

import (
	"context"
	"net/http"
	"regexp"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/google/uuid"
)

// Observer sees every request once it has been answered, with its route
// pattern (never the path: it would name compounds and accounts, and
// multiply the series): metrics (adapters/prometheus) and traces
// (adapters/otel) implement it; this package knows neither.
type Observer interface {
	Request(r *http.Request, route string, status int, took time.Duration)
}

// WithObservers sets who sees the requests.
func WithObservers(obs ...Observer) Option {
	return func(s *Server) { s.observers = append(s.observers, obs...) }
}

// unmatched is the route of a request no route matched.
const unmatched = "unmatched"

// requestIDPattern is what a proxy's X-Request-ID must look like to be
// kept; anything else is replaced, so a log line never carries a client's text.
var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)

// accessLog writes one line per request: method, route pattern, status,
// duration, user, request ID. Never the path or query (they may name
// people), a body, a cookie or a token. It also tells the observers.
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-ID")
		if !requestIDPattern.MatchString(id) {
			id = uuid.NewString()
		}
		w.Header().Set("X-Request-ID", id)
		info := &requestInfo{}
		r = r.WithContext(context.WithValue(r.Context(), infoKey{}, info))
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		defer func() {
			took := time.Since(start)
			route := chi.RouteContext(r.Context()).RoutePattern()
			if route == "" {
				route = unmatched
			}
			status := ww.Status()
			if status == 0 { // nothing written: net/http answers 200
				status = http.StatusOK
			}
			user, role := "-", ""
			if info.principal != nil {
				user, role = info.principal.Name, string(info.principal.Role)
			}
			s.logger.InfoContext(r.Context(), "request", "method", r.Method, "route", route, "status", status,
				"bytes", ww.BytesWritten(), "took", took.Round(time.Microsecond), "user", user, "role", role,
				"via", info.via, "request_id", id, "remote", clientAddress(r))
			for _, o := range s.observers {
				o.Request(r, route, status, took)
			}
		}()
		next.ServeHTTP(ww, r)
	})
}

// InFlight is how many replays to a past state and projection rebuilds
// are running now (metrics).
func (s *Server) InFlight() (replays, rebuilds int) { return len(s.replays), len(s.rebuilds) }

// WithMetrics serves h at GET /metrics, to whom policy.go allows it; it
// takes no parameters.
func WithMetrics(h http.Handler) Option {
	return func(s *Server) {
		s.handle(http.MethodGet, "/metrics", api{summary: "metrics in the Prometheus text format", text: "text/plain"}, func(w http.ResponseWriter, r *http.Request) {
			if s.noParams(w, r) {
				h.ServeHTTP(w, r)
			}
		})
	}
}
