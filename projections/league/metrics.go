package league

import (
	"strings"
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

// unitOf names the unit of a compound at a level; companies are attributed
// per fact (the company serving when it happened), see count.
func unitOf(c *Compound, l Level) (key unitKey, name string) {
	switch l {
	case LevelDistrict:
		return unitKey{[3]string{c.District}, 1}, c.District
	case LevelCommunity:
		return unitKey{[3]string{c.District, c.Street, c.Community}, 3}, c.Community
	case LevelCompound:
		return unitKey{[3]string{c.ID}, 1}, c.Name
	case LevelCompany:
		return unitKey{[3]string{c.Company}, 1}, c.Company
	}
	return unitKey{[3]string{c.District, c.Street}, 2}, c.Street
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
// events behind both.
type Count struct {
	Num, Den float64
	Events   []string
	explain  bool
}

func (c *Count) add(num, den bool, event string) {
	if den {
		c.Den++
		if num {
			c.Num++
		}
		if c.explain {
			c.Events = append(c.Events, event)
		}
	}
}

// tally is everything counted for one unit in one period.
type tally struct {
	name                                    string
	households                              int
	cur, prev                               [nCounters]Count // dated facts of the period and of a year before
	measuresOnTime, overdueMeasures, listed Count
	coverage, expired, partyShare, dualRole Count
	redProperty                             Count
}

func (t *tally) counts() []*Count {
	out := []*Count{&t.measuresOnTime, &t.overdueMeasures, &t.listed, &t.coverage, &t.expired, &t.partyShare, &t.dualRole, &t.redProperty}
	for i := range t.cur {
		out = append(out, &t.cur[i], &t.prev[i])
	}
	return out
}

// count walks the model once and tallies every unit of the level for the
// period; at is when open items are judged (overdue, expired). Event IDs
// are kept only when explaining: collecting them costs more than counting.
func (m *Model) count(level Level, p Period, at time.Time, explain bool) map[unitKey]*tally {
	out := map[unitKey]*tally{}
	byKey := func(key unitKey, name string) *tally {
		if key.path[0] == "" {
			return nil // e.g. no property company: not a unit of the company table
		}
		t := out[key]
		if t == nil {
			t = &tally{name: name}
			for _, c := range t.counts() {
				c.explain = explain
			}
			out[key] = t
		}
		return t
	}
	// The unit of each compound, found once; companies go by the company
	// serving when a fact happened.
	units := make(map[*Compound]*tally, len(m.Compounds))
	unit := func(c *Compound, company string) *tally {
		if level == LevelCompany {
			return byKey(unitKey{[3]string{company}, 1}, company)
		}
		t, ok := units[c]
		if !ok {
			t = byKey(unitOf(c, level))
			units[c] = t
		}
		return t
	}
	prev := p.lastYear()
	for _, c := range m.Compounds {
		t := unit(c, c.Company)
		if t == nil || c.EventID == "" {
			continue
		}
		t.households += c.Households
		eligible := domain.Fraction{Num: 1, Den: 2, Strict: true}.Met(int64(c.DeliveredArea), int64(c.PrivateArea))
		cm := c.Committee
		serving := len(cm.Members) > 0 && !cm.ExpiredNoReelection
		t.coverage.add(serving && cm.Filed || c.InterimFiled, eligible, c.EventID)
		t.expired.add(true, cm.ExpiredNoReelection || serving && cm.TermEnd.Before(at) && !cm.ReelectionStarted, cm.EventID)
		if serving {
			t.partyShare.Num += float64(cm.partyMembers())
			t.partyShare.Den += float64(len(cm.Members))
			t.partyShare.Events = append(t.partyShare.Events, cm.EventID)
			t.dualRole.add(c.Secretary != "" && cm.Members[cm.Chair].Name == c.Secretary, true, cm.EventID)
		}
		t.redProperty.add(c.RedProperty, c.Company != "", c.EventID)
	}
	m.countFacts(unit, explain,
		window{p, at, func(t *tally) *[nCounters]Count { return &t.cur }},
		window{prev, time.Time{}, func(t *tally) *[nCounters]Count { return &t.prev }})
	for _, ms := range m.Measures {
		c := m.Compounds[ms.Compound]
		t := unit(c, c.Company)
		if t == nil {
			continue
		}
		if p.contains(ms.Deadline) && ms.Deadline.Before(at) {
			t.measuresOnTime.add(!ms.Signed.IsZero() && !ms.Signed.After(ms.Deadline), true, ms.EventID)
		}
		open := ms.Signed.IsZero() || ms.Signed.After(at)
		t.overdueMeasures.add(true, open && ms.Deadline.Before(at), ms.EventID)
	}
	for _, l := range m.Listings {
		c := m.Compounds[l.Compound]
		t := unit(c, c.Company)
		if t == nil {
			continue
		}
		active := l.Listed.Before(p.To) && (l.Delisted.IsZero() || !l.Delisted.Before(p.From))
		t.listed.add(true, active, l.EventID)
	}
	return out
}
