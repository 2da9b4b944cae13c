package demo

import (
	"fmt"
	"strings"
	"time"

	"github.com/casetrack/casetrack/domain"
)

func (g *gen) compound() {
	kinds := []domain.CompoundKind{domain.KindCommercial, domain.KindCommercial, domain.KindCommercial, domain.KindOld,
		domain.KindOld, domain.KindUnmanaged, domain.KindResettled, domain.KindCommercial}
	kind := kinds[g.rng.IntN(len(kinds))]
	households := g.between(120, 2400)
	if g.chance(0.05) {
		households = g.between(40, 99) // small compounds may have three-member committees
	}
	area := domain.SquareMetres(int64(households) * int64(g.between(65, 125)))
	g.profile = domain.Profile{
		Name:     compoundStems[g.rng.IntN(len(compoundStems))] + compoundTails[g.index%len(compoundTails)],
		District: g.district, Street: g.street,
		Community: strings.TrimSuffix(strings.TrimSuffix(g.street, "街道"), "镇") + communityStems[g.index%4+g.rng.IntN(2)*4] + "社区",
		Grid:      fmt.Sprintf("网格%02d", g.index%8+1),
		Kind:      kind, Households: households, PrivateArea: area, DeliveredArea: area,
	}
	if kind != domain.KindUnmanaged {
		g.profile.PropertyCompany = g.company()
	}
	g.trouble = 0.5 + g.rng.ExpFloat64()
	g.add(g.within(day(2018, 3, 1), 280), "street", domain.RegisterCompound{Profile: g.profile})

	if g.chance(0.65) {
		g.partyBranch()
	}
	switch {
	case households >= 80 && kind != domain.KindUnmanaged && g.chance(0.7):
		g.committeeHistory(g.within(day(2019, 1, 10), 5*365))
	case g.chance(0.4):
		at := g.within(day(g.cfg.Year-1, 1, 5), 700)
		if g.add(at, "street", domain.FormInterimCommission{Chair: g.person() + "（居委会）", Members: []string{g.person(), g.person(), g.person()}}) {
			g.add(g.within(at, g.between(5, 40)), "street", domain.FileInterimCommission{Authority: g.street + "办事处"})
		}
	}
	g.activities()
	g.redFlags()
	g.complaints()
	g.lawsuits()
	g.conflict()
	if g.profile.PropertyCompany != "" && g.chance(0.03) {
		g.add(g.within(day(g.cfg.Year, 2, 1), 300), "bureau", domain.RecordEnforcement{
			Violation: domain.ViolationOccupyCommonLand, Penalty: "责令限期改正，罚款2万元", Authority: g.district + "住建局"})
	}
	if g.profile.PropertyCompany != "" && g.chance(0.03) {
		next := g.company()
		for next == g.profile.PropertyCompany {
			next = g.company()
		}
		g.add(g.within(day(g.cfg.Year, 3, 1), 250), "street", domain.ChangePropertyCompany{Company: next, Reason: "业主大会决定更换"})
	}
}

// company draws from a skewed market: a few companies manage many compounds.
func (g *gen) company() string {
	i := int(float64(len(companyStems)) * g.rng.Float64() * g.rng.Float64())
	return companyStems[i] + "物业服务有限公司"
}

func (g *gen) partyBranch() {
	g.branch = true
	g.secretary = g.person()
	at := g.within(day(2018, 12, 1), 5*365)
	// Registration (the first step) may fall in early December 2018: a
	// branch is established after it, not before.
	if registered := g.steps[0].At; at.Before(registered) {
		at = registered.Add(time.Hour)
	}
	g.add(at, "street", domain.EstablishPartyBranch{Branch: g.profile.Name + "党支部", Secretary: g.secretary})
}

// committeeHistory forms the first committee from an application at
// applied, and re-elects it at the end of its term, sometimes late and
// sometimes not at all.
func (g *gen) committeeHistory(applied time.Time) {
	if !g.add(applied, "street", domain.ApplyForAssembly{Applicants: g.between(5, 60)}) {
		return
	}
	grouped := g.within(applied, g.between(15, 75)) // after 60 days: a late group, an alert
	for term := 1; term <= 2; term++ {
		elected, members, ok := g.election(grouped, term)
		if !ok {
			return
		}
		if term > 1 { // the outgoing committee served until now
			g.serving[len(g.serving)-1].to = elected
		}
		end := elected.In(domain.China).AddDate(5, 0, 0)
		g.serving = append(g.serving, window{from: elected, to: end, members: members})
		if !g.chance(0.7) { // no re-election: the term runs out, an alert for the street
			g.add(g.hours(end, 24, 24*40), "street", domain.RecordTermExpiry{})
			return
		}
		started := g.within(end.AddDate(0, -6, 0), g.between(20, 150)) // later than 3 months ahead: an alert
		if !g.add(started, "street", domain.StartReelection{}) {
			return
		}
		grouped = g.within(started, 20)
	}
}

// election prepares and holds one election; it returns when the committee
// was elected, or false when the history ends before.
func (g *gen) election(grouped time.Time, term int) (time.Time, []string, bool) {
	group := []domain.GroupMember{{Name: g.person(), Role: domain.RoleStreet, Leader: true}, {Name: g.person(), Role: domain.RoleCommunity}}
	for i := 0; i < 3; i++ {
		group = append(group, domain.GroupMember{Name: g.person(), Role: domain.RoleOwner})
	}
	if !g.add(grouped, "street", domain.FormPreparatoryGroup{Members: group, Posted: true}) {
		return time.Time{}, nil, false
	}
	size := []int{5, 5, 7, 7, 9}[g.rng.IntN(5)]
	if g.profile.Households < 100 {
		size = 3
	}
	alternates := size * 2 / 5
	nominated := g.within(grouped, 30)
	vetted := g.within(nominated, 10)
	var members, alts []string
	for i := 0; i < size+alternates+1; i++ {
		id := fmt.Sprintf("t%d-c%d", term, i+1)
		name := g.person()
		if i == 0 && g.branch && g.chance(0.4) {
			name = g.secretary // 一肩挑: the branch secretary stands and chairs
		}
		born := domain.NewDate(time.Date(g.between(1952, 1990), time.Month(g.between(1, 12)), g.between(1, 28), 0, 0, 0, 0, domain.China))
		g.add(nominated, "street", domain.NominateCandidate{CandidateID: id, Name: name, Unit: fmt.Sprintf("%d-%d", g.between(1, 20), g.between(101, 2602)),
			BirthDate: born, RecommendedByCommunity: g.chance(0.3), Background: domain.Background{
				PartyMember: g.chance(0.45), CommunityCommitteeMember: g.chance(0.15), RetiredCadre: g.chance(0.1),
				Veteran: g.chance(0.05), PublicInstitutionStaff: g.chance(0.1)}})
		var failed []string
		if i == size+alternates { // one candidate in each election fails vetting
			failed = []string{domain.CheckNoFeeArrears}
		}
		age := born.AgeAt(vetted)
		if age < 18 || age > 75 {
			failed = append(failed, domain.CheckAge)
		}
		g.add(vetted, "street", domain.VetCandidate{CandidateID: id, Checks: checks(failed...)})
		switch {
		case len(failed) > 0:
		case len(members) < size:
			members = append(members, id)
		case len(alts) < alternates:
			alts = append(alts, id)
		}
	}
	if len(members) < size {
		return time.Time{}, nil, false // too many candidates aged out; the street starts over another year
	}
	voted := g.within(vetted, 40)
	owners := int64(float64(g.profile.Households) * (0.85 + 0.1*g.rng.Float64()))
	turnout := 0.8 + 0.15*g.rng.Float64()
	yes := 0.72 + 0.2*g.rng.Float64()
	vote := fmt.Sprintf("t%d-election", term)
	if g.chance(0.1) { // a first attempt without quorum
		g.add(voted, "street", domain.HoldAssemblyVote{VoteID: vote + "-1", Matter: domain.MatterElectCommittee, Subject: "选举业主委员会",
			Tally: g.tally(owners, 0.45, yes)})
		voted = g.within(voted, 30)
	}
	g.add(voted, "street", domain.HoldAssemblyVote{VoteID: vote, Matter: domain.MatterElectCommittee, Subject: "选举业主委员会",
		Tally: g.tally(owners, turnout, yes)})
	if !g.add(voted, "street", domain.ElectCommittee{VoteID: vote, Members: members, Alternates: alts, TermYears: 5, Chair: members[0]}) {
		return time.Time{}, nil, false
	}
	if term > 1 {
		g.add(g.within(voted, g.between(3, 14)), "street", domain.HandOverArchives{Items: "档案资料、印章、财务凭证"})
	}
	g.add(g.within(voted, g.between(5, 40)), "street", domain.FileCommittee{Authority: g.district + "住建局", FilingNo: fmt.Sprintf("备%s-%d", g.id, term)})
	return voted, members, true
}

func (g *gen) tally(owners int64, turnout, yes float64) *domain.Tally {
	total := g.profile.PrivateArea
	part := domain.Area(float64(total) * turnout)
	partOwners := int64(float64(owners) * turnout)
	return &domain.Tally{TotalArea: total, TotalOwners: owners, ParticipatingArea: part, ParticipatingOwners: partOwners,
		YesArea: domain.Area(float64(part) * yes), YesOwners: int64(float64(partOwners) * yes)}
}

func checks(failed ...string) []domain.CheckResult {
	evidence := map[string]string{
		domain.CheckUnitOwner: "不动产权证", domain.CheckCivilCapacity: "本人承诺书", domain.CheckAge: "身份证",
		domain.CheckNoFeeArrears: "物业费缴纳记录", domain.CheckFundPaid: "维修资金缴存凭证", domain.CheckNoCompanyTies: "物业企业人员名册比对",
		domain.CheckNoCompanyBenefits: "本人承诺书", domain.CheckNoRecentPenalty: "无犯罪记录证明", domain.CheckNoIllegalBuilding: "城管执法记录",
	}
	var out []domain.CheckResult
	for _, k := range []string{domain.CheckUnitOwner, domain.CheckCivilCapacity, domain.CheckAge, domain.CheckNoFeeArrears, domain.CheckFundPaid,
		domain.CheckNoCompanyTies, domain.CheckNoCompanyBenefits, domain.CheckNoRecentPenalty, domain.CheckNoIllegalBuilding} {
		passed := true
		for _, f := range failed {
			passed = passed && f != k
		}
		out = append(out, domain.CheckResult{Check: k, Passed: passed, Evidence: evidence[k]})
	}
	return out
}

// activities are what serving committees do in the campaign year:
// training by the housing department, joint meetings led by the branch.
func (g *gen) activities() {
	yearStart := day(g.cfg.Year, 1, 5)
	for _, w := range g.serving {
		if g.chance(0.5) {
			at := g.within(maxTime(w.from.AddDate(0, 0, 3), yearStart), 200)
			if at.Before(w.to) {
				g.add(at, "street", domain.RecordTraining{Organiser: g.district + "住建局", Members: w.members[:1+g.rng.IntN(len(w.members))], Hours: g.between(2, 8)})
			}
		}
	}
	if !g.branch {
		return
	}
	for q := 0; q < 4; q++ {
		at := g.within(day(g.cfg.Year, time.Month(1+3*q), 3), 80)
		if g.chance(0.5) && g.servingAt(at) != nil {
			g.add(at, "street", domain.HoldJointMeeting{MeetingID: fmt.Sprintf("%d-Q%d", g.cfg.Year, q+1),
				Attendees: []string{"小区党支部", "业主委员会", "物业服务企业"}, Decisions: []string{"研究停车管理方案", "公示公共收益"}})
		}
	}
}

// servingAt returns the committee in office at t, if any.
func (g *gen) servingAt(t time.Time) *window {
	for i, w := range g.serving {
		if t.After(w.from.Add(time.Hour)) && t.Before(w.to) {
			return &g.serving[i]
		}
	}
	return nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
