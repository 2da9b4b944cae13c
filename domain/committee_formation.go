// Forming an owners' assembly and its committee, first steps:
//   - owners may apply in writing once more than half of the private area
//     (the rule set's share) is delivered, and not while a committee serves
//     or another application is pending;
//   - the street forms a preparatory group (筹备组): odd in size, owner
//     representatives at least half, led by the street's representative,
//     its members posted in the compound, one group at a time;
//   - the group follows an application or a started re-election, and is
//     formed within the rule set's days of the application (late is an
//     alert, not a rejection).

package domain

import (
	"fmt"
	"time"
)

// ApplyForAssembly records the owners' written application to form the
// assembly, allowed once more than half the private area is delivered.
type ApplyForAssembly struct {
	Applicants int    `json:"applicants"`
	Note       string `json:"note,omitempty"`
}

// AssemblyApplied: owners applied in writing (书面申请).
type AssemblyApplied struct {
	Applicants int       `json:"applicants"`
	Note       string    `json:"note,omitempty"`
	At         time.Time `json:"at"`
}

func (cmd ApplyForAssembly) decide(c *Compound, r RuleSet, at time.Time) ([]Event, error) {
	var v violations
	if cmd.Applicants <= 0 {
		v.invalid("applicants", "committee.applicants", "at least one owner must apply", "申请业主人数须大于0")
	}
	if cmd.Applicants > c.profile.Households {
		v.fail("applicants", "committee.applicants_over_households", "%d applicants, but the compound has %d households",
			"申请业主 %d 人，超过小区登记户数 %d", cmd.Applicants, c.profile.Households)
	}
	if !r.Committee.EligibleDelivered.Met(int64(c.profile.DeliveredArea), int64(c.profile.PrivateArea)) {
		v.fail("", "committee.not_eligible", "delivered area %s of %s m² is not %s of the private area",
			"已交付面积 %s/%s 平方米未达到专有部分面积的 %s", c.profile.DeliveredArea, c.profile.PrivateArea, r.Committee.EligibleDelivered)
	}
	if c.committee.active() {
		v.fail("", "committee.already_serving", "an owners' committee is serving; start a re-election instead", "业委会在任，应启动换届")
	}
	if !c.committee.appliedAt.IsZero() {
		v.fail("", "committee.application_pending", "an application is already pending", "已有申请在办理中")
	}
	return v.emit(AssemblyApplied{Applicants: cmd.Applicants, Note: cmd.Note, At: at})
}

func (AssemblyApplied) EventType() string   { return "AssemblyApplied" }
func (e AssemblyApplied) apply(c *Compound) { c.committee.appliedAt = e.At }

// GroupRole is the side a preparatory-group member stands for.
type GroupRole string

const (
	RoleStreet    GroupRole = "street"    // 街道办事处代表
	RoleOwner     GroupRole = "owner"     // 业主代表
	RoleCommunity GroupRole = "community" // 社区居委会代表
	RoleHousing   GroupRole = "housing"   // 区住建部门代表
	RoleDeveloper GroupRole = "developer" // 建设单位代表
	RoleParty     GroupRole = "party"     // 社区党组织代表
)

var groupRoles = vocabulary[GroupRole]{RoleStreet, RoleOwner, RoleCommunity, RoleHousing, RoleDeveloper, RoleParty}

// GroupMember is a member of the preparatory group.
type GroupMember struct {
	Name   string    `json:"name"`
	Role   GroupRole `json:"role"`
	Leader bool      `json:"leader,omitempty"`
}

// FormPreparatoryGroup records the preparatory group (筹备组), organised by
// the street: odd in size, owner representatives at least half, led by the
// street's representative, members posted publicly.
type FormPreparatoryGroup struct {
	Members []GroupMember `json:"members"`
	Posted  bool          `json:"posted"` // 成员名单已公示
}

// PreparatoryGroupFormed: the group is formed and posted.
type PreparatoryGroupFormed struct {
	Members []GroupMember `json:"members"`
	At      time.Time     `json:"at"`
}

func (cmd FormPreparatoryGroup) decide(c *Compound, r RuleSet, at time.Time) ([]Event, error) {
	var v violations
	n, owners, leaders := len(cmd.Members), 0, 0
	for i, m := range cmd.Members {
		f := fmt.Sprintf("members[%d]", i)
		v.required(f+".name", m.Name)
		if oneOf(&v, f+".role", "prep_group.role", m.Role, groupRoles) && m.Role == RoleOwner {
			owners++
		}
		if m.Leader {
			leaders++
			if m.Role != RoleStreet {
				v.fail(f+".leader", "prep_group.leader_not_street", "the group is led by the street's representative", "筹备组组长由街道办事处代表担任")
			}
		}
	}
	if n%2 == 0 {
		v.fail("members", "prep_group.size_odd", "the group needs an odd number of members, not %d", "筹备组成员人数须为单数，现为%d人", n)
	}
	if 2*owners < n {
		v.fail("members", "prep_group.owner_share", "owner representatives must be at least half: %d of %d", "业主代表不得少于半数：现为%d/%d", owners, n)
	}
	if leaders != 1 {
		v.fail("members", "prep_group.one_leader", "the group needs exactly one leader, not %d", "筹备组须有且仅有一名组长，现为%d名", leaders)
	}
	if !cmd.Posted {
		v.fail("posted", "prep_group.not_posted", "members must be posted publicly in the compound", "筹备组成员名单须在小区公示")
	}
	reelection := c.committee.serving != nil && c.committee.serving.reelectionStarted
	if c.committee.appliedAt.IsZero() && !reelection {
		v.fail("", "prep_group.no_application", "no owners' application or re-election to prepare", "无业主申请或换届，不能成立筹备组")
	}
	if c.committee.group != nil {
		v.fail("", "prep_group.exists", "a preparatory group is already at work", "筹备组已成立")
	}
	if !v.ok() {
		return nil, v.err()
	}
	events := []Event{PreparatoryGroupFormed{Members: cmd.Members, At: at}}
	if !reelection {
		events = append(events, lateAlert("committee.preparatory_late", "preparatory group",
			addDays(c.committee.appliedAt, r.Committee.PreparatoryWithinDays), at,
			"preparatory group formed late", "筹备组成立逾期")...)
	}
	return events, nil
}

func (PreparatoryGroupFormed) EventType() string { return "PreparatoryGroupFormed" }
func (e PreparatoryGroupFormed) apply(c *Compound) {
	c.committee.group = &e
	c.committee.candidates = map[string]*candidate{}
}

func init() {
	registerEvent[AssemblyApplied]()
	registerEvent[PreparatoryGroupFormed]()
	registerCommand[ApplyForAssembly]("apply-for-assembly")
	registerCommand[FormPreparatoryGroup]("form-preparatory-group")
}
