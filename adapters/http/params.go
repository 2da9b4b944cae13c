package http

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
)

// params reads query parameters and headers, collecting every bad one so
// that the client sees them all in one 400.
type params struct {
	q    url.Values
	errs []domain.Violation
}

func newParams(r *http.Request) *params { return &params{q: r.URL.Query()} }

func (p *params) fail(field, rule, en, zh string) {
	p.errs = append(p.errs, domain.Violation{Field: field, Rule: rule, Message: field + ": " + en, MessageZH: field + "：" + zh})
}

func (p *params) err() error {
	if len(p.errs) == 0 {
		return nil
	}
	return &domain.Error{Code: domain.CodeInvalid, Message: "invalid request parameters", Violations: p.errs}
}

// time reads an RFC 3339 time, or a day YYYY-MM-DD on the China calendar:
// its first instant, or its last when endOfDay (for "until" bounds, so that
// ?at=2024-03-01 includes everything of that day).
func (p *params) time(name string, endOfDay bool) time.Time {
	s := p.q.Get(name)
	if s == "" {
		return time.Time{}
	}
	if d, err := time.ParseInLocation(time.DateOnly, s, domain.China); err == nil {
		if endOfDay {
			return d.AddDate(0, 0, 1).Add(-time.Nanosecond)
		}
		return d
	}
	// An unescaped "+08:00" arrives as " 08:00": accept it, it is unambiguous.
	if t, err := time.Parse(time.RFC3339, strings.Replace(s, " ", "+", 1)); err == nil {
		return t
	}
	p.fail(name, "param.time", "must be an RFC 3339 time or a date YYYY-MM-DD", "须为 RFC 3339 时间或日期 YYYY-MM-DD")
	return time.Time{}
}

// uint reads a non-negative integer; 0 when absent. Present values below min
// are invalid.
func (p *params) uint(name string, min uint64) uint64 {
	s := p.q.Get(name)
	if s == "" {
		return 0
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n < min {
		p.fail(name, "param.integer", "must be an integer of at least "+strconv.FormatUint(min, 10),
			"须为不小于 "+strconv.FormatUint(min, 10)+" 的整数")
		return 0
	}
	return n
}

// eventTypes reads a repeatable, comma-separated list of event types.
func (p *params) eventTypes(name string) map[string]bool {
	var out map[string]bool
	known := domain.EventTypes()
	for _, v := range p.q[name] {
		for t := range strings.SplitSeq(v, ",") {
			if t = strings.TrimSpace(t); t == "" {
				continue
			}
			if !slices.Contains(known, t) {
				p.fail(name, "param.event_type", "unknown event type "+strconv.Quote(t), "未知事件类型 "+strconv.Quote(t))
				continue
			}
			if out == nil {
				out = map[string]bool{}
			}
			out[t] = true
		}
	}
	return out
}

// view reads the parameters that choose the state of a read model:
// min_position (read-your-writes) and, where time travel is served, as_of
// (a time) or as_of_position.
func (p *params) view(asOf bool) projections.Query {
	var q projections.Query
	if asOf {
		q.AsOf, q.AsOfPosition = p.time("as_of", true), p.uint("as_of_position", 1)
	}
	q.MinPosition = p.uint("min_position", 0)
	return q
}

// streamQuery reads the time-travel parameters of a compound read.
func (p *params) streamQuery() domain.StreamQuery {
	return domain.StreamQuery{
		OccurredUntil: p.time("at", true),
		RecordedUntil: p.time("known_at", true),
		ToVersion:     p.uint("version", 1),
		ToPosition:    p.uint("position", 1),
	}
}

// meta reads what travels with a command besides its body.
func (p *params) meta(r *http.Request) app.Meta {
	h := r.Header
	m := app.Meta{
		CommandID:     h.Get("Idempotency-Key"),
		CorrelationID: h.Get("X-Correlation-ID"),
		CausationID:   h.Get("X-Causation-ID"),
		// The signed-in account, never a header: see the package comment.
		Actor:      principalOf(r).Actor(),
		OccurredAt: p.time("occurred_at", false),
	}
	// "*" only asks that the resource exist; the command itself checks that.
	if v := strings.TrimSpace(h.Get("If-Match")); v != "" && v != "*" {
		n, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimPrefix(v, `"`), `"`), 10, 64)
		if err != nil {
			p.fail("If-Match", "header.if_match", `must be a stream version, e.g. "3"`, `须为流版本号，如 "3"`)
		} else {
			m.IfVersion = &n
		}
	}
	return m
}
