package league

import (
	"context"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
)

// Service answers league-table queries from the live model, or from the
// model as it stood at a past position (time travel), replayed from the
// nearest snapshot.
type Service struct {
	runner *projections.Runner
	store  domain.EventStore
	cps    projections.Checkpoints

	mu    sync.RWMutex
	cfg   Config
	gen   int // bumped with the config, so cached tables of the old one are not served
	cache map[cacheKey]Table
}

// cacheKey is a table as computed for one model position: a table is
// recomputed only after the model has moved on (a few times a minute in a
// city), and repeated views in between are answered from the cache.
type cacheKey struct {
	pos      uint64
	gen      int
	level    Level
	from, to time.Time
	at       time.Time
	worst    bool
}

func NewService(runner *projections.Runner, store domain.EventStore, cps projections.Checkpoints, cfg Config) *Service {
	return &Service{runner: runner, store: store, cps: cps, cfg: cfg}
}

// Config is the campaign configuration in force.
func (s *Service) Config() Config {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.cfg
}

// SetConfig swaps the campaign configuration. Tables are computed from the
// model's facts at query time, so the new weights apply at once; no rebuild.
func (s *Service) SetConfig(c Config) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cfg, s.gen, s.cache = c, s.gen+1, nil
}

// Request is one table query.
type Request struct {
	Query
	AsOfPosition uint64    // the table as the log stood at this position
	AsOfTime     time.Time // or as it stood at this time (recorded time)
	MinPosition  uint64    // read-your-writes: wait until the model has applied this
}

// Table answers a request.
func (s *Service) Table(ctx context.Context, req Request) (Table, error) {
	if req.MinPosition > 0 {
		if err := s.runner.WaitFor(ctx, req.MinPosition); err != nil {
			return Table{}, err
		}
	}
	pos := req.AsOfPosition
	if !req.AsOfTime.IsZero() {
		var err error
		if pos, err = s.positionAt(ctx, req.AsOfTime); err != nil {
			return Table{}, err
		}
	}
	s.mu.RLock()
	cfg, gen := s.cfg, s.gen
	s.mu.RUnlock()
	var tb Table
	live := pos == 0 && req.AsOfTime.IsZero()
	s.runner.Read(func(p projections.Projection) {
		if !live && pos < p.Position() {
			return
		}
		live = true
		key := cacheKey{p.Position(), gen, req.Level, req.Period.From, req.Period.To, req.At, req.WorstFirst}
		if cached, ok := s.cached(key); ok && !req.Explain {
			tb = cached
			return
		}
		tb = p.(*Model).Table(cfg, req.Query)
		if !req.Explain {
			s.remember(key, tb)
		}
	})
	if live {
		tb.Rows = slices.Clone(tb.Rows) // callers may filter the rows; the cached table stays whole
		return tb, nil
	}
	m := New()
	if err := projections.Replay(ctx, s.store, s.cps, m, pos); err != nil {
		return Table{}, err
	}
	return m.Table(cfg, req.Query), nil
}

func (s *Service) cached(k cacheKey) (Table, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	tb, ok := s.cache[k]
	return tb, ok
}

// remember keeps a computed table; tables of older positions are dropped.
func (s *Service) remember(k cacheKey, tb Table) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if k.gen != s.gen {
		return
	}
	for old := range s.cache {
		if old.pos != k.pos {
			delete(s.cache, old)
		}
	}
	if s.cache == nil {
		s.cache = map[cacheKey]Table{}
	}
	s.cache[k] = tb
}

// positionAt is the last position recorded at or before t, found by binary
// search on the log (recorded times rise with positions).
func (s *Service) positionAt(ctx context.Context, t time.Time) (uint64, error) {
	var hi uint64
	s.runner.Read(func(p projections.Projection) { hi = p.Position() })
	var err error
	n := sort.Search(int(hi), func(after int) bool {
		if err != nil {
			return true
		}
		var page []domain.Envelope
		page, err = s.store.ReadAll(ctx, uint64(after), 1)
		return err == nil && (len(page) == 0 || page[0].RecordedAt.After(t))
	})
	if err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, domain.Errorf(domain.CodeNotFound, "nothing was recorded by %s", t.Format(time.RFC3339))
	}
	page, err := s.store.ReadAll(ctx, uint64(n-1), 1)
	if err != nil || len(page) == 0 {
		return 0, err
	}
	return page[0].Position, nil
}
