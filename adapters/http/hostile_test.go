package http

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/casetrack/casetrack/adapters/memory"
	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
	"github.com/casetrack/casetrack/projections/complaints"
	"github.com/casetrack/casetrack/projections/credit"
	"github.com/casetrack/casetrack/projections/deadlines"
	"github.com/casetrack/casetrack/projections/league"
)

// servedFixture serves every endpoint (league, credit, deadlines,
// complaints and Open311, projections) over an empty memory store; feed brings the read models up
// to date with the store, as the bus would, and waits for the directory.
func servedFixture(t *testing.T, extra ...Option) (f *fixture, feed func()) {
	return servedFixtureOn(t, memory.NewStore(), extra...)
}

// servedFixtureOn is servedFixture on store.
func servedFixtureOn(t *testing.T, store domain.EventStore, extra ...Option) (f *fixture, feed func()) {
	f = newFixtureOn(t, store)
	book := domain.DefaultRuleBook()
	cps := projections.NewMemoryCheckpoints()
	leagueRunner, err1 := projections.NewRunner(func() *league.Model { return league.New(book) }, cps, 100)
	creditRunner, err2 := projections.NewRunner(func() *credit.Model { return credit.New(book) }, cps, 100)
	deadlinesRunner, err3 := projections.NewRunner(deadlines.New, cps, 100)
	complaintsRunner, err4 := projections.NewRunner(complaints.New, cps, 100)
	for _, err := range []error{err1, err2, err3, err4} {
		if err != nil {
			t.Fatal(err)
		}
	}
	// Personal data is sealed with keys of a memory key store (f.keys);
	// its reads are logged to f.log.
	f.keys = memory.NewKeys()
	pd := app.NewPersonalData(f.keys, slog.New(slog.NewJSONHandler(f.log, nil)))
	svc := app.NewService(f.store, book, app.WithClock(func() time.Time { return f.now }), app.WithPersonalData(pd))
	f.audit, f.verifier = runAudit(t, f.store, svc.Halt)
	f.srv = f.newServer(svc, io.Discard, append([]Option{WithAudit(f.audit),
		WithLeague(league.NewService(leagueRunner, f.store, league.DefaultConfig())), WithCredit(creditRunner),
		WithDeadlines(deadlinesRunner), WithComplaints(complaintsRunner),
		WithProjections(f.store, leagueRunner, creditRunner, deadlinesRunner, complaintsRunner),
		WithCampaignFile(campaignCopy(t))}, extra...)...)
	f.srv.waitTimeout = 10 * time.Millisecond
	feed = func() {
		all, err := f.store.ReadAll(context.Background(), 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range all {
			for _, r := range []interface{ Handle(domain.Envelope) error }{leagueRunner, creditRunner, deadlinesRunner, complaintsRunner} {
				if err := r.Handle(e); err != nil {
					t.Fatal(err)
				}
			}
		}
		f.caughtUp(f.head())
	}
	return f, feed
}

// fullFixture is servedFixture holding one registered compound (c1) with a
// complaint, the read models up to date.
func fullFixture(t *testing.T) (f *fixture, feed func()) {
	f, feed = servedFixture(t)
	f.ok("c1", "register", registerBody)
	f.ok("c1", "receive-complaint", `{"complaint_id":"k1","channel":"hotline","kind":"complaint","category":"fees","summary":"x"}`)
	feed()
	return f, feed
}

// head is the position of the last event in the store.
func (f *fixture) head() uint64 {
	f.t.Helper()
	all, err := f.store.ReadAll(context.Background(), 0, 0)
	if err != nil {
		f.t.Fatal(err)
	}
	if len(all) == 0 {
		return 0
	}
	return all[len(all)-1].Position
}

// hostile is one request an attacker or a careless client might send, and
// the one answer it must get.
type hostile struct {
	name    string
	method  string
	target  string
	body    any // string or []byte; nil: none
	headers []string
	status  int
	code    domain.Code // the problem code
	field   string      // of a violation, when the answer names one
	rule    string
	as      domain.Role // sent with this role's test account; "": one the route allows (fixture.do)
}

// readParam is a query parameter of a read endpoint with a value of the
// wrong form and one out of range ("" where the parameter has no range).
type readParam struct {
	name, malformed, malformedRule, outOfRange, outOfRangeRule string
}

var (
	timeParam = func(name string) readParam {
		return readParam{name, "yesterday", "param.time", "9999-12-31", "param.time_range"}
	}
	textParam = func(name string) readParam {
		return readParam{name, "a\x00b", "param.text", strings.Repeat("区", 100), "param.text"}
	}
	positionParam = func(name string) readParam {
		return readParam{name, "x", "param.integer", "0", "param.integer"}
	}
	minPosition = readParam{"min_position", "-1", "param.integer", "18446744073709551616", "param.integer"}
	limitParam  = readParam{"limit", "ten", "param.limit", "1001", "param.limit"}
	cursorParam = readParam{"cursor", "not a cursor!", "param.cursor", "Y29tcG91bmRzAA", "param.cursor"} // "compounds\x00": no key
)

// readEndpoints lists every read endpoint with every parameter it takes.
var readEndpoints = []struct {
	path   string
	params []readParam
}{
	{"/api/v1/compounds", []readParam{textParam("district"), textParam("street"), textParam("community"), limitParam, cursorParam,
		timeParam("as_of"), positionParam("as_of_position"), minPosition}},
	{"/api/v1/compounds/c1", []readParam{timeParam("at"), timeParam("known_at"), positionParam("version"), positionParam("position")}},
	{"/api/v1/compounds/c1/history", []readParam{{"type", "NoSuchEvent", "param.event_type", "CompoundRegistered,Nope", "param.event_type"},
		textParam("actor"), timeParam("from"), timeParam("to"), limitParam,
		{"cursor", "!!", "param.cursor", "aGlzdG9yeS9jMgAx", "param.cursor"}}}, // history/c2's cursor
	{"/api/v1/league/compound", []readParam{{"period", "2025-13", "param.period", "2025-01-01..9999-12-31", "param.time_range"},
		{"sort", "up", "param.sort", "", ""}, limitParam,
		{"cursor", "not a cursor!", "param.cursor", "bGVhZ3VlL2NvbXBvdW5kADA", "param.cursor"}, // "league/compound\x000": no row before the first
		textParam("unit"), {"explain", "maybe", "param.boolean", "", ""},
		{"format", "pdf", "param.format", "", ""}, textParam("district"), textParam("street"), textParam("community"),
		timeParam("as_of"), positionParam("as_of_position"), minPosition}},
	{"/api/v1/credit", []readParam{timeParam("at"), minPosition}},
	{"/api/v1/credit/甲物业", []readParam{timeParam("at"), minPosition}},
	{"/api/v1/deadlines", []readParam{timeParam("at"), {"soon_days", "soon", "param.integer", "3661", "param.soon_days"},
		textParam("district"), textParam("street"), textParam("community"), textParam("compound"),
		{"kind", "complaint", "param.deadline_kind", "", ""}, minPosition}},
	{"/api/v1/commands", nil},
	{"/api/v1/campaign", nil},
	{"/api/v1/projections", nil},
	{"/healthz", nil},
	{"/readyz", nil},
	{"/api/v1/events/e1", nil},
	{"/openapi.json", nil},
	{"/api/v1/checkpoint", nil},
	{"/api/v1/events/1/proof", []readParam{positionParam("tree")}},
	{"/api/v1/checkpoints/consistency", []readParam{positionParam("old"), positionParam("new")}}, // new ones go last: FuzzQuery's seeds pick endpoints by index
}

func hostileCases() []hostile {
	var cases []hostile
	bad := func(name, method, target string, body any, headers []string, status int, code domain.Code, field, rule string) {
		cases = append(cases, hostile{name, method, target, body, headers, status, code, field, rule, ""})
	}
	huge := bytes.Repeat([]byte(" "), maxBodyBytes+1)
	deep := `{"x":` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `}`
	badIDs := []string{"bad%20id", strings.Repeat("x", 65), "%00", "c1%2F..", "%E5%B0%8F%E5%8C%BA"}
	for i, name := range domain.CommandNames() {
		cmd := "/api/v1/compounds/c1/" + name
		bad(name+" malformed JSON", "POST", cmd, `{"a":`, nil, 400, domain.CodeInvalid, "", "json.syntax")
		bad(name+" top-level array", "POST", cmd, `[1,2]`, nil, 400, domain.CodeInvalid, "", "json.type")
		bad(name+" top-level string", "POST", cmd, `"s"`, nil, 400, domain.CodeInvalid, "", "json.type")
		bad(name+" unknown field", "POST", cmd, `{"zzz_unknown":1}`, nil, 400, domain.CodeInvalid, "zzz_unknown", "json.unknown_field")
		bad(name+" empty body", "POST", cmd, ``, nil, 400, domain.CodeInvalid, "", "json.syntax")
		bad(name+" oversize body", "POST", cmd, huge, nil, 413, domain.CodeTooLarge, "", "")
		bad(name+" deep nesting", "POST", cmd, deep, nil, 400, domain.CodeInvalid, "", "json.syntax")
		bad(name+" text/plain", "POST", cmd, `{}`, []string{"Content-Type", "text/plain"}, 415, domain.CodeUnsupported, "", "")
		bad(name+" JSON in latin-1", "POST", cmd, `{}`, []string{"Content-Type", "application/json; charset=iso-8859-1"}, 415, domain.CodeUnsupported, "", "")
		bad(name+" wrong method", []string{"GET", "PUT", "DELETE", "PATCH"}[i%4], cmd, nil, nil, 405, domain.CodeUnsupported, "", "")
		bad(name+" bad compound ID", "POST", "/api/v1/compounds/"+badIDs[i%len(badIDs)]+"/"+name, `{}`, nil, 400, domain.CodeInvalid, "compound_id", "compound.id_format")
		bad(name+" long Idempotency-Key", "POST", cmd, `{}`, []string{"Idempotency-Key", strings.Repeat("k", 10<<10)}, 400, domain.CodeInvalid, "Idempotency-Key", "header.idempotency_key")
		bad(name+" control in Idempotency-Key", "POST", cmd, `{}`, []string{"Idempotency-Key", "key\x1b[2J"}, 400, domain.CodeInvalid, "Idempotency-Key", "header.idempotency_key")
		bad(name+" bad If-Match", "POST", cmd, `{}`, []string{"If-Match", []string{"W/\"1\"", "abc", "-1", `"99999999999999999999"`}[i%4]}, 400, domain.CodeInvalid, "If-Match", "header.if_match")
		bad(name+" unknown query parameter", "POST", cmd+"?dry_run=1", `{}`, nil, 400, domain.CodeInvalid, "dry_run", "param.unknown")
		bad(name+" bad occurred_at", "POST", cmd+"?occurred_at=13/01/2025", `{}`, nil, 400, domain.CodeInvalid, "occurred_at", "param.time")
		bad(name+" bad percent-encoding", "POST", cmd+"?occurred_at=%zz", `{}`, nil, 400, domain.CodeInvalid, "occurred_at", "param.encoding")
	}
	for _, ep := range readEndpoints {
		path := ep.path
		bad(path+" unknown parameter", "GET", path+"?page=2", nil, nil, 400, domain.CodeInvalid, "page", "param.unknown")
		bad(path+" badly encoded name", "GET", path+"?%zz=1", nil, nil, 400, domain.CodeInvalid, "%zz", "param.encoding")
		bad(path+" unknown parameter among many", "GET", path+"?"+strings.Repeat("a=1&", 50)+"b", nil, nil, 400, domain.CodeInvalid, "a", "param.unknown")
		bad(path+" wrong method", "DELETE", path, nil, nil, 405, domain.CodeUnsupported, "", "")
		for _, p := range ep.params {
			q := path + "?" + p.name + "="
			bad(path+" "+p.name+" badly encoded", "GET", q+"%G1", nil, nil, 400, domain.CodeInvalid, p.name, "param.encoding")
			bad(path+" "+p.name+" cut-off escape", "GET", q+"%", nil, nil, 400, domain.CodeInvalid, p.name, "param.encoding")
			bad(path+" "+p.name+" malformed", "GET", q+url.QueryEscape(p.malformed), nil, nil, 400, domain.CodeInvalid, p.name, p.malformedRule)
			if p.outOfRange != "" {
				bad(path+" "+p.name+" out of range", "GET", q+url.QueryEscape(p.outOfRange), nil, nil, 400, domain.CodeInvalid, p.name, p.outOfRangeRule)
			}
			if p.name != "type" {
				bad(path+" "+p.name+" repeated", "GET", q+"1&"+p.name+"=2", nil, nil, 400, domain.CodeInvalid, p.name, "param.repeated")
			}
		}
	}
	// Pairs that are each fine alone.
	bad("history to before from", "GET", "/api/v1/compounds/c1/history?from=2025-02-01&to=2025-01-01", nil, nil, 400, domain.CodeInvalid, "to", "param.range")
	bad("league explain without unit", "GET", "/api/v1/league/compound?explain=true", nil, nil, 400, domain.CodeInvalid, "explain", "param.explain_needs_unit")
	bad("league street on street table", "GET", "/api/v1/league/street?street=中关村", nil, nil, 400, domain.CodeInvalid, "street", "param.area_level")
	bad("league area on company table", "GET", "/api/v1/league/company?district=海淀", nil, nil, 400, domain.CodeInvalid, "district", "param.area_level")
	bad("league unknown level", "GET", "/api/v1/league/planet", nil, nil, 404, domain.CodeNotFound, "", "")
	bad("compound cursor on history", "GET", "/api/v1/compounds/c1/history?cursor=Y29tcG91bmRzAGMx", nil, nil, 400, domain.CodeInvalid, "cursor", "param.cursor")
	bad("rebuild with a parameter", "POST", "/api/v1/projections/league/rebuild?now=1", nil, nil, 400, domain.CodeInvalid, "now", "param.unknown")
	bad("rebuild of no projection", "POST", "/api/v1/projections/nope/rebuild", nil, nil, 404, domain.CodeNotFound, "", "")
	bad("campaign reload with a parameter", "POST", "/api/v1/campaign/reload?file=/etc/passwd", nil, nil, 400, domain.CodeInvalid, "file", "param.unknown")
	bad("campaign reload with a repeated parameter", "POST", "/api/v1/campaign/reload?x=1&x=2", `{"a":`, nil, 400, domain.CodeInvalid, "x", "")
	bad("read of a bad compound ID", "GET", "/api/v1/compounds/bad%20id", nil, nil, 400, domain.CodeInvalid, "compound_id", "compound.id_format")
	bad("event of a NUL ID", "GET", "/api/v1/events/%00", nil, nil, 400, domain.CodeInvalid, "id", "param.event_id")
	bad("event of an invalid UTF-8 ID", "GET", "/api/v1/events/%FF", nil, nil, 400, domain.CodeInvalid, "id", "param.event_id")
	bad("event of a long ID", "GET", "/api/v1/events/"+strings.Repeat("e", 129), nil, nil, 400, domain.CodeInvalid, "id", "param.event_id")
	bad("event of an unknown ID", "GET", "/api/v1/events/no-such-event", nil, nil, 404, domain.CodeNotFound, "", "")
	bad("proof of position 0", "GET", "/api/v1/events/0/proof", nil, nil, 400, domain.CodeInvalid, "position", "param.integer")
	bad("proof of a position not a number", "GET", "/api/v1/events/%FF/proof", nil, nil, 400, domain.CodeInvalid, "position", "param.integer")
	bad("proof of a position beyond the log", "GET", "/api/v1/events/99999999999/proof", nil, nil, 404, domain.CodeNotFound, "", "")
	bad("proof in a tree never signed", "GET", "/api/v1/events/1/proof?tree=99999", nil, nil, 404, domain.CodeNotFound, "", "")
	bad("consistency without old", "GET", "/api/v1/checkpoints/consistency?new=2", nil, nil, 400, domain.CodeInvalid, "old", "param.required")
	bad("consistency without new", "GET", "/api/v1/checkpoints/consistency?old=2", nil, nil, 400, domain.CodeInvalid, "new", "param.required")
	bad("consistency backwards", "GET", "/api/v1/checkpoints/consistency?old=3&new=2", nil, nil, 400, domain.CodeInvalid, "old", "param.range")
	bad("consistency to a tree never signed", "GET", "/api/v1/checkpoints/consistency?old=1&new=18446744073709551615", nil, nil, 404, domain.CodeNotFound, "", "")
	bad("history of a bad compound ID", "GET", "/api/v1/compounds/%00/history", nil, nil, 400, domain.CodeInvalid, "compound_id", "compound.id_format")
	// Erasure: a subject ID of the one format, no parameters, admins only.
	forget := func(subject string) string { return "/api/v1/subjects/" + subject + "/forget" }
	bad("forget a malformed subject", "POST", forget("nobody"), nil, nil, 400, domain.CodeInvalid, "subject", "subject.format")
	bad("forget a subject of a bad compound", "POST", forget("complainant:bad%20id:k1"), nil, nil, 400, domain.CodeInvalid, "subject", "subject.format")
	bad("forget a NUL subject", "POST", forget("complainant:c1:k%00"), nil, nil, 400, domain.CodeInvalid, "subject", "text.control_character")
	bad("forget a long subject", "POST", forget("complainant:c1:"+strings.Repeat("k", 200)), nil, nil, 400, domain.CodeInvalid, "subject", "text.too_long")
	bad("forget invalid UTF-8", "POST", forget("complainant:c1:%FF"), nil, nil, 400, domain.CodeInvalid, "subject", "text.invalid_utf8")
	bad("forget with a parameter", "POST", forget("complainant:c1:k1")+"?all=1", nil, nil, 400, domain.CodeInvalid, "all", "param.unknown")
	bad("forget a subject with no data", "POST", forget("complainant:c1:k1"), nil, nil, 404, domain.CodeNotFound, "", "")
	for _, role := range []domain.Role{street, community, auditor, inspector, hotline} {
		cases = append(cases, hostile{name: "forget as " + string(role), method: "POST", target: forget("complainant:c1:k1"),
			status: 403, code: domain.CodeForbidden, as: role})
	}
	// The account routes take no parameters either.
	for _, route := range [][2]string{{"POST", "/api/v1/session"}, {"GET", "/api/v1/me"}, {"POST", "/api/v1/me/tokens"},
		{"GET", "/api/v1/accounts"}, {"POST", "/api/v1/accounts/nobody/disable"}} {
		bad(route[1]+" unknown parameter", route[0], route[1]+"?page=2", `{}`, nil, 400, domain.CodeInvalid, "page", "param.unknown")
	}
	// Sign-in comes before everything else: no account, a forged token, or
	// a role the route does not allow is refused before the input is read.
	anonymous, forged := []string{"Authorization", ""}, []string{"Authorization", "Bearer forged"}
	for _, name := range domain.CommandNames() {
		cmd := "/api/v1/compounds/c1/" + name
		bad(name+" anonymous", "POST", cmd+"?dry_run=1", `{"a":`, anonymous, 401, domain.CodeUnauthenticated, "", "")
		bad(name+" forged token", "POST", cmd, `{}`, forged, 401, domain.CodeUnauthenticated, "", "")
		cases = append(cases, hostile{name: name + " as auditor", method: "POST", target: cmd, body: `{"a":`,
			status: 403, code: domain.CodeForbidden, as: auditor})
	}
	for _, ep := range readEndpoints {
		if rl, _ := ruleFor("GET", ep.path); !rl.public && !publicAudit(ep.path) { // the audit routes take a position, not a pattern
			bad(ep.path+" anonymous", "GET", ep.path+"?page=2", nil, anonymous, 401, domain.CodeUnauthenticated, "", "")
		}
	}
	for _, c := range []hostile{
		{name: "history as hotline", method: "GET", target: "/api/v1/compounds/c1/history?page=2", as: hotline},
		{name: "compound list as admin", method: "GET", target: "/api/v1/compounds", as: admin},
		{name: "rebuild as auditor", method: "POST", target: "/api/v1/projections/league/rebuild", as: auditor},
		{name: "campaign reload as inspector", method: "POST", target: "/api/v1/campaign/reload", as: inspector},
		{name: "accounts as street office", method: "GET", target: "/api/v1/accounts", as: street},
	} {
		c.status, c.code = 403, domain.CodeForbidden
		cases = append(cases, c)
	}
	return cases
}

// TestHostile sends every hostile request: each gets its one status and
// problem code (and rule, where there is one), and none moves the log.
func TestHostile(t *testing.T) {
	f, _ := fullFixture(t)
	cases := hostileCases()
	if len(cases) < 250 {
		t.Fatalf("%d hostile cases, want at least 250", len(cases))
	}
	l := DefaultLimits // one token sends most of them: the suite tests the input, not the rate limit
	l.TokenRequests = 2 * len(cases)
	WithLimits(l)(f.srv)
	head := f.head()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f.t = t
			headers := tc.headers
			if tc.as != "" {
				headers = append(bearer(f.as(tc.as)), headers...)
			}
			rec := f.do(tc.method, tc.target, tc.body, headers...) // a body goes as JSON unless the headers say otherwise
			p := problemOf(t, rec, tc.status)
			if p.Code != tc.code {
				t.Errorf("code %q, want %q: %s", p.Code, tc.code, rec.Body)
			}
			if tc.rule != "" {
				hasViolation(t, p, tc.field, tc.rule)
			}
			if h := f.head(); h != head {
				t.Fatalf("the log moved from %d to %d", head, h)
			}
		})
	}
	t.Logf("%d hostile cases", len(cases))
}
