// Package demo generates a realistic demo city — districts, streets,
// communities, compounds and two years of their history — and loads it
// through the command service, so every demo event obeys the domain rules.
package demo

import (
	"context"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/domain"
)

// Config sizes the city. The same config always yields the same city.
type Config struct {
	Seed               uint64
	Districts          int
	StreetsPerDistrict int
	CompoundsPerStreet int
	Year               int // the campaign year; the year before is there for year-on-year comparison
}

// DefaultConfig is the city of the README: 3 districts, 30 streets, 600 compounds.
func DefaultConfig() Config {
	return Config{Seed: 12345, Districts: 3, StreetsPerDistrict: 10, CompoundsPerStreet: 20, Year: 2025}
}

// Step is one command of a compound's history at its business time.
type Step struct {
	At    time.Time
	Actor domain.Actor
	Cmd   domain.Command
}

// Compound is one compound's generated history, in time order.
type Compound struct {
	ID    string
	Steps []Step
}

// City generates every compound's history.
func City(cfg Config) []Compound {
	var out []Compound
	eachCompound(cfg, func(c Compound) { out = append(out, c) })
	return out
}

// eachCompound generates the compounds one at a time, each from its own
// seed, so that a caller need not hold the whole city.
func eachCompound(cfg Config, fn func(Compound)) {
	n := 0
	for d := 0; d < cfg.Districts; d++ {
		for s := 0; s < cfg.StreetsPerDistrict; s++ {
			for k := 0; k < cfg.CompoundsPerStreet; k++ {
				n++
				fn(compoundAt(cfg, n, d, s, k))
			}
		}
	}
}

// compoundAt generates the city's nth compound (counted from 1), the kth
// of street s of district d.
func compoundAt(cfg Config, n, d, s, k int) Compound {
	g := &gen{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, uint64(n))), id: fmt.Sprintf("C%04d", n),
		district: pick(districtNames, d, "区"), street: pick(streetNames, d*cfg.StreetsPerDistrict+s, "街道"), index: k,
		end: time.Date(cfg.Year, 12, 31, 18, 0, 0, 0, domain.China)}
	g.compound()
	sort.SliceStable(g.steps, func(i, j int) bool { return g.steps[i].At.Before(g.steps[j].At) })
	return Compound{ID: g.id, Steps: g.steps}
}

func pick(names []string, i int, suffix string) string {
	if i < len(names) {
		return names[i]
	}
	return fmt.Sprintf("第%d%s", i+1, suffix)
}

// Load runs the city through svc, a simulated day at a time, with workers
// compounds at a time within the day. Each fact is recorded at the end of
// the day it happened (Meta.RecordedAt: demo data only), so recorded times
// rise with log positions and reads as of any past day answer as the
// record stood then. Command IDs are derived from the seed, so an
// interrupted load can simply run again. progress counts days.
//
// The steps are held a window of days at a time, at most windowSteps of
// them, the city being generated afresh for each window (it is the same
// every time): a province of ten million events loads in the memory of a
// town's.
func Load(ctx context.Context, svc *app.Service, cfg Config, workers int, progress func(done, total int)) (events int, err error) {
	if svc.Personal() == nil {
		// Its candidates' units and birth dates are personal data, which a
		// store without erasable keys (EventStoreDB) does not record.
		return 0, domain.Errorf(domain.CodeUnsupported, "the demo city records personal data (candidates' units and birth dates, complainants): it needs a store that keeps erasable keys, not EventStoreDB")
	}
	perDay := map[domain.Date]int{}
	eachCompound(cfg, func(c Compound) {
		for _, s := range c.Steps {
			perDay[domain.NewDate(s.At)]++
		}
	})
	days := slices.SortedFunc(maps.Keys(perDay), func(a, b domain.Date) int { return a.Compare(b.Time) })
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := 0
	for from := 0; from < len(days); {
		to, steps := from+1, perDay[days[from]]
		for to < len(days) && steps+perDay[days[to]] <= windowSteps {
			steps += perDay[days[to]]
			to++
		}
		n, err := loadDays(ctx, svc, cfg, workers, days[from:to], func() {
			if done++; progress != nil {
				progress(done, len(days))
			}
		})
		events += n
		if err != nil {
			return events, err
		}
		from = to
	}
	return events, ctx.Err()
}

// windowSteps bounds the steps Load holds at once: about 270 bytes each
// (a variable for the test that loads in small windows).
var windowSteps = 1 << 20

// loadDays runs the steps of days (in order, consecutive) through svc;
// dayDone is called after each.
func loadDays(ctx context.Context, svc *app.Service, cfg Config, workers int, days []domain.Date, dayDone func()) (events int, err error) {
	type batch struct {
		id    string
		first int // index of the first step, for command IDs
		steps []Step
	}
	first, last := days[0], days[len(days)-1]
	byDay := map[domain.Date][]batch{}
	eachCompound(cfg, func(c Compound) {
		for i := 0; i < len(c.Steps); {
			day, j := domain.NewDate(c.Steps[i].At), i
			for j < len(c.Steps) && domain.NewDate(c.Steps[j].At) == day {
				j++
			}
			if day.Compare(first.Time) >= 0 && day.Compare(last.Time) <= 0 {
				// A copy: the compound's other steps are not kept.
				byDay[day] = append(byDay[day], batch{c.ID, i, slices.Clone(c.Steps[i:j])})
			}
			i = j
		}
	})
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var mu sync.Mutex
	var firstErr error
	for _, day := range days {
		jobs := make(chan batch)
		var wg sync.WaitGroup
		for w := 0; w < max(workers, 1); w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for b := range jobs {
					n, err := loadSteps(ctx, svc, cfg, b.id, b.first, b.steps, day.End())
					mu.Lock()
					events += n
					if err != nil && firstErr == nil {
						firstErr = err
						cancel()
					}
					mu.Unlock()
				}
			}()
		}
	feed:
		for _, b := range byDay[day] {
			select {
			case jobs <- b:
			case <-ctx.Done():
				break feed
			}
		}
		close(jobs)
		wg.Wait()
		delete(byDay, day) // its steps are done with
		if firstErr != nil || ctx.Err() != nil {
			break
		}
		dayDone()
	}
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return events, firstErr
}

// loadSteps records one compound's steps of a day, known at recorded.
func loadSteps(ctx context.Context, svc *app.Service, cfg Config, id string, first int, steps []Step, recorded time.Time) (int, error) {
	n := 0
	for k, s := range steps {
		i := first + k
		res, err := svc.Execute(ctx, id, s.Cmd, app.Meta{
			CommandID:     fmt.Sprintf("demo-%d-%s-%d", cfg.Seed, id, i),
			CorrelationID: "demo-" + id, Actor: s.Actor, OccurredAt: s.At, RecordedAt: recorded})
		if err != nil {
			return n, fmt.Errorf("demo %s step %d (%T at %s): %w", id, i, s.Cmd, s.At.Format(time.RFC3339), err)
		}
		if !res.Duplicate {
			n += len(res.Events)
		}
	}
	return n, nil
}

// gen writes one compound's history. Each part of it is a chain of steps in
// time order; a chain stops at the end of the campaign year, leaving
// whatever was under way open, as it would be on that day.
type gen struct {
	cfg      Config
	rng      *rand.Rand
	id       string
	district string
	street   string
	index    int
	end      time.Time
	steps    []Step

	profile   domain.Profile
	trouble   float64 // how conflict-prone the compound is
	branch    bool
	names     map[string]bool
	serving   []window // when a committee serves: [elected, term end or expiry)
	secretary string
}

// window is a committee's time in office and its members.
type window struct {
	from, to time.Time
	members  []string
}

func (g *gen) actor(role string) domain.Actor {
	switch role {
	case "hotline":
		return domain.Actor{UserID: "hotline-operator", Role: "hotline", Organisation: "12345热线"}
	case "bureau":
		return domain.Actor{UserID: "bureau-inspector", Role: "inspector", Organisation: g.district + "住建局"}
	case "court":
		return domain.Actor{UserID: "court-liaison", Role: "court_liaison", Organisation: g.district + "人民法院"}
	}
	return domain.Actor{UserID: "clerk-" + g.street, Role: "street_office", Organisation: g.street + "办事处"}
}

// add appends a step unless it falls after the end; it reports whether it did.
func (g *gen) add(at time.Time, role string, cmd domain.Command) bool {
	if at.After(g.end) {
		return false
	}
	g.steps = append(g.steps, Step{At: at, Actor: g.actor(role), Cmd: cmd})
	return true
}

func (g *gen) chance(p float64) bool { return g.rng.Float64() < p }

func (g *gen) between(lo, hi int) int { return lo + g.rng.IntN(hi-lo+1) }

// within returns a time between from and from+days, in office hours.
func (g *gen) within(from time.Time, days int) time.Time {
	t := from.Add(time.Duration(g.rng.Int64N(int64(days)*24*int64(time.Hour)) + int64(time.Hour)))
	if h := t.In(domain.China).Hour(); h < 8 || h > 18 {
		t = t.Add(time.Duration(24-h+9) * time.Hour) // move to 9:00 next morning
	}
	return t
}

func (g *gen) hours(from time.Time, lo, hi float64) time.Time {
	return from.Add(time.Duration((lo + g.rng.Float64()*(hi-lo)) * float64(time.Hour)))
}

func (g *gen) person() string {
	for {
		n := surnames[g.rng.IntN(len(surnames))] + givenNames[g.rng.IntN(len(givenNames))]
		if g.names == nil {
			g.names = map[string]bool{}
		}
		if !g.names[n] {
			g.names[n] = true
			return n
		}
	}
}

func (g *gen) poisson(lambda float64) int {
	if lambda > 50 { // normal approximation: exp(-lambda) would underflow the product
		return max(0, int(math.Round(lambda+math.Sqrt(lambda)*g.rng.NormFloat64())))
	}
	l, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= g.rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 9, 30, 0, 0, domain.China) }
