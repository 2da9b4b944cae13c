package http

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/casetrack/casetrack/adapters/web"
	"github.com/casetrack/casetrack/domain"
)

// Pages are the web pages (adapters/web): served on the routes of
// pageRoutes behind the same access rules as the API, and asked to show a
// refusal as a page rather than a problem document.
type Pages interface {
	http.Handler
	Refuse(w http.ResponseWriter, r *http.Request, err error)
}

// WithWeb serves the pages on their routes (policy.go); other paths
// outside /api/ get the pages' not-found page.
func WithWeb(p Pages) Option {
	return func(s *Server) {
		s.web = p
		for key := range pageRoutes {
			method, pattern, _ := strings.Cut(key, " ")
			s.handlePage(method, pattern, s.servePage)
		}
		for _, name := range domain.CommandNames() {
			s.handlePage("GET", pageCommandRoute(name), s.servePage)
			s.handlePage("POST", pageCommandRoute(name), s.servePage)
		}
	}
}

// servePage hands a request to the pages, which route it afresh.
func (s *Server) servePage(w http.ResponseWriter, r *http.Request) {
	s.web.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), chi.RouteCtxKey, nil)))
}

// signInFirst sends a page request without a signed-in user to the
// sign-in page, which comes back here after.
func signInFirst(w http.ResponseWriter, r *http.Request) {
	to := "/sign-in"
	if r.Method == http.MethodGet && r.URL.Path != "/" {
		to += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// WebUser is the signed-in user of a page request (web.Options.Principal):
// its role, its scope, and whether the route masks personal data for it.
func WebUser(r *http.Request) (web.User, bool) {
	info := infoOf(r)
	if info.principal == nil {
		return web.User{}, false
	}
	p := *info.principal
	return web.User{Name: p.Name, Role: string(p.Role), Organisation: p.Organisation,
		Scope: web.Scope{District: p.Scope.District, Street: p.Scope.Street, Community: p.Scope.Community},
		Mask:  !slices.Contains(personalRoles, p.Role), Personal: slices.Contains(subjectRoles, p.Role), Allowed: allowedPages(p.Role)}, true
}

// navPages are the pages of the navigation bar.
var navPages = []string{"/dashboard", "/street", "/history", "/import", "/operations"}

// allowedPages are the navigation pages role may open, from the access table.
func allowedPages(role domain.Role) map[string]bool {
	out := map[string]bool{}
	for _, path := range navPages {
		out[path] = pageRoutes["GET "+path].allows(role)
	}
	return out
}
