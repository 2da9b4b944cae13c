package http

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/casetrack/casetrack/domain"
)

// problem is an RFC 9457 problem document, extended with the domain's
// stable code and its field-level violations.
type problem struct {
	Type     string             `json:"type"`
	Title    string             `json:"title"`
	Status   int                `json:"status"`
	Detail   string             `json:"detail,omitempty"`
	Instance string             `json:"instance,omitempty"`
	Code     domain.Code        `json:"code"`
	Errors   []domain.Violation `json:"errors,omitempty"`
}

// statuses is the one place that maps domain codes to HTTP.
//
// integrity is a 409: the compound's stream is
// damaged (an event missing, reordered or altered), so nothing can be read
// from or written to it until it is repaired. It is not a server bug (500)
// nor transient (503). Unlike internal errors its message is shown (it
// names the stream and version, which auditors need) and it is logged as
// an integrity incident.
var statuses = map[domain.Code]struct {
	status int
	title  string
}{
	domain.CodeInvalid:         {http.StatusBadRequest, "Invalid request"},
	domain.CodeRejected:        {http.StatusUnprocessableEntity, "Command rejected by a domain rule"},
	domain.CodeNotFound:        {http.StatusNotFound, "Not found"},
	domain.CodeConflict:        {http.StatusConflict, "Version conflict"},
	domain.CodeTooLarge:        {http.StatusRequestEntityTooLarge, "Request too large"},
	domain.CodeUnsupported:     {http.StatusUnsupportedMediaType, "Unsupported media type"},
	domain.CodeUnavailable:     {http.StatusServiceUnavailable, "Service unavailable"},
	domain.CodeIntegrity:       {http.StatusConflict, "Event stream integrity violated"},
	domain.CodeInternal:        {http.StatusInternalServerError, "Internal error"},
	domain.CodeUnauthenticated: {http.StatusUnauthorized, "Sign-in required"},
	domain.CodeForbidden:       {http.StatusForbidden, "Not allowed"},
	domain.CodeRateLimited:     {http.StatusTooManyRequests, "Too many requests"},
}

// Error writes err as a problem document, logging what users must not see.
func (s *Server) Error(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		return // the client went away; nobody reads the answer
	}
	if errors.Is(err, context.DeadlineExceeded) {
		err = &domain.Error{Code: domain.CodeUnavailable, Message: "the request timed out", Err: err}
	}
	e := domain.ErrorOf(err)
	st, ok := statuses[e.Code]
	if !ok {
		e = domain.Internal(err, "unmapped error code")
		st = statuses[domain.CodeInternal]
	}
	ctx, log := r.Context(), s.logger.With("method", r.Method, "path", r.URL.Path)
	switch e.Code {
	case domain.CodeInternal:
		log.ErrorContext(ctx, "internal error", "err", err)
		e = &domain.Error{Code: domain.CodeInternal, Message: "an internal error occurred; it has been logged"}
	case domain.CodeIntegrity:
		log.ErrorContext(ctx, "event stream integrity violated", "err", err)
	case domain.CodeUnauthenticated:
		w.Header().Set("WWW-Authenticate", `Bearer realm="casetrack"`)
	case domain.CodeUnavailable:
		log.WarnContext(ctx, "unavailable", "err", err)
		w.Header().Set("Retry-After", "1")
	}
	if isOpen311(r) {
		s.writeError311(w, r, st.status, e)
		return
	}
	writeProblem(w, r, st.status, st.title, e)
}

// problemType names the kind of problem by its domain code: a stable tag URI
// (RFC 4151) that clients compare, not a page to fetch (RFC 9457 §3.1.1).
func problemType(c domain.Code) string { return "tag:casetrack,2026:problem/" + string(c) }

func writeProblem(w http.ResponseWriter, r *http.Request, status int, title string, e *domain.Error) {
	code := e.Code
	b, _ := json.Marshal(problem{Type: problemType(code), Title: title, Status: status,
		Detail: e.Message, Instance: r.URL.Path, Code: code, Errors: e.Violations}) // plain strings: cannot fail
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}
