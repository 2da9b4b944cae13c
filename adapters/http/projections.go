package http

import (
	"context"
	"net/http"
	"sync"

	"github.com/go-chi/chi/v5"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
	"github.com/casetrack/casetrack/projections/league"
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
		s.handle("GET", "/api/v1/projections", api{summary: "how far each read model has read the log", answer: []projectionStatus{}},
			func(w http.ResponseWriter, r *http.Request) {
				if !s.noParams(w, r) {
					return
				}
				var out []projectionStatus
				mu.Lock()
				for _, n := range names {
					m := byName[n]
					pos, halted := m.runner.Status()
					st := projectionStatus{Name: n, Position: pos, Rebuilding: m.rebuilding, LastError: m.lastErr}
					if halted != nil {
						st.Halted = halted.Error()
					}
					out = append(out, st)
				}
				mu.Unlock()
				s.respond(w, r, http.StatusOK, out)
			})
		// The API's route and the operations page start a rebuild through
		// this one function, behind the same cap.
		s.rebuild = func(name string) error {
			mu.Lock()
			defer mu.Unlock()
			m := byName[name]
			switch {
			case m == nil:
				return domain.Errorf(domain.CodeNotFound, "no projection %q", name)
			case m.rebuilding:
				return domain.Errorf(domain.CodeConflict, "projection %s is already being rebuilt", name)
			}
			release, err := slot(s.rebuilds, "projection rebuilds")
			if err != nil {
				return err
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
			return nil
		}
		s.handle("POST", "/api/v1/projections/{name}/rebuild", api{summary: "rebuild a read model from the log (blue/green)",
			answer: rebuildStarted{}, status: []int{http.StatusAccepted}, problems: []domain.Code{domain.CodeNotFound, domain.CodeConflict}},
			func(w http.ResponseWriter, r *http.Request) {
				name := chi.URLParam(r, "name")
				if !s.noParams(w, r) {
					return
				}
				if err := s.rebuild(name); err != nil {
					s.Error(w, r, err)
					return
				}
				s.respond(w, r, http.StatusAccepted, rebuildStarted{Projection: name, Status: "rebuilding"})
			})
	}
}

type projectionStatus struct {
	Name       string `json:"name"`
	Position   uint64 `json:"position"`
	Halted     string `json:"halted,omitempty"`
	Rebuilding bool   `json:"rebuilding"`
	LastError  string `json:"last_rebuild_error,omitempty"`
}

type rebuildStarted struct {
	Projection string `json:"projection"`
	Status     string `json:"status"`
}

type campaignReloaded struct {
	Campaign string `json:"campaign"`
	Metrics  int    `json:"metrics"`
	File     string `json:"file"`
}

// Rebuild starts the blue/green rebuild of a projection (WithProjections),
// as POST /api/v1/projections/{name}/rebuild does; for the operations page.
func (s *Server) Rebuild(name string) error {
	if s.rebuild == nil {
		return domain.Errorf(domain.CodeNotFound, "no projection %q", name)
	}
	return s.rebuild(name)
}

// WithCampaignFile serves POST /api/v1/campaign/reload: the campaign file
// is read again, checked, and swapped into the league service at once
// (tables are computed at query time: no rebuild); a bad file leaves the
// configuration in force and is answered with the file's error (file and
// line). An empty path: the default campaign, nothing to reload.
func WithCampaignFile(path string) Option {
	return func(s *Server) {
		s.campaignFile = path
		s.handle("POST", "/api/v1/campaign/reload", api{summary: "read the campaign file again and put it in force",
			answer: campaignReloaded{}, problems: []domain.Code{domain.CodeNotFound}}, func(w http.ResponseWriter, r *http.Request) {
			if !s.noParams(w, r) {
				return
			}
			cfg, err := s.ReloadCampaign()
			if err != nil {
				s.Error(w, r, err)
				return
			}
			s.respond(w, r, http.StatusOK, campaignReloaded{Campaign: cfg.Name, Metrics: len(cfg.Metrics), File: s.campaignFile})
		})
	}
}

// ReloadCampaign re-reads the campaign file and swaps it in; the file's
// error, if any, is a field error on "campaign" and changes nothing.
func (s *Server) ReloadCampaign() (league.Config, error) {
	if s.league == nil || s.campaignFile == "" {
		return league.Config{}, domain.Errorf(domain.CodeNotFound, "no campaign file: the server runs the default campaign (start it with --campaign)")
	}
	cfg, err := league.LoadConfig(s.campaignFile)
	if err != nil {
		return league.Config{}, &domain.Error{Code: domain.CodeInvalid, Message: "campaign configuration not reloaded", Violations: []domain.Violation{{
			Rule: "campaign.invalid", Field: "campaign", Message: err.Error(), MessageZH: "考核配置有误，未重新加载：" + err.Error()}}}
	}
	s.league.SetConfig(cfg)
	return cfg, nil
}
