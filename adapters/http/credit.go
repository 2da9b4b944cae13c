package http

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
	"github.com/casetrack/casetrack/projections/credit"
)

// WithCredit serves the property companies' credit ledgers (信用评价) from
// a runner of a *credit.Model. The model is looked up on every request, so
// a rebuild that swaps it in the runner is picked up.
func WithCredit(runner *projections.Runner) Option {
	return func(s *Server) {
		s.router.Get("/api/v1/credit", s.handleCredit(runner))
		s.router.Get("/api/v1/credit/{company}", s.handleCreditLedger(runner))
	}
}

// handleCredit lists every company's score and grade as of ?at= (a time,
// or a day meaning its end; default now), best first. min_position gives
// read-your-writes.
func (s *Server) handleCredit(runner *projections.Runner) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p := newParams(r)
		at := atParam(p, true)
		if !s.awaitProjection(w, r, p, runner) {
			return
		}
		var res struct {
			Position  uint64           `json:"position"`
			At        time.Time        `json:"at"`
			Companies []credit.Summary `json:"companies"`
		}
		runner.Read(func(pr projections.Projection) {
			m := pr.(*credit.Model)
			res.Position, res.At, res.Companies = m.Position(), at, m.Companies(at)
		})
		s.respond(w, r, http.StatusOK, res)
	}
}

// handleCreditLedger answers one company's ledger: the items valid at ?at=
// and the score, grade and blacklist flag they make.
func (s *Server) handleCreditLedger(runner *projections.Runner) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		company := chi.URLParam(r, "company")
		// chi matches the escaped path when a name needs more than the usual escaping ("/" as %2F).
		if r.URL.RawPath != "" {
			if u, err := url.PathUnescape(company); err == nil {
				company = u
			}
		}
		p := newParams(r)
		at := atParam(p, true)
		if !s.awaitProjection(w, r, p, runner) {
			return
		}
		var res struct {
			Position uint64 `json:"position"`
			credit.Ledger
		}
		var ok bool
		runner.Read(func(pr projections.Projection) {
			m := pr.(*credit.Model)
			res.Position = m.Position()
			res.Ledger, ok = m.Ledger(company, at)
		})
		if !ok {
			s.Error(w, r, domain.Errorf(domain.CodeNotFound, "no property company %q has a credit ledger", company))
			return
		}
		s.respond(w, r, http.StatusOK, res)
	}
}

// atParam reads ?at=, the time a projection query is judged at; now when absent.
func atParam(p *params, endOfDay bool) time.Time {
	if at := p.time("at", endOfDay); !at.IsZero() {
		return at
	}
	return time.Now()
}

// awaitProjection reads ?min_position= and, once every parameter read so
// far is valid, waits until the runner has applied that position
// (read-your-writes). It answers the request itself and returns false when
// a parameter is bad or the projection does not get there in time.
func (s *Server) awaitProjection(w http.ResponseWriter, r *http.Request, p *params, runner *projections.Runner) bool {
	minPos := p.uint("min_position", 0)
	if err := p.err(); err != nil {
		s.Error(w, r, err)
		return false
	}
	if minPos == 0 {
		return true
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.waitTimeout)
	defer cancel()
	if err := runner.WaitFor(ctx, minPos); err != nil {
		s.Error(w, r, err)
		return false
	}
	return true
}
