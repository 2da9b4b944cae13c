package domain

import "testing"

func TestCorrections(t *testing.T) {
	day := fxDay(2025, 6, 2)
	n, zero, big := 120, SquareMetres(0), SquareMetres(99_000)
	received := func(t *testing.T, c *Compound) { fxDo(t, c, receiveW1, fxDay(2025, 5, 6)) }
	voided := func(t *testing.T, c *Compound) {
		received(t, c)
		fxDo(t, c, VoidComplaint{ComplaintID: "W1", Reason: "重复录入"}, fxDay(2025, 5, 7))
	}
	runDisputeCases(t, []disputeCase{
		{name: "rename", cmd: RenameCompound{Name: "阳光花园（一期）", Reason: "更名"}, at: day,
			check: func(t *testing.T, c *Compound, events []Event) {
				e := events[0].(CompoundRenamed)
				if e.Previous != "阳光花园" || c.View().Profile.Name != "阳光花园（一期）" {
					t.Errorf("renamed %+v, profile %+v", e, c.View().Profile)
				}
			}},
		{name: "rename to the same name, no reason", cmd: RenameCompound{Name: "阳光花园"}, at: day,
			want: []string{"correction.no_change@name", "field.required@reason"}},
		{name: "rename to nothing", cmd: RenameCompound{Reason: "x"}, at: day, want: []string{"field.required@name"}},
		{name: "correct households only", cmd: CorrectCompoundFigures{Households: &n, Reason: "普查"}, at: day,
			check: func(t *testing.T, c *Compound, events []Event) {
				e := events[0].(CompoundFiguresCorrected)
				p := c.View().Profile
				if e.PreviousHouseholds != 100 || p.Households != 120 || p.PrivateArea != SquareMetres(10_000) || e.DeliveredArea != SquareMetres(10_000) {
					t.Errorf("event %+v, profile %+v", e, p)
				}
			}},
		{name: "figures that break the registry's rules", cmd: CorrectCompoundFigures{Households: new(int), PrivateArea: &zero, Reason: "x"}, at: day,
			want: []string{"compound.households@households", "compound.private_area@private_area", "compound.delivered_area@delivered_area"}},
		{name: "delivered above private", cmd: CorrectCompoundFigures{DeliveredArea: &big, Reason: "x"}, at: day,
			want: []string{"compound.delivered_area@delivered_area"}},
		{name: "figures unchanged", cmd: CorrectCompoundFigures{Reason: "x"}, at: day, want: []string{"correction.no_change"}},
		{name: "move from a day", cmd: MoveCompound{District: "D", Street: "S2", Community: "Q2", From: Date{date(2025, 6, 1)}, Reason: "区划调整"}, at: day,
			check: func(t *testing.T, c *Compound, events []Event) {
				e := events[0].(CompoundMoved)
				p := c.View().Profile
				if e.PreviousStreet != "S" || e.PreviousCommunity != "Q" || p.Street != "S2" || p.Community != "Q2" || e.From.String() != "2025-06-01" {
					t.Errorf("event %+v, profile %+v", e, p)
				}
			}},
		{name: "move nowhere, undated, no reason", cmd: MoveCompound{District: "D", Street: "S", Community: "Q"}, at: day,
			want: []string{"correction.no_change@community", "field.required@from", "field.required@reason"}},
		{name: "move from a day not yet come", cmd: MoveCompound{District: "D", Street: "S2", Community: "Q2", From: Date{date(2025, 7, 1)}, Reason: "x"}, at: day,
			want: []string{"correction.future_date@from"}},
		{name: "move with blanks", cmd: MoveCompound{From: Date{date(2025, 6, 1)}, Reason: "x"}, at: day,
			want: []string{"field.required@district", "field.required@street", "field.required@community"}},
		{name: "void", setup: received, cmd: VoidComplaint{ComplaintID: "W1", Reason: "录入错误"}, at: day,
			check: func(t *testing.T, c *Compound, _ []Event) {
				v, _ := c.Complaint("W1")
				if !v.VoidedAt.Equal(day) || v.Open() || v.Overdue(day.AddDate(1, 0, 0)) || c.OpenComplaints() != 0 {
					t.Errorf("voided complaint %+v is still open or overdue", v)
				}
			}},
		{name: "void an unknown complaint", cmd: VoidComplaint{ComplaintID: "W9", Reason: "x"}, at: day,
			want: []string{"complaint.unknown@complaint_id"}, code: CodeNotFound},
		{name: "void twice", setup: voided, cmd: VoidComplaint{ComplaintID: "W1", Reason: "x"}, at: day, want: []string{"complaint.voided@complaint_id"}},
		{name: "void without a reason or ID", cmd: VoidComplaint{}, at: day, want: []string{"field.required@complaint_id", "field.required@reason"}},
		{name: "a voided complaint takes no further step", setup: voided, cmd: dispatchW1, at: day, want: []string{"complaint.voided@complaint_id"}},
		{name: "amend the category", setup: received, cmd: AmendComplaintCategory{ComplaintID: "W1", Category: CategoryParking, Reason: "类别选错"}, at: day,
			check: func(t *testing.T, c *Compound, events []Event) {
				v, _ := c.Complaint("W1")
				if e := events[0].(ComplaintCategoryAmended); e.Previous != CategoryFees || v.Category != CategoryParking {
					t.Errorf("event %+v, complaint %+v", e, v)
				}
			}},
		{name: "amend to the same or no category", setup: received, cmd: AmendComplaintCategory{ComplaintID: "W1", Category: CategoryFees}, at: day,
			want: []string{"correction.no_change@category", "field.required@reason"}},
		{name: "amend to an unknown category", setup: received, cmd: AmendComplaintCategory{ComplaintID: "W1", Category: "weather", Reason: "x"}, at: day,
			want: []string{"complaint.category@category"}},
		{name: "amend a voided complaint", setup: voided, cmd: AmendComplaintCategory{ComplaintID: "W1", Category: CategoryParking, Reason: "x"}, at: day,
			want: []string{"complaint.voided@complaint_id"}},
	})
}
