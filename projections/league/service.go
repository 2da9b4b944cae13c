package league

import (
	"context"
	"encoding/json"
	"strconv"
	"sync"
	"time"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
)

// Service answers league-table queries from the live model: as it stands,
// or as it was known at a past position (time travel, from its known
// facts; an explained table of the past is replayed from the nearest
// snapshot).
type Service struct {
	runner *projections.Runner[*Model]
	store  domain.EventStore

	now func() time.Time

	mu  sync.RWMutex
	cfg Config
	gen int // bumped with the config, so cached tables of the old one are not served
	// editions numbers the tables computed (Table.Edition)
	editions uint64
	cache    map[cacheKey]*cached
	// pending are the tables of a new minute being computed (minuteBefore).
	pending map[cacheKey]bool
}

// Computing a table takes milliseconds (the month index spares it most of
// the walk), but holds off the fold meanwhile, so tables are served from a
// cache: stale while revalidating. A cached table
// older than the model is still answered — its position says how old — and
// recomputed in the background; a request with min_position beyond it
// waits for a fresh one.
type cacheKey struct {
	gen      int
	level    Level
	from, to time.Time
	at       time.Time
	worst    bool
}

type cached struct {
	pos        uint64
	table      Table
	refreshing bool
}

const maxCached = 256

func NewService(runner *projections.Runner[*Model], store domain.EventStore, cfg Config) *Service {
	return &Service{runner: runner, store: store, cfg: cfg, now: time.Now, cache: map[cacheKey]*cached{}, pending: map[cacheKey]bool{}}
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
	s.cfg, s.gen, s.cache = c, s.gen+1, map[cacheKey]*cached{}
}

// Request is one table query.
type Request struct {
	Query
	View projections.Query // the live model, or the model as the log stood at a past time or position
}

// Table answers a request. Its rows may be the cache's, shared by every
// request: read them, and filter into a new slice, never in place
// (copying them per request cost the dashboard, which reads thirteen
// tables a page, more than the rest of its render).
func (s *Service) Table(ctx context.Context, req Request) (Table, error) {
	pos, live, err := s.runner.Resolve(ctx, s.store, req.View)
	if err != nil {
		return Table{}, err
	}
	// Open items (overdue measures, unanswered complaints) are judged at
	// the request's time, or when the table stood (as of), or now; never
	// after the period. Judged now, a table moves by the minute at most.
	at := req.At
	judgedNow := at.IsZero() && req.View.AsOf.IsZero()
	if at.IsZero() {
		at = s.now().Truncate(time.Minute)
	}
	if !req.View.AsOf.IsZero() {
		at = minTime(at, req.View.AsOf)
	}
	req.At = minTime(at, req.Period.To)
	judgedNow = judgedNow && req.At.Equal(at)
	s.mu.RLock()
	cfg, gen := s.cfg, s.gen
	s.mu.RUnlock()
	if !live { // tables of the past are not cached
		return s.past(ctx, cfg, req, pos)
	}
	if req.Explain { // nor are event lists
		var tb Table
		s.runner.Read(func(m *Model) { tb = m.Table(cfg, req.Query) })
		return tb, nil
	}
	head, _ := s.runner.Status()
	key := cacheKey{gen, req.Level, req.Period.From, req.Period.To, req.At, req.WorstFirst}
	whole := req.Query // kept whole: every page is cut from it
	whole.Offset, whole.Limit = 0, 0
	tb, ok := s.fromCache(key, req.View.MinPosition, head, cfg, whole)
	if !ok && judgedNow {
		tb, ok = s.minuteBefore(key, req.View.MinPosition, cfg, whole)
	}
	if !ok {
		tb = s.compute(key, cfg, whole)
	}
	tb.Snapshot = s.runner.Checkpoint()
	return tb.Page(req.Query), nil
}

// past answers a table as known at a position the live model has passed,
// judged (as of a position) no later than its event was recorded: from the
// live model's known facts; explained (its event lists need the items as
// they were), or at a position with no event of its own (a gap the store
// left), from a model replayed to it.
func (s *Service) past(ctx context.Context, cfg Config, req Request, pos uint64) (Table, error) {
	page, err := s.store.ReadAll(ctx, pos-1, 1)
	if err != nil {
		return Table{}, err
	}
	if !req.Explain && len(page) == 1 && page[0].Position == pos {
		recorded := page[0].RecordedAt
		if req.View.AsOf.IsZero() && req.At.After(recorded) {
			req.At = recorded
		}
		var tb Table
		s.runner.Read(func(m *Model) { tb = m.TableAsOf(cfg, req.Query, pos, recorded) })
		return tb, nil
	}
	m, err := s.runner.AsOf(ctx, s.store, pos)
	if err != nil {
		return Table{}, err
	}
	if req.View.AsOf.IsZero() && req.At.After(m.Recorded) {
		req.At = m.Recorded
	}
	return m.Table(cfg, req.Query), nil
}

// fromCache answers from the cache when the cached table is at least at
// minPosition, and starts a refresh when the model has moved past it.
func (s *Service) fromCache(key cacheKey, minPosition, head uint64, cfg Config, q Query) (Table, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.cache[key]
	if !ok || c.pos < minPosition {
		return Table{}, false
	}
	if c.pos < head && !c.refreshing {
		c.refreshing = true
		go s.compute(key, cfg, q)
	}
	return c.table, true
}

// minuteBefore answers the first request of a minute, for a table judged
// now, with the table judged the minute before (its JudgedAt says so),
// while this minute's is computed in the background: otherwise every
// table, and the dashboard's twelve month tables, would be computed while
// a user waits, once a minute.
func (s *Service) minuteBefore(key cacheKey, minPosition uint64, cfg Config, q Query) (Table, bool) {
	prev := key
	prev.at = key.at.Add(-time.Minute)
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.cache[prev]
	if !ok || c.pos < minPosition {
		return Table{}, false
	}
	if !s.pending[key] {
		s.pending[key] = true
		go func() {
			s.compute(key, cfg, q)
			s.mu.Lock()
			delete(s.pending, key)
			s.mu.Unlock()
		}()
	}
	return c.table, true
}

// compute makes a table from the live model and caches it.
func (s *Service) compute(key cacheKey, cfg Config, q Query) Table {
	var tb Table
	s.runner.Read(func(m *Model) {
		m.Index()
		tb = m.Table(cfg, q)
	})
	s.mu.Lock()
	defer s.mu.Unlock()
	s.editions++
	tb.Edition = s.editions
	if key.gen == s.gen {
		if len(s.cache) >= maxCached {
			for k := range s.cache { // map order is random: a cheap random eviction
				delete(s.cache, k)
				break
			}
		}
		if c, ok := s.cache[key]; !ok || c.pos <= tb.Position {
			s.cache[key] = &cached{pos: tb.Position, table: tb}
		}
	}
	return tb
}

// Name, Position and SQLTables make the service an exporter of read models
// (projections.Exporter): the fold's complaint rows (Model.SQLTables) and, for
// SQL readers, the league tables of the running year and the one before
// at every level, under the campaign configuration in force, judged now.
func (s *Service) Name() string     { return s.runner.Name() }
func (s *Service) Position() uint64 { return s.runner.Position() }

func (s *Service) SQLTables() (uint64, []projections.SQLTable, bool) {
	cfg, now := s.Config(), s.now().Truncate(time.Minute)
	year := now.In(domain.China).Year()
	league := projections.SQLTable{Name: "rm_league", Columns: []string{"level", "period", "unit", "name", "rank", "score", "list",
		"rising", "metrics", "campaign", "judged_at"}}
	type ranked struct {
		year int
		tb   Table
	}
	var pos uint64
	var tables []projections.SQLTable
	var ranks []ranked
	s.runner.Read(func(m *Model) {
		m.Index()
		pos, tables = m.Position(), m.SQLTables()
		for _, y := range []int{year - 1, year} {
			period, _ := ParsePeriod(strconv.Itoa(y))
			for _, level := range levelOrder {
				ranks = append(ranks, ranked{y, m.Table(cfg, Query{Level: level, Period: period, At: now})})
			}
		}
	})
	for _, r := range ranks { // laid out after the read: the fold need not wait for it
		for _, row := range r.tb.Rows {
			metrics, _ := json.Marshal(row.Metrics)
			league.Rows = append(league.Rows, []any{string(r.tb.Level), strconv.Itoa(r.year), row.Unit, row.Name, row.Rank, row.Score,
				row.List, row.Rising, metrics, cfg.Name, minTime(now, r.tb.To)})
		}
	}
	return pos, append(tables, league), true
}
