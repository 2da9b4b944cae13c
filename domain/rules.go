package domain

import (
	"sort"
	"time"
)

// RuleSet is one jurisdiction's rules, in force from EffectiveFrom until the
// next set of its book. Every number a rule uses lives here, never in code:
// cities differ and rules change, and a replay of 2019 applies 2019's rules.
type RuleSet struct {
	Name          string         `json:"name"`
	EffectiveFrom time.Time      `json:"effective_from"`
	Vote          VoteRules      `json:"vote"`
	Committee     CommitteeRules `json:"committee"`
	Complaint     ComplaintRules `json:"complaint"`
	Plan          PlanRules      `json:"plan"`
}

// RuleBook is a jurisdiction's rule sets ordered by effective date.
type RuleBook struct{ sets []RuleSet }

// NewRuleBook orders sets by effective date; it needs at least one.
func NewRuleBook(sets ...RuleSet) RuleBook {
	if len(sets) == 0 {
		panic("rule book needs a rule set")
	}
	s := append([]RuleSet(nil), sets...)
	sort.SliceStable(s, func(i, j int) bool { return s[i].EffectiveFrom.Before(s[j].EffectiveFrom) })
	return RuleBook{sets: s}
}

// At returns the rule set in force at t (the earliest set for older dates,
// so that paper records from before the first set can still be entered).
func (b RuleBook) At(t time.Time) RuleSet {
	cur := b.sets[0]
	for _, s := range b.sets[1:] {
		if t.Before(s.EffectiveFrom) {
			break
		}
		cur = s
	}
	return cur
}

// Sets returns the book's rule sets in effective order.
func (b RuleBook) Sets() []RuleSet { return append([]RuleSet(nil), b.sets...) }

// China is the time zone of every business date: deadlines in days and
// working days are counted on the local calendar.
var China = time.FixedZone("CST", 8*3600)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, China) }

// DefaultRuleBook holds the defaults of the domain reference: the Property
// Management Regulation as revised in 2018, and the Civil Code from 2021.
func DefaultRuleBook() RuleBook {
	base := RuleSet{
		Committee: defaultCommitteeRules(),
		Complaint: defaultComplaintRules(),
		Plan:      defaultPlanRules(),
	}
	reg2018 := base
	reg2018.Name = "property-regulation-2018"
	reg2018.EffectiveFrom = date(2018, 3, 19)
	reg2018.Vote = regulation2018VoteRules()
	code2021 := base
	code2021.Name = "civil-code-2021"
	code2021.EffectiveFrom = date(2021, 1, 1)
	code2021.Vote = civilCodeVoteRules()
	return NewRuleBook(reg2018, code2021)
}

// AddWorkingDays returns the end of the n-th working day after t, skipping
// Saturdays and Sundays on the local calendar. Public holidays and their
// swapped working weekends are not modelled: limits come out a little
// earlier around holidays, never later.
func AddWorkingDays(t time.Time, n int) time.Time {
	d := t.In(China)
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return endOfDay(d)
}

// addDays returns the end of the local day n calendar days after t.
func addDays(t time.Time, n int) time.Time { return endOfDay(t.In(China).AddDate(0, 0, n)) }

func endOfDay(t time.Time) time.Time {
	y, m, d := t.In(China).Date()
	return time.Date(y, m, d, 23, 59, 59, 0, China)
}
