package http

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
)

// TestOpenAPIDocumentsEveryRoute walks the router and the document both
// ways: an API route missing from the document, or a documented operation
// no route serves, fails. (A route is documented by the api{} of its
// s.handle call; pages, registered with s.handlePage, are not API.)
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	f, _ := servedFixture(t, WithWeb(stubPages{}))
	doc := documentOf(t, f.srv)
	routed, api := map[string]bool{}, 0
	err := chi.Walk(f.srv.router, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		rl, _ := ruleFor(method, route)
		item := doc.Paths.Value(route)
		documented := item != nil && item.GetOperation(method) != nil
		switch {
		case rl.page && documented:
			t.Errorf("%s %s is a page, yet in the API's document", method, route)
		case !rl.page && !documented:
			t.Errorf("%s %s is not in /openapi.json: register it with s.handle and an api{} describing it (adapters/http/openapi.go)", method, route)
		}
		routed[method+" "+route] = true
		if !rl.page {
			api++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			n++
			if !routed[method+" "+path] {
				t.Errorf("/openapi.json names %s %s, which no route serves", method, path)
			}
		}
	}
	if n != api || doc.Paths.Value("/api/v1/compounds/{id}/register") == nil {
		t.Errorf("%d operations documented for %d API routes", n, api)
	}
}

// TestOpenAPIQueryParametersAreTheHandlers' asks every operation with a
// parameter it does not know: the 400 names the parameters its handler
// reads (params.go), which must be those the document lists.
func TestOpenAPIQueryParametersAreTheHandlers(t *testing.T) {
	f, _ := servedFixture(t)
	doc := documentOf(t, f.srv)
	fill := strings.NewReplacer("{id}", "c1", "{level}", "compound", "{company}", url.PathEscape("甲物业"), "{name}", "league", "{token}", "nothing")
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.Responses.Default() != nil {
				continue // Open311: its errors are GeoReport's, its parameters its own tests' (open311_test.go)
			}
			var documented []string
			for _, p := range op.Parameters {
				if p.Value.In == "query" {
					documented = append(documented, p.Value.Name)
				}
			}
			var body any
			if op.RequestBody != nil {
				body = "{}"
			}
			rec := f.do(method, fill.Replace(path)+"?zz_probe=1", body)
			p := problemOf(t, rec, http.StatusBadRequest)
			var read []string
			for _, v := range p.Errors {
				if v.Field != "zz_probe" || v.Rule != "param.unknown" {
					continue
				}
				if _, list, ok := strings.Cut(v.Message, "is not a parameter here; use "); ok {
					read = strings.Split(list, ", ")
				}
			}
			slices.Sort(read)
			slices.Sort(documented)
			if !slices.Equal(read, documented) {
				t.Errorf("%s %s: the handler reads %v, the document lists %v", method, path, read, documented)
			}
		}
	}
}

// TestOpenAPIIsPublic: integrators read the document before they have an
// account; it is OpenAPI 3.1 and names the problem codes.
func TestOpenAPIIsPublic(t *testing.T) {
	f := newFixture(t)
	rec := f.do("GET", "/openapi.json", nil, "Authorization", "")
	var doc struct {
		OpenAPI string `json:"openapi"`
		Paths   map[string]map[string]struct {
			Responses map[string]json.RawMessage `json:"responses"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil || rec.Code != 200 {
		t.Fatalf("status %d, %v", rec.Code, err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q", doc.OpenAPI)
	}
	cmd := doc.Paths["/api/v1/compounds/{id}/register"]["post"].Responses
	for _, status := range []string{"201", "200", "400", "401", "403", "404", "409", "413", "415", "422", "429", "500", "503"} {
		if cmd[status] == nil {
			t.Errorf("register: no %s answer documented", status)
		}
	}
	if !strings.Contains(string(cmd["409"]), `"integrity"`) || !strings.Contains(string(cmd["409"]), `"conflict"`) {
		t.Errorf("register 409 should name both codes: %s", cmd["409"])
	}
	if rec := f.do("GET", "/openapi.json?x=1", nil, "Authorization", ""); rec.Code != 400 {
		t.Errorf("a parameter: %d", rec.Code)
	}
}

// recordingTB keeps what serveChecked reports instead of failing the test.
type recordingTB struct {
	testing.TB
	errs []string
}

func (r *recordingTB) Helper() {}
func (r *recordingTB) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// TestServeCheckedCatchesWhatTheDocumentDoesNotSay: the validation of the
// HTTP tests fails on an answer of another shape or status than
// documented, and on a request the document refuses but the server takes.
func TestServeCheckedCatchesWhatTheDocumentDoesNotSay(t *testing.T) {
	f := newFixture(t)
	f.srv = f.newServer(f.srv.svc, f.log, func(s *Server) {
		s.handle("GET", "/api/v1/campaign", api{answer: campaign{}}, func(w http.ResponseWriter, r *http.Request) {
			if r.URL.RawQuery == "teapot" {
				w.WriteHeader(http.StatusTeapot)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"config":5}`))
		})
		s.handle("GET", "/api/v1/credit", api{query: []string{"min_position"}, answer: status{}}, func(w http.ResponseWriter, r *http.Request) {
			s.respond(w, r, http.StatusOK, status{Status: "anything goes"})
		})
	})
	for target, want := range map[string]string{
		"/api/v1/campaign":               "is not the document's",
		"/api/v1/campaign?teapot":        "status is not supported",
		"/api/v1/credit?min_position=-1": "the document refuses",
	} {
		rec := &recordingTB{TB: t}
		req := httptest.NewRequest("GET", target, nil)
		req.Header.Set("Authorization", "Bearer "+f.as(auditor))
		serveChecked(rec, f.srv, httptest.NewRecorder(), req)
		if len(rec.errs) == 0 || !strings.Contains(strings.Join(rec.errs, "\n"), want) {
			t.Errorf("%s: reported %q, want %q", target, rec.errs, want)
		}
	}
}
