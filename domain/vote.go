package domain

import (
	"fmt"
	"time"
)

// Matter is what an owners' assembly (业主大会) decides; the rule set says
// which matters need the major-matter threshold.
type Matter string

const (
	MatterElectCommittee  Matter = "elect_committee"        // 选举业委会
	MatterRemoveMember    Matter = "remove_member"          // 罢免委员
	MatterAmendRules      Matter = "amend_rules"            // 制定和修改管理规约、议事规则
	MatterHireCompany     Matter = "hire_company"           // 选聘物业服务企业
	MatterDismissCompany  Matter = "dismiss_company"        // 解聘物业服务企业
	MatterUseFund         Matter = "use_maintenance_fund"   // 使用维修资金
	MatterRaiseFund       Matter = "raise_maintenance_fund" // 筹集维修资金
	MatterRebuild         Matter = "rebuild"                // 改建、重建
	MatterChangeCommonUse Matter = "change_common_use"      // 改变共有部分用途
	MatterOther           Matter = "other"
)

var matters = vocabulary[Matter]{MatterElectCommittee, MatterRemoveMember, MatterAmendRules, MatterHireCompany,
	MatterDismissCompany, MatterUseFund, MatterRaiseFund, MatterRebuild, MatterChangeCommonUse, MatterOther}

// Fraction is a share that must be exceeded (Strict, "过半数") or reached
// ("三分之二以上" in the sense of at least).
type Fraction struct {
	Num    int64 `json:"num"`
	Den    int64 `json:"den"`
	Strict bool  `json:"strict"`
}

// Met compares part/whole with the fraction on exact integers.
func (f Fraction) Met(part, whole int64) bool {
	if whole <= 0 {
		return false
	}
	l, r := part*f.Den, f.Num*whole
	if f.Strict {
		return l > r
	}
	return l >= r
}

func (f Fraction) String() string {
	if f.Strict {
		return fmt.Sprintf("> %d/%d", f.Num, f.Den)
	}
	return fmt.Sprintf("≥ %d/%d", f.Num, f.Den)
}

// Cap is a share that may be reached but not exceeded (上限).
type Cap struct {
	Num int64 `json:"num"`
	Den int64 `json:"den"`
}

// AtMost reports whether part/whole does not exceed the cap.
func (c Cap) AtMost(part, whole int64) bool { return part*c.Den <= c.Num*whole }

// Base says what an approval share is taken of.
type Base string

const (
	OfParticipating Base = "participating" // Civil Code: of those who took part
	OfTotal         Base = "total"         // 2018 regulation: of all owners and all area
)

// Threshold is an approval rule, applied on both axes (area and headcount).
type Threshold struct {
	Base  Base     `json:"base" toml:"base"`
	Share Fraction `json:"share" toml:"share"`
}

// Tally is an assembly's count on both axes. Headcount follows the rules of
// TallyUnits: one owner one head, however many units; the developer's
// unsold units one head together.
type Tally struct {
	TotalArea           Area  `json:"total_area"`
	TotalOwners         int64 `json:"total_owners"`
	ParticipatingArea   Area  `json:"participating_area"`
	ParticipatingOwners int64 `json:"participating_owners"`
	YesArea             Area  `json:"yes_area"`
	YesOwners           int64 `json:"yes_owners"`
}

func (t Tally) validate(field string, v *violations) {
	ok := t.TotalArea > 0 && t.TotalOwners > 0 &&
		0 <= t.YesArea && t.YesArea <= t.ParticipatingArea && t.ParticipatingArea <= t.TotalArea &&
		0 <= t.YesOwners && t.YesOwners <= t.ParticipatingOwners && t.ParticipatingOwners <= t.TotalOwners
	if !ok {
		v.invalid(field, "vote.tally_inconsistent", "a tally needs 0 ≤ yes ≤ participating ≤ total > 0 on both area and owners",
			"表决统计须满足 0 ≤ 同意 ≤ 参与 ≤ 总数（总数大于0），面积与人数均然")
	}
}

// Choice is one unit's ballot; empty means the owner did not take part.
type Choice string

const (
	ChoiceYes     Choice = "yes"
	ChoiceNo      Choice = "no"
	ChoiceAbstain Choice = "abstain"
	ChoiceAbsent  Choice = ""
)

var choices = vocabulary[Choice]{ChoiceYes, ChoiceNo, ChoiceAbstain, ChoiceAbsent}

// UnitVote is one unit of the compound's roll with its owner's ballot.
type UnitVote struct {
	Unit            string `json:"unit"`
	Owner           string `json:"owner,omitempty"`
	Area            Area   `json:"area"`
	DeveloperUnsold bool   `json:"developer_unsold,omitempty"` // 建设单位未出售房屋
	Choice          Choice `json:"choice,omitempty"`
}

const developerHead = "\x00developer"

// TallyUnits counts a roll of units on both axes. One unit counts as one
// owner, but an owner of several units counts once, and the developer's
// unsold units count as one owner together. An owner casts one vote: ballots
// of one owner that disagree are rejected rather than guessed at.
func TallyUnits(field string, units []UnitVote, v *violations) Tally {
	var t Tally
	seen := map[string]bool{}
	choiceOf := map[string]Choice{} // owner head → their choice
	for i, u := range units {
		f := fmt.Sprintf("%s[%d]", field, i)
		head := u.Owner
		if u.DeveloperUnsold {
			head = developerHead
		}
		switch {
		case u.Unit == "":
			v.invalid(f+".unit", "field.required", "unit is required", "房号为必填项")
		case seen[u.Unit]:
			v.invalid(f+".unit", "vote.unit_duplicate", "unit %s appears twice on the roll", "房号 %s 重复", u.Unit)
		}
		seen[u.Unit] = true
		if head == "" {
			v.invalid(f+".owner", "field.required", "owner is required unless the unit is unsold", "除未售房屋外须填写业主")
		}
		if u.Area <= 0 {
			v.invalid(f+".area", "vote.unit_area", "a unit's area must be positive", "房屋面积须为正数")
		}
		oneOf(v, f+".choice", "vote.choice", u.Choice, choices) // empty: the owner took no part
		prev, known := choiceOf[head]
		if !known {
			t.TotalOwners++
		}
		if !addArea(&t.TotalArea, u.Area, f+".area", v) {
			return t
		}
		if u.Choice == ChoiceAbsent {
			if !known {
				choiceOf[head] = ChoiceAbsent
			}
			continue
		}
		if prev != ChoiceAbsent && prev != u.Choice {
			v.invalid(f+".choice", "vote.owner_split", "owner %s voted differently on different units", "业主 %s 各套房屋表决意见不一致", u.Owner)
		}
		if prev == ChoiceAbsent {
			t.ParticipatingOwners++
			if u.Choice == ChoiceYes {
				t.YesOwners++
			}
		}
		choiceOf[head] = u.Choice
		addArea(&t.ParticipatingArea, u.Area, f+".area", v) // never larger than the total, checked above
		if u.Choice == ChoiceYes {
			addArea(&t.YesArea, u.Area, f+".area", v)
		}
	}
	return t
}

// addArea adds a to *sum, refusing a sum that would overflow: a wrapped
// total could turn a failing vote into a passing one.
func addArea(sum *Area, a Area, field string, v *violations) bool {
	s, ok := checkedAdd(*sum, a)
	if !ok {
		v.invalid(field, "number.overflow", "the areas on the roll add up beyond any plausible total", "表决清单面积合计超出合理范围")
		return false
	}
	*sum = s
	return true
}

// checkAgainstRegistry refuses a tally no registered compound can produce:
// more owners than households, or more area than the registered private area.
func (t Tally) checkAgainstRegistry(field string, p Profile, v *violations) {
	if t.TotalOwners > int64(p.Households) {
		v.fail(field+".total_owners", "vote.owners_over_households", "the tally counts %d owners, but the compound has %d households",
			"表决统计业主 %d 人，超过小区登记户数 %d", t.TotalOwners, p.Households)
	}
	if t.TotalArea > p.PrivateArea {
		v.fail(field+".total_area", "vote.area_over_registered", "the tally counts %s m², more than the registered private area of %s m²",
			"表决统计面积 %s 平方米，超过登记的专有部分面积 %s 平方米", t.TotalArea, p.PrivateArea)
	}
}

// VoteOutcome is the result of an assembly vote and why.
type VoteOutcome struct {
	Major        bool `json:"major"` // decided under the major-matter threshold
	Quorum       bool `json:"quorum"`
	AreaPassed   bool `json:"area_passed"`
	OwnersPassed bool `json:"owners_passed"`
	Passed       bool `json:"passed"`
}

// Decide applies the quorum and the matter's threshold to a tally.
func (r VoteRules) Decide(m Matter, t Tally) VoteOutcome {
	o := VoteOutcome{Major: r.major(m)}
	o.Quorum = r.Quorum.Met(int64(t.ParticipatingArea), int64(t.TotalArea)) &&
		r.Quorum.Met(t.ParticipatingOwners, t.TotalOwners)
	th := r.Ordinary
	if o.Major {
		th = r.Major
	}
	area, owners := int64(t.ParticipatingArea), t.ParticipatingOwners
	if th.Base == OfTotal {
		area, owners = int64(t.TotalArea), t.TotalOwners
	}
	o.AreaPassed = th.Share.Met(int64(t.YesArea), area)
	o.OwnersPassed = th.Share.Met(t.YesOwners, owners)
	o.Passed = o.Quorum && o.AreaPassed && o.OwnersPassed
	return o
}

func (r VoteRules) major(m Matter) bool {
	for _, x := range r.MajorMatters {
		if x == m {
			return true
		}
	}
	return false
}

// HoldAssemblyVote records an owners' assembly vote (业主大会表决), either
// from the roll of units with each ballot or, for paper records, from the
// counted tally. The outcome is decided here, under the rules in force.
type HoldAssemblyVote struct {
	VoteID  string     `json:"vote_id"`
	Matter  Matter     `json:"matter"`
	Subject string     `json:"subject"`
	Units   []UnitVote `json:"units,omitempty"`
	Tally   *Tally     `json:"tally,omitempty"`
}

// AssemblyVoteHeld: the assembly voted; the tally, the outcome and the rule
// set applied are kept so that a replay under later rules cannot change it.
type AssemblyVoteHeld struct {
	VoteID  string      `json:"vote_id"`
	Matter  Matter      `json:"matter"`
	Subject string      `json:"subject"`
	Tally   Tally       `json:"tally"`
	Outcome VoteOutcome `json:"outcome"`
	RuleSet string      `json:"rule_set"`
	At      time.Time   `json:"at"`
}

func (cmd HoldAssemblyVote) decide(c *Compound, r RuleSet, at time.Time) ([]Event, error) {
	var v violations
	v.required("vote_id", cmd.VoteID)
	v.required("subject", cmd.Subject)
	oneOf(&v, "matter", "vote.matter", cmd.Matter, matters)
	if _, dup := c.committee.votes[cmd.VoteID]; dup {
		v.fail("vote_id", "vote.duplicate", "vote %s is already recorded", "表决 %s 已登记", cmd.VoteID)
	}
	var t Tally
	switch {
	case (cmd.Tally == nil) == (len(cmd.Units) == 0):
		v.invalid("units", "vote.units_or_tally", "give either the roll of units or the tally, not both", "须提供房屋表决清单或统计结果之一")
	case cmd.Tally != nil:
		t = *cmd.Tally
		t.validate("tally", &v)
	default:
		t = TallyUnits("units", cmd.Units, &v)
	}
	field := "tally"
	if cmd.Tally == nil {
		field = "units"
	}
	if v.ok() {
		t.checkAgainstRegistry(field, c.profile, &v)
	}
	if !v.ok() { // a tally that broke a rule is never decided on
		return nil, v.err()
	}
	return v.emit(AssemblyVoteHeld{VoteID: cmd.VoteID, Matter: cmd.Matter, Subject: cmd.Subject,
		Tally: t, Outcome: r.Vote.Decide(cmd.Matter, t), RuleSet: r.Name, At: at})
}

func (AssemblyVoteHeld) EventType() string { return "AssemblyVoteHeld" }
func (e AssemblyVoteHeld) apply(c *Compound) {
	if c.committee.votes == nil {
		c.committee.votes = map[string]AssemblyVoteHeld{}
	}
	c.committee.votes[e.VoteID] = e
}

// Votes lists the compound's assembly votes in the order they were held.
func (c *Compound) Votes() []AssemblyVoteHeld {
	out := make([]AssemblyVoteHeld, 0, len(c.committee.votes))
	for _, e := range c.committee.votes {
		out = append(out, e)
	}
	sortBy(out, func(a, b AssemblyVoteHeld) bool { return a.At.Before(b.At) || a.At.Equal(b.At) && a.VoteID < b.VoteID })
	return out
}

func init() {
	registerEvent[AssemblyVoteHeld]()
	registerCommand[HoldAssemblyVote]("hold-assembly-vote")
}
