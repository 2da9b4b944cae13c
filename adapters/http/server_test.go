package http

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/casetrack/casetrack/audit"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/casetrack/casetrack/adapters/memory"
	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/app/auth"
	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
	"github.com/casetrack/casetrack/projections/directory"
)

// registerBody is a valid "register" command.
const registerBody = `{"name":"阳光花园","district":"海淀","street":"中关村","community":"东区","kind":"commercial",
	"households":120,"private_area":"12000.50","delivered_area":12000,"property_company":"甲物业"}`

// fixture is a server on a memory store with a directory that follows it.
// Its accounts live in a store of their own, so that the compound store
// holds only what the tests put there.
type fixture struct {
	t            *testing.T
	store        domain.EventStore
	accountStore domain.EventStore
	accounts     *auth.Accounts
	srv          *Server
	log          *bytes.Buffer
	now          time.Time // the service clock: recorded-at times
	wall         time.Time // the clock of sign-in, tokens and limits

	tokens map[string]string // API tokens of the test accounts, by account name

	audit    *audit.Service // servedFixture's; nil elsewhere
	verifier *audit.Verifier
	keys     *memory.Keys // the data subjects' keys (servedFixture)
}

func newFixture(t *testing.T) *fixture { return newFixtureOn(t, memory.NewStore()) }

func newFixtureOn(t *testing.T, store domain.EventStore) *fixture {
	f := &fixture{t: t, store: store, accountStore: memory.NewStore(), log: &bytes.Buffer{}, now: time.Now().Add(-time.Hour),
		wall: time.Now(), tokens: map[string]string{}}
	f.accounts = auth.New(f.accountStore, func() time.Time { return f.wall })
	svc := app.NewService(store, domain.DefaultRuleBook(), app.WithClock(func() time.Time { return f.now }))
	f.srv = f.newServer(svc, f.log)
	return f
}

// newServer serves svc with f's accounts and clock.
func (f *fixture) newServer(svc *app.Service, log io.Writer, opts ...Option) *Server {
	opts = append([]Option{WithClock(func() time.Time { return f.wall })}, opts...)
	return NewServer(svc, f.store, followDirectory(f.t, f.store), f.accounts, slog.New(slog.NewTextHandler(log, nil)), opts...)
}

// system is who creates the test accounts.
var system = domain.Actor{UserID: "test", Role: "operator", Organisation: "test"}

// user creates (once) an account and returns an API token of it.
func (f *fixture) user(name string, role domain.Role, scope domain.Scope) string {
	f.t.Helper()
	if token, ok := f.tokens[name]; ok {
		return token
	}
	if _, err := f.accounts.Create(f.t.Context(), system, name, role, scope, ""); err != nil {
		f.t.Fatalf("create %s: %v", name, err)
	}
	token, _, err := f.accounts.IssueToken(f.t.Context(), system, name, time.Hour)
	if err != nil {
		f.t.Fatal(err)
	}
	f.tokens[name] = token
	return token
}

// zgc is the street and community of registerBody.
var zgc = domain.Scope{District: "海淀", Street: "中关村"}

// as returns the token of the standard test account of a role: city-wide,
// or the street (community) of registerBody.
func (f *fixture) as(role domain.Role) string {
	switch role {
	case street:
		return f.user("zgc", role, zgc)
	case community:
		return f.user("dongqu", role, domain.Scope{District: "海淀", Street: "中关村", Community: "东区"})
	}
	return f.user(string(role), role, domain.Scope{})
}

// bearer is the header pair that sends a token.
func bearer(token string) []string { return []string{"Authorization", "Bearer " + token} }

// neededToken picks an account allowed on the route of a request that
// names none: a city-wide one if the route's rule allows one, else a street
// office or community worker of the compound's place (or of the place a
// registration names).
func (f *fixture) neededToken(method, target string, body any) string {
	f.t.Helper()
	rctx := chi.NewRouteContext()
	path, _, _ := strings.Cut(target, "?")
	if !f.srv.router.Match(rctx, method, path) {
		return f.as(auditor) // not a route: any account sees the 404 or 405
	}
	rl, ok := ruleFor(method, rctx.RoutePattern())
	if !ok {
		f.t.Fatalf("no rule for %s %s", method, rctx.RoutePattern())
	}
	for _, role := range []domain.Role{auditor, inspector, hotline, admin} {
		if rl.allows(role) {
			return f.as(role)
		}
	}
	place := domain.Profile{District: zgc.District, Street: zgc.Street, Community: "东区"}
	if prof, registered, err := f.srv.svc.Profile(f.t.Context(), rctx.URLParam("id")); err == nil && registered {
		place = prof
	} else if b, ok := body.(string); ok {
		var p domain.Profile
		if json.Unmarshal([]byte(b), &p) == nil && p.District != "" && p.Street != "" {
			place = p
		}
	}
	role := street
	if !rl.allows(street) {
		role = community
	}
	scope := domain.Scope{District: place.District, Street: place.Street}
	if role == community {
		scope.Community = place.Community
	}
	name := fmt.Sprintf("%s-%x", role, sha256.Sum256([]byte(scope.District+"/"+scope.Street+"/"+scope.Community)))[:len(role)+9]
	return f.user(name, role, scope)
}

// followDirectory runs the directory projection on store until the test ends.
func followDirectory(t testing.TB, store domain.EventStore) *projections.Runner[*directory.Model] {
	dir, err := projections.NewRunner(directory.New, projections.NewMemoryCheckpoints(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { projections.Tail(ctx, store, 0, dir.Handle); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return dir
}

// do sends a request; body may be a string or []byte, headers come in pairs.
func (f *fixture) do(method, target string, body any, headers ...string) *httptest.ResponseRecorder {
	f.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	}
	req := httptest.NewRequest(method, target, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	named := false
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
		named = named || headers[i] == "Authorization" || headers[i] == "Cookie"
	}
	if !named { // no account named: one of the role the route needs (an empty Authorization sends none)
		req.Header.Set("Authorization", "Bearer "+f.neededToken(method, target, body))
	}
	if req.Header.Get("Authorization") == "" {
		req.Header.Del("Authorization")
	}
	rec := httptest.NewRecorder()
	serveChecked(f.t, f.srv, rec, req)
	return rec
}

// ok posts a command that must succeed.
func (f *fixture) ok(id, command, body string, headers ...string) commandResult {
	f.t.Helper()
	return f.okAt(id, command, body, "", headers...)
}

func (f *fixture) okAt(id, command, body, occurredAt string, headers ...string) commandResult {
	f.t.Helper()
	target := "/api/v1/compounds/" + id + "/" + command
	if occurredAt != "" {
		target += "?occurred_at=" + occurredAt
	}
	rec := f.do("POST", target, body, headers...)
	if rec.Code != http.StatusCreated {
		f.t.Fatalf("%s %s: status %d: %s", command, id, rec.Code, rec.Body)
	}
	return decode[commandResult](f.t, rec)
}

func decode[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %T: %v: %s", v, err, rec.Body)
	}
	return v
}

// problemOf checks that rec is a problem document with status and returns it.
func problemOf(t *testing.T, rec *httptest.ResponseRecorder, status int) problem {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d: %s", rec.Code, status, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q, want application/problem+json", ct)
	}
	p := decode[problem](t, rec)
	if p.Status != status || p.Title == "" || p.Type == "" || p.Code == "" {
		t.Fatalf("incomplete problem: %+v", p)
	}
	return p
}

// hasViolation checks that p names field with rule ("" matches any rule).
func hasViolation(t *testing.T, p problem, field, rule string) {
	t.Helper()
	for _, v := range p.Errors {
		if v.Field == field && (rule == "" || v.Rule == rule) {
			if v.Message == "" || v.MessageZH == "" {
				t.Errorf("violation %+v lacks a message in both languages", v)
			}
			return
		}
	}
	t.Fatalf("want a violation of %q on %q, got %+v", rule, field, p.Errors)
}

func TestCommandCreated(t *testing.T) {
	f := newFixture(t)
	rec := f.do("POST", "/api/v1/compounds/c1/register?occurred_at=2024-01-10", registerBody,
		"Idempotency-Key", "k1", "X-Correlation-ID", "corr", "X-Causation-ID", "cause",
		"Authorization", "Bearer "+f.as(street))
	if rec.Code != http.StatusCreated {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if got := rec.Header().Get("ETag"); got != `"1"` {
		t.Errorf("ETag %s, want \"1\"", got)
	}
	if got := rec.Header().Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type %s", got)
	}
	res := decode[commandResult](t, rec)
	if res.StreamID != "compound-c1" || res.Version != 1 || res.Position != 1 || res.Duplicate || len(res.Events) != 1 {
		t.Fatalf("result %+v", res)
	}
	e := res.Events[0]
	want := domain.Actor{UserID: "zgc", Role: "street_office", Organisation: "中关村街道"} // the signed-in account
	if e.Type != "CompoundRegistered" || e.Actor != want || e.CommandID != "k1" || e.CorrelationID != "corr" || e.CausationID != "cause" {
		t.Errorf("envelope %+v", e)
	}
	if day := time.Date(2024, 1, 10, 0, 0, 0, 0, domain.China); !e.OccurredAt.Equal(day) {
		t.Errorf("occurred at %s, want %s", e.OccurredAt, day)
	}

	// RFC 3339 works too, with "+" unescaped in the query, and If-Match on the current version.
	rec = f.do("POST", "/api/v1/compounds/c1/establish-party-branch?occurred_at=2024-02-01T09:30:00+08:00",
		`{"branch":"阳光花园党支部","secretary":"王芳"}`, "If-Match", `"1"`)
	if rec.Code != http.StatusCreated || rec.Header().Get("ETag") != `"2"` {
		t.Fatalf("status %d, ETag %s: %s", rec.Code, rec.Header().Get("ETag"), rec.Body)
	}
	if at := decode[commandResult](t, rec).Events[0].OccurredAt; !at.Equal(time.Date(2024, 2, 1, 1, 30, 0, 0, time.UTC)) {
		t.Errorf("occurred at %s", at)
	}
}

func TestIdempotentRetry(t *testing.T) {
	f := newFixture(t)
	first := f.ok("c1", "register", registerBody, "Idempotency-Key", "same")
	rec := f.do("POST", "/api/v1/compounds/c1/register", registerBody, "Idempotency-Key", "same")
	if rec.Code != http.StatusOK {
		t.Fatalf("retry: status %d, want 200: %s", rec.Code, rec.Body)
	}
	again := decode[commandResult](t, rec)
	if !again.Duplicate || again.Version != first.Version || again.Position != first.Position ||
		len(again.Events) != 1 || again.Events[0].EventID != first.Events[0].EventID {
		t.Errorf("retry %+v, first %+v", again, first)
	}
	if all, _ := f.store.ReadAll(t.Context(), 0, 0); len(all) != 1 {
		t.Errorf("%d events stored, want 1", len(all))
	}
}

func TestCommandErrors(t *testing.T) {
	f := newFixture(t)
	f.ok("c1", "register", registerBody)
	f.ok("c1", "establish-party-branch", `{"branch":"党支部","secretary":"王芳"}`)
	cmd := func(id, name string) string { return "/api/v1/compounds/" + id + "/" + name }
	tests := []struct {
		name        string
		target      string
		body        any
		headers     []string
		status      int
		field, rule string // a violation the problem must list
	}{
		{"malformed JSON", cmd("c2", "register"), `{"name" 1}`, nil, 400, "", "json.syntax"},
		{"truncated JSON", cmd("c2", "register"), `{"name":`, nil, 400, "", "json.syntax"},
		{"empty body", cmd("c2", "register"), "", nil, 400, "", "json.syntax"},
		{"two JSON values", cmd("c2", "register"), registerBody + "{}", nil, 400, "", ""},
		{"wrong type", cmd("c1", "establish-party-branch"), `{"branch":1}`, nil, 400, "branch", "json.type"},
		{"wrong area", cmd("c2", "register"), `{"private_area":"lots"}`, nil, 400, "private_area", "json.area"},
		{"unknown field", cmd("c2", "register"), `{"colour":"red"}`, nil, 400, "colour", "json.unknown_field"},
		{"invalid values", cmd("c2", "register"), `{"name":"","kind":"villa","households":0}`, nil, 400, "kind", "compound.kind"},
		{"bad compound ID", cmd("-x", "register"), registerBody, nil, 400, "compound_id", "compound.id_format"},
		{"bad If-Match", cmd("c1", "set-red-flags"), `{}`, []string{"If-Match", "W/abc"}, 400, "If-Match", "header.if_match"},
		{"bad occurred_at", cmd("c1", "set-red-flags") + "?occurred_at=yesterday", `{}`, nil, 400, "occurred_at", "param.time"},
		{"future occurred_at", cmd("c1", "set-red-flags") + "?occurred_at=2999-01-01", `{}`, nil, 400, "occurred_at", "command.future"},
		{"unknown command", cmd("c1", "demolish"), `{}`, nil, 404, "", ""},
		{"unknown compound", cmd("nope", "establish-party-branch"), `{"branch":"b","secretary":"s"}`, nil, 404, "", ""},
		{"stale If-Match", cmd("c1", "set-red-flags"), `{}`, []string{"If-Match", `"1"`}, 409, "", ""},
		{"too large", cmd("c1", "set-red-flags"), bytes.Repeat([]byte(" "), 2<<20), nil, 413, "", ""},
		{"text/plain", cmd("c1", "set-red-flags"), `{}`, []string{"Content-Type", "text/plain"}, 415, "", ""},
		{"no content type", cmd("c1", "set-red-flags"), `{}`, []string{"Content-Type", ""}, 415, "", ""},
		{"latin-1 JSON", cmd("c1", "set-red-flags"), `{}`, []string{"Content-Type", "application/json; charset=latin1"}, 415, "", ""},
		{"domain rule", cmd("c1", "establish-party-branch"), `{"branch":"又一个","secretary":"李"}`, nil, 422, "branch", "party.branch_exists"},
		{"domain rule, same company", cmd("c1", "change-property-company"), `{"company":"甲物业"}`, nil, 422, "company", "compound.same_company"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := problemOf(t, f.do("POST", tt.target, tt.body, tt.headers...), tt.status)
			if tt.field != "" || tt.rule != "" {
				hasViolation(t, p, tt.field, tt.rule)
			}
		})
	}
	if all, _ := f.store.ReadAll(t.Context(), 0, 0); len(all) != 2 {
		t.Errorf("%d events stored after failed commands, want 2", len(all))
	}
}

func TestMethodNotAllowed(t *testing.T) {
	f := newFixture(t)
	rec := f.do("GET", "/api/v1/compounds/c1/register", nil)
	problemOf(t, rec, http.StatusMethodNotAllowed)
	if got := rec.Header().Get("Allow"); got != "POST" {
		t.Errorf("Allow %q, want POST", got)
	}
	problemOf(t, f.do("GET", "/api/v2/anything", nil), http.StatusNotFound)
}

// timeTravelFixture: c1 registered on 2024-01-10 and its branch established
// on 2024-03-01 but recorded a day after the registration.
func timeTravelFixture(t *testing.T) (*fixture, time.Time) {
	f := newFixture(t)
	f.okAt("c1", "register", registerBody, "2024-01-10")
	recorded := f.now
	f.now = f.now.Add(24 * time.Hour)
	if f.now.After(time.Now()) {
		f.now = time.Now()
	}
	f.okAt("c1", "establish-party-branch", `{"branch":"党支部","secretary":"王芳"}`, "2024-03-01")
	return f, recorded
}

func TestGetCompound(t *testing.T) {
	f, registered := timeTravelFixture(t)
	tests := []struct {
		name    string
		query   string
		version uint64
		branch  string
	}{
		{"now", "", 2, "党支部"},
		{"at a day before the branch", "?at=2024-02-29", 1, ""},
		{"at the day of the branch, all day", "?at=2024-03-01", 2, "党支部"},
		{"at an instant before the branch", "?at=2024-02-29T23:00:00%2B08:00", 1, ""},
		{"version", "?version=1", 1, ""},
		{"position", "?position=1", 1, ""},
		{"known at registration", "?known_at=" + registered.UTC().Format(time.RFC3339Nano), 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := f.do("GET", "/api/v1/compounds/c1"+tt.query, nil)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			v := decode[domain.CompoundView](t, rec)
			if v.ID != "c1" || v.Version != tt.version || v.Party.Branch != tt.branch || v.Profile.Name != "阳光花园" {
				t.Errorf("view %+v", v)
			}
			if got, want := rec.Header().Get("ETag"), etag(tt.version); got != want {
				t.Errorf("ETag %s, want %s", got, want)
			}
		})
	}

	errs := []struct {
		name, target string
		status       int
		field        string
	}{
		{"unknown compound", "/api/v1/compounds/nope", 404, ""},
		{"before registration", "/api/v1/compounds/c1?at=2023-12-31", 404, ""},
		{"bad compound ID", "/api/v1/compounds/..", 400, "compound_id"},
		{"bad at", "/api/v1/compounds/c1?at=2024-13-01", 400, "at"},
		{"bad known_at", "/api/v1/compounds/c1?known_at=now", 400, "known_at"},
		{"bad version", "/api/v1/compounds/c1?version=two", 400, "version"},
		{"zero version", "/api/v1/compounds/c1?version=0", 400, "version"},
		{"negative position", "/api/v1/compounds/c1?position=-1", 400, "position"},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			p := problemOf(t, f.do("GET", tt.target, nil), tt.status)
			if tt.field != "" {
				hasViolation(t, p, tt.field, "")
			}
		})
	}
}

func TestHistory(t *testing.T) {
	f, _ := timeTravelFixture(t)
	f.ok("c1", "set-red-flags", `{"red_property":true}`)
	tests := []struct {
		query string
		want  []string
	}{
		{"", []string{"CompoundRegistered", "PartyBranchEstablished", "RedFlagsSet"}},
		{"?type=PartyBranchEstablished", []string{"PartyBranchEstablished"}},
		{"?type=RedFlagsSet,CompoundRegistered", []string{"CompoundRegistered", "RedFlagsSet"}},
		{"?type=RedFlagsSet&type=CompoundRegistered", []string{"CompoundRegistered", "RedFlagsSet"}},
		{"?from=2024-01-11&to=2024-03-01", []string{"PartyBranchEstablished"}},
		{"?to=2024-01-10", []string{"CompoundRegistered"}},
		{"?from=2024-03-02&type=CompoundRegistered", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			rec := f.do("GET", "/api/v1/compounds/c1/history"+tt.query, nil)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			h := decode[struct {
				CompoundID string `json:"compound_id"`
				ChainValid bool   `json:"chain_valid"`
				Events     []struct {
					Type    string          `json:"type"`
					Hash    string          `json:"hash"`
					Data    json.RawMessage `json:"data"`
					Payload map[string]any  `json:"payload"`
				} `json:"events"`
			}](t, rec)
			var got []string
			for _, e := range h.Events {
				got = append(got, e.Type)
				if e.Hash == "" || len(e.Data) == 0 || e.Payload == nil {
					t.Errorf("event lacks hash, data or payload: %+v", e)
				}
			}
			if h.CompoundID != "c1" || !h.ChainValid || !slices.Equal(got, tt.want) && len(got)+len(tt.want) > 0 {
				t.Errorf("history %+v, types %v, want %v", h, got, tt.want)
			}
		})
	}
	p := problemOf(t, f.do("GET", "/api/v1/compounds/c1/history?type=Nope&from=x&to=2024-01-01", nil), 400)
	hasViolation(t, p, "type", "param.event_type")
	hasViolation(t, p, "from", "param.time")
	hasViolation(t, problemOf(t, f.do("GET", "/api/v1/compounds/c1/history?from=2024-02-01&to=2024-01-01", nil), 400), "to", "param.range")
	problemOf(t, f.do("GET", "/api/v1/compounds/nope/history", nil), 404)
}

// tamperedStore alters the data of version 2 of every stream it reads, as
// someone editing the database by hand would.
type tamperedStore struct{ *memory.Store }

func (s tamperedStore) ReadStream(ctx context.Context, id string, q domain.StreamQuery) ([]domain.Envelope, error) {
	events, err := s.Store.ReadStream(ctx, id, q)
	for i := range events {
		if events[i].Version == 2 {
			events[i].Data = json.RawMessage(`{"branch":"假支部","secretary":"无"}`)
		}
	}
	return events, err
}

func TestHistoryTampered(t *testing.T) {
	f := newFixtureOn(t, tamperedStore{memory.NewStore()})
	f.ok("c1", "register", registerBody)
	f.ok("c1", "establish-party-branch", `{"branch":"党支部","secretary":"王芳"}`)
	rec := f.do("GET", "/api/v1/compounds/c1/history?type=CompoundRegistered", nil)
	h := decode[struct {
		ChainValid bool              `json:"chain_valid"`
		ChainError string            `json:"chain_error"`
		Events     []json.RawMessage `json:"events"`
	}](t, rec)
	if rec.Code != 200 || h.ChainValid || !strings.Contains(h.ChainError, "version 2 was altered") || len(h.Events) != 1 {
		t.Errorf("status %d, history %+v", rec.Code, h)
	}
	if !strings.Contains(f.log.String(), "integrity") {
		t.Errorf("tampering not logged: %s", f.log)
	}
}

func TestListCompounds(t *testing.T) {
	f := newFixture(t)
	f.ok("c2", "register", strings.Replace(registerBody, "海淀", "朝阳", 1))
	f.ok("c1", "register", registerBody)
	last := f.ok("c3", "register", strings.Replace(registerBody, "东区", "西区", 1))
	f.ok("c1", "change-property-company", `{"company":"乙物业"}`)

	list := func(query string) (uint64, []directory.Entry) {
		t.Helper()
		rec := f.do("GET", "/api/v1/compounds"+query, nil)
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		res := decode[struct {
			Position  uint64            `json:"position"`
			Compounds []directory.Entry `json:"compounds"`
		}](t, rec)
		return res.Position, res.Compounds
	}
	pos, all := list("?min_position=4") // read-your-writes: wait for the company change
	if pos < 4 || len(all) != 3 || all[0].ID != "c1" || all[0].PropertyCompany != "乙物业" || all[0].Households != 120 {
		t.Fatalf("position %d, list %+v", pos, all)
	}
	tests := []struct {
		query string
		want  []string
	}{
		{"?min_position=" + strconv.FormatUint(last.Position, 10), []string{"c1", "c2", "c3"}},
		{"?district=海淀&min_position=4", []string{"c1", "c3"}},
		{"?district=海淀&street=中关村&community=西区&min_position=4", []string{"c3"}},
		{"?community=东区&min_position=4", []string{"c1", "c2"}},
		{"?street=望京&min_position=4", nil},
		// As it stood: after c2 and c1 were registered; before c2 was.
		{"?as_of_position=2", []string{"c1", "c2"}},
		{"?as_of=" + time.Now().Add(24*time.Hour).UTC().Format(time.RFC3339), []string{"c1", "c2", "c3"}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			_, got := list(tt.query)
			var ids []string
			for _, e := range got {
				ids = append(ids, e.ID)
			}
			if !slices.Equal(ids, tt.want) {
				t.Errorf("ids %v, want %v", ids, tt.want)
			}
		})
	}

	if _, old := list("?as_of_position=3"); old[0].PropertyCompany != "甲物业" {
		t.Errorf("as of position 3, c1 is served by %q, want 甲物业 (before the change)", old[0].PropertyCompany)
	}
	hasViolation(t, problemOf(t, f.do("GET", "/api/v1/compounds?min_position=soon", nil), 400), "min_position", "param.integer")
	hasViolation(t, problemOf(t, f.do("GET", "/api/v1/compounds?as_of_position=0", nil), 400), "as_of_position", "param.integer")
	problemOf(t, f.do("GET", "/api/v1/compounds?as_of=2000-01-01T00:00:00Z", nil), http.StatusNotFound) // nothing recorded by then
	f.srv.waitTimeout = 10 * time.Millisecond
	rec := f.do("GET", "/api/v1/compounds?min_position=99", nil)
	problemOf(t, rec, http.StatusServiceUnavailable)
	if rec.Header().Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}
}

func TestCommands(t *testing.T) {
	f := newFixture(t)
	rec := f.do("GET", "/api/v1/commands", nil)
	list := decode[commandList](t, rec)
	if rec.Code != 200 || !slices.Equal(list.Commands, domain.CommandNames()) || !slices.Contains(list.Commands, "register") {
		t.Errorf("status %d, commands %v", rec.Code, list.Commands)
	}
	// Each command points to its route and to its body's schema in the document.
	doc := documentOf(t, f.srv)
	for _, b := range list.Bodies {
		op := doc.Paths.Value(b.Route).Post
		name, ok := strings.CutPrefix(b.Schema, "/openapi.json#/components/schemas/")
		if op == nil || !ok || doc.Components.Schemas[name] == nil ||
			op.RequestBody.Value.Content.Get("application/json").Schema.Ref != "#/components/schemas/"+name {
			t.Errorf("%s: route %s or schema %s is not the document's", b.Name, b.Route, b.Schema)
		}
	}
	if len(list.Bodies) != len(list.Commands) {
		t.Errorf("%d bodies for %d commands", len(list.Bodies), len(list.Commands))
	}
}

// failingStore fails every read, as a store whose database is gone.
type failingStore struct {
	*memory.Store
	err error
}

func (s failingStore) ReadAll(context.Context, uint64, int) ([]domain.Envelope, error) {
	return nil, s.err
}
func (s failingStore) ReadStream(context.Context, string, domain.StreamQuery) ([]domain.Envelope, error) {
	return nil, s.err
}

func TestHealth(t *testing.T) {
	f := newFixture(t)
	for _, path := range []string{"/healthz", "/readyz"} {
		if rec := f.do("GET", path, nil); rec.Code != http.StatusOK {
			t.Errorf("%s: status %d", path, rec.Code)
		}
	}
	down := newFixtureOn(t, failingStore{memory.NewStore(), domain.Errorf(domain.CodeUnavailable, "database is closed")})
	problemOf(t, down.do("GET", "/readyz", nil), http.StatusServiceUnavailable)
	if rec := down.do("GET", "/healthz", nil); rec.Code != http.StatusOK {
		t.Errorf("healthz with the store down: status %d (the process is alive)", rec.Code)
	}
}

// TestInternalErrorsAreHidden: internal details go to the log, never to the client.
func TestInternalErrorsAreHidden(t *testing.T) {
	f := newFixtureOn(t, failingStore{memory.NewStore(), errors.New("disk on fire at /var/lib/casetrack")})
	for _, rec := range []*httptest.ResponseRecorder{
		f.do("GET", "/api/v1/compounds/c1", nil),
		f.do("GET", "/api/v1/compounds/c1/history", nil),
		f.do("POST", "/api/v1/compounds/c1/register", registerBody),
	} {
		p := problemOf(t, rec, http.StatusInternalServerError)
		if p.Code != domain.CodeInternal || strings.Contains(rec.Body.String(), "disk") {
			t.Errorf("problem leaks or misnames the error: %s", rec.Body)
		}
	}
	if !strings.Contains(f.log.String(), "disk on fire") {
		t.Errorf("the real error was not logged: %s", f.log)
	}
}

func TestRecoverer(t *testing.T) {
	f := newFixture(t)
	h := f.srv.recoverer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("secret state") }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/boom", nil))
	problemOf(t, rec, http.StatusInternalServerError)
	if strings.Contains(rec.Body.String(), "secret") || !strings.Contains(f.log.String(), "secret state") {
		t.Errorf("body %s; log %s", rec.Body, f.log)
	}
}

// GET /api/v1/events/{id} opens one event, as the history shows it, with
// its compound; bad and unknown IDs are problems.
func TestEventByID(t *testing.T) {
	f := newFixture(t)
	f.ok("c1", "register", registerBody)
	h := decode[struct {
		Events []struct {
			EventID string `json:"event_id"`
		} `json:"events"`
	}](t, f.do("GET", "/api/v1/compounds/c1/history", nil))
	id := h.Events[0].EventID
	rec := f.do("GET", "/api/v1/events/"+id, nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	e := decode[struct {
		CompoundID string         `json:"compound_id"`
		EventID    string         `json:"event_id"`
		Type       string         `json:"type"`
		Hash       string         `json:"hash"`
		Payload    map[string]any `json:"payload"`
	}](t, rec)
	if e.CompoundID != "c1" || e.EventID != id || e.Type != "CompoundRegistered" || e.Hash == "" || e.Payload == nil {
		t.Errorf("event %+v", e)
	}
	problemOf(t, f.do("GET", "/api/v1/events/no-such-event", nil), 404)
	hasViolation(t, problemOf(t, f.do("GET", "/api/v1/events/"+strings.Repeat("x", 129), nil), 400), "id", "param.event_id")
}
