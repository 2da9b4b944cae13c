package projections_test

import (
	"slices"
	"testing"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
)

type counts map[string]int

func (c counts) registered(domain.Envelope, domain.CompoundRegistered) { c["registered"]++ }

// A handler's type is its event parameter's; two for one type are a bug
// caught at construction.
func TestHandlers(t *testing.T) {
	hs := projections.NewHandlers(projections.On(counts.registered),
		projections.On(func(c counts, _ domain.Envelope, _ domain.MeasureAdded) { c["measure"]++ }))
	if got := hs.Types(); !slices.Equal(got, []string{"CompoundRegistered", "MeasureAdded"}) {
		t.Fatalf("types %v", got)
	}

	// Only handled types are decoded: a payload that does not decode fails
	// a handled event and goes unread in any other.
	c, pos := counts{}, uint64(0)
	bad := []byte("not json")
	if err := hs.Apply(c, "test", &pos, domain.Envelope{Position: 1, Type: "LawsuitFiled", Data: bad}); err != nil || pos != 1 {
		t.Fatalf("an unhandled event: %v, position %d", err, pos)
	}
	if err := hs.Apply(c, "test", &pos, domain.Envelope{Position: 2, Type: "MeasureAdded", Data: bad}); err == nil || pos != 1 {
		t.Fatalf("a handled event that does not decode: %v, position %d", err, pos)
	}

	defer func() {
		if recover() == nil {
			t.Error("two handlers of one type were accepted")
		}
	}()
	projections.NewHandlers(projections.On(counts.registered), projections.On(counts.registered))
}
