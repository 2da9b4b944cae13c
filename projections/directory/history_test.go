package directory

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"testing"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections/projectiontest"
)

// A list as of a past position, read from the live model's histories, is
// the list of a model replayed from zero to that position: at random
// positions (and the one before and of every event the fold reads on the
// hand-made compounds), with random filters, on the test city; also from a
// model restored from a snapshot. The seed is printed (CASETRACK_ASOF_SEED
// repeats a run).
func TestListAsOfAgreesWithReplay(t *testing.T) {
	seed := projectiontest.Seed(t)
	rng := rand.New(rand.NewPCG(seed, 17))
	c := projectiontest.NewTestCity(t)
	events, err := c.Store.ReadAll(context.Background(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	live := New()
	c.Fold(live)
	snap, err := live.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	restored := New()
	if err := restored.Restore(snap); err != nil {
		t.Fatal(err)
	}

	// The filters draw on the places the city ever had, and one nowhere.
	var places [][3]string
	seen := map[[3]string]bool{}
	replayed := New()
	for _, e := range events {
		if err := replayed.Apply(e); err != nil {
			t.Fatal(err)
		}
		if x := replayed.Entries[domain.CompoundIDOf(e.StreamID)]; x != nil && !seen[[3]string{x.District, x.Street, x.Community}] {
			seen[[3]string{x.District, x.Street, x.Community}] = true
			places = append(places, [3]string{x.District, x.Street, x.Community})
		}
	}
	places = append(places, [3]string{"无此区", "无此街", "无此社区"})
	filter := func() Filter {
		var f Filter
		p := places[rng.IntN(len(places))]
		if rng.IntN(2) == 0 {
			f.District = p[0]
		}
		if rng.IntN(3) == 0 {
			f.Street = p[1]
		}
		if rng.IntN(4) == 0 {
			f.Community = p[2]
		}
		return f
	}

	positions := map[uint64]bool{0: true, events[len(events)-1].Position + 1: true}
	for range 40 {
		positions[events[rng.IntN(len(events))].Position] = true
	}
	for _, e := range events {
		if id := domain.CompoundIDOf(e.StreamID); (id == "X" || id == "Y") && handlers[e.Type] != nil {
			positions[e.Position-1], positions[e.Position] = true, true
		}
	}
	replayed, next, compared := New(), 0, 0
	for pos := range uint64(events[len(events)-1].Position + 2) {
		for next < len(events) && events[next].Position <= pos {
			if err := replayed.Apply(events[next]); err != nil {
				t.Fatal(err)
			}
			next++
		}
		if !positions[pos] {
			continue
		}
		for range 3 {
			f := filter()
			want := mustJSON(t, replayed.List(f))
			from := live
			if rng.IntN(3) == 0 {
				from = restored
			}
			if got := mustJSON(t, from.ListAsOf(f, pos)); got != want {
				t.Fatalf("seed %d, position %d, filter %+v, restored %v:\nfrom the histories\n%s\nreplayed\n%s", seed, pos, f, from == restored, got, want)
			}
			compared++
		}
	}
	t.Logf("%d lists at %d positions of %d", compared, len(positions), len(events))
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A snapshot of a model without histories (format 0) is refused, so the
// runner folds from the start instead of answering as-of lists from
// nothing.
func TestRestoreRefusesAnOlderFormat(t *testing.T) {
	old := New()
	old.Format = 0
	snap, err := old.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	m := New()
	if err := m.Restore(snap); err == nil {
		t.Fatal("a format-0 snapshot was restored")
	}
	if bad := (&counts{}).GobDecode(make([]byte, 13)); bad == nil {
		t.Fatal("13 bytes of counts were decoded")
	}
}
