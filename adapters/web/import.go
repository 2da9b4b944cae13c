package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/casetrack/casetrack/adapters/sheet"
	"github.com/casetrack/casetrack/app/importer"
	"github.com/casetrack/casetrack/domain"
)

// importData is the register import page: the form, and after a post
// what the file held and what was done.
type importData struct {
	Posted              bool
	File                string
	DryRun, SkipBad     bool
	New, Unchanged, Bad int
	Imported            int
	Done                bool // rows were recorded
	Problems            []importer.Problem
	Error               string // the whole file was refused
	ErrorDetails        []domain.Violation
}

func (h *Handler) importPage(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "import", "import", importData{})
}

// importTemplate downloads the register template.
func (h *Handler) importTemplate(f sheet.Format) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", f.ContentType())
		w.Header().Set("Content-Disposition", `attachment; filename="compounds-template.`+string(f)+`"; filename*=UTF-8''%E5%B0%8F%E5%8C%BA%E7%99%BB%E8%AE%B0%E6%A8%A1%E6%9D%BF.`+string(f))
		if err := sheet.Write(w, f, importer.Template()...); err != nil {
			h.o.Logger.ErrorContext(r.Context(), "template not written", "err", err)
		}
	}
}

// importFile checks an uploaded register and, unless asked only to check,
// records it: all or nothing, or the good rows with skip_bad, within the
// user's part of the city; the page lists every bad cell.
func (h *Handler) importFile(w http.ResponseWriter, r *http.Request) {
	const formOverhead = 1 << 20 // the multipart envelope and the other fields
	r.Body = http.MaxBytesReader(w, r.Body, sheet.DefaultLimits.MaxBytes+formOverhead)
	d := importData{Posted: true, DryRun: r.FormValue("dry_run") != "", SkipBad: r.FormValue("skip_bad") != ""}
	file, head, err := r.FormFile("file")
	if err != nil {
		var tooBig *http.MaxBytesError
		d.Error = "the form holds no file to import / 表单中没有要导入的文件"
		if errors.As(err, &tooBig) {
			d.Error = "the file is too large / 文件过大"
		}
		h.render(w, r, http.StatusBadRequest, "import", "import", d)
		return
	}
	defer file.Close()
	d.File = head.Filename
	tab, err := sheet.Read(head.Filename, file, sheet.DefaultLimits, importer.IsHeader)
	var plan *importer.Plan
	if err == nil {
		var scope domain.Scope
		if u := h.user(r); u != nil {
			scope = domain.Scope{District: u.Scope.District, Street: u.Scope.Street, Community: u.Scope.Community}
		}
		plan, err = importer.Check(r.Context(), h.o.Service, tab, h.o.Now(), scope, nil)
	}
	if err != nil {
		e := domain.ErrorOf(err)
		if e.Code == domain.CodeInternal || e.Code == domain.CodeUnavailable {
			h.fail(w, r, err)
			return
		}
		d.Error, d.ErrorDetails = e.Message, e.Violations
		h.render(w, r, http.StatusBadRequest, "import", "import", d)
		return
	}
	d.Problems = plan.Problems
	d.New, d.Unchanged, d.Bad = plan.Counts()
	if !d.DryRun && (d.Bad == 0 || d.SkipBad) {
		var actor domain.Actor
		if u := h.user(r); u != nil {
			actor = domain.Actor{UserID: u.Name, Role: u.Role, Organisation: u.Organisation}
		}
		res, err := plan.Run(r.Context(), h.o.Service, importer.Options{SkipBad: d.SkipBad, Actor: actor})
		d.Imported, d.Done = res.Imported, true
		if err != nil {
			d.Error = strings.TrimSpace(domain.ErrorOf(err).Message)
		}
	}
	h.render(w, r, http.StatusOK, "import", "import", d)
}
