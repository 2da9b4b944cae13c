package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/casetrack/casetrack/adapters/http/encoded"
	"github.com/casetrack/casetrack/adapters/sheet"
	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/app/auth"
	"github.com/casetrack/casetrack/audit"
	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/labels"
	"github.com/casetrack/casetrack/projections"
	"github.com/casetrack/casetrack/projections/deadlines"
	"github.com/casetrack/casetrack/projections/directory"
	"github.com/casetrack/casetrack/projections/league"
)

// User is who is signed in, as the accounts know them: the role
// picks the home page, the scope the default street.
type User struct {
	Name, Role, Organisation string
	Scope                    Scope
	Mask                     bool            // candidates' personal data is masked for this user's role
	Personal                 bool            // sealed personal data (complainants' names and phones) is opened for this user, each read recorded
	Allowed                  map[string]bool // the navigation's pages this user may open (nil: all)
}

// May reports whether the navigation shows the page at path to the user;
// nobody signed in sees none.
func (u *User) May(path string) bool { return u != nil && (u.Allowed == nil || u.Allowed[path]) }

// Scope is the part of the city a user acts for; empty fields mean all.
type Scope struct{ District, Street, Community string }

// City reports whether the scope is the whole city.
func (s Scope) City() bool { return s.District == "" && s.Street == "" && s.Community == "" }

// Covers reports whether a place (district, street, community) lies in
// the scope.
func (s Scope) Covers(district, street, community string) bool {
	return (s.District == "" || s.District == district) && (s.Street == "" || s.Street == street) &&
		(s.Community == "" || s.Community == community)
}

// Options are what the pages read and record through. Principal and
// SignIn come from the API's accounts (adapters/http); access control stays there.
type Options struct {
	Service   *app.Service
	Store     domain.EventStore
	Directory *projections.Runner[*directory.Model]
	Deadlines *projections.Runner[*deadlines.Model]
	League    *league.Service
	Accounts  *auth.Accounts // the operations page's users and roles; nil: none listed
	// Principal is the signed-in user of a request; nil or false: nobody
	// (the pages then act as the API does without accounts).
	Principal func(*http.Request) (User, bool)
	// SignIn checks a name and password and starts the session; nil: the
	// sign-in page says that accounts are not set up.
	SignIn func(w http.ResponseWriter, r *http.Request, name, password string) error
	// SignOut ends the session.
	SignOut func(w http.ResponseWriter, r *http.Request) error
	// Rebuild starts a projection's rebuild and ReloadCampaign re-reads the
	// campaign file: the API's own code (adapters/http), for the operations
	// page's buttons; nil: no button.
	Rebuild        func(name string) error
	ReloadCampaign func() (league.Config, error)
	Logger         *slog.Logger
	Now            func() time.Time // default time.Now
	// Audit is the log's integrity (package audit), shown to auditors on
	// the history page; nil: not shown.
	Audit *audit.Service
}

// Handler serves the pages; it is an http.Handler.
type Handler struct {
	o      Options
	router chi.Router
	pages  map[string]*template.Template
	// dashboards are rendered dashboard pages, kept until their tables
	// change: the page reads thirteen tables, and laying out, executing
	// and compressing it was most of a request's cost.
	dashboards encoded.Cache
	monthSums  monthSums
}

// pageFiles are the pages, each parsed with the layout.
var pageFiles = []string{"dashboard", "explain", "street", "compound", "command", "history", "signin", "notfound", "refused", "operations", "import", "docs"}

// New checks the embedded assets and parses the templates.
func New(o Options) (*Handler, error) {
	if err := checkAssets(); err != nil {
		return nil, err
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	h := &Handler{o: o, pages: map[string]*template.Template{}, dashboards: encoded.Cache{Type: pageType}}
	for _, p := range pageFiles {
		t, err := template.New(p).Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/"+p+".html")
		if err != nil {
			return nil, err
		}
		h.pages[p] = t
	}
	r := chi.NewRouter()
	r.Use(middleware.Compress(5)) // security headers: the API server's, which serves the pages
	assets, _ := fs.Sub(files, ".")
	r.Handle("/assets/static/*", http.StripPrefix("/assets/", cached(http.FileServerFS(assets))))
	r.Handle("/assets/dist/*", http.StripPrefix("/assets/", cached(http.FileServerFS(assets))))
	r.Get("/", h.home)
	r.Get("/sign-in", h.signInPage)
	r.Post("/sign-in", h.signIn)
	r.Post("/sign-out", h.signOut)
	r.Get("/dashboard", h.dashboard)
	r.Get("/explain", h.explain)
	r.Get("/street", h.street)
	r.Get("/compounds/{id}", h.compound)
	r.Get("/compounds/{id}/commands/{name}", h.commandForm)
	r.Post("/compounds/{id}/commands/{name}", h.command)
	r.Get("/history", h.history)
	r.Get("/docs", h.docs)
	r.Get("/operations", h.operations)
	r.Get("/import", h.importPage)
	r.Post("/import", h.importFile)
	r.Get("/import/template.xlsx", h.importTemplate(sheet.XLSX))
	r.Get("/import/template.csv", h.importTemplate(sheet.CSV))
	r.Post("/operations/projections/{name}/rebuild", h.rebuild)
	r.Post("/operations/campaign/reload", h.reloadCampaign)
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		h.render(w, r, http.StatusNotFound, "notfound", "", nil)
	})
	h.router = r
	return h, nil
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.router.ServeHTTP(w, r) }

func cached(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		next.ServeHTTP(w, r)
	})
}

// page is what every template gets.
type page struct {
	Lang   labels.Lang
	User   *User
	Title  string
	Nav    string // the navigation entry of the page
	Other  string // this page in the other language
	Charts bool   // load ECharts
	Docs   bool   // load Swagger UI
	Data   any
}

// lang is the request's language: ?lang= (remembered in a cookie), else the
// cookie, else Chinese.
func lang(w http.ResponseWriter, r *http.Request) labels.Lang {
	switch q := r.URL.Query().Get("lang"); q {
	case "zh", "en":
		http.SetCookie(w, &http.Cookie{Name: "lang", Value: q, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode, HttpOnly: true})
		return labels.Lang(q)
	}
	if c, err := r.Cookie("lang"); err == nil && c.Value == "en" {
		return labels.EN
	}
	return labels.ZH
}

func (h *Handler) user(r *http.Request) *User {
	if h.o.Principal == nil {
		return nil
	}
	if u, ok := h.o.Principal(r); ok {
		return &u
	}
	return nil
}

// render executes a page in the layout, or only the named fragment for an
// htmx request that asks for it. It renders into a buffer first, so that a
// template error becomes a clean 500 rather than half a page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name, nav string, data any) {
	b, err := h.execute(r, lang(w, r), name, nav, data, 0)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", pageType)
	w.Header().Set("Vary", pageVary)
	w.WriteHeader(status)
	w.Write(b)
}

const (
	pageType = "text/html; charset=utf-8"
	pageVary = "HX-Request, HX-Target, Cookie" // the fragment asked for; the session and language
)

// execute renders a page, or the fragment an htmx request asks for
// (template), in language l, into room for size bytes (those known
// beforehand: rows laid out in Go).
func (h *Handler) execute(r *http.Request, l labels.Lang, name, nav string, data any, size int) ([]byte, error) {
	other := *r.URL
	q := other.Query()
	q.Set("lang", map[labels.Lang]string{labels.ZH: "en", labels.EN: "zh"}[l])
	other.RawQuery = q.Encode()
	p := page{Lang: l, User: h.user(r), Title: labels.Of(l, labels.Word, name), Nav: nav, Other: other.String(), Data: data,
		Charts: name == "dashboard" || name == "compound", Docs: name == "docs"}
	var buf bytes.Buffer
	buf.Grow(size + 32<<10) // and the template's own
	if err := h.pages[name].ExecuteTemplate(&buf, h.template(r, name), p); err != nil {
		return nil, domain.Internal(err, "render "+name)
	}
	return buf.Bytes(), nil
}

// pageKey names what a kept page is made from in its request: the page
// and the template answered (whole or an htmx fragment), the language,
// the address (every parameter, and the other language's link), the
// signed-in user (name, role, scope and navigation: the layout shows
// them, and the scope filters the tables) and the year (the period
// pickers offer it and the two before, and a dashboard without a period
// shows it). What it reads from the read models is its version.
func (h *Handler) pageKey(r *http.Request, l labels.Lang, name string) string {
	return fmt.Sprintf("%s|%s|%s|%s|%d|%+v", name, h.template(r, name), l, r.URL, h.o.Now().In(domain.China).Year(), h.user(r))
}

// template is the template of a page a request is answered with: the
// fragment an htmx request names, if the page has it, else the whole page.
func (h *Handler) template(r *http.Request, name string) string {
	if frag := r.Header.Get("HX-Target"); r.Header.Get("HX-Request") == "true" && frag != "" && h.pages[name].Lookup(frag) != nil {
		return frag
	}
	return "layout"
}

// fail answers an error as a short page in the user's language; internal
// details go to the log only.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	e := domain.ErrorOf(err)
	status := http.StatusInternalServerError
	switch e.Code {
	case domain.CodeInvalid, domain.CodeRejected:
		status = http.StatusBadRequest
	case domain.CodeNotFound:
		status = http.StatusNotFound
	case domain.CodeUnavailable:
		status = http.StatusServiceUnavailable
	case domain.CodeForbidden:
		h.Refuse(w, r, err)
		return
	}
	if status == http.StatusInternalServerError {
		h.o.Logger.ErrorContext(r.Context(), "web page failed", "path", r.URL.Path, "err", err)
		e = &domain.Error{Code: e.Code, Message: "internal error"}
	}
	l := lang(w, r)
	msg := e.Message
	for _, v := range e.Violations {
		if l == labels.ZH {
			msg += "；" + v.MessageZH
		} else {
			msg += "; " + v.Message
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	w.Write([]byte(labels.Of(l, labels.Word, "error") + ": " + msg + "\n"))
}

// Refuse answers a request its user may not make as a page saying so, in
// the user's language, with a way home; a refusal that is not about access
// is answered as any other error.
func (h *Handler) Refuse(w http.ResponseWriter, r *http.Request, err error) {
	switch domain.ErrorCode(err) {
	case domain.CodeForbidden:
		h.render(w, r, http.StatusForbidden, "refused", "", nil)
	case domain.CodeUnauthenticated:
		http.Redirect(w, r, "/sign-in", http.StatusSeeOther)
	default:
		h.fail(w, r, err)
	}
}

// forbidden is the error of a page or parameter outside the user's scope.
var forbidden = domain.Errorf(domain.CodeForbidden, "outside the part of the city your account is for")

// homes are each role's own page.
var homes = map[string]string{"admin": "/operations", "inspector": "/dashboard", "street_office": "/street",
	"community_worker": "/street", "hotline": "/street", "auditor": "/history"}

// home sends each role to its own page.
func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	to := "/dashboard"
	if u := h.user(r); u != nil && homes[u.Role] != "" {
		to = homes[u.Role]
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

func (h *Handler) signInPage(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "signin", "", signInData{Enabled: h.o.SignIn != nil, Next: next(r.URL.Query().Get("next"))})
}

type signInData struct {
	Enabled bool
	Name    string
	Next    string
	Error   string
}

// next is where to go after signing in: a path of this site only, never
// another site's address.
func next(to string) string {
	if !strings.HasPrefix(to, "/") || strings.HasPrefix(to, "//") || strings.HasPrefix(to, "/\\") || strings.HasPrefix(to, "/sign-") {
		return "/"
	}
	return to
}

// signIn hands the form to the API's sign-in and goes where the user was headed.
func (h *Handler) signIn(w http.ResponseWriter, r *http.Request) {
	if h.o.SignIn == nil {
		h.signInPage(w, r)
		return
	}
	name, to := r.PostFormValue("name"), next(r.PostFormValue("next"))
	if err := h.o.SignIn(w, r, name, r.PostFormValue("password")); err != nil {
		status, msg := http.StatusUnauthorized, "sign_in_failed"
		switch domain.ErrorCode(err) {
		case domain.CodeRateLimited:
			status, msg = http.StatusTooManyRequests, "sign_in_locked"
		case domain.CodeInvalid:
			status = http.StatusBadRequest
		case domain.CodeUnauthenticated:
		default:
			h.fail(w, r, err)
			return
		}
		h.render(w, r, status, "signin", "", signInData{Enabled: true, Name: name, Next: to, Error: labels.Of(lang(w, r), labels.Word, msg)})
		return
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// signOut ends the session and goes to the sign-in page.
func (h *Handler) signOut(w http.ResponseWriter, r *http.Request) {
	if h.o.SignOut != nil {
		if err := h.o.SignOut(w, r); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	http.Redirect(w, r, "/sign-in", http.StatusSeeOther)
}

// scope is the part of the city the request's user acts for; the whole
// city when no one is signed in (pages served without accounts).
func (h *Handler) scope(r *http.Request) Scope {
	if u := h.user(r); u != nil {
		return u.Scope
	}
	return Scope{}
}

// masked masks candidates' personal data in events for users whose role
// does not vet candidates, as the API does.
func (h *Handler) masked(r *http.Request, events []domain.Envelope) []domain.Envelope {
	u := h.user(r)
	if u == nil || !u.Mask {
		return events
	}
	out := make([]domain.Envelope, len(events))
	for i, e := range events {
		if b, err := auth.MaskPersonal(e.Data); err == nil {
			e.Data = b
		}
		out[i] = e
	}
	return out
}

// query builds a link to path with the given parameters, dropping empty ones.
func query(path string, kv ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			q.Set(kv[i], kv[i+1])
		}
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// day reads a YYYY-MM-DD parameter as the end of that day in China;
// zero when absent, an error naming the field when malformed.
func day(r *http.Request, name string, endOfDay bool) (time.Time, error) {
	s := strings.TrimSpace(r.URL.Query().Get(name))
	if s == "" {
		return time.Time{}, nil
	}
	d, err := time.ParseInLocation(time.DateOnly, s, domain.China)
	if err != nil {
		return time.Time{}, &domain.Error{Code: domain.CodeInvalid, Message: "invalid request parameters", Violations: []domain.Violation{{
			Rule: "param.date", Field: name, Message: name + ": must be a date YYYY-MM-DD", MessageZH: name + "：须为日期 YYYY-MM-DD"}}}
	}
	if endOfDay {
		d = d.AddDate(0, 0, 1).Add(-time.Nanosecond)
	}
	return d, nil
}

var errNoLeague = errors.New("no league tables configured")
