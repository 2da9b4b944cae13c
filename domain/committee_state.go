package domain

import (
	"encoding/json"
	"time"

	gojson "github.com/goccy/go-json"
)

// committeeState is the committee side of a compound: the formation in
// progress and the body currently serving.
type committeeState struct {
	appliedAt    time.Time // owners' written application (0: none pending)
	group        *PreparatoryGroupFormed
	candidates   map[string]*candidate
	votes        map[string]AssemblyVoteHeld
	serving      *servingCommittee
	outgoing     *servingCommittee // awaiting handover of archives and seal
	interim      *InterimCommissionFormed
	interimFiled bool
	terms        int // committees elected so far
}

type candidate struct {
	CandidateNominated
	vetted bool
	failed []string // failed checks, the reasons kept
}

type servingCommittee struct {
	CommitteeElected
	chair             string
	viceChairs        []string
	chairChosen       bool
	filed             bool
	filedAt           time.Time
	reelectionStarted bool
	expired           bool
	trained           map[string]bool // members who attended training
}

func (s committeeState) active() bool { return s.serving != nil && !s.serving.expired }

// addDues adds the fields dues computes from a payload's at and term_end
// (zero when absent), leaving every other field as stored.
func addDues(data json.RawMessage, dues func(at, termEnd time.Time) map[string]time.Time) (json.RawMessage, error) {
	var times struct {
		At      time.Time `json:"at"`
		TermEnd time.Time `json:"term_end"`
	}
	if err := gojson.Unmarshal(data, &times); err != nil {
		return nil, err
	}
	add := map[string]json.RawMessage{}
	for k, t := range dues(times.At, times.TermEnd) {
		b, err := t.MarshalJSON()
		if err != nil {
			return nil, err
		}
		add[k] = b
	}
	return appendFields(data, add)
}
