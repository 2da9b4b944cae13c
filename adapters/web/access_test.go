package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections/directory"
)

// elsewhere is a compound of a street other than C0001's, and C0001's entry.
func elsewhere(t *testing.T, c *city) (home, other directory.Entry) {
	t.Helper()
	c.directory.Read(func(m *directory.Model) {
		home, _ = m.Get("C0001")
		for _, e := range m.List(directory.Filter{}) {
			if e.Street != home.Street && other.ID == "" {
				other = e
			}
		}
	})
	if other.ID == "" {
		t.Fatal("the test city has one street only")
	}
	return home, other
}

// A street office sees its own street only: another street's compound,
// its history, its workspace and its figures' explanation are refused with
// a page saying so; lists and the compound table hold only its compounds.
func TestPagesKeepToScope(t *testing.T) {
	c := newCity(t)
	home, other := elsewhere(t, c)
	for _, path := range []string{"/compounds/" + other.ID, "/compounds/" + other.ID + "/commands/receive-complaint",
		"/history?compound=" + other.ID, "/street?street=" + url.QueryEscape(other.District+"/"+other.Street),
		"/explain?period=2025&level=street&unit=" + url.QueryEscape(other.District+"/"+other.Street),
		"/explain?period=2025&level=compound&unit=" + other.ID, "/dashboard?period=2025&level=compound&unit=" + other.ID} {
		status, h, body := get(t, c.url+path)
		if status != http.StatusForbidden || !strings.Contains(h.Get("Content-Type"), "text/html") || !strings.Contains(body, "无权访问") {
			t.Errorf("GET %s as the street office: %d %s, want the 403 page", path, status, h.Get("Content-Type"))
		}
	}
	for _, path := range []string{"/street", "/history", "/dashboard?period=2025&level=compound"} {
		_, _, body := get(t, c.url+path)
		if strings.Contains(body, other.ID) || strings.Contains(body, other.Name) {
			t.Errorf("GET %s as the street office shows %s of another street", path, other.ID)
		}
		if !strings.Contains(body, home.Name) {
			t.Errorf("GET %s as the street office does not show its own %s", path, home.Name)
		}
	}
	// City-wide roles reach every compound.
	for _, role := range []string{"inspector", "auditor"} {
		if status, _, _ := get(t, c.url+"/compounds/"+other.ID, as(role)...); status != http.StatusOK {
			t.Errorf("GET /compounds/%s as %s: %d", other.ID, role, status)
		}
	}
	// A form post is authorized by the command's roles, as the API's.
	form := url.Values{"complaint_id": {"X1"}}
	if status, _, _ := post(t, c.url+"/compounds/C0001/commands/flag-conflict", form); status != http.StatusForbidden {
		t.Errorf("street office flags a conflict through a form: %d, want 403", status)
	}
	if status, _, _ := post(t, c.url+"/compounds/"+other.ID+"/commands/receive-complaint", form); status != http.StatusForbidden {
		t.Errorf("street office posts to another street's compound: %d, want 403", status)
	}
}

// Candidates' personal data is masked on the pages for roles that do not
// vet candidates, as the API masks it.
func TestPagesMaskPersonalData(t *testing.T) {
	c := newCity(t)
	var id, name string
	all, err := c.store.ReadAll(context.Background(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range all {
		if e.Type == "CandidateNominated" {
			var d struct{ Name string }
			if json.Unmarshal(e.Data, &d) == nil && d.Name != "" {
				id, name = strings.TrimPrefix(e.StreamID, "compound-"), d.Name
				break
			}
		}
	}
	if id == "" {
		t.Fatal("no candidate in the test city")
	}
	if _, _, body := get(t, c.url+"/compounds/"+id, as("inspector")...); strings.Contains(body, name) || !strings.Contains(body, "***") {
		t.Errorf("the inspector sees candidate %s on /compounds/%s", name, id)
	}
	if _, _, body := get(t, c.url+"/compounds/"+id, as("auditor")...); !strings.Contains(body, name) {
		t.Errorf("the auditor does not see candidate %s on /compounds/%s", name, id)
	}
}

// Nobody signed in is sent to the sign-in page, which comes back to the
// page asked for; a wrong password says so, too many lock the account
// out as POST /api/v1/session does; signing out ends the session.
func TestPagesSignInAndOut(t *testing.T) {
	c := newCity(t)
	status, h, _ := get(t, c.url+"/dashboard?period=2025", as("")...)
	if status != http.StatusSeeOther || h.Get("Location") != "/sign-in?next="+url.QueryEscape("/dashboard?period=2025") {
		t.Fatalf("anonymous /dashboard: %d to %q, want 303 to the sign-in page", status, h.Get("Location"))
	}
	if status, h, _ := get(t, c.url+"/nowhere", as("")...); status != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/sign-in") {
		t.Errorf("anonymous /nowhere: %d, want 303 to the sign-in page", status)
	}
	signIn := func(name, pw, next string) (int, http.Header, string) {
		return post(t, c.url+"/sign-in", url.Values{"name": {name}, "password": {pw}, "next": {next}}, as("")...)
	}
	if status, _, body := signIn("inspector", "wrong-password", "/"); status != http.StatusUnauthorized || !strings.Contains(body, "用户名或密码不正确") {
		t.Errorf("wrong password: %d, want 401 with the message", status)
	}
	status, h, _ = signIn("inspector", password, "/dashboard?period=2025")
	cookie := h.Get("Set-Cookie")
	if status != http.StatusSeeOther || h.Get("Location") != "/dashboard?period=2025" || !strings.Contains(cookie, "casetrack_session=") {
		t.Fatalf("sign-in: %d to %q, cookie %q", status, h.Get("Location"), cookie)
	}
	session := strings.Split(cookie, ";")[0]
	if status, _, body := get(t, c.url+"/dashboard?period=2025", "Authorization", "", "Cookie", session); status != http.StatusOK ||
		!strings.Contains(body, "inspector") {
		t.Errorf("signed-in dashboard: %d", status)
	}
	// Another site's address is never where sign-in leads.
	if _, h, _ := signIn("auditor", password, "//evil.example/"); h.Get("Location") != "/" {
		t.Errorf("next=//evil.example/ leads to %q", h.Get("Location"))
	}
	if status, h, _ := post(t, c.url+"/sign-out", nil, "Authorization", "", "Cookie", session); status != http.StatusSeeOther || h.Get("Location") != "/sign-in" {
		t.Errorf("sign-out: %d to %q", status, h.Get("Location"))
	}
	if status, _, _ := get(t, c.url+"/dashboard", "Authorization", "", "Cookie", session); status != http.StatusSeeOther {
		t.Errorf("after sign-out the old session still reads the dashboard: %d", status)
	}
	for range 5 {
		signIn("hotline", "wrong-password", "/")
	}
	if status, h, body := signIn("hotline", password, "/"); status != http.StatusTooManyRequests || h.Get("Retry-After") == "" ||
		!strings.Contains(body, "登录失败次数过多") {
		t.Errorf("after 5 failures: %d, want 429 with Retry-After and the message", status)
	}
}

// Forms and sign-in refuse cross-site posts (the API's
// http.CrossOriginProtection covers the pages).
func TestFormsRefuseCrossSite(t *testing.T) {
	c := newCity(t)
	form := url.Values{"complaint_id": {"X-CSRF"}, "channel": {"hotline"}}
	for _, path := range []string{"/compounds/C0001/commands/receive-complaint", "/sign-in", "/sign-out"} {
		for _, h := range [][]string{{"Sec-Fetch-Site", "cross-site"}, {"Origin", "https://evil.example"}} {
			if status, _, _ := post(t, c.url+path, form, h...); status != http.StatusForbidden {
				t.Errorf("POST %s with %s: %s: %d, want 403", path, h[0], h[1], status)
			}
		}
	}
	events, err := c.store.ReadStream(context.Background(), domain.StreamID("C0001"), domain.StreamQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		if strings.Contains(string(e.Data), "X-CSRF") {
			t.Fatal("a cross-site form post was recorded")
		}
	}
}

// The case file shows a complainant's name and phone to the street office
// and the community worker of the compound, to no other role, and 已删除
// once the complainant is forgotten.
func TestPagesShowComplainantsToTheirOffice(t *testing.T) {
	c := newCity(t)
	ctx := context.Background()
	all, err := c.store.ReadAll(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var who domain.Personal
	for _, e := range all {
		if e.StreamID == domain.StreamID("C0001") && e.Type == "ComplaintReceived" {
			ev, err := e.Decode()
			if err != nil {
				t.Fatal(err)
			}
			if p := ev.(domain.ComplaintReceived).Complainant; p.Sealed != "" {
				who = p
				break
			}
		}
	}
	if who.Subject == "" {
		t.Fatal("no complaint of C0001 names its resident")
	}
	opened, err := c.personal.Open(ctx, app.Reader{User: "test", Role: "test", Purpose: "test"}, []domain.Personal{who})
	if err != nil {
		t.Fatal(err)
	}
	name, phone := opened[0].Fields[domain.FieldName], opened[0].Fields[domain.FieldPhone]
	page := c.url + "/compounds/C0001"
	for _, role := range []string{"street_office", "community_worker"} {
		if _, _, body := get(t, page, as(role)...); !strings.Contains(body, name+" "+phone) {
			t.Errorf("the %s does not see %s %s on the case file", role, name, phone)
		}
	}
	for _, role := range []string{"inspector", "auditor", "hotline"} {
		if _, _, body := get(t, page, as(role)...); strings.Contains(body, phone) || !strings.Contains(body, "不可见") {
			t.Errorf("the %s sees the phone, or no hidden mark, on the case file", role)
		}
	}
	req, err := http.NewRequest("POST", c.url+"/api/v1/subjects/"+who.Subject+"/forget", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set(as("admin")[0], as("admin")[1])
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("forget: %s", res.Status)
	}
	if _, _, body := get(t, page, as("street_office")...); strings.Contains(body, phone) || !strings.Contains(body, "已删除") {
		t.Error("after forget the street office still sees the phone, or no 已删除")
	}
}
