// Package credit folds the event log into the credit ledgers (信用评价) of
// property companies: good and bad items, each valid for a window from its
// business time, and the score and grade they add up to on any day.
//
// The fold keeps facts only; points, windows and grades come from Rules at
// query time, so that a city changing its scoring needs no rebuild.
package credit

import (
	"cmp"
	"slices"
	"time"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
)

// Kind is the kind of a ledger item. The enforcement kinds are the
// violation codes of domain.EnforcementRecorded.
type Kind string

const (
	// Bad items of enforcement actions (行政处罚), one per violation code.
	KindMisuseFund       = Kind(domain.ViolationMisuseMaintenanceFund)  // 挪用专项维修资金
	KindServiceCut       = Kind(domain.ViolationUnauthorisedServiceCut) // 擅自停止服务或调整收费
	KindCommonLand       = Kind(domain.ViolationOccupyCommonLand)       // 占用共有场地
	KindForcedPrepayment = Kind(domain.ViolationForcedPrepayment)       // 强制预收物业费超过一年
	KindOtherViolation   = Kind(domain.ViolationOther)                  // 其他违法违规
)

const (
	KindLawsuitLost       = Kind(domain.CreditLawsuitLost)       // 败诉
	KindVerifiedComplaint = Kind(domain.CreditVerifiedComplaint) // 有效投诉：回访不满意且未解决
	KindRedProperty       = Kind(domain.CreditRedProperty)       // 红色物业 (a good item)
)

// Rules score a ledger: the credit section of a rule set, points keyed by
// Kind.
type Rules = domain.CreditRules

// Model is the fold. Its fields are exported for gob snapshots only.
type Model struct {
	Pos       uint64
	Facts     map[string][]Fact    // by company; every company ever serving a compound has an entry
	Compounds map[string]*Compound // by compound ID
	// The company serving the compound when each complaint came in, by
	// compound/complaint, while it may still be verified: a verified
	// complaint counts against that company even if another serves now.
	Complaints map[string]string
	book       domain.RuleBook
}

// Fact is one item as recorded; its points and window come from the rules.
type Fact struct {
	Kind     Kind
	Compound string
	At       time.Time // business time
	Ended    time.Time // a red designation withdrawn early (zero: runs its window)
	EventID  string
}

// Compound is who serves a compound and its red designation, if any.
type Compound struct {
	Company string
	Red     int // 1 + index in Facts[Company] of the red-property item in force; 0: none
}

// New returns an empty ledger scored by the rules of book in force at the
// day asked.
func New(book domain.RuleBook) *Model {
	return &Model{book: book, Facts: map[string][]Fact{}, Compounds: map[string]*Compound{}, Complaints: map[string]string{}}
}

// rules are the credit rules in force at t.
func (m *Model) rules(t time.Time) Rules { return m.book.At(t).Credit }

func (m *Model) Name() string     { return "credit" }
func (m *Model) Position() uint64 { return m.Pos }

// Handled are the event types the fold reads.
func (m *Model) Handled() []string { return handlers.Types() }

// Apply folds one event; types it does not read are skipped undecoded.
func (m *Model) Apply(e domain.Envelope) error {
	return handlers.Apply(m, "credit", &m.Pos, e)
}

// handlers fold one event type each into the ledgers.
var handlers = projections.NewHandlers(
	on(func(x change, ev domain.CompoundRegistered) { x.m.serve(x.c, ev.PropertyCompany) }),
	on(func(x change, ev domain.PropertyCompanyChanged) {
		x.m.endRed(x.c, x.e.OccurredAt) // the designation was the outgoing company's
		x.m.serve(x.c, ev.Company)
	}),
	on(func(x change, ev domain.RedFlagsSet) {
		switch {
		case ev.RedProperty && x.c.Red == 0 && x.c.Company != "":
			x.add(x.c.Company, KindRedProperty, x.e.OccurredAt)
			x.c.Red = len(x.m.Facts[x.c.Company])
		case !ev.RedProperty:
			x.m.endRed(x.c, x.e.OccurredAt)
		}
	}),
	on(func(x change, ev domain.EnforcementRecorded) { x.add(ev.Company, Kind(ev.Violation), ev.At) }),
	on(func(x change, ev domain.LawsuitConcluded) {
		if ev.CompanyLost {
			x.add(ev.Company, KindLawsuitLost, ev.At)
		}
	}),
	on(func(x change, ev domain.ComplaintReceived) { x.m.Complaints[x.id+"/"+ev.ComplaintID] = x.c.Company }),
	on(func(x change, ev domain.ComplaintFollowedUp) {
		key := x.id + "/" + ev.ComplaintID
		company, ok := x.m.Complaints[key]
		switch {
		case !ok:
		case ev.Satisfaction == domain.Dissatisfied && !ev.Solved: // verified (属实): counted once, however many rounds
			x.add(company, KindVerifiedComplaint, ev.At)
			delete(x.m.Complaints, key)
		case ev.Satisfaction != domain.Dissatisfied: // settled: only a dissatisfied call may be reopened
			delete(x.m.Complaints, key)
		}
	}),
)

// change is one event's compound, as a handler sees it.
type change struct {
	m  *Model
	e  domain.Envelope
	id string
	c  *Compound
}

// on makes the handler of T; the compound is created on its first event.
func on[T domain.Event](f func(change, T)) projections.Handler[*Model] {
	return projections.On(func(m *Model, e domain.Envelope, ev T) {
		id, c := projections.EntryOf(m.Compounds, e, func(string) *Compound { return &Compound{} })
		f(change{m, e, id, c}, ev)
	})
}

// add records an item of the event against company, if there is one.
func (x change) add(company string, k Kind, at time.Time) {
	if company != "" {
		company = projections.Intern(company)
		x.m.Facts[company] = append(x.m.Facts[company], Fact{Kind: k, Compound: projections.Intern(x.id), At: at, EventID: projections.Own(x.e.EventID)})
	}
}

// serve records company as the compound's; a company with no items yet
// still has a ledger (the base score).
func (m *Model) serve(c *Compound, company string) {
	company = projections.Intern(company)
	c.Company = company
	if _, ok := m.Facts[company]; company != "" && !ok {
		m.Facts[company] = []Fact{}
	}
}

// endRed withdraws the compound's red designation from at.
func (m *Model) endRed(c *Compound, at time.Time) {
	if c.Red > 0 {
		m.Facts[c.Company][c.Red-1].Ended = at
		c.Red = 0
	}
}

// Item is a ledger item valid at the time asked.
type Item struct {
	Kind       Kind      `json:"kind"`
	Points     int       `json:"points"`
	Compound   string    `json:"compound"`
	At         time.Time `json:"at"` // business time
	ValidUntil time.Time `json:"valid_until"`
	EventID    string    `json:"event_id"`
}

// Ledger is a company's credit as of At: only the items valid then count.
type Ledger struct {
	Company     string    `json:"company"`
	At          time.Time `json:"at"`
	Base        int       `json:"base"`
	Score       int       `json:"score"`
	Grade       string    `json:"grade"`
	Blacklisted bool      `json:"blacklisted"`
	Items       []Item    `json:"items"` // by business time
}

// validUntil is the end of an item's window: its validity, or its early end.
func validUntil(f Fact, r Rules) time.Time {
	until := f.At.AddDate(0, r.ValidMonths, 0)
	if !f.Ended.IsZero() && f.Ended.Before(until) {
		until = f.Ended
	}
	return until
}

// Summary is a company's line in the list of all ledgers.
type Summary struct {
	Company     string `json:"company"`
	Score       int    `json:"score"`
	Grade       string `json:"grade"`
	Blacklisted bool   `json:"blacklisted"`
	Items       int    `json:"items"`
}

// Ledger returns a company's ledger as of at; false if no compound was
// ever served by it and no item names it.
func (m *Model) Ledger(company string, at time.Time) (Ledger, bool) {
	facts, ok := m.Facts[company]
	if !ok {
		return Ledger{}, false
	}
	r := m.rules(at)
	l := Ledger{Company: company, At: at, Base: r.Base, Score: r.Base, Items: []Item{}}
	for _, f := range facts {
		until := validUntil(f, r)
		if at.Before(f.At) || !at.Before(until) {
			continue // not yet, or no longer valid
		}
		pts := r.Points[string(f.Kind)]
		l.Items = append(l.Items, Item{Kind: f.Kind, Points: pts, Compound: f.Compound, At: f.At, ValidUntil: until, EventID: f.EventID})
		l.Score += pts
		l.Blacklisted = l.Blacklisted || slices.Contains(r.Blacklist, string(f.Kind))
	}
	slices.SortStableFunc(l.Items, func(a, b Item) int { return a.At.Compare(b.At) })
	l.Grade = r.Grade(l.Score)
	return l, true
}

// Companies summarises every ledger as of at, best score first.
func (m *Model) Companies(at time.Time) []Summary {
	out := make([]Summary, 0, len(m.Facts))
	for company := range m.Facts {
		l, _ := m.Ledger(company, at)
		out = append(out, Summary{Company: company, Score: l.Score, Grade: l.Grade, Blacklisted: l.Blacklisted, Items: len(l.Items)})
	}
	slices.SortFunc(out, func(a, b Summary) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.Company, b.Company))
	})
	return out
}

// Snapshot encodes the facts; the rules are configuration, not state.
func (m *Model) Snapshot() ([]byte, error) {
	return projections.GobSnapshot(m)
}

// Restore replaces the facts by a snapshot, keeping the rules. Decoding
// makes a string of every value: the few distinct companies, kinds and
// compounds are shared again, as the fold shares them.
func (m *Model) Restore(b []byte) error {
	if err := projections.GobRestore(b, m, New(m.book)); err != nil {
		return err
	}
	facts := make(map[string][]Fact, len(m.Facts))
	for company, fs := range m.Facts {
		for i := range fs {
			fs[i].Kind, fs[i].Compound = projections.Intern(fs[i].Kind), projections.Intern(fs[i].Compound)
		}
		facts[projections.Intern(company)] = fs
	}
	m.Facts = facts
	for _, c := range m.Compounds {
		c.Company = projections.Intern(c.Company)
	}
	for k, company := range m.Complaints {
		m.Complaints[k] = projections.Intern(company)
	}
	return nil
}

// SQLTables lays the ledger out for SQL readers (rm_credit_items), with the
// grade bands and base score of every rule set (rm_credit_grades): each item
// with its points and validity window, so that a score as of any day is
// a sum over the items valid on it. They are scored by the book's newest
// rule set: a table has one score per item, not one per day.
func (m *Model) SQLTables() []projections.SQLTable {
	sets := m.book.Sets()
	r := sets[len(sets)-1].Credit
	t := projections.SQLTable{Name: "rm_credit_items", Columns: []string{"company", "kind", "compound_id", "at", "valid_until", "points", "event_id"}}
	for company, facts := range m.Facts {
		for _, f := range facts {
			t.Rows = append(t.Rows, []any{company, string(f.Kind), f.Compound, f.At, validUntil(f, r), r.Points[string(f.Kind)], f.EventID})
		}
	}
	grades := projections.SQLTable{Name: "rm_credit_grades", Columns: []string{"rule_set", "effective_from", "base", "grade", "min_score"}}
	for _, s := range sets {
		for _, b := range s.Credit.Bands {
			grades.Rows = append(grades.Rows, []any{s.Name, s.EffectiveFrom, s.Credit.Base, b.Grade, b.Min})
		}
		grades.Rows = append(grades.Rows, []any{s.Name, s.EffectiveFrom, s.Credit.Base, s.Credit.Lowest, nil}) // below every band
	}
	return []projections.SQLTable{t, grades}
}
