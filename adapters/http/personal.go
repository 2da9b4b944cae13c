package http

import (
	"net/http"
	"net/url"

	"github.com/go-chi/chi/v5"

	"github.com/casetrack/casetrack/domain"
)

// handleForget erases a data subject's personal data: its key is
// destroyed, so its fields read as erased everywhere, while the log, its
// hashes and every figure stay as they were.
func (s *Server) handleForget(w http.ResponseWriter, r *http.Request) {
	subject := chi.URLParam(r, "subject")
	if u, err := url.PathUnescape(subject); err == nil {
		subject = u
	}
	if !s.noParams(w, r) {
		return
	}
	done, err := s.svc.Personal().Forget(r.Context(), principalOf(r).Actor(), subject)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if !done {
		s.Error(w, r, domain.Errorf(domain.CodeNotFound, "no personal data of %s to forget (never recorded, or already erased)", subject))
		return
	}
	s.respond(w, r, http.StatusOK, forgetAnswer{subject, true})
}

// forgetAnswer confirms an erasure.
type forgetAnswer struct {
	Subject string `json:"subject"`
	Erased  bool   `json:"erased"`
}
