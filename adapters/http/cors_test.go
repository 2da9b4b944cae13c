package http

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

const portal = "https://portal.example.org"

// preflight asks, as a browser does before a cross-origin write, whether
// origin may POST a command with a token.
func preflight(s *Server, origin string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("OPTIONS", "/api/v1/compounds/c1/register", nil)
	req.Header.Set("Origin", origin)
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "authorization, content-type, idempotency-key")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec
}

func TestCORSIsOffByDefault(t *testing.T) {
	f := newFixture(t)
	rec := preflight(f.srv, portal)
	if h := rec.Header().Get("Access-Control-Allow-Origin"); h != "" || rec.Code == http.StatusOK || rec.Code == http.StatusNoContent {
		t.Errorf("preflight without --cors-origins: %d, Access-Control-Allow-Origin %q", rec.Code, h)
	}
	rec = f.do("GET", "/api/v1/commands", nil, "Origin", portal)
	if h := rec.Header().Get("Access-Control-Allow-Origin"); h != "" {
		t.Errorf("a read answered Access-Control-Allow-Origin %q", h)
	}
	// A browser's cross-site write is still refused.
	rec = f.do("POST", "/api/v1/compounds/c1/register", registerBody, "Origin", portal, "Sec-Fetch-Site", "cross-site")
	problemOf(t, rec, http.StatusForbidden)
}

func TestCORSAllowsTheConfiguredOrigins(t *testing.T) {
	f := newFixture(t)
	svc := f.srv.svc
	f.srv = f.newServer(svc, f.log, WithCORS([]string{portal}))

	rec := preflight(f.srv, portal)
	h := rec.Header()
	if rec.Code >= 300 || h.Get("Access-Control-Allow-Origin") != portal || !strings.Contains(h.Get("Access-Control-Allow-Methods"), "POST") ||
		!strings.Contains(strings.ToLower(h.Get("Access-Control-Allow-Headers")), "idempotency-key") {
		t.Errorf("preflight from %s: %d %v", portal, rec.Code, h)
	}
	if h.Get("Access-Control-Allow-Credentials") != "" {
		t.Error("credentials (cookies) must not be shared with other sites")
	}
	if rec := preflight(f.srv, "https://evil.example.com"); rec.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("an origin not configured was allowed: %v", rec.Header())
	}
	// The allowed site's page writes with a token; another site's is refused.
	rec = f.do("POST", "/api/v1/compounds/c1/register", registerBody, "Origin", portal, "Sec-Fetch-Site", "cross-site")
	if rec.Code != http.StatusCreated || rec.Header().Get("Access-Control-Allow-Origin") != portal ||
		!strings.Contains(rec.Header().Get("Access-Control-Expose-Headers"), "Etag") && !strings.Contains(rec.Header().Get("Access-Control-Expose-Headers"), "ETag") {
		t.Errorf("write from %s: %d %v %s", portal, rec.Code, rec.Header(), rec.Body)
	}
	rec = f.do("POST", "/api/v1/compounds/c2/register", registerBody, "Origin", "https://evil.example.com", "Sec-Fetch-Site", "cross-site")
	problemOf(t, rec, http.StatusForbidden)
}

// TestParseOrigins: --cors-origins takes origins only; anything else is
// refused with the reason, never half applied.
func TestParseOrigins(t *testing.T) {
	got, err := ParseOrigins(" https://a.example.org, http://127.0.0.1:3000 ,")
	if err != nil || len(got) != 2 || got[0] != "https://a.example.org" || got[1] != "http://127.0.0.1:3000" {
		t.Errorf("%v %v", got, err)
	}
	if got, err := ParseOrigins(""); err != nil || got != nil {
		t.Errorf("empty: %v %v", got, err)
	}
	for _, bad := range []string{"*", "portal.example.org", "ftp://a.example.org", "https://a.example.org/path", "https://u:p@a.example.org",
		"https://a.example.org?x=1", "https://", "https://a.example.org,javascript:alert(1)", "https://a b.org", "https://a.example.org#x"} {
		if got, err := ParseOrigins(bad); err == nil {
			t.Errorf("%q accepted as %v", bad, got)
		}
	}
}
