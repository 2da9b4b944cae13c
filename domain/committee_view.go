package domain

import "time"

// CommitteeView is the committee side of a compound as users read it.
type CommitteeView struct {
	Phase            string          `json:"phase"` // none, applied, preparing, serving, reelection, expired, interim
	AppliedAt        *time.Time      `json:"applied_at,omitempty"`
	PreparatoryGroup []GroupMember   `json:"preparatory_group,omitempty"`
	Candidates       []CandidateView `json:"candidates,omitempty"`
	Serving          *ServingView    `json:"serving,omitempty"`
	HandoverPending  bool            `json:"handover_pending,omitempty"`
	Interim          *InterimView    `json:"interim,omitempty"`
}

// CandidateView is a nominated candidate and the vetting outcome.
type CandidateView struct {
	CandidateID  string     `json:"candidate_id"`
	Name         string     `json:"name"`
	Unit         string     `json:"unit,omitempty"`    // in clear only for candidates nominated before v3
	Personal     Personal   `json:"personal,omitzero"` // unit, birth date, ID number: sealed; opened for the roles that vet
	Vetted       bool       `json:"vetted"`
	Eligible     bool       `json:"eligible"`
	FailedChecks []string   `json:"failed_checks,omitempty"`
	Background   Background `json:"background"`
}

// ServingView is the committee of the current (or just expired) term.
type ServingView struct {
	Term              int               `json:"term"`
	Members           []CommitteeMember `json:"members"`
	Alternates        []CommitteeMember `json:"alternates,omitempty"`
	Chair             string            `json:"chair,omitempty"`
	ViceChairs        []string          `json:"vice_chairs,omitempty"`
	ElectedAt         time.Time         `json:"elected_at"`
	TermEnd           time.Time         `json:"term_end"`
	Filed             bool              `json:"filed"`
	FiledAt           *time.Time        `json:"filed_at,omitempty"`
	ReelectionStarted bool              `json:"reelection_started"`
	Expired           bool              `json:"expired"`
	PartyMembers      int               `json:"party_members"`       // 党员委员
	CrossAppointed    int               `json:"cross_appointed"`     // 与社区"两委"交叉任职
	TrainedMembers    int               `json:"trained_members"`     // 参加培训的委员
	DualRole          bool              `json:"dual_role,omitempty"` // 一肩挑: branch secretary chairs the committee
}

// InterimView is an interim commission (物管会).
type InterimView struct {
	Chair    string    `json:"chair"`
	Members  []string  `json:"members"`
	FormedAt time.Time `json:"formed_at"`
	Filed    bool      `json:"filed"`
}

// Committee returns the committee side of the compound.
func (c *Compound) Committee() CommitteeView {
	s := c.committee
	v := CommitteeView{Phase: "none", HandoverPending: s.outgoing != nil}
	if !s.appliedAt.IsZero() {
		at := s.appliedAt
		v.AppliedAt, v.Phase = &at, "applied"
	}
	if s.group != nil {
		v.PreparatoryGroup, v.Phase = s.group.Members, "preparing"
	}
	for _, cand := range s.candidates {
		cv := CandidateView{CandidateID: cand.CandidateID, Name: cand.Name, Personal: cand.Personal,
			Vetted: cand.vetted, Eligible: cand.vetted && len(cand.failed) == 0, FailedChecks: cand.failed, Background: cand.Background}
		if cand.Clear != nil {
			cv.Unit = cand.Clear.Unit
		}
		v.Candidates = append(v.Candidates, cv)
	}
	sortBy(v.Candidates, func(a, b CandidateView) bool { return a.CandidateID < b.CandidateID })
	if sv := s.serving; sv != nil {
		v.Serving = &ServingView{Term: sv.Term, Members: sv.Members, Alternates: sv.Alternates, Chair: sv.chair, ViceChairs: sv.viceChairs,
			ElectedAt: sv.At, TermEnd: sv.TermEnd, Filed: sv.filed, ReelectionStarted: sv.reelectionStarted, Expired: sv.expired}
		if sv.filed {
			at := sv.filedAt
			v.Serving.FiledAt = &at
		}
		for _, m := range sv.Members {
			if m.Background.PartyMember {
				v.Serving.PartyMembers++
			}
			if m.Background.CommunityCommitteeMember {
				v.Serving.CrossAppointed++
			}
			if sv.trained[m.CandidateID] {
				v.Serving.TrainedMembers++
			}
			if m.CandidateID == sv.chair && m.Name == c.party.BranchSecretary {
				v.Serving.DualRole = true
			}
		}
		switch {
		case sv.expired:
			v.Phase = "expired"
		case sv.reelectionStarted:
			v.Phase = "reelection"
		default:
			v.Phase = "serving"
		}
	}
	if in := s.interim; in != nil && !c.committee.active() {
		v.Interim, v.Phase = &InterimView{Chair: in.Chair, Members: in.Members, FormedAt: in.At, Filed: s.interimFiled}, "interim"
	}
	return v
}
