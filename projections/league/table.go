package league

import (
	"cmp"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/casetrack/casetrack/labels"
)

// MetricDef is a metric the campaign may rank by.
type MetricDef struct {
	Key    string `json:"key"`
	Label  string `json:"label"`  // 中文名
	Higher bool   `json:"higher"` // higher is better
	Unit   string `json:"unit"`   // percent (a fraction shown ×100), per_1000 or count
	value  func(t counted) (v float64, ok bool, c Count)
}

func rate(f field) func(t counted) (float64, bool, Count) {
	return func(t counted) (float64, bool, Count) {
		x := t.count(f)
		if x.Den == 0 {
			return 0, false, x
		}
		return x.Num / x.Den, true, x
	}
}

func number(f field) func(t counted) (float64, bool, Count) {
	return func(t counted) (float64, bool, Count) { x := t.count(f); return x.Den, true, x }
}

// change is the year-on-year change of a counter, as a fraction; from zero
// to something counts as +100%.
func change(k counter) func(t counted) (float64, bool, Count) {
	return func(t counted) (float64, bool, Count) {
		c, p := t.count(cur(k)), t.count(prev(k))
		x := explained(c.Den, p.Den, c.events, c.events.items(), p.events.items())
		switch {
		case c.Den == 0 && p.Den == 0:
			return 0, false, x
		case p.Den == 0:
			return 1, true, x
		}
		return (c.Den - p.Den) / p.Den, true, x
	}
}

func zh(key string) string { return labels.Of(labels.ZH, labels.Metric, key) }

// Metrics are every metric of the domain reference's league tables.
var Metrics = []MetricDef{
	{"complaints_per_1000", zh("complaints_per_1000"), false, "per_1000", func(t counted) (float64, bool, Count) {
		received := t.count(cur(cReceived))
		var homes []string
		if t.ev != nil {
			homes = t.ev.homes
		}
		x := explained(received.Den, float64(t.households), received.events, received.events.items(), homes)
		return x.Num / max(x.Den, 1) * 1000, t.households > 0, x
	}},
	{"complaints_yoy", zh("complaints_yoy"), false, "percent", change(cReceived)},
	{"petitions_lawsuits_yoy", zh("petitions_lawsuits_yoy"), false, "percent", change(cPetitionsSuits)},
	{"response_rate", zh("response_rate"), true, "percent", rate(cur(cResponse))},
	{"closure_rate", zh("closure_rate"), true, "percent", rate(cur(cClosure))},
	{"resolution_rate", zh("resolution_rate"), true, "percent", rate(cur(cResolution))},
	{"satisfaction_rate", zh("satisfaction_rate"), true, "percent", rate(cur(cSatisfied))},
	{"return_rate", zh("return_rate"), false, "percent", rate(cur(cReturned))},
	{"reopen_rate", zh("reopen_rate"), false, "percent", rate(cur(cReopened))},
	{"measures_on_time", zh("measures_on_time"), true, "percent", rate(fMeasuresOnTime)},
	{"overdue_measures", zh("overdue_measures"), false, "count", number(fOverdueMeasures)},
	{"listings", zh("listings"), false, "count", number(fListed)},
	{"committee_coverage", zh("committee_coverage"), true, "percent", rate(fCoverage)},
	{"expired_committees", zh("expired_committees"), false, "count", number(fExpired)},
	{"party_member_share", zh("party_member_share"), true, "percent", rate(fPartyShare)},
	{"dual_role_share", zh("dual_role_share"), true, "percent", rate(fDualRole)},
	{"red_property_share", zh("red_property_share"), true, "percent", rate(fRedProperty)},
}

// higher reports whether higher is better for a configured metric.
func higher(w MetricWeight) bool {
	if w.Direction != "" {
		return w.Direction == "higher"
	}
	def, _ := metricDef(w.Key)
	return def.Higher
}

func metricDef(key string) (MetricDef, bool) {
	for _, m := range Metrics {
		if m.Key == key {
			return m, true
		}
	}
	return MetricDef{}, false
}

// Value is one metric of one unit: the figure, what it was computed from,
// its normalised score and its weight in the composite.
type Value struct {
	Key     string       `json:"key"`
	Label   string       `json:"label"`
	Unit    string       `json:"unit"`  // percent, per_1000 or count (MetricDef.Unit)
	Value   *float64     `json:"value"` // nil: nothing to measure in the period
	Num     float64      `json:"numerator"`
	Den     float64      `json:"denominator"`
	Score   *float64     `json:"score"` // 0–100, 100 best
	Weight  float64      `json:"weight"`
	Explain *Explanation `json:"explain,omitempty"` // explain only
}

// Explanation lists the events behind a figure, every list always present.
// A rate's denominator lists every item counted and its numerator those that
// passed; a year-on-year change lists this period's events as numerator and
// the year before's as denominator; per 1000 households lists the
// receptions over the compounds' registrations; a count lists its items in
// both. WeekdaysOnly names the items whose limit was counted on weekdays
// only (a year the working-day calendar lacks).
type Explanation struct {
	Numerator    []string `json:"numerator_events"`
	Denominator  []string `json:"denominator_events"`
	WeekdaysOnly []string `json:"weekdays_only_events"`
	// Against are those that count against the unit: late, unsolved,
	// unsatisfied, returned or reopened (rates only; empty otherwise).
	Against []string `json:"against"`
}

// Row is one unit of a league table.
type Row struct {
	Rank      int     `json:"rank"`
	Unit      string  `json:"unit"` // the unit's ID: a compound's or company's, or the district/street/community path
	Name      string  `json:"name"`
	District  string  `json:"district,omitempty"` // where the unit is (none for companies)
	Street    string  `json:"street,omitempty"`
	Community string  `json:"community,omitempty"`
	Score     float64 `json:"score"`          // weighted composite, 0–100
	List      string  `json:"list,omitempty"` // red (红榜) or black (黑榜)
	Rising    bool    `json:"rising"`         // petitions and suits rose against last year: 只降不升 breached
	Metrics   []Value `json:"metrics"`
}

// Table is a ranked league table.
type Table struct {
	Campaign string    `json:"campaign"`
	Level    Level     `json:"level"`
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	Position uint64    `json:"position"` // the last event the table reflects
	// AsOf is when the event at Position was recorded: the knowledge time
	// of the table; JudgedAt is when its open items were judged.
	AsOf     time.Time `json:"as_of"`
	JudgedAt time.Time `json:"judged_at"`
	// Snapshot is the position of the live projection's last saved
	// snapshot (0 for a table as of the past).
	Snapshot uint64 `json:"snapshot"`
	// Checkpoint names the audit checkpoint the table was computed at: the
	// Merkle tree of the log's first Position events. The API sets it (the
	// projection knows no tree); nil while the tree is being built.
	Checkpoint *TreeHead `json:"checkpoint,omitempty"`
	Rows       []Row     `json:"rows"`
	// Units is how many units the table ranks: Rows may be a page of them.
	Units int `json:"-"`
	// Edition numbers the computation of a table the service keeps: the
	// same edition is the same table (an encoding of it may be reused); 0
	// for a table made for one request (of the past, or explained).
	Edition uint64 `json:"-"`
}

// TreeHead is an audit checkpoint: the log's size and Merkle root
// (base64), and the signed note when it was signed (exports).
type TreeHead struct {
	Size   uint64 `json:"tree_size"`
	Root   string `json:"root"`
	Signed string `json:"signed,omitempty"`
}

// Query asks for one table.
type Query struct {
	Level      Level
	Period     Period
	At         time.Time // when open items are judged; zero: the period's end
	WorstFirst bool
	Explain    bool // keep the event IDs of every figure
	// Offset and Limit page the rows: those from the Offset-th (from 0,
	// in the table's order), at most Limit of them (0: all). Ranks, scores
	// and lists are the whole table's; a page of a table of the past
	// allocates only its own rows (a compound table's are megabytes).
	Offset, Limit int
}

// window is the span of n rows that the query's page takes.
func (q Query) window(n int) (from, to int) {
	from = min(max(q.Offset, 0), n)
	if to = n; q.Limit > 0 {
		to = min(from+q.Limit, n)
	}
	return from, to
}

// Page is the table with only the query's page of its rows (shared). A
// page is not the table its edition names: it has none.
func (tb Table) Page(q Query) Table {
	from, to := q.window(len(tb.Rows))
	if to-from < len(tb.Rows) {
		tb.Edition = 0
	}
	tb.Units, tb.Rows = len(tb.Rows), tb.Rows[from:to:to]
	return tb
}

// Table computes a league table from the model under a campaign config.
func (m *Model) Table(cfg Config, q Query) Table {
	at := q.judgedAt()
	u := m.count(q.Level, q.Period, at, q.Explain)
	defer u.release()
	places := func(slot int32) []Place { return m.ix.compounds[slot-1].Places }
	return rank(cfg, q, at, u, places, m.Pos, m.Recorded)
}

// judgedAt is when the query's open items are judged: at its time, never
// after its period.
func (q Query) judgedAt() time.Time {
	if q.At.IsZero() || q.At.After(q.Period.To) {
		return q.Period.To
	}
	return q.At
}

// ranked is a unit's place in a table: by composite score, best first,
// then by ID.
type ranked struct {
	score float64
	order int32 // the unit's place by ID
	i     int32 // its tally's
}

// rank makes the table of the units' tallies, as known at pos (recorded
// then), in their memory; places are a compound's (by slot, plus one).
// Every unit is scored, metric by metric, from its figures alone, and
// placed by score, then by its place by ID (the layout's, or sorted here
// when found by key); only the rows of the query's page are made (a
// compound table has thousands of units, each a dozen values).
func rank(cfg Config, q Query, at time.Time, u *units, places func(slot int32) []Place, pos uint64, recorded time.Time) Table {
	n := len(cfg.Metrics)
	defs := make([]MetricDef, n)
	for k, w := range cfg.Metrics {
		defs[k], _ = metricDef(w.Key)
	}
	tallies, s := u.list, u.mem()
	if len(tallies) > 0 && tallies[0].order < 0 { // found by key: ordered by ID here
		s.ranked = sized(s.ranked, len(tallies))
		for i := range tallies {
			s.ranked[i].i = int32(i)
		}
		slices.SortFunc(s.ranked, func(a, b ranked) int { return strings.Compare(u.ids[tallies[a.i].n], u.ids[tallies[b.i].n]) })
		for o, r := range s.ranked {
			tallies[r.i].order = int32(o)
		}
	}
	s.figures = resized(s.figures, 2*n*len(tallies)) // every figure is set, and every score of one
	figures := s.figures
	for i, t := range tallies {
		for k := range defs {
			v, ok, _ := defs[k].value(counted{tally: t}) // a figure needs no events
			if !ok {
				v = noFigure
			}
			figures[2*(k*len(tallies)+i)] = v
		}
	}
	s.composite = sized(s.composite, len(tallies))
	s.column = score(cfg, figures, s.composite, s.column)
	from, to := q.window(len(tallies))
	if q.WorstFirst {
		order(s, tallies, len(tallies)-to, len(tallies)-from)
	} else {
		order(s, tallies, from, to)
	}
	rows := make([]Row, to-from)
	for j := range rows {
		k := from + j // its place in the ranking, best first
		if q.WorstFirst {
			k = len(tallies) - 1 - k
		}
		r := s.ranked[k]
		t := u.withEvents(tallies[r.i])
		// Each row's own: a page's in one allocation was a large object,
		// fresh pages the kernel faulted in on every request.
		m, own := make([]Value, n), make([]float64, 2*n)
		for c, w := range cfg.Metrics {
			def := &defs[c]
			_, _, x := def.value(t)
			m[c] = Value{Key: def.Key, Label: def.Label, Unit: def.Unit, Num: x.Num, Den: x.Den, Weight: w.Weight}
			if f := figures[2*(c*len(tallies)+int(r.i)):]; !math.IsNaN(f[0]) {
				g := own[2*c:]
				g[0], g[1] = f[0], f[1]
				m[c].Value, m[c].Score = &g[0], &g[1]
			}
			if q.Explain {
				m[c].Explain = &Explanation{sortedIDs(x.NumEvents), sortedIDs(x.DenEvents), sortedIDs(x.WeekdaysOnly), sortedIDs(x.against(higher(w)))}
			}
		}
		row := Row{Unit: u.ids[t.n], Name: u.names[t.n], Score: r.score, Metrics: m, Rising: t.c[cur(cPetitionsSuits)].den > t.c[prev(cPetitionsSuits)].den}
		row.Rank, row.List = rankAndList(cfg, s.ranked, k, row.Rising)
		row.District, row.Street, row.Community = whereIs(q.Level, u.keys[t.n], t.slot, at, places)
		rows[j] = row
	}
	return Table{Campaign: cfg.Name, Level: q.Level, From: q.Period.From, To: q.Period.To, Position: pos,
		AsOf: recorded, JudgedAt: at, Rows: rows, Units: len(tallies)}
}

// order places the units best first (by composite score, then by ID) in
// s.ranked, as far as the places from lo to hi need: a composite is a
// whole number of hundredths (see score), so each unit is counted into
// the places of its score in one pass, and only the ties those places
// cut into are sorted by ID (a compound table sorted whole, by comparison,
// was most of a page of it at a province's size).
func order(s *scratch, tallies []*tally, lo, hi int) {
	s.ranked = sized(s.ranked, len(tallies))
	if len(tallies) == 0 {
		return
	}
	hundredths := func(score float64) int { return int(math.Round(score * 100)) }
	least, most := math.MaxInt, math.MinInt
	for _, c := range s.composite {
		least, most = min(least, hundredths(c)), max(most, hundredths(c))
	}
	// ends[b], for the scores b hundredths below the best, is where their
	// places start, and once the units are placed, where they end.
	s.ends = sized(s.ends, most-least+2)
	for _, c := range s.composite {
		s.ends[most-hundredths(c)+1]++
	}
	for b := 1; b < len(s.ends); b++ {
		s.ends[b] += s.ends[b-1]
	}
	for i, t := range tallies {
		c := s.composite[i]
		b := most - hundredths(c)
		s.ranked[s.ends[b]] = ranked{c, t.order, int32(i)}
		s.ends[b]++
	}
	for k := lo; k < hi; {
		b := most - hundredths(s.ranked[k].score)
		start, end := 0, s.ends[b]
		if b > 0 {
			start = s.ends[b-1]
		}
		slices.SortFunc(s.ranked[start:end], func(a, b ranked) int { return cmp.Compare(a.order, b.order) })
		k = end
	}
}

// noFigure marks a unit's metric with nothing to measure in the period
// (no figure is NaN otherwise: every rate has a denominator).
var noFigure = math.NaN()

// whereIs names the district, street and community of a unit: its path, or
// a compound's own place (of places) when judged at at; companies have none.
func whereIs(l Level, key unitKey, slot int32, at time.Time, places func(slot int32) []Place) (district, street, community string) {
	p := key.path
	switch l {
	case LevelCompany:
		return "", "", ""
	case LevelCompound:
		ps := places(slot)
		pl := placeIn(ps, judgedEpoch(ps, at))
		return pl.District, pl.Street, pl.Community
	}
	return p[0], p[1], p[2]
}

// sortedIDs sorts event IDs, never nil so that JSON shows an empty list.
func sortedIDs(ids []string) []string {
	return append([]string{}, slices.Sorted(slices.Values(ids))...)
}

// rankAndList ranks the unit at place k of the units sorted best first:
// equal scores share a rank (1, 2, 2, 4). The red list is the units ranked
// within red_list from the top, the black list those within black_list
// from the bottom (ranked the same way upwards); a unit tied with the worst
// is never red, one tied with the best never black, so that when every
// unit ties both lists are empty; a unit due on both (fewer units than the
// lists) is on neither; and a unit whose petitions and suits rose (只降不升,
// rising) is not red unless the campaign says otherwise. A red place a
// rising unit leaves is not handed down. Its ties are found by halving, so
// that a page ranks only its own rows.
func rankAndList(cfg Config, sorted []ranked, k int, rising bool) (rank int, list string) {
	n, score := len(sorted), sorted[k].score
	best, worst := sorted[0].score, sorted[n-1].score
	rank = sort.Search(n, func(i int) bool { return sorted[i].score <= score }) + 1
	fromBottom := n - sort.Search(n, func(i int) bool { return sorted[i].score < score }) + 1
	red := rank <= cfg.RedList && score != worst && !(rising && !cfg.RisingMayBeRed)
	black := fromBottom <= cfg.BlackList && score != best
	switch {
	case red && !black:
		return rank, "red"
	case black && !red:
		return rank, "black"
	}
	return rank, ""
}

// score normalises each metric across the units (min–max or rank) so that
// 100 is the best unit, then weighs them into the composite, rounded to
// hundredths. A unit with no
// figure for a metric is scored on the others. figures holds each metric's
// column in turn, each unit's figure (noFigure: none) and its score, which
// score fills in (a metric's figures side by side: a pass over one column
// reads no other); composite gets each unit's. buf is room for one metric's
// figures, returned for reuse.
func score(cfg Config, figures, composite, buf []float64) []float64 {
	units := len(composite)
	for k, w := range cfg.Metrics {
		higher := higher(w)
		column := figures[2*k*units : 2*(k+1)*units]
		buf = buf[:0]
		lo, hi := math.Inf(1), math.Inf(-1)
		for i := 0; i < len(column); i += 2 {
			if v := column[i]; !math.IsNaN(v) {
				buf = append(buf, v)
				lo, hi = min(lo, v), max(hi, v)
			}
		}
		if cfg.Normalisation == "rank" {
			slices.Sort(buf)
		}
		for i := 0; i < len(column); i += 2 {
			v := column[i]
			if math.IsNaN(v) {
				continue
			}
			s := normalise(cfg.Normalisation, lo, hi, buf, v)
			if !higher {
				s = 100 - s // a tie's 50 stays 50
			}
			column[i+1] = math.Round(s*100) / 100
		}
	}
	for i := range composite {
		var sum, weights float64
		for k, w := range cfg.Metrics {
			if f := figures[2*(k*units+i):]; !math.IsNaN(f[0]) && w.Weight > 0 {
				sum += f[1] * w.Weight
				weights += w.Weight
			}
		}
		if weights > 0 {
			composite[i] = math.Round(sum/weights*100) / 100
		}
	}
	return buf
}

// normalise maps v to 0–100 among the values from lo to hi (sorted: all of
// them, for rank), higher v higher score. Equal values score the same: by
// rank, tied values share the mean of the places they take. When every
// value ties (one unit included) each scores 50 whichever way is better,
// so that the metric cannot move the composite.
func normalise(method string, lo, hi float64, sorted []float64, v float64) float64 {
	if hi == lo {
		return 50
	}
	if method == "rank" {
		below := sort.SearchFloat64s(sorted, v)
		tied := sort.SearchFloat64s(sorted, math.Nextafter(v, math.Inf(1))) - below
		return (float64(below) + float64(tied-1)/2) / float64(len(sorted)-1) * 100
	}
	return (v - lo) / (hi - lo) * 100
}
