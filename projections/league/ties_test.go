package league

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/casetrack/casetrack/projections/projectiontest"
)

// scored makes one row per unit with the figures given for the metrics of
// cfg, and scores them.
func scored(cfg Config, figures ...[]float64) []Row {
	n := len(cfg.Metrics)
	rows, values, scoring := make([]Row, len(figures)), make([]Value, 0, n*len(figures)), make([]float64, 2*n*len(figures))
	for i, f := range figures {
		for k := range cfg.Metrics {
			scoring[2*(k*len(figures)+i)] = f[k]
		}
	}
	composite := make([]float64, len(figures))
	score(cfg, scoring, composite, nil)
	for i := range figures {
		for k, w := range cfg.Metrics {
			j := 2 * (k*len(figures) + i)
			values = append(values, Value{Key: w.Key, Value: &scoring[j], Score: &scoring[j+1], Weight: w.Weight})
		}
	}
	for i := range rows {
		rows[i] = Row{Unit: fmt.Sprintf("u%d", i+1), Score: composite[i], Metrics: values[i*n : (i+1)*n]}
	}
	return rows
}

func oneMetric(key, normalisation string) Config {
	return Config{Name: "t", Normalisation: normalisation, RedList: 1, BlackList: 1, Metrics: []MetricWeight{{Key: key, Weight: 1}}}
}

func scores(rows []Row) []float64 {
	var out []float64
	for _, r := range rows {
		out = append(out, *r.Metrics[0].Score)
	}
	return out
}

func TestTiedFiguresScoreAlike(t *testing.T) {
	cases := []struct {
		name   string
		cfg    Config
		values []float64
		want   []float64
	}{
		// Every unit ties: the middle score, whichever way is better.
		{"all tie, lower is better", oneMetric("complaints_per_1000", "minmax"), []float64{2, 2, 2}, []float64{50, 50, 50}},
		{"all tie, higher is better (0% coverage)", oneMetric("committee_coverage", "minmax"), []float64{0, 0, 0}, []float64{50, 50, 50}},
		{"all tie by rank", oneMetric("response_rate", "rank"), []float64{0.9, 0.9, 0.9, 0.9}, []float64{50, 50, 50, 50}},
		{"one unit", oneMetric("response_rate", "rank"), []float64{0.9}, []float64{50}},
		// Min–max: (v−lo)/(hi−lo); two tied at the top both score 100.
		{"tied at the top, min–max", oneMetric("response_rate", "minmax"), []float64{0, 1, 1}, []float64{0, 100, 100}},
		// Rank: places 0..3 of 4 over 3; the tied pair shares places 1 and 2: 1.5/3 = 50.
		{"tied pair by rank", oneMetric("response_rate", "rank"), []float64{1, 2, 2, 3}, []float64{0, 50, 50, 100}},
		// Lower is better: 100 − the above.
		{"tied pair by rank, lower is better", oneMetric("return_rate", "rank"), []float64{1, 2, 2, 3}, []float64{100, 50, 50, 0}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var figures [][]float64
			for _, v := range tc.values {
				figures = append(figures, []float64{v})
			}
			if got := scores(scored(tc.cfg, figures...)); !slices.Equal(got, tc.want) {
				t.Errorf("scores %v, want %v", got, tc.want)
			}
		})
	}
}

// rows of the given composite scores, best first.
func totals(scores ...float64) []Row {
	rows := make([]Row, len(scores))
	for i, s := range scores {
		rows[i] = Row{Unit: fmt.Sprintf("u%d", i+1), Score: s}
	}
	return rows
}

func lists(rows []Row) (ranks []int, lists string) {
	for _, r := range rows {
		ranks = append(ranks, r.Rank)
		switch r.List {
		case "red":
			lists += "R"
		case "black":
			lists += "B"
		default:
			lists += "-"
		}
	}
	return ranks, lists
}

func TestTiedTotalsRanksAndLists(t *testing.T) {
	cases := []struct {
		name       string
		red, black int
		rows       []Row
		rising     int // 1-based row flagged 只降不升; 0 none
		mayBeRed   bool
		ranks      []int
		lists      string
	}{
		{"tied totals share a rank", 1, 1, totals(90, 70, 70, 10), 0, false, []int{1, 2, 2, 4}, "R--B"},
		// Ranks 2 and 2 are both within a red list of 2; the bottom two share place 3 from the bottom.
		{"a tie at the list's edge takes both", 2, 1, totals(90, 70, 70, 10), 0, false, []int{1, 2, 2, 4}, "RRRB"},
		{"every unit ties: no list", 2, 2, totals(60, 60, 60), 0, false, []int{1, 1, 1}, "---"},
		{"tied at the bottom: both black", 1, 1, totals(90, 10, 10), 0, false, []int{1, 2, 2}, "RBB"},
		// Fewer units than the lists: the middle unit is due on both, so on neither.
		{"fewer units than the lists", 5, 5, totals(90, 50, 10), 0, false, []int{1, 2, 3}, "R-B"},
		{"a 只降不升 unit is never red", 2, 1, totals(90, 70, 10), 1, false, []int{1, 2, 3}, "-RB"},
		{"unless the campaign allows it", 2, 1, totals(90, 70, 10), 1, true, []int{1, 2, 3}, "RRB"},
		{"a rising unit among fewer units than the list", 5, 0, totals(90, 50), 1, false, []int{1, 2}, "--"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.rising > 0 {
				tc.rows[tc.rising-1].Rising = true
			}
			sorted := make([]ranked, len(tc.rows))
			for i, r := range tc.rows {
				sorted[i].score = r.Score
			}
			for i := range tc.rows {
				tc.rows[i].Rank, tc.rows[i].List = rankAndList(Config{RedList: tc.red, BlackList: tc.black, RisingMayBeRed: tc.mayBeRed}, sorted, i, tc.rows[i].Rising)
			}
			ranks, got := lists(tc.rows)
			if !slices.Equal(ranks, tc.ranks) || got != tc.lists {
				t.Errorf("ranks %v lists %s, want %v %s", ranks, got, tc.ranks, tc.lists)
			}
			if i := tc.rising - 1; i >= 0 && !tc.mayBeRed && tc.rows[i].List == "red" {
				t.Error("a rising unit is on the red list")
			}
		})
	}
}

// Through Table: a campaign of one metric on which the two streets tie (no
// listing in 2024 anywhere) has no red and no black list, both streets rank
// first and score the middle 50.
func TestTableWhenEveryUnitTies(t *testing.T) {
	m := city(t)
	cfg := Config{Name: "t", Normalisation: "minmax", RedList: 1, BlackList: 1, Metrics: []MetricWeight{{Key: "listings", Weight: 1}}}
	tb := m.Table(cfg, Query{Level: LevelStreet, Period: Period{at(2024, 1, 1, 0), at(2025, 1, 1, 0)}})
	for _, r := range tb.Rows {
		if r.Rank != 1 || r.List != "" || r.Score != 50 {
			t.Errorf("%s: rank %d list %q score %v, want 1, none, 50", r.Name, r.Rank, r.List, r.Score)
		}
	}
	if len(tb.Rows) != 2 {
		t.Fatalf("%d rows", len(tb.Rows))
	}
}

// The units are placed best first, ties by ID, as a whole sort places
// them, at least over the places asked (a page's): random composites in
// hundredths, many tied, in random pages.
func TestOrderPlacesAsASortWould(t *testing.T) {
	seed := projectiontest.Seed(t)
	rng := rand.New(rand.NewPCG(seed, 19))
	for range 200 {
		n := 1 + rng.IntN(300)
		s, tallies := &scratch{}, make([]*tally, n)
		for i, o := range rng.Perm(n) {
			tallies[i] = &tally{order: int32(o)}
			s.composite = append(s.composite, float64(rng.IntN(1+rng.IntN(10001)))/100)
		}
		want := make([]ranked, n)
		for i, t := range tallies {
			want[i] = ranked{s.composite[i], t.order, int32(i)}
		}
		slices.SortFunc(want, func(a, b ranked) int {
			if c := cmp.Compare(b.score, a.score); c != 0 {
				return c
			}
			return cmp.Compare(a.order, b.order)
		})
		lo := rng.IntN(n + 1)
		hi := lo + rng.IntN(n-lo+1)
		order(s, tallies, lo, hi)
		if !slices.Equal(s.ranked[lo:hi], want[lo:hi]) {
			t.Fatalf("seed %d: places %d..%d of %d:\n%v\nwant\n%v", seed, lo, hi, n, s.ranked[lo:hi], want[lo:hi])
		}
		for k := range want { // and every place by score, ranked as they would be
			if s.ranked[k].score != want[k].score {
				t.Fatalf("seed %d: place %d scores %v, want %v", seed, k, s.ranked[k].score, want[k].score)
			}
		}
	}
}

// A table's rows are its units by score, best first (worst first if asked),
// ties by ID; a unit ranks one below the units that score more.
func TestTableRowsAreInOrder(t *testing.T) {
	seed := projectiontest.Seed(t)
	rng := rand.New(rand.NewPCG(seed, 20))
	m, events := indexedDemo(t)
	ties := 0
	for range 60 {
		q := Query{Level: levelOrder[rng.IntN(len(levelOrder))], Period: randomPeriod(t, rng), WorstFirst: rng.IntN(2) == 0}
		tb := m.TableAsOf(allMetrics(), q, events[rng.IntN(len(events))].Position, m.Recorded)
		rows := slices.Clone(tb.Rows)
		if q.WorstFirst {
			slices.Reverse(rows)
		}
		for i, r := range rows {
			above := 0
			for _, o := range rows {
				if o.Score > r.Score {
					above++
				}
			}
			if r.Rank != above+1 {
				t.Fatalf("seed %d: %s scores %v, ranks %d with %d above", seed, r.Unit, r.Score, r.Rank, above)
			}
			if i == 0 {
				continue
			}
			p := rows[i-1]
			if p.Score < r.Score || p.Score == r.Score && p.Unit >= r.Unit {
				t.Fatalf("seed %d: %s (%v) before %s (%v)", seed, p.Unit, p.Score, r.Unit, r.Score)
			}
			if p.Score == r.Score {
				ties++
			}
		}
	}
	if ties == 0 {
		t.Error("no tie met: the order of ties is not tested")
	}
}
