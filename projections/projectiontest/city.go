// Package projectiontest records small hand-made cities through the real
// command service, so that the projections' tests fold real events.
package projectiontest

import (
	"context"
	"testing"
	"time"

	"github.com/casetrack/casetrack/adapters/memory"
	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
)

// At is hour h of a day, China time.
func At(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, domain.China) }

// City is a memory store and a command service over it.
type City struct {
	t     testing.TB
	Store *memory.Store
	Svc   *app.Service
}

// NewCity judges commands by book; now is the service clock (recorded-at).
func NewCity(t testing.TB, book domain.RuleBook, now time.Time) *City {
	store := memory.NewStore()
	return &City{t: t, Store: store, Svc: app.NewService(store, book, app.WithClock(func() time.Time { return now }))}
}

// Do records commands on a compound at a business time; a rejection fails the test.
func (c *City) Do(id string, when time.Time, cmds ...domain.Command) {
	c.t.Helper()
	for _, cmd := range cmds {
		if _, err := c.Svc.Execute(context.Background(), id, cmd, app.Meta{OccurredAt: when}); err != nil {
			c.t.Fatalf("%s %T at %s: %v", id, cmd, when, err)
		}
	}
}

// Fold applies what was recorded since p's position.
func (c *City) Fold(p projections.Projection) {
	c.t.Helper()
	Fold(c.t, c.Store, p)
}

// Fold applies a store's log after p's position.
func Fold(t testing.TB, store domain.EventStore, p projections.Projection) {
	t.Helper()
	events, err := store.ReadAll(context.Background(), p.Position(), 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		if err := p.Apply(e); err != nil {
			t.Fatal(err)
		}
	}
}
