package web

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/casetrack/casetrack/app/auth"
	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/labels"
)

// operationsData is the admin's page: who may sign in, with which role
// and scope, how far each read model has read the log, and the campaign
// in force; with the outcome of the last button pressed.
type operationsData struct {
	Accounts    []auth.AccountInfo
	Projections []position
	Campaign    string
	CanRebuild  bool
	CanReload   bool
	Done        string // what the last button did
	Error       string // why it did not
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
	h.operationsPage(w, r, http.StatusOK, operationsData{Done: doneLabel(r.URL.Query().Get("done"))})
}

// doneLabel is the word for an outcome the page was redirected with;
// anything else is not shown.
func doneLabel(done string) string {
	if done == "rebuild_started" || done == "campaign_reloaded" {
		return done
	}
	return ""
}

func (h *Handler) operationsPage(w http.ResponseWriter, r *http.Request, status int, d operationsData) {
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
	if h.o.League != nil {
		d.Campaign = h.o.League.Config().Name
	}
	d.CanRebuild, d.CanReload = h.o.Rebuild != nil, h.o.ReloadCampaign != nil
	h.render(w, r, status, "operations", "operations", d)
}

// rebuild starts a projection's rebuild through the API's code and shows
// the page again; a refusal (unknown, already running, no slot) is shown
// on the page.
func (h *Handler) rebuild(w http.ResponseWriter, r *http.Request) {
	if h.o.Rebuild == nil {
		h.fail(w, r, domain.Errorf(domain.CodeNotFound, "projection rebuilds are not served"))
		return
	}
	if err := h.o.Rebuild(chi.URLParam(r, "name")); err != nil {
		h.operationsFailed(w, r, err)
		return
	}
	http.Redirect(w, r, "/operations?done=rebuild_started", http.StatusSeeOther)
}

// reloadCampaign re-reads the campaign file; a bad file leaves the
// configuration in force and its error (file and line) is shown.
func (h *Handler) reloadCampaign(w http.ResponseWriter, r *http.Request) {
	if h.o.ReloadCampaign == nil {
		h.fail(w, r, domain.Errorf(domain.CodeNotFound, "campaign reloads are not served"))
		return
	}
	if _, err := h.o.ReloadCampaign(); err != nil {
		h.operationsFailed(w, r, err)
		return
	}
	http.Redirect(w, r, "/operations?done=campaign_reloaded", http.StatusSeeOther)
}

// operationsFailed shows the page with the error in the user's language.
func (h *Handler) operationsFailed(w http.ResponseWriter, r *http.Request, err error) {
	e := domain.ErrorOf(err)
	if e.Code == domain.CodeInternal {
		h.fail(w, r, err)
		return
	}
	msg := e.Message
	for _, v := range e.Violations {
		if lang(w, r) == labels.ZH {
			msg += "：" + v.MessageZH
		} else {
			msg += ": " + v.Message
		}
	}
	status := http.StatusBadRequest
	switch e.Code {
	case domain.CodeNotFound:
		status = http.StatusNotFound
	case domain.CodeConflict:
		status = http.StatusConflict
	case domain.CodeUnavailable:
		status = http.StatusServiceUnavailable
	}
	h.operationsPage(w, r, status, operationsData{Error: msg})
}
