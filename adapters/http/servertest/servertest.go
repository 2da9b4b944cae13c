// Package servertest builds a real API server over a store for the tests
// of the adapters that watch it (metrics, traces): the service, the
// accounts and the router are the ones serve wires.
package servertest

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	httpapi "github.com/casetrack/casetrack/adapters/http"
	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/app/auth"
	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
	"github.com/casetrack/casetrack/projections/directory"
)

// RegisterBody registers a compound of 海淀/中关村/东区.
const RegisterBody = `{"name":"阳光花园","district":"海淀","street":"中关村","community":"东区","kind":"commercial",
	"households":120,"private_area":"12000.50","delivered_area":12000,"property_company":"甲物业"}`

// Server is an API server with an admin and a street office of 中关村.
type Server struct {
	Handler   http.Handler
	Directory *projections.Runner[*directory.Model]
	Admin     string // API tokens
	Street    string
}

// New serves the API over store, the service built with svcOpts.
func New(t *testing.T, store domain.EventStore, svcOpts []app.ServiceOption, opts ...httpapi.Option) *Server {
	t.Helper()
	dir, err := projections.NewRunner(directory.New, projections.NewMemoryCheckpoints(), 100)
	if err != nil {
		t.Fatal(err)
	}
	accounts := auth.New(store, nil)
	s := &Server{Directory: dir}
	s.Admin = token(t, accounts, "root", domain.RoleAdmin, domain.Scope{})
	s.Street = token(t, accounts, "zgc", domain.RoleStreetOffice, domain.Scope{District: "海淀", Street: "中关村"})
	svc := app.NewService(store, domain.DefaultRuleBook(), svcOpts...)
	s.Handler = httpapi.NewServer(svc, store, dir, accounts, slog.New(slog.NewTextHandler(io.Discard, nil)), opts...)
	return s
}

func token(t *testing.T, accounts *auth.Accounts, name string, role domain.Role, scope domain.Scope) string {
	t.Helper()
	ctx, by := context.Background(), domain.Actor{UserID: "test", Role: "operator", Organisation: "test"}
	if _, err := accounts.Create(ctx, by, name, role, scope, ""); err != nil {
		t.Fatal(err)
	}
	tok, _, err := accounts.IssueToken(ctx, by, name, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// Do sends a request with a token (and a JSON body when body is not "")
// through h, the server's handler or one wrapping it.
func Do(h http.Handler, method, target, token, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}
