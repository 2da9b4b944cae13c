package demo

import (
	"fmt"
	"time"

	"github.com/casetrack/casetrack/domain"
)

func (g *gen) redFlags() {
	at := g.within(day(g.cfg.Year-1, 6, 1), 400)
	red := domain.SetRedFlags{RedProperty: g.profile.PropertyCompany != "" && g.branch && g.chance(0.3),
		RedCommittee: g.branch && g.servingAt(at) != nil && g.chance(0.5)}
	if red.RedProperty || red.RedCommittee {
		g.add(at, "street", red)
	}
}

var (
	channels   = weighted[domain.Channel]{{domain.ChannelHotline, 70}, {domain.ChannelOnline, 10}, {domain.ChannelGrid, 8}, {domain.ChannelPetition, 7}, {domain.ChannelVisit, 5}}
	categories = weighted[domain.ComplaintCategory]{{domain.CategoryFees, 25}, {domain.CategoryServiceQuality, 25}, {domain.CategoryParking, 15},
		{domain.CategoryMaintenanceFund, 8}, {domain.CategoryPublicIncome, 5}, {domain.CategoryIllegalConstruction, 7},
		{domain.CategoryNeighbours, 8}, {domain.CategoryCommitteeAffairs, 4}, {domain.CategoryHandover, 3}}
	summaries = map[domain.ComplaintCategory]string{
		domain.CategoryFees: "物业费上涨未公示", domain.CategoryServiceQuality: "楼道卫生长期无人打扫", domain.CategoryParking: "地面车位被外来车辆占用",
		domain.CategoryMaintenanceFund: "电梯维修资金使用不公开", domain.CategoryPublicIncome: "广告收益去向不明", domain.CategoryIllegalConstruction: "楼顶违章搭建",
		domain.CategoryNeighbours: "楼上漏水协调无果", domain.CategoryCommitteeAffairs: "业委会账目不公开", domain.CategoryHandover: "新旧物业交接不清"}
)

type weighted[T any] []struct {
	v T
	w int
}

func (ws weighted[T]) draw(g *gen) T {
	total := 0
	for _, x := range ws {
		total += x.w
	}
	n := g.rng.IntN(total)
	for _, x := range ws {
		if n -= x.w; n < 0 {
			return x.v
		}
	}
	return ws[0].v
}

// complaints: a year of 12345 tickets and petitions and the year before,
// most compounds a little quieter in the campaign year.
func (g *gen) complaints() {
	for _, y := range []int{g.cfg.Year - 1, g.cfg.Year} {
		rate := 4.0 * g.trouble
		if y < g.cfg.Year {
			rate *= 0.8 + 0.5*g.rng.Float64()
		}
		n := g.poisson(float64(g.profile.Households) / 1000 * rate)
		for i := 0; i < n; i++ {
			g.complaint(fmt.Sprintf("%d%s%04d", y, g.id, i+1), g.within(day(y, 1, 1), 364))
		}
	}
}

func (g *gen) complaint(id string, at time.Time) {
	kind := domain.KindComplaint
	if g.chance(0.2) {
		kind = domain.KindConsultation
	}
	cat := categories.draw(g)
	urgent := g.chance(0.08)
	ch := channels.draw(g)
	name, phone := fakeResident(g.id+"/"+id, ch)
	if !g.add(at, "hotline", domain.ReceiveComplaint{ComplaintID: id, Channel: ch, Kind: kind, Category: cat, Urgent: urgent, Summary: summaries[cat],
		ComplainantName: name, ComplainantPhone: phone}) {
		return
	}
	unit := g.profile.PropertyCompany
	if unit == "" || cat == domain.CategoryCommitteeAffairs || cat == domain.CategoryIllegalConstruction {
		unit = g.street + "办事处"
	}
	dispatchIn := 16.0 // hours; a few miss the 24-hour limit once acceptance is added
	if urgent {
		dispatchIn = 2
	}
	for round := 0; round < 2; round++ {
		at = g.hours(at, 0.2, dispatchIn)
		if g.chance(0.05) { // sent to the wrong unit: returned and dispatched again
			if !g.add(at, "hotline", domain.DispatchComplaint{ComplaintID: id, Unit: g.district + "城管局"}) ||
				!g.add(g.hours(at, 2, 30), "hotline", domain.ReturnComplaint{ComplaintID: id, Reason: "非本单位职责"}) {
				return
			}
			at = g.hours(at, 31, 40)
		}
		if !g.add(at, "hotline", domain.DispatchComplaint{ComplaintID: id, Unit: unit}) {
			return
		}
		at = g.hours(at, 0.3, 10)
		if !g.add(at, "street", domain.AcceptComplaint{ComplaintID: id}) {
			return
		}
		if g.chance(0.05) {
			at = g.hours(at, 48, 200)
			if !g.add(at, "street", domain.RequestComplaintExtension{ComplaintID: id, WorkingDays: 5, Reason: "需协调多方"}) {
				return
			}
			at = g.hours(at, 4, 30)
			granted := g.chance(0.8)
			reason := ""
			if !granted {
				reason = "理由不充分"
			}
			if !g.add(at, "hotline", domain.DecideComplaintExtension{ComplaintID: id, Granted: granted, Reason: reason}) {
				return
			}
		}
		at = g.hours(at, 4, 24*float64(g.between(2, 24)))
		if !g.add(at, "street", domain.ResolveComplaint{ComplaintID: id, Outcome: "已协调处理并答复来电人"}) {
			return
		}
		at = g.hours(at, 16, 60)
		sat := weighted[domain.Satisfaction]{{domain.Satisfied, 72}, {domain.BasicallySatisfied, 16}, {domain.Dissatisfied, 12}}.draw(g)
		if round == 1 && sat == domain.Dissatisfied {
			sat = domain.BasicallySatisfied
		}
		if !g.add(at, "hotline", domain.FollowUpComplaint{ComplaintID: id, Satisfaction: sat, Solved: sat != domain.Dissatisfied || g.chance(0.3)}) {
			return
		}
		if sat != domain.Dissatisfied || g.chance(0.5) {
			return
		}
		at = g.hours(at, 4, 60)
		if !g.add(at, "hotline", domain.ReopenComplaint{ComplaintID: id, Reason: "回访不满意，重新办理"}) {
			return
		}
	}
}

// lawsuits: batches of fee-arrears suits by the company, and now and then
// owners suing the company over its service.
func (g *gen) lawsuits() {
	company := g.profile.PropertyCompany
	if company == "" {
		return
	}
	if g.chance(0.15) {
		at := g.within(day(g.cfg.Year-1, 1, 10), 700)
		var batch []domain.LawsuitFiling
		for i := 0; i < g.between(2, 10); i++ {
			batch = append(batch, domain.LawsuitFiling{LawsuitID: fmt.Sprintf("(%d)%s民初%d号", at.Year(), g.id, i+1), Plaintiff: company,
				Defendant: g.person(), Cause: domain.CauseFeeArrears, AmountFen: int64(g.between(1000, 20000)) * 100, CompanySide: domain.SidePlaintiff})
		}
		if g.add(at, "court", domain.FileLawsuits{Lawsuits: batch}) {
			for _, s := range batch {
				g.conclude(s.LawsuitID, at, 0.9)
			}
		}
	}
	if g.chance(0.04) {
		at := g.within(day(g.cfg.Year-1, 3, 1), 600)
		id := fmt.Sprintf("(%d)%s民初%d号", at.Year(), g.id, 100)
		if g.add(at, "court", domain.FileLawsuit{LawsuitFiling: domain.LawsuitFiling{LawsuitID: id, Plaintiff: g.person() + "等业主",
			Defendant: company, Cause: domain.CauseServiceQuality, AmountFen: int64(g.between(5000, 80000)) * 100, CompanySide: domain.SideDefendant}}) {
			g.conclude(id, at, 0.5)
		}
	}
}

func (g *gen) conclude(id string, filed time.Time, plaintiffWins float64) {
	at := g.within(filed, g.between(30, 200))
	outcome := weighted[domain.LawsuitOutcome]{{domain.OutcomeJudged, 60}, {domain.OutcomeMediated, 30}, {domain.OutcomeWithdrawn, 10}}.draw(g)
	cmd := domain.ConcludeLawsuit{LawsuitID: id, Outcome: outcome}
	if outcome == domain.OutcomeJudged {
		cmd.Prevailing = domain.SideDefendant
		if g.chance(plaintiffWins) {
			cmd.Prevailing = domain.SidePlaintiff
		}
	}
	g.add(at, "court", cmd)
}

// conflict: the most troubled compounds are flagged in the campaign year,
// get a plan (一区一策), and some are listed for supervision (挂牌督办).
func (g *gen) conflict() {
	if g.trouble < 2.8 {
		return
	}
	flagged := g.within(day(g.cfg.Year, 2, 1), 110)
	g.add(flagged, "street", domain.FlagConflict{Reason: "投诉量居全街道前列，矛盾突出"})
	adopted := g.within(flagged, g.between(10, 30))
	problems := []domain.Problem{{ID: "P1", Description: "物业服务质量差"}, {ID: "P2", Description: "停车秩序混乱"}, {ID: "P3", Description: "维修资金使用不透明"}}[:g.between(2, 3)]
	var measures []domain.Measure
	for i := 0; i < g.between(3, 5); i++ {
		measures = append(measures, domain.Measure{ID: fmt.Sprintf("M%d", i+1), ProblemID: problems[i%len(problems)].ID,
			Description: "整改措施" + fmt.Sprint(i+1), ResponsibleUnit: []string{g.street + "办事处", g.district + "住建局", g.profile.PropertyCompany, "社区居委会"}[i%4],
			Deadline: domain.NewDate(adopted.AddDate(0, 0, g.between(30, 240))), Term: []domain.MeasureTerm{domain.TermShort, domain.TermLong}[i%2]})
		if measures[i].ResponsibleUnit == "" {
			measures[i].ResponsibleUnit = "社区居委会"
		}
	}
	if !g.add(adopted, "street", domain.AdoptPlan{Problems: problems, Measures: measures,
		CaseLeader: domain.CaseLeader{Name: g.person(), Title: g.street + "副主任"}, TaskForce: []string{"街道", "社区", "住建"}}) {
		return
	}
	allDone, last := true, adopted
	for _, m := range measures {
		deadline := m.Deadline.Time
		progressed := g.within(adopted, int(deadline.Sub(adopted).Hours()/48)+1)
		g.add(progressed, "street", domain.ReportMeasureProgress{MeasureID: m.ID, Percent: g.between(30, 70), Note: "按计划推进"})
		var verified time.Time
		switch r := g.rng.Float64(); {
		case r < 0.6:
			verified = g.within(deadline.AddDate(0, 0, -20), 15)
		case r < 0.85:
			verified = g.within(deadline, 40) // late: an alert at sign-off
		default:
			allDone = false
			continue
		}
		verified = maxTime(verified, progressed.Add(time.Hour))
		if g.chance(0.15) {
			g.add(verified, "bureau", domain.VerifyMeasure{MeasureID: m.ID, Passed: false, Verifier: g.district + "住建局", Note: "整改不到位"})
			verified = g.within(verified, 15)
		}
		signed := g.within(verified, 4)
		if !g.add(verified, "bureau", domain.VerifyMeasure{MeasureID: m.ID, Passed: true, Verifier: g.district + "住建局"}) ||
			!g.add(signed, "bureau", domain.SignOffMeasure{MeasureID: m.ID}) {
			allDone = false
		}
		last = maxTime(last, signed)
	}
	planClosed := allDone && g.add(g.within(last, 10), "street", domain.SignOffPlan{Note: "全部措施销号"})
	if g.chance(0.4) { // listed compounds stay flagged through the year
		g.listing(adopted)
		return
	}
	if planClosed && g.chance(0.5) {
		g.add(g.within(last, 30).Add(11*24*time.Hour), "street", domain.UnflagConflict{Note: "整改完成，矛盾化解"})
	}
}

// listing lists the compound for supervision, and delists it once verified.
func (g *gen) listing(adopted time.Time) {
	listed := g.within(adopted, 30)
	id := fmt.Sprintf("督%d-%s", g.cfg.Year, g.id)
	deadline := listed.AddDate(0, 0, g.between(90, 300))
	if !g.add(listed, "bureau", domain.ListForSupervision{ListingID: id, Authority: g.district + "住建局", Deadline: domain.NewDate(deadline), Reason: "矛盾突出，挂牌督办"}) {
		return
	}
	if g.chance(0.3) {
		g.add(g.within(listed, 30), "bureau", domain.RecordEscalation{Kind: domain.EscalationInterview, Target: g.profile.PropertyCompany + g.street, Note: "约谈物业企业负责人"})
	}
	if g.chance(0.2) {
		asked := deadline.AddDate(0, 0, -g.between(35, 45))
		newDeadline := deadline.AddDate(0, 0, 60)
		if g.add(asked, "street", domain.RequestListingExtension{ListingID: id, NewDeadline: domain.NewDate(newDeadline), Reason: "长效措施需更多时间"}) &&
			g.add(g.within(asked, 6), "bureau", domain.DecideListingExtension{ListingID: id, Granted: true}) {
			deadline = newDeadline
		}
	}
	verified := g.within(deadline.AddDate(0, 0, -20), 14)
	if g.add(verified, "bureau", domain.VerifyRemediation{ListingID: id, Passed: true, Verifier: g.district + "住建局"}) {
		g.add(g.within(verified, 5), "bureau", domain.Delist{ListingID: id, Published: true, Note: "整改验收合格，予以摘牌"})
	}
}
