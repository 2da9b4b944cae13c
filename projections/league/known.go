package league

import (
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/casetrack/casetrack/projections"
)

// Known is every fact the index counts, by when it became known: each
// change the fold made to an item's facts, signed, stamped with the log
// position of the event that made it, and kept by the month of the fact's
// business time. The fold appends in position order, so each month's list
// is sorted by position: the counts known at a position are the prefix up
// to it. The live model's running totals are summed from it, and a table as
// of a past position (knowledge time) for any period (business time) is
// counted from it without replaying the log. Snapshots carry it (it cannot
// be recomputed from the model's present state).
type Known struct {
	Cells  []Cell   // by cell number
	First  int      // the month of Months[0]
	Months []deltas // by month from First
}

// delta is one signed fact, packed into 16 bytes (a 10M-event city records
// tens of millions of them).
type delta struct {
	at   int64  // business time, Unix nanoseconds
	pos  uint32 // the log position it became known at (see projections.MaxKnownPosition)
	bits uint32 // cell<<6 | counter<<3 | what<<1 | negative (cells numbered below 2^26)
}

// What a delta counts: a fact counts towards a counter's denominator, and
// its numerator too if num. A fact whose numerator alone changed (a round
// accepted, or resolved in time) is one delta of the numerator, not its
// undoing and redoing: the two would share date, cell and position, so
// every count takes both or neither.
const (
	denOnly = iota // den ±1
	denNum         // den and num ±1
	numOnly        // num ±1
)

// unpack is the cell and counter the delta counts towards, and what it
// adds to their numerator and denominator.
func (d delta) unpack() (cell int32, k counter, num, den int32) {
	sign := int32(1)
	if d.bits&1 != 0 {
		sign = -1
	}
	switch d.bits >> 1 & 3 {
	case denNum:
		num, den = sign, sign
	case numOnly:
		num = sign
	default:
		den = sign
	}
	return int32(d.bits >> 6), counter(d.bits >> 3 & 7), num, den
}

// add records a fact of month mo that became known at pos, signed (a
// flipped fact: its numerator only, up if it now counts there), and
// returns its delta.
func (k *Known) add(mo int, pos uint64, f placed, sign int32) delta {
	switch {
	case len(k.Months) == 0:
		k.First = mo
	case mo < k.First:
		k.Months = append(make([]deltas, k.First-mo), k.Months...)
		k.First = mo
	}
	for mo-k.First >= len(k.Months) {
		k.Months = append(k.Months, nil)
	}
	what := uint32(denOnly)
	switch {
	case f.flip:
		what = numOnly
		if !f.num {
			sign = -sign
		}
	case f.num:
		what = denNum
	}
	bits := uint32(f.cell)<<6 | uint32(f.c)<<3 | what<<1
	if sign < 0 {
		bits |= 1
	}
	j, d := mo-k.First, delta{f.at, uint32(pos), bits}
	k.Months[j] = append(k.Months[j], d)
	return d
}

// month is the deltas of month mo known at pos (nil if none).
func (k *Known) month(mo int, pos uint64) deltas {
	ds := k.all(mo)
	return ds[:projections.KnownBy(ds, pos, func(d *delta) uint64 { return uint64(d.pos) })]
}

// all is every delta of month mo (nil if none).
func (k *Known) all(mo int) deltas {
	if j := mo - k.First; j >= 0 && j < len(k.Months) {
		return k.Months[j]
	}
	return nil
}

// deltas are one month's, in position order; snapshots hold them as packed
// bytes (gob would describe every field of every one).
type deltas []delta

func (ds deltas) GobEncode() ([]byte, error) {
	b := make([]byte, 0, 16*len(ds))
	for _, d := range ds {
		b = binary.LittleEndian.AppendUint64(b, uint64(d.at))
		b = binary.LittleEndian.AppendUint32(b, d.pos)
		b = binary.LittleEndian.AppendUint32(b, d.bits)
	}
	return b, nil
}

func (ds *deltas) GobDecode(b []byte) error {
	if len(b)%16 != 0 {
		return fmt.Errorf("league snapshot: %d bytes of known facts, not a whole number of 16", len(b))
	}
	out := make(deltas, len(b)/16)
	for i := range out {
		r := b[16*i:]
		out[i] = delta{int64(binary.LittleEndian.Uint64(r)), binary.LittleEndian.Uint32(r[8:]), binary.LittleEndian.Uint32(r[12:])}
	}
	*ds = out
	return nil
}

// Version is a compound as tables read it, from a log position on.
type Version struct {
	Name, Company string
	Places        []Place
	Pos           uint64
	Standing      Standing
}

// remember records the compound's version at pos, with its standing st,
// if a table would read it otherwise than the last; it returns what of its
// shape changed (none for its first version).
func (c *Compound) remember(pos uint64, st *Standing) shape {
	var places []Place
	var changed shape
	if n := len(c.Versions); n > 0 {
		last := &c.Versions[n-1]
		if changed = last.reshaped(c.Name, c.Company, c.Places); changed&shapePlaces == 0 {
			places = last.Places // shared: a version's places are never changed
		}
		if changed == 0 && last.Standing == *st {
			return 0 // nothing a table reads has changed
		}
	}
	if places == nil {
		places = slices.Clone(c.Places) // the fold's move changes its own in place
	}
	c.Versions = append(c.Versions, Version{Pos: pos, Name: c.Name, Company: c.Company, Places: places, Standing: *st})
	return changed
}

// reshaped is what of a compound's shape differs from the version's.
func (v *Version) reshaped(name, company string, places []Place) shape {
	var s shape
	if !slices.Equal(v.Places, places) {
		s |= shapePlaces
	}
	if v.Name != name {
		s |= shapeName
	}
	if v.Company != company {
		s |= shapeCompany
	}
	return s
}

// versionAt is the compound as it was known at pos; nil if it was not.
func (c *Compound) versionAt(pos uint64) *Version {
	i := projections.KnownBy(c.Versions, pos, func(v *Version) uint64 { return v.Pos })
	if i == 0 {
		return nil
	}
	return &c.Versions[i-1]
}

// latest is the compound as it stands (the fold remembers every change).
func (c *Compound) latest() *Version { return &c.Versions[len(c.Versions)-1] }

// placeIn is the place of an epoch among a compound's places (none for an
// epoch a later move replaced).
func placeIn(places []Place, epoch int32) Place {
	if epoch >= 0 && int(epoch) < len(places) {
		return places[epoch]
	}
	return Place{}
}
