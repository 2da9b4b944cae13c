package http

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/casetrack/casetrack/domain"
)

// Who may do what is decided here and nowhere else: one rule per route
// (method and chi pattern), each command route by its command's roles.
// Registering a route that has no rule panics at start, so no route can
// be served without a decision.

// scopeKind says how a route keeps to the caller's part of the city.
type scopeKind int

const (
	scopeNone     scopeKind = iota // no compound data, or city-wide aggregates (league above compounds, campaign)
	scopeCompound                  // the compound in the path must lie in the caller's scope (else 403)
	scopeFiltered                  // the answer is narrowed to the caller's scope
)

// rule is who may call a route and how its answer is scoped.
type rule struct {
	public   bool          // no sign-in needed
	roles    []domain.Role // who may call it; empty with public: anyone signed in
	scope    scopeKind
	personal bool // the answer may hold personal data (candidates): masked for roles not in personalRoles
	page     bool // a web page: nobody is sent to sign in, a refusal is a page
}

var (
	admin     = domain.RoleAdmin
	inspector = domain.RoleInspector
	street    = domain.RoleStreetOffice
	community = domain.RoleCommunityWorker
	hotline   = domain.RoleHotline
	auditor   = domain.RoleAuditor
)

// personalRoles see candidates' names, units, birth dates and backgrounds:
// the offices that vet candidates, and auditors (each such read is logged).
var personalRoles = []domain.Role{street, community, auditor}

// subjectRoles see complainants' names and phones and candidates' ID
// numbers (sealed personal data, app/personal.go) on the personal routes,
// within their scope: the street office and community worker who call the
// resident back (回访) and vet the candidates. Not the auditor, who checks
// the log, nor the bureau or the hotline. Each read is recorded.
var subjectRoles = []domain.Role{street, community}

// anyone signed in.
var anyone = []domain.Role{admin, inspector, street, community, hotline, auditor}

// routes is the table of every route but the commands.
var routes = map[string]rule{
	"GET /healthz":                     {public: true},
	"GET /readyz":                      {public: true},
	"GET /openapi.json":                {public: true}, // the API's description: no data
	"POST /api/v1/session":             {public: true},
	"DELETE /api/v1/session":           {roles: anyone},
	"GET /api/v1/me":                   {roles: anyone},
	"POST /api/v1/me/tokens":           {roles: anyone},
	"POST /api/v1/me/password":         {roles: anyone},
	"DELETE /api/v1/me/tokens/{token}": {roles: anyone},
	"GET /api/v1/commands":             {roles: anyone},

	// The audit's checkpoints and proofs hold hashes only: public, so that
	// an auditor's office checks the log without an account (audit.go).
	"GET /api/v1/checkpoint":              {public: true},
	"GET /api/v1/events/{position}/proof": {public: true},
	"GET /api/v1/checkpoints/consistency": {public: true},

	"GET /api/v1/compounds":              {roles: []domain.Role{inspector, street, community, hotline, auditor}, scope: scopeFiltered},
	"GET /api/v1/compounds/{id}":         {roles: []domain.Role{inspector, street, community, hotline, auditor}, scope: scopeCompound, personal: true},
	"GET /api/v1/compounds/{id}/history": {roles: []domain.Role{inspector, street, community, auditor}, scope: scopeCompound, personal: true},
	"GET /api/v1/events/{id}":            {roles: []domain.Role{inspector, street, community, auditor}, scope: scopeFiltered, personal: true},
	"GET /api/v1/league/{level}":         {roles: []domain.Role{inspector, street, community, auditor}, scope: scopeFiltered},
	"GET /api/v1/campaign":               {roles: []domain.Role{admin, inspector, street, community, auditor}},
	"GET /api/v1/credit":                 {roles: []domain.Role{inspector, street, community, auditor}},
	"GET /api/v1/credit/{company}":       {roles: []domain.Role{inspector, street, community, auditor}, scope: scopeFiltered},
	"GET /api/v1/deadlines":              {roles: []domain.Role{inspector, street, community, hotline, auditor}, scope: scopeFiltered},

	"GET /api/v1/projections":                 {roles: []domain.Role{admin, auditor}},
	"POST /api/v1/projections/{name}/rebuild": {roles: []domain.Role{admin}},
	"POST /api/v1/campaign/reload":            {roles: []domain.Role{admin}},
	// Prometheus scrapes with an admin's API token; a scraper that cannot
	// send one gets a listener of its own (serve --metrics-addr, outside
	// this table: bind it where only the scraper reaches it).
	"GET /metrics": {roles: []domain.Role{admin}},

	// Open311 GeoReport v2 (open311.go): the categories are no secret;
	// requests are the 12345 hotline's, whose API token is the api_key.
	"GET /open311/v2/services.json":   {public: true},
	"GET /open311/v2/services.xml":    {public: true},
	"GET /open311/v2/requests.json":   {roles: []domain.Role{hotline}},
	"GET /open311/v2/requests.xml":    {roles: []domain.Role{hotline}},
	"POST /open311/v2/requests.json":  {roles: []domain.Role{hotline}},
	"POST /open311/v2/requests.xml":   {roles: []domain.Role{hotline}},
	"GET /open311/v2/requests/{file}": {roles: []domain.Role{hotline}},
	// Erasure of a data subject's personal data (destroys its key).
	"POST /api/v1/subjects/{subject}/forget": {roles: []domain.Role{admin}},

	"GET /api/v1/accounts":                          {roles: []domain.Role{admin, auditor}},
	"POST /api/v1/accounts":                         {roles: []domain.Role{admin}},
	"POST /api/v1/accounts/{name}/disable":          {roles: []domain.Role{admin}},
	"POST /api/v1/accounts/{name}/tokens":           {roles: []domain.Role{admin}},
	"DELETE /api/v1/accounts/{name}/tokens/{token}": {roles: []domain.Role{admin}},
	"POST /api/v1/accounts/{name}/role":             {roles: []domain.Role{admin}},
	"POST /api/v1/accounts/{name}/password":         {roles: []domain.Role{admin}},
}

// pageRoutes are the web pages (adapters/web), served when the server has
// them; a command's form and its post follow the command's roles below.
var pageRoutes = map[string]rule{
	"GET /":          {roles: anyone}, // each role's home page
	"GET /sign-in":   {public: true},
	"POST /sign-in":  {public: true},
	"POST /sign-out": {roles: anyone},
	"GET /assets/*":  {public: true},
	"GET /docs":      {public: true}, // the API's reference, rendered from /openapi.json

	"GET /dashboard":      {roles: []domain.Role{inspector, street, community, auditor}, scope: scopeFiltered},
	"GET /explain":        {roles: []domain.Role{inspector, street, community, auditor}, scope: scopeFiltered},
	"GET /street":         {roles: []domain.Role{inspector, street, community, hotline, auditor}, scope: scopeFiltered},
	"GET /compounds/{id}": {roles: []domain.Role{inspector, street, community, hotline, auditor}, scope: scopeCompound, personal: true},
	"GET /history":        {roles: []domain.Role{inspector, street, community, auditor}, scope: scopeFiltered, personal: true},
	"GET /operations":     {roles: []domain.Role{admin}},
	// The register import: whoever may register compounds, each row within
	// their scope (app/importer checks it).
	"GET /import":               {roles: commandRoles["register"], scope: scopeFiltered},
	"POST /import":              {roles: commandRoles["register"], scope: scopeFiltered},
	"GET /import/template.xlsx": {roles: commandRoles["register"]},
	"GET /import/template.csv":  {roles: commandRoles["register"]},
	// The operations page's buttons: the same code as the API's routes.
	"POST /operations/projections/{name}/rebuild": {roles: []domain.Role{admin}},
	"POST /operations/campaign/reload":            {roles: []domain.Role{admin}},
}

// commandRoles says who may run each command; a street office or community
// worker only on compounds of its scope, an inspector of a district only there.
var commandRoles = func() map[string][]domain.Role {
	m := map[string][]domain.Role{}
	set := func(roles []domain.Role, names ...string) {
		for _, n := range names {
			m[n] = roles
		}
	}
	// The community's daily work, also done by its street office.
	set([]domain.Role{street, community}, "accept-complaint", "return-complaint", "request-complaint-extension",
		"resolve-complaint", "follow-up-complaint", "report-measure-progress", "record-training", "hold-joint-meeting",
		"hold-assembly-vote", "apply-for-assembly", "nominate-candidate", "record-member-leaving", "record-term-expiry",
		"hand-over-archives")
	// 12345: intake and dispatch.
	set([]domain.Role{hotline, street, community}, "receive-complaint")
	set([]domain.Role{hotline}, "dispatch-complaint")
	set([]domain.Role{hotline, street}, "reopen-complaint")
	// 住建局: conflict flags and supervision listings (挂牌督办).
	set([]domain.Role{inspector}, "flag-conflict", "unflag-conflict", "list-for-supervision", "delist",
		"decide-listing-extension", "verify-remediation", "record-escalation")
	set([]domain.Role{street, inspector}, "register")
	// Corrections (更正), each with its reason kept: the register by those
	// who keep it, 区划调整 by the bureau, complaints entered in error by
	// those who take them in.
	set([]domain.Role{street, inspector}, "rename-compound", "correct-compound-figures")
	set([]domain.Role{inspector}, "move-compound")
	set([]domain.Role{hotline, street}, "void-complaint", "amend-complaint-category")
	// The street office's case work.
	set([]domain.Role{street}, "add-measure", "adopt-plan", "change-case-leader", "change-property-company", "choose-chair",
		"conclude-lawsuit", "decide-complaint-extension", "elect-committee", "establish-party-branch", "file-committee",
		"file-interim-commission", "file-lawsuit", "file-lawsuits", "form-interim-commission", "form-preparatory-group",
		"record-enforcement", "request-listing-extension", "set-red-flags", "sign-off-measure", "sign-off-plan",
		"start-reelection", "update-delivered-area", "verify-measure", "vet-candidate")
	return m
}()

// commandRoute is the pattern of a command's route.
func commandRoute(name string) string { return "/api/v1/compounds/{id}/" + name }

// pageCommandRoute is the pattern of a command's form page (GET) and of
// its post.
func pageCommandRoute(name string) string { return "/compounds/{id}/commands/" + name }

// ruleFor returns the rule of a route; ok is false when the table has none.
func ruleFor(method, pattern string) (rule, bool) {
	if r, ok := routes[method+" "+pattern]; ok {
		return r, true
	}
	if r, ok := pageRoutes[method+" "+pattern]; ok {
		r.page = true
		return r, true
	}
	for name, roles := range commandRoles {
		switch {
		case method == http.MethodPost && commandRoute(name) == pattern:
			return rule{roles: roles, scope: scopeCompound}, true
		case (method == http.MethodPost || method == http.MethodGet) && pageCommandRoute(name) == pattern:
			return rule{roles: roles, scope: scopeCompound, personal: true, page: true}, true
		}
	}
	return rule{}, false
}

func (r rule) allows(role domain.Role) bool { return r.public || slices.Contains(r.roles, role) }

// mustRule is ruleFor for route registration: a route without a rule is a bug.
func mustRule(method, pattern string) rule {
	r, ok := ruleFor(method, pattern)
	if !ok {
		panic(fmt.Sprintf("no access rule for %s %s: add it to adapters/http/policy.go", method, pattern))
	}
	return r
}
