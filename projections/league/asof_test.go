package league

import (
	"context"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
	"github.com/casetrack/casetrack/projections/projectiontest"
)

// A table as of a past position, counted from the live model's known facts
// and versions, is the table of a model replayed from zero to that
// position: at random positions (knowledge time), for random levels,
// periods and judging times (business time), on the demo city with its
// moves; also from a model restored from a snapshot. The seed is printed
// (CASETRACK_ASOF_SEED repeats a run).
func TestTableAsOfAgreesWithReplay(t *testing.T) {
	seed := projectiontest.Seed(t)
	rng := rand.New(rand.NewPCG(seed, 17))
	events := demoEvents(t)
	book := domain.DefaultRuleBook()
	live := New(book)
	for i, e := range events {
		if i == len(events)/3 {
			live.Index() // the running totals, summed half-way, kept by the fold since
		}
		if err := live.Apply(e); err != nil {
			t.Fatal(err)
		}
	}
	restored := restoredFrom(t, live)

	// Positions at random, and the last before each move and correction
	// and the one of it (they are near the end of the log).
	positions := []uint64{1, events[len(events)-1].Position}
	for range 12 {
		positions = append(positions, events[rng.IntN(len(events))].Position)
	}
	corrections := []string{(domain.CompoundMoved{}).EventType(), (domain.CompoundRenamed{}).EventType(),
		(domain.CompoundFiguresCorrected{}).EventType(), (domain.ComplaintVoided{}).EventType(), (domain.ComplaintCategoryAmended{}).EventType()}
	for _, e := range events {
		if slices.Contains(corrections, e.Type) {
			positions = append(positions, e.Position-1, e.Position)
		}
	}
	slices.Sort(positions)
	positions = slices.Compact(positions)

	cfg := allMetrics()
	replayed, next, compared := New(book), 0, 0
	for _, pos := range positions {
		for next < len(events) && events[next].Position <= pos {
			if err := replayed.Apply(events[next]); err != nil {
				t.Fatal(err)
			}
			next++
		}
		for range 4 {
			q := Query{Level: levelOrder[rng.IntN(len(levelOrder))], Period: randomPeriod(t, rng), WorstFirst: rng.IntN(4) == 0}
			switch rng.IntN(3) {
			case 0: // judged when the position's event was recorded, as the service judges an as-of table
				q.At = replayed.Recorded
			case 1:
				q.At = time.Date(2024, 6, 1, 0, 0, 0, 0, domain.China).Add(time.Duration(rng.Int64N(int64(900 * 24 * time.Hour))))
			}
			want := mustJSON(replayed.Table(cfg, q))
			from := live
			if rng.IntN(3) == 0 {
				from = restored
			}
			if got := mustJSON(from.TableAsOf(cfg, q, pos, replayed.Recorded)); got != want {
				t.Fatalf("seed %d, position %d, %s %s..%s judged at %s, restored %v:\nfrom the index\n%s\nreplayed\n%s",
					seed, pos, q.Level, q.Period.From, q.Period.To, q.At, from == restored, got, want)
			}
			compared++
		}
	}
	t.Logf("%d tables at %d positions of %d", compared, len(positions), len(events))
}

// randomPeriod is a year, quarter, month or span of days around the demo's
// two years.
func randomPeriod(t *testing.T, rng *rand.Rand) Period {
	var s string
	switch year := 2023 + rng.IntN(4); rng.IntN(4) {
	case 0:
		s = strconv.Itoa(year)
	case 1:
		s = strconv.Itoa(year) + "-Q" + strconv.Itoa(1+rng.IntN(4))
	case 2:
		s = time.Date(year, time.Month(1+rng.IntN(12)), 1, 0, 0, 0, 0, domain.China).Format("2006-01")
	default:
		from := time.Date(2024, 1, 1, 0, 0, 0, 0, domain.China).AddDate(0, 0, rng.IntN(760))
		s = from.Format(time.DateOnly) + ".." + from.AddDate(0, 0, rng.IntN(400)).Format(time.DateOnly)
	}
	p, err := ParsePeriod(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// The service answers a table as of a past position or time from the live
// model's known facts, and an explained one from a model replayed from
// zero (no snapshot is kept here): both give the same table, explanations
// aside.
func TestServiceAsOfAgreesWithReplay(t *testing.T) {
	ctx := context.Background()
	store, events := demoLog(t)
	runner, err := projections.NewRunner(func() *Model { return New(domain.DefaultRuleBook()) }, projections.NewMemoryCheckpoints(), 1<<40)
	if err != nil {
		t.Fatal(err)
	}
	if err := runner.CatchUp(ctx, store); err != nil {
		t.Fatal(err)
	}
	svc := NewService(runner, store, allMetrics())
	rng := rand.New(rand.NewPCG(17, 1))
	for i := range 4 {
		e := events[rng.IntN(len(events)-1)]
		view := projections.Query{AsOfPosition: e.Position}
		if i%2 == 1 {
			view = projections.Query{AsOf: e.RecordedAt}
		}
		q := Query{Level: levelOrder[i%len(levelOrder)], Period: randomPeriod(t, rng)}
		got, err := svc.Table(ctx, Request{Query: q, View: view})
		if err != nil {
			t.Fatal(err)
		}
		q.Explain = true
		want, err := svc.Table(ctx, Request{Query: q, View: view})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range want.Rows {
			for k := range r.Metrics {
				r.Metrics[k].Explain = nil
			}
		}
		if a, b := mustJSON(got), mustJSON(want); a != b || got.Position == 0 || got.Position >= uint64(len(events)) {
			t.Fatalf("as of %+v, %s %s..%s:\nfrom the index\n%s\nreplayed\n%s", view, q.Level, q.Period.From, q.Period.To, a, b)
		}
	}
}

// A table of the past shares its level's layout with every position up to
// the next change of the compounds' shape, reads the live layout when none
// came since, and the layouts kept for the past stay bounded however many
// changes are asked about; a restored model finds the same changes.
func TestPastLayoutsShared(t *testing.T) {
	events := demoEvents(t)
	live := New(domain.DefaultRuleBook())
	for _, e := range events {
		if err := live.Apply(e); err != nil {
			t.Fatal(err)
		}
	}
	restored := restoredFrom(t, live)
	ix := live.ix
	for k := range ix.shapes {
		if !slices.Equal(ix.shapes[k], restored.ix.shapes[k]) {
			t.Fatalf("shape %d changed at %v, restored at %v", k, ix.shapes[k], restored.ix.shapes[k])
		}
	}
	asked := 0
	for _, l := range levelOrder {
		var changes []uint64
		for k, ps := range ix.shapes {
			if shapedBy(l)&(1<<k) != 0 {
				changes = append(changes, ps...)
			}
		}
		slices.Sort(changes)
		changes = slices.Compact(changes)
		if len(changes) == 0 {
			t.Fatalf("%s: the demo log changes no compound's shape", l)
		}
		last := changes[len(changes)-1]
		if got := ix.layoutAsOf(l, last); got != ix.level(l) {
			t.Fatalf("%s as of the last change (%d): not the live layout", l, last)
		}
		from := uint64(0)
		for _, until := range changes {
			if until > from+1 {
				if a, b := ix.layoutAsOf(l, from), ix.layoutAsOf(l, until-1); a != b || a == ix.level(l) {
					t.Fatalf("%s between %d and %d: layouts %p and %p (live %p)", l, from, until, a, b, ix.level(l))
				}
			}
			asked++
			from = until
		}
		if len(ix.past) > maxPastLayouts {
			t.Fatalf("%d layouts kept for the past, more than %d", len(ix.past), maxPastLayouts)
		}
	}
	t.Logf("%d layouts of the past asked", asked)
}

// A page of a table is its rows from Offset, at most Limit, ranked and
// listed as in the whole table, whether it is counted live, as of a past
// position, or served; its rows stay as they were while later tables are
// made in the same pooled memory.
func TestTablePagesAreTheTablesRows(t *testing.T) {
	seed := projectiontest.Seed(t)
	rng := rand.New(rand.NewPCG(seed, 18))
	m, events := indexedDemo(t)
	cfg := allMetrics()
	type made struct {
		page Table
		want string
	}
	var pages []made
	for range 40 {
		q := Query{Level: levelOrder[rng.IntN(len(levelOrder))], Period: randomPeriod(t, rng), WorstFirst: rng.IntN(2) == 0}
		pos := events[rng.IntN(len(events))].Position
		asOf := rng.IntN(2) == 0
		table := func(q Query) Table {
			if asOf {
				return m.TableAsOf(cfg, q, pos, m.Recorded)
			}
			return m.Table(cfg, q)
		}
		whole := table(q)
		n := len(whole.Rows)
		q.Offset, q.Limit = rng.IntN(n+3), rng.IntN(n+3)
		page := table(q)
		from, to := min(q.Offset, n), n
		if q.Limit > 0 {
			to = min(from+q.Limit, n)
		}
		want := mustJSON(whole.Rows[from:to])
		if got := mustJSON(page.Rows); got != want || page.Units != n || whole.Units != n {
			t.Fatalf("seed %d, %s %+v as of %v (%d): %d of %d units, rows %d..%d of %d:\n%s\nwant\n%s", seed, q.Level, q.Period, asOf, pos,
				page.Units, n, from, to, whole.Units, got, want)
		}
		if served := whole.Page(q); mustJSON(served.Rows) != want || served.Units != n {
			t.Fatalf("seed %d: the whole table's page differs", seed)
		}
		pages = append(pages, made{page, want})
	}
	for i, p := range pages {
		if got := mustJSON(p.page.Rows); got != p.want {
			t.Fatalf("seed %d: page %d changed after later tables:\n%s\nwas\n%s", seed, i, got, p.want)
		}
	}
}
