package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/casetrack/casetrack/audit"
	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections/directory"
)

// historyData is the auditor's view of one compound: its events with
// actor, business and recorded time, filtered, and the compound as it
// stood at the slider's version.
type historyData struct {
	Compound   string
	Compounds  []directory.Entry // for the picker
	Type       string
	Actor      string
	From, To   string
	Types      []string
	Version    uint64 // the slider: the compound as of this version
	Versions   uint64
	Events     []entry
	State      *domain.CompoundView
	ChainValid bool
	ChainError string
	Log        *logIntegrity // the whole log's verdict; nil: no audit
}

// logIntegrity is the audit's verdict on the whole log: checked against
// its signed checkpoints (and the tree it is at now), still being checked,
// or found rewritten.
type logIntegrity struct {
	Verified, Checking bool
	Problem            string
	Tree               audit.Checkpoint
}

// logVerdict asks the audit for the log's state.
func (h *Handler) logVerdict(r *http.Request) *logIntegrity {
	if h.o.Audit == nil {
		return nil
	}
	if err := h.o.Audit.Halted(); err != nil {
		return &logIntegrity{Problem: domain.ErrorOf(err).Message}
	}
	c, err := h.o.Audit.Head(r.Context(), 0)
	if err != nil {
		return &logIntegrity{Checking: true}
	}
	return &logIntegrity{Verified: true, Tree: c}
}

func (h *Handler) history(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := historyData{Compound: strings.TrimSpace(q.Get("compound")), Type: q.Get("type"), Actor: strings.TrimSpace(q.Get("actor")),
		From: q.Get("from"), To: q.Get("to"), Types: domain.EventTypes(), ChainValid: true, Log: h.logVerdict(r)}
	scope := h.scope(r)
	h.o.Directory.Read(func(m *directory.Model) {
		d.Compounds = m.List(directory.Filter{District: scope.District, Street: scope.Street, Community: scope.Community})
	})
	// Another part of the city's compound is refused; an unknown one is not found below.
	var outside bool
	h.o.Directory.Read(func(m *directory.Model) {
		e, ok := m.Get(d.Compound)
		outside = ok && !scope.Covers(e.District, e.Street, e.Community)
	})
	if outside {
		h.Refuse(w, r, forbidden)
		return
	}
	if d.Compound == "" {
		h.render(w, r, http.StatusOK, "history", "history", d)
		return
	}
	from, err := day(r, "from", false)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	to, err := day(r, "to", true)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Type != "" && !slices.Contains(d.Types, d.Type) {
		h.fail(w, r, &domain.Error{Code: domain.CodeInvalid, Message: "invalid request parameters", Violations: []domain.Violation{{
			Rule: "param.type", Field: "type", Message: "type: not an event type", MessageZH: "type：不是事件类型"}}})
		return
	}
	all, err := h.o.Store.ReadStream(r.Context(), domain.StreamID(d.Compound), domain.StreamQuery{})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := domain.ValidateCompoundID(d.Compound); err != nil || len(all) == 0 {
		h.render(w, r, http.StatusNotFound, "notfound", "", nil)
		return
	}
	if err := domain.VerifyChain(all); err != nil {
		d.ChainValid, d.ChainError = false, domain.ErrorOf(err).Message
	}
	d.Versions = uint64(len(all))
	d.Version = d.Versions
	if v, err := strconv.ParseUint(q.Get("version"), 10, 64); err == nil && v >= 1 && v < d.Versions {
		d.Version = v
	}
	c, err := domain.FoldCompound(d.Compound, all[:d.Version])
	if err != nil {
		h.fail(w, r, err)
		return
	}
	view := c.View()
	d.State = &view
	for _, e := range timeline(lang(w, r), h.masked(r, all[:d.Version])) {
		if d.Type != "" && e.Type != d.Type || d.Actor != "" && !strings.Contains(e.Actor.UserID, d.Actor) && !strings.Contains(e.Actor.Organisation, d.Actor) ||
			!from.IsZero() && e.OccurredAt.Before(from) || !to.IsZero() && e.OccurredAt.After(to) {
			continue
		}
		d.Events = append(d.Events, e)
	}
	h.render(w, r, http.StatusOK, "history", "history", d)
}
