package domain

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func receive(name, phone string) ReceiveComplaint {
	return ReceiveComplaint{ComplaintID: "k1", Channel: ChannelHotline, Kind: KindComplaint, Category: CategoryFees, Summary: "物业费",
		ComplainantName: name, ComplainantPhone: phone}
}

// Given a compound, when a complaint names its resident, then the event
// carries the name and phone as the complainant's personal data, for the
// command service to seal, and the complaint's view shows whose it is.
func TestComplainantIsPersonalData(t *testing.T) {
	c := fxCompound(t, 100)
	for _, phone := range []string{"13912345678", "010-12345678", "075512345678", "0571-8765432"} {
		t.Run(phone, func(t *testing.T) {
			c := fxCompound(t, 100)
			e := fxDo(t, c, receive("王某", phone), fxDay(2024, 3, 4))[0].(ComplaintReceived)
			want := Personal{Subject: "complainant:C1:k1", Fields: map[string]string{FieldName: "王某", FieldPhone: phone}}
			if e.Complainant.Subject != want.Subject || e.Complainant.Fields[FieldName] != "王某" || e.Complainant.Fields[FieldPhone] != phone {
				t.Errorf("complainant %+v, want %+v", e.Complainant, want)
			}
			if v, _ := c.Complaint("k1"); v.Complainant.Subject != want.Subject {
				t.Errorf("view's complainant %+v", v.Complainant)
			}
		})
	}
	// An anonymous complaint has no data subject.
	e := fxDo(t, c, receive("", ""), fxDay(2024, 3, 4))[0].(ComplaintReceived)
	if e.Complainant.Subject != "" || e.Complainant.Fields != nil {
		t.Errorf("anonymous complaint carries %+v", e.Complainant)
	}
}

// Hostile or mistyped personal fields are refused by field, in both
// languages, without echoing the value.
func TestPersonalFieldsValidated(t *testing.T) {
	for _, tc := range []struct {
		name, phone, rule, field string
	}{
		{"王某", "1391234567", "personal.phone", "complainant_phone"},        // 10 digits
		{"王某", "23912345678", "personal.phone", "complainant_phone"},       // no such mobile prefix
		{"王某", "010-1234", "personal.phone", "complainant_phone"},          // too short
		{"王某", "+86 139 1234 5678", "personal.phone", "complainant_phone"}, // spaces
		{"王某", "13912345678\x00", "text.control_character", "complainant_phone"},
		{strings.Repeat("王", 201), "13912345678", "text.too_long", "complainant_name"},
		{"王\u202e某", "13912345678", "text.bidi_override", "complainant_name"},
		{"王某", strings.Repeat("1", 65), "text.too_long", "complainant_phone"},
	} {
		err := fxReject(t, fxCompound(t, 100), receive(tc.name, tc.phone), fxDay(2024, 3, 4))
		fxHasViolation(t, err, tc.rule, tc.field)
		if strings.Contains(err.Error(), "1391234567") {
			t.Errorf("the error echoes the phone: %v", err)
		}
	}
}

func TestCandidateIDNumber(t *testing.T) {
	born := Date{time.Date(1949, 12, 31, 0, 0, 0, 0, China)}
	nominate := func(id string) NominateCandidate {
		return NominateCandidate{CandidateID: "p1", Name: "甲", Unit: "1-101", BirthDate: born, IDNumber: id}
	}
	c := fxCompound(t, 500)
	fxCandidates(t, c, fxDay(2024, 1, 2), 0)
	e := fxDo(t, c, nominate("11010519491231002x"), fxDay(2024, 2, 1))[0].(CandidateNominated)
	if e.Personal.Subject != "candidate:C1:p1" || e.Personal.Fields[FieldIDNumber] != "11010519491231002x" {
		t.Errorf("personal %+v", e.Personal)
	}
	for id, rule := range map[string]string{
		"110105194912310021": "personal.id_checksum",   // a mistyped check character
		"11010519491231002":  "personal.id_number",     // 17 characters
		"1101051949123100AX": "personal.id_number",     // letters
		"110105195001010020": "personal.id_birth_date", // valid, but another birth date
	} {
		c := fxCompound(t, 500)
		fxCandidates(t, c, fxDay(2024, 1, 2), 0)
		fxHasViolation(t, fxReject(t, c, nominate(id), fxDay(2024, 2, 1)), rule, "id_number")
	}
}

// Event IDs derive from the fingerprint and outlive an erasure: the
// personal fields are not part of it.
func TestFingerprintLeavesPersonalDataOut(t *testing.T) {
	if Fingerprint(receive("王某", "13912345678")) != Fingerprint(receive("", "")) {
		t.Error("the fingerprint depends on the personal fields")
	}
	if Fingerprint(receive("王某", "13912345678")) == Fingerprint(ReceiveComplaint{ComplaintID: "k2"}) {
		t.Error("the fingerprint no longer tells commands apart")
	}
}

func TestSubjects(t *testing.T) {
	for s, ok := range map[string]bool{
		"complainant:c1:k1": true, "candidate:c1:p:1": true, "candidate:c1:": false, "voter:c1:x": false,
		"complainant:bad id:k1": false, "complainant": false, "": false, "complainant:c1:k1\x00": false,
	} {
		if err := ValidateSubject(s); (err == nil) != ok {
			t.Errorf("%q: %v", s, err)
		}
	}
	if p := (Personal{Subject: "complainant:c1:k1", Fields: map[string]string{FieldPhone: "13912345678"}}); strings.Contains(p.String(), "139") {
		t.Errorf("a Personal value prints its fields: %s", p)
	}
}

// The age check reads a sealed birth date only as the command service
// opened it for the decision: not opened or erased, the check cannot be
// decided; opened, it decides as on a clear date. The outcome is what the
// event keeps, so nothing folded afterwards reads the birth date.
func TestAgeCheckReadsTheOpenedBirthDate(t *testing.T) {
	c := fxCompound(t, 500)
	fxCandidates(t, c, fxDay(2024, 1, 2), 0)
	subject := CandidateSubject("C1", "p1")
	c.Evolve(CandidateNominated{CandidateID: "p1", Name: "甲", Personal: Personal{Subject: subject, Sealed: "opaque"}})
	at := fxDay(2024, 3, 1)
	vet := VetCandidate{CandidateID: "p1", Checks: fxChecks()}
	if need := c.PersonalNeeded(vet); len(need) != 1 || need[0].Sealed != "opaque" {
		t.Fatalf("the age check names %+v", need)
	}
	if need := c.PersonalNeeded(VetCandidate{CandidateID: "p1"}); need != nil {
		t.Errorf("no age check, yet %+v is needed", need)
	}
	fxHasViolation(t, fxReject(t, c, vet, at), "vetting.birth_date_unknown", "checks[2].passed")
	erased := WithOpened(vet, []Personal{{Subject: subject, Erased: true}})
	fxHasViolation(t, fxReject(t, c, erased, at), "vetting.birth_date_unknown", "checks[2].passed")
	born2006 := []Personal{{Subject: subject, Fields: map[string]string{FieldBirthDate: "2006-03-02"}}} // 17 on the day
	fxHasViolation(t, fxReject(t, c, WithOpened(vet, born2006), at), "vetting.age_mismatch", "checks[2].passed")
	events := fxDo(t, c, WithOpened(VetCandidate{CandidateID: "p1", Checks: fxChecks(CheckAge)}, born2006), at)
	if e := events[0].(CandidateVetted); e.Eligible || len(e.Failed) != 1 || e.Failed[0] != CheckAge {
		t.Errorf("vetted %+v", e)
	}
	if b, _ := json.Marshal(WithOpened(vet, born2006)); strings.Contains(string(b), "2006") {
		t.Errorf("the opened birth date travels with the command's JSON: %s", b)
	}
}

// A nomination seals the unit and the birth date with the ID number; the
// event holds none of them in clear.
func TestCandidateUnitAndBirthDateArePersonal(t *testing.T) {
	c := fxCompound(t, 500)
	fxCandidates(t, c, fxDay(2024, 1, 2), 0)
	e := fxDo(t, c, NominateCandidate{CandidateID: "p1", Name: "甲", Unit: "3-201", BirthDate: Date{time.Date(1968, 4, 2, 0, 0, 0, 0, China)}},
		fxDay(2024, 2, 1))[0].(CandidateNominated)
	if f := e.Personal.Fields; f[FieldUnit] != "3-201" || f[FieldBirthDate] != "1968-04-02" || e.Clear != nil {
		t.Errorf("nominated %+v", e)
	}
	if cmd := stripPersonal(NominateCandidate{Unit: "3-201", BirthDate: Date{fxDay(1968, 4, 2)}}).(NominateCandidate); cmd.Unit != "" || !cmd.BirthDate.IsZero() {
		t.Error("the unit or the birth date is not personal")
	}
}
