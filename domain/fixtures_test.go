package domain

import (
	"errors"
	"testing"
	"time"
)

// fxDay is 10:00 local time on a day.
func fxDay(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 10, 0, 0, 0, China) }

// fxCompound is a registered compound with the given households, 1,000 m²
// per 10 households and all of it delivered.
func fxCompound(t *testing.T, households int) *Compound {
	t.Helper()
	c := NewCompound("C1")
	area := SquareMetres(int64(households) * 100)
	c.Evolve(CompoundRegistered{Profile{Name: "阳光花园", District: "D", Street: "S", Community: "Q", Kind: KindCommercial,
		Households: households, PrivateArea: area, DeliveredArea: area, PropertyCompany: "某物业"}})
	return c
}

// fxDo decides cmd under the rules in force at at, evolves the compound, and
// returns the events; it fails the test on a rejection.
func fxDo(t *testing.T, c *Compound, cmd Command, at time.Time) []Event {
	t.Helper()
	events, err := c.Decide(cmd, DefaultRuleBook().At(at), at)
	if err != nil {
		t.Fatalf("%T rejected: %v", cmd, err)
	}
	c.Evolve(events...)
	return events
}

// fxReject decides cmd and returns its error, failing the test if it passed.
func fxReject(t *testing.T, c *Compound, cmd Command, at time.Time) error {
	t.Helper()
	events, err := c.Decide(cmd, DefaultRuleBook().At(at), at)
	if err == nil {
		t.Fatalf("%T accepted, want a rejection; events %+v", cmd, events)
	}
	return err
}

// fxHasViolation checks that err reports rule on field (field "" matches any).
func fxHasViolation(t *testing.T, err error, rule, field string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("want an application error with %s, got %v", rule, err)
	}
	for _, v := range e.Violations {
		if v.Rule == rule && (field == "" || v.Field == field) {
			if v.Message == "" || v.MessageZH == "" {
				t.Errorf("%s lacks a message in both languages: %+v", rule, v)
			}
			return
		}
	}
	t.Fatalf("want violation %s on %q, got %v", rule, field, err)
}

// fxAlerts returns the rules of the AlertRaised events among events.
func fxAlerts(events []Event) []string {
	var out []string
	for _, e := range events {
		if a, ok := e.(AlertRaised); ok {
			out = append(out, a.Rule)
		}
	}
	return out
}
