package league

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/casetrack/casetrack/domain"
)

// A city has hundreds of thousands of complaints, so a table does not walk
// them. The month index counts their facts (and lawsuits') by month and
// cell, with running totals, so a table's months cost two lookups a cell;
// it walks only the items of the months it cuts (its edges, and the month
// of the judging time). The compounds' own standing is kept packed, so a
// table walks thousands of them without chasing pointers. The fold keeps
// the index current once it exists; the first table of the live model
// builds it. The walk counts the same facts and gives the same answer: it
// serves explanations (event IDs) and one-off as-of models, which would
// not repay an index.
type index struct {
	byID      map[string]*Compound // the model's
	compounds []*Compound          // by slot
	standings []standing           // by slot
	cells     map[cellKey]int32
	cellKeys  []cellKey                                   // by cell
	cellSlot  []int32                                     // by cell: its compound's slot
	first     int                                         // the month of upTo[0]
	upTo      []column                                    // by month from first: the running totals up to and with it
	listed    map[int32][]item                            // by listing
	buf       []fact                                      // the fold's
	levels    [len(levelOrder)]atomic.Pointer[levelUnits] // nil: to be laid out again
}

// cellKey is where a fact is counted: its compound, and the property
// company serving when it happened (the company table goes by that).
type cellKey struct{ compound, company string }

type pair struct{ num, den int32 }

// column is one month's counts by cell; cells past its end count zero.
type column [][nCounters]pair

func (c *column) add(cell int32, k counter, num bool, sign int32) {
	for int(cell) >= len(*c) {
		*c = append(*c, [nCounters]pair{})
	}
	p := &(*c)[cell][k]
	p.den += sign
	if num {
		p.num += sign
	}
}

func (c column) at(cell int) [nCounters]pair {
	if cell < len(c) {
		return c[cell]
	}
	return [nCounters]pair{}
}

// standing is what a table reads of a compound itself.
type standing struct {
	registered, covered, serving, expiredNoReelection, reelection, dual, red, hasCompany bool
	households, party, members                                                           int32
	delivered, private                                                                   int64 // areas: eligibility is judged by the rules of the table's date
	termEnd                                                                              time.Time
	registration, election                                                               string // event IDs
}

func (c *Compound) standing() standing {
	cm := c.Committee
	serving := len(cm.Members) > 0 && !cm.ExpiredNoReelection
	return standing{
		registered: c.EventID != "",
		delivered:  int64(c.DeliveredArea), private: int64(c.PrivateArea),
		covered: serving && cm.Filed || c.InterimFiled,
		serving: serving, expiredNoReelection: cm.ExpiredNoReelection, reelection: cm.ReelectionStarted,
		dual: c.Secretary != "" && cm.Members[cm.Chair].Name == c.Secretary,
		red:  c.RedProperty, hasCompany: c.Company != "",
		households: int32(c.Households), party: int32(cm.partyMembers()), members: int32(len(cm.Members)),
		termEnd:      cm.TermEnd,
		registration: c.EventID, election: cm.EventID,
	}
}

// levelUnits is the unit of every compound and cell at one level, laid out
// once for the tables that follow, until a compound or cell is added or a
// compound moves or changes company.
type levelUnits struct {
	of    []int32 // by compound slot: the unit, or -1 for none
	cells []int32 // by cell
	keys  []unitKey
	names []string
}

var levelOrder = [...]Level{LevelStreet, LevelCommunity, LevelDistrict, LevelCompound, LevelCompany}

// indexHolder lets readers build the index, and lay out levels, once,
// together, while the fold (which excludes readers) keeps it current.
type indexHolder struct {
	mu sync.Mutex
	ix atomic.Pointer[index]
}

// Index builds the month index, if not built yet, so that tables no
// longer walk every complaint. It may run alongside other readers.
func (m *Model) Index() {
	h := m.ix
	if h.ix.Load() != nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.ix.Load() != nil {
		return
	}
	ix := &index{byID: m.Compounds, cells: map[cellKey]int32{}, listed: map[int32][]item{}}
	for _, c := range m.Compounds {
		ix.touch(c)
	}
	for _, x := range m.Complaints {
		ix.put(x)
	}
	for _, l := range m.Lawsuits {
		ix.put(l)
	}
	h.ix.Store(ix)
}

// touch takes in a compound's standing, new or changed.
func (ix *index) touch(c *Compound) {
	if c.slot == 0 {
		ix.compounds = append(ix.compounds, c)
		ix.standings = append(ix.standings, standing{})
		c.slot = int32(len(ix.compounds))
	}
	ix.standings[c.slot-1] = c.standing()
}

// touched keeps the index in step with a compound the fold has changed;
// moved: it is new, or its place or company changed.
func (m *Model) touched(c *Compound, moved bool) {
	ix := m.ix.ix.Load()
	if ix == nil {
		return
	}
	ix.touch(c)
	if moved {
		ix.relayout()
	}
}

func (ix *index) relayout() {
	for i := range ix.levels {
		ix.levels[i].Store(nil)
	}
}

// level lays out, or returns, the units of a level.
func (ix *index) level(h *indexHolder, l Level) *levelUnits {
	i := slices.Index(levelOrder[:], l)
	if lu := ix.levels[i].Load(); lu != nil {
		return lu
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if lu := ix.levels[i].Load(); lu != nil {
		return lu
	}
	lu := &levelUnits{of: make([]int32, len(ix.compounds)), cells: make([]int32, len(ix.cellKeys))}
	seen := map[unitKey]int32{}
	unit := func(key unitKey, name string) int32 {
		if key.path[0] == "" {
			return -1
		}
		u, ok := seen[key]
		if !ok {
			u = int32(len(lu.keys))
			seen[key] = u
			lu.keys, lu.names = append(lu.keys, key), append(lu.names, name)
		}
		return u
	}
	for slot, c := range ix.compounds {
		lu.of[slot] = unit(unitOf(c, l))
	}
	for cell, key := range ix.cellKeys {
		if l == LevelCompany {
			lu.cells[cell] = unit(unitKey{[3]string{key.company}, 1}, key.company)
		} else {
			lu.cells[cell] = lu.of[ix.cellSlot[cell]]
		}
	}
	ix.levels[i].Store(lu)
	return lu
}

// cell finds or adds an item's cell.
func (ix *index) cell(it item) int32 {
	if pl := it.at(); pl.cell > 0 {
		return pl.cell - 1
	}
	key := it.cell()
	id, ok := ix.cells[key]
	if !ok {
		id = int32(len(ix.cellKeys))
		ix.cells[key] = id
		ix.cellKeys = append(ix.cellKeys, key)
		ix.cellSlot = append(ix.cellSlot, ix.byID[key.compound].slot-1)
		ix.relayout()
	}
	it.at().cell = id + 1
	return id
}

// month returns the offset of month mo, making room for it.
func (ix *index) month(mo int) int {
	switch {
	case len(ix.upTo) == 0:
		ix.first, ix.upTo = mo, []column{nil}
	case mo < ix.first: // nothing before: the running totals of earlier months are zero
		ix.upTo = append(make([]column, ix.first-mo), ix.upTo...)
		ix.first = mo
	}
	for mo-ix.first >= len(ix.upTo) { // nothing yet: the running totals carry on
		ix.upTo = append(ix.upTo, slices.Clone(ix.upTo[len(ix.upTo)-1]))
	}
	return mo - ix.first
}

// count adds a fact (sign 1) or takes it back (-1) in the running totals
// of its month and every later one.
func (ix *index) count(cell int32, f fact, sign int32) {
	for j := ix.month(monthOf(f.at)); j < len(ix.upTo); j++ {
		ix.upTo[j].add(cell, f.c, f.num, sign)
	}
}

// listing names a list of items: those with a fact in a month, and
// those with a judged fact in it (fewer, for the month of a judging time).
func listing(mo int, judged bool) int32 {
	if judged {
		return int32(2*mo + 1)
	}
	return int32(2 * mo)
}

// put counts an item's facts and lists it under their months.
func (ix *index) put(it item) {
	cell, pl := ix.cell(it), it.at()
	ix.buf = it.facts(ix.buf[:0], false)
	for _, f := range ix.buf {
		ix.count(cell, f, 1)
		mo := monthOf(f.at)
		ix.list(it, pl, listing(mo, false))
		if f.c == cClosure {
			ix.list(it, pl, listing(mo, true))
		}
	}
}

func (ix *index) list(it item, pl *place, l int32) {
	if !slices.Contains(pl.listed, l) {
		pl.listed = append(pl.listed, l)
		ix.listed[l] = append(ix.listed[l], it)
	}
}

// take uncounts an item's facts, before it changes; put counts them again.
// It stays on its old lists: a walk checks dates anyway.
func (ix *index) take(it item) {
	cell := ix.cell(it)
	ix.buf = it.facts(ix.buf[:0], false)
	for _, f := range ix.buf {
		ix.count(cell, f, -1)
	}
}

// update applies change to an item (nil: the item is new), keeping the
// index, if built, in step.
func (m *Model) update(it item, change func()) {
	ix := m.ix.ix.Load()
	if ix != nil && change != nil {
		ix.take(it)
	}
	if change != nil {
		change()
	}
	if ix != nil {
		ix.put(it)
	}
}

// run is a span of whole months summed from the running totals; judged:
// with the judged facts (their months end before the judging time).
type run struct {
	from, to int // months, both included
	judged   bool
}

// sum adds the counts of a run of months to the cells' tallies.
func (ix *index) sum(r run, tallies []*tally, counts func(*tally) *[nCounters]Count) {
	from, to := max(r.from-ix.first, 0), min(r.to-ix.first, len(ix.upTo)-1)
	if from > to {
		return
	}
	var before column
	if from > 0 {
		before = ix.upTo[from-1]
	}
	upTo := ix.upTo[to]
	for cell, t := range tallies {
		if t == nil {
			continue
		}
		hi, lo, into := upTo.at(cell), before.at(cell), counts(t)
		for k := range hi {
			if r.judged || counter(k) != cClosure {
				into[k].Num += float64(hi[k].num - lo[k].num)
				into[k].Den += float64(hi[k].den - lo[k].den)
			}
		}
	}
}

// walk counts the facts of one month's items that a window holds, only
// the judged ones if judgedOnly.
func (ix *index) walk(mo int, w window, judgedOnly bool, tallies []*tally) {
	part := window{Period{maxTime(w.From, monthStart(mo)), minTime(w.To, monthStart(mo+1))}, w.judged, w.counts}
	var buf []fact
	for _, it := range ix.listed[listing(mo, judgedOnly)] {
		t := tallies[ix.cell(it)]
		if t == nil {
			continue
		}
		buf = it.facts(buf[:0], judgedOnly)
		for _, f := range buf {
			if part.holds(f) {
				part.counts(t)[f.c].addFact(f)
			}
		}
	}
}

// countFacts adds the facts of complaints and lawsuits inside each window
// to the tallies of their units: from the index if it is given, else by
// walking every item.
func (m *Model) countFacts(u *units, ix *index, windows ...window) {
	add := func(t *tally, f fact) {
		for _, w := range windows {
			if w.holds(f) {
				w.counts(t)[f.c].addFact(f)
			}
		}
	}
	if ix == nil {
		var buf []fact
		count := func(it item, compound, company string) {
			if t := u.of(m.Compounds[compound], company); t != nil {
				buf = it.facts(buf[:0], false)
				for _, f := range buf {
					add(t, f)
				}
			}
		}
		for _, x := range m.Complaints {
			count(x, x.Compound, x.Company)
		}
		for _, l := range m.Lawsuits {
			count(l, l.Compound, l.Company)
		}
		return
	}
	tallies := make([]*tally, len(ix.cellKeys))
	for cell, n := range u.lu.cells {
		tallies[cell] = u.laidOut(n)
	}
	for _, w := range windows {
		// Months wholly inside the window are summed, judged facts only
		// for months wholly before the judging time and walked in the
		// month it falls in; months the window cuts are walked.
		var runs []run
		for mo := monthOf(w.From); mo <= monthOf(w.To.Add(-time.Nanosecond)); mo++ {
			start, end := monthStart(mo), monthStart(mo+1)
			if start.Before(w.From) || end.After(w.To) {
				ix.walk(mo, w, false, tallies)
				continue
			}
			judged := w.judged.IsZero() || !end.After(w.judged)
			if !judged && start.Before(w.judged) {
				ix.walk(mo, w, true, tallies)
			}
			if n := len(runs); n > 0 && runs[n-1].to == mo-1 && runs[n-1].judged == judged {
				runs[n-1].to = mo
			} else {
				runs = append(runs, run{mo, mo, judged})
			}
		}
		for _, r := range runs {
			ix.sum(r, tallies, w.counts)
		}
	}
}

// monthOf numbers the month of t on the China calendar.
func monthOf(t time.Time) int {
	y, m, _ := t.In(domain.China).Date()
	return y*12 + int(m) - 1
}

func monthStart(mo int) time.Time {
	return time.Date(mo/12, time.Month(mo%12+1), 1, 0, 0, 0, 0, domain.China)
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
