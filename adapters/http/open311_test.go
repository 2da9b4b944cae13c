package http

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/casetrack/casetrack/domain"
)

// post311 posts an Open311 form with the hotline's api_key (and no Authorization).
func (f *fixture) post311(path string, form url.Values, headers ...string) *httptest.ResponseRecorder {
	f.t.Helper()
	return f.do("POST", path, form.Encode(), append([]string{"Content-Type", "application/x-www-form-urlencoded", "Authorization", ""}, headers...)...)
}

// keysOf are the member names of each object of a JSON array.
func keysOf(t *testing.T, body []byte) [][]string {
	t.Helper()
	var list []map[string]json.RawMessage
	if err := json.Unmarshal(body, &list); err != nil {
		t.Fatalf("not a JSON array of objects: %v\n%s", err, body)
	}
	var out [][]string
	for _, o := range list {
		var keys []string
		for k := range o {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		out = append(out, keys)
	}
	return out
}

// The members of GeoReport v2's examples (GET services, POST requests,
// GET requests), sorted.
var (
	serviceKeys = []string{"description", "group", "keywords", "metadata", "service_code", "service_name", "type"}
	postedKeys  = []string{"account_id", "service_notice", "service_request_id"}
	requestKeys = []string{"address", "address_id", "agency_responsible", "description", "expected_datetime", "lat", "long", "media_url",
		"requested_datetime", "service_code", "service_name", "service_notice", "service_request_id", "status", "status_notes",
		"updated_datetime", "zipcode"}
)

func TestOpen311Services(t *testing.T) {
	f, _ := servedFixture(t)
	rec := f.do("GET", "/open311/v2/services.json", nil, "Authorization", "") // public: the categories are no secret
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	keys := keysOf(t, rec.Body.Bytes())
	if len(keys) != len(domain.Vocabularies()["ComplaintCategory"]) || !slices.Equal(keys[0], serviceKeys) {
		t.Fatalf("services %v", keys)
	}
	var services []service311
	_ = json.Unmarshal(rec.Body.Bytes(), &services)
	if services[0].ServiceCode != "service_quality" || services[0].ServiceName != "服务质量" || services[0].Type != "realtime" {
		t.Errorf("first service %+v", services[0])
	}
	rec = f.do("GET", "/open311/v2/services.xml", nil, "Authorization", "")
	var doc struct {
		XMLName  xml.Name     `xml:"services"`
		Services []service311 `xml:"service"`
	}
	if err := xml.Unmarshal(rec.Body.Bytes(), &doc); err != nil || !strings.HasPrefix(rec.Body.String(), `<?xml version="1.0" encoding="UTF-8"?>`) ||
		!slices.Equal(doc.Services, services) {
		t.Fatalf("services.xml: %v\n%s", err, rec.Body)
	}
}

// A request posted through Open311 is a complaint of the online channel
// on its compound, counts in the league tables, and is tracked through
// its handling as a service request.
func TestOpen311RequestBecomesAComplaint(t *testing.T) {
	f, feed := servedFixture(t)
	f.ok("c1", "register", registerBody)
	f.ok("c2", "register", strings.Replace(registerBody, `"property_company"`, `"latitude":"30.274085","longitude":"120.155070","property_company"`, 1))
	feed()
	year := f.now.In(domain.China).Year()
	complaintsOf := func() float64 {
		rec := f.do("GET", fmt.Sprintf("/api/v1/league/compound?period=%d&explain=1&unit=c1", year), nil, bearer(f.as(inspector))...)
		for _, m := range decode[tableJSON](t, rec).Rows[0].Metrics {
			if m.Key == "complaints_per_1000" {
				return float64(len(m.Explain.Numerator))
			}
		}
		t.Fatalf("no complaints_per_1000 in %s", rec.Body)
		return 0
	}
	before := complaintsOf()

	key := f.as(hotline)
	rec := f.post311("/open311/v2/requests.json", url.Values{"api_key": {key}, "service_code": {"parking"}, "address_id": {"c1"},
		"description": {"车位被长期占用"}, "first_name": {"张"}, "phone": {"13800000000"}})
	if rec.Code != 201 || !slices.Equal(keysOf(t, rec.Body.Bytes())[0], postedKeys) {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	var posted []struct {
		ID        string  `json:"service_request_id"`
		Notice    string  `json:"service_notice"`
		AccountID *string `json:"account_id"`
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &posted)
	compound, complaint, ok := strings.Cut(posted[0].ID, "~")
	if !ok || compound != "c1" || !strings.Contains(posted[0].Notice, "reply due by") || posted[0].AccountID != nil {
		t.Fatalf("posted %+v", posted)
	}
	feed()

	// The complaint on the compound: online channel, recorded by the hotline account, no personal data.
	c, _, err := f.srv.svc.Load(t.Context(), "c1", domain.StreamQuery{})
	if err != nil {
		t.Fatal(err)
	}
	k, found := c.Complaint(complaint)
	if !found || k.Channel != domain.ChannelOnline || k.Category != domain.CategoryParking || k.Summary != "车位被长期占用" {
		t.Fatalf("complaint %+v", k)
	}
	all, _ := f.store.ReadAll(t.Context(), 0, 0)
	last := all[len(all)-1]
	if last.Actor.UserID != "hotline" || strings.Contains(string(last.Data), "13800000000") || strings.Contains(string(last.Data), "张") {
		t.Errorf("recorded by %+v: %s", last.Actor, last.Data)
	}
	if got := complaintsOf(); got != before+1 {
		t.Errorf("league: %v complaints counted, want %v", got, before+1)
	}

	// Tracked: open, then closed once resolved.
	get := func(path string) request311 {
		t.Helper()
		rec := f.do("GET", path+"?api_key="+url.QueryEscape(key), nil, "Authorization", "")
		if rec.Code != 200 || len(keysOf(t, rec.Body.Bytes())) != 1 {
			t.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
		}
		var list []request311
		_ = json.Unmarshal(rec.Body.Bytes(), &list)
		return list[0]
	}
	r := get("/open311/v2/requests/" + posted[0].ID + ".json")
	if r.Status != "open" || r.StatusNotes != "已受理 / Received" || r.ServiceCode != "parking" || r.AddressID != "c1" ||
		!strings.Contains(r.Address, "阳光花园") || r.Description != "车位被长期占用" {
		t.Fatalf("request %+v", r)
	}
	f.ok("c1", "dispatch-complaint", `{"complaint_id":"`+complaint+`","unit":"甲物业"}`, bearer(key)...)
	f.ok("c1", "accept-complaint", `{"complaint_id":"`+complaint+`"}`, bearer(f.as(street))...)
	f.ok("c1", "resolve-complaint", `{"complaint_id":"`+complaint+`","outcome":"已清理"}`, bearer(f.as(street))...)
	feed()
	if r = get("/open311/v2/requests/" + posted[0].ID + ".json"); r.Status != "closed" || r.AgencyResponsible != "甲物业" || r.StatusNotes != "已办结 / Resolved" {
		t.Fatalf("resolved request %+v", r)
	}

	// By coordinates: the compound registered with them, within 500 m.
	rec = f.post311("/open311/v2/requests.xml", url.Values{"api_key": {key}, "service_code": {"fees"}, "lat": {"30.2745"}, "long": {"120.1551"},
		"description": {"物业费上涨"}})
	var xmlPosted struct {
		Requests []struct {
			ID string `xml:"service_request_id"`
		} `xml:"request"`
	}
	if err := xml.Unmarshal(rec.Body.Bytes(), &xmlPosted); rec.Code != 201 || err != nil || !strings.HasPrefix(xmlPosted.Requests[0].ID, "c2~") {
		t.Fatalf("by coordinates: %d %v %s", rec.Code, err, rec.Body)
	}
	feed()
	// Lists: filtered by service and status, in XML with every member of the standard's example.
	rec = f.do("GET", "/open311/v2/requests.xml?status=open&service_code=fees,parking&api_key="+url.QueryEscape(key), nil, "Authorization", "")
	var listed struct {
		Requests []request311 `xml:"request"`
	}
	if err := xml.Unmarshal(rec.Body.Bytes(), &listed); err != nil || len(listed.Requests) != 1 || listed.Requests[0].Lat != "30.274085" ||
		listed.Requests[0].ServiceName != "物业费" {
		t.Fatalf("open list: %v %s", err, rec.Body)
	}
	for _, tag := range requestKeys {
		if !strings.Contains(rec.Body.String(), "<"+tag+">") && !strings.Contains(rec.Body.String(), "<"+tag+"></"+tag+">") {
			t.Errorf("XML request lacks <%s>: %s", tag, rec.Body)
		}
	}
	rec = f.do("GET", "/open311/v2/requests.json?status=closed&api_key="+url.QueryEscape(key), nil, "Authorization", "")
	if keys := keysOf(t, rec.Body.Bytes()); len(keys) != 1 {
		t.Fatalf("closed list: %s", rec.Body)
	}
	rec = f.do("GET", "/open311/v2/requests.json?service_request_id="+url.QueryEscape(posted[0].ID+","+xmlPosted.Requests[0].ID)+"&api_key="+url.QueryEscape(key), nil, "Authorization", "")
	withoutPlace := slices.DeleteFunc(slices.Clone(requestKeys), func(k string) bool { return k == "lat" || k == "long" })
	if keys := keysOf(t, rec.Body.Bytes()); len(keys) != 2 || !slices.Equal(keys[0], withoutPlace) || !slices.Equal(keys[1], requestKeys) {
		t.Fatalf("by IDs: %v %s", keys, rec.Body)
	}
}

// Every refusal comes in GeoReport's error format, in the format asked
// for, and none moves the log.
func TestOpen311Hostile(t *testing.T) {
	f, feed := servedFixture(t)
	f.ok("c1", "register", registerBody)
	feed()
	key := f.as(hotline)
	form := func(kv ...string) url.Values {
		v := url.Values{"api_key": {key}, "service_code": {"parking"}, "address_id": {"c1"}, "description": {"x"}}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == "" {
				v.Del(kv[i])
			} else {
				v.Set(kv[i], kv[i+1])
			}
		}
		return v
	}
	head := f.head()
	for _, tc := range []struct {
		name, method, path string
		form               url.Values
		headers            []string
		status             int
		want               string
	}{
		{"no api_key", "POST", "/open311/v2/requests.json", form("api_key", ""), nil, 401, "send api_key"},
		{"forged api_key", "POST", "/open311/v2/requests.json", form("api_key", "forged"), nil, 401, ""},
		{"auditor's key", "POST", "/open311/v2/requests.json", form("api_key", f.as(auditor)), nil, 403, "forbidden"},
		{"street office's key", "GET", "/open311/v2/requests.json", nil, nil, 403, "forbidden"},
		{"unknown service", "POST", "/open311/v2/requests.json", form("service_code", "potholes"), nil, 400, "open311.service_code"},
		{"two services", "POST", "/open311/v2/requests.json", form("service_code", "parking,fees"), nil, 400, "open311.service_code"},
		{"no service", "POST", "/open311/v2/requests.json", form("service_code", ""), nil, 400, "field.required"},
		{"no description", "POST", "/open311/v2/requests.json", form("description", " "), nil, 400, "description"},
		{"long description", "POST", "/open311/v2/requests.json", form("description", strings.Repeat("长", 1001)), nil, 400, "description is 1001 characters long"},
		{"control characters", "POST", "/open311/v2/requests.json", form("description", "a\x1b[2Jb"), nil, 400, "text.control_character"},
		{"no place", "POST", "/open311/v2/requests.json", form("address_id", "", "address_string", "东湖路1号"), nil, 400, "open311.location"},
		{"unknown compound", "POST", "/open311/v2/requests.json", form("address_id", "nowhere"), nil, 404, "not registered"},
		{"bad compound ID", "POST", "/open311/v2/requests.json", form("address_id", "../x"), nil, 400, "compound.id_format"},
		{"bad coordinates", "POST", "/open311/v2/requests.json", form("address_id", "", "lat", "north", "long", "1"), nil, 400, "open311.coordinates"},
		{"no compound near", "POST", "/open311/v2/requests.json", form("address_id", "", "lat", "30", "long", "120"), nil, 400, "open311.no_compound_near"},
		{"media", "POST", "/open311/v2/requests.json", form("media_url", "http://x/y.jpg"), nil, 400, "open311.media"},
		{"unknown parameter", "POST", "/open311/v2/requests.json", form("attribute[x]", "1"), nil, 400, "param.unknown"},
		{"repeated parameter", "POST", "/open311/v2/requests.json?service_code=fees", form(), nil, 400, "param.repeated"},
		{"bad encoding", "POST", "/open311/v2/requests.json?%zz=1", form(), nil, 400, "param.encoding"},
		{"JSON body", "POST", "/open311/v2/requests.json?api_key=" + key, url.Values{}, []string{"Content-Type", "application/json"}, 415, "x-www-form-urlencoded"},
		{"XML errors", "POST", "/open311/v2/requests.xml", form("service_code", "potholes"), nil, 400, "<errors><error><code>400</code>"},
		{"bad status", "GET", "/open311/v2/requests.json?status=pending&api_key=" + key, nil, nil, 400, "open311.status"},
		{"bad date", "GET", "/open311/v2/requests.json?start_date=yesterday&api_key=" + key, nil, nil, 400, "param.time"},
		{"dates reversed", "GET", "/open311/v2/requests.json?start_date=2025-02-01&end_date=2025-01-01&api_key=" + key, nil, nil, 400, "param.range"},
		{"bad request ID", "GET", "/open311/v2/requests.json?service_request_id=c1&api_key=" + key, nil, nil, 400, "open311.request_id"},
		{"unknown request", "GET", "/open311/v2/requests/c1~nope.json?api_key=" + key, nil, nil, 404, "no service request"},
		{"request without format", "GET", "/open311/v2/requests/c1~nope?api_key=" + key, nil, nil, 404, "ID.json"},
		{"request with a dotted ID", "GET", "/open311/v2/requests/c1~no.pe.xml?api_key=" + key, nil, nil, 404, "no service request c1~no.pe"},
		{"malformed request ID", "GET", "/open311/v2/requests/%00.xml?api_key=" + key, nil, nil, 400, "open311.request_id"},
		{"services with a parameter", "GET", "/open311/v2/services.json?page=2", nil, nil, 400, "param.unknown"},
		{"no such resource", "GET", "/open311/v2/discovery.json?api_key=" + key, nil, nil, 404, "not_found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.t = t
			var rec *httptest.ResponseRecorder
			switch {
			case tc.method == "POST":
				rec = f.do("POST", tc.path, tc.form.Encode(), append([]string{"Content-Type", "application/x-www-form-urlencoded", "Authorization", ""}, tc.headers...)...)
			case strings.Contains(tc.name, "street office"):
				rec = f.do("GET", tc.path, nil, bearer(f.as(street))...)
			default:
				rec = f.do("GET", tc.path, nil, "Authorization", "")
			}
			if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.want) {
				t.Fatalf("%d, want %d with %q: %s", rec.Code, tc.status, tc.want, rec.Body)
			}
			if strings.HasSuffix(strings.SplitN(tc.path, "?", 2)[0], ".xml") {
				var doc struct {
					Errors []error311 `xml:"error"`
				}
				if err := xml.Unmarshal(rec.Body.Bytes(), &doc); err != nil || len(doc.Errors) == 0 || doc.Errors[0].Code != tc.status {
					t.Fatalf("not GeoReport XML errors: %v %s", err, rec.Body)
				}
			} else {
				var errs []error311
				if err := json.Unmarshal(rec.Body.Bytes(), &errs); err != nil || len(errs) == 0 || errs[0].Code != tc.status || errs[0].Description == "" {
					t.Fatalf("not GeoReport errors: %v %s", err, rec.Body)
				}
			}
			if h := f.head(); h != head {
				t.Fatalf("the log moved from %d to %d", head, h)
			}
		})
	}
}
