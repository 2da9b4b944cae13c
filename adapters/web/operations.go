package web

import (
	"net/http"

	"github.com/casetrack/casetrack/app/auth"
)

// operationsData is the admin's page: who may sign in, with which role
// and scope, and how far each read model has read the log.
type operationsData struct {
	Accounts    []auth.AccountInfo
	Projections []position
}

type position struct {
	Name     string
	Position uint64
}

// positioned is a read model that knows how far it has read.
type positioned interface {
	Name() string
	Position() uint64
}

func (h *Handler) operations(w http.ResponseWriter, r *http.Request) {
	var d operationsData
	if h.o.Accounts != nil {
		list, err := h.o.Accounts.List(r.Context())
		if err != nil {
			h.fail(w, r, err)
			return
		}
		d.Accounts = list
	}
	for _, p := range []positioned{h.o.Directory, h.o.Deadlines, h.o.League} {
		if p != nil {
			d.Projections = append(d.Projections, position{p.Name(), p.Position()})
		}
	}
	h.render(w, r, http.StatusOK, "operations", "operations", d)
}
