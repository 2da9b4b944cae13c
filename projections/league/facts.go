package league

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/casetrack/casetrack/domain"
)

// Complaints and lawsuits are most of the model (hundreds of thousands at
// a city's scale), so a table does not walk them: each is reduced to dated
// facts, counted per compound and month in an index kept up to date by the
// fold. A table sums the months wholly inside its period and walks only the
// items of the months it cuts (its edges, and the month of the judging
// time). The walk and the index count the same facts, so both give one
// answer; the walk also serves explanations (event IDs) and one-off
// as-of models, which would not repay building the index.

// counter is what a dated fact counts towards.
type counter int

const (
	cReceived       counter = iota // complaints received
	cPetitionsSuits                // petitions, visits and lawsuits (只降不升)
	cResponse                      // dispatched; num: accepted within the dispatch limit
	cReturned                      // dispatched; num: returned at least once
	cClosure                       // reply limit passed; num: resolved by it (judged: only limits before the judging time)
	cResolution                    // follow-up calls; num: solved
	cSatisfied                     // follow-up calls; num: satisfied or basically satisfied
	cReopened                      // handled complaints by receipt; num: reopened
	nCounters
)

// fact is one dated count.
type fact struct {
	at    time.Time
	c     counter
	num   bool
	event string
}

// facts yields the complaint's dated facts as it stands now.
func (x *Complaint) facts(yield func(fact)) {
	rcv := x.ReceivedEvent
	yield(fact{x.Received, cReceived, true, rcv})
	if x.Channel == domain.ChannelPetition || x.Channel == domain.ChannelVisit {
		yield(fact{x.Received, cPetitionsSuits, true, rcv})
	}
	if !x.Dispatched.IsZero() {
		yield(fact{x.Dispatched, cResponse, !x.Accepted.IsZero() && !x.Accepted.After(x.DispatchDue), x.DispatchedEvent})
		yield(fact{x.Dispatched, cReturned, x.Returns > 0, x.DispatchedEvent})
	}
	if !x.ReplyDue.IsZero() {
		yield(fact{x.ReplyDue, cClosure, !x.Resolved.IsZero() && !x.Resolved.After(x.ReplyDue), rcv})
	}
	for _, call := range x.Calls {
		yield(fact{call.At, cResolution, call.Solved, call.EventID})
		yield(fact{call.At, cSatisfied, call.Satisfaction == domain.Satisfied || call.Satisfaction == domain.BasicallySatisfied, call.EventID})
	}
	if len(x.Calls) > 0 || !x.Resolved.IsZero() {
		yield(fact{x.Received, cReopened, x.Reopens > 0, rcv})
	}
}

func (x *Complaint) cell() cellKey { return cellKey{x.Compound, x.Company} }
func (x *Complaint) at() *place    { return &x.place }

// facts yields the lawsuit's one dated fact.
func (l *Lawsuit) facts(yield func(fact)) { yield(fact{l.Filed, cPetitionsSuits, true, l.EventID}) }
func (l *Lawsuit) cell() cellKey          { return cellKey{l.Compound, l.Company} }
func (l *Lawsuit) at() *place             { return &l.place }

// item is a complaint or a lawsuit.
type item interface {
	facts(yield func(fact))
	cell() cellKey
	at() *place
}

// place is an item's place in the index.
type place struct {
	cell   int32   // its cell, plus one (0: not placed yet)
	months []int32 // the months that list it
}

// window is a span of facts counted into one set of counts; facts that
// are judged (cClosure) count only when dated before judged.
type window struct {
	Period
	judged time.Time // zero: no judging
	counts func(t *tally) *[nCounters]Count
}

func (w window) holds(f fact) bool {
	return w.contains(f.at) && (f.c != cClosure || w.judged.IsZero() || f.at.Before(w.judged))
}

type pair struct{ num, den int32 }

// counts are one month's counts of facts, by cell.
type counts [][nCounters]pair

func (cs *counts) add(cell int32, f fact, sign int32) {
	for int(cell) >= len(*cs) {
		*cs = append(*cs, [nCounters]pair{})
	}
	p := &(*cs)[cell][f.c]
	p.den += sign
	if f.num {
		p.num += sign
	}
}

// index is the count of every item's facts by month and cell, and the
// items with a fact in each month. A cell is a compound and the property
// company serving when its facts happened (the company table goes by that).
type index struct {
	compounds map[string]*Compound // the model's
	cells     map[cellKey]int32
	units     []cellKey
	of        []*Compound // by cell
	months    map[int]*counts
	listed    map[int][]item
}

type cellKey struct{ compound, company string }

// indexHolder lets readers build the index once, concurrently, while the
// fold (which excludes readers) keeps it current.
type indexHolder struct {
	mu sync.Mutex
	ix atomic.Pointer[index]
}

// monthOf numbers the month of t on the China calendar.
func monthOf(t time.Time) int {
	y, m, _ := t.In(domain.China).Date()
	return y*12 + int(m) - 1
}

func monthStart(mo int) time.Time {
	return time.Date(mo/12, time.Month(mo%12+1), 1, 0, 0, 0, 0, domain.China)
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
	ix := &index{compounds: m.Compounds, cells: map[cellKey]int32{}, months: map[int]*counts{}, listed: map[int][]item{}}
	for _, x := range m.Complaints {
		ix.put(x)
	}
	for _, l := range m.Lawsuits {
		ix.put(l)
	}
	h.ix.Store(ix)
}

func (ix *index) cell(it item) int32 {
	if pl := it.at(); pl.cell > 0 {
		return pl.cell - 1
	}
	key := it.cell()
	id, ok := ix.cells[key]
	if !ok {
		id = int32(len(ix.units))
		ix.cells[key] = id
		ix.units = append(ix.units, key)
		ix.of = append(ix.of, ix.compounds[key.compound])
	}
	it.at().cell = id + 1
	return id
}

func (ix *index) count(cell int32, f fact, sign int32) {
	mo := monthOf(f.at)
	cs := ix.months[mo]
	if cs == nil {
		cs = &counts{}
		ix.months[mo] = cs
	}
	cs.add(cell, f, sign)
}

// put counts an item's facts and lists it under their months.
func (ix *index) put(it item) {
	cell, in := ix.cell(it), &it.at().months
	it.facts(func(f fact) {
		ix.count(cell, f, 1)
		mo := monthOf(f.at)
		for _, x := range *in {
			if int(x) == mo {
				return
			}
		}
		*in = append(*in, int32(mo))
		ix.listed[mo] = append(ix.listed[mo], it)
	})
}

// take uncounts an item's facts, before it changes; put counts them again.
// It stays listed under its old months: a walk checks dates anyway.
func (ix *index) take(it item) {
	cell := ix.cell(it)
	it.facts(func(f fact) { ix.count(cell, f, -1) })
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

// countFacts adds the facts of complaints and lawsuits inside each window
// to the tally of their unit.
func (m *Model) countFacts(unit func(c *Compound, company string) *tally, explain bool, windows ...window) {
	add := func(t *tally, f fact) {
		for _, w := range windows {
			if w.holds(f) {
				w.counts(t)[f.c].add(f.num, true, f.event)
			}
		}
	}
	ix := m.ix.ix.Load()
	if ix == nil || explain {
		for _, x := range m.Complaints {
			if t := unit(m.Compounds[x.Compound], x.Company); t != nil {
				x.facts(func(f fact) { add(t, f) })
			}
		}
		for _, l := range m.Lawsuits {
			if t := unit(m.Compounds[l.Compound], l.Company); t != nil {
				l.facts(func(f fact) { add(t, f) })
			}
		}
		return
	}
	tallies := make([]*tally, len(ix.units))
	for i, key := range ix.units {
		tallies[i] = unit(ix.of[i], key.company)
	}
	sums := make(counts, len(ix.units))
	for _, w := range windows {
		// Months wholly inside the window are summed. Judged facts are
		// summed only for months wholly before the judging time, and
		// walked in the month it falls in; months the window cuts are
		// walked for every fact.
		clear(sums)
		sum := func(mo int, judged bool) {
			if cs := ix.months[mo]; cs != nil {
				for cell, row := range *cs {
					for k, p := range row {
						if judged || counter(k) != cClosure {
							sums[cell][k].num += p.num
							sums[cell][k].den += p.den
						}
					}
				}
			}
		}
		walk := func(mo int, only func(counter) bool) {
			part := window{Period{maxTime(w.From, monthStart(mo)), minTime(w.To, monthStart(mo+1))}, w.judged, w.counts}
			for _, it := range ix.listed[mo] {
				if t := tallies[ix.cell(it)]; t != nil {
					it.facts(func(f fact) {
						if only(f.c) && part.holds(f) {
							part.counts(t)[f.c].add(f.num, true, f.event)
						}
					})
				}
			}
		}
		for mo := monthOf(w.From); mo <= monthOf(w.To.Add(-time.Nanosecond)); mo++ {
			start, end := monthStart(mo), monthStart(mo+1)
			switch {
			case start.Before(w.From) || end.After(w.To):
				walk(mo, func(counter) bool { return true })
			case w.judged.IsZero() || !end.After(w.judged):
				sum(mo, true)
			default:
				sum(mo, false)
				if start.Before(w.judged) {
					walk(mo, func(c counter) bool { return c == cClosure })
				}
			}
		}
		for cell, row := range sums {
			if t := tallies[cell]; t != nil {
				into := w.counts(t)
				for k, p := range row {
					into[k].Num += float64(p.num)
					into[k].Den += float64(p.den)
				}
			}
		}
	}
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
