package complaints

import (
	"testing"
	"time"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
	"github.com/casetrack/casetrack/projections/projectiontest"
)

func TestContract(t *testing.T) { projectiontest.Run(t, New) }

// The test city's complaints, followed through their handling.
func TestListFollowsTheHandling(t *testing.T) {
	city := projectiontest.NewTestCity(t)
	m := New()
	if err := projections.Fold(t.Context(), city.Store, m, 0); err != nil {
		t.Fatal(err)
	}
	all := m.List(Filter{})
	if len(all) < 4 {
		t.Fatalf("%d complaints", len(all))
	}
	for i := 1; i < len(all); i++ {
		if all[i].ReceivedAt.After(all[i-1].ReceivedAt) {
			t.Fatalf("not newest first: %+v", all)
		}
	}
	get := func(compound, complaint string) Entry {
		t.Helper()
		l := m.List(Filter{Keys: map[string]bool{Key(compound, complaint): true}})
		if len(l) != 1 {
			t.Fatalf("%s/%s: %+v", compound, complaint, l)
		}
		return l[0]
	}
	if e := get("X", "k1"); e.State != domain.ComplaintStateReturned || e.Unit != "城管局" || !e.Open() {
		t.Errorf("X/k1 %+v", e)
	}
	if e := get("X", "k3"); e.State != domain.ComplaintStateReopened || !e.Open() || !e.UpdatedAt.After(e.ReceivedAt) {
		t.Errorf("X/k3 %+v", e)
	}
	if e := get("Y", "k2"); !e.Voided || e.Open() {
		t.Errorf("Y/k2 %+v", e)
	}
	if e := get("Y", "k1"); e.Category != domain.CategoryParking {
		t.Errorf("Y/k1 %+v", e)
	}
	closed, open := false, true
	for _, e := range m.List(Filter{Open: &closed}) {
		if e.Open() {
			t.Errorf("closed list holds %+v", e)
		}
	}
	if l := m.List(Filter{Open: &open, Limit: 1, Categories: map[domain.ComplaintCategory]bool{domain.CategoryParking: true}}); len(l) != 1 || l[0].Category != domain.CategoryParking {
		t.Errorf("open parking, limit 1: %+v", l)
	}
	if l := m.List(Filter{From: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)}); len(l) != 0 {
		t.Errorf("from 2100: %+v", l)
	}
}
