package http

import (
	"net/http"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections/directory"
)

// narrow fits a district/street/community filter asked for by the caller
// into the caller's scope. It returns false when the two exclude each
// other: the answer is then empty.
func narrow(scope domain.Scope, district, street, community *string) bool {
	for _, f := range []struct {
		asked *string
		own   string
	}{{district, scope.District}, {street, scope.Street}, {community, scope.Community}} {
		switch {
		case f.own == "":
		case *f.asked == "":
			*f.asked = f.own
		case *f.asked != f.own:
			return false
		}
	}
	return true
}

// compoundsInScope is the set of compounds the caller may see, from the
// directory; nil means every compound (a city-wide account).
func (s *Server) compoundsInScope(r *http.Request) map[string]bool {
	scope := principalOf(r).Scope
	if scope.City() {
		return nil
	}
	in := map[string]bool{}
	s.dir.Read(func(m *directory.Model) {
		for _, e := range m.List(directory.Filter{District: scope.District, Street: scope.Street, Community: scope.Community}) {
			in[e.ID] = true
		}
	})
	return in
}
