// Candidates and their vetting (候选人资格审查):
//   - candidates are nominated once a preparatory group is formed, each once,
//     with a past birth date;
//   - vetting runs every check of the rule set, each once, each with its
//     evidence; the age check must agree with the age at vetting;
//   - a candidate who failed any check is not eligible; the failed checks
//     are the reason kept.

package domain

import (
	"encoding/json"
	"fmt"
	"time"
)

// Background attributes are reported, never a condition of validity.
type Background struct {
	PartyMember              bool `json:"party_member,omitempty"`               // 党员
	CommunityCommitteeMember bool `json:"community_committee_member,omitempty"` // 社区"两委"成员（交叉任职）
	RetiredCadre             bool `json:"retired_cadre,omitempty"`              // 退休干部
	Veteran                  bool `json:"veteran,omitempty"`                    // 退役军人
	PublicInstitutionStaff   bool `json:"public_institution_staff,omitempty"`   // 机关事业单位人员
}

// NominateCandidate puts a candidate (候选人) forward.
type NominateCandidate struct {
	CandidateID            string     `json:"candidate_id"`
	Name                   string     `json:"name"`
	Unit                   string     `json:"unit"`
	BirthDate              Date       `json:"birth_date"`
	RecommendedByCommunity bool       `json:"recommended_by_community,omitempty"` // 社区党组织推荐
	Background             Background `json:"background"`
	IDNumber               string     `json:"id_number,omitempty"` // 身份证号; personal data, sealed in the event
}

// CandidateNominated: the candidate awaits vetting.
type CandidateNominated struct {
	CandidateID            string     `json:"candidate_id"`
	Name                   string     `json:"name"`
	Unit                   string     `json:"unit"`
	BirthDate              Date       `json:"birth_date"`
	RecommendedByCommunity bool       `json:"recommended_by_community,omitempty"`
	Background             Background `json:"background"`
	Personal               Personal   `json:"personal,omitzero"` // the ID number, sealed
}

func (cmd NominateCandidate) decide(c *Compound, _ RuleSet, at time.Time) ([]Event, error) {
	var v violations
	v.required("candidate_id", cmd.CandidateID)
	v.required("name", cmd.Name)
	v.required("unit", cmd.Unit)
	if cmd.BirthDate.IsZero() || cmd.BirthDate.After(at) {
		v.invalid("birth_date", "candidate.birth_date", "a past birth date is required", "须填写出生日期")
	}
	checkIDNumber(&v, "id_number", cmd.IDNumber, cmd.BirthDate)
	if c.committee.group == nil {
		v.fail("", "candidate.no_group", "candidates are nominated once a preparatory group is formed", "筹备组成立后方可提名候选人")
	} else if _, dup := c.committee.candidates[cmd.CandidateID]; dup {
		v.fail("candidate_id", "candidate.duplicate", "candidate %s is already nominated", "候选人 %s 已提名", cmd.CandidateID)
	}
	return v.emit(CandidateNominated{CandidateID: cmd.CandidateID, Name: cmd.Name, Unit: cmd.Unit, BirthDate: cmd.BirthDate,
		RecommendedByCommunity: cmd.RecommendedByCommunity, Background: cmd.Background,
		Personal: personal(CandidateSubject(c.id, cmd.CandidateID), map[string]string{FieldIDNumber: cmd.IDNumber})})
}

// MapPersonal rewrites the candidate's sealed fields (sealing, opening).
func (e CandidateNominated) MapPersonal(f func(Personal) (Personal, error)) (Event, error) {
	err := mapPersonal(&e.Personal, f)
	return e, err
}

func (CandidateNominated) EventType() string { return "CandidateNominated" }
func (e CandidateNominated) apply(c *Compound) {
	c.committee.candidates[e.CandidateID] = &candidate{CandidateNominated: e}
}

// CheckResult is one vetting check with its evidence (e.g. 不动产权证号).
type CheckResult struct {
	Check    string `json:"check"`
	Passed   bool   `json:"passed"`
	Evidence string `json:"evidence"`
}

// VetCandidate records the eligibility check (资格审查) of a candidate:
// every check of the rule set, each pass or fail with evidence.
type VetCandidate struct {
	CandidateID string        `json:"candidate_id"`
	Checks      []CheckResult `json:"checks"`
}

// CandidateVetted: the checks and their outcome. A candidate who failed any
// check cannot be elected; the failed checks are the reason kept.
type CandidateVetted struct {
	CandidateID string        `json:"candidate_id"`
	Checks      []CheckResult `json:"checks"`
	Failed      []string      `json:"failed,omitempty"`
	Eligible    bool          `json:"eligible"`
}

func (cmd VetCandidate) decide(c *Compound, r RuleSet, at time.Time) ([]Event, error) {
	var v violations
	cand, _ := lookup(&v, c.committee.candidates, "candidate_id", "candidate.unknown", nounCandidate, cmd.CandidateID)
	checks := vocabulary[string](r.Committee.VettingChecks)
	got := map[string]bool{}
	e := CandidateVetted{CandidateID: cmd.CandidateID, Checks: cmd.Checks, Eligible: true}
	for i, ch := range cmd.Checks {
		f := fmt.Sprintf("checks[%d]", i)
		if oneOf(&v, f+".check", "vetting.unknown_check", ch.Check, checks) && got[ch.Check] {
			v.invalid(f+".check", "vetting.duplicate_check", "check %s given twice", "审查项 %s 重复", ch.Check)
		}
		got[ch.Check] = true
		v.required(f+".evidence", ch.Evidence)
		if ch.Check == CheckAge && cand != nil {
			age := cand.BirthDate.AgeAt(at)
			if inRange := age >= r.Committee.AgeMin && age <= r.Committee.AgeMax; inRange != ch.Passed {
				v.fail(f+".passed", "vetting.age_mismatch", "age %d at vetting is %s the range %d–%d", "审查时年龄%d岁，%s%d–%d岁的范围",
					age, map[bool]string{true: "within", false: "outside"}[inRange], r.Committee.AgeMin, r.Committee.AgeMax)
			}
		}
		if !ch.Passed {
			e.Eligible = false
			e.Failed = append(e.Failed, ch.Check)
		}
	}
	for _, k := range r.Committee.VettingChecks {
		if !got[k] {
			v.invalid("checks", "vetting.missing_check", "check %s is missing", "缺少审查项 %s", k)
		}
	}
	return v.emit(e)
}

func (CandidateVetted) EventType() string { return "CandidateVetted" }
func (e CandidateVetted) apply(c *Compound) {
	cand := c.committee.candidates[e.CandidateID]
	cand.vetted, cand.failed = true, e.Failed
}

// upcastCandidateNominatedV1 lifts the first schema, which kept only a
// top-level party_member flag, into the background record of v2.
func upcastCandidateNominatedV1(data json.RawMessage) (json.RawMessage, error) {
	var v1 map[string]json.RawMessage
	if err := json.Unmarshal(data, &v1); err != nil {
		return nil, err
	}
	bg := map[string]json.RawMessage{}
	if pm, ok := v1["party_member"]; ok {
		bg["party_member"] = pm
		delete(v1, "party_member")
	}
	b, err := json.Marshal(bg)
	if err != nil {
		return nil, err
	}
	v1["background"] = b
	return json.Marshal(v1)
}

func init() {
	registerEvent[CandidateNominated]()
	registerUpcast("CandidateNominated", 1, upcastCandidateNominatedV1)
	registerEvent[CandidateVetted]()
	registerCommand[NominateCandidate]("nominate-candidate")
	registerCommand[VetCandidate]("vet-candidate")
}
