package http

import (
	"context"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5/middleware"

	"github.com/casetrack/casetrack/domain"
)

// contentSecurityPolicy is strict enough for the web pages to come: their
// own scripts and styles only, no inline script, no framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders sets the headers every answer carries. Answers of the
// API are never cached: most hold case data, some personal data.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Frame-Options", "DENY")
		if isAPI(r) {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// accessLog writes one line per request: who, what, the answer. Never the
// query (it may name people), a body, a cookie or a token.
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &requestInfo{}
		r = r.WithContext(context.WithValue(r.Context(), infoKey{}, info))
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		defer func() {
			user, role := "-", ""
			if info.principal != nil {
				user, role = info.principal.Name, string(info.principal.Role)
			}
			s.logger.InfoContext(r.Context(), "request", "method", r.Method, "path", r.URL.Path, "status", ww.Status(),
				"bytes", ww.BytesWritten(), "took", time.Since(start).Round(time.Microsecond), "user", user, "role", role,
				"via", info.via, "remote", clientAddress(r))
		}()
		next.ServeHTTP(ww, r)
	})
}

// crossOrigin refuses writes a browser sends from another site (CSRF);
// programs without Origin or Sec-Fetch-Site pass.
func (s *Server) crossOrigin() func(http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	s.cop = cop // WithCORS trusts the origins it allows
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.Error(w, r, domain.Errorf(domain.CodeForbidden, "cross-origin writes are refused"))
	}))
	return cop.Handler
}
