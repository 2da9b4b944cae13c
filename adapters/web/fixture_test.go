package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
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
}

// today is the pages' clock: late in the demo's campaign year, so that
// the deadlines board has both overdue and coming items.
var today = time.Date(2025, 12, 20, 10, 0, 0, 0, domain.China)

// demoUser is the principal the tests sign in as until the accounts work
// supplies real sign-in; a test picks the role with the X-Demo-Role header
// (set through the browser's extra headers).
func demoUser(r *http.Request) (web.User, bool) {
	role := r.Header.Get("X-Demo-Role")
	if role == "" {
		return web.User{}, false
	}
	return web.User{Name: "demo-" + role, Role: role, Organisation: "测试单位"}, true
}

func newCity(t testing.TB) *city {
	t.Helper()
	store := memory.NewStore()
	book := domain.DefaultRuleBook()
	svc := app.NewService(store, book)
	ctx := context.Background()
	if _, err := demo.Load(ctx, svc, demo.Config{Seed: 7, Districts: 1, StreetsPerDistrict: 2, CompoundsPerStreet: 6, Year: 2025}, 2, nil); err != nil {
		t.Fatal(err)
	}
	c := &city{store: store}
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
	ls := league.NewService(c.league, store, league.DefaultConfig())
	pages, err := web.New(web.Options{Service: svc, Store: store, Directory: c.directory, Deadlines: dl, League: ls,
		Principal: demoUser, Now: func() time.Time { return today }})
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewServer(httpapi.NewServer(svc, store, c.directory, auth.New(memory.NewStore(), nil), logger,
		httpapi.WithLeague(ls), httpapi.WithDeadlines(dl), httpapi.WithWeb(pages)))
	t.Cleanup(srv.Close)
	c.url = srv.URL
	return c
}
