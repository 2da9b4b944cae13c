package domain

import "time"

// CompanyViolation is a violation of a property company that its credit
// ledger (信用评价) scores; the list follows the ledger's bad items.
type CompanyViolation string

const (
	ViolationMisuseMaintenanceFund  CompanyViolation = "misuse_maintenance_fund"                // 挪用专项维修资金
	ViolationUnauthorisedServiceCut CompanyViolation = "unauthorised_service_cut_or_fee_change" // 擅自停止服务或调整收费
	ViolationOccupyCommonLand       CompanyViolation = "occupy_common_land"                     // 占用共有场地
	ViolationForcedPrepayment       CompanyViolation = "forced_prepayment"                      // 强制预收物业费超过一年
	ViolationOther                  CompanyViolation = "other"
)

var companyViolations = vocabulary[CompanyViolation]{ViolationMisuseMaintenanceFund, ViolationUnauthorisedServiceCut,
	ViolationOccupyCommonLand, ViolationForcedPrepayment, ViolationOther}

// RecordEnforcement records a penalty or order against a property company
// (行政处罚/查处). Company defaults to the compound's current company.
type RecordEnforcement struct {
	Violation CompanyViolation `json:"violation"`
	Penalty   string           `json:"penalty"`             // 处罚/处理决定
	Authority string           `json:"authority,omitempty"` // 执法部门
	Company   string           `json:"company,omitempty"`
}

// EnforcementRecorded: the enforcement action, with the company resolved.
type EnforcementRecorded struct {
	Violation CompanyViolation `json:"violation"`
	Penalty   string           `json:"penalty"`
	Authority string           `json:"authority,omitempty"`
	Company   string           `json:"company,omitempty"`
	At        time.Time        `json:"at"`
}

func (cmd RecordEnforcement) decide(c *Compound, _ RuleSet, at time.Time) ([]Event, error) {
	var v violations
	oneOf(&v, "violation", "enforcement.violation", cmd.Violation, companyViolations)
	v.required("penalty", cmd.Penalty)
	company := partyCompany(&v, c, "company", "enforcement.company_required", cmd.Company)
	return v.emit(EnforcementRecorded{Violation: cmd.Violation, Penalty: cmd.Penalty, Authority: cmd.Authority, Company: company, At: at})
}

// The credit ledger is a projection of these events; the compound itself
// decides nothing on them.
func (EnforcementRecorded) EventType() string { return "EnforcementRecorded" }
func (EnforcementRecorded) apply(*Compound)   {}

// partyCompany resolves the property company a record is about: the one
// named, else the compound's current one. It is kept by name in the event
// because the compound may change companies later.
func partyCompany(v *violations, c *Compound, field, rule, named string) string {
	if named != "" {
		return named
	}
	if c.profile.PropertyCompany == "" {
		v.fail(field, rule, "the compound has no property company on record; name the company", "小区未登记物业服务企业，请注明企业名称")
	}
	return c.profile.PropertyCompany
}

func init() {
	registerEvent[EnforcementRecorded]()
	registerCommand[RecordEnforcement]("record-enforcement")
}
