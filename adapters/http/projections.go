package http

import (
	"context"
	"net/http"
	"sync"

	"github.com/go-chi/chi/v5"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
)

type managed struct {
	runner     projections.Live
	rebuilding bool
	lastErr    string
}

// WithProjections serves the projections' status and their blue/green
// rebuild: POST /api/v1/projections/{name}/rebuild answers at once, the old
// model keeps answering until the new one has caught up and is swapped in.
func WithProjections(store domain.EventStore, runners ...projections.Live) Option {
	return func(s *Server) {
		var mu sync.Mutex
		byName := map[string]*managed{}
		var names []string
		for _, r := range runners {
			byName[r.Name()] = &managed{runner: r}
			names = append(names, r.Name())
		}
		s.handle("GET", "/api/v1/projections", func(w http.ResponseWriter, r *http.Request) {
			if !s.noParams(w, r) {
				return
			}
			type status struct {
				Name       string `json:"name"`
				Position   uint64 `json:"position"`
				Halted     string `json:"halted,omitempty"`
				Rebuilding bool   `json:"rebuilding"`
				LastError  string `json:"last_rebuild_error,omitempty"`
			}
			var out []status
			mu.Lock()
			for _, n := range names {
				m := byName[n]
				pos, halted := m.runner.Status()
				st := status{Name: n, Position: pos, Rebuilding: m.rebuilding, LastError: m.lastErr}
				if halted != nil {
					st.Halted = halted.Error()
				}
				out = append(out, st)
			}
			mu.Unlock()
			s.respond(w, r, http.StatusOK, out)
		})
		s.handle("POST", "/api/v1/projections/{name}/rebuild", func(w http.ResponseWriter, r *http.Request) {
			name := chi.URLParam(r, "name")
			if !s.noParams(w, r) {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			m := byName[name]
			switch {
			case m == nil:
				s.Error(w, r, domain.Errorf(domain.CodeNotFound, "no projection %q", name))
				return
			case m.rebuilding:
				s.Error(w, r, domain.Errorf(domain.CodeConflict, "projection %s is already being rebuilt", name))
				return
			}
			release, err := slot(s.rebuilds, "projection rebuilds")
			if err != nil {
				s.Error(w, r, err)
				return
			}
			m.rebuilding = true
			go func() {
				defer release()
				// Detached from the request: the rebuild outlives it.
				err := m.runner.Rebuild(context.Background(), store)
				mu.Lock()
				defer mu.Unlock()
				m.rebuilding, m.lastErr = false, ""
				if err != nil {
					m.lastErr = err.Error()
					s.logger.Error("rebuild failed", "projection", name, "err", err)
				}
			}()
			s.respond(w, r, http.StatusAccepted, map[string]string{"projection": name, "status": "rebuilding"})
		})
	}
}
