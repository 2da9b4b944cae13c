// The interim commission (物业管理委员会) where no committee can serve:
//   - it is formed only while no owners' committee serves, one at a time,
//     with a chair and members;
//   - it is filed once, by the due date fixed when it was formed (late is
//     an alert).

package domain

import (
	"encoding/json"
	"time"
)

// FormInterimCommission records a property management commission (物业管理
// 委员会), chaired by the residents' committee, where no owners' committee
// can be formed.
type FormInterimCommission struct {
	Chair   string   `json:"chair"` // the residents' committee's representative
	Members []string `json:"members"`
}

// InterimCommissionFormed: the commission acts for the owners. FilingDue
// (schema v2) follows the rule set in force when it was formed.
type InterimCommissionFormed struct {
	Chair     string    `json:"chair"`
	Members   []string  `json:"members"`
	At        time.Time `json:"at"`
	FilingDue time.Time `json:"filing_due"`
}

func (cmd FormInterimCommission) decide(c *Compound, r RuleSet, at time.Time) ([]Event, error) {
	var v violations
	v.required("chair", cmd.Chair)
	if len(cmd.Members) == 0 {
		v.invalid("members", "field.required", "members is required", "members 为必填项")
	}
	if c.committee.active() {
		v.fail("", "interim.committee_serving", "an owners' committee serves; no interim commission is needed", "业委会在任，无需成立物管会")
	}
	if c.committee.interim != nil {
		v.fail("", "interim.exists", "an interim commission already acts", "物管会已成立")
	}
	return v.emit(InterimCommissionFormed{Chair: cmd.Chair, Members: cmd.Members, At: at,
		FilingDue: addDays(at, r.Committee.InterimFilingWithinDays)})
}

func (InterimCommissionFormed) EventType() string { return "InterimCommissionFormed" }
func (e InterimCommissionFormed) apply(c *Compound) {
	c.committee.interim, c.committee.interimFiled = &e, false
}

// FileInterimCommission records the commission's filing; late is an alert.
type FileInterimCommission struct {
	Authority string `json:"authority"`
}

// InterimCommissionFiled: the commission is on file.
type InterimCommissionFiled struct {
	Authority string    `json:"authority"`
	At        time.Time `json:"at"`
}

func (cmd FileInterimCommission) decide(c *Compound, _ RuleSet, at time.Time) ([]Event, error) {
	var v violations
	v.required("authority", cmd.Authority)
	switch {
	case c.committee.interim == nil:
		v.fail("", "interim.none", "no interim commission acts", "未成立物管会")
	case c.committee.interimFiled:
		v.fail("", "interim.already_filed", "the interim commission is already filed", "物管会已备案")
	}
	if !v.ok() {
		return nil, v.err()
	}
	return append([]Event{InterimCommissionFiled{Authority: cmd.Authority, At: at}},
		lateAlert("interim.filing_late", "interim filing", c.committee.interim.FilingDue, at,
			"interim commission filed late", "物管会备案逾期")...), nil
}

func (InterimCommissionFiled) EventType() string   { return "InterimCommissionFiled" }
func (e InterimCommissionFiled) apply(c *Compound) { c.committee.interimFiled = true }

// upcastInterimCommissionFormedV1 adds the filing due date, under the
// compiled-in defaults every v1 event was decided by.
func upcastInterimCommissionFormedV1(data json.RawMessage) (json.RawMessage, error) {
	return addDues(data, func(at, _ time.Time) map[string]time.Time {
		return map[string]time.Time{"filing_due": addDays(at, DefaultRuleBook().At(at).Committee.InterimFilingWithinDays)}
	})
}

func init() {
	registerEvent[InterimCommissionFormed]()
	registerUpcast("InterimCommissionFormed", 1, upcastInterimCommissionFormedV1)
	registerEvent[InterimCommissionFiled]()
	registerCommand[FormInterimCommission]("form-interim-commission")
	registerCommand[FileInterimCommission]("file-interim-commission")
}
