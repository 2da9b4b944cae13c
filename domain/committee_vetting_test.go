package domain

import (
	"testing"
	"time"
)

func TestVettingChecks(t *testing.T) {
	rules := DefaultRuleBook().At(fxDay(2024, 1, 1)).Committee
	for _, check := range rules.VettingChecks {
		t.Run("failing "+check, func(t *testing.T) {
			c := fxCompound(t, 500)
			fxCandidates(t, c, fxDay(2024, 1, 2), 0)
			fxDo(t, c, NominateCandidate{CandidateID: "x", Name: "甲", Unit: "1-1", BirthDate: Date{time.Date(1940, 1, 1, 0, 0, 0, 0, China)}}, fxDay(2024, 2, 1))
			checks := fxChecks(check)
			if check != CheckAge {
				checks = fxChecks(check, CheckAge) // born 1940: 84, outside the age range
			}
			events := fxDo(t, c, VetCandidate{CandidateID: "x", Checks: checks}, fxDay(2024, 2, 2))
			vetted := events[0].(CandidateVetted)
			if vetted.Eligible || len(vetted.Failed) == 0 {
				t.Fatalf("candidate failing %s is eligible: %+v", check, vetted)
			}
			fxPassedVote(t, c, "v", fxDay(2024, 3, 1))
			err := fxReject(t, c, ElectCommittee{VoteID: "v", Members: []string{"x"}, TermYears: 5}, fxDay(2024, 3, 1))
			fxHasViolation(t, err, "committee.member_ineligible", "members[0]")
		})
	}
}

func TestVettingValidation(t *testing.T) {
	c := fxCompound(t, 500)
	fxCandidates(t, c, fxDay(2024, 1, 2), 0)
	born := func(y, m, d int) Date { return Date{time.Date(y, time.Month(m), d, 0, 0, 0, 0, China)} }
	fxDo(t, c, NominateCandidate{CandidateID: "old", Name: "老", Unit: "1", BirthDate: born(1949, 3, 1)}, fxDay(2024, 2, 1))
	fxDo(t, c, NominateCandidate{CandidateID: "young", Name: "少", Unit: "2", BirthDate: born(2006, 3, 2)}, fxDay(2024, 2, 1))
	// On 2024-03-01: "old" is 75 (in range), "young" is 17 (one day short of 18).
	at := fxDay(2024, 3, 1)
	fxDo(t, c, VetCandidate{CandidateID: "old", Checks: fxChecks()}, at)
	fxHasViolation(t, fxReject(t, c, VetCandidate{CandidateID: "young", Checks: fxChecks()}, at), "vetting.age_mismatch", "checks[2].passed")
	fxDo(t, c, VetCandidate{CandidateID: "young", Checks: fxChecks(CheckAge)}, at)
	fxHasViolation(t, fxReject(t, c, VetCandidate{CandidateID: "old", Checks: fxChecks(CheckAge)}, at), "vetting.age_mismatch", "")
	// Turning 76 puts "old" outside the range.
	fxDo(t, c, VetCandidate{CandidateID: "old", Checks: fxChecks(CheckAge)}, fxDay(2025, 3, 1))

	missing := fxChecks()[1:]
	fxHasViolation(t, fxReject(t, c, VetCandidate{CandidateID: "old", Checks: missing}, at), "vetting.missing_check", "checks")
	unknown := append(fxChecks(), CheckResult{Check: "likes_dogs", Passed: true, Evidence: "x"})
	fxHasViolation(t, fxReject(t, c, VetCandidate{CandidateID: "old", Checks: unknown}, at), "vetting.unknown_check", "checks[9].check")
	noEvidence := fxChecks()
	noEvidence[4].Evidence = ""
	fxHasViolation(t, fxReject(t, c, VetCandidate{CandidateID: "old", Checks: noEvidence}, at), "field.required", "checks[4].evidence")
	fxHasViolation(t, fxReject(t, c, VetCandidate{CandidateID: "nobody", Checks: fxChecks()}, at), "candidate.unknown", "candidate_id")
}
