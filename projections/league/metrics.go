package league

import (
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
// per fact (the company serving when it happened), see agg.
func unitOf(c *Compound, l Level) (key, name string) {
	switch l {
	case LevelDistrict:
		return c.District, c.District
	case LevelCommunity:
		return c.District + "/" + c.Street + "/" + c.Community, c.Community
	case LevelCompound:
		return c.ID, c.Name
	case LevelCompany:
		return c.Company, c.Company
	}
	return c.District + "/" + c.Street, c.Street
}

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
	name                                     string
	households                               int
	received, receivedLastYear               Count // complaints
	petitionsSuits, petitionsSuitsLastYear   Count // 信访 and 诉讼, for 只降不升
	response, closure, resolution, satisfied Count
	returned, reopened                       Count
	measuresOnTime, overdueMeasures, listed  Count
	coverage, expired, partyShare, dualRole  Count
	redProperty                              Count
}

func (t *tally) counts() []*Count {
	return []*Count{&t.received, &t.receivedLastYear, &t.petitionsSuits, &t.petitionsSuitsLastYear, &t.response, &t.closure,
		&t.resolution, &t.satisfied, &t.returned, &t.reopened, &t.measuresOnTime, &t.overdueMeasures, &t.listed,
		&t.coverage, &t.expired, &t.partyShare, &t.dualRole, &t.redProperty}
}

// count walks the model once and tallies every unit of the level for the
// period; at is when open items are judged (overdue, expired). Event IDs
// are kept only when explaining: collecting them costs more than counting.
func (m *Model) count(level Level, p Period, at time.Time, explain bool) map[string]*tally {
	out := map[string]*tally{}
	byKey := func(key, name string) *tally {
		if key == "" {
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
	units := make(map[string]*tally, len(m.Compounds))
	unit := func(compound, company string) *tally {
		if level == LevelCompany {
			return byKey(company, company)
		}
		t, ok := units[compound]
		if !ok {
			t = byKey(unitOf(m.Compounds[compound], level))
			units[compound] = t
		}
		return t
	}
	prev := p.lastYear()
	for _, c := range m.Compounds {
		t := unit(c.ID, c.Company)
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
	for _, x := range m.Complaints {
		t := unit(x.Compound, x.Company)
		if t == nil {
			continue
		}
		petition := x.Channel == domain.ChannelPetition || x.Channel == domain.ChannelVisit
		rcv := x.ReceivedEvent
		t.received.add(true, p.contains(x.Received), rcv)
		t.receivedLastYear.add(true, prev.contains(x.Received), rcv)
		t.petitionsSuits.add(true, petition && p.contains(x.Received), rcv)
		t.petitionsSuitsLastYear.add(true, petition && prev.contains(x.Received), rcv)
		if p.contains(x.Dispatched) {
			onTime := !x.Accepted.IsZero() && !x.Accepted.After(x.DispatchDue)
			t.response.add(onTime, true, x.DispatchedEvent)
			t.returned.add(x.Returns > 0, true, x.DispatchedEvent)
		}
		if p.contains(x.ReplyDue) && x.ReplyDue.Before(at) {
			t.closure.add(!x.Resolved.IsZero() && !x.Resolved.After(x.ReplyDue), true, rcv)
		}
		for _, call := range x.Calls {
			if p.contains(call.At) {
				ok := call.Satisfaction == domain.Satisfied || call.Satisfaction == domain.BasicallySatisfied
				t.resolution.add(call.Solved, true, call.EventID)
				t.satisfied.add(ok, true, call.EventID)
			}
		}
		if p.contains(x.Received) && (len(x.Calls) > 0 || !x.Resolved.IsZero()) {
			t.reopened.add(x.Reopens > 0, true, rcv)
		}
	}
	for _, l := range m.Lawsuits {
		t := unit(l.Compound, l.Company)
		if t == nil {
			continue
		}
		t.petitionsSuits.add(true, p.contains(l.Filed), l.EventID)
		t.petitionsSuitsLastYear.add(true, prev.contains(l.Filed), l.EventID)
	}
	for _, ms := range m.Measures {
		t := unit(ms.Compound, m.Compounds[ms.Compound].Company)
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
		t := unit(l.Compound, m.Compounds[l.Compound].Company)
		if t == nil {
			continue
		}
		active := l.Listed.Before(p.To) && (l.Delisted.IsZero() || !l.Delisted.Before(p.From))
		t.listed.add(true, active, l.EventID)
	}
	return out
}
