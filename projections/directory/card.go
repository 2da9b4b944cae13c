package directory

import (
	"time"

	"github.com/casetrack/casetrack/domain"
)

// Card is an entry without its ID and counters, from a log position on,
// its strings and times numbered in the model's Interned tables: 80 bytes
// where an entry takes 224, and its plan and listing their own.
type Card struct {
	Pos                                                     uint32
	Name, District, Street, Community, Kind, Company, Phase uint32 // in Interned.Strings
	TermEnd, Deadline                                       uint32 // in Interned.Times
	Households                                              int64
	Latitude, Longitude                                     domain.Degrees
	Measures, SignedOff                                     int32
	Flags                                                   uint8
}

// The flags of a card.
const (
	filed uint8 = 1 << iota
	conflict
	planned
	planOpen
	listed
	listingActive
)

// Interned numbers the strings and times of cards. The times keep their
// locations (an answer shows a term's end as it was recorded), so equal
// instants recorded twice may take two numbers: a card more at worst.
type Interned struct {
	Strings []string
	Times   []time.Time
	strings map[string]uint32 // not snapshotted: made again by index
	times   map[time.Time]uint32
}

func (in *Interned) str(s string) uint32 {
	if in.strings == nil { // restored: look in the tables before adding to them
		in.index()
	}
	if n, ok := in.strings[s]; ok {
		return n
	}
	in.strings[s] = uint32(len(in.Strings))
	in.Strings = append(in.Strings, s)
	return in.strings[s]
}

func (in *Interned) time(t time.Time) uint32 {
	if in.times == nil { // restored: look in the tables before adding to them
		in.index()
	}
	if n, ok := in.times[t]; ok {
		return n
	}
	in.times[t] = uint32(len(in.Times))
	in.Times = append(in.Times, t)
	return in.times[t]
}

// index makes the look-ups of the tables (after a restore).
func (in *Interned) index() {
	in.strings, in.times = make(map[string]uint32, len(in.Strings)), make(map[time.Time]uint32, len(in.Times))
	for i, s := range in.Strings {
		in.strings[s] = uint32(i)
	}
	for i, t := range in.Times {
		in.times[t] = uint32(i)
	}
}

// card is the entry as a card from pos on.
func (in *Interned) card(pos uint64, e *Entry) Card {
	c := Card{Pos: uint32(pos), Name: in.str(e.Name), District: in.str(e.District), Street: in.str(e.Street), Community: in.str(e.Community),
		Kind: in.str(string(e.Kind)), Company: in.str(e.PropertyCompany), Phase: in.str(e.Committee.Phase), TermEnd: in.time(e.Committee.TermEnd),
		Households: int64(e.Households), Latitude: e.Latitude, Longitude: e.Longitude}
	if e.Committee.Filed {
		c.Flags |= filed
	}
	if e.Conflict {
		c.Flags |= conflict
	}
	if p := e.Plan; p != nil {
		c.Flags |= planned
		c.Measures, c.SignedOff = int32(p.Measures), int32(p.SignedOff)
		if p.Open {
			c.Flags |= planOpen
		}
	}
	if l := e.Listing; l != nil {
		c.Flags |= listed
		c.Deadline = in.time(l.Deadline.Time)
		if l.Active {
			c.Flags |= listingActive
		}
	} else {
		c.Deadline = in.time(time.Time{})
	}
	return c
}

// match reports whether a card is of a registered compound f matches.
func (in *Interned) match(c *Card, f Filter) bool {
	return in.Strings[c.Name] != "" && (f.District == "" || in.Strings[c.District] == f.District) &&
		(f.Street == "" || in.Strings[c.Street] == f.Street) && (f.Community == "" || in.Strings[c.Community] == f.Community)
}

// entry is compound id's entry as its card has it, without the counters.
func (in *Interned) entry(id string, c *Card) Entry {
	e := Entry{ID: id, Name: in.Strings[c.Name], District: in.Strings[c.District], Street: in.Strings[c.Street], Community: in.Strings[c.Community],
		Kind: domain.CompoundKind(in.Strings[c.Kind]), Households: int(c.Households), PropertyCompany: in.Strings[c.Company],
		Latitude: c.Latitude, Longitude: c.Longitude, Conflict: c.Flags&conflict != 0,
		Committee: Committee{Phase: in.Strings[c.Phase], TermEnd: in.Times[c.TermEnd], Filed: c.Flags&filed != 0}}
	if c.Flags&planned != 0 {
		e.Plan = &Plan{Measures: int(c.Measures), SignedOff: int(c.SignedOff), Open: c.Flags&planOpen != 0}
	}
	if c.Flags&listed != 0 {
		e.Listing = &Listing{Active: c.Flags&listingActive != 0, Deadline: domain.Date{Time: in.Times[c.Deadline]}}
	}
	return e
}
