package http

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/labels"
	"github.com/casetrack/casetrack/projections"
	"github.com/casetrack/casetrack/projections/complaints"
	"github.com/casetrack/casetrack/projections/directory"
)

// Open311 GeoReport v2, the civic-reporting standard of 12345-style
// hotlines: the complaint categories as services, complaints as service
// requests, in JSON or XML by the resource's extension. A request posted
// here is a complaint received through the online channel, recorded by
// the account of its api_key (a hotline account's API token). Errors come
// in GeoReport's format, [{"code":…,"description":…}], from Error.
//
// Service request IDs are the compound ID and the complaint ID joined by
// "~" (neither may hold it), so that every complaint of the city, whatever
// its channel, has one.
//
// Not mapped: first_name, last_name, phone, email, device_id and
// account_id are accepted, as the standard asks, but not recorded
// (complaints hold no complainant data yet); media_url and attributes are
// not taken.

const (
	open311Prefix = "/open311/v2"
	// nearWithin is how close lat and long must be to a compound's
	// coordinates to place a request there.
	nearWithin = 500.0 // metres
	// requestsLimit and requestsSpan are the standard's default window of
	// GET requests: the first 1,000 requests, of the last 90 days.
	requestsLimit = 1000
	requestsSpan  = 90 * 24 * time.Hour
)

// WithComplaints serves the Open311 API from the complaints read model.
func WithComplaints(runner *projections.Runner[*complaints.Model]) Option {
	return func(s *Server) {
		s.complaints = runner
		for _, ext := range []string{".json", ".xml"} {
			s.handle("GET", open311Prefix+"/services"+ext, api{summary: "Open311 GeoReport v2: the complaint categories as services",
				query: []string{"jurisdiction_id"}, answer: []service311{}, open311: true}, s.handleServices)
			s.handle("GET", open311Prefix+"/requests"+ext, api{summary: "Open311 GeoReport v2: service requests (complaints)",
				query:  []string{"api_key", "jurisdiction_id", "service_request_id", "service_code", "status", "start_date", "end_date"},
				answer: []request311{}, open311: true}, s.handleRequests)
			s.handle("POST", open311Prefix+"/requests"+ext, api{summary: "Open311 GeoReport v2: a complaint received online (a form)",
				query: []string{"api_key", "jurisdiction_id"}, status: []int{http.StatusCreated}, open311: true}, s.handlePostRequest)
		}
		s.handle("GET", open311Prefix+"/requests/{file}", api{summary: "Open311 GeoReport v2: one service request ({id}.json or .xml)",
			query: []string{"api_key", "jurisdiction_id"}, answer: []request311{}, open311: true}, s.handleRequest)
	}
}

// isOpen311 reports whether a request is for the Open311 API.
func isOpen311(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, open311Prefix+"/") }

// open311Format is the format a path asks for: xml by its extension, else json.
func open311Format(path string) string {
	if strings.HasSuffix(path, ".xml") {
		return "xml"
	}
	return "json"
}

type service311 struct {
	ServiceCode string `json:"service_code" xml:"service_code"`
	ServiceName string `json:"service_name" xml:"service_name"`
	Description string `json:"description" xml:"description"`
	Metadata    bool   `json:"metadata" xml:"metadata"`
	Type        string `json:"type" xml:"type"`
	Keywords    string `json:"keywords" xml:"keywords"`
	Group       string `json:"group" xml:"group"`
}

// handleServices lists the complaint categories, named from the label table.
func (s *Server) handleServices(w http.ResponseWriter, r *http.Request) {
	p := newParams(r, "jurisdiction_id")
	if err := p.err(); err != nil {
		s.Error(w, r, err)
		return
	}
	var out []service311
	for _, code := range domain.Vocabularies()["ComplaintCategory"] {
		out = append(out, service311{ServiceCode: code, ServiceName: labels.Of(labels.ZH, labels.ComplaintCategory, code),
			Description: labels.Of(labels.EN, labels.ComplaintCategory, code), Type: "realtime", Keywords: code,
			Group: labels.Of(labels.ZH, labels.Word, "app")})
	}
	s.respond311(w, r, http.StatusOK, "services", "service", out)
}

type request311 struct {
	ServiceRequestID  string      `json:"service_request_id" xml:"service_request_id"`
	Status            string      `json:"status" xml:"status"`
	StatusNotes       string      `json:"status_notes" xml:"status_notes"`
	ServiceName       string      `json:"service_name" xml:"service_name"`
	ServiceCode       string      `json:"service_code" xml:"service_code"`
	Description       string      `json:"description" xml:"description"`
	AgencyResponsible string      `json:"agency_responsible" xml:"agency_responsible"`
	ServiceNotice     string      `json:"service_notice" xml:"service_notice"`
	RequestedDatetime string      `json:"requested_datetime" xml:"requested_datetime"`
	UpdatedDatetime   string      `json:"updated_datetime" xml:"updated_datetime"`
	ExpectedDatetime  string      `json:"expected_datetime" xml:"expected_datetime"`
	Address           string      `json:"address" xml:"address"`
	AddressID         string      `json:"address_id" xml:"address_id"`
	Zipcode           string      `json:"zipcode" xml:"zipcode"`
	Lat               json.Number `json:"lat,omitempty" xml:"lat,omitempty"`
	Long              json.Number `json:"long,omitempty" xml:"long,omitempty"`
	MediaURL          string      `json:"media_url" xml:"media_url"`
}

// requestOf maps a complaint to a service request: open until resolved,
// closed once resolved, followed up or voided; the notes say where it
// stands in the complaint's own words.
func requestOf(e complaints.Entry, place directory.Entry) request311 {
	status, en, zh := "open", labels.Of(labels.EN, labels.ComplaintState, string(e.State)), labels.Of(labels.ZH, labels.ComplaintState, string(e.State))
	if e.Voided {
		en, zh = labels.Of(labels.EN, labels.Event, "ComplaintVoided"), labels.Of(labels.ZH, labels.Event, "ComplaintVoided")
	}
	if !e.Open() {
		status = "closed"
	}
	stamp := func(t time.Time) string { return t.In(domain.China).Format(time.RFC3339) }
	out := request311{ServiceRequestID: e.CompoundID + "~" + e.ComplaintID, Status: status, StatusNotes: zh + " / " + en,
		ServiceName: labels.Of(labels.ZH, labels.ComplaintCategory, string(e.Category)), ServiceCode: string(e.Category),
		Description: e.Summary, AgencyResponsible: e.Unit, RequestedDatetime: stamp(e.ReceivedAt), UpdatedDatetime: stamp(e.UpdatedAt),
		ExpectedDatetime: stamp(e.ReplyDue), AddressID: e.CompoundID}
	if place.Name != "" {
		out.Address = place.District + place.Street + place.Community + " " + place.Name
	}
	if place.Latitude != 0 || place.Longitude != 0 {
		out.Lat, out.Long = json.Number(place.Latitude.String()), json.Number(place.Longitude.String())
	}
	return out
}

// handleRequests lists service requests: service_request_id (several,
// comma-separated: all other filters are then ignored), service_code
// (several), status (open, closed), start_date and end_date; by default
// the last 90 days, at most 1,000, newest first.
func (s *Server) handleRequests(w http.ResponseWriter, r *http.Request) {
	p := newParams(r, "api_key", "jurisdiction_id", "service_request_id", "service_code", "status", "start_date", "end_date")
	f := complaints.Filter{Limit: requestsLimit}
	if ids := p.q.Get("service_request_id"); ids != "" {
		f.Keys = map[string]bool{}
		for id := range strings.SplitSeq(ids, ",") {
			compound, complaint, ok := splitRequestID(strings.TrimSpace(id))
			if !ok {
				p.fail("service_request_id", "open311.request_id", "must be COMPOUND~COMPLAINT IDs, comma-separated", "须为以逗号分隔的“小区编号~工单号”")
				break
			}
			f.Keys[complaints.Key(compound, complaint)] = true
		}
	} else {
		f.Categories = p.categories("service_code")
		f.Open = p.open311Status("status")
		f.From, f.To = p.time("start_date", false), p.time("end_date", true)
		switch {
		case !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From):
			p.fail("end_date", "param.range", "must not be before start_date", "不得早于 start_date")
		case f.From.IsZero() && f.To.IsZero():
			f.From = time.Now().Add(-requestsSpan)
		}
	}
	var list []complaints.Entry
	if read(s, w, r, p, s.complaints, projections.Query{}, func(m *complaints.Model) { list = m.List(f) }) {
		s.respond311(w, r, http.StatusOK, "service_requests", "request", s.requests311(r, list))
	}
}

// handleRequest answers one service request, as a list of one (the standard's shape).
func (s *Server) handleRequest(w http.ResponseWriter, r *http.Request) {
	file := chi.URLParam(r, "file")
	id, ext := file, ""
	if i := strings.LastIndexByte(file, '.'); i >= 0 { // the last dot: work-order numbers may hold dots
		id, ext = file[:i], file[i+1:]
	}
	p := newParams(r, "api_key", "jurisdiction_id")
	compound, complaint, ok := splitRequestID(id)
	if ext != "json" && ext != "xml" {
		s.Error(w, r, domain.Errorf(domain.CodeNotFound, "%s: ask for ID.json or ID.xml", open311Prefix+"/requests/"+file))
		return
	}
	if !ok {
		p.fail("service_request_id", "open311.request_id", "must be COMPOUND~COMPLAINT", "须为“小区编号~工单号”")
	}
	var found []complaints.Entry
	if read(s, w, r, p, s.complaints, projections.Query{}, func(m *complaints.Model) {
		found = m.List(complaints.Filter{Keys: map[string]bool{complaints.Key(compound, complaint): true}})
	}) {
		if len(found) == 0 {
			s.Error(w, r, domain.Errorf(domain.CodeNotFound, "no service request %s", id))
			return
		}
		s.respond311(w, r, http.StatusOK, "service_requests", "request", s.requests311(r, found))
	}
}

// requests311 are complaints as service requests, each placed at its
// compound as the directory knows it.
func (s *Server) requests311(r *http.Request, list []complaints.Entry) []request311 {
	out := make([]request311, len(list))
	s.directory(r, func(m *directory.Model) {
		for i, e := range list {
			place, _ := m.Get(e.CompoundID)
			out[i] = requestOf(e, place)
		}
	})
	return out
}

// directory reads the live directory model; f is not called when it
// cannot be read (the answer then lacks what it would add).
func (s *Server) directory(r *http.Request, f func(*directory.Model)) {
	if v, err := s.dir.At(r.Context(), s.store, projections.Query{}); err == nil {
		v.Read(f)
	}
}

// splitRequestID reads COMPOUND~COMPLAINT.
func splitRequestID(id string) (compound, complaint string, ok bool) {
	compound, complaint, ok = strings.Cut(id, "~")
	return compound, complaint, ok && domain.ValidateCompoundID(compound) == nil && domain.ValidateCompoundID(complaint) == nil
}

// handlePostRequest receives a complaint through the online channel. It
// reads a form (the standard's encoding): service_code, description, and
// where: address_id (a compound ID), or lat and long near a compound's
// coordinates. An Idempotency-Key header makes a retry safe, as on the
// rest of the API.
func (s *Server) handlePostRequest(w http.ResponseWriter, r *http.Request) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		s.Error(w, r, domain.Errorf(domain.CodeUnsupported, "send the request as application/x-www-form-urlencoded, as GeoReport v2 does"))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		s.Error(w, r, domain.Errorf(domain.CodeTooLarge, "the request is larger than %d bytes", maxBodyBytes))
		return
	}
	query := strings.Trim(r.URL.RawQuery+"&"+string(body), "&")
	p := parseParams(query, "api_key", "jurisdiction_id", "service_code", "lat", "long", "address_string", "address_id",
		"email", "device_id", "account_id", "first_name", "last_name", "phone", "description", "media_url")
	cats := p.categories("service_code")
	if len(cats) > 1 {
		p.fail("service_code", "open311.service_code", "name one service", "只能选择一项服务")
	} else if len(cats) == 0 && p.q.Get("service_code") == "" {
		p.fail("service_code", "field.required", "is required", "为必填项")
	}
	if strings.TrimSpace(p.q.Get("description")) == "" {
		p.fail("description", "field.required", "is required", "为必填项")
	}
	if p.q.Get("media_url") != "" {
		p.fail("media_url", "open311.media", "media are not taken; describe the problem in description", "不接收多媒体，请在 description 中描述")
	}
	compound := s.placeRequest(r, p)
	m := app.Meta{CommandID: idempotencyKey(p, r.Header.Get("Idempotency-Key")), Actor: principalOf(r).Actor()}
	if err := p.err(); err != nil {
		s.Error(w, r, err)
		return
	}
	var category domain.ComplaintCategory
	for c := range cats {
		category = c
	}
	cmd := domain.ReceiveComplaint{ComplaintID: newComplaintID(m.CommandID), Channel: domain.ChannelOnline, Kind: domain.KindComplaint,
		Category: category, Summary: p.q.Get("description")}
	res, err := s.svc.Execute(r.Context(), compound, cmd, m)
	if err != nil {
		s.Error(w, r, renamed(err, "summary", "description"))
		return
	}
	var notice string
	for _, env := range res.Events {
		if ev, err := env.Decode(); err == nil {
			if rc, ok := ev.(domain.ComplaintReceived); ok {
				cmd.ComplaintID = rc.ComplaintID
				due := rc.ReplyDue.In(domain.China).Format(time.DateOnly)
				notice = fmt.Sprintf("已受理，办结时限 %s / Received; reply due by %s", due, due)
			}
		}
	}
	w.Header().Set("Location", open311Prefix+"/requests/"+compound+"~"+cmd.ComplaintID+"."+open311Format(r.URL.Path))
	s.respond311(w, r, http.StatusCreated, "service_requests", "request", []struct {
		ID        string  `json:"service_request_id" xml:"service_request_id"`
		Notice    string  `json:"service_notice" xml:"service_notice"`
		AccountID *string `json:"account_id" xml:"account_id"`
	}{{ID: compound + "~" + cmd.ComplaintID, Notice: notice}})
}

// placeRequest finds the compound a request is about: address_id, else
// the compound whose coordinates lie nearest to lat and long (within
// nearWithin metres).
func (s *Server) placeRequest(r *http.Request, p *params) string {
	if id := p.q.Get("address_id"); id != "" {
		if domain.ValidateCompoundID(id) != nil {
			p.fail("address_id", "compound.id_format", "must be a compound ID", "须为小区编号")
		}
		return id
	}
	lat, okLat := domain.ParseDegrees(p.q.Get("lat"))
	lon, okLon := domain.ParseDegrees(p.q.Get("long"))
	switch {
	case p.q.Get("lat") == "" && p.q.Get("long") == "":
		p.fail("address_id", "open311.location", "send address_id (a compound ID), or lat and long; address_string alone cannot be placed",
			"请提供 address_id（小区编号）或 lat 与 long；仅有 address_string 无法定位小区")
		return ""
	case !okLat || !okLon:
		p.fail("lat", "open311.coordinates", "lat and long must be decimal degrees with at most six decimals", "lat 与 long 须为度数，最多六位小数")
		return ""
	}
	var found directory.Entry
	ok := false
	s.directory(r, func(m *directory.Model) { found, ok = m.Nearest(lat, lon, nearWithin) })
	if !ok {
		p.fail("lat", "open311.no_compound_near", fmt.Sprintf("no compound lies within %.0f m of %s, %s", nearWithin, lat, lon),
			fmt.Sprintf("%s, %s 周边 %.0f 米内没有小区", lat, lon, nearWithin))
		return ""
	}
	return found.ID
}

// newComplaintID is the work-order number of a request: from its
// idempotency key, so that a retry is the same command, else random.
func newComplaintID(key string) string {
	var b [6]byte
	if key != "" {
		h := sha256.Sum256([]byte(key))
		copy(b[:], h[:])
	} else {
		_, _ = rand.Read(b[:])
	}
	return "311-" + time.Now().In(domain.China).Format("20060102") + "-" + hex.EncodeToString(b[:])
}

// renamed names a command's field as the client sent it.
func renamed(err error, from, to string) error {
	e := domain.ErrorOf(err)
	out := *e
	out.Violations = make([]domain.Violation, len(e.Violations))
	for i, v := range e.Violations {
		if v.Field == from {
			v.Field, v.Message, v.MessageZH = to, strings.ReplaceAll(v.Message, from, to), strings.ReplaceAll(v.MessageZH, from, to)
		}
		out.Violations[i] = v
	}
	return &out
}

// categories reads a comma-separated list of complaint categories.
func (p *params) categories(name string) map[domain.ComplaintCategory]bool {
	var out map[domain.ComplaintCategory]bool
	known := domain.Vocabularies()["ComplaintCategory"]
	for c := range strings.SplitSeq(p.q.Get(name), ",") {
		if c = strings.TrimSpace(c); c == "" {
			continue
		}
		if !slices.Contains(known, c) {
			p.fail(name, "open311.service_code", "unknown service "+strconv.Quote(c)+"; GET services lists them", "未知服务 "+strconv.Quote(c)+"，见 GET services")
			continue
		}
		if out == nil {
			out = map[domain.ComplaintCategory]bool{}
		}
		out[domain.ComplaintCategory(c)] = true
	}
	return out
}

// open311Status reads status=open|closed (or both, which is no filter).
func (p *params) open311Status(name string) *bool {
	var open, closed bool
	for v := range strings.SplitSeq(p.q.Get(name), ",") {
		switch strings.TrimSpace(v) {
		case "":
		case "open":
			open = true
		case "closed":
			closed = true
		default:
			p.fail(name, "open311.status", "must be open, closed or both", "须为 open、closed 或两者")
			return nil
		}
	}
	if open == closed {
		return nil
	}
	return &open
}

// respond311 writes items in the format the path asks for: a JSON array,
// or an XML document <root><item>…</item>…</root>.
func (s *Server) respond311(w http.ResponseWriter, r *http.Request, status int, root, item string, items any) {
	var b bytes.Buffer
	if open311Format(r.URL.Path) == "json" {
		if err := json.NewEncoder(&b).Encode(items); err != nil {
			s.Error(w, r, domain.Internal(err, "encode response"))
			return
		}
		if b.String() == "null\n" {
			b.Reset()
			b.WriteString("[]\n")
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	} else {
		b.WriteString(xml.Header)
		enc := xml.NewEncoder(&b)
		start := xml.StartElement{Name: xml.Name{Local: root}}
		err := enc.EncodeToken(start)
		if err == nil {
			err = enc.EncodeElement(items, xml.StartElement{Name: xml.Name{Local: item}})
		}
		if err == nil {
			err = enc.EncodeToken(start.End())
		}
		if err == nil {
			err = enc.Flush()
		}
		if err != nil {
			s.Error(w, r, domain.Internal(err, "encode response"))
			return
		}
		b.WriteString("\n")
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	}
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

type error311 struct {
	Code        int    `json:"code" xml:"code"`
	Description string `json:"description" xml:"description"`
}

// writeError311 writes an error in GeoReport's format: one entry per
// broken rule, each naming its field, rule and message in both languages.
func (s *Server) writeError311(w http.ResponseWriter, r *http.Request, status int, e *domain.Error) {
	var out []error311
	for _, v := range e.Violations {
		d := v.Message + " / " + v.MessageZH + " [" + v.Rule + "]"
		if v.Field != "" && !strings.HasPrefix(v.Message, v.Field) {
			d = v.Field + ": " + d
		}
		out = append(out, error311{status, d})
	}
	if len(out) == 0 {
		msg := e.Message
		if e.Code == domain.CodeUnauthenticated {
			msg = "send api_key: the API token of a hotline (12345) account / 请提供 api_key：12345 热线账号的 API 令牌"
		}
		out = append(out, error311{status, msg + " [" + string(e.Code) + "]"})
	}
	s.respond311(w, r, status, "errors", "error", out)
}
