package league

import (
	"math"
	"slices"
	"time"

	"github.com/casetrack/casetrack/projections"
)

// TableAsOf computes a league table as it was known at log position pos
// (knowledge time; recorded: when the event at pos was recorded), for any
// period and judging time (business time), from the live model without
// replaying the log: the compounds as they stood (their versions), the
// measures and listings as they were (their earlier states), and the facts
// known by then (the prefix of each month's known facts). It gives the
// table a model replayed to pos gives, event lists aside: an explained
// table needs the items as they were, and is replayed (see Service.Table).
func (m *Model) TableAsOf(cfg Config, q Query, pos uint64, recorded time.Time) Table {
	at := q.judgedAt()
	m.Index() // the running totals, which countKnown reads
	ix := m.ix
	u := laidUnits(q.Level, ix.layoutAsOf(q.Level, pos))
	defer u.release()
	// A compound is as it stands but for the versions made since pos,
	// counted by slot from the index's list of them (a compound's versions
	// searched one by one were a walk through the heap).
	since := sized(u.s.since, len(ix.compounds))
	u.s.since = since
	after := projections.KnownBy(ix.versions, pos, func(v *versioned) uint64 { return v.pos })
	for _, v := range ix.versions[after:] {
		since[v.slot]++
	}
	version := func(slot int32) *Version { // nil: not known at pos
		vs := ix.compounds[slot].Versions
		if k := len(vs) - int(since[slot]); k > 0 {
			return &vs[k-1]
		}
		return nil
	}
	// unitAt is the unit a compound's own standing, plans and listings
	// count for: where it was on the day judged, as known then (nil: the
	// compound was not known).
	unitAt := func(slot int32, v *Version) counted {
		if v == nil {
			return counted{}
		}
		n := u.lu.of[slot]
		if u.lu.moved != nil {
			n = u.lu.unit(slot, judgedEpoch(v.Places, at))
		}
		return u.laidOut(n)
	}
	eligible := m.book.At(at).Committee.EligibleDelivered
	for slot := range ix.compounds {
		if since[slot] == 0 && (u.lu.shift == nil || !u.lu.shift[slot]) { // as it stands, where it stands: its last version's standing
			u.laidOut(u.lu.of[slot]).addStanding(&ix.standings[slot], at, eligible, nil)
		} else if v := version(int32(slot)); v != nil {
			unitAt(int32(slot), v).addStanding(&v.Standing, at, eligible, nil)
		}
	}
	ix.countKnown(u, pos, window{q.Period, at, cur(0), nCounters})
	ix.countKnown(u, pos, window{q.Period.lastYear(), time.Time{}, prev(0), nPrev})
	plans := sized(u.s.plans, int(ix.measures))
	u.s.plans = plans
	known := projections.KnownBy(ix.plans, pos, func(p *planned) uint64 { return p.pos })
	for i, p := range ix.plans[:known] {
		plans[p.n] = int32(i + 1)
	}
	for _, i := range plans {
		if i > 0 {
			p := &ix.plans[i-1]
			unitAt(p.slot, version(p.slot)).addMeasure(p.deadline.time(), p.signed.time(), "", q.Period, at)
		}
	}
	for _, l := range m.Listings {
		c := l.c
		for l != nil && l.Pos > pos {
			l = l.Before
		}
		if l != nil {
			unitAt(c.slot-1, version(c.slot-1)).addListing(l, q.Period)
		}
	}
	places := func(slot int32) []Place {
		if v := version(slot - 1); v != nil {
			return v.Places
		}
		return nil
	}
	return rank(cfg, q, at, u, places, pos, recorded)
}

// countKnown adds the facts inside a window that were known at pos to the
// tallies of their units: each month's known facts up to pos, summed by
// cell first, so that a unit gets a tally only if something counts (as
// when items are walked). A month inside the window whose facts are
// mostly known by pos (most are known within weeks of their date) is
// counted from the running totals (the index's, every fact known now)
// less its facts known after pos: the shorter walk.
func (ix *index) countKnown(u *units, pos uint64, w window) {
	from, to := w.From.UnixNano(), w.To.UnixNano()
	judged := int64(math.MaxInt64) // judged facts count when due before it
	if !w.judged.IsZero() {
		judged = w.judged.UnixNano()
	}
	sums := sized(u.s.sums, len(ix.known.Cells))
	u.s.sums = sums
	count := func(ds deltas, by int32) {
		for _, d := range ds {
			if d.at < from || d.at >= to {
				continue
			}
			cell, k, num, den := d.unpack()
			if k >= w.kept || k.judged() && d.at >= judged {
				continue
			}
			sums.add(cell, k, by*num, by*den)
		}
	}
	var totals []run // of months counted from the running totals
	for mo := monthOf(w.From); mo <= monthOf(w.To.Add(-time.Nanosecond)); mo++ {
		known, all := ix.known.month(mo, pos), ix.known.all(mo)
		end := monthStart(mo + 1).UnixNano()
		if whole := monthStart(mo).UnixNano() >= from && end <= to && end <= judged; !whole || len(all)-len(known) >= len(known) {
			count(known, 1)
			continue
		}
		count(all[len(known):], -1)
		if n := len(totals); n > 0 && totals[n-1].to == mo-1 {
			totals[n-1].to = mo
		} else {
			totals = append(totals, run{from: mo, to: mo})
		}
	}
	for _, r := range totals {
		hi, lo := ix.total(r.to), ix.total(r.from-1)
		for cell := range sums {
			a, b := hi.at(cell), lo.at(cell)
			for k := range a[:w.kept] {
				sums[cell][k].num += a[k].num - b[k].num
				sums[cell][k].den += a[k].den - b[k].den
			}
		}
	}
	for cell := range sums {
		var t counted // none unless something counts (a cell made after pos, among others, has none)
		for k, p := range sums[cell][:w.kept] {
			if p == (pair{}) {
				continue
			}
			if t.tally == nil {
				if t = u.laidOut(u.lu.cells[cell]); t.tally == nil {
					break // not a unit's
				}
			}
			c := &t.c[w.into+field(k)]
			c.num += p.num
			c.den += p.den
		}
	}
}

// shape is what of a compound decides its unit at a level: its places,
// name or company.
type shape uint8

const (
	shapePlaces shape = 1 << iota
	shapeName
	shapeCompany
	nShapes = iota
)

// shapedBy is what of a compound's shape lays out a level (its places at
// every level: a moved compound's epochs are laid out by them).
func shapedBy(l Level) shape {
	switch l {
	case LevelCompound:
		return shapePlaces | shapeName
	case LevelCompany:
		return shapePlaces | shapeCompany
	}
	return shapePlaces
}

// reshaped notes that a compound's shape changed at pos (the fold's
// positions only grow).
func (ix *index) reshaped(pos uint64, s shape) {
	for k := range ix.shapes {
		if s&(1<<k) != 0 {
			ix.shapes[k] = append(ix.shapes[k], pos)
		}
	}
}

// pastLayout names the layout of a level as the compounds stood before
// a change of their shape at a position.
type pastLayout struct {
	level Level
	until uint64
}

// maxPastLayouts bounds the layouts kept for tables of the past (one is
// tens of kilobytes to a few hundred at a city's size).
const maxPastLayouts = 16

// layoutAsOf is the layout of a level's units as the compounds stood at
// pos. It changes only when a compound's shape does, not as compounds are
// added (one not known at pos counts nothing, whichever unit it is in):
// a past table is laid out as the compounds stood just before the first
// change after pos, shared by every position since the change before it,
// and with no change since, as the live tables are.
func (ix *index) layoutAsOf(l Level, pos uint64) *levelUnits {
	until := uint64(math.MaxUint64)
	for k, changes := range ix.shapes {
		if shapedBy(l)&(1<<k) == 0 {
			continue
		}
		if i, _ := slices.BinarySearch(changes, pos+1); i < len(changes) {
			until = min(until, changes[i])
		}
	}
	if until == math.MaxUint64 {
		return ix.level(l)
	}
	key := pastLayout{l, until}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if lu := ix.past[key]; lu != nil {
		return lu
	}
	lu := ix.layOut(l, func(c *Compound) *Version { return c.versionAt(until - 1) })
	if len(ix.past) >= maxPastLayouts {
		for old := range ix.past { // any: a city changes shape rarely
			delete(ix.past, old)
			break
		}
	}
	ix.past[key] = lu
	return lu
}
