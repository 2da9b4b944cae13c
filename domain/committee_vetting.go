// Candidates and their vetting (候选人资格审查):
//   - candidates are nominated once a preparatory group is formed, each once,
//     with a past birth date; their unit, birth date and ID number are
//     personal data, sealed in the event with the candidate's own key
//     (personal.go) since schema v3;
//   - vetting runs every check of the rule set, each once, each with its
//     evidence; the age check must agree with the age at vetting, read from
//     the birth date the command service opens for this decision only (an
//     erased birth date cannot be checked); the outcome is what is kept, so
//     a replay after forget folds the same state;
//   - a candidate who failed any check is not eligible; the failed checks
//     are the reason kept.

package domain

import (
	"encoding/json"
	"fmt"
	"slices"
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
	IDNumber               string     `json:"id_number,omitempty"` // 身份证号
}

// CandidateNominated: the candidate awaits vetting. Schema v3 seals the
// unit and birth date with the ID number; v2 kept them in clear.
type CandidateNominated struct {
	CandidateID            string     `json:"candidate_id"`
	Name                   string     `json:"name"`
	RecommendedByCommunity bool       `json:"recommended_by_community,omitempty"`
	Background             Background `json:"background"`
	Personal               Personal   `json:"personal,omitzero"` // unit, birth date and ID number, sealed
	// Clear is the unit and birth date of an event recorded before v3, in
	// clear as they were hashed (forget cannot erase them); a v3 event
	// never sets it.
	Clear *CandidateClear `json:"clear,omitempty"`
}

// CandidateClear is what a candidate's event kept in clear before v3.
type CandidateClear struct {
	Unit      string `json:"unit"`
	BirthDate Date   `json:"birth_date"`
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
	return v.emit(CandidateNominated{CandidateID: cmd.CandidateID, Name: cmd.Name,
		RecommendedByCommunity: cmd.RecommendedByCommunity, Background: cmd.Background,
		Personal: personal(CandidateSubject(c.id, cmd.CandidateID), map[string]string{
			FieldUnit: cmd.Unit, FieldBirthDate: cmd.BirthDate.String(), FieldIDNumber: cmd.IDNumber})})
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
	// opened is the candidate's sealed fields as the command service
	// opened them for this decision (WithOpened); never decoded from a body.
	opened *Personal
}

// personalNeeded: the age check reads the candidate's sealed birth date.
func (cmd VetCandidate) personalNeeded(c *Compound) []Personal {
	cand := c.committee.candidates[cmd.CandidateID]
	if cand == nil || cand.Personal.Sealed == "" || !slices.ContainsFunc(cmd.Checks, func(ch CheckResult) bool { return ch.Check == CheckAge }) {
		return nil
	}
	return []Personal{cand.Personal}
}

func (cmd VetCandidate) withOpened(opened []Personal) Command {
	if len(opened) == 1 {
		cmd.opened = &opened[0]
	}
	return cmd
}

// birthDate is the candidate's birth date for the age check: in clear in
// an event before v3, else in the fields opened for this decision (or not
// yet sealed, as a decision leaves them in memory). False when it was
// erased or not opened.
func (cmd VetCandidate) birthDate(cand *candidate) (Date, bool) {
	if cand.Clear != nil {
		return cand.Clear.BirthDate, true
	}
	p := cand.Personal
	if cmd.opened != nil && cmd.opened.Subject == p.Subject {
		p = *cmd.opened
	}
	d, err := ParseDate(p.Fields[FieldBirthDate])
	return d, err == nil && !p.Erased
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
			birth, known := cmd.birthDate(cand)
			if !known {
				v.fail(f+".passed", "vetting.birth_date_unknown", "the candidate's birth date was erased (or could not be read): the age check cannot be decided",
					"候选人出生日期已删除或无法读取，无法审查年龄")
				continue
			}
			age := birth.AgeAt(at)
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
	return nestFields(data, "background", "party_member")
}

// upcastCandidateNominatedV2 moves the unit and birth date that v2 kept in
// clear into the clear record of v3 (they stay as hashed; v3 seals them).
func upcastCandidateNominatedV2(data json.RawMessage) (json.RawMessage, error) {
	return nestFields(data, "clear", "unit", "birth_date")
}

// nestFields moves the top-level fields keys of a stored payload into an
// object under key (empty when none of them is there).
func nestFields(data json.RawMessage, key string, keys ...string) (json.RawMessage, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, err
	}
	inner := map[string]json.RawMessage{}
	for _, k := range keys {
		if v, ok := top[k]; ok {
			inner[k] = v
			delete(top, k)
		}
	}
	b, err := json.Marshal(inner)
	if err != nil {
		return nil, err
	}
	top[key] = b
	return json.Marshal(top)
}

func init() {
	registerEvent[CandidateNominated]()
	registerUpcast("CandidateNominated", 1, upcastCandidateNominatedV1)
	registerUpcast("CandidateNominated", 2, upcastCandidateNominatedV2)
	registerEvent[CandidateVetted]()
	registerCommand[NominateCandidate]("nominate-candidate")
	registerCommand[VetCandidate]("vet-candidate")
}
