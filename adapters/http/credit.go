package http

import (
	"net/http"
	"net/url"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
	"github.com/casetrack/casetrack/projections/credit"
)

// WithCredit serves the property companies' credit ledgers (信用评价). The
// model is looked up on every request, so a rebuild that swaps it in the
// runner is picked up.
func WithCredit(runner *projections.Runner[*credit.Model]) Option {
	return func(s *Server) {
		s.handle("GET", "/api/v1/credit", api{summary: "every property company's credit score and grade, best first",
			query: []string{"at", "min_position"}, answer: creditList{}}, s.handleCredit(runner))
		s.handle("GET", "/api/v1/credit/{company}", api{summary: "one company's credit ledger",
			query: []string{"at", "min_position"}, answer: creditLedger{}, problems: []domain.Code{domain.CodeNotFound}},
			s.handleCreditLedger(runner))
	}
}

type creditList struct {
	Position  uint64           `json:"position"`
	At        time.Time        `json:"at"`
	Companies []credit.Summary `json:"companies"`
}

type creditLedger struct {
	Position uint64 `json:"position"`
	credit.Ledger
}

// handleCredit lists every company's score and grade as of ?at= (a time,
// or a day meaning its end; default now), best first. min_position gives
// read-your-writes.
func (s *Server) handleCredit(runner *projections.Runner[*credit.Model]) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p := newParams(r, "at", "min_position")
		at := atParam(p, true)
		var res creditList
		if read(s, w, r, p, runner, p.view(false), func(m *credit.Model) {
			res.Position, res.At, res.Companies = m.Position(), at, m.Companies(at)
		}) {
			s.respond(w, r, http.StatusOK, res)
		}
	}
}

// handleCreditLedger answers one company's ledger: the items valid at ?at=
// and the score, grade and blacklist flag they make.
func (s *Server) handleCreditLedger(runner *projections.Runner[*credit.Model]) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		company := chi.URLParam(r, "company")
		// chi matches the escaped path when a name needs more than the usual escaping ("/" as %2F).
		if r.URL.RawPath != "" {
			if u, err := url.PathUnescape(company); err == nil {
				company = u
			}
		}
		p := newParams(r, "at", "min_position")
		at := atParam(p, true)
		var res creditLedger
		var ok bool
		if !read(s, w, r, p, runner, p.view(false), func(m *credit.Model) {
			res.Position = m.Position()
			res.Ledger, ok = m.Ledger(company, at)
		}) {
			return
		}
		if !ok {
			s.Error(w, r, domain.Errorf(domain.CodeNotFound, "no property company %q has a credit ledger", company))
			return
		}
		// The score is the company's; the items behind it show only the caller's compounds.
		if in := s.compoundsInScope(r); in != nil {
			items := []credit.Item{}
			for _, it := range res.Items {
				if in[it.Compound] {
					items = append(items, it)
				}
			}
			res.Items = items
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

// read runs f with the state of runner's model that q asks for (the live
// model once it has applied q's min_position, or the model as it stood),
// once every parameter read so far is valid. It answers the request itself
// and returns false when a parameter is bad or the model cannot be had:
// not caught up in time, or nothing recorded by the time asked.
func read[M projections.Projection](s *Server, w http.ResponseWriter, r *http.Request, p *params, runner *projections.Runner[M],
	q projections.Query, f func(M)) bool {
	if err := p.err(); err != nil {
		s.Error(w, r, err)
		return false
	}
	ctx, done, err := s.bound(r, &q, true)
	if err != nil {
		s.Error(w, r, err)
		return false
	}
	defer done()
	v, err := runner.At(ctx, s.store, q)
	if err != nil {
		s.Error(w, r, err)
		return false
	}
	v.Read(f)
	return true
}
