package http

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections/directory"
	"github.com/casetrack/casetrack/projections/league"
)

// commandResult answers a command: where its events went, and the events.
type commandResult struct {
	StreamID  string            `json:"stream_id"`
	Version   uint64            `json:"version"`
	Position  uint64            `json:"position"`
	Duplicate bool              `json:"duplicate"`
	Events    []domain.Envelope `json:"events"`
}

// handleCommand runs one named command against the compound in the path.
func (s *Server) handleCommand(name string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := chi.URLParam(r, "id")
		if err := requireJSON(r); err != nil {
			s.Error(w, r, err)
			return
		}
		p := newParams(r, "occurred_at")
		meta := p.meta(r)
		if err := p.err(); err != nil {
			s.Error(w, r, err)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
		var tooLarge *http.MaxBytesError
		switch {
		case errors.As(err, &tooLarge):
			s.Error(w, r, domain.Errorf(domain.CodeTooLarge, "the request body exceeds %d bytes", tooLarge.Limit))
			return
		case err != nil:
			s.Error(w, r, &domain.Error{Code: domain.CodeInvalid, Message: "the request body could not be read", Err: err})
			return
		}
		cmd, err := domain.ParseCommand(name, body)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		// authorize checked a registered compound's place; a registration
		// names the place it claims (one naming none is the domain's to refuse).
		if reg, ok := cmd.(domain.RegisterCompound); ok && reg.District+reg.Street+reg.Community != "" &&
			!principalOf(r).Scope.Covers(reg.Profile) {
			s.Error(w, r, errOutOfScope)
			return
		}
		res, err := s.svc.Execute(r.Context(), id, cmd, meta)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		status := http.StatusCreated
		if res.Duplicate || len(res.Events) == 0 { // nothing new was recorded
			status = http.StatusOK
		}
		w.Header().Set("ETag", etag(res.Version))
		w.Header().Set("Location", "/api/v1/compounds/"+id)
		s.respond(w, r, status, commandResult{StreamID: res.StreamID, Version: res.Version, Position: res.Position,
			Duplicate: res.Duplicate, Events: append([]domain.Envelope{}, res.Events...)})
	}
}

// requireJSON accepts application/json, in UTF-8 (the only JSON encoding).
func requireJSON(r *http.Request) error {
	mt, ps, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" || (ps["charset"] != "" && !strings.EqualFold(ps["charset"], "utf-8")) {
		return domain.Errorf(domain.CodeUnsupported, "a command body must be sent as Content-Type: application/json")
	}
	return nil
}

// handleGetCompound shows a compound's state, now or at a point in time.
func (s *Server) handleGetCompound(w http.ResponseWriter, r *http.Request) {
	id := chi.URLParam(r, "id")
	p := newParams(r, "at", "known_at", "version", "position")
	q := p.streamQuery()
	if err := domain.ValidateCompoundID(id); err != nil {
		s.Error(w, r, err)
		return
	}
	if err := p.err(); err != nil {
		s.Error(w, r, err)
		return
	}
	if err := s.verifyStream(r.Context(), id); err != nil {
		s.Error(w, r, err)
		return
	}
	c, _, err := s.svc.Load(r.Context(), id, q)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if !c.Registered() {
		s.Error(w, r, domain.Errorf(domain.CodeNotFound, "compound %s is not registered (at the requested point in time)", id))
		return
	}
	tree, err := s.checkpointAt(r.Context(), 0, false) // after the read: the tree holds every event it saw
	if err != nil {
		s.Error(w, r, err)
		return
	}
	w.Header().Set("ETag", etag(c.Version()))
	s.respond(w, r, http.StatusOK, struct {
		domain.CompoundView
		Checkpoint *league.TreeHead `json:"checkpoint,omitempty"`
	}{c.View(), tree})
}

// history is the audit trail of one compound.
type history struct {
	CompoundID string         `json:"compound_id"`
	ChainValid bool           `json:"chain_valid"`
	ChainError string         `json:"chain_error,omitempty"`
	Events     []historyEvent `json:"events"`
	NextCursor string         `json:"next_cursor,omitempty"`
}

// historyEvent keeps the stored data (what the hash covers) next to the
// decoded payload (upcast to the current schema).
type historyEvent struct {
	domain.Envelope
	Payload     domain.Event `json:"payload,omitempty"`
	DecodeError string       `json:"decode_error,omitempty"`
}

// handleHistory lists a compound's events, checking the hash chain over the
// whole stream before filtering: a filtered view cannot verify itself. A
// damaged chain is reported in the answer (chain_valid, chain_error), not
// as an error: the auditor needs to see the events to find the damage.
// ?type= and ?actor= (a user ID) narrow it, limit and cursor page it.
func (s *Server) handleHistory(w http.ResponseWriter, r *http.Request) {
	id := chi.URLParam(r, "id")
	p := newParams(r, "type", "actor", "from", "to", "limit", "cursor")
	types, from, to := p.eventTypes("type"), p.time("from", false), p.time("to", true)
	actor, pg := p.text("actor"), p.page("history/"+id)
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		p.fail("to", "param.range", "must not be before from", "不得早于 from")
	}
	if err := domain.ValidateCompoundID(id); err != nil {
		s.Error(w, r, err)
		return
	}
	if err := p.err(); err != nil {
		s.Error(w, r, err)
		return
	}
	events, err := s.store.ReadStream(r.Context(), domain.StreamID(id), domain.StreamQuery{})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if len(events) == 0 {
		s.Error(w, r, domain.Errorf(domain.CodeNotFound, "compound %s is not registered", id))
		return
	}
	h := history{CompoundID: id, ChainValid: true, Events: []historyEvent{}}
	if err := domain.VerifyChain(events); err != nil {
		s.logger.ErrorContext(r.Context(), "event stream integrity violated", "compound", id, "err", err)
		h.ChainValid, h.ChainError = false, domain.ErrorOf(err).Message
	}
	var kept []domain.Envelope
	for _, e := range events {
		if types != nil && !types[e.Type] || actor != "" && e.Actor.UserID != actor ||
			!from.IsZero() && e.OccurredAt.Before(from) || !to.IsZero() && e.OccurredAt.After(to) {
			continue
		}
		kept = append(kept, e)
	}
	// Keyed by the version, zero-padded so that keys sort as versions do.
	kept, h.NextCursor = cut(pg, kept, func(e domain.Envelope) string { return fmt.Sprintf("%020d", e.Version) })
	for _, e := range kept {
		he := historyEvent{Envelope: e}
		if he.Payload, err = e.Decode(); err != nil { // shown, not fatal: the auditor needs to see it
			he.DecodeError = domain.ErrorOf(err).Message
		}
		h.Events = append(h.Events, he)
	}
	s.respond(w, r, http.StatusOK, h)
}

// eventAnswer is one event with its compound.
type eventAnswer struct {
	CompoundID string `json:"compound_id"`
	historyEvent
}

// handleEvent opens one event by ID, as the history shows it, with its
// compound: the events an explanation names can be checked one by one.
func (s *Server) handleEvent(w http.ResponseWriter, r *http.Request) {
	id, p := chi.URLParam(r, "id"), newParams(r)
	if len(id) > 128 || strings.TrimSpace(id) == "" || !utf8.ValidString(id) || strings.ContainsFunc(id, unicode.IsControl) {
		p.fail("id", "param.event_id", "must be an event ID (at most 128 characters, no control characters)", "须为事件编号（不超过128个字符，不含控制字符）")
	}
	if err := p.err(); err != nil {
		s.Error(w, r, err)
		return
	}
	finder, ok := s.store.(domain.EventFinder)
	if !ok {
		s.Error(w, r, domain.Errorf(domain.CodeNotFound, "this event store cannot open an event by ID; read the compound's history"))
		return
	}
	e, found, err := finder.EventByID(r.Context(), id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	// Only compound events are opened here (account events stay behind the
	// accounts routes), and only those of a compound in the caller's scope.
	compoundID := domain.CompoundIDOf(e.StreamID)
	if !found || domain.StreamID(compoundID) != e.StreamID {
		s.Error(w, r, domain.Errorf(domain.CodeNotFound, "no event %s", id))
		return
	}
	if scope := principalOf(r).Scope; !scope.City() {
		prof, _, err := s.svc.Profile(r.Context(), compoundID)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		if !scope.Covers(prof) {
			s.Error(w, r, errOutOfScope)
			return
		}
	}
	out := eventAnswer{CompoundID: compoundID, historyEvent: historyEvent{Envelope: e}}
	if out.Payload, err = e.Decode(); err != nil {
		out.DecodeError = domain.ErrorOf(err).Message
	}
	s.respond(w, r, http.StatusOK, out)
}

type compoundList struct {
	Position   uint64            `json:"position"`
	Compounds  []directory.Entry `json:"compounds"`
	NextCursor string            `json:"next_cursor,omitempty"`
}

// handleListCompounds lists compounds with their case file summaries.
// min_position gives read-your-writes: pass the position of your last
// command; as_of (a time) or as_of_position gives the list as it stood.
// limit and cursor page it (by compound ID).
func (s *Server) handleListCompounds(w http.ResponseWriter, r *http.Request) {
	p := newParams(r, "district", "street", "community", "limit", "cursor", "as_of", "as_of_position", "min_position")
	q := p.view(true)
	f := directory.Filter{District: p.text("district"), Street: p.text("street"), Community: p.text("community")}
	inScope := narrow(principalOf(r).Scope, &f.District, &f.Street, &f.Community)
	pg := p.page("compounds")
	if err := p.err(); err != nil {
		s.Error(w, r, err)
		return
	}
	ctx, done, err := s.bound(r, &q, false) // as of the past, read from the directory's histories: no replay
	if err != nil {
		s.Error(w, r, err)
		return
	}
	defer done()
	pos, list, err := directory.ListAt(ctx, s.dir, s.store, q, f)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	out := compoundList{Position: pos, Compounds: []directory.Entry{}}
	if inScope {
		out.Compounds, out.NextCursor = cut(pg, list, func(e directory.Entry) string { return e.ID })
	}
	s.respond(w, r, http.StatusOK, out)
}

// verifyStream refuses to serve a compound whose stream is damaged: a
// missing, reordered or altered event would make its state a fiction.
func (s *Server) verifyStream(ctx context.Context, id string) error {
	events, err := s.store.ReadStream(ctx, domain.StreamID(id), domain.StreamQuery{})
	if err != nil {
		return err
	}
	return domain.VerifyChain(events)
}
