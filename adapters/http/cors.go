package http

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-chi/cors"
)

// CORS lets the pages of named other sites call the API from a browser
// (an integrator's portal). It is off unless origins are given: the API's
// own pages need none. Those origins' writes pass the cross-origin
// protection; cookies are not shared with them (credentials are not
// allowed), so a program there signs in with an API token.

// WithCORS allows the origins (checked by ParseOrigins) to call the API.
func WithCORS(origins []string) Option { return func(s *Server) { s.corsOrigins = origins } }

// ParseOrigins reads a comma-separated list of origins, each
// scheme://host[:port] without a path; "" is none (CORS off).
func ParseOrigins(list string) ([]string, error) {
	var out []string
	for o := range strings.SplitSeq(list, ",") {
		if o = strings.TrimSpace(o); o == "" {
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" || u.RawQuery != "" ||
			u.Fragment != "" || u.User != nil {
			return nil, fmt.Errorf("CORS origin %q must be scheme://host[:port], e.g. https://portal.example.org", o)
		}
		out = append(out, o)
	}
	return out, nil
}

// cors puts the CORS layer in front of next, when origins are allowed.
func (s *Server) cors(next http.Handler) http.Handler {
	if len(s.corsOrigins) == 0 {
		return next
	}
	for _, o := range s.corsOrigins {
		if err := s.cop.AddTrustedOrigin(o); err != nil {
			panic(err) // ParseOrigins lets only valid origins through
		}
	}
	return cors.Handler(cors.Options{
		AllowedOrigins: s.corsOrigins,
		AllowedMethods: []string{http.MethodGet, http.MethodPost, http.MethodDelete},
		AllowedHeaders: []string{"Authorization", "Content-Type", "Idempotency-Key", "If-Match", "X-Correlation-ID", "X-Causation-ID"},
		ExposedHeaders: []string{"ETag", "Location", "Retry-After"},
		MaxAge:         600, // seconds a browser may keep a preflight's answer
	})(next)
}
