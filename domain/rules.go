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

// CommitteeRules are the owners' committee (业主委员会) rules of a
// jurisdiction. Defaults follow the domain reference; cities override them.
type CommitteeRules struct {
	EligibleDelivered       Fraction `json:"eligible_delivered"`        // delivered share of private area before owners may apply
	PreparatoryWithinDays   int      `json:"preparatory_within_days"`   // 筹备组 formed after the application
	MinMembers              int      `json:"min_members"`               // 5
	MaxMembers              int      `json:"max_members"`               // 11
	SmallCompoundHouseholds int      `json:"small_compound_households"` // below this, SmallMinMembers is allowed
	SmallMinMembers         int      `json:"small_min_members"`         // 3
	MaxAlternates           Fraction `json:"max_alternates"`            // cap on alternates per member: 40%
	MaxTermYears            int      `json:"max_term_years"`            // 5
	ChairWithinDays         int      `json:"chair_within_days"`         // chair chosen after the election
	FilingWithinDays        int      `json:"filing_within_days"`        // 备案 after the election
	ReelectionLeadMonths    int      `json:"reelection_lead_months"`    // 换届 starts before the term ends
	HandoverWithinDays      int      `json:"handover_within_days"`      // outgoing committee hands over archives and seal
	InterimFilingWithinDays int      `json:"interim_filing_within_days"`
	AgeMin                  int      `json:"age_min"`
	AgeMax                  int      `json:"age_max"`
	VettingChecks           []string `json:"vetting_checks"` // every check a candidate must pass
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

func defaultCommitteeRules() CommitteeRules {
	return CommitteeRules{
		EligibleDelivered:     Fraction{1, 2, true},
		PreparatoryWithinDays: 60,
		MinMembers:            5, MaxMembers: 11,
		SmallCompoundHouseholds: 100, SmallMinMembers: 3,
		MaxAlternates:           Fraction{2, 5, false},
		MaxTermYears:            5,
		ChairWithinDays:         7,
		FilingWithinDays:        30,
		ReelectionLeadMonths:    3,
		HandoverWithinDays:      10,
		InterimFilingWithinDays: 30,
		AgeMin:                  18, AgeMax: 75,
		VettingChecks: []string{CheckUnitOwner, CheckCivilCapacity, CheckAge, CheckNoFeeArrears, CheckFundPaid,
			CheckNoCompanyTies, CheckNoCompanyBenefits, CheckNoRecentPenalty, CheckNoIllegalBuilding},
	}
}

// ComplaintRules are the time limits of complaint handling (办理时限).
// Missing a limit is recorded, never rejected: the rates are computed later
// from the times and dues the events carry.
type ComplaintRules struct {
	DispatchHours                int `json:"dispatch_hours"`                  // 派单时限
	UrgentDispatchHours          int `json:"urgent_dispatch_hours"`           // 紧急件派单时限
	ConsultationReplyWorkingDays int `json:"consultation_reply_working_days"` // 咨询答复时限
	ComplaintReplyWorkingDays    int `json:"complaint_reply_working_days"`    // 投诉办结时限
	FollowUpDays                 int `json:"follow_up_days"`                  // 办结后回访时限
	MaxExtensionWorkingDays      int `json:"max_extension_working_days"`      // 每轮办理累计最多延期
}

func defaultComplaintRules() ComplaintRules {
	return ComplaintRules{DispatchHours: 24, UrgentDispatchHours: 1, ConsultationReplyWorkingDays: 3,
		ComplaintReplyWorkingDays: 15, FollowUpDays: 1, MaxExtensionWorkingDays: 15}
}

// PlanRules are the limits of remediation plans (一区一策) and supervision
// listings (挂牌督办) of one jurisdiction.
type PlanRules struct {
	MaxListingDays               int `json:"max_listing_days"`                // a listing's deadline is at most this many days after listing (≤ 1 year)
	ExtensionLeadWorkingDays     int `json:"extension_lead_working_days"`     // an extension is requested at least this many working days before the deadline
	ExtensionDecisionWorkingDays int `json:"extension_decision_working_days"` // and decided within this many working days of the request
}

func defaultPlanRules() PlanRules {
	return PlanRules{MaxListingDays: 365, ExtensionLeadWorkingDays: 20, ExtensionDecisionWorkingDays: 10}
}

// VoteRules are an assembly's quorum and thresholds under one law.
type VoteRules struct {
	Law          string    `json:"law"`
	Quorum       Fraction  `json:"quorum"` // of total area and of all owners
	Ordinary     Threshold `json:"ordinary"`
	Major        Threshold `json:"major"`
	MajorMatters []Matter  `json:"major_matters"`
}

// civilCodeVoteRules: Civil Code art. 278, for votes from 2021-01-01.
func civilCodeVoteRules() VoteRules {
	return VoteRules{
		Law:          "民法典第二百七十八条",
		Quorum:       Fraction{2, 3, false},
		Ordinary:     Threshold{OfParticipating, Fraction{1, 2, true}},
		Major:        Threshold{OfParticipating, Fraction{3, 4, false}},
		MajorMatters: []Matter{MatterRaiseFund, MatterRebuild, MatterChangeCommonUse},
	}
}

// regulation2018VoteRules: Property Management Regulation art. 12 (2018),
// kept for replays of votes before 2021.
func regulation2018VoteRules() VoteRules {
	return VoteRules{
		Law:          "物业管理条例第十二条（2018年修订）",
		Quorum:       Fraction{1, 2, true},
		Ordinary:     Threshold{OfTotal, Fraction{1, 2, true}},
		Major:        Threshold{OfTotal, Fraction{2, 3, false}},
		MajorMatters: []Matter{MatterRaiseFund, MatterUseFund, MatterRebuild},
	}
}
