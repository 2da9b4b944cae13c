package directory

import (
	"slices"
	"testing"
	"time"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections/projectiontest"
)

var at = projectiontest.At

func register(c *projectiontest.City, id, district, street, community string) {
	c.Do(id, at(2024, 1, 2, 9), domain.RegisterCompound{Profile: domain.Profile{Name: "小区" + id, District: district, Street: street,
		Community: community, Kind: domain.KindCommercial, Households: 100, PrivateArea: domain.SquareMetres(10000),
		DeliveredArea: domain.SquareMetres(10000), PropertyCompany: "甲物业"}})
}

func ids(entries []Entry) []string {
	out := []string{}
	for _, e := range entries {
		out = append(out, e.ID)
	}
	return out
}

func TestListFilters(t *testing.T) {
	c := projectiontest.NewCity(t, domain.DefaultRuleBook(), at(2026, 1, 1, 9))
	register(c, "B", "海淀", "中关村", "东区")
	register(c, "A", "海淀", "学院路", "西区")
	register(c, "C", "朝阳", "望京", "东区")
	c.Do("A", at(2024, 3, 1, 9), domain.ChangePropertyCompany{Company: "乙物业"})
	m := New()
	c.Fold(m)
	for _, tc := range []struct {
		f    Filter
		want []string
	}{
		{Filter{}, []string{"A", "B", "C"}},
		{Filter{District: "海淀"}, []string{"A", "B"}},
		{Filter{Street: "望京"}, []string{"C"}},
		{Filter{Community: "东区"}, []string{"B", "C"}},
		{Filter{District: "朝阳", Community: "西区"}, []string{}},
	} {
		if got := ids(m.List(tc.f)); !slices.Equal(got, tc.want) {
			t.Errorf("%+v: %v, want %v", tc.f, got, tc.want)
		}
	}
	if a, ok := m.Get("A"); !ok || a.PropertyCompany != "乙物业" || a.Committee.Phase != "none" {
		t.Fatalf("A: %+v", a)
	}
	if _, ok := m.Get("Z"); ok {
		t.Fatal("an unknown compound was found")
	}
}

// The case file summary follows complaints, suits, the conflict flag, the
// plan and the listing.
func TestCaseFileSummary(t *testing.T) {
	c := projectiontest.NewCity(t, domain.DefaultRuleBook(), at(2026, 1, 1, 9))
	register(c, "A", "海淀", "中关村", "东区")
	receive := func(id string, when time.Time) {
		c.Do("A", when, domain.ReceiveComplaint{ComplaintID: id, Channel: domain.ChannelHotline, Kind: domain.KindComplaint,
			Category: domain.CategoryFees, Summary: "x"})
	}
	receive("k1", at(2025, 3, 3, 9))
	receive("k2", at(2025, 3, 3, 10))
	c.Do("A", at(2025, 3, 3, 11), domain.DispatchComplaint{ComplaintID: "k1", Unit: "甲物业"}, domain.AcceptComplaint{ComplaintID: "k1"},
		domain.ResolveComplaint{ComplaintID: "k1", Outcome: "ok"})
	c.Do("A", at(2025, 3, 4, 9), domain.FileLawsuit{LawsuitFiling: domain.LawsuitFiling{LawsuitID: "L1", Plaintiff: "甲物业",
		Defendant: "业主", Cause: domain.CauseFeeArrears, AmountFen: 100}})
	c.Do("A", at(2025, 3, 5, 9), domain.FlagConflict{Reason: "投诉多"})
	c.Do("A", at(2025, 3, 6, 9), domain.AdoptPlan{Problems: []domain.Problem{{ID: "P", Description: "x"}}, Measures: []domain.Measure{
		{ID: "m1", ProblemID: "P", Description: "x", ResponsibleUnit: "街道", Deadline: domain.NewDate(at(2025, 6, 1, 0)), Term: domain.TermShort},
		{ID: "m2", ProblemID: "P", Description: "y", ResponsibleUnit: "街道", Deadline: domain.NewDate(at(2025, 7, 1, 0)), Term: domain.TermLong}},
		CaseLeader: domain.CaseLeader{Name: "王", Title: "主任"}})
	c.Do("A", at(2025, 3, 20, 9), domain.VerifyMeasure{MeasureID: "m1", Passed: true, Verifier: "局"}, domain.SignOffMeasure{MeasureID: "m1"})
	c.Do("A", at(2025, 4, 1, 9), domain.ListForSupervision{ListingID: "S", Authority: "局", Deadline: domain.NewDate(at(2025, 12, 1, 0))})
	m := New()
	c.Fold(m)
	a, _ := m.Get("A")
	if a.OpenComplaints != 1 || a.PendingLawsuits != 1 || !a.Conflict || a.Plan == nil || a.Plan.Measures != 2 || a.Plan.SignedOff != 1 ||
		!a.Plan.Open || a.Listing == nil || !a.Listing.Active || a.Listing.Deadline.String() != "2025-12-01" {
		t.Fatalf("case file %+v plan %+v listing %+v", a, a.Plan, a.Listing)
	}
	c.Do("A", at(2025, 5, 1, 9), domain.ConcludeLawsuit{LawsuitID: "L1", Outcome: domain.OutcomeWithdrawn},
		domain.VerifyRemediation{ListingID: "S", Passed: true, Verifier: "局"}, domain.Delist{ListingID: "S", Published: true})
	c.Fold(m)
	if a, _ = m.Get("A"); a.PendingLawsuits != 0 || a.Listing.Active {
		t.Fatalf("after conclusion and delisting: %+v", a)
	}

	// The snapshot restores the same summaries.
	snap, err := m.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	r := New()
	if err := r.Restore(snap); err != nil {
		t.Fatal(err)
	}
	if b, _ := r.Get("A"); b.OpenComplaints != a.OpenComplaints || *b.Plan != *a.Plan || r.Position() != m.Position() {
		t.Fatalf("restored %+v", b)
	}
}

func TestNearest(t *testing.T) {
	m := New()
	for i, c := range []struct {
		id       string
		lat, lon domain.Degrees
	}{{"far", 31_000_000, 121_000_000}, {"near", 30_274_085, 120_155_070}, {"none", 0, 0}} {
		env := domain.Envelope{StreamID: domain.StreamID(c.id), Position: uint64(i + 1)}
		handlers["CompoundRegistered"](m, env, domain.CompoundRegistered{Profile: domain.Profile{Name: c.id, Latitude: c.lat, Longitude: c.lon}})
	}
	// 0.001° of latitude is about 111 m.
	if e, ok := m.Nearest(30_275_085, 120_155_070, 500); !ok || e.ID != "near" || e.Latitude != 30_274_085 {
		t.Fatalf("near: %+v %v", e, ok)
	}
	if e, ok := m.Nearest(30_284_085, 120_155_070, 500); ok {
		t.Fatalf("1.1 km away, within 500 m: %+v", e)
	}
}
