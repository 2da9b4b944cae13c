package domain

import (
	"cmp"
	"slices"
	"time"
)

// LawsuitCause is what a property lawsuit (物业诉讼) is about.
type LawsuitCause string

const (
	CauseFeeArrears      LawsuitCause = "fee_arrears"      // 欠缴物业费
	CauseServiceQuality  LawsuitCause = "service_quality"  // 服务质量
	CauseMaintenanceFund LawsuitCause = "maintenance_fund" // 专项维修资金
	CausePublicIncome    LawsuitCause = "public_income"    // 公共收益
	CauseHandover        LawsuitCause = "handover"         // 物业交接
	CauseOther           LawsuitCause = "other"
)

// LawsuitSide is a side of a suit.
type LawsuitSide string

const (
	SidePlaintiff LawsuitSide = "plaintiff" // 原告
	SideDefendant LawsuitSide = "defendant" // 被告
)

// LawsuitOutcome is how a suit ended (结案方式).
type LawsuitOutcome string

const (
	OutcomeJudged    LawsuitOutcome = "judged"    // 判决
	OutcomeMediated  LawsuitOutcome = "mediated"  // 调解
	OutcomeWithdrawn LawsuitOutcome = "withdrawn" // 撤诉
)

var (
	lawsuitCauses   = vocabulary[LawsuitCause]{CauseFeeArrears, CauseServiceQuality, CauseMaintenanceFund, CausePublicIncome, CauseHandover, CauseOther}
	lawsuitSides    = vocabulary[LawsuitSide]{SidePlaintiff, SideDefendant}
	lawsuitOutcomes = vocabulary[LawsuitOutcome]{OutcomeJudged, OutcomeMediated, OutcomeWithdrawn}
)

// maxLawsuitBatch bounds one file-lawsuits command: a technical limit on
// one append, not a rule of law.
const maxLawsuitBatch = 1000

// LawsuitFiling is one suit as filed (立案). When the property company is
// a party, CompanySide says on which side: a suit it loses is a bad item of
// its credit ledger.
type LawsuitFiling struct {
	LawsuitID   string       `json:"lawsuit_id"`
	Plaintiff   string       `json:"plaintiff"`
	Defendant   string       `json:"defendant"`
	Cause       LawsuitCause `json:"cause"`
	AmountFen   int64        `json:"amount_fen"`             // 标的额 in fen (分): money is never a float
	CompanySide LawsuitSide  `json:"company_side,omitempty"` // empty when the company is no party
	Company     string       `json:"company,omitempty"`      // the company that is a party; defaults to the compound's current one
}

// FileLawsuit records one suit about the compound.
type FileLawsuit struct{ LawsuitFiling }

// FileLawsuits records a batch of suits (批量诉讼), all or none.
type FileLawsuits struct {
	Lawsuits []LawsuitFiling `json:"lawsuits"`
}

// LawsuitFiled: a suit is pending from At; Company is resolved, so that the
// credit ledger never depends on who manages the compound later.
type LawsuitFiled struct {
	LawsuitFiling
	At time.Time `json:"at"`
}

func (cmd FileLawsuit) decide(c *Compound, _ RuleSet, at time.Time) ([]Event, error) {
	return fileLawsuits(c, []LawsuitFiling{cmd.LawsuitFiling}, false, at)
}

func (cmd FileLawsuits) decide(c *Compound, _ RuleSet, at time.Time) ([]Event, error) {
	if n := len(cmd.Lawsuits); n > maxLawsuitBatch {
		v := violations{code: CodeTooLarge}
		v.fail("lawsuits", "lawsuit.batch_too_large", "a batch holds at most %d lawsuits, not %d", "批量立案最多 %d 件，收到 %d 件", maxLawsuitBatch, n)
		return nil, v.err()
	}
	return fileLawsuits(c, cmd.Lawsuits, true, at)
}

// fileLawsuits validates suits against the compound and each other; one bad
// suit rejects the batch, so a batch is never half recorded.
func fileLawsuits(c *Compound, suits []LawsuitFiling, batch bool, at time.Time) ([]Event, error) {
	var v violations
	if batch && len(suits) == 0 {
		v.invalid("lawsuits", "lawsuit.batch_empty", "the batch holds no lawsuits", "批量立案未包含任何诉讼")
	}
	seen := map[string]bool{}
	events := make([]Event, 0, len(suits))
	for i, s := range suits {
		pre := ""
		if batch {
			pre = itemAt("lawsuits", i)
		}
		f := func(name string) string { return fieldAt(pre, name) }
		v.required(f("lawsuit_id"), s.LawsuitID)
		if s.LawsuitID != "" && (seen[s.LawsuitID] || c.lawsuits[s.LawsuitID] != nil) {
			v.fail(f("lawsuit_id"), "lawsuit.duplicate", "lawsuit %s is already recorded", "诉讼 %s 已登记", s.LawsuitID)
		}
		seen[s.LawsuitID] = true
		v.required(f("plaintiff"), s.Plaintiff)
		v.required(f("defendant"), s.Defendant)
		oneOf(&v, f("cause"), "lawsuit.cause", s.Cause, lawsuitCauses)
		if s.AmountFen < 0 {
			v.invalid(f("amount_fen"), "lawsuit.amount", "the amount must not be negative", "标的额不得为负数")
		}
		switch {
		case s.CompanySide != "":
			oneOf(&v, f("company_side"), "lawsuit.company_side", s.CompanySide, lawsuitSides)
			s.Company = partyCompany(&v, c, f("company"), "lawsuit.company_required", s.Company)
		case s.Company != "":
			v.invalid(f("company_side"), "lawsuit.company_side_required", "name the side the company %s is on", "请注明物业企业 %s 为原告或被告", s.Company)
		}
		events = append(events, LawsuitFiled{LawsuitFiling: s, At: at})
	}
	return v.emit(events...)
}

func (LawsuitFiled) EventType() string { return "LawsuitFiled" }
func (e LawsuitFiled) apply(c *Compound) {
	if c.lawsuits == nil {
		c.lawsuits = map[string]*lawsuit{}
	}
	c.lawsuits[e.LawsuitID] = &lawsuit{LawsuitFiling: e.LawsuitFiling, FiledAt: e.At}
}

// ConcludeLawsuit records how a suit ended (结案); a judgment names the side
// that prevailed.
type ConcludeLawsuit struct {
	LawsuitID  string         `json:"lawsuit_id"`
	Outcome    LawsuitOutcome `json:"outcome"`
	Prevailing LawsuitSide    `json:"prevailing,omitempty"` // judged only: 胜诉方
	Note       string         `json:"note,omitempty"`
}

// LawsuitConcluded: the suit ended. Company and CompanyLost make the credit
// ledger a projection of this one event (败诉).
type LawsuitConcluded struct {
	LawsuitID   string         `json:"lawsuit_id"`
	Outcome     LawsuitOutcome `json:"outcome"`
	Prevailing  LawsuitSide    `json:"prevailing,omitempty"`
	Note        string         `json:"note,omitempty"`
	Company     string         `json:"company,omitempty"`
	CompanyLost bool           `json:"company_lost"`
	At          time.Time      `json:"at"`
}

func (cmd ConcludeLawsuit) decide(c *Compound, _ RuleSet, at time.Time) ([]Event, error) {
	var v violations
	v.required("lawsuit_id", cmd.LawsuitID)
	oneOf(&v, "outcome", "lawsuit.outcome", cmd.Outcome, lawsuitOutcomes)
	switch {
	case cmd.Outcome == OutcomeJudged && cmd.Prevailing == "":
		v.invalid("prevailing", "lawsuit.prevailing_required", "a judgment names the prevailing side", "判决结案须注明胜诉方")
	case cmd.Outcome == OutcomeJudged:
		oneOf(&v, "prevailing", "lawsuit.prevailing", cmd.Prevailing, lawsuitSides)
	case cmd.Prevailing != "":
		v.invalid("prevailing", "lawsuit.prevailing_not_judged", "only a judgment has a prevailing side", "仅判决结案有胜诉方")
	}
	if cmd.LawsuitID == "" {
		return nil, v.err()
	}
	s, ok := lookup(&v, c.lawsuits, "lawsuit_id", "lawsuit.unknown", nounLawsuit, cmd.LawsuitID)
	if !ok {
		return nil, v.err()
	}
	if s.Outcome != "" {
		v.fail("lawsuit_id", "lawsuit.concluded", "lawsuit %s was already concluded (%s)", "诉讼 %s 已结案（%s）", cmd.LawsuitID, s.Outcome)
	}
	lost := cmd.Outcome == OutcomeJudged && s.CompanySide != "" && cmd.Prevailing != s.CompanySide
	return v.emit(LawsuitConcluded{LawsuitID: cmd.LawsuitID, Outcome: cmd.Outcome, Prevailing: cmd.Prevailing, Note: cmd.Note, Company: s.Company, CompanyLost: lost, At: at})
}

func (LawsuitConcluded) EventType() string { return "LawsuitConcluded" }
func (e LawsuitConcluded) apply(c *Compound) {
	if s := c.lawsuits[e.LawsuitID]; s != nil {
		s.Outcome, s.Prevailing, s.CompanyLost, s.ConcludedAt = e.Outcome, e.Prevailing, e.CompanyLost, e.At
	}
}

// LawsuitView is the read side of one suit.
type LawsuitView struct {
	LawsuitFiling
	FiledAt     time.Time      `json:"filed_at"`
	Outcome     LawsuitOutcome `json:"outcome,omitempty"` // empty while pending
	Prevailing  LawsuitSide    `json:"prevailing,omitempty"`
	CompanyLost bool           `json:"company_lost"`
	ConcludedAt time.Time      `json:"concluded_at,omitzero"`
}

// lawsuit is one suit's state; it holds nothing beyond its view.
type lawsuit LawsuitView

// Lawsuits lists the compound's suits by filing time, then ID.
func (c *Compound) Lawsuits() []LawsuitView {
	out := make([]LawsuitView, 0, len(c.lawsuits))
	for _, s := range c.lawsuits {
		out = append(out, LawsuitView(*s))
	}
	slices.SortFunc(out, func(a, b LawsuitView) int {
		return cmp.Or(a.FiledAt.Compare(b.FiledAt), cmp.Compare(a.LawsuitID, b.LawsuitID))
	})
	return out
}

func init() {
	registerEvent[LawsuitFiled]()
	registerEvent[LawsuitConcluded]()
	registerCommand[FileLawsuit]("file-lawsuit")
	registerCommand[FileLawsuits]("file-lawsuits")
	registerCommand[ConcludeLawsuit]("conclude-lawsuit")
}
