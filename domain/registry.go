package domain

import (
	"encoding/json"
	"time"
)

// CompoundKind is the kind of a compound.
type CompoundKind string

const (
	KindCommercial CompoundKind = "commercial" // 商品房
	KindOld        CompoundKind = "old"        // 老旧小区
	KindUnmanaged  CompoundKind = "unmanaged"  // 无物业（无主管）
	KindResettled  CompoundKind = "resettled"  // 村改居
)

var compoundKinds = vocabulary[CompoundKind]{KindCommercial, KindOld, KindUnmanaged, KindResettled}

// Profile is the registry record of a compound: where it sits in the
// administrative tree and who manages it.
type Profile struct {
	Name            string       `json:"name"`
	District        string       `json:"district"`       // 区/县
	Street          string       `json:"street"`         // 街道/乡镇
	Community       string       `json:"community"`      // 社区
	Grid            string       `json:"grid,omitempty"` // 网格
	Kind            CompoundKind `json:"kind"`
	Households      int          `json:"households"`
	PrivateArea     Area         `json:"private_area"`               // 专有部分总面积, m²
	DeliveredArea   Area         `json:"delivered_area"`             // 已交付专有部分面积, m²
	PropertyCompany string       `json:"property_company,omitempty"` // 物业服务企业
	// Latitude and Longitude place the compound (WGS-84), optional: the
	// Open311 API finds a compound by them.
	Latitude  Degrees `json:"latitude,omitempty"`
	Longitude Degrees `json:"longitude,omitempty"`
}

// PartyBuilding holds the party-building facts reported for a compound.
type PartyBuilding struct {
	Branch          string `json:"branch,omitempty"` // 小区党支部
	BranchSecretary string `json:"branch_secretary,omitempty"`
	RedProperty     bool   `json:"red_property"`  // 红色物业
	RedCommittee    bool   `json:"red_committee"` // 红色业委会
}

// RegisterCompound enters a compound into the registry (登记).
type RegisterCompound struct{ Profile }

// CompoundRegistered: the compound exists from now on (v2: with optional
// coordinates).
type CompoundRegistered struct{ Profile }

func (RegisterCompound) validateProfile(p Profile, v *violations) {
	v.required("name", p.Name)
	v.required("district", p.District)
	v.required("street", p.Street)
	v.required("community", p.Community)
	oneOf(v, "kind", "compound.kind", p.Kind, compoundKinds)
	if p.Households <= 0 {
		v.invalid("households", "compound.households", "households must be positive", "户数须为正数")
	}
	if p.PrivateArea <= 0 {
		v.invalid("private_area", "compound.private_area", "private area must be positive", "专有部分面积须为正数")
	}
	if p.DeliveredArea < 0 || p.DeliveredArea > p.PrivateArea {
		v.invalid("delivered_area", "compound.delivered_area", "delivered area must be between 0 and the private area", "已交付面积须在0与专有部分总面积之间")
	}
	validateLocation(p.Latitude, p.Longitude, v)
}

func (cmd RegisterCompound) decide(c *Compound, _ RuleSet, _ time.Time) ([]Event, error) {
	var v violations
	if c.registered {
		v.fail("", "compound.already_registered", "compound %s is already registered", "小区 %s 已登记", c.id)
	}
	cmd.validateProfile(cmd.Profile, &v)
	if !v.ok() {
		return nil, v.err()
	}
	return []Event{CompoundRegistered{Profile: cmd.Profile}}, nil
}

func (CompoundRegistered) EventType() string { return "CompoundRegistered" }
func (e CompoundRegistered) apply(c *Compound) {
	c.registered = true
	c.profile = e.Profile
}

// UpdateDeliveredArea records more units handed over to their owners; it
// decides when owners may apply for an assembly.
type UpdateDeliveredArea struct {
	DeliveredArea Area `json:"delivered_area"`
}

// DeliveredAreaUpdated: the delivered private area changed.
type DeliveredAreaUpdated struct {
	DeliveredArea Area `json:"delivered_area"`
}

func (cmd UpdateDeliveredArea) decide(c *Compound, _ RuleSet, _ time.Time) ([]Event, error) {
	var v violations
	if cmd.DeliveredArea < 0 || cmd.DeliveredArea > c.profile.PrivateArea {
		v.invalid("delivered_area", "compound.delivered_area", "delivered area must be between 0 and the private area", "已交付面积须在0与专有部分总面积之间")
	}
	return v.emit(DeliveredAreaUpdated{DeliveredArea: cmd.DeliveredArea})
}

func (DeliveredAreaUpdated) EventType() string   { return "DeliveredAreaUpdated" }
func (e DeliveredAreaUpdated) apply(c *Compound) { c.profile.DeliveredArea = e.DeliveredArea }

// ChangePropertyCompany records a new service company (选聘/更换物业).
type ChangePropertyCompany struct {
	Company string `json:"company"`
	Reason  string `json:"reason,omitempty"`
}

// PropertyCompanyChanged: another company manages the compound from now on.
type PropertyCompanyChanged struct {
	Previous string `json:"previous,omitempty"`
	Company  string `json:"company"`
	Reason   string `json:"reason,omitempty"`
}

func (cmd ChangePropertyCompany) decide(c *Compound, _ RuleSet, _ time.Time) ([]Event, error) {
	var v violations
	v.required("company", cmd.Company)
	if cmd.Company == c.profile.PropertyCompany && cmd.Company != "" {
		v.fail("company", "compound.same_company", "%s already manages the compound", "%s 已是本小区物业服务企业", cmd.Company)
	}
	return v.emit(PropertyCompanyChanged{Previous: c.profile.PropertyCompany, Company: cmd.Company, Reason: cmd.Reason})
}

func (PropertyCompanyChanged) EventType() string   { return "PropertyCompanyChanged" }
func (e PropertyCompanyChanged) apply(c *Compound) { c.profile.PropertyCompany = e.Company }

// EstablishPartyBranch records the compound's party branch (小区党支部).
type EstablishPartyBranch struct {
	Branch    string `json:"branch"`
	Secretary string `json:"secretary"`
}

// PartyBranchEstablished: the compound has a party branch.
type PartyBranchEstablished struct {
	Branch    string `json:"branch"`
	Secretary string `json:"secretary"`
}

func (cmd EstablishPartyBranch) decide(c *Compound, _ RuleSet, _ time.Time) ([]Event, error) {
	var v violations
	v.required("branch", cmd.Branch)
	v.required("secretary", cmd.Secretary)
	if c.party.Branch != "" {
		v.fail("branch", "party.branch_exists", "the compound already has party branch %s", "小区已有党支部 %s", c.party.Branch)
	}
	return v.emit(PartyBranchEstablished{Branch: cmd.Branch, Secretary: cmd.Secretary})
}

func (PartyBranchEstablished) EventType() string { return "PartyBranchEstablished" }
func (e PartyBranchEstablished) apply(c *Compound) {
	c.party.Branch, c.party.BranchSecretary = e.Branch, e.Secretary
}

// SetRedFlags sets the red property / red committee designations
// (红色物业 / 红色业委会), reported metrics of party building.
type SetRedFlags struct {
	RedProperty  bool `json:"red_property"`
	RedCommittee bool `json:"red_committee"`
}

// RedFlagsSet: the designations changed.
type RedFlagsSet struct {
	RedProperty  bool `json:"red_property"`
	RedCommittee bool `json:"red_committee"`
}

func (cmd SetRedFlags) decide(c *Compound, _ RuleSet, _ time.Time) ([]Event, error) {
	var v violations
	if cmd.RedCommittee && !c.committee.active() {
		v.fail("red_committee", "party.red_committee_without_committee", "a red committee needs a serving owners' committee", "红色业委会须以在任业委会为前提")
	}
	return v.emit(RedFlagsSet{RedProperty: cmd.RedProperty, RedCommittee: cmd.RedCommittee})
}

func (RedFlagsSet) EventType() string { return "RedFlagsSet" }
func (e RedFlagsSet) apply(c *Compound) {
	c.party.RedProperty, c.party.RedCommittee = e.RedProperty, e.RedCommittee
}

func init() {
	registerEvent[CompoundRegistered]()
	registerUpcast("CompoundRegistered", 1, upcastUnchanged) // v1 had no coordinates: none are known
	registerEvent[DeliveredAreaUpdated]()
	registerEvent[PropertyCompanyChanged]()
	registerEvent[PartyBranchEstablished]()
	registerEvent[RedFlagsSet]()
	registerCommand[RegisterCompound]("register")
	registerCommand[UpdateDeliveredArea]("update-delivered-area")
	registerCommand[ChangePropertyCompany]("change-property-company")
	registerCommand[EstablishPartyBranch]("establish-party-branch")
	registerCommand[SetRedFlags]("set-red-flags")
}

// upcastUnchanged lifts a payload whose shape the new version only extends
// with optional fields: it reads as it was written.
func upcastUnchanged(data json.RawMessage) (json.RawMessage, error) { return data, nil }
