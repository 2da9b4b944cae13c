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
	value  func(t *tally) (v float64, ok bool, c Count)
}

func rate(c func(t *tally) Count) func(t *tally) (float64, bool, Count) {
	return func(t *tally) (float64, bool, Count) {
		x := c(t)
		if x.Den == 0 {
			return 0, false, x
		}
		return x.Num / x.Den, true, x
	}
}

func number(c func(t *tally) Count) func(t *tally) (float64, bool, Count) {
	return func(t *tally) (float64, bool, Count) { x := c(t); return x.Den, true, x }
}

// change is the year-on-year change of a count, as a fraction; from zero
// to something counts as +100%.
func change(cur, prev func(t *tally) Count) func(t *tally) (float64, bool, Count) {
	return func(t *tally) (float64, bool, Count) {
		c, p := cur(t), prev(t)
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
	{"complaints_per_1000", zh("complaints_per_1000"), false, "per_1000", func(t *tally) (float64, bool, Count) {
		received := t.cur[cReceived]
		x := explained(received.Den, float64(t.households), received.events, received.events.items(), t.homes)
		return x.Num / max(x.Den, 1) * 1000, t.households > 0, x
	}},
	{"complaints_yoy", zh("complaints_yoy"), false, "percent", change(func(t *tally) Count { return t.cur[cReceived] }, func(t *tally) Count { return t.prev[cReceived] })},
	{"petitions_lawsuits_yoy", zh("petitions_lawsuits_yoy"), false, "percent", change(func(t *tally) Count { return t.cur[cPetitionsSuits] }, func(t *tally) Count { return t.prev[cPetitionsSuits] })},
	{"response_rate", zh("response_rate"), true, "percent", rate(func(t *tally) Count { return t.cur[cResponse] })},
	{"closure_rate", zh("closure_rate"), true, "percent", rate(func(t *tally) Count { return t.cur[cClosure] })},
	{"resolution_rate", zh("resolution_rate"), true, "percent", rate(func(t *tally) Count { return t.cur[cResolution] })},
	{"satisfaction_rate", zh("satisfaction_rate"), true, "percent", rate(func(t *tally) Count { return t.cur[cSatisfied] })},
	{"return_rate", zh("return_rate"), false, "percent", rate(func(t *tally) Count { return t.cur[cReturned] })},
	{"reopen_rate", zh("reopen_rate"), false, "percent", rate(func(t *tally) Count { return t.cur[cReopened] })},
	{"measures_on_time", zh("measures_on_time"), true, "percent", rate(func(t *tally) Count { return t.measuresOnTime })},
	{"overdue_measures", zh("overdue_measures"), false, "count", number(func(t *tally) Count { return t.overdueMeasures })},
	{"listings", zh("listings"), false, "count", number(func(t *tally) Count { return t.listed })},
	{"committee_coverage", zh("committee_coverage"), true, "percent", rate(func(t *tally) Count { return t.coverage })},
	{"expired_committees", zh("expired_committees"), false, "count", number(func(t *tally) Count { return t.expired })},
	{"party_member_share", zh("party_member_share"), true, "percent", rate(func(t *tally) Count { return t.partyShare })},
	{"dual_role_share", zh("dual_role_share"), true, "percent", rate(func(t *tally) Count { return t.dualRole })},
	{"red_property_share", zh("red_property_share"), true, "percent", rate(func(t *tally) Count { return t.redProperty })},
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
// Every figure goes into one block of values, scored metric by metric; the
// units are sorted as small keys (score, then their place by ID: the
// layout's, or sorted here when found by key), and each row is made once,
// in its place.
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
		slices.SortFunc(s.ranked, func(a, b ranked) int { return strings.Compare(tallies[a.i].unit, tallies[b.i].unit) })
		for o, r := range s.ranked {
			tallies[r.i].order = int32(o)
		}
	}
	from, to := q.window(len(tallies))
	paged := to-from < len(tallies)
	var figures []float64 // every value and its score, in one allocation
	var values []Value    // every row's metrics, in one allocation
	if paged {            // the page's are copied out of them
		s.figures, s.values = sized(s.figures, 2*n*len(tallies)), sized(s.values, n*len(tallies))
		figures, values = s.figures, s.values
	} else {
		figures, values = make([]float64, 2*n*len(tallies)), make([]Value, n*len(tallies))
	}
	for i, t := range tallies {
		for k, w := range cfg.Metrics {
			def := &defs[k]
			v, ok, c := def.value(t)
			mv := &values[i*n+k]
			*mv = Value{Key: def.Key, Label: def.Label, Unit: def.Unit, Num: c.Num, Den: c.Den, Weight: w.Weight}
			if j := 2 * (i*n + k); ok { // score fills in the score
				figures[j], mv.Value, mv.Score = v, &figures[j], &figures[j+1]
			}
			if q.Explain {
				mv.Explain = &Explanation{sortedIDs(c.NumEvents), sortedIDs(c.DenEvents), sortedIDs(c.WeekdaysOnly), sortedIDs(c.against(higher(w)))}
			}
		}
	}
	s.composite = sized(s.composite, len(tallies))
	s.column = score(cfg, values, s.composite, s.column)
	s.ranked = sized(s.ranked, len(tallies))
	for i, t := range tallies {
		s.ranked[i] = ranked{s.composite[i], t.order, int32(i)}
	}
	slices.SortFunc(s.ranked, func(a, b ranked) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return cmp.Compare(a.order, b.order)
	})
	var rows []Row
	if paged {
		s.rows = sized(s.rows, len(tallies))
		rows = s.rows
	} else {
		rows = make([]Row, len(tallies))
	}
	for j, r := range s.ranked {
		t := tallies[r.i]
		rows[j] = Row{Unit: t.unit, Name: t.name, Score: r.score, Metrics: values[int(r.i)*n : int(r.i+1)*n : int(r.i+1)*n],
			Rising: t.cur[cPetitionsSuits].Den > t.prev[cPetitionsSuits].Den}
	}
	rankAndList(cfg, rows)
	if q.WorstFirst {
		slices.Reverse(rows)
	}
	if paged {
		rows = copyRows(rows[from:to])
	}
	for j := range rows {
		k := from + j // its place in the ranking, best first
		if q.WorstFirst {
			k = len(tallies) - 1 - k
		}
		t := tallies[s.ranked[k].i]
		rows[j].District, rows[j].Street, rows[j].Community = whereIs(q.Level, t, at, places)
	}
	return Table{Campaign: cfg.Name, Level: q.Level, From: q.Period.From, To: q.Period.To, Position: pos,
		AsOf: recorded, JudgedAt: at, Rows: rows, Units: len(tallies)}
}

// copyRows copies rows out of pooled memory, with their metrics and
// figures.
func copyRows(rows []Row) []Row {
	out := make([]Row, len(rows))
	if len(rows) == 0 {
		return out
	}
	n := len(rows[0].Metrics)
	values, figures := make([]Value, n*len(rows)), make([]float64, 2*n*len(rows))
	for j := range rows {
		m := values[j*n : (j+1)*n : (j+1)*n]
		copy(m, rows[j].Metrics)
		for k := range m {
			if m[k].Value != nil { // and its score
				f := figures[2*(j*n+k):]
				f[0], f[1] = *m[k].Value, *m[k].Score
				m[k].Value, m[k].Score = &f[0], &f[1]
			}
		}
		out[j] = rows[j]
		out[j].Metrics = m
	}
	return out
}

// whereIs names the district, street and community of a unit: its path, or
// a compound's own place (of places) when judged at at; companies have none.
func whereIs(l Level, t *tally, at time.Time, places func(slot int32) []Place) (district, street, community string) {
	p := t.key.path
	switch l {
	case LevelCompany:
		return "", "", ""
	case LevelCompound:
		ps := places(t.slot)
		pl := placeIn(ps, judgedEpoch(ps, at))
		return pl.District, pl.Street, pl.Community
	}
	return p[0], p[1], p[2]
}

// sortedIDs sorts event IDs, never nil so that JSON shows an empty list.
func sortedIDs(ids []string) []string {
	return append([]string{}, slices.Sorted(slices.Values(ids))...)
}

// rankAndList ranks rows sorted best first: equal scores share a rank
// (1, 2, 2, 4). The red list is the units ranked within red_list from the
// top, the black list those within black_list from the bottom (ranked the
// same way upwards); a unit tied with the worst is never red, one tied with
// the best never black, so that when every unit ties both lists are empty;
// a unit due on both (fewer units than the lists) is on neither; and a unit
// whose petitions and suits rose (只降不升) is not red unless the campaign
// says otherwise. A red place a rising unit leaves is not handed down.
func rankAndList(cfg Config, rows []Row) {
	n := len(rows)
	if n == 0 {
		return
	}
	best, worst := rows[0].Score, rows[n-1].Score
	fromBottom := make([]int, n)
	for i := n - 1; i >= 0; i-- {
		fromBottom[i] = n - i
		if i < n-1 && rows[i].Score == rows[i+1].Score {
			fromBottom[i] = fromBottom[i+1]
		}
	}
	for i := range rows {
		rows[i].Rank = i + 1
		if i > 0 && rows[i].Score == rows[i-1].Score {
			rows[i].Rank = rows[i-1].Rank
		}
		red := rows[i].Rank <= cfg.RedList && rows[i].Score != worst && !(rows[i].Rising && !cfg.RisingMayBeRed)
		black := fromBottom[i] <= cfg.BlackList && rows[i].Score != best
		switch {
		case red && !black:
			rows[i].List = "red"
		case black && !red:
			rows[i].List = "black"
		}
	}
}

// score normalises each metric across the units (min–max or rank) so that
// 100 is the best unit, then weighs them into the composite. A unit with no
// figure for a metric is scored on the others. values holds each unit's
// metrics in turn, each figure with its score's place already; composite
// gets each unit's. buf is room for one metric's figures, returned for
// reuse.
func score(cfg Config, values []Value, composite, buf []float64) []float64 {
	n := len(cfg.Metrics)
	for k, w := range cfg.Metrics {
		higher := higher(w)
		buf = buf[:0]
		lo, hi := math.Inf(1), math.Inf(-1)
		for i := k; i < len(values); i += n {
			if v := values[i].Value; v != nil {
				buf = append(buf, *v)
				lo, hi = min(lo, *v), max(hi, *v)
			}
		}
		if cfg.Normalisation == "rank" {
			slices.Sort(buf)
		}
		for i := k; i < len(values); i += n {
			v := values[i].Value
			if v == nil {
				continue
			}
			s := normalise(cfg.Normalisation, lo, hi, buf, *v)
			if !higher {
				s = 100 - s // a tie's 50 stays 50
			}
			s = math.Round(s*100) / 100
			*values[i].Score = s
		}
	}
	for i := range composite {
		var sum, weights float64
		for _, v := range values[i*n : (i+1)*n] {
			if v.Score != nil && v.Weight > 0 {
				sum += *v.Score * v.Weight
				weights += v.Weight
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
