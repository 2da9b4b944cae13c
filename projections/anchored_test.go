package projections_test

import (
	"testing"
	"time"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
	"github.com/casetrack/casetrack/projections/directory"
	"github.com/casetrack/casetrack/projections/projectiontest"
)

func city(t *testing.T, name string) *projectiontest.City {
	c := projectiontest.NewCity(t, domain.DefaultRuleBook(), time.Now())
	for _, id := range []string{"A", "B", "C"} {
		c.Do(id, time.Now().Add(-time.Hour), domain.RegisterCompound{Profile: domain.Profile{Name: name + id, District: "区", Street: "街",
			Community: "社区", Kind: domain.KindCommercial, Households: 10, PrivateArea: 100, DeliveredArea: 100}})
	}
	return c
}

// A snapshot folded from one log is not restored over another.
func TestAnchoredSnapshotsStayWithTheirLog(t *testing.T) {
	raw := projections.NewMemoryCheckpoints()
	ours, theirs := city(t, "甲"), city(t, "乙")
	m := directory.New()
	ours.Fold(m)
	snap, _ := m.Snapshot()
	if err := projections.Anchored(raw, ours.Store).Save("directory", m.Position(), snap); err != nil {
		t.Fatal(err)
	}
	if pos, got, err := projections.Anchored(raw, ours.Store).Load("directory", 0); err != nil || pos != 3 || got == nil {
		t.Fatalf("own log: %d %v %v", pos, got != nil, err)
	}
	if pos, got, err := projections.Anchored(raw, theirs.Store).Load("directory", 0); err != nil || pos != 0 || got != nil {
		t.Fatalf("another log got a snapshot at %d (%v)", pos, err)
	}
	// A runner on the other log starts from scratch and folds that log.
	r, err := projections.NewRunner(directory.New, projections.Anchored(raw, theirs.Store), 100)
	if err != nil {
		t.Fatal(err)
	}
	projectiontest.Fold(t, theirs.Store, r)
	r.Read(func(m *directory.Model) {
		if e, ok := m.Get("A"); !ok || e.Name != "乙A" {
			t.Fatalf("folded %+v", e)
		}
	})
}
