package league

import (
	"bytes"
	"encoding/gob"
	"testing"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
)

// A snapshot of an older model (one without each handling round's data)
// decodes under gob without complaint; Restore refuses it by its format,
// so the runner discards it and folds from the start.
func TestSnapshotOfAnOlderModelIsRefused(t *testing.T) {
	older := func(format int) []byte {
		var b bytes.Buffer
		snap := struct {
			Format    int
			Pos       uint64
			Compounds map[string]*Compound
		}{format, 42, map[string]*Compound{"C1": {ID: "C1", Name: "阳光花园", Households: 100}}}
		if err := gob.NewEncoder(&b).Encode(snap); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	for _, format := range []int{0, 1, modelFormat + 1} { // 0: written before the field existed
		m := New(domain.DefaultRuleBook())
		if err := m.Restore(older(format)); err == nil {
			t.Errorf("format %d: restored", format)
		}
		if m.Position() != 0 || len(m.Compounds) != 0 || m.Format != modelFormat {
			t.Errorf("format %d: a refused snapshot changed the model (position %d)", format, m.Position())
		}
	}
	cps := projections.NewMemoryCheckpoints()
	if err := cps.Save("league", 42, older(0)); err != nil {
		t.Fatal(err)
	}
	r, err := projections.NewRunner(func() *Model { return New(domain.DefaultRuleBook()) }, cps, 100)
	if err != nil {
		t.Fatal(err)
	}
	if r.Discarded() == nil || r.Position() != 0 {
		t.Errorf("runner kept the older snapshot: position %d, discarded %v", r.Position(), r.Discarded())
	}
	// The current format still round-trips.
	b, err := New(domain.DefaultRuleBook()).Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if err := New(domain.DefaultRuleBook()).Restore(b); err != nil {
		t.Errorf("current snapshot refused: %v", err)
	}
}

// restoredFrom is a new model restored from m's snapshot.
func restoredFrom(t testing.TB, m *Model) *Model {
	t.Helper()
	snap, err := m.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	restored := New(domain.DefaultRuleBook())
	if err := restored.Restore(snap); err != nil {
		t.Fatal(err)
	}
	return restored
}
