package http

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
)

// params reads query parameters and headers, collecting every bad one so
// that the client sees them all in one 400. Each endpoint names the
// parameters it reads: any other one, a repeated one, or one that is not
// validly percent-encoded is refused by name, so that nobody believes a
// filter applied that was silently ignored.
type params struct {
	q    url.Values
	errs []domain.Violation
}

// repeatable are the parameters that may be given more than once.
var repeatable = map[string]bool{"type": true}

func newParams(r *http.Request, known ...string) *params {
	return parseParams(r.URL.RawQuery, known...)
}

// parseParams reads parameters from an encoded query: a URL's, or a form
// body's (Open311 posts forms).
func parseParams(query string, known ...string) *params {
	p := &params{q: url.Values{}}
	for raw := range strings.SplitSeq(query, "&") {
		if raw == "" {
			continue
		}
		k, v, _ := strings.Cut(raw, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			p.fail(shown(k), "param.encoding", "is not validly percent-encoded", "百分号编码无效")
			continue
		}
		if !slices.Contains(known, key) {
			en, zh := "is not a parameter here; use "+strings.Join(known, ", "), "不是此处的参数；可用参数："+strings.Join(known, "、")
			if len(known) == 0 {
				en, zh = "is not a parameter here; this endpoint takes none", "不是此处的参数；此接口不接受参数"
			}
			p.fail(shown(key), "param.unknown", en, zh)
			continue
		}
		val, err := url.QueryUnescape(v)
		if err != nil {
			p.fail(key, "param.encoding", "is not validly percent-encoded", "百分号编码无效")
			continue
		}
		if p.q.Has(key) && !repeatable[key] {
			p.fail(key, "param.repeated", "must be given at most once", "只能出现一次")
			continue
		}
		p.q.Add(key, val)
	}
	return p
}

// shown bounds a client's parameter name for the error that names it.
func shown(s string) string {
	if !utf8.ValidString(s) || len(s) > 64 {
		return strconv.QuoteToASCII(abbreviate(s, 64))
	}
	return s
}

func abbreviate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// maxViolations bounds a 400: a query of thousands of bad parameters gets
// the first few named, not an answer as long as the query.
const maxViolations = 20

func (p *params) fail(field, rule, en, zh string) {
	if len(p.errs) == maxViolations {
		return
	}
	p.errs = append(p.errs, domain.Violation{Field: field, Rule: rule, Message: field + ": " + en, MessageZH: field + "：" + zh})
}

func (p *params) err() error {
	if len(p.errs) == 0 {
		return nil
	}
	return &domain.Error{Code: domain.CodeInvalid, Message: "invalid request parameters", Violations: p.errs}
}

// The supported range of times: from the domain's earliest business date
// (no case file is older) to a year ahead (deadlines, plans). Beyond it a
// time is a typo, and far beyond it (year 9999) it cannot even be encoded.
func latest() time.Time { return time.Now().AddDate(1, 0, 0) }

// inRange checks that t lies in the supported range of times.
func (p *params) inRange(name string, t time.Time) bool {
	if t.Before(domain.EarliestBusinessDate) || t.After(latest()) {
		p.fail(name, "param.time_range", "must lie between 1949-10-01 and a year from now", "须在 1949-10-01 至一年后之间")
		return false
	}
	return true
}

// time reads an RFC 3339 time, or a day YYYY-MM-DD on the China calendar:
// its first instant, or its last when endOfDay (for "until" bounds, so that
// ?at=2024-03-01 includes everything of that day). It must lie in the
// supported range of times.
func (p *params) time(name string, endOfDay bool) time.Time {
	t := p.parseTime(name, endOfDay)
	if t.IsZero() || !p.inRange(name, t) {
		return time.Time{}
	}
	return t
}

// parseTime reads a time like time, in any range: for the time a command
// happened, whose range is a domain rule.
func (p *params) parseTime(name string, endOfDay bool) time.Time {
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

const maxTextParam = 200 // bytes: longer than any name of a place, company or user

// text reads a name (of a place, a unit, a user): valid UTF-8 without
// control characters, at most maxTextParam bytes.
func (p *params) text(name string) string {
	s := p.q.Get(name)
	if len(s) > maxTextParam || !utf8.ValidString(s) || strings.ContainsFunc(s, unicode.IsControl) {
		p.fail(name, "param.text", "must be text of at most "+strconv.Itoa(maxTextParam)+" bytes without control characters",
			"须为不超过 "+strconv.Itoa(maxTextParam)+" 字节且不含控制字符的文本")
		return ""
	}
	return s
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
		CommandID:     idempotencyKey(p, h.Get("Idempotency-Key")),
		CorrelationID: h.Get("X-Correlation-ID"),
		CausationID:   h.Get("X-Causation-ID"),
		// The signed-in account, never a header: see the package comment.
		Actor:      principalOf(r).Actor(),
		OccurredAt: p.parseTime("occurred_at", false),
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

const maxIdempotencyKey = 128

// idempotencyKey checks the Idempotency-Key header: 1 to 128 visible ASCII
// characters (a UUID fits; a key is an identifier, not a payload).
func idempotencyKey(p *params, key string) string {
	if key == "" {
		return ""
	}
	if len(key) > maxIdempotencyKey || strings.ContainsFunc(key, func(r rune) bool { return r < '!' || r > '~' }) {
		p.fail("Idempotency-Key", "header.idempotency_key", "must be 1 to 128 visible ASCII characters, e.g. a UUID",
			"须为 1 至 128 个可见 ASCII 字符，如 UUID")
		return ""
	}
	return key
}
