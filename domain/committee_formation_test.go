package domain

import (
	"testing"
)

func TestApplyForAssemblyNeedsMoreThanHalfDelivered(t *testing.T) {
	for _, tc := range []struct {
		delivered Area
		ok        bool
	}{{SquareMetres(500), false}, {SquareMetres(500) + 1, true}} {
		c := fxCompound(t, 10) // 1,000 m²
		c.Evolve(DeliveredAreaUpdated{DeliveredArea: tc.delivered})
		_, err := c.Decide(ApplyForAssembly{Applicants: 5}, DefaultRuleBook().At(fxDay(2024, 1, 1)), fxDay(2024, 1, 1))
		if (err == nil) != tc.ok {
			t.Errorf("delivered %s of 1000: err=%v, want ok=%v", tc.delivered, err, tc.ok)
		}
		if !tc.ok {
			fxHasViolation(t, err, "committee.not_eligible", "")
		}
	}
}

func TestPreparatoryGroupComposition(t *testing.T) {
	street := GroupMember{Name: "街", Role: RoleStreet, Leader: true}
	owner := func(n string) GroupMember { return GroupMember{Name: n, Role: RoleOwner} }
	other := func(n string) GroupMember { return GroupMember{Name: n, Role: RoleCommunity} }
	cases := []struct {
		name    string
		members []GroupMember
		posted  bool
		rule    string // "" means accepted
	}{
		{"five, three owners, led by the street", []GroupMember{street, owner("a"), owner("b"), owner("c"), other("d")}, true, ""},
		{"three, two owners", []GroupMember{street, owner("a"), owner("b")}, true, ""},
		{"even size", []GroupMember{street, owner("a"), owner("b"), other("d")}, true, "prep_group.size_odd"},
		{"owners below half: 2 of 5", []GroupMember{street, owner("a"), owner("b"), other("c"), other("d")}, true, "prep_group.owner_share"},
		{"led by an owner", []GroupMember{{Name: "街", Role: RoleStreet}, {Name: "a", Role: RoleOwner, Leader: true}, owner("b")}, true, "prep_group.leader_not_street"},
		{"no leader", []GroupMember{{Name: "街", Role: RoleStreet}, owner("a"), owner("b")}, true, "prep_group.one_leader"},
		{"not posted", []GroupMember{street, owner("a"), owner("b")}, false, "prep_group.not_posted"},
		{"unknown role", []GroupMember{street, owner("a"), {Name: "x", Role: "mayor"}}, true, "prep_group.role"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := fxCompound(t, 500)
			fxDo(t, c, ApplyForAssembly{Applicants: 3}, fxDay(2024, 1, 2))
			cmd := FormPreparatoryGroup{Members: tc.members, Posted: tc.posted}
			if tc.rule == "" {
				fxDo(t, c, cmd, fxDay(2024, 1, 20))
				return
			}
			fxHasViolation(t, fxReject(t, c, cmd, fxDay(2024, 1, 20)), tc.rule, "")
		})
	}
	c := fxCompound(t, 500)
	fxHasViolation(t, fxReject(t, c, FormPreparatoryGroup{Members: fxGroup, Posted: true}, fxDay(2024, 1, 2)), "prep_group.no_application", "")
}

func TestPreparatoryGroupLateIsAnAlert(t *testing.T) {
	for _, tc := range []struct {
		days  int
		alert bool
	}{{60, false}, {61, true}} {
		c := fxCompound(t, 500)
		fxDo(t, c, ApplyForAssembly{Applicants: 3}, fxDay(2024, 1, 2))
		events := fxDo(t, c, FormPreparatoryGroup{Members: fxGroup, Posted: true}, fxDay(2024, 1, 2).AddDate(0, 0, tc.days))
		if got := len(fxAlerts(events)) == 1; got != tc.alert {
			t.Errorf("group after %d days: alert=%v, want %v", tc.days, got, tc.alert)
		}
	}
}
