package projectiontest

import (
	"testing"
	"unsafe"

	"github.com/casetrack/casetrack/projections"
)

// Shared fails unless the equal strings of values share one copy, and at
// least two do (so that the check can fail): a model restored from a
// snapshot, where decoding makes a string of every value, must share the
// few distinct values its records hold (places, kinds, companies) as its
// fold shares them.
func Shared(t *testing.T, what string, values []string) {
	t.Helper()
	first, twice := map[string]*byte{}, false
	for _, v := range values {
		p, ok := first[v]
		switch {
		case !ok:
			first[v] = unsafe.StringData(v)
		case p != unsafe.StringData(v):
			t.Errorf("%s: two copies of %q", what, v)
			return
		default:
			twice = twice || v != ""
		}
	}
	if !twice {
		t.Errorf("%s: no value held twice among %d", what, len(values))
	}
}

// FoldRestored folds the test city into a model newModel makes and gives
// back another restored from its snapshot: what a restart holds.
func FoldRestored[M projections.Projection](t *testing.T, newModel func() M) M {
	t.Helper()
	m := newModel()
	NewTestCity(t).Fold(m)
	snap, err := m.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	return restored(t, newModel, snap)
}
