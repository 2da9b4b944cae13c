package league

import (
	"math/bits"
	"strings"
	"sync"
	"time"

	"github.com/casetrack/casetrack/domain"
)

// Level is the kind of unit a table ranks.
type Level string

const (
	LevelStreet    Level = "street"    // 街道/乡镇
	LevelCommunity Level = "community" // 社区
	LevelDistrict  Level = "district"  // 区/县
	LevelCompound  Level = "compound"  // 小区
	LevelCompany   Level = "company"   // 物业服务企业
)

func (l Level) Valid() bool {
	switch l {
	case LevelStreet, LevelCommunity, LevelDistrict, LevelCompound, LevelCompany:
		return true
	}
	return false
}

// unitOf names the unit of a compound in one of its places at a level;
// companies are attributed per fact (the company serving when it
// happened), see count.
func unitOf(id string, v *Version, pl Place, l Level) (key unitKey, name string) {
	switch l {
	case LevelDistrict:
		return unitKey{[3]string{pl.District}, 1}, pl.District
	case LevelCommunity:
		return unitKey{[3]string{pl.District, pl.Street, pl.Community}, 3}, pl.Community
	case LevelCompound:
		return unitKey{[3]string{id}, 1}, v.Name
	case LevelCompany:
		return unitKey{[3]string{v.Company}, 1}, v.Company
	}
	return unitKey{[3]string{pl.District, pl.Street}, 2}, pl.Street
}

// unitKey is a unit's path (district, street, community), kept apart so
// that finding a compound's unit allocates nothing.
type unitKey struct {
	path [3]string
	n    int
}

func (k unitKey) String() string { return strings.Join(k.path[:k.n], "/") }

// Period is a span of business time [From, To).
type Period struct{ From, To time.Time }

func (p Period) contains(t time.Time) bool { return !t.IsZero() && !t.Before(p.From) && t.Before(p.To) }

// lastYear is the same period a year before, for year-on-year change.
func (p Period) lastYear() Period { return Period{p.From.AddDate(-1, 0, 0), p.To.AddDate(-1, 0, 0)} }

// Count is a numerator over a denominator and, when explaining, the
// events behind each (nil unless explaining): a figure's, as a metric reads
// it from a tally (which keeps its counts as wholes).
type Count struct {
	Num, Den float64
	*events
}

// events are every item of a count's denominator, and those of them that
// also count in the numerator.
type events struct {
	NumEvents, DenEvents []string
	WeekdaysOnly         []string // items whose limit was counted on weekdays only
	perEvent             bool     // each item was judged in or out of the numerator
}

// explained is a count made of others' figures: with their events, if
// they are being explained (of: a count's events, nil if not).
func explained(num, den float64, of *events, numEvents, denEvents []string) Count {
	c := Count{Num: num, Den: den}
	if of != nil {
		c.events = &events{NumEvents: numEvents, DenEvents: denEvents}
	}
	return c
}

// items are the events of a count's denominator; none if not explained.
func (e *events) items() []string {
	if e == nil {
		return nil
	}
	return e.DenEvents
}

// against lists the events that count against the unit: outside the
// numerator of a rate where higher is better (late, unsolved,
// unsatisfied), inside it where lower is (returned, reopened). A count
// not judged item by item (a share of members) has none.
func (c Count) against(higher bool) []string {
	if c.events == nil || !c.perEvent {
		return nil
	}
	if !higher {
		return c.NumEvents
	}
	in := map[string]int{} // counted: one event may hold several items (a plan's measures)
	for _, e := range c.NumEvents {
		in[e]++
	}
	var out []string
	for _, e := range c.DenEvents {
		if in[e] > 0 {
			in[e]--
		} else {
			out = append(out, e)
		}
	}
	return out
}

// field is one of a tally's counts: a counter of dated facts this period
// (cur) or a year before (prev, of the counters below nPrev), or one of the
// compounds' own.
type field int

func cur(k counter) field  { return field(k) }
func prev(k counter) field { return field(nCounters + k) }

// nPrev bounds the counters counted a year before: only year-on-year
// changes read them.
const nPrev = cPetitionsSuits + 1

const (
	fMeasuresOnTime field = field(nCounters+nPrev) + iota
	fOverdueMeasures
	fListed
	fCoverage
	fExpired
	fPartyShare
	fDualRole
	fRedProperty
	nFields
)

// whole is a count as a tally keeps it: whole numbers (every count is),
// no events, 8 bytes where a Count is 24, so that a table's tallies are a
// block the collector need not scan (a unit's were 700 bytes, with their
// names: 67 MB for a province's compound table).
type whole struct{ num, den int32 }

// tally is everything counted for one unit in one period; what names the
// unit is the units' (by n), and the events behind its counts, when
// explained, are its explanation.
type tally struct {
	order      int32 // its place among the table's units by ID (-1: not known yet)
	slot       int32 // a compound's (compound table), plus one; 0 for other levels
	n          int32 // its unit's number in the units' keys, names and IDs
	households int64
	c          [nFields]whole
}

// explanation is the events behind a tally's counts (explain only):
// registrations behind households, and each count's items.
type explanation struct {
	homes []string
	c     [nFields]events
}

// counted is a unit's tally and, when explained, its events; a nil tally
// counts nothing (not a unit of the table).
type counted struct {
	*tally
	ev *explanation
}

// count is one of the tally's counts, with its events if explained.
func (t counted) count(f field) Count {
	c := Count{Num: float64(t.c[f].num), Den: float64(t.c[f].den)}
	if t.ev != nil {
		c.events = &t.ev.c[f]
	}
	return c
}

// add counts an item: in the denominator if den, and then in the
// numerator if num.
func (t counted) add(f field, num, den bool, event string) {
	if !den {
		return
	}
	t.c[f].den++
	if num {
		t.c[f].num++
	}
	if t.ev != nil {
		e := &t.ev.c[f]
		e.DenEvents, e.perEvent = append(e.DenEvents, event), true
		if num {
			e.NumEvents = append(e.NumEvents, event)
		}
	}
}

// addFact counts a dated fact into the counts from into (cur or prev).
func (t counted) addFact(into field, f fact) {
	if t.ev == nil { // not explained: no ID to spell out
		t.add(into+field(f.c), f.num, true, "")
		return
	}
	id := f.event.String()
	t.add(into+field(f.c), f.num, true, id)
	if f.weekdays {
		e := &t.ev.c[into+field(f.c)]
		e.WeekdaysOnly = append(e.WeekdaysOnly, id)
	}
}

// units finds the tally of each unit of a table: laid out by the index
// (every compound and cell has its unit there), or found compound by
// compound (by key).
type units struct {
	level   Level
	explain bool
	out     map[unitKey]*tally // by key (not laid out)
	list    []*tally           // every tally, in the order made
	lu      *levelUnits        // laid out by the index; nil: found compound by compound
	laid    []*tally           // by unit of lu
	found   map[found]*tally
	// By a tally's n: its unit's key, name and ID (the layout's, or those
	// found by key), and its events when explained.
	keys       []unitKey
	names, ids []string
	ev         []*explanation
	s          *scratch // the laid out tallies' memory
}

// scratch is a table's working memory, kept between tables: a compound
// table counts thousands of tallies, and a request that allocated them
// anew made the collector mark the whole model more often (its assists
// were the as-of tables' tail, as they were the dashboard's).
type scratch struct {
	tallies   []tally   // by unit of the layout
	laid      []*tally  // by unit: its tally once something counts
	list      []*tally  // the tallies made, in turn
	since     []int32   // by slot: versions made since (as of)
	plans     []int32   // by measure: its state known, plus one (as of)
	sums      column    // by cell (as of)
	composite []float64 // by tally (rank)
	column    []float64 // one metric's figures (rank)
	ranked    []ranked  // (rank)
	ends      []int     // by score (rank: order)
	figures   []float64 // every unit's, and their scores (rank)
	class     int       // its pool: of tables of up to 1<<class units
}

// scratches are pools of working memory by the size of the table, a power
// of two of units: a compound table's memory taken by a street table (one
// pool) was dropped for a street table's, and made again by the next
// compound table.
var scratches [33]sync.Pool

// scratchFor is working memory for a table of n units.
func scratchFor(n int) *scratch {
	class := bits.Len(uint(n))
	if s, ok := scratches[class].Get().(*scratch); ok {
		return s
	}
	return &scratch{class: class}
}

// sized is s with n zero elements, reusing its memory.
func sized[S ~[]T, T any](s S, n int) S {
	if cap(s) < n {
		return make(S, n)
	}
	s = s[:n]
	clear(s)
	return s
}

// resized is s with n elements, reusing its memory without clearing it:
// for elements each set before it is read.
func resized[S ~[]T, T any](s S, n int) S {
	if cap(s) < n {
		return make(S, n)
	}
	return s[:n]
}

// laidUnits finds the units of a level's layout in pooled memory; release
// returns it once the table is made.
func laidUnits(level Level, lu *levelUnits) *units {
	s := scratchFor(len(lu.keys))
	// A tally is cleared as it is first counted (laidOut): clearing them
	// all first was another pass over tens of megabytes at a province's
	// size, for a compound table.
	s.tallies, s.laid = resized(s.tallies, len(lu.keys)), sized(s.laid, len(lu.keys))
	return &units{level: level, lu: lu, laid: s.laid, list: s.list[:0], keys: lu.keys, names: lu.names, ids: lu.ids, s: s}
}

// mem is the units' working memory, pooled.
func (u *units) mem() *scratch {
	if u.s == nil {
		u.s = scratchFor(len(u.list))
	}
	return u.s
}

// release returns the pooled memory; no tally laid out may be read after.
func (u *units) release() {
	if u.s == nil {
		return
	}
	if u.lu != nil {
		u.s.list = u.list[:0]
	}
	scratches[u.s.class].Put(u.s)
	u.s = nil
}

// found is a compound in one of its places.
type found struct {
	c     *Compound
	epoch int32
}

// withEvents is a tally of the units' with its events, if explained.
func (u *units) withEvents(t *tally) counted {
	if t == nil || !u.explain {
		return counted{tally: t}
	}
	return counted{t, u.ev[t.n]}
}

func (u *units) byKey(key unitKey, name string) *tally {
	if key.path[0] == "" {
		return nil // e.g. no property company: not a unit of the company table
	}
	t := u.out[key]
	if t == nil {
		t = &tally{n: int32(len(u.keys)), order: -1}
		u.keys, u.names, u.ids = append(u.keys, key), append(u.names, name), append(u.ids, key.String())
		if u.explain {
			u.ev = append(u.ev, &explanation{})
		}
		u.out[key] = t
		u.list = append(u.list, t)
	}
	return t
}

// laidOut is the tally of a unit of the index's layout (-1: none).
func (u *units) laidOut(n int32) counted {
	if n < 0 {
		return counted{}
	}
	if u.laid[n] == nil {
		t := &u.s.tallies[n]
		*t = tally{n: n, order: u.lu.order[n]}
		if u.lu.slots != nil {
			t.slot = u.lu.slots[n]
		}
		u.laid[n] = t
		u.list = append(u.list, t)
	}
	return counted{tally: u.laid[n]}
}

// of is the tally of a compound's unit in its place of an epoch; companies
// go by the company serving when a fact happened.
func (u *units) of(c *Compound, company string, epoch int32) counted {
	switch {
	case u.lu != nil && company == c.Company && c.slot > 0:
		return u.laidOut(u.lu.unit(c.slot-1, epoch))
	case u.level == LevelCompany:
		return u.withEvents(u.byKey(unitKey{[3]string{company}, 1}, company))
	}
	t, ok := u.found[found{c, epoch}]
	if !ok {
		t = u.byKey(unitOf(c.ID, c.latest(), c.placeOf(epoch), u.level))
		if t != nil && u.level == LevelCompound {
			t.slot = c.slot
		}
		u.found[found{c, epoch}] = t
	}
	return u.withEvents(t)
}

// addStanding counts a compound's standing; open items are judged at at, and
// eligibility for a committee by the delivered share then in force. To
// explain it, explained is the compound it is of (nil: not explained).
func (t counted) addStanding(st *Standing, at time.Time, eligible domain.Fraction, explained *Compound) {
	if t.tally == nil || !st.Registered {
		return
	}
	t.households += int64(st.Households)
	var registration, election string // spelled out only to explain
	explain := explained != nil
	if explain {
		registration, election = explained.EventID, explained.Committee.EventID
		t.ev.homes = append(t.ev.homes, registration)
	}
	t.add(fCoverage, st.Covered, eligible.Met(st.Delivered, st.Private), registration)
	t.add(fExpired, true, st.ExpiredNoReelection || st.Serving && st.TermEnd.time().Before(at) && !st.Reelection, election)
	if st.Serving {
		p := &t.c[fPartyShare]
		p.num += int32(st.Party)
		p.den += int32(st.Members)
		if explain {
			e := &t.ev.c[fPartyShare]
			e.NumEvents = append(e.NumEvents, election)
			e.DenEvents = append(e.DenEvents, election)
		}
		t.add(fDualRole, st.Dual, true, election)
	}
	t.add(fRedProperty, st.Red, st.HasCompany, registration)
}

// count tallies every unit of the level for the period; at is when open
// items are judged (overdue, expired), and a compound's own standing, plans
// and listings count for the unit it is in then (see Compound.judgedPlace). It reads the month index when the
// model has one, else walks every item. Event IDs are kept only when
// explaining (by walking): collecting them costs more than counting.
// The caller releases the units once it has read them.
func (m *Model) count(level Level, p Period, at time.Time, explain bool) *units {
	eligible := m.book.At(at).Committee.EligibleDelivered
	var ix *index // nil: walk every item
	if m.ix.counted.Load() && !explain {
		ix = m.ix
	}
	var u *units
	if ix != nil {
		u = laidUnits(level, ix.level(level))
		for slot := range ix.standings {
			n := u.lu.of[slot]
			if u.lu.moved != nil {
				n = u.lu.unit(int32(slot), ix.compounds[slot].judgedPlace(at))
			}
			u.laidOut(n).addStanding(&ix.standings[slot], at, eligible, nil)
		}
	} else {
		u = &units{level: level, explain: explain, out: map[unitKey]*tally{}, found: map[found]*tally{}}
		for _, c := range m.Compounds {
			st, explained := c.standing(), c
			if !explain {
				explained = nil
			}
			u.of(c, c.Company, c.judgedPlace(at)).addStanding(&st, at, eligible, explained)
		}
	}
	m.countFacts(u, ix, window{p, at, cur(0), nCounters}, window{p.lastYear(), time.Time{}, prev(0), nPrev})
	for _, ms := range m.Measures {
		c := ms.c
		u.of(c, c.Company, c.judgedPlace(at)).addMeasure(ms.Deadline, ms.Signed, ms.EventID, p, at)
	}
	for _, l := range m.Listings {
		c := l.c
		u.of(c, c.Company, c.judgedPlace(at)).addListing(l, p)
	}
	return u
}

// addMeasure counts a measure of the unit's (its deadline, when it was
// signed off, and its event), judged at at.
func (t counted) addMeasure(deadline, signed time.Time, event string, p Period, at time.Time) {
	if t.tally == nil {
		return
	}
	if p.contains(deadline) && deadline.Before(at) {
		t.add(fMeasuresOnTime, !signed.IsZero() && !signed.After(deadline), true, event)
	}
	open := signed.IsZero() || signed.After(at)
	t.add(fOverdueMeasures, true, open && deadline.Before(at), event)
}

// addListing counts a listing of the unit's.
func (t counted) addListing(l *Listing, p Period) {
	if t.tally == nil {
		return
	}
	active := l.Listed.Before(p.To) && (l.Delisted.IsZero() || !l.Delisted.Before(p.From))
	t.add(fListed, true, active, l.EventID)
}
