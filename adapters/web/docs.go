package web

import "net/http"

// docs is the API's reference: Swagger UI (an npm package, embedded)
// renders the server's /openapi.json, so that it always shows the API
// this binary serves. Public, as the document is.
func (h *Handler) docs(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "docs", "", nil)
}
