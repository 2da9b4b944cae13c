package league

import (
	"cmp"
	"math"
	"slices"
	"strings"
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
// the index current: every change to an item's facts is recorded as signed
// facts stamped with its position (Known), from which the running totals
// are summed when the first table of the live model asks (Index), and
// tables as of a past position are counted (see asof.go). The walk counts
// the same facts and gives the same answer: it serves explanations (event
// IDs).
type index struct {
	byID      map[string]*Compound // the model's
	known     *Known               // the model's: the cells, and every fact by when it became known
	extended  map[eventID]eventID  // the model's
	compounds []*Compound          // by slot
	standings []Standing           // by slot
	cells     map[Cell]int32
	cellSlot  []int32                                     // by cell: its compound's slot
	pos       uint64                                      // the position of the event being folded
	first     int                                         // the month of upTo[0]
	upTo      []running                                   // once counted: by month from first, the running totals up to and with it
	items     []item                                      // those on a list, by number
	listed    map[int32][]int32                           // by listing: the numbers of its items (4 bytes each, no pointer)
	far       map[int32][]int32                           // by item number: the lists it is on beyond the 32 from its first (an item's facts are mostly weeks apart)
	moved     map[*place][]int32                          // by item of a moved compound: its cells in the later places (by epoch - 1), plus one
	buf       []fact                                      // the fold's
	was, now  []placed                                    // the fold's: the facts of changed items, before and after
	mu        sync.Mutex                                  // readers counting the totals or laying out a level
	counted   atomic.Bool                                 // upTo is summed, and the fold keeps it
	levels    [len(levelOrder)]atomic.Pointer[levelUnits] // nil: to be laid out again
	shapes    [nShapes][]uint64                           // by shape: the positions at which a compound's changed, in order
	versions  []versioned                                 // every compound's versions, in position order
	plans     []planned                                   // every state of every measure, in position order
	measures  int32                                       // the measures numbered
	past      map[pastLayout]*levelUnits                  // laid out as the compounds stood before a change of shape (mu)
}

// Cell is where a fact is counted: its compound, the property company
// serving when it happened (the company table goes by that), and the
// compound's place on the fact's date (its epoch, see Compound.epoch).
type Cell struct {
	Compound, Company string
	Epoch             int32
}

type pair struct{ num, den int32 }

// column is counts by cell; cells past its end count zero.
type column [][nCounters]pair

func (c *column) add(cell int32, k counter, num, den int32) {
	for int(cell) >= len(*c) {
		*c = append(*c, [nCounters]pair{})
	}
	p := &(*c)[cell][k]
	p.num += num
	p.den += den
}

// running is one month's running totals by cell; cells past its end count
// zero. A cell's are a compound's counts (hundreds, where a city has
// millions of facts): they are kept in 16 bits, half the memory, until one
// outgrows them and the month's are kept in a column.
type running struct {
	narrow [][nCounters]pair16
	wide   column // once widened (never nil then), the month's only totals
}

type pair16 struct{ num, den uint16 }

// runningOf is the totals of cells cells, those of prev (if any) carried.
func runningOf(cells int, prev *running) running {
	switch {
	case prev == nil:
		return running{narrow: make([][nCounters]pair16, cells)}
	case prev.wide != nil:
		t := running{wide: make(column, max(cells, len(prev.wide)))}
		copy(t.wide, prev.wide)
		return t
	}
	t := running{narrow: make([][nCounters]pair16, max(cells, len(prev.narrow)))}
	copy(t.narrow, prev.narrow)
	return t
}

func (t *running) add(cell int32, k counter, num, den int32) {
	if t.wide == nil {
		for int(cell) >= len(t.narrow) {
			t.narrow = append(t.narrow, [nCounters]pair16{})
		}
		p := &t.narrow[cell][k]
		n, d := int32(p.num)+num, int32(p.den)+den
		if n >= 0 && n <= math.MaxUint16 && d >= 0 && d <= math.MaxUint16 {
			p.num, p.den = uint16(n), uint16(d)
			return
		}
		t.widen()
	}
	t.wide.add(cell, k, num, den)
}

func (t *running) widen() {
	wide := make(column, len(t.narrow))
	for cell := range t.narrow {
		wide[cell] = t.at(cell)
	}
	t.wide, t.narrow = wide, nil
}

// at is a cell's totals; a nil month's are zero.
func (t *running) at(cell int) (w [nCounters]pair) {
	switch {
	case t == nil:
	case t.wide != nil:
		if cell < len(t.wide) {
			w = t.wide[cell]
		}
	case cell < len(t.narrow):
		for k, p := range &t.narrow[cell] {
			w[k] = pair{int32(p.num), int32(p.den)}
		}
	}
	return w
}

// Standing is what a table reads of a compound itself (exported for the
// snapshots of its versions, see Version); it holds no pointer. The events
// that explain it are not among it: only an explained table reads them,
// and that walks the compounds themselves (see count).
type Standing struct {
	Registered, Covered, Serving, ExpiredNoReelection, Reelection, Dual, Red, HasCompany bool
	Households, Party, Members                                                           int32
	Delivered, Private                                                                   int64 // areas: eligibility is judged by the rules of the table's date
	TermEnd                                                                              instant
}

func (c *Compound) standing() Standing {
	cm := c.Committee
	serving := len(cm.Members) > 0 && !cm.ExpiredNoReelection
	return Standing{
		Registered: c.EventID != "",
		Delivered:  int64(c.DeliveredArea), Private: int64(c.PrivateArea),
		Covered: serving && cm.Filed || c.InterimFiled,
		Serving: serving, ExpiredNoReelection: cm.ExpiredNoReelection, Reelection: cm.ReelectionStarted,
		Dual: c.Secretary != "" && cm.chairName() == c.Secretary,
		Red:  c.RedProperty, HasCompany: c.Company != "",
		Households: int32(c.Households), Party: int32(cm.partyMembers()), Members: int32(len(cm.Members)),
		TermEnd: instantOf(cm.TermEnd),
	}
}

// levelUnits is the unit of every compound and cell at one level, laid out
// once for the tables that follow, until a compound or cell is added or a
// compound moves or changes company.
type levelUnits struct {
	of    []int32           // by compound slot: the unit of its current place, or -1 for none
	moved map[int32][]int32 // by slot of a moved compound: the unit of each of its places
	shift []bool            // by slot: moved (nil: none is), found without a map's look-up
	cells []int32           // by cell
	keys  []unitKey
	names []string
	ids   []string // by unit: its ID (Row.Unit)
	order []int32  // by unit: its place among the units by ID, the order of a tie
	slots []int32  // by unit of the compound level: its compound's slot, plus one
}

var levelOrder = [...]Level{LevelStreet, LevelCommunity, LevelDistrict, LevelCompound, LevelCompany}

// newIndex lays out a model's compounds and items (a new model's, or a
// restored one's), numbering cells as its known facts do.
func newIndex(m *Model) *index {
	ix := &index{byID: m.Compounds, known: m.Known, extended: m.Extended, cells: map[Cell]int32{}, listed: map[int32][]int32{},
		far: map[int32][]int32{}, moved: map[*place][]int32{}, past: map[pastLayout]*levelUnits{}}
	for _, c := range m.Compounds {
		ix.touch(c)
	}
	for _, c := range m.Compounds {
		for i := range c.Versions {
			v := &c.Versions[i]
			ix.versions = append(ix.versions, versioned{v.Pos, c.slot - 1})
			if i > 0 {
				ix.reshaped(v.Pos, c.Versions[i-1].reshaped(v.Name, v.Company, v.Places))
			}
		}
	}
	for k := range ix.shapes {
		slices.Sort(ix.shapes[k])
	}
	slices.SortFunc(ix.versions, func(a, b versioned) int { return cmp.Compare(a.pos, b.pos) })
	var states []*Measure
	for _, ms := range m.Measures {
		states = states[:0]
		for s := ms; s != nil; s = s.Before {
			states = append(states, s)
		}
		for i := len(states) - 1; i >= 0; i-- { // oldest first: the latest of a position is the last
			ix.plan(states[i])
		}
	}
	slices.SortStableFunc(ix.plans, func(a, b planned) int { return cmp.Compare(a.pos, b.pos) })
	for i, key := range m.Known.Cells {
		ix.cells[key] = int32(i)
		ix.cellSlot = append(ix.cellSlot, ix.byID[key.Compound].slot-1)
	}
	for _, x := range m.Complaints {
		ix.now = ix.placed(x, ix.now[:0])
		ix.locate(x, ix.now, true)
	}
	for _, l := range m.Lawsuits {
		ix.now = ix.placed(l, ix.now[:0])
		ix.locate(l, ix.now, true)
	}
	return ix
}

// Index sums the running totals of the month index, if not summed yet, so
// that tables no longer walk every complaint. It may run alongside other
// readers; the fold keeps the totals current from then on.
func (m *Model) Index() {
	ix := m.ix
	if ix.counted.Load() {
		return
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.counted.Load() {
		return
	}
	ix.first, ix.upTo = ix.known.First, make([]running, len(ix.known.Months))
	cells := 0 // the cells counted up to the month: each month's totals made to their size once, not grown by appends
	for j, month := range ix.known.Months {
		for _, d := range month {
			cell, _, _, _ := d.unpack()
			cells = max(cells, int(cell)+1)
		}
		var prev *running
		if j > 0 {
			prev = &ix.upTo[j-1]
		}
		t := runningOf(cells, prev)
		for _, d := range month {
			cell, k, num, den := d.unpack()
			t.add(cell, k, num, den)
		}
		ix.upTo[j] = t
	}
	ix.counted.Store(true)
}

// touch takes in a compound's standing, new or changed.
func (ix *index) touch(c *Compound) {
	if c.slot == 0 {
		ix.compounds = append(ix.compounds, c)
		ix.standings = append(ix.standings, Standing{})
		c.slot = int32(len(ix.compounds))
	}
	ix.standings[c.slot-1] = c.standing()
}

// versioned is a compound's version made at a log position.
type versioned struct {
	pos  uint64
	slot int32
}

// remember records a compound's version at pos if a table would read it
// otherwise than the last (see Compound.remember), noting what of its
// shape changed and, for tables of the past, that it changed.
func (ix *index) remember(c *Compound, pos uint64) {
	n := len(c.Versions)
	ix.reshaped(pos, c.remember(pos, &ix.standings[c.slot-1]))
	if len(c.Versions) > n {
		ix.versions = append(ix.versions, versioned{pos, c.slot - 1})
	}
}

// planned is a state of a measure as tables of the past read it: in a
// list in position order, with no pointer (a measure's earlier states,
// chained from the model's map, were a walk through the heap).
type planned struct {
	pos              uint64 // when it became known
	deadline, signed instant
	n, slot          int32 // the measure's number (Measure.n), and its compound's slot
}

// plan records a measure's state, new or changed (the earlier one is its
// Before), numbering a new measure.
func (ix *index) plan(ms *Measure) {
	if ms.Before != nil {
		ms.n = ms.Before.n
	} else {
		ms.n = ix.measures
		ix.measures++
	}
	if ms.c.slot == 0 { // a plan before its compound's registration (not in a well-formed log)
		ix.touch(ms.c)
	}
	ix.plans = append(ix.plans, planned{ms.Pos, instantOf(ms.Deadline), instantOf(ms.Signed), ms.n, ms.c.slot - 1})
}

// touched keeps the index in step with a compound the fold has changed;
// moved: it is new, or its place or company changed.
func (m *Model) touched(c *Compound, moved bool) {
	ix := m.ix
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
func (ix *index) level(l Level) *levelUnits {
	i := slices.Index(levelOrder[:], l)
	if lu := ix.levels[i].Load(); lu != nil {
		return lu
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if lu := ix.levels[i].Load(); lu != nil {
		return lu
	}
	lu := ix.layOut(l, (*Compound).latest)
	ix.levels[i].Store(lu)
	return lu
}

// layOut lays out the units of a level for the compounds as version says
// they stood (nil: not known yet, in no unit).
func (ix *index) layOut(l Level, version func(*Compound) *Version) *levelUnits {
	lu := &levelUnits{of: make([]int32, len(ix.compounds)), cells: make([]int32, len(ix.known.Cells))}
	seen := map[unitKey]int32{}
	slot := int32(-1) // the compound being laid out
	unit := func(key unitKey, name string) int32 {
		if key.path[0] == "" {
			return -1
		}
		u, ok := seen[key]
		if !ok {
			u = int32(len(lu.keys))
			seen[key] = u
			lu.keys, lu.names, lu.ids = append(lu.keys, key), append(lu.names, name), append(lu.ids, key.String())
			if l == LevelCompound {
				lu.slots = append(lu.slots, slot+1)
			}
		}
		return u
	}
	for s, c := range ix.compounds {
		slot = int32(s)
		v := version(c)
		if v == nil {
			lu.of[slot] = -1
			continue
		}
		lu.of[slot] = unit(unitOf(c.ID, v, placeIn(v.Places, int32(len(v.Places)-1)), l))
		if len(v.Places) > 1 {
			if lu.moved == nil {
				lu.moved, lu.shift = map[int32][]int32{}, make([]bool, len(ix.compounds))
			}
			lu.shift[slot] = true
			for _, pl := range v.Places {
				lu.moved[slot] = append(lu.moved[slot], unit(unitOf(c.ID, v, pl, l)))
			}
		}
	}
	for cell, key := range ix.known.Cells {
		if l == LevelCompany {
			lu.cells[cell] = unit(unitKey{[3]string{key.Company}, 1}, key.Company)
		} else {
			lu.cells[cell] = lu.unit(ix.cellSlot[cell], key.Epoch)
		}
	}
	lu.order = make([]int32, len(lu.ids))
	byID := make([]int32, len(lu.ids))
	for n := range byID {
		byID[n] = int32(n)
	}
	slices.SortFunc(byID, func(a, b int32) int { return strings.Compare(lu.ids[a], lu.ids[b]) })
	for i, n := range byID {
		lu.order[n] = int32(i)
	}
	return lu
}

// unit is the unit of a compound's place (an epoch a later move replaced
// has counted nothing since: -1).
func (lu *levelUnits) unit(slot, epoch int32) int32 {
	if units, ok := lu.moved[slot]; ok {
		if int(epoch) < len(units) {
			return units[epoch]
		}
		return -1
	}
	return lu.of[slot]
}

// cell finds an item's cell for a fact dated t in compound c's place then;
// the fold (add) adds it if new, a reader gets -1 for none.
func (ix *index) cell(it item, c *Compound, t time.Time, add bool) int32 {
	pl, epoch := it.at(), c.epoch(t)
	cached := &pl.cell
	if epoch > 0 {
		moved := ix.moved[pl]
		if int(epoch) > len(moved) {
			if !add {
				return -1
			}
			moved = append(moved, make([]int32, int(epoch)-len(moved))...)
			ix.moved[pl] = moved
		}
		cached = &moved[epoch-1]
	}
	if *cached > 0 {
		return *cached - 1
	}
	if !add {
		return -1
	}
	key := it.cell()
	key.Epoch = epoch
	id, ok := ix.cells[key]
	if !ok {
		id = int32(len(ix.known.Cells))
		ix.cells[key] = id
		ix.known.Cells = append(ix.known.Cells, key)
		ix.cellSlot = append(ix.cellSlot, c.slot-1)
		ix.relayout()
	}
	*cached = id + 1
	return id
}

// month returns the offset of month mo, making room for it.
func (ix *index) month(mo int) int {
	switch {
	case len(ix.upTo) == 0:
		ix.first, ix.upTo = mo, []running{{}}
	case mo < ix.first: // nothing before: the running totals of earlier months are zero
		ix.upTo = append(make([]running, ix.first-mo), ix.upTo...)
		ix.first = mo
	}
	for mo-ix.first >= len(ix.upTo) { // nothing yet: the running totals carry on
		ix.upTo = append(ix.upTo, runningOf(0, &ix.upTo[len(ix.upTo)-1]))
	}
	return mo - ix.first
}

// listing names a list of items: those with a fact in a month, and
// those with a judged fact in it (fewer, for the month of a judging time).
func listing(mo int, judged bool) int32 {
	if judged {
		return int32(2*mo + 1)
	}
	return int32(2 * mo)
}

// placed is a fact where the index counts it.
type placed struct {
	at    int64 // Unix nanoseconds
	month int32 // once located
	cell  int32 // once located
	c     counter
	num   bool
	same  bool // recount: the fact was there before the change and still is
	flip  bool // only its num changed: recorded as one delta of the numerator (see numOnly)
}

// placed appends an item's facts, not located yet. A fact with no date
// counts in no period.
func (ix *index) placed(it item, dst []placed) []placed {
	ix.buf = it.facts(ix.buf[:0], false, ix.extended)
	for _, f := range ix.buf {
		if !f.at.isZero() {
			dst = append(dst, placed{at: int64(f.at), c: f.c, num: f.num})
		}
	}
	return dst
}

// locate finds the month and cell (made if new) of an item's facts but
// those unchanged by a recount; list: and lists the item under their
// months (an item's facts before a change were listed already).
func (ix *index) locate(it item, facts []placed, list bool) {
	c, pl := ix.byID[it.cell().Compound], it.at()
	for i := range facts {
		f := &facts[i]
		if f.same {
			continue
		}
		at := time.Unix(0, f.at)
		mo := monthOf(at)
		f.month, f.cell = int32(mo), ix.cell(it, c, at, true)
		if list {
			ix.list(it, pl, listing(mo, false))
			if f.c.judged() {
				ix.list(it, pl, listing(mo, true))
			}
		}
	}
}

func (ix *index) list(it item, pl *place, l int32) {
	if pl.n == 0 {
		ix.items = append(ix.items, it)
		pl.n, pl.first = int32(len(ix.items)), l
	}
	if off := l - pl.first; off >= 0 && off < 32 {
		if pl.lists&(1<<off) != 0 {
			return
		}
		pl.lists |= 1 << off
	} else {
		if slices.Contains(ix.far[pl.n-1], l) {
			return
		}
		ix.far[pl.n-1] = append(ix.far[pl.n-1], l)
	}
	ix.listed[l] = append(ix.listed[l], pl.n-1)
}

// match marks the facts there before a change and still there after it
// (most of them: an event changes one or two), and then those whose num
// alone changed: the fact after the change is flipped, the one before
// left out.
func match(was, now []placed) {
	for _, flips := range []bool{false, true} {
		for i := range was {
			for j := range now {
				w, n := &was[i], &now[j]
				if !w.same && !n.same && !n.flip && w.at == n.at && w.cell == n.cell && w.c == n.c && (w.num == n.num) != flips {
					w.same = true
					n.same, n.flip = !flips, flips
					break
				}
			}
		}
	}
}

// record records the facts a change undid (sign -1) or made (1), stamped
// with the event's position, but those it left as they were; the running
// totals, once summed, follow.
func (ix *index) record(facts []placed, sign int32) {
	for _, f := range facts {
		if f.same {
			continue
		}
		mo := int(f.month)
		d := ix.known.add(mo, ix.pos, f, sign)
		if !ix.counted.Load() {
			continue
		}
		_, _, num, den := d.unpack()
		for j := ix.month(mo); j < len(ix.upTo); j++ {
			ix.upTo[j].add(f.cell, f.c, num, den)
		}
	}
}

// update applies change to an item (nil: the item is new), keeping the
// index in step. The compound's place does not change, so a fact of the
// same date stays in the same cell: facts are matched before they are
// located, and only those the change made or undid are.
func (m *Model) update(it item, change func()) {
	ix := m.ix
	ix.was = ix.was[:0]
	if change != nil {
		ix.was = ix.placed(it, ix.was)
		change()
	}
	ix.now = ix.placed(it, ix.now[:0])
	match(ix.was, ix.now)
	ix.locate(it, ix.was, false)
	ix.locate(it, ix.now, true)
	ix.record(ix.was, -1)
	ix.record(ix.now, 1)
}

// replace applies change to a compound's place, recounting its items'
// facts where their dates now put them: located before they are matched.
func (m *Model) replace(compound string, change func()) {
	ix := m.ix
	var its []item
	for _, x := range m.Complaints {
		if x.Compound == compound {
			its = append(its, x)
		}
	}
	for _, l := range m.Lawsuits {
		if l.Compound == compound {
			its = append(its, l)
		}
	}
	placeAll := func(dst []placed, list bool) []placed {
		for _, it := range its {
			from := len(dst)
			dst = ix.placed(it, dst)
			ix.locate(it, dst[from:], list)
		}
		return dst
	}
	ix.was = placeAll(ix.was[:0], false)
	change()
	ix.now = placeAll(ix.now[:0], true)
	match(ix.was, ix.now)
	ix.record(ix.was, -1)
	ix.record(ix.now, 1)
}

// run is a span of whole months summed from the running totals; judged:
// with the judged facts (their months end before the judging time).
type run struct {
	from, to int // months, both included
	judged   bool
}

// sum adds the counts of a run of months to the tallies of the cells'
// units; a unit gets a tally only if something counts.
func (ix *index) sum(r run, u *units, w window) {
	if r.to < max(r.from, ix.first) {
		return
	}
	before, upTo := ix.total(r.from-1), ix.total(r.to)
	for cell, n := range u.lu.cells {
		if n < 0 {
			continue
		}
		hi, lo := upTo.at(cell), before.at(cell)
		var t counted
		for k := range hi[:w.kept] {
			if hi[k] != lo[k] && (r.judged || !counter(k).judged()) {
				if t.tally == nil {
					t = u.laidOut(n)
				}
				c := &t.c[w.into+field(k)]
				c.num += hi[k].num - lo[k].num
				c.den += hi[k].den - lo[k].den
			}
		}
	}
}

// total is the running totals up to and with month mo (once counted).
func (ix *index) total(mo int) *running {
	if mo < ix.first || len(ix.upTo) == 0 {
		return nil
	}
	return &ix.upTo[min(mo-ix.first, len(ix.upTo)-1)]
}

// walk counts the facts of one month's items that a window holds, only
// the judged ones if judgedOnly.
func (ix *index) walk(mo int, w window, judgedOnly bool, u *units) {
	part := window{Period{maxTime(w.From, monthStart(mo)), minTime(w.To, monthStart(mo+1))}, w.judged, w.into, w.kept}
	var buf []fact
	for _, n := range ix.listed[listing(mo, judgedOnly)] {
		it := ix.items[n]
		c := ix.byID[it.cell().Compound]
		buf = it.facts(buf[:0], judgedOnly, ix.extended)
		for _, f := range buf {
			if !part.holds(f) {
				continue
			}
			if cell := ix.cell(it, c, f.at.time(), false); cell >= 0 {
				if t := u.laidOut(u.lu.cells[cell]); t.tally != nil {
					t.addFact(part.into, f)
				}
			}
		}
	}
}

// countFacts adds the facts of complaints and lawsuits inside each window
// to the tallies of their units: from the index if it is given, else by
// walking every item.
func (m *Model) countFacts(u *units, ix *index, windows ...window) {
	if ix == nil {
		var buf []fact
		count := func(it item, compound, company string) {
			c := m.Compounds[compound]
			buf = it.facts(buf[:0], false, m.Extended)
			for _, f := range buf {
				for _, w := range windows {
					if !w.holds(f) {
						continue
					}
					if t := u.of(c, company, c.epoch(f.at.time())); t.tally != nil {
						t.addFact(w.into, f)
					}
				}
			}
		}
		for _, x := range m.Complaints {
			count(x, x.Compound, x.Company.String())
		}
		for _, l := range m.Lawsuits {
			count(l, l.Compound, l.Company)
		}
		return
	}
	for _, w := range windows {
		// Months wholly inside the window are summed, judged facts only
		// for months wholly before the judging time and walked in the
		// month it falls in; months the window cuts are walked.
		var runs []run
		for mo := monthOf(w.From); mo <= monthOf(w.To.Add(-time.Nanosecond)); mo++ {
			start, end := monthStart(mo), monthStart(mo+1)
			if start.Before(w.From) || end.After(w.To) {
				ix.walk(mo, w, false, u)
				continue
			}
			judged := w.judged.IsZero() || !end.After(w.judged)
			if !judged && start.Before(w.judged) {
				ix.walk(mo, w, true, u)
			}
			if n := len(runs); n > 0 && runs[n-1].to == mo-1 && runs[n-1].judged == judged {
				runs[n-1].to = mo
			} else {
				runs = append(runs, run{mo, mo, judged})
			}
		}
		for _, r := range runs {
			ix.sum(r, u, w)
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
