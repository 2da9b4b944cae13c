package http

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/casetrack/casetrack/adapters/memory"
	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/app/auth"
	"github.com/casetrack/casetrack/domain"
)

// FuzzCommandEndpoint posts random bodies to random commands of a registered
// compound: no input may cause a 5xx, and every 4xx is a problem document.
// The seed corpus is in testdata/fuzz/FuzzCommandEndpoint.
func FuzzCommandEndpoint(f *testing.F) {
	names := domain.CommandNames()
	// The accounts are made once (hashing a password is slow on purpose);
	// each command is posted by the first role allowed to run it.
	accounts := auth.New(memory.NewStore(), nil)
	tokens := map[domain.Role]string{}
	for role, scope := range map[domain.Role]domain.Scope{inspector: {}, hotline: {}, street: zgc,
		community: {District: zgc.District, Street: zgc.Street, Community: "东区"}} {
		if _, err := accounts.Create(f.Context(), system, string(role), role, scope, ""); err != nil {
			f.Fatal(err)
		}
		token, _, err := accounts.IssueToken(f.Context(), system, string(role), time.Hour)
		if err != nil {
			f.Fatal(err)
		}
		tokens[role] = token
	}
	f.Fuzz(func(t *testing.T, pick uint, body []byte) {
		// A fresh store per input keeps inputs independent and the streams short.
		store := memory.NewStore()
		srv := NewServer(app.NewService(store, domain.DefaultRuleBook()), store, followDirectory(t, store), accounts,
			slog.New(slog.NewTextHandler(io.Discard, nil)))
		post := func(name string, body string) *httptest.ResponseRecorder {
			req := httptest.NewRequest("POST", "/api/v1/compounds/c1/"+name, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+tokens[commandRoles[name][0]])
			rec := httptest.NewRecorder()
			serveChecked(t, srv, rec, req)
			return rec
		}
		if rec := post("register", registerBody); rec.Code != http.StatusCreated {
			t.Fatalf("register: %d %s", rec.Code, rec.Body)
		}

		name := names[pick%uint(len(names))]
		rec := post(name, string(body))
		switch {
		case rec.Code >= 500:
			t.Fatalf("%s %q: status %d: %s", name, body, rec.Code, rec.Body)
		case rec.Code >= 400:
			var p problem
			if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
				t.Fatalf("%s %q: status %d with Content-Type %q", name, body, rec.Code, ct)
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Status != rec.Code || p.Code == "" {
				t.Fatalf("%s %q: bad problem %s (%v)", name, body, rec.Body, err)
			}
		case !json.Valid(rec.Body.Bytes()):
			t.Fatalf("%s %q: status %d with invalid JSON %s", name, body, rec.Code, rec.Body)
		}
	})
}

// FuzzQuery sends random query strings to every read endpoint: no input may
// cause a panic or a 500; a 503 (a min_position not reached) carries
// Retry-After; every answer is JSON, a problem document or an export.
// The seed corpus is in testdata/fuzz/FuzzQuery.
func FuzzQuery(f *testing.F) {
	f.Fuzz(func(t *testing.T, pick uint, query string) {
		fx, _ := fullFixture(t)
		path := readEndpoints[pick%uint(len(readEndpoints))].path
		req := httptest.NewRequest("GET", path, nil)
		req.URL.RawQuery = query
		req.Header.Set("Authorization", "Bearer "+fx.neededToken("GET", path, nil)) // past sign-in: the parameters are under test
		rec := httptest.NewRecorder()
		serveChecked(t, fx.srv, rec, req)
		ct := rec.Header().Get("Content-Type")
		switch {
		case rec.Code >= 500 && (rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == ""):
			t.Fatalf("%s?%s: status %d: %s", path, query, rec.Code, rec.Body)
		case strings.HasPrefix(ct, "text/csv"), ct == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
			if rec.Code != http.StatusOK {
				t.Fatalf("%s?%s: export with status %d", path, query, rec.Code)
			}
		case rec.Code >= 400:
			var p problem
			if ct != "application/problem+json" {
				t.Fatalf("%s?%s: status %d with Content-Type %q", path, query, rec.Code, ct)
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Status != rec.Code || p.Code == "" {
				t.Fatalf("%s?%s: bad problem %s (%v)", path, query, rec.Body, err)
			}
		case ct != "application/json" || !json.Valid(rec.Body.Bytes()):
			t.Fatalf("%s?%s: status %d, Content-Type %q: %s", path, query, rec.Code, ct, rec.Body)
		}
	})
}
