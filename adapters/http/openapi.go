package http

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/casetrack/casetrack/adapters/openapi"
	"github.com/casetrack/casetrack/app/auth"
	"github.com/casetrack/casetrack/domain"
)

// The OpenAPI 3.1 document at /openapi.json is made from the routes as
// they are registered: each API route is declared once, with its api
// description (s.handle), and the body and answer types named there are
// the ones its handler decodes and answers, their schemas generated
// (adapters/openapi). A test walks the router and the document both ways.

// api describes an API route for the document.
type api struct {
	summary string
	query   []string // the query parameters its handler reads: names of queryParams
	headers []string // the request headers it reads: names of requestHeaders
	body    any      // a value of its JSON body's type; nil: no body
	// strict: the body is decoded refusing unknown fields; optional: it may
	// be left out; form: it may come as an HTML form too.
	strict, optional, form bool
	answer                 any    // a value of the success answer's type; nil: 204 No Content
	status                 []int  // success statuses; default 200 (204 without answer)
	exports                bool   // format=csv|xlsx answers a spreadsheet instead
	text                   string // the answer's media type when it is not JSON (/metrics: text/plain)
	// open311: a GeoReport v2 resource, answered in JSON or XML by its
	// extension, its errors in GeoReport's format instead of problems.
	open311 bool
	// problems are the codes it may answer beyond those of every route
	// (invalid input, a server that is busy, starting or failing) and
	// those of sign-in (on routes that are not public).
	problems []domain.Code
}

// commonProblems may be answered on any route: a bad parameter, a busy or
// starting server (503), a bug (500), a cross-site write (403).
var commonProblems = []domain.Code{domain.CodeInvalid, domain.CodeUnavailable, domain.CodeInternal}

// signedInProblems are answered on the routes that need an account: no or
// bad credentials, a role or scope that may not, a token over its rate.
var signedInProblems = []domain.Code{domain.CodeUnauthenticated, domain.CodeForbidden, domain.CodeRateLimited}

// commandProblems are those of every command route.
var commandProblems = []domain.Code{domain.CodeNotFound, domain.CodeRejected, domain.CodeConflict, domain.CodeIntegrity,
	domain.CodeTooLarge, domain.CodeUnsupported}

// param documents a query parameter or a request header.
type param struct {
	schema      *openapi3.Schema
	description string
}

var (
	timeValue = openapi3.NewStringSchema()
	textValue = openapi3.NewStringSchema().WithMaxLength(maxTextParam)
	position  = openapi3.NewIntegerSchema().WithMin(0)
)

// queryParams are the query parameters of the API, each read by params.go
// the same way wherever it appears.
var queryParams = map[string]param{
	"as_of":          {timeValue, "the answer as it stood at this time (RFC 3339, or a day YYYY-MM-DD meaning its end): knowledge time; league tables and compound lists answer it from the live model, other reads replay"},
	"as_of_position": {openapi3.NewIntegerSchema().WithMin(1), "the answer as it stood at this log position: knowledge time; league tables and compound lists answer it from the live model, other reads replay"},
	"min_position":   {position, "read-your-writes: wait (up to 5 s) until the read model has read this log position (a command's answer names it)"},
	"limit":          {openapi3.NewIntegerSchema().WithMin(1).WithMax(maxPageSize), "at most this many items; a league table answers 100 unless told (its exports every row)"},
	"cursor":         {openapi3.NewStringSchema(), "the next_cursor of the previous page of this list"},
	"district":       {textValue, "only the units of this district (区)"},
	"street":         {textValue, "only the units of this street (街道)"},
	"community":      {textValue, "only the units of this community (社区)"},
	"compound":       {textValue, "only this compound"},
	"at":             {timeValue, "business time (RFC 3339, or a day YYYY-MM-DD): the state as of then"},
	"known_at":       {timeValue, "knowledge time (RFC 3339, or a day YYYY-MM-DD): as the record stood then"},
	"version":        {openapi3.NewIntegerSchema().WithMin(1), "the compound as of this version of its stream"},
	"position":       {openapi3.NewIntegerSchema().WithMin(1), "the compound as of this log position"},
	"type": {openapi3.NewArraySchema().WithItems(openapi3.NewStringSchema()),
		"only events of these types (repeatable, or comma-separated)"},
	"actor":              {textValue, "only events recorded by this user ID"},
	"from":               {timeValue, "only events that happened from this time (RFC 3339, or a day YYYY-MM-DD)"},
	"to":                 {timeValue, "only events that happened until this time (RFC 3339, or a day YYYY-MM-DD, meaning its end)"},
	"period":             {openapi3.NewStringSchema(), "2025, 2025-Q2, 2025-06 or FROM..TO (days); default: this year"},
	"sort":               {openapi3.NewStringSchema().WithEnum("best", "worst", "default"), "best or worst first"},
	"unit":               {textValue, "one row: the unit of this name (ID for compounds)"},
	"explain":            {openapi3.NewStringSchema().WithEnum("true", "false", "1", "0"), "list the events behind each figure (needs unit)"},
	"format":             {openapi3.NewStringSchema().WithEnum("json", "csv", "xlsx"), "json (default), csv or xlsx"},
	"soon_days":          {openapi3.NewIntegerSchema().WithMin(0).WithMax(maxSoonDays), "deadlines due within this many days after at (default 14)"},
	"kind":               {openapi3.NewStringSchema(), "only deadlines of this kind"},
	"jurisdiction_id":    {openapi3.NewStringSchema(), "Open311: the city (any value; one jurisdiction is served)"},
	"api_key":            {openapi3.NewStringSchema(), "Open311: an API token of a hotline account"},
	"service_request_id": {openapi3.NewStringSchema(), "Open311: comma-separated service request IDs"},
	"service_code":       {openapi3.NewStringSchema(), "Open311: comma-separated service codes (complaint categories)"},
	"status":             {openapi3.NewStringSchema(), "Open311: open or closed"},
	"start_date":         {timeValue, "Open311: requests made from this time (RFC 3339)"},
	"end_date":           {timeValue, "Open311: requests made until this time (RFC 3339)"},
	"tree":               {openapi3.NewIntegerSchema().WithMin(1), "the size of the signed checkpoint to prove against; default the latest"},
	"old":                {openapi3.NewIntegerSchema().WithMin(1), "the size of the older tree"},
	"new":                {openapi3.NewIntegerSchema().WithMin(1), "the size of the newer, signed tree"},
	"occurred_at":        {timeValue, "when the fact happened, for a record made later (RFC 3339, or a day YYYY-MM-DD); default now"},
}

// requestHeaders are the request headers the API reads besides sign-in.
var requestHeaders = map[string]param{
	"Idempotency-Key":  {openapi3.NewStringSchema().WithMinLength(1).WithMaxLength(maxIdempotencyKey), "the command's ID: a command sent again with the same key is recorded once"},
	"If-Match":         {openapi3.NewStringSchema(), `the stream version the command was decided on ("3"): a conflict (409) if the compound has moved on`},
	"X-Correlation-ID": {openapi3.NewStringSchema(), "ties the command's events to a wider piece of work"},
	"X-Causation-ID":   {openapi3.NewStringSchema(), "the message that caused this command"},
}

// pathParams describe the path parameters by name.
var pathParams = map[string]string{
	"id":       "the compound's ID (under /api/v1/events/: the event's ID)",
	"level":    "street, community, district, compound or company",
	"company":  "the property company's name",
	"name":     "the account's or the projection's name",
	"token":    "the API token's ID",
	"position": "the event's global log position",
	"subject":  "a data subject: complainant:COMPOUND:COMPLAINT or candidate:COMPOUND:CANDIDATE",
}

// document is the OpenAPI document the routes are added to.
type document struct {
	t *openapi3.T
	// names are the component names taken, by type, so that two types of
	// one name get two components.
	names map[string]reflect.Type
}

func newDocument() *document {
	bearer := openapi3.NewJWTSecurityScheme()
	bearer.BearerFormat, bearer.Description = "", "an API token (POST /api/v1/me/tokens)"
	session := openapi3.NewCSRFSecurityScheme()
	session.In, session.Name, session.Description = "cookie", "casetrack_session", "the session of POST /api/v1/session"
	d := &document{t: &openapi3.T{
		OpenAPI: "3.1.0",
		Info: &openapi3.Info{Title: "casetrack", Version: "v1",
			Description: "The API of casetrack, an event-sourced case tracker of property disputes in residential compounds. " +
				"Errors are RFC 9457 problem documents (application/problem+json) with a stable code and field errors in English and Chinese. " +
				"x-roles names the roles that may call an operation."},
		Paths: openapi3.NewPaths(),
		Components: &openapi3.Components{Schemas: openapi3.Schemas{}, SecuritySchemes: openapi3.SecuritySchemes{
			"token": &openapi3.SecuritySchemeRef{Value: bearer}, "session": &openapi3.SecuritySchemeRef{Value: session}}},
	}, names: map[string]reflect.Type{}}
	d.ref(reflect.TypeFor[problem](), false)
	// Every code, with its status (statuses, error.go).
	code := d.t.Components.Schemas["problem"].Value.Properties["code"].Value
	var lines []string
	for c, st := range statuses {
		code.Enum = append(code.Enum, string(c))
		lines = append(lines, fmt.Sprintf("%s (%d)", c, st.status))
	}
	slices.SortFunc(code.Enum, func(a, b any) int { return strings.Compare(a.(string), b.(string)) })
	slices.Sort(lines)
	code.Description = "the stable code of the problem, with its HTTP status: " + strings.Join(lines, ", ")
	return d
}

// ref adds the schema of t to the components (once) and refers to it.
func (d *document) ref(t reflect.Type, strict bool) *openapi3.SchemaRef {
	name := t.Name()
	if name == "" || d.names[name] != nil && d.names[name] != t {
		name = notInName.ReplaceAllString(strings.TrimPrefix(t.String(), "[]"), "")
		if t.Kind() == reflect.Slice {
			name += "List"
		}
	}
	if d.names[name] == nil {
		s, err := openapi.SchemaOf(t)
		if t.Kind() == reflect.Struct {
			s, err = openapi.ObjectSchema(t, strict)
		}
		if err != nil {
			panic(fmt.Sprintf("no schema of %s: %v", t, err)) // a type of ours the generator cannot read: a bug
		}
		maskable(s)
		d.names[name] = t
		d.t.Components.Schemas[name] = openapi3.NewSchemaRef("", s)
	}
	return openapi3.NewSchemaRef("#/components/schemas/"+name, nil)
}

var (
	pathParam = regexp.MustCompile(`\{([^}]+)\}`)
	notInName = regexp.MustCompile(`[^a-zA-Z0-9._-]+`) // what a component's name may not hold
)

// maskable lets each candidate's personal fields hold the mask instead
// (auth.MaskPersonal), for the roles that do not vet candidates.
func maskable(s *openapi3.Schema) {
	if s == nil {
		return
	}
	if _, candidate := s.Properties["candidate_id"]; candidate {
		for _, f := range auth.PersonalFields() {
			if p := s.Properties[f]; p != nil {
				s.Properties[f] = openapi3.NewSchemaRef("", &openapi3.Schema{AnyOf: openapi3.SchemaRefs{p, openapi3.NewSchemaRef("", &openapi3.Schema{Const: auth.Masked})}})
			}
		}
	}
	for _, p := range s.Properties {
		maskable(p.Value)
	}
	if s.Items != nil {
		maskable(s.Items.Value)
	}
	if s.AdditionalProperties.Schema != nil {
		maskable(s.AdditionalProperties.Schema.Value)
	}
}

// add documents the route method pattern, whose access rule is rl.
func (d *document) add(method, pattern string, rl rule, a api) {
	op := openapi3.NewOperation()
	op.OperationID = operationID(method, pattern)
	op.Summary = a.summary
	op.Tags = []string{tagOf(pattern)}
	if rl.public {
		op.Security = openapi3.NewSecurityRequirements() // none
	} else {
		op.Security = openapi3.NewSecurityRequirements().With(openapi3.NewSecurityRequirement().Authenticate("token")).
			With(openapi3.NewSecurityRequirement().Authenticate("session"))
		roles := make([]string, len(rl.roles))
		for i, r := range rl.roles {
			roles[i] = string(r)
		}
		op.Extensions = map[string]any{"x-roles": roles}
	}
	for _, m := range pathParam.FindAllStringSubmatch(pattern, -1) {
		op.AddParameter(openapi3.NewPathParameter(m[1]).WithSchema(openapi3.NewStringSchema()).WithDescription(pathParams[m[1]]))
	}
	for _, name := range a.query {
		p, ok := queryParams[name]
		if !ok {
			panic("query parameter " + name + " of " + method + " " + pattern + " is not described in queryParams (adapters/http/openapi.go)")
		}
		op.AddParameter(openapi3.NewQueryParameter(name).WithSchema(p.schema).WithDescription(p.description))
	}
	for _, name := range a.headers {
		p := requestHeaders[name]
		op.AddParameter(openapi3.NewHeaderParameter(name).WithSchema(p.schema).WithDescription(p.description))
	}
	if a.body != nil {
		schema := d.ref(reflect.TypeOf(a.body), a.strict)
		rb := openapi3.NewRequestBody().WithRequired(!a.optional).WithJSONSchemaRef(schema)
		if a.form {
			rb.Content["application/x-www-form-urlencoded"] = openapi3.NewMediaType().WithSchemaRef(schema)
		}
		op.RequestBody = &openapi3.RequestBodyRef{Value: rb}
	}
	statuses := a.status
	if len(statuses) == 0 {
		statuses = []int{http.StatusOK}
		if a.answer == nil && a.text == "" {
			statuses = []int{http.StatusNoContent}
		}
	}
	for _, st := range statuses {
		resp := openapi3.NewResponse().WithDescription(http.StatusText(st))
		if a.answer != nil {
			resp.WithJSONSchemaRef(d.ref(reflect.TypeOf(a.answer), false))
		}
		if resp.Content == nil {
			resp.Content = openapi3.Content{}
		}
		if a.open311 {
			resp.Content["text/xml"] = openapi3.NewMediaType()
			if a.answer == nil {
				resp.Content["application/json"] = openapi3.NewMediaType()
			}
		}
		if a.text != "" {
			resp.Content[a.text] = openapi3.NewMediaType()
		}
		if a.exports {
			resp.Content["text/csv"] = openapi3.NewMediaType()
			resp.Content["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"] = openapi3.NewMediaType()
		}
		op.AddResponse(st, resp)
	}
	if a.open311 {
		errs := openapi3.NewResponse().WithDescription("a GeoReport v2 error list").WithJSONSchemaRef(d.ref(reflect.TypeFor[[]error311](), false))
		errs.Content["text/xml"] = openapi3.NewMediaType()
		op.Responses.Set("default", &openapi3.ResponseRef{Value: errs})
		d.t.AddOperation(pattern, method, op)
		return
	}
	codes := append(slices.Clone(commonProblems), a.problems...)
	if !rl.public {
		codes = append(codes, signedInProblems...)
	}
	if method != http.MethodGet {
		codes = append(codes, domain.CodeForbidden) // cross-site writes
	}
	d.problems(op, codes)
	d.t.AddOperation(pattern, method, op)
}

// problems documents the problem answers of codes, one response per status.
func (d *document) problems(op *openapi3.Operation, codes []domain.Code) {
	byStatus := map[int][]string{}
	for _, c := range codes {
		st := statuses[c].status
		if !slices.Contains(byStatus[st], string(c)) {
			byStatus[st] = append(byStatus[st], string(c))
		}
	}
	for st, names := range byStatus {
		sort.Strings(names)
		enum := make([]any, len(names))
		for i, n := range names {
			enum[i] = n
		}
		code := openapi3.NewObjectSchema().WithProperty("code", openapi3.NewStringSchema().WithEnum(enum...))
		schema := openapi3.NewAllOfSchema()
		schema.AllOf = openapi3.SchemaRefs{openapi3.NewSchemaRef("#/components/schemas/problem", nil), openapi3.NewSchemaRef("", code)}
		resp := openapi3.NewResponse().WithDescription(http.StatusText(st) + ": " + strings.Join(names, ", "))
		resp.Content = openapi3.Content{"application/problem+json": openapi3.NewMediaType().WithSchema(schema)}
		op.AddResponse(st, resp)
	}
}

// operationID names an operation after its method and path:
// "post-compounds-id-register".
func operationID(method, pattern string) string {
	p := strings.NewReplacer("/api/v1/", "", "{", "", "}", "", "/", "-", ".", "-").Replace(pattern)
	return strings.ToLower(method) + "-" + strings.Trim(p, "-")
}

// tagOf groups operations by their first path segment under /api/v1/.
func tagOf(pattern string) string {
	rest, ok := strings.CutPrefix(pattern, "/api/v1/")
	if !ok {
		return "service"
	}
	first, _, _ := strings.Cut(rest, "/")
	return first
}

// commandSchemaRef is where the document describes a command's body.
func commandSchemaRef(name string) string {
	t, _ := domain.CommandType(name)
	return "/openapi.json#/components/schemas/" + t.Name()
}

// marshal writes the document; it holds only what the generator made.
func (d *document) marshal() []byte {
	b, err := json.Marshal(d.t)
	if err != nil {
		panic("the OpenAPI document does not encode: " + err.Error())
	}
	return b
}

// handleOpenAPI serves the document.
func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	if !s.noParams(w, r) {
		return
	}
	s.openapiOnce.Do(func() { s.openapiJSON = s.doc.marshal() })
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(s.openapiJSON)))
	w.Write(s.openapiJSON)
}
