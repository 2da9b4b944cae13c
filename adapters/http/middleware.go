package http

import (
	"net/http"

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
