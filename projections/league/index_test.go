package league

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/domain/demo"
)

// The month index answers exactly what the walk over every item answers:
// for whole and cut months, periods of every kind, and judging times inside
// a month; also when it was built half-way and kept up by the fold since.
func TestIndexAgreesWithWalk(t *testing.T) {
	store := domain.NewMemoryStore()
	cfg := demo.DefaultConfig()
	cfg.Districts, cfg.StreetsPerDistrict, cfg.CompoundsPerStreet = 1, 3, 20
	if _, err := demo.Load(context.Background(), domain.NewService(store, domain.DefaultRuleBook()), cfg, 4, nil); err != nil {
		t.Fatal(err)
	}
	events, _ := store.ReadAll(context.Background(), 0, 0)
	walked, indexed := New(), New()
	for i, e := range events {
		if i == len(events)/2 {
			indexed.Index()
		}
		if err := walked.Apply(e); err != nil {
			t.Fatal(err)
		}
		if err := indexed.Apply(e); err != nil {
			t.Fatal(err)
		}
	}
	if indexed.ix.ix.Load() == nil || walked.ix.ix.Load() != nil {
		t.Fatal("the index was not built where it should have been")
	}
	periods := []string{"2024", "2025", "2026", "2025-Q1", "2025-Q4", "2025-02", "2025-07", "2024-12-15..2025-03-10", "2025-06-01..2025-06-01"}
	rng := rand.New(rand.NewPCG(7, 8))
	for range 20 {
		from := time.Date(2024, 1, 1, 0, 0, 0, 0, domain.China).AddDate(0, 0, rng.IntN(700))
		periods = append(periods, from.Format(time.DateOnly)+".."+from.AddDate(0, 0, rng.IntN(400)).Format(time.DateOnly))
	}
	var judged []time.Time
	for range 5 {
		judged = append(judged, time.Date(2025, 1, 1, 0, 0, 0, 0, domain.China).Add(time.Duration(rng.Int64N(int64(365*24*time.Hour)))))
	}
	compared := 0
	for _, s := range periods {
		p, err := ParsePeriod(s)
		if err != nil {
			t.Fatal(err)
		}
		for _, level := range []Level{LevelStreet, LevelCommunity, LevelCompound, LevelCompany} {
			for _, at := range append([]time.Time{{}}, judged...) {
				q := Query{Level: level, Period: p, At: at}
				want, _ := json.Marshal(walked.Table(allMetrics(), q))
				got, _ := json.Marshal(indexed.Table(allMetrics(), q))
				if string(got) != string(want) {
					t.Fatalf("%s %s judged at %s:\nindex %s\nwalk  %s", level, s, at, got, want)
				}
				compared++
			}
		}
	}
	t.Logf("%d tables agree over %d events", compared, len(events))
}
