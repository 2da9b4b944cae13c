package http

import (
	"context"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/casetrack/casetrack/audit"
	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections/league"
)

// WithAudit serves the log's signed checkpoints and proofs, to anyone: they
// hold hashes only, and an auditor's office checks them without an account.
// A log found rewritten (audit.Service.Halted) fails /readyz.
func WithAudit(a *audit.Service) Option {
	return func(s *Server) {
		s.audit = a
		s.handle("GET", "/api/v1/checkpoint", api{summary: "the log's latest signed checkpoint (tree size and Merkle root)",
			answer: checkpointAnswer{}}, s.handleCheckpoint)
		s.handle("GET", "/api/v1/events/{position}/proof", api{summary: "an inclusion proof of the event at a position against a signed checkpoint",
			query: []string{"tree"}, answer: audit.Proof{}, problems: []domain.Code{domain.CodeNotFound}}, s.handleInclusionProof)
		s.handle("GET", "/api/v1/checkpoints/consistency", api{summary: "a consistency proof: the older tree is a prefix of the newer signed one",
			query: []string{"old", "new"}, answer: audit.Proof{}, problems: []domain.Code{domain.CodeNotFound}}, s.handleConsistencyProof)
	}
}

// checkpointAnswer is a signed checkpoint and what it says.
type checkpointAnswer struct {
	audit.Checkpoint
	Signed string `json:"signed"` // the note as signed: what a witness keeps
}

// handleCheckpoint answers the latest signed checkpoint.
func (s *Server) handleCheckpoint(w http.ResponseWriter, r *http.Request) {
	if !s.noParams(w, r) {
		return
	}
	signed, c, err := s.audit.Latest()
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.respond(w, r, http.StatusOK, checkpointAnswer{c, string(signed)})
}

// handleInclusionProof proves the event at a position is in the tree of
// the checkpoint of size ?tree= (default the latest).
func (s *Server) handleInclusionProof(w http.ResponseWriter, r *http.Request) {
	p := newParams(r, "tree")
	tree := p.uint("tree", 1)
	position, err := strconv.ParseUint(chi.URLParam(r, "position"), 10, 64)
	if err != nil || position < 1 {
		p.fail("position", "param.integer", "must be an integer of at least 1", "须为不小于 1 的整数")
	}
	if err := p.err(); err != nil {
		s.Error(w, r, err)
		return
	}
	proof, err := s.audit.InclusionProof(r.Context(), position, tree)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.respond(w, r, http.StatusOK, proof)
}

// handleConsistencyProof proves the tree of ?old= events is a prefix of the
// signed tree of ?new= events.
func (s *Server) handleConsistencyProof(w http.ResponseWriter, r *http.Request) {
	p := newParams(r, "old", "new")
	old, n := p.uint("old", 1), p.uint("new", 1)
	if old == 0 && p.q.Get("old") == "" {
		p.fail("old", "param.required", "is required", "为必填项")
	}
	if n == 0 && p.q.Get("new") == "" {
		p.fail("new", "param.required", "is required", "为必填项")
	}
	if old > n && n > 0 {
		p.fail("old", "param.range", "must not exceed new", "不得大于 new")
	}
	if err := p.err(); err != nil {
		s.Error(w, r, err)
		return
	}
	proof, err := s.audit.ConsistencyProof(old, n)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.respond(w, r, http.StatusOK, proof)
}

// auditNotReady says why the audit keeps the server from being ready: the
// log is still being checked against its last checkpoint, or it failed
// that check (then the server is read-only until an operator steps in).
func (s *Server) auditNotReady() error {
	if s.audit == nil {
		return nil
	}
	if err := s.audit.Halted(); err != nil {
		return &domain.Error{Code: domain.CodeUnavailable, Message: "the event log does not match its signed checkpoint: the server is read-only", Err: err}
	}
	return s.audit.Ready()
}

// checkpointAt names the audit tree of the log's first size events (0: the
// whole log now), signed when it is filed as evidence (exports). nil when
// no audit is served, the tree is still being built or the log was found
// rewritten (then /readyz says so): reads go on being answered.
func (s *Server) checkpointAt(ctx context.Context, size uint64, signed bool) (*league.TreeHead, error) {
	if s.audit == nil || s.audit.Halted() != nil {
		return nil, nil
	}
	var c audit.Checkpoint
	var note []byte
	var err error
	if signed {
		c, note, err = s.audit.Seal(ctx, size)
	} else {
		c, err = s.audit.Head(ctx, size)
	}
	switch {
	case err == nil:
		return &league.TreeHead{Size: c.Size, Root: c.Root.String(), Signed: string(note)}, nil
	case domain.ErrorCode(err) == domain.CodeUnavailable && !signed:
		return nil, nil
	}
	return nil, err
}
