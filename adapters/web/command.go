package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/casetrack/casetrack/adapters/openapi"
	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/labels"
)

// field is one input of a command form, generated from the command's type.
type field struct {
	Name    string // the JSON name, as problem documents name it
	Input   string // text, number, checkbox, date, datetime-local, select, json
	Options []string
	Group   labels.Group // the options' labels
	Value   string
	Error   string
	Focus   bool // the first field in error: focused, so the keyboard goes on there
}

// commandData is a command form with what the user typed and the errors.
type commandData struct {
	Compound  string
	Name      string
	Fields    []field
	Error     string // an error of no one field
	CommandID string // the idempotency key: a form sent twice records once
}

// formFields lays a command's body out as inputs, from the schema the
// API's document gives it (adapters/openapi): closed vocabularies as
// choices, scalars as typed inputs, anything nested as JSON. The extra
// "occurred_at" is the business time of a backdated paper record.
func formFields(t reflect.Type) ([]field, error) {
	props, err := openapi.Properties(t)
	if err != nil {
		return nil, domain.Internal(err, "command form")
	}
	var out []field
	for _, p := range props {
		f, s := field{Name: p.Name}, p.Schema
		switch {
		case len(s.Enum) > 0:
			f.Input = "select"
			for _, v := range s.Enum {
				f.Options = append(f.Options, fmt.Sprint(v))
			}
			if vocab, ok := s.Extensions[openapi.VocabularyKey].(string); ok {
				f.Group, _ = labels.ForType(vocab)
			}
		case s.Format == "date-time":
			f.Input = "datetime-local"
		case s.Format == "date":
			f.Input = "date"
		case s.Type.Includes("number") || s.Type.Includes("integer"): // areas are numbers or strings: a number here
			f.Input = "number"
		case s.Type.Includes("string"):
			f.Input = "text"
		case s.Type.Includes("boolean"):
			f.Input = "checkbox"
		default:
			f.Input = "json"
		}
		out = append(out, f)
	}
	return append(out, field{Name: "occurred_at", Input: "datetime-local"}), nil
}

func (h *Handler) commandForm(w http.ResponseWriter, r *http.Request) {
	id, name := chi.URLParam(r, "id"), chi.URLParam(r, "name")
	t, ok := domain.CommandType(name)
	if !ok {
		h.render(w, r, http.StatusNotFound, "notfound", "", nil)
		return
	}
	if err := domain.ValidateCompoundID(id); err != nil {
		h.fail(w, r, err)
		return
	}
	fields, err := formFields(t)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "command", "street", commandData{Compound: id, Name: name, Fields: fields, CommandID: uuid.NewString()})
}

// command records a form: the same parsing and rules as the API, so the
// field errors are the API's, shown next to their inputs.
func (h *Handler) command(w http.ResponseWriter, r *http.Request) {
	id, name := chi.URLParam(r, "id"), chi.URLParam(r, "name")
	t, ok := domain.CommandType(name)
	if !ok {
		h.render(w, r, http.StatusNotFound, "notfound", "", nil)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, &domain.Error{Code: domain.CodeInvalid, Message: "the form could not be read", Err: err})
		return
	}
	fields, err := formFields(t)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	l := lang(w, r)
	d := commandData{Compound: id, Name: name, Fields: fields, CommandID: r.PostFormValue("command_id")}
	if d.CommandID == "" {
		d.CommandID = uuid.NewString()
	}
	body := map[string]json.RawMessage{}
	meta := app.Meta{CommandID: d.CommandID}
	if u := h.user(r); u != nil {
		meta.Actor = domain.Actor{UserID: u.Name, Role: u.Role, Organisation: u.Organisation}
	}
	bad := false
	for i := range d.Fields {
		f := &d.Fields[i]
		f.Value = strings.TrimSpace(r.PostFormValue(f.Name))
		raw, problem := jsonValue(*f)
		switch {
		case problem != "":
			f.Error, bad = labels.Of(l, labels.Word, problem), true
		case f.Name == "occurred_at":
			if raw != nil {
				meta.OccurredAt, _ = time.ParseInLocation("2006-01-02T15:04", f.Value, domain.China)
			}
		case raw != nil:
			body[f.Name] = raw
		}
	}
	if !bad {
		b, _ := json.Marshal(body)
		cmd, err := domain.ParseCommand(name, b)
		if err == nil {
			var res domain.AppendResult
			if res, err = h.o.Service.Execute(r.Context(), id, cmd, meta); err == nil {
				to := "/compounds/" + id
				if len(res.Events) > 0 {
					to += "#e" + res.Events[0].EventID
				}
				if r.Header.Get("HX-Request") == "true" {
					w.Header().Set("HX-Redirect", to)
					w.WriteHeader(http.StatusNoContent)
					return
				}
				http.Redirect(w, r, to, http.StatusSeeOther)
				return
			}
		}
		e := domain.ErrorOf(err)
		if e.Code == domain.CodeInternal {
			h.fail(w, r, err)
			return
		}
		d.attach(l, e)
	}
	d.focusFirstError()
	// 200, not 422: htmx swaps only successful answers, and this is the
	// form to correct.
	h.render(w, r, http.StatusOK, "command", "street", d)
}

// attach puts each violation next to its field; the rest go on top.
func (d *commandData) attach(l labels.Lang, e *domain.Error) {
	msg := func(v domain.Violation) string {
		if l == labels.EN {
			return v.Message
		}
		return v.MessageZH
	}
	var rest []string
	for _, v := range e.Violations {
		placed := false
		for i := range d.Fields {
			top, _, _ := strings.Cut(v.Field, ".")
			top, _, _ = strings.Cut(top, "[")
			if v.Field != "" && (d.Fields[i].Name == v.Field || d.Fields[i].Name == top) {
				d.Fields[i].Error = strings.TrimSpace(d.Fields[i].Error + " " + msg(v))
				placed = true
				break
			}
		}
		if !placed {
			rest = append(rest, msg(v))
		}
	}
	if len(e.Violations) == 0 {
		rest = append(rest, e.Message)
	}
	d.Error = strings.Join(rest, "；")
	d.focusFirstError()
}

func (d *commandData) focusFirstError() {
	for i := range d.Fields {
		if d.Fields[i].Error != "" {
			d.Fields[i].Focus = true
			return
		}
	}
}

// jsonValue turns an input into its JSON value, or names the problem
// (a word of the label table). Empty inputs are left out, so that the
// command's own rules report what is required.
func jsonValue(f field) (json.RawMessage, string) {
	if f.Value == "" {
		if f.Input == "checkbox" {
			return json.RawMessage("false"), ""
		}
		return nil, ""
	}
	switch f.Input {
	case "checkbox":
		return json.RawMessage("true"), ""
	case "number":
		if _, err := strconv.ParseFloat(f.Value, 64); err != nil {
			return nil, "bad_number"
		}
		return json.RawMessage(f.Value), ""
	case "datetime-local":
		t, err := time.ParseInLocation("2006-01-02T15:04", f.Value, domain.China)
		if err != nil {
			return nil, "bad_time"
		}
		b, _ := json.Marshal(t)
		return b, ""
	case "json":
		if !json.Valid([]byte(f.Value)) {
			return nil, "bad_json"
		}
		return json.RawMessage(f.Value), ""
	}
	b, _ := json.Marshal(f.Value)
	return b, ""
}
