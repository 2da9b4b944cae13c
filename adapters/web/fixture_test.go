package web_test

import (
	"context"
	"github.com/casetrack/casetrack/audit"
	"github.com/casetrack/casetrack/audit/audittest"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	httpapi "github.com/casetrack/casetrack/adapters/http"
	"github.com/casetrack/casetrack/adapters/memory"
	"github.com/casetrack/casetrack/adapters/web"
	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/app/auth"
	"github.com/casetrack/casetrack/app/demo"
	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
	"github.com/casetrack/casetrack/projections/deadlines"
	"github.com/casetrack/casetrack/projections/directory"
	"github.com/casetrack/casetrack/projections/league"
)

// city is a small demo city served by the same API and pages as the
// binary, its read models following the log as the bus would.
type city struct {
	url       string
	store     domain.EventStore
	directory *projections.Runner[*directory.Model]
	league    *projections.Runner[*league.Model]
	audit     *audit.Service
	head      uint64            // the log's last position once loaded
	campaign  string            // the campaign file the server reloads (a copy the test may spoil)
	personal  *app.PersonalData // the complainants' names and phones are sealed with its keys
}

// today is the pages' clock: late in the demo's campaign year, so that
// the deadlines board has both overdue and coming items.
var today = time.Date(2025, 12, 20, 10, 0, 0, 0, domain.China)

// password is every test account's password, as the demo's.
const password = "casetrack-demo"

// accountOf is the test account of each role, one per role as the demo
// city has: the street office and the community worker are scoped to the
// street and community of C0001; the others see the whole city.
var accountOf = map[string]string{"admin": "admin", "inspector": "inspector", "street_office": "street",
	"community_worker": "community", "hotline": "hotline", "auditor": "auditor"}

// auth is the Authorization header of each role's API token; pages take
// tokens as the API does. defaultAuth (the street office) is what get and
// post send unless told otherwise.
var (
	tokens      = map[string]string{}
	defaultAuth string
)

// as is the header pair that makes a request as role ("" for nobody).
func as(role string) []string {
	if role == "" {
		return []string{"Authorization", ""}
	}
	return []string{"Authorization", "Bearer " + tokens[role]}
}

// createAccounts makes the accounts of accountOf, with password and a token.
func createAccounts(t testing.TB, accounts *auth.Accounts, home directory.Entry) {
	t.Helper()
	ctx := context.Background()
	by := domain.Actor{UserID: "test", Role: "operator", Organisation: "test"}
	for role, name := range accountOf {
		var scope domain.Scope
		switch role {
		case "street_office":
			scope = domain.Scope{District: home.District, Street: home.Street}
		case "community_worker":
			scope = domain.Scope{District: home.District, Street: home.Street, Community: home.Community}
		}
		if _, err := accounts.Create(ctx, by, name, domain.Role(role), scope, "测试单位"); err != nil {
			t.Fatal(err)
		}
		if err := accounts.SetPassword(ctx, by, name, password); err != nil {
			t.Fatal(err)
		}
		token, _, err := accounts.IssueToken(ctx, by, name, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		tokens[role] = token
	}
	defaultAuth = "Bearer " + tokens["street_office"]
}

func newCity(t testing.TB) *city {
	t.Helper()
	store := memory.NewStore()
	book := domain.DefaultRuleBook()
	personal := app.NewPersonalData(memory.NewKeys(), slog.New(slog.DiscardHandler))
	svc := app.NewService(store, book, app.WithPersonalData(personal))
	ctx := context.Background()
	if _, err := demo.Load(ctx, svc, demo.Config{Seed: 7, Districts: 1, StreetsPerDistrict: 2, CompoundsPerStreet: 6, Year: 2025}, 2, nil); err != nil {
		t.Fatal(err)
	}
	c := &city{store: store, personal: personal}
	cps := projections.NewMemoryCheckpoints()
	var err error
	if c.directory, err = projections.NewRunner(directory.New, cps, 1000); err != nil {
		t.Fatal(err)
	}
	dl, err := projections.NewRunner(deadlines.New, cps, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if c.league, err = projections.NewRunner(func() *league.Model { return league.New(book) }, cps, 1000); err != nil {
		t.Fatal(err)
	}
	tail, cancel := context.WithCancel(ctx)
	done := make(chan struct{}, 3)
	for _, r := range []projections.Live{c.directory, dl, c.league} {
		go func() { projections.Tail(tail, store, 0, r.Handle); done <- struct{}{} }()
	}
	t.Cleanup(func() {
		cancel()
		for range 3 {
			<-done
		}
	})
	head, _ := store.ReadAll(ctx, 0, 0)
	last := head[len(head)-1].Position
	for _, r := range []interface {
		WaitFor(context.Context, uint64) error
	}{c.directory, dl, c.league} {
		wait, stop := context.WithTimeout(ctx, 30*time.Second)
		err := r.WaitFor(wait, last)
		stop()
		if err != nil {
			t.Fatal(err)
		}
	}
	c.head = last
	c.campaign = filepath.Join(t.TempDir(), "campaign.toml")
	shipped, err := os.ReadFile("../../projections/league/campaign.toml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(c.campaign, shipped, 0o644); err != nil {
		t.Fatal(err)
	}
	ls := league.NewService(c.league, store, league.DefaultConfig())
	accounts := auth.New(memory.NewStore(), nil)
	var home directory.Entry
	c.directory.Read(func(m *directory.Model) { home, _ = m.Get("C0001") })
	createAccounts(t, accounts, home)
	skey, _, err := audit.GenerateKey("test.casetrack")
	if err != nil {
		t.Fatal(err)
	}
	c.audit = audittest.Run(t, store, skey, 10*time.Millisecond, svc.Halt)
	var api *httpapi.Server // the pages sign in through the API's sessions, as in cmd/casetrack
	pages, err := web.New(web.Options{Audit: c.audit, Service: svc, Store: store, Directory: c.directory, Deadlines: dl, League: ls, Accounts: accounts,
		Principal: httpapi.WebUser, Now: func() time.Time { return today },
		SignIn:         func(w http.ResponseWriter, r *http.Request, name, pw string) error { return api.SignIn(w, r, name, pw) },
		SignOut:        func(w http.ResponseWriter, r *http.Request) error { return api.SignOut(w, r) },
		Rebuild:        func(name string) error { return api.Rebuild(name) },
		ReloadCampaign: func() (league.Config, error) { return api.ReloadCampaign() }})
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	api = httpapi.NewServer(svc, store, c.directory, accounts, logger, httpapi.WithAudit(c.audit), httpapi.WithLeague(ls), httpapi.WithDeadlines(dl), httpapi.WithWeb(pages),
		httpapi.WithProjections(store, c.directory, dl, c.league), httpapi.WithCampaignFile(c.campaign))
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	c.url = srv.URL
	return c
}
