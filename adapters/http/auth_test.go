package http

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/casetrack/casetrack/app/auth"
	"github.com/casetrack/casetrack/domain"
)

// roleLetters name the roles in the expected table below.
var roleLetters = map[byte]domain.Role{'A': admin, 'I': inspector, 'S': street, 'C': community, 'H': hotline, 'U': auditor}

// expectedAccess is who may call each route, written out apart from
// policy.go so that a change there must be made here too: "*" is public,
// letters name roles (A admin, I inspector, S street office, C community
// worker, H hotline, U auditor).
var expectedAccess = map[string]string{
	"GET /healthz":                                  "*",
	"GET /readyz":                                   "*",
	"GET /api/v1/checkpoint":                        "*",
	"GET /api/v1/events/{position}/proof":           "*",
	"GET /api/v1/checkpoints/consistency":           "*",
	"GET /openapi.json":                             "*",
	"POST /api/v1/session":                          "*",
	"DELETE /api/v1/session":                        "AISCHU",
	"GET /api/v1/me":                                "AISCHU",
	"POST /api/v1/me/tokens":                        "AISCHU",
	"POST /api/v1/me/password":                      "AISCHU",
	"DELETE /api/v1/me/tokens/{token}":              "AISCHU",
	"GET /api/v1/commands":                          "AISCHU",
	"GET /api/v1/compounds":                         "ISCHU",
	"GET /api/v1/compounds/{id}":                    "ISCHU",
	"GET /api/v1/compounds/{id}/history":            "ISCU",
	"GET /api/v1/events/{id}":                       "ISCU",
	"GET /api/v1/league/{level}":                    "ISCU",
	"GET /api/v1/campaign":                          "AISCU",
	"GET /api/v1/credit":                            "ISCU",
	"GET /api/v1/credit/{company}":                  "ISCU",
	"GET /api/v1/deadlines":                         "ISCHU",
	"GET /api/v1/projections":                       "AU",
	"POST /api/v1/projections/{name}/rebuild":       "A",
	"POST /api/v1/campaign/reload":                  "A",
	"GET /metrics":                                  "A",
	"POST /api/v1/subjects/{subject}/forget":        "A",
	"GET /api/v1/accounts":                          "AU",
	"GET /open311/v2/services.json":                 "*",
	"GET /open311/v2/services.xml":                  "*",
	"GET /open311/v2/requests.json":                 "H",
	"GET /open311/v2/requests.xml":                  "H",
	"POST /open311/v2/requests.json":                "H",
	"POST /open311/v2/requests.xml":                 "H",
	"GET /open311/v2/requests/{file}":               "H",
	"POST /api/v1/accounts":                         "A",
	"POST /api/v1/accounts/{name}/disable":          "A",
	"POST /api/v1/accounts/{name}/tokens":           "A",
	"DELETE /api/v1/accounts/{name}/tokens/{token}": "A",
	"POST /api/v1/accounts/{name}/role":             "A",
	"POST /api/v1/accounts/{name}/password":         "A",

	// The web pages (served with WithWeb).
	"GET /":                     "AISCHU",
	"GET /sign-in":              "*",
	"POST /sign-in":             "*",
	"POST /sign-out":            "AISCHU",
	"GET /assets/*":             "*",
	"GET /docs":                 "*",
	"GET /dashboard":            "ISCU",
	"GET /explain":              "ISCU",
	"GET /street":               "ISCHU",
	"GET /compounds/{id}":       "ISCHU",
	"GET /history":              "ISCU",
	"GET /operations":           "A",
	"GET /import":               "IS",
	"POST /import":              "IS",
	"GET /import/template.xlsx": "IS",
	"GET /import/template.csv":  "IS",
	"POST /operations/projections/{name}/rebuild": "A",
	"POST /operations/campaign/reload":            "A",

	"POST /api/v1/compounds/{id}/accept-complaint":            "SC",
	"POST /api/v1/compounds/{id}/rename-compound":             "IS",
	"POST /api/v1/compounds/{id}/correct-compound-figures":    "IS",
	"POST /api/v1/compounds/{id}/move-compound":               "I",
	"POST /api/v1/compounds/{id}/void-complaint":              "SH",
	"POST /api/v1/compounds/{id}/amend-complaint-category":    "SH",
	"POST /api/v1/compounds/{id}/add-measure":                 "S",
	"POST /api/v1/compounds/{id}/adopt-plan":                  "S",
	"POST /api/v1/compounds/{id}/apply-for-assembly":          "SC",
	"POST /api/v1/compounds/{id}/change-case-leader":          "S",
	"POST /api/v1/compounds/{id}/change-property-company":     "S",
	"POST /api/v1/compounds/{id}/choose-chair":                "S",
	"POST /api/v1/compounds/{id}/conclude-lawsuit":            "S",
	"POST /api/v1/compounds/{id}/decide-complaint-extension":  "S",
	"POST /api/v1/compounds/{id}/decide-listing-extension":    "I",
	"POST /api/v1/compounds/{id}/delist":                      "I",
	"POST /api/v1/compounds/{id}/dispatch-complaint":          "H",
	"POST /api/v1/compounds/{id}/elect-committee":             "S",
	"POST /api/v1/compounds/{id}/establish-party-branch":      "S",
	"POST /api/v1/compounds/{id}/file-committee":              "S",
	"POST /api/v1/compounds/{id}/file-interim-commission":     "S",
	"POST /api/v1/compounds/{id}/file-lawsuit":                "S",
	"POST /api/v1/compounds/{id}/file-lawsuits":               "S",
	"POST /api/v1/compounds/{id}/flag-conflict":               "I",
	"POST /api/v1/compounds/{id}/follow-up-complaint":         "SC",
	"POST /api/v1/compounds/{id}/form-interim-commission":     "S",
	"POST /api/v1/compounds/{id}/form-preparatory-group":      "S",
	"POST /api/v1/compounds/{id}/hand-over-archives":          "SC",
	"POST /api/v1/compounds/{id}/hold-assembly-vote":          "SC",
	"POST /api/v1/compounds/{id}/hold-joint-meeting":          "SC",
	"POST /api/v1/compounds/{id}/list-for-supervision":        "I",
	"POST /api/v1/compounds/{id}/nominate-candidate":          "SC",
	"POST /api/v1/compounds/{id}/receive-complaint":           "HSC",
	"POST /api/v1/compounds/{id}/record-enforcement":          "S",
	"POST /api/v1/compounds/{id}/record-escalation":           "I",
	"POST /api/v1/compounds/{id}/record-member-leaving":       "SC",
	"POST /api/v1/compounds/{id}/record-term-expiry":          "SC",
	"POST /api/v1/compounds/{id}/record-training":             "SC",
	"POST /api/v1/compounds/{id}/register":                    "SI",
	"POST /api/v1/compounds/{id}/reopen-complaint":            "HS",
	"POST /api/v1/compounds/{id}/report-measure-progress":     "SC",
	"POST /api/v1/compounds/{id}/request-complaint-extension": "SC",
	"POST /api/v1/compounds/{id}/request-listing-extension":   "S",
	"POST /api/v1/compounds/{id}/resolve-complaint":           "SC",
	"POST /api/v1/compounds/{id}/return-complaint":            "SC",
	"POST /api/v1/compounds/{id}/set-red-flags":               "S",
	"POST /api/v1/compounds/{id}/sign-off-measure":            "S",
	"POST /api/v1/compounds/{id}/sign-off-plan":               "S",
	"POST /api/v1/compounds/{id}/start-reelection":            "S",
	"POST /api/v1/compounds/{id}/unflag-conflict":             "I",
	"POST /api/v1/compounds/{id}/update-delivered-area":       "S",
	"POST /api/v1/compounds/{id}/verify-measure":              "S",
	"POST /api/v1/compounds/{id}/verify-remediation":          "I",
	"POST /api/v1/compounds/{id}/vet-candidate":               "S",
}

// A command's form page and its post are allowed to whoever may run the
// command through the API.
func init() {
	for key, who := range expectedAccess {
		if name, ok := strings.CutPrefix(key, "POST /api/v1/compounds/{id}/"); ok && !strings.Contains(name, "/") {
			expectedAccess["GET /compounds/{id}/commands/"+name] = who
			expectedAccess["POST /compounds/{id}/commands/"+name] = who
		}
	}
}

// stubPages stand in for adapters/web: a page answers 200, a refusal its
// status.
type stubPages struct{}

func (stubPages) ServeHTTP(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) }
func (stubPages) Refuse(w http.ResponseWriter, r *http.Request, err error) {
	w.WriteHeader(statuses[domain.ErrorCode(err)].status)
}

// TestRouteRoleMatrix walks every route of the router, command routes and
// pages included, and calls it as every role and as nobody: allowed roles
// get past authorization (neither 401 nor 403), others 403, nobody 401
// (a page: sent to sign in) except on the public routes. A route missing
// from the table fails.
func TestRouteRoleMatrix(t *testing.T) {
	f, feed := servedFixture(t, WithWeb(stubPages{}), WithMetrics(metricsStub))
	f.ok("c1", "register", registerBody) // the street and community of the scoped accounts
	feed()
	fill := strings.NewReplacer("{id}", "c1", "{level}", "compound", "{company}", url.PathEscape("甲物业"), "{name}", "nobody", "{token}", "nothing", "{file}", "c1~k1.json", "{position}", "1", "{subject}", "complainant:c1:k1")
	seen := map[string]bool{}
	err := chi.Walk(f.srv.router, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		key := method + " " + route
		seen[key] = true
		want, ok := expectedAccess[key]
		if !ok {
			t.Errorf("%s is not in the expected access table", key)
			return nil
		}
		target := fill.Replace(route)
		if strings.Contains(route, "/league/") {
			target += fmt.Sprintf("?period=%d", f.now.In(domain.China).Year())
		}
		var body any
		if method == http.MethodPost {
			body = "{}"
		}
		rec := f.do(method, target, body, "Authorization", "")
		page := !strings.HasPrefix(route, "/api/") && !strings.HasPrefix(route, "/open311/") && !strings.HasSuffix(route, "z") && route != "/metrics" // /metrics is for scrapers
		switch {
		case want == "*" && (rec.Code == 401 || rec.Code == 403 || rec.Code == 303):
			t.Errorf("%s as nobody: %d on a public route: %s", key, rec.Code, rec.Body)
		case want != "*" && page:
			if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/sign-in") {
				t.Errorf("%s as nobody: %d to %q, want 303 to the sign-in page", key, rec.Code, rec.Header().Get("Location"))
			}
		case want != "*" && rec.Code != 401:
			t.Errorf("%s as nobody: %d, want 401: %s", key, rec.Code, rec.Body)
		case want != "*" && rec.Header().Get("WWW-Authenticate") == "":
			t.Errorf("%s as nobody: 401 without WWW-Authenticate", key)
		}
		for letter, role := range roleLetters {
			rec := f.do(method, target, body, bearer(f.as(role))...)
			allowed := want == "*" || strings.IndexByte(want, letter) >= 0
			switch {
			case allowed && (rec.Code == 401 || rec.Code == 403):
				t.Errorf("%s as %s: %d, want allowed: %s", key, role, rec.Code, rec.Body)
			case !allowed && rec.Code != 403:
				t.Errorf("%s as %s: %d, want 403: %s", key, role, rec.Code, rec.Body)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var stale []string
	for key := range expectedAccess {
		if !seen[key] {
			stale = append(stale, key)
		}
	}
	sort.Strings(stale)
	if len(stale) > 0 {
		t.Errorf("in the table but not served: %s", strings.Join(stale, ", "))
	}
	if len(seen) < 3*len(domain.CommandNames())+len(routes)+len(pageRoutes) {
		t.Errorf("%d routes walked, want every command and every route of the table", len(seen))
	}
}

// TestUnknownRoutesNeedSignIn: nobody learns which paths exist.
func TestUnknownRoutesNeedSignIn(t *testing.T) {
	f := newFixture(t)
	problemOf(t, f.do("GET", "/api/v1/nothing", nil, "Authorization", ""), http.StatusUnauthorized)
	problemOf(t, f.do("PUT", "/api/v1/compounds", nil, "Authorization", ""), http.StatusUnauthorized)
	problemOf(t, f.do("GET", "/api/v1/nothing", nil), http.StatusNotFound)
	problemOf(t, f.do("GET", "/api/v1/me", nil, "Authorization", "Basic eDp5"), http.StatusUnauthorized)
	problemOf(t, f.do("GET", "/api/v1/me", nil, "Authorization", "Bearer ct_made-up"), http.StatusUnauthorized)
}

// TestStreetScope: a street office of 中关村 cannot write to a compound of
// 学院路 and never sees one in lists, league drill-downs, history or exports.
func TestStreetScope(t *testing.T) {
	f, feed := servedFixture(t)
	a := bearer(f.as(street)) // 海淀 中关村
	b := bearer(f.user("xyl", street, domain.Scope{District: "海淀", Street: "学院路"}))
	bBody := strings.NewReplacer("中关村", "学院路", "阳光花园", "学院小区").Replace(registerBody)
	complaint := `{"complaint_id":"k1","channel":"hotline","kind":"complaint","category":"fees","summary":"x"}`
	f.okAt("c1", "register", registerBody, "2025-01-01", a...)
	f.okAt("c2", "register", bBody, "2025-01-01", b...)
	f.ok("c1", "receive-complaint", complaint, a...)
	f.ok("c2", "receive-complaint", complaint, b...)
	feed()

	forbidden := func(rec *httptest.ResponseRecorder) {
		t.Helper()
		if p := problemOf(t, rec, http.StatusForbidden); p.Code != domain.CodeForbidden {
			t.Errorf("code %s", p.Code)
		}
	}
	forbidden(f.do("POST", "/api/v1/compounds/c2/establish-party-branch", `{"branch":"党支部","secretary":"王芳"}`, a...))
	forbidden(f.do("POST", "/api/v1/compounds/c3/register", strings.Replace(bBody, "学院小区", "新小区", 1), a...))
	forbidden(f.do("GET", "/api/v1/compounds/c2", nil, a...))
	forbidden(f.do("GET", "/api/v1/compounds/c2/history", nil, a...))
	if c2, _ := f.store.ReadStream(t.Context(), domain.StreamID("c2"), domain.StreamQuery{}); len(c2) > 0 {
		forbidden(f.do("GET", "/api/v1/events/"+c2[0].EventID, nil, a...))
	}
	if all, _ := f.store.ReadStream(t.Context(), domain.StreamID("c2"), domain.StreamQuery{}); len(all) != 2 {
		t.Errorf("c2 has %d events, want its 2", len(all))
	}

	ids := func(rec *httptest.ResponseRecorder) []string {
		t.Helper()
		var out []string
		for _, c := range decode[struct {
			Compounds []struct{ ID string } `json:"compounds"`
		}](t, rec).Compounds {
			out = append(out, c.ID)
		}
		return out
	}
	for _, q := range []string{"", "?district=海淀", "?street=学院路"} {
		got := ids(f.do("GET", "/api/v1/compounds"+q, nil, a...))
		if want := map[bool][]string{true: nil, false: {"c1"}}[q == "?street=学院路"]; !slices.Equal(got, want) {
			t.Errorf("list%s as 中关村: %v, want %v", q, got, want)
		}
	}
	if got := ids(f.do("GET", "/api/v1/compounds", nil, b...)); !slices.Equal(got, []string{"c2"}) {
		t.Errorf("list as 学院路: %v", got)
	}

	year := f.now.In(domain.China).Year()
	league := func(q string) *httptest.ResponseRecorder {
		return f.do("GET", fmt.Sprintf("/api/v1/league/%s&period=%d", q, year), nil, a...)
	}
	rec := league("compound?sort=best")
	var units []string
	for _, row := range decode[tableJSON](t, rec).Rows {
		units = append(units, row.Unit)
	}
	if !slices.Equal(units, []string{"c1"}) {
		t.Errorf("compound table as 中关村: %v", units)
	}
	problemOf(t, league("compound?unit=c2&explain=1"), http.StatusNotFound)
	forbidden(league("street?unit=海淀/学院路&explain=1"))
	forbidden(league("district?unit=海淀&explain=1"))
	if rec := league("street?unit=海淀/中关村&explain=1"); rec.Code != http.StatusOK {
		t.Errorf("own street explained: %d %s", rec.Code, rec.Body)
	}
	for _, format := range []string{"csv", "xlsx"} {
		rec := league("compound?format=" + format)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s export: %d", format, rec.Code)
		}
		if format == "csv" && (strings.Contains(rec.Body.String(), "学院小区") || !strings.Contains(rec.Body.String(), "阳光花园")) {
			t.Errorf("csv export as 中关村:\n%s", rec.Body)
		}
	}

	rec = f.do("GET", "/api/v1/deadlines?soon_days=3660", nil, a...)
	if body := rec.Body.String(); rec.Code != 200 || strings.Contains(body, `"c2"`) || !strings.Contains(body, `"c1"`) {
		t.Errorf("deadlines as 中关村: %d %s", rec.Code, body)
	}
	if body := f.do("GET", "/api/v1/deadlines?soon_days=3660&street=学院路", nil, a...).Body.String(); strings.Contains(body, `"c2"`) {
		t.Errorf("deadlines of 学院路 as 中关村: %s", body)
	}
}

// TestActorHeadersIgnored: the actor of a fact is the account that signed
// in, whatever X-Actor-* headers claim.
func TestActorHeadersIgnored(t *testing.T) {
	f := newFixture(t)
	headers := append(bearer(f.as(inspector)), "X-Actor-User", "mallory", "X-Actor-Role", "auditor", "X-Actor-Org", "审计局")
	res := f.ok("c1", "register", registerBody, headers...)
	want := domain.Actor{UserID: "inspector", Role: "inspector", Organisation: "市"}
	if got := res.Events[0].Actor; got != want {
		t.Errorf("actor %+v, want %+v", got, want)
	}
	stored, _ := f.store.ReadStream(t.Context(), domain.StreamID("c1"), domain.StreamQuery{})
	if len(stored) != 1 || stored[0].Actor != want {
		t.Errorf("stored %+v", stored)
	}
}

// TestAccountChangesAudited: account changes made through the API are in
// the accounts stream, each with the admin who made it, hashes only.
func TestAccountChangesAudited(t *testing.T) {
	f := newFixture(t)
	adm := bearer(f.as(admin))
	rec := f.do("POST", "/api/v1/accounts", `{"name":"wang","role":"street_office","district":"海淀","street":"中关村"}`, adm...)
	if rec.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	password := decode[map[string]string](t, rec)["password"]
	rec = f.do("POST", "/api/v1/accounts/wang/tokens", `{"expires_in_days":7}`, adm...)
	if rec.Code != http.StatusCreated {
		t.Fatalf("token: %d %s", rec.Code, rec.Body)
	}
	token := decode[tokenAnswer](t, rec).Token
	tokenID := decode[tokenAnswer](t, rec).TokenID
	if rec := f.do("DELETE", "/api/v1/accounts/wang/tokens/"+tokenID, nil, adm...); rec.Code != http.StatusNoContent {
		t.Fatalf("revoke: %d %s", rec.Code, rec.Body)
	}
	problemOf(t, f.do("GET", "/api/v1/me", nil, bearer(token)...), http.StatusUnauthorized)
	if rec := f.do("POST", "/api/v1/accounts/wang/role", `{"role":"community_worker","district":"海淀","street":"中关村","community":"东区"}`, adm...); rec.Code != http.StatusOK {
		t.Fatalf("role: %d %s", rec.Code, rec.Body)
	}
	rec = f.do("POST", "/api/v1/accounts/wang/password", nil, adm...)
	if rec.Code != http.StatusOK {
		t.Fatalf("password: %d %s", rec.Code, rec.Body)
	}
	reset := decode[map[string]string](t, rec)["password"]
	if got := decode[me](t, f.do("GET", "/api/v1/me", nil, cookieOf(t, f.signIn("wang", reset))...)); got.Role != community || got.Organisation != "东区社区" {
		t.Errorf("after the new role: %+v", got)
	}
	if rec := f.do("POST", "/api/v1/accounts/wang/disable", nil, adm...); rec.Code != http.StatusOK {
		t.Fatalf("disable: %d %s", rec.Code, rec.Body)
	}
	events, err := f.accountStore.ReadStream(t.Context(), domain.AccountsStream, domain.StreamQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if err := domain.VerifyChain(events); err != nil {
		t.Fatal(err)
	}
	var wang []string
	for _, e := range events {
		if !strings.Contains(string(e.Data), `"name":"wang"`) {
			continue
		}
		wang = append(wang, e.Type)
		if e.Actor != (domain.Actor{UserID: "admin", Role: "admin", Organisation: "市"}) {
			t.Errorf("%s recorded by %+v, want the admin", e.Type, e.Actor)
		}
		if strings.Contains(string(e.Data), password) || strings.Contains(string(e.Data), token) || strings.Contains(string(e.Data), reset) {
			t.Errorf("%s keeps a secret in clear: %s", e.Type, e.Data)
		}
	}
	if want := []string{"AccountCreated", "AccountPasswordChanged", "AccountTokenIssued", "AccountTokenRevoked", "AccountRoleGranted",
		"AccountPasswordChanged", "AccountDisabled"}; !slices.Equal(wang, want) {
		t.Errorf("events %v, want %v", wang, want)
	}
	// Bad input is a field error, not a half-made account.
	p := problemOf(t, f.do("POST", "/api/v1/accounts", `{"name":"li","role":"resident"}`, adm...), http.StatusBadRequest)
	hasViolation(t, p, "role", "account.role")
	hasViolation(t, problemOf(t, f.do("POST", "/api/v1/accounts", `{"name":"li","role":"street_office"}`, adm...), 400), "street", "account.scope_missing")
	problemOf(t, f.do("POST", "/api/v1/accounts", `{"name":"li","rol":"admin"}`, adm...), http.StatusBadRequest)
	problemOf(t, f.do("POST", "/api/v1/accounts/nobody/disable", nil, adm...), http.StatusNotFound)
	hasViolation(t, problemOf(t, f.do("POST", "/api/v1/accounts/admin/tokens", `{"expires_in_days":1000}`, adm...), 400), "expires_in_days", "token.expiry")
	hasViolation(t, problemOf(t, f.do("POST", "/api/v1/accounts/admin/role", `{"role":"auditor","street":"x"}`, adm...), 400), "street", "account.scope_extra")
	problemOf(t, f.do("DELETE", "/api/v1/accounts/admin/tokens/nothing", nil, adm...), http.StatusNotFound)
	problemOf(t, f.do("POST", "/api/v1/accounts/wang/tokens", nil, adm...), http.StatusUnprocessableEntity) // disabled
}

// signIn posts a sign-in and returns the answer.
func (f *fixture) signIn(name, password string, headers ...string) *httptest.ResponseRecorder {
	body, _ := json.Marshal(signInRequest{Name: name, Password: password})
	return f.do("POST", "/api/v1/session", body, append([]string{"Authorization", ""}, headers...)...)
}

// cookieOf is the session cookie an answer sets, as a request header pair.
func cookieOf(t *testing.T, rec *httptest.ResponseRecorder) []string {
	t.Helper()
	for _, c := range rec.Result().Cookies() {
		if c.Name == "casetrack_session" {
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
				t.Errorf("session cookie %+v: want HttpOnly, SameSite=Lax", c)
			}
			return []string{"Cookie", c.Name + "=" + c.Value}
		}
	}
	t.Fatalf("no session cookie: %v", rec.Header())
	return nil
}

// TestDisabledAccountStopsAtOnce: an account's session and token stop
// working on the next request after an admin disables it.
func TestDisabledAccountStopsAtOnce(t *testing.T) {
	f := newFixture(t)
	password, err := f.accounts.Create(t.Context(), system, "li", hotline, domain.Scope{}, "")
	if err != nil {
		t.Fatal(err)
	}
	rec := f.signIn("li", password)
	if rec.Code != http.StatusOK {
		t.Fatalf("sign-in: %d %s", rec.Code, rec.Body)
	}
	session := cookieOf(t, rec)
	rec = f.do("POST", "/api/v1/me/tokens", nil, session...)
	if rec.Code != http.StatusCreated {
		t.Fatalf("own token: %d %s", rec.Code, rec.Body)
	}
	token := bearer(decode[tokenAnswer](t, rec).Token)
	for _, creds := range [][]string{session, token} {
		if rec := f.do("GET", "/api/v1/me", nil, creds...); rec.Code != http.StatusOK || decode[me](t, rec).Name != "li" {
			t.Fatalf("before: %d %s", rec.Code, rec.Body)
		}
	}
	if rec := f.do("POST", "/api/v1/accounts/li/disable", nil, bearer(f.as(admin))...); rec.Code != http.StatusOK {
		t.Fatalf("disable: %d %s", rec.Code, rec.Body)
	}
	for _, creds := range [][]string{session, token} {
		problemOf(t, f.do("GET", "/api/v1/me", nil, creds...), http.StatusUnauthorized)
	}
	problemOf(t, f.signIn("li", password), http.StatusUnauthorized)
}

// TestSessionSignInAndOut: JSON and form bodies, sign-out ends the session.
func TestSessionSignInAndOut(t *testing.T) {
	f := newFixture(t)
	password, _ := f.accounts.Create(t.Context(), system, "zhao", auditor, domain.Scope{}, "")
	req := httptest.NewRequest("POST", "/api/v1/session", strings.NewReader(url.Values{"name": {"zhao"}, "password": {password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	serveChecked(t, f.srv, rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("form sign-in: %d %s", rec.Code, rec.Body)
	}
	session := cookieOf(t, rec)
	if got := decode[me](t, f.do("GET", "/api/v1/me", nil, session...)); got.Name != "zhao" || got.Via != "session" || got.Role != auditor {
		t.Errorf("me %+v", got)
	}
	if rec := f.do("DELETE", "/api/v1/session", nil, session...); rec.Code != http.StatusNoContent {
		t.Fatalf("sign-out: %d", rec.Code)
	}
	problemOf(t, f.do("GET", "/api/v1/me", nil, session...), http.StatusUnauthorized)
	p := problemOf(t, f.do("POST", "/api/v1/session", `{}`, "Authorization", ""), http.StatusBadRequest)
	hasViolation(t, p, "name", "field.required")
	hasViolation(t, p, "password", "field.required")
	problemOf(t, f.do("POST", "/api/v1/session", `{"name":"zhao","password":"x","remember":true}`, "Authorization", ""), 400)
}

// TestSignInLockout: repeated failures lock the account out, even for the
// right password, until the lockout has passed; a flood of names from one
// address locks the address.
func TestSignInLockout(t *testing.T) {
	f := newFixture(t)
	password, _ := f.accounts.Create(t.Context(), system, "chen", inspector, domain.Scope{}, "")
	for range DefaultLimits.SignInFailures {
		problemOf(t, f.signIn("chen", "guess"), http.StatusUnauthorized)
	}
	rec := f.signIn("chen", password)
	if p := problemOf(t, rec, http.StatusTooManyRequests); p.Code != domain.CodeRateLimited || rec.Header().Get("Retry-After") == "" {
		t.Errorf("locked: %+v %v", p, rec.Header())
	}
	f.wall = f.wall.Add(DefaultLimits.Lockout + time.Second)
	if rec := f.signIn("chen", password); rec.Code != http.StatusOK {
		t.Fatalf("after the lockout: %d %s", rec.Code, rec.Body)
	}

	for i := range 4 * DefaultLimits.SignInFailures {
		problemOf(t, f.signIn(fmt.Sprintf("nobody%d", i), "guess"), http.StatusUnauthorized)
	}
	problemOf(t, f.signIn("chen", password), http.StatusTooManyRequests) // the address is locked
}

// TestTokenExpiresAndIsLimited: a token stops at its expiry; a token's
// requests are limited per minute.
func TestTokenExpiresAndIsLimited(t *testing.T) {
	f := newFixture(t)
	f.as(admin)
	rec := f.do("POST", "/api/v1/accounts/admin/tokens", `{"expires_in_days":1}`, bearer(f.as(admin))...)
	if rec.Code != http.StatusCreated {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	short := bearer(decode[tokenAnswer](t, rec).Token)
	if rec := f.do("GET", "/api/v1/me", nil, short...); rec.Code != http.StatusOK {
		t.Fatalf("fresh token: %d", rec.Code)
	}
	f.wall = f.wall.Add(24*time.Hour + time.Second)
	problemOf(t, f.do("GET", "/api/v1/me", nil, short...), http.StatusUnauthorized)

	f.srv.setLimits(Limits{SignInFailures: 5, SignInWindow: time.Minute, Lockout: time.Minute, TokenRequests: 3})
	token := bearer(f.user("busy", hotline, domain.Scope{}))
	for range 3 {
		if rec := f.do("GET", "/api/v1/me", nil, token...); rec.Code != http.StatusOK {
			t.Fatalf("%d", rec.Code)
		}
	}
	problemOf(t, f.do("GET", "/api/v1/me", nil, token...), http.StatusTooManyRequests)
	f.wall = f.wall.Add(time.Minute)
	if rec := f.do("GET", "/api/v1/me", nil, token...); rec.Code != http.StatusOK {
		t.Fatalf("next minute: %d", rec.Code)
	}
}

// TestSecretsNeverLogged: passwords and tokens, right or wrong, appear in
// no log line; every request's line names its user.
func TestSecretsNeverLogged(t *testing.T) {
	f := newFixture(t)
	password, _ := f.accounts.Create(t.Context(), system, "sun", street, zgc, "")
	wrong := "Wrong-Password-Typed-1"
	f.signIn("sun", wrong)
	f.signIn(wrong, wrong) // a password typed into the name field
	session := cookieOf(t, f.signIn("sun", password))
	rec := f.do("POST", "/api/v1/me/tokens", nil, session...)
	token := decode[tokenAnswer](t, rec).Token
	f.do("GET", "/api/v1/me", nil, bearer(token)...)
	f.do("GET", "/api/v1/me", nil, bearer(token+"x")...)
	f.do("POST", "/api/v1/me/password", fmt.Sprintf(`{"current_password":%q,"new_password":"another-long-password"}`, password), session...)
	log := f.log.String()
	for _, secret := range []string{password, wrong, token, "another-long-password", strings.TrimPrefix(session[1], "casetrack_session=")} {
		if strings.Contains(log, secret) {
			t.Errorf("the log holds a secret %q:\n%s", secret, log)
		}
	}
	if !strings.Contains(log, "route=/api/v1/me status=200") || !strings.Contains(log, "user=sun role=street_office via=token") {
		t.Errorf("no access line naming the user:\n%s", log)
	}
}

// TestSecurityHeaders: every answer carries them; cross-site browser
// writes are refused.
func TestSecurityHeaders(t *testing.T) {
	f := newFixture(t)
	for _, rec := range []*httptest.ResponseRecorder{f.do("GET", "/healthz", nil), f.do("GET", "/api/v1/me", nil)} {
		h := rec.Header()
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "no-referrer" ||
			!strings.Contains(h.Get("Content-Security-Policy"), "default-src 'self'") || strings.Contains(h.Get("Content-Security-Policy"), "unsafe-inline") {
			t.Errorf("headers %v", h)
		}
	}
	if cc := f.do("GET", "/api/v1/me", nil).Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc)
	}
	rec := f.do("POST", "/api/v1/compounds/c1/register", registerBody, "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
	problemOf(t, rec, http.StatusForbidden)
}

// TestPersonalDataMasked: an inspector sees candidates without name, unit,
// birth date or background; a street office sees them; an auditor sees
// them and the read is logged.
func TestPersonalDataMasked(t *testing.T) {
	b, err := auth.MaskPersonal([]byte(`{"name":"阳光花园","committee":{"candidates":[{"candidate_id":"k1","name":"王芳","unit":"3-201",` +
		`"birth_date":"1970-01-01","background":{"party_member":true},"eligible":true}]},"position":9007199254740993}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, personal := range []string{"王芳", "3-201", "1970", "party_member"} {
		if strings.Contains(string(b), personal) {
			t.Errorf("%s not masked: %s", personal, b)
		}
	}
	if !strings.Contains(string(b), "阳光花园") || !strings.Contains(string(b), `"eligible":true`) || !strings.Contains(string(b), "9007199254740993") {
		t.Errorf("too much masked: %s", b)
	}

	f := newFixtureWithKeys(t)
	f.ok("c1", "register", registerBody)
	f.ok("c1", "apply-for-assembly", `{"applicants":30}`)
	f.ok("c1", "form-preparatory-group", `{"members":[{"name":"张三","role":"street","leader":true},{"name":"李四","role":"owner"},{"name":"王五","role":"owner"}],"posted":true}`)
	f.ok("c1", "nominate-candidate", `{"candidate_id":"k1","name":"王芳","unit":"3-201","birth_date":"1970-01-01","background":{"party_member":true}}`)
	for _, path := range []string{"/api/v1/compounds/c1", "/api/v1/compounds/c1/history"} {
		if body := f.do("GET", path, nil, bearer(f.as(inspector))...).Body.String(); strings.Contains(body, "王芳") || !strings.Contains(body, auth.Masked) {
			t.Errorf("%s as inspector: %s", path, body)
		}
		if body := f.do("GET", path, nil, bearer(f.as(street))...).Body.String(); !strings.Contains(body, "王芳") {
			t.Errorf("%s as street office: %s", path, body)
		}
		f.log.Reset()
		if body := f.do("GET", path, nil, bearer(f.as(auditor))...).Body.String(); !strings.Contains(body, "王芳") {
			t.Errorf("%s as auditor: %s", path, body)
		}
		if !strings.Contains(f.log.String(), `msg="personal data read" user=auditor`) {
			t.Errorf("auditor's read not logged: %s", f.log)
		}
	}
}

// TestOwnTokens: anyone makes and revokes tokens of their own account, and
// only of their own.
func TestOwnTokens(t *testing.T) {
	f := newFixture(t)
	own := bearer(f.as(hotline))
	rec := f.do("POST", "/api/v1/me/tokens", `{"expires_in_days":3}`, own...)
	if rec.Code != http.StatusCreated {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	second := decode[tokenAnswer](t, rec)
	if !second.ExpiresAt.Equal(f.wall.Add(72*time.Hour).UTC()) || second.Account != "hotline" {
		t.Errorf("token %+v", second)
	}
	rec = f.do("GET", "/api/v1/accounts", nil, bearer(f.as(auditor))...)
	if !strings.Contains(rec.Body.String(), second.TokenID) || strings.Contains(rec.Body.String(), second.Token) || strings.Contains(rec.Body.String(), "argon2") {
		t.Errorf("accounts list: %s", rec.Body)
	}
	problemOf(t, f.do("DELETE", "/api/v1/me/tokens/"+second.TokenID, nil, bearer(f.as(inspector))...), http.StatusNotFound)
	if rec := f.do("DELETE", "/api/v1/me/tokens/"+second.TokenID, nil, own...); rec.Code != http.StatusNoContent {
		t.Fatalf("revoke: %d %s", rec.Code, rec.Body)
	}
	problemOf(t, f.do("GET", "/api/v1/me", nil, bearer(second.Token)...), http.StatusUnauthorized)
	if rec := f.do("GET", "/api/v1/me", nil, own...); rec.Code != http.StatusOK {
		t.Errorf("the other token stopped too: %d", rec.Code)
	}
	hasViolation(t, problemOf(t, f.do("POST", "/api/v1/me/tokens", `{"expires_in_days":-1}`, own...), 400), "expires_in_days", "token.expiry")
	problemOf(t, f.do("POST", "/api/v1/me/tokens", `{"expires_in_days":"soon"}`, own...), 400)
	hasViolation(t, problemOf(t, f.do("POST", "/api/v1/me/password", `{"current_password":"wrong","new_password":"long enough password"}`, own...), 400),
		"current_password", "account.password_wrong")
}
