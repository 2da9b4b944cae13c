package domain

import (
	"strings"
	"time"
)

// Corrections (更正): a record entered wrong, or a compound that changed
// its name, figures or place in the administrative tree (区划调整). Each is
// an event with its reason, so history keeps both the old and the new
// state, and a table as of before the correction still shows the old one.
//
// Rules: every correction gives a reason; it must change something; a
// voided complaint (作废, entered in error) is out of every rate from then
// on and takes no further step; a move names the day it takes effect,
// which cannot be later than the business time it is recorded at.

// RenameCompound corrects or changes a compound's name.
type RenameCompound struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// CompoundRenamed: the compound is called Name from now on.
type CompoundRenamed struct {
	Previous string    `json:"previous"`
	Name     string    `json:"name"`
	Reason   string    `json:"reason"`
	At       time.Time `json:"at"`
}

func (cmd RenameCompound) decide(c *Compound, _ RuleSet, at time.Time) ([]Event, error) {
	var v violations
	v.required("name", cmd.Name)
	v.required("reason", cmd.Reason)
	if cmd.Name == c.profile.Name {
		v.fail("name", "correction.no_change", "the compound is already called %s", "小区名称已是 %s", cmd.Name)
	}
	return v.emit(CompoundRenamed{Previous: c.profile.Name, Name: cmd.Name, Reason: cmd.Reason, At: at})
}

func (CompoundRenamed) EventType() string   { return "CompoundRenamed" }
func (e CompoundRenamed) apply(c *Compound) { c.profile.Name = e.Name }

// CorrectCompoundFigures corrects households and areas; a figure left out
// keeps its value.
type CorrectCompoundFigures struct {
	Households    *int   `json:"households,omitempty"`
	PrivateArea   *Area  `json:"private_area,omitempty"`
	DeliveredArea *Area  `json:"delivered_area,omitempty"`
	Reason        string `json:"reason"`
}

// CompoundFiguresCorrected: the figures from now on, and those they replace.
type CompoundFiguresCorrected struct {
	Households            int       `json:"households"`
	PrivateArea           Area      `json:"private_area"`
	DeliveredArea         Area      `json:"delivered_area"`
	PreviousHouseholds    int       `json:"previous_households"`
	PreviousPrivateArea   Area      `json:"previous_private_area"`
	PreviousDeliveredArea Area      `json:"previous_delivered_area"`
	Reason                string    `json:"reason"`
	At                    time.Time `json:"at"`
}

func (cmd CorrectCompoundFigures) decide(c *Compound, _ RuleSet, at time.Time) ([]Event, error) {
	var v violations
	v.required("reason", cmd.Reason)
	p := c.profile
	e := CompoundFiguresCorrected{Households: p.Households, PrivateArea: p.PrivateArea, DeliveredArea: p.DeliveredArea,
		PreviousHouseholds: p.Households, PreviousPrivateArea: p.PrivateArea, PreviousDeliveredArea: p.DeliveredArea,
		Reason: cmd.Reason, At: at}
	if cmd.Households != nil {
		e.Households = *cmd.Households
	}
	if cmd.PrivateArea != nil {
		e.PrivateArea = *cmd.PrivateArea
	}
	if cmd.DeliveredArea != nil {
		e.DeliveredArea = *cmd.DeliveredArea
	}
	if e.Households <= 0 {
		v.invalid("households", "compound.households", "households must be positive", "户数须为正数")
	}
	if e.PrivateArea <= 0 {
		v.invalid("private_area", "compound.private_area", "private area must be positive", "专有部分面积须为正数")
	}
	if e.DeliveredArea < 0 || e.DeliveredArea > e.PrivateArea {
		v.invalid("delivered_area", "compound.delivered_area", "delivered area must be between 0 and the private area", "已交付面积须在0与专有部分总面积之间")
	}
	if v.ok() && e.Households == p.Households && e.PrivateArea == p.PrivateArea && e.DeliveredArea == p.DeliveredArea {
		v.fail("", "correction.no_change", "households and areas are already as given", "户数和面积与现有记录相同")
	}
	return v.emit(e)
}

func (CompoundFiguresCorrected) EventType() string { return "CompoundFiguresCorrected" }
func (e CompoundFiguresCorrected) apply(c *Compound) {
	c.profile.Households, c.profile.PrivateArea, c.profile.DeliveredArea = e.Households, e.PrivateArea, e.DeliveredArea
}

// MoveCompound records that the compound belongs to another community,
// street or district from a day (区划调整).
type MoveCompound struct {
	District  string `json:"district"`
	Street    string `json:"street"`
	Community string `json:"community"`
	From      Date   `json:"from"` // the day the adjustment takes effect
	Reason    string `json:"reason"`
}

// CompoundMoved: the compound's place from From on, and the one it leaves.
type CompoundMoved struct {
	District          string    `json:"district"`
	Street            string    `json:"street"`
	Community         string    `json:"community"`
	PreviousDistrict  string    `json:"previous_district"`
	PreviousStreet    string    `json:"previous_street"`
	PreviousCommunity string    `json:"previous_community"`
	From              Date      `json:"from"`
	Reason            string    `json:"reason"`
	At                time.Time `json:"at"`
}

func (cmd MoveCompound) decide(c *Compound, _ RuleSet, at time.Time) ([]Event, error) {
	var v violations
	v.required("district", cmd.District)
	v.required("street", cmd.Street)
	v.required("community", cmd.Community)
	v.required("reason", cmd.Reason)
	requireDate(&v, "from", cmd.From)
	if !cmd.From.IsZero() && cmd.From.After(at) {
		v.invalid("from", "correction.future_date", "the adjustment must have taken effect by the time it is recorded",
			"区划调整的生效日期不得晚于登记时间")
	}
	p := c.profile
	if p.District == cmd.District && p.Street == cmd.Street && p.Community == cmd.Community {
		v.fail("community", "correction.no_change", "the compound is already in %s", "小区已属于 %s",
			strings.Join([]string{cmd.District, cmd.Street, cmd.Community}, "/"))
	}
	return v.emit(CompoundMoved{District: cmd.District, Street: cmd.Street, Community: cmd.Community,
		PreviousDistrict: p.District, PreviousStreet: p.Street, PreviousCommunity: p.Community,
		From: cmd.From, Reason: cmd.Reason, At: at})
}

func (CompoundMoved) EventType() string { return "CompoundMoved" }
func (e CompoundMoved) apply(c *Compound) {
	c.profile.District, c.profile.Street, c.profile.Community = e.District, e.Street, e.Community
}

// VoidComplaint voids a complaint entered in error (作废).
type VoidComplaint struct {
	ComplaintID string `json:"complaint_id"`
	Reason      string `json:"reason"`
}

// ComplaintVoided: the complaint counts in no rate from now on. WasOpen
// says it was still waiting for a resolution, so lists of open work drop it.
type ComplaintVoided struct {
	ComplaintID string    `json:"complaint_id"`
	Reason      string    `json:"reason"`
	WasOpen     bool      `json:"was_open"`
	At          time.Time `json:"at"`
}

func (cmd VoidComplaint) decide(c *Compound, _ RuleSet, at time.Time) ([]Event, error) {
	var v violations
	v.required("reason", cmd.Reason)
	k, err := c.correctable(cmd.ComplaintID, &v)
	if err != nil {
		return nil, err
	}
	return v.emit(ComplaintVoided{ComplaintID: cmd.ComplaintID, Reason: cmd.Reason, WasOpen: k.Open(), At: at})
}

func (ComplaintVoided) EventType() string { return "ComplaintVoided" }
func (e ComplaintVoided) apply(c *Compound) {
	k := c.complaints[e.ComplaintID]
	k.VoidedAt = e.At
}

// AmendComplaintCategory corrects a mistyped category.
type AmendComplaintCategory struct {
	ComplaintID string            `json:"complaint_id"`
	Category    ComplaintCategory `json:"category"`
	Reason      string            `json:"reason"`
}

// ComplaintCategoryAmended: the complaint's category from now on.
type ComplaintCategoryAmended struct {
	ComplaintID string            `json:"complaint_id"`
	Previous    ComplaintCategory `json:"previous"`
	Category    ComplaintCategory `json:"category"`
	Reason      string            `json:"reason"`
	At          time.Time         `json:"at"`
}

func (cmd AmendComplaintCategory) decide(c *Compound, _ RuleSet, at time.Time) ([]Event, error) {
	var v violations
	v.required("reason", cmd.Reason)
	oneOf(&v, "category", "complaint.category", cmd.Category, complaintCategories)
	k, err := c.correctable(cmd.ComplaintID, &v)
	if err != nil {
		return nil, err
	}
	if k.Category == cmd.Category {
		v.fail("category", "correction.no_change", "complaint %s is already of category %s", "工单 %s 的类别已是 %s", cmd.ComplaintID, cmd.Category)
	}
	return v.emit(ComplaintCategoryAmended{ComplaintID: cmd.ComplaintID, Previous: k.Category, Category: cmd.Category, Reason: cmd.Reason, At: at})
}

func (ComplaintCategoryAmended) EventType() string { return "ComplaintCategoryAmended" }
func (e ComplaintCategoryAmended) apply(c *Compound) {
	c.complaints[e.ComplaintID].Category = e.Category
}

// correctable returns a complaint that exists and is not voided; other
// violations found so far are kept.
func (c *Compound) correctable(id string, v *violations) (*complaint, error) {
	v.required("complaint_id", id)
	if strings.TrimSpace(id) == "" {
		return nil, v.err()
	}
	k, ok := c.liveComplaint(id, v)
	if !ok {
		return nil, v.err()
	}
	return k, nil
}

// liveComplaint returns the complaint named id, or records in v that there
// is none or that it was voided.
func (c *Compound) liveComplaint(id string, v *violations) (*complaint, bool) {
	k, ok := lookup(v, c.complaints, "complaint_id", "complaint.unknown", nounComplaint, id)
	if ok && !k.VoidedAt.IsZero() {
		v.fail("complaint_id", "complaint.voided", "complaint %s was voided", "工单 %s 已作废", id)
		return nil, false
	}
	return k, ok
}

func init() {
	registerEvent[CompoundRenamed]()
	registerEvent[CompoundFiguresCorrected]()
	registerEvent[CompoundMoved]()
	registerEvent[ComplaintVoided]()
	registerEvent[ComplaintCategoryAmended]()
	registerCommand[RenameCompound]("rename-compound")
	registerCommand[CorrectCompoundFigures]("correct-compound-figures")
	registerCommand[MoveCompound]("move-compound")
	registerCommand[VoidComplaint]("void-complaint")
	registerCommand[AmendComplaintCategory]("amend-complaint-category")
}
