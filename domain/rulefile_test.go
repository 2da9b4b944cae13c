package domain

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// The built-in rule files reproduce the numbers compiled in before rules
// became data.
func TestDefaultRuleBookMatchesCompiledDefaults(t *testing.T) {
	committee := CommitteeRules{
		EligibleDelivered:     Fraction{1, 2, true},
		PreparatoryWithinDays: 60,
		MinMembers:            5, MaxMembers: 11,
		SmallCompoundHouseholds: 100, SmallMinMembers: 3,
		MaxAlternates:           Cap{2, 5},
		MaxTermYears:            5,
		ChairWithinDays:         7,
		FilingWithinDays:        30,
		ReelectionLeadMonths:    3,
		HandoverWithinDays:      10,
		InterimFilingWithinDays: 30,
		AgeMin:                  18, AgeMax: 75,
		VettingChecks: []string{CheckUnitOwner, CheckCivilCapacity, CheckAge, CheckNoFeeArrears, CheckFundPaid,
			CheckNoCompanyTies, CheckNoCompanyBenefits, CheckNoRecentPenalty, CheckNoIllegalBuilding},
	}
	complaint := ComplaintRules{DispatchHours: 24, UrgentDispatchHours: 1, ConsultationReplyWorkingDays: 3,
		ComplaintReplyWorkingDays: 15, FollowUpDays: 1, MaxExtensionWorkingDays: 15}
	plan := PlanRules{MaxListingDays: 365, ExtensionLeadWorkingDays: 20, ExtensionDecisionWorkingDays: 10}
	credit := CreditRules{
		Base:        80,
		ValidMonths: 12,
		Points: map[string]int{"misuse_maintenance_fund": -41, "unauthorised_service_cut_or_fee_change": -20,
			"occupy_common_land": -10, "forced_prepayment": -5, "other": -5, "lawsuit_lost": -3, "verified_complaint": -1,
			"red_property": +5},
		Bands:     Bands{{"AAA", 85}, {"AA", 80}, {"A", 70}, {"B", 60}},
		Lowest:    "C",
		Blacklist: []string{"misuse_maintenance_fund"},
	}
	want := []RuleSet{{
		Name: "property-regulation-2018", EffectiveFrom: date(2018, 3, 19),
		Vote: VoteRules{
			Law:          "物业管理条例第十二条（2018年修订）",
			Quorum:       Fraction{1, 2, true},
			Ordinary:     Threshold{OfTotal, Fraction{1, 2, true}},
			Major:        Threshold{OfTotal, Fraction{2, 3, false}},
			MajorMatters: []Matter{MatterRaiseFund, MatterUseFund, MatterRebuild},
		},
		Committee: committee, Complaint: complaint, Plan: plan, Credit: credit,
	}, {
		Name: "civil-code-2021", EffectiveFrom: date(2021, 1, 1),
		Vote: VoteRules{
			Law:          "民法典第二百七十八条",
			Quorum:       Fraction{2, 3, false},
			Ordinary:     Threshold{OfParticipating, Fraction{1, 2, true}},
			Major:        Threshold{OfParticipating, Fraction{3, 4, false}},
			MajorMatters: []Matter{MatterRaiseFund, MatterRebuild, MatterChangeCommonUse},
		},
		Committee: committee, Complaint: complaint, Plan: plan, Credit: credit,
	}}
	got := DefaultRuleBook().Sets()
	for i := range got {
		got[i].Calendar = nil // the calendar has tests of its own
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("built-in rule sets\n got %+v\nwant %+v", got, want)
	}
}

// What `rules show` prints parses back to the same set.
func TestFormatRuleSetRoundTrip(t *testing.T) {
	for _, s := range DefaultRuleBook().Sets() {
		b, err := FormatRuleSet(s)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseRuleSet("shown.toml", b)
		if err != nil {
			t.Fatalf("%v\n%s", err, b)
		}
		back.Calendar = s.Calendar // shown and parsed apart
		if !reflect.DeepEqual(back, s) {
			t.Fatalf("%s does not round-trip:\n%s", s.Name, b)
		}
	}
}

func builtinFile(t testing.TB) string {
	t.Helper()
	b, err := builtinSets.ReadFile("rulesets/2021-01-01-civil-code.toml")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Every error names the file, the line and the setting.
func TestParseRuleSetErrors(t *testing.T) {
	file := builtinFile(t)
	for _, tc := range []struct {
		name, old, new string
		want           string // the error, with %d for the line of new
	}{
		{"negative limit", "complaint_reply_working_days = 15", "complaint_reply_working_days = -5",
			"city.toml:%d: complaint.complaint_reply_working_days: must be a positive whole number"},
		{"zero limit", "max_listing_days = 365", "max_listing_days = 0", "city.toml:%d: plan.max_listing_days: must be a positive whole number"},
		{"wrong type", "dispatch_hours = 24", `dispatch_hours = "24"`, "city.toml:%d: complaint.dispatch_hours: must be a whole number, not a string"},
		{"array for number", "age_min = 18", "age_min = [18]", "city.toml:%d: committee.age_min: must be a whole number, not an array"},
		{"number for table", "[credit.points]", "points = 3\n[credit.unused]", "city.toml:%d: credit.points: must be a table of item kind = points"},
		{"not a date", "effective_from = 2021-01-01", "effective_from = 2021-01-01T08:00:00+08:00", "city.toml:%d: effective_from: must be a date"},
		{"unknown key", "follow_up_days = 1", "follow_up_days = 1\nfollowup_days = 2", "city.toml:%d: complaint.followup_days: unknown setting"},
		{"missing key", "follow_up_days = 1 ", "", "complaint.follow_up_days: missing"},
		{"bad fraction", `quorum = ">= 2/3"`, `quorum = "2/3"`, `city.toml:%d: vote.quorum: must be a share written "> 1/2"`},
		{"fraction above one", `share = ">= 3/4"`, `share = ">= 4/3"`, `city.toml:%d: vote.major.share: must be a share`},
		{"bad cap", `max_alternates = "<= 2/5"`, `max_alternates = "> 2/5"`, `city.toml:%d: committee.max_alternates: must be a cap written "<= 2/5"`},
		{"unknown matter", `"change_common_use"]`, `"change_use"]`, `city.toml:%d: vote.major_matters: "change_use" is not a matter`},
		{"unknown check", `"age", `, `"aged", `, `city.toml:%d: committee.vetting_checks: "aged" is not a vetting check`},
		{"unknown credit kind", "lawsuit_lost = -3", "lawsuit_lots = -3", "city.toml:%d: credit.points.lawsuit_lots: not a credit item kind"},
		{"bad base", `base = "participating"`, `base = "present"`, `city.toml:%d: vote.ordinary.base: must be "participating" or "total"`},
		{"syntax", "age_max = 75", "age_max = = 75", "city.toml:%d: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(file, tc.old) {
				t.Fatalf("%q not in the file", tc.old)
			}
			text := strings.Replace(file, tc.old, tc.new, 1)
			want := tc.want
			if strings.Contains(want, "%d") {
				line := strings.Count(text[:strings.Index(text, tc.new)], "\n") + 1
				if tc.name == "unknown key" {
					line++
				}
				want = strings.Replace(want, "%d", strconv.Itoa(line), 1)
			}
			_, err := ParseRuleSet("city.toml", []byte(text))
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("error %v, want %q", err, want)
			}
		})
	}
}

// Two sets of one book cannot take effect on the same day.
func TestParseRuleBookDuplicateDate(t *testing.T) {
	file := builtinFile(t)
	other := strings.Replace(file, `name = "civil-code-2021"`, `name = "city-2021"`, 1)
	_, err := ParseRuleBook(map[string][]byte{"a.toml": []byte(file), "b.toml": []byte(other)})
	if want := "b.toml:5: effective_from: 2021-01-01 is already the effective date of a.toml"; err == nil || err.Error() != want {
		t.Fatalf("error %v, want %q", err, want)
	}
}

// A city's file is untrusted input: parsing never panics, and what parses
// is a usable rule set.
func FuzzParseRuleSet(f *testing.F) {
	f.Add([]byte(builtinFile(f)))
	f.Add([]byte("name = \"x\"\neffective_from = 2021-01-01\n[vote]\nquorum = \"> 0/0\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseRuleSet("f.toml", data)
		if err != nil {
			return
		}
		if s.Vote.Quorum.Den <= 0 || s.Committee.MaxAlternates.Den <= 0 || s.Complaint.ComplaintReplyWorkingDays <= 0 {
			t.Fatalf("accepted an unusable set: %+v", s)
		}
	})
}
