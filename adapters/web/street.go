package web

import (
	"cmp"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/casetrack/casetrack/projections/deadlines"
	"github.com/casetrack/casetrack/projections/directory"
)

const soonDays = 14 // the deadlines board's "due soon", as the API's default

// streetData is the street workspace: its compounds and its deadlines.
type streetData struct {
	Street    string // district/street
	Streets   []string
	Compounds []directory.Entry
	Board     deadlines.Board
	Overdue   []overdueItem
}

type overdueItem struct {
	deadlines.Item
	Days int // whole days overdue
}

// street shows one street: ?street=district/street, by default the user's
// street, else the first street of the city.
func (h *Handler) street(w http.ResponseWriter, r *http.Request) {
	d := streetData{Street: r.URL.Query().Get("street")}
	scope := h.scope(r)
	if d.Street == "" && scope.Street != "" {
		d.Street = scope.District + "/" + scope.Street
	}
	district, street, _ := strings.Cut(d.Street, "/")
	known := false
	h.o.Directory.Read(func(m *directory.Model) {
		seen := map[string]bool{}
		for _, e := range m.Entries {
			k := e.District + "/" + e.Street
			known = known || k == d.Street
			if e.Name != "" && !seen[k] && scope.Covers(e.District, e.Street, scope.Community) {
				seen[k] = true
				d.Streets = append(d.Streets, k)
			}
		}
	})
	// Another part of the city's street is refused; an unknown one is not found.
	if known && !scope.Covers(district, street, scope.Community) {
		h.Refuse(w, r, forbidden)
		return
	}
	slices.Sort(d.Streets)
	if d.Street == "" && len(d.Streets) > 0 {
		d.Street = d.Streets[0]
	}
	district, street, _ = strings.Cut(d.Street, "/")
	if d.Street != "" && !slices.Contains(d.Streets, d.Street) { // an empty city shows an empty workspace
		h.render(w, r, http.StatusNotFound, "notfound", "", nil)
		return
	}
	// A community worker sees its community of the street only.
	h.o.Directory.Read(func(m *directory.Model) {
		d.Compounds = m.List(directory.Filter{District: district, Street: street, Community: scope.Community})
	})
	now := h.o.Now()
	h.o.Deadlines.Read(func(m *deadlines.Model) {
		d.Board = m.Board(now, soonDays*24*time.Hour, deadlines.Filter{District: district, Street: street, Community: scope.Community})
	})
	for _, it := range d.Board.Overdue {
		d.Overdue = append(d.Overdue, overdueItem{Item: it, Days: int(now.Sub(it.Due).Hours() / 24)})
	}
	slices.SortStableFunc(d.Overdue, func(a, b overdueItem) int { return cmp.Compare(b.Days, a.Days) })
	h.render(w, r, http.StatusOK, "street", "street", d)
}
