package domain

import (
	"sort"
	"time"
)

// RuleSet is one jurisdiction's rules, in force from EffectiveFrom until the
// next set of its book. Every number a rule uses lives here, never in code:
// cities differ and rules change, and a replay of 2019 applies 2019's rules.
type RuleSet struct {
	Name          string         `json:"name" toml:"name"`
	EffectiveFrom time.Time      `json:"effective_from" toml:"effective_from"`
	Vote          VoteRules      `json:"vote" toml:"vote"`
	Committee     CommitteeRules `json:"committee" toml:"committee"`
	Complaint     ComplaintRules `json:"complaint" toml:"complaint"`
	Plan          PlanRules      `json:"plan" toml:"plan"`
	Credit        CreditRules    `json:"credit" toml:"credit"`
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

// AddWorkingDays returns the end of the n-th working day after t, skipping
// Saturdays and Sundays on the local calendar. Public holidays and their
// swapped working weekends are not modelled: limits come out a little
// earlier around holidays, never later. Whole weeks are added at once, so
// the work is the same for any n; commands keep n within MaxWorkingDays
// (limits.go), and a larger n is clamped so the date arithmetic cannot wrap.
func AddWorkingDays(t time.Time, n int) time.Time {
	n = min(max(n, 0), MaxWorkingDays)
	d := t.In(China)
	if n == 0 {
		return endOfDay(d)
	}
	for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
		d = d.AddDate(0, 0, -1) // count from the Friday before: same result, whole weeks line up
	}
	d = d.AddDate(0, 0, n/5*7)
	for n %= 5; n > 0; {
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

// CommitteeRules are the owners' committee (业主委员会) rules of a
// jurisdiction. The built-in sets follow the domain reference; cities bring their own.
type CommitteeRules struct {
	EligibleDelivered       Fraction `json:"eligible_delivered" toml:"eligible_delivered"`           // delivered share of private area before owners may apply
	PreparatoryWithinDays   int      `json:"preparatory_within_days" toml:"preparatory_within_days"` // 筹备组 formed after the application
	MinMembers              int      `json:"min_members" toml:"min_members"`
	MaxMembers              int      `json:"max_members" toml:"max_members"`
	SmallCompoundHouseholds int      `json:"small_compound_households" toml:"small_compound_households"` // below this, SmallMinMembers is allowed
	SmallMinMembers         int      `json:"small_min_members" toml:"small_min_members"`
	MaxAlternates           Cap      `json:"max_alternates" toml:"max_alternates"` // cap on alternates per member
	MaxTermYears            int      `json:"max_term_years" toml:"max_term_years"`
	ChairWithinDays         int      `json:"chair_within_days" toml:"chair_within_days"`           // chair chosen after the election
	FilingWithinDays        int      `json:"filing_within_days" toml:"filing_within_days"`         // 备案 after the election
	ReelectionLeadMonths    int      `json:"reelection_lead_months" toml:"reelection_lead_months"` // 换届 starts before the term ends
	HandoverWithinDays      int      `json:"handover_within_days" toml:"handover_within_days"`     // outgoing committee hands over archives and seal
	InterimFilingWithinDays int      `json:"interim_filing_within_days" toml:"interim_filing_within_days"`
	AgeMin                  int      `json:"age_min" toml:"age_min"`
	AgeMax                  int      `json:"age_max" toml:"age_max"`
	VettingChecks           []string `json:"vetting_checks" toml:"vetting_checks"` // every check a candidate must pass
}

// The vetting checks (资格审查) of the domain reference.
const (
	CheckUnitOwner         = "unit_owner"            // 本小区业主
	CheckCivilCapacity     = "civil_capacity"        // 完全民事行为能力
	CheckAge               = "age"                   // 年龄
	CheckNoFeeArrears      = "no_fee_arrears"        // 无欠缴、拒缴物业费
	CheckFundPaid          = "maintenance_fund_paid" // 已缴维修资金
	CheckNoCompanyTies     = "no_company_ties"       // 本人及近亲属不在物业企业任职
	CheckNoCompanyBenefits = "no_company_benefits"   // 未收受物业企业利益
	CheckNoRecentPenalty   = "no_recent_penalty"     // 三年内无刑事处罚或严重处分
	CheckNoIllegalBuilding = "no_illegal_construction"
)

// ComplaintRules are the time limits of complaint handling (办理时限).
// Missing a limit is recorded, never rejected: the rates are computed later
// from the times and dues the events carry.
type ComplaintRules struct {
	DispatchHours                int `json:"dispatch_hours" toml:"dispatch_hours"`                                   // 派单时限
	UrgentDispatchHours          int `json:"urgent_dispatch_hours" toml:"urgent_dispatch_hours"`                     // 紧急件派单时限
	ConsultationReplyWorkingDays int `json:"consultation_reply_working_days" toml:"consultation_reply_working_days"` // 咨询答复时限
	ComplaintReplyWorkingDays    int `json:"complaint_reply_working_days" toml:"complaint_reply_working_days"`       // 投诉办结时限
	FollowUpDays                 int `json:"follow_up_days" toml:"follow_up_days"`                                   // 办结后回访时限
	MaxExtensionWorkingDays      int `json:"max_extension_working_days" toml:"max_extension_working_days"`           // 每轮办理累计最多延期
}

// PlanRules are the limits of remediation plans (一区一策) and supervision
// listings (挂牌督办) of one jurisdiction.
type PlanRules struct {
	MaxListingDays               int `json:"max_listing_days" toml:"max_listing_days"`                               // a listing's deadline is at most this many days after listing
	ExtensionLeadWorkingDays     int `json:"extension_lead_working_days" toml:"extension_lead_working_days"`         // an extension is requested at least this many working days before the deadline
	ExtensionDecisionWorkingDays int `json:"extension_decision_working_days" toml:"extension_decision_working_days"` // and decided within this many working days of the request
}

// VoteRules are an assembly's quorum and thresholds under one law.
type VoteRules struct {
	Law          string    `json:"law" toml:"law"`
	Quorum       Fraction  `json:"quorum" toml:"quorum"` // of total area and of all owners
	Ordinary     Threshold `json:"ordinary" toml:"ordinary"`
	Major        Threshold `json:"major" toml:"major"`
	MajorMatters []Matter  `json:"major_matters" toml:"major_matters"`
}

// CreditRules score the credit ledgers (信用评价) of property companies.
// Items are keyed by kind: the violation codes of EnforcementRecorded and
// the Credit* kinds below.
type CreditRules struct {
	Base        int            `json:"base" toml:"base"`                 // 基础分
	ValidMonths int            `json:"valid_months" toml:"valid_months"` // each item counts this long from its business time
	Points      map[string]int `json:"points" toml:"points"`             // good items positive, bad items negative
	Bands       Bands          `json:"bands" toml:"grades"`              // highest first; lower bounds inclusive
	Lowest      string         `json:"lowest" toml:"lowest"`             // the grade below every band
	Blacklist   []string       `json:"blacklist" toml:"blacklist"`       // one valid item of these kinds blacklists the company (黑名单)
}

// The credit item kinds other than enforcement actions.
const (
	CreditLawsuitLost       = "lawsuit_lost"       // 败诉
	CreditVerifiedComplaint = "verified_complaint" // 有效投诉：回访不满意且未解决
	CreditRedProperty       = "red_property"       // 红色物业 (a good item)
)

// Band is a grade and the lowest score that earns it.
type Band struct {
	Grade string `json:"grade"`
	Min   int    `json:"min"`
}

// Bands are grades ordered highest first.
type Bands []Band

// Grade is the grade of a score.
func (r CreditRules) Grade(score int) string {
	for _, b := range r.Bands {
		if score >= b.Min {
			return b.Grade
		}
	}
	return r.Lowest
}
