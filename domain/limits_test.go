package domain

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// Every string and number field of every registered command is named in the
// limit tables, so no command bypasses them by a field nobody listed.
func TestLimitTablesCoverEveryCommandField(t *testing.T) {
	for _, name := range CommandNames() {
		cmd, err := ParseCommand(name, json.RawMessage(`{}`))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		walkFields(reflect.ValueOf(cmd), "", named(""), func(path func() string, field string, f reflect.Value) {
			switch {
			case f.Kind() == reflect.String && f.Type() == reflect.TypeFor[string]():
				if _, ok := textFields[field]; !ok {
					t.Errorf("%s: text field %s has no kind in textFields", name, path())
				}
			case f.CanInt():
				if _, ok := numberFields[field]; !ok {
					t.Errorf("%s: number field %s has no bound in numberFields", name, path())
				}
			}
		})
	}
}

// walkFields sees into slices of structs: an empty slice has no elements,
// so the coverage test above walks a vote with one unit too.
func TestLimitsReachNestedFields(t *testing.T) {
	cmd := HoldAssemblyVote{VoteID: "v", Subject: "x", Units: []UnitVote{{Unit: "1\x00", Owner: "甲", Area: maxArea + 1}}}
	err := checkFields(cmd, fxDay(2024, 1, 1))
	fxHasViolation(t, err, "text.control_character", "units[0].unit")
	fxHasViolation(t, err, "number.range", "units[0].area")
	for _, f := range []string{"unit", "owner", "area"} {
		if _, ok := textFields[f]; !ok {
			if _, ok := numberFields[f]; !ok {
				t.Errorf("unit vote field %s is not in the tables", f)
			}
		}
	}
}

func TestTextRules(t *testing.T) {
	c := fxCompound(t, 100)
	at := fxDay(2024, 3, 1)
	cases := []struct{ name, body, rule, field string }{
		{"NUL", `{"branch":"党支部\u0000","secretary":"书记"}`, "text.control_character", "branch"},
		{"control", `{"branch":"党支部\u001b[31m","secretary":"书记"}`, "text.control_character", "branch"},
		{"C1 control", `{"branch":"党支部\u0085","secretary":"书记"}`, "text.control_character", "branch"},
		{"escaped lone surrogate", `{"branch":"党支部\udc00","secretary":"书记"}`, "text.invalid_utf8", "branch"},
		{"bidi override", `{"branch":"党支部\u202egnp.exe","secretary":"书记"}`, "text.bidi_override", "branch"},
		{"zero-width only", `{"branch":"\u200b\u200d\ufeff","secretary":"书记"}`, "text.blank", "branch"},
		{"too long", `{"branch":"` + strings.Repeat("党", TextName.MaxRunes+1) + `","secretary":"书记"}`, "text.too_long", "branch"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cmd, err := ParseCommand("establish-party-branch", json.RawMessage(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Decide(cmd, DefaultRuleBook().At(at), at)
			if ErrorCode(err) != CodeInvalid {
				t.Fatalf("code %v, want invalid", err)
			}
			fxHasViolation(t, err, tc.rule, tc.field)
			for _, v := range ErrorOf(err).Violations {
				if v.MessageZH == "" || v.Message == "" {
					t.Errorf("violation %s lacks a language", v.Rule)
				}
			}
		})
	}
	// Raw invalid UTF-8 is refused before the decoder can replace it.
	_, err := ParseCommand("establish-party-branch", json.RawMessage("{\"branch\":\"\xff\xfe\",\"secretary\":\"x\"}"))
	fxHasViolation(t, err, "text.invalid_utf8", "")
	// Line breaks and tabs are text, not controls; text is stored as NFC.
	cmd, err := ParseCommand("establish-party-branch", json.RawMessage(`{"branch":"Cafe\u0301 支部","secretary":"第一行\n第二行\t"}`))
	if err != nil {
		t.Fatal(err)
	}
	events := fxDo(t, c, cmd, at)
	if got := events[0].(PartyBranchEstablished).Branch; got != "Café 支部" || len(got) != len("Café 支部") {
		t.Errorf("branch stored as %q, want the NFC form", got)
	}
}

func TestNumberAndDateRanges(t *testing.T) {
	at := fxDay(2024, 3, 1)
	p := Profile{Name: "n", District: "d", Street: "s", Community: "q", Kind: KindCommercial,
		Households: 9_200_000_000_000_000_000 / 1_000, PrivateArea: Area(46_000_000_000_000_000), DeliveredArea: 1}
	err := checkFields(RegisterCompound{p}, at)
	fxHasViolation(t, err, "number.range", "households")
	fxHasViolation(t, err, "number.range", "private_area")
	for _, d := range []Date{{date(1949, 9, 30)}, {date(2075, 1, 1)}} {
		err := checkFields(ListForSupervision{ListingID: "L", Deadline: d}, at)
		fxHasViolation(t, err, "date.range", "deadline")
	}
	if err := checkFields(ListForSupervision{ListingID: "L", Deadline: Date{date(1949, 10, 1)}}, at); err != nil {
		t.Errorf("1949-10-01 is in range: %v", err)
	}
}

// Four units of 46,116,860,184,273,879.04 m² each: the parsed command is
// refused as implausible, and summing them directly reports the overflow
// instead of wrapping into a passing vote.
func TestVoteOverflowNeverPasses(t *testing.T) {
	c := fxCompound(t, 100)
	at := fxDay(2024, 3, 1)
	unit := `{"unit":"%d","owner":"o%d","area":46116860184273879.04,"choice":"%s"}`
	var units []string
	for i, ch := range []string{"yes", "yes", "no", "no"} {
		units = append(units, strings.NewReplacer("%d", string(rune('1'+i)), "%s", ch).Replace(unit))
	}
	body := `{"vote_id":"v","matter":"other","subject":"x","units":[` + strings.Join(units, ",") + `]}`
	cmd, err := ParseCommand("hold-assembly-vote", json.RawMessage(body))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Decide(cmd, DefaultRuleBook().At(at), at)
	fxHasViolation(t, err, "number.range", "units[0].area")

	var v violations
	huge := Area(46_116_860_184_273_879_04)
	TallyUnits("units", []UnitVote{{Unit: "1", Owner: "a", Area: huge, Choice: ChoiceYes}, {Unit: "2", Owner: "b", Area: huge, Choice: ChoiceYes},
		{Unit: "3", Owner: "c", Area: huge, Choice: ChoiceNo}, {Unit: "4", Owner: "d", Area: huge, Choice: ChoiceNo}}, &v)
	fxHasViolation(t, v.err(), "number.overflow", "units[1].area")
}

func TestTallyAgainstRegisteredCompound(t *testing.T) {
	c := fxCompound(t, 100) // 100 households, 10,000 m²
	at := fxDay(2024, 3, 1)
	many := Tally{TotalArea: SquareMetres(10_000), TotalOwners: 100_000, ParticipatingArea: SquareMetres(9000), ParticipatingOwners: 90_000, YesArea: SquareMetres(9000), YesOwners: 90_000}
	fxHasViolation(t, fxReject(t, c, HoldAssemblyVote{VoteID: "v", Matter: MatterOther, Subject: "x", Tally: &many}, at), "vote.owners_over_households", "tally.total_owners")
	big := Tally{TotalArea: SquareMetres(30_000), TotalOwners: 100, ParticipatingArea: SquareMetres(30_000), ParticipatingOwners: 100, YesArea: SquareMetres(30_000), YesOwners: 100}
	fxHasViolation(t, fxReject(t, c, HoldAssemblyVote{VoteID: "v", Matter: MatterOther, Subject: "x", Tally: &big}, at), "vote.area_over_registered", "tally.total_area")
	roll := []UnitVote{{Unit: "1", Owner: "a", Area: SquareMetres(6000), Choice: ChoiceYes}, {Unit: "2", Owner: "b", Area: SquareMetres(6000), Choice: ChoiceYes}}
	fxHasViolation(t, fxReject(t, c, HoldAssemblyVote{VoteID: "v", Matter: MatterOther, Subject: "x", Units: roll}, at), "vote.area_over_registered", "units.total_area")
}

// What the limits add to every command: a small command, and a vote roll
// of 1,000 units.
func BenchmarkCheckFields(b *testing.B) {
	at := fxDay(2024, 3, 1)
	units := make([]UnitVote, 1000)
	for i := range units {
		units[i] = UnitVote{Unit: strings.Repeat("1", 4), Owner: "业主", Area: SquareMetres(90), Choice: ChoiceYes}
	}
	for name, cmd := range map[string]Command{
		"branch":     EstablishPartyBranch{Branch: "党支部", Secretary: "书记"},
		"vote-1000u": HoldAssemblyVote{VoteID: "v", Matter: MatterOther, Subject: "x", Units: units},
	} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if err := checkFields(cmd, at); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestApplicantsWithinHouseholds(t *testing.T) {
	c := fxCompound(t, 100)
	fxHasViolation(t, fxReject(t, c, ApplyForAssembly{Applicants: 101}, fxDay(2024, 1, 2)), "committee.applicants_over_households", "applicants")
}
