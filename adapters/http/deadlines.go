package http

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/casetrack/casetrack/projections"
	"github.com/casetrack/casetrack/projections/deadlines"
)

const (
	defaultSoonDays = 14
	maxSoonDays     = 3660 // ten years: beyond, "soon" means nothing, and the duration would overflow
)

// WithDeadlines serves the deadlines board (期限看板).
func WithDeadlines(runner *projections.Runner[*deadlines.Model]) Option {
	return func(s *Server) {
		s.handle("GET", "/api/v1/deadlines", api{summary: "open deadlines: overdue, and due soon",
			query: []string{"at", "soon_days", "district", "street", "community", "compound", "kind", "min_position"}, answer: deadlineBoard{}},
			s.handleDeadlines(runner))
	}
}

type deadlineBoard struct {
	Position uint64 `json:"position"`
	SoonDays uint64 `json:"soon_days"`
	deadlines.Board
}

// handleDeadlines answers the open deadlines overdue at ?at= (a time, or a
// day meaning its start, so that what falls due that day is still due
// soon; default now) or due within soon_days (default 14) after it,
// narrowed by district, street, community, compound and kind.
func (s *Server) handleDeadlines(runner *projections.Runner[*deadlines.Model]) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p := newParams(r, "at", "soon_days", "district", "street", "community", "compound", "kind", "min_position")
		at := atParam(p, false)
		days := uint64(defaultSoonDays)
		if p.q.Get("soon_days") != "" {
			days = p.uint("soon_days", 0)
		}
		if days > maxSoonDays {
			p.fail("soon_days", "param.soon_days", "must be at most "+strconv.Itoa(maxSoonDays), "不得超过 "+strconv.Itoa(maxSoonDays))
		}
		f := deadlines.Filter{District: p.text("district"), Street: p.text("street"), Community: p.text("community"),
			Compound: p.text("compound"), Kind: deadlines.Kind(p.q.Get("kind"))}
		if f.Kind != "" && !slices.Contains(deadlines.Kinds, f.Kind) {
			kinds := fmt.Sprint(deadlines.Kinds)
			p.fail("kind", "param.deadline_kind", "must be one of "+kinds, "须为以下之一："+kinds)
		}
		inScope := narrow(principalOf(r).Scope, &f.District, &f.Street, &f.Community)
		var res deadlineBoard
		if read(s, w, r, p, runner, p.view(false), func(m *deadlines.Model) {
			res.Position, res.SoonDays = m.Position(), days
			if inScope {
				res.Board = m.Board(at, time.Duration(days)*24*time.Hour, f)
			}
		}) {
			s.respond(w, r, http.StatusOK, res)
		}
	}
}
