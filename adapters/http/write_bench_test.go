package http

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/casetrack/casetrack/adapters/memory"
	"github.com/casetrack/casetrack/adapters/sqlite"
	"github.com/casetrack/casetrack/adapters/sqlite/sqlitetest"
	"github.com/casetrack/casetrack/adapters/storetest"
	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/app/auth"
	"github.com/casetrack/casetrack/app/demo"
	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
	"github.com/casetrack/casetrack/projections/directory"
	"github.com/google/uuid"
)

const writeConnections = 32 // the issue's write load

// BenchmarkComplaintLoad posts receive-complaint over loopback TCP from 32
// connections at once, each to a random compound of the city (a hotline
// operator's program: API token, one new complaint a request), and appends
// single-event commands straight to the same store from 32 goroutines in
// the same run as the baseline: the issue's target is ≥ 0.5 of the store's
// rate. A second figure appends the API's events straight to the store
// (random compounds, random event IDs): what the store itself allows.
// "demo" is the demo city (600 compounds) built through the command
// service; "1M" a private copy of the 1M-event city (sqlitetest.CityCopy), so
// that the shared file is never written. rss_MB is the peak of the process.
// Before the rounds every compound gets its snapshot, as on a server that
// has folded each once, and the service starts with none in memory: the
// first round ("cold") is a server just started, where most commands
// restore their compound. Then every compound takes one command, as on a
// server that has run a while (those over the cache's bound are dropped
// again), and the second round gives the other figures: the steady state.
func BenchmarkComplaintLoad(b *testing.B) {
	b.Run("demo", func(b *testing.B) {
		store, err := sqlite.Open(filepath.Join(b.TempDir(), "demo.db"))
		if err != nil {
			b.Fatal(err)
		}
		defer store.Close()
		cfg := demo.DefaultConfig()
		svc := app.NewService(store, domain.DefaultRuleBook(), app.WithPersonalData(app.NewPersonalData(memory.NewKeys(), slog.New(slog.DiscardHandler))))
		if _, err := demo.Load(context.Background(), svc, cfg, 8, nil); err != nil {
			b.Fatal(err)
		}
		complaintLoad(b, store, cfg.Districts*cfg.StreetsPerDistrict*cfg.CompoundsPerStreet)
	})
	b.Run("1M", func(b *testing.B) {
		store := sqlitetest.CityCopy(b, sqlite.Open, (*sqlite.Store).Close)
		defer store.Close()
		complaintLoad(b, store, sqlitetest.Compounds(b))
	})
}

func complaintLoad(b *testing.B, store *sqlite.Store, compounds int) {
	ctx := context.Background()
	book := domain.DefaultRuleBook()
	accounts, token := benchAccount(b, domain.RoleHotline, "12345")
	versions := make([]uint64, compounds) // each compound's head, for appendCity
	// As a server that has run a while: every compound has its snapshot
	// (taken the first time it was folded), none is in memory yet.
	start := time.Now()
	for i := range compounds {
		id := fmt.Sprintf("C%04d", 1+i)
		events, err := store.ReadStream(ctx, domain.StreamID(id), domain.StreamQuery{})
		if err != nil {
			b.Fatal(err)
		}
		c, err := domain.FoldCompound(id, events)
		if err != nil {
			b.Fatal(err)
		}
		versions[i] = c.Version()
		snap, err := c.Snapshot(events[len(events)-1].Hash)
		if err == nil {
			err = store.SaveSnapshots(ctx, []domain.Snapshot{{StreamID: domain.StreamID(id), Version: c.Version(), Data: snap}})
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(time.Since(start).Seconds(), "snapshots_seeded_s")
	dir, _ := projections.NewRunner(directory.New, projections.NewMemoryCheckpoints(), 1<<40)
	svc := app.NewService(store, book)
	srv := NewServer(svc, store, dir, accounts, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})),
		WithLimits(Limits{SignInFailures: 5, SignInWindow: time.Minute, Lockout: time.Minute, TokenRequests: 1 << 30}))
	base, client := loopback(b, srv, writeConnections)

	var seq atomic.Int64
	post := func(ctx context.Context, i int) error {
		id := fmt.Sprintf("C%04d", 1+i)
		n := strconv.FormatInt(seq.Add(1), 10)
		body := `{"complaint_id":"LOAD-` + n + `","channel":"hotline","kind":"complaint","category":"fees","summary":"物业费上涨 ` + n + `"}`
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/compounds/"+id+"/receive-complaint", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		res, err := client.Do(req)
		if err != nil {
			return err
		}
		msg, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusCreated {
			return fmt.Errorf("%s: %s", res.Status, bytes.TrimSpace(msg))
		}
		return nil
	}
	// rate runs op on 32 goroutines for loadFor and returns the operations
	// a second and the process's CPU time an operation (the steadier figure
	// on a shared machine: the rate follows what CPU the others leave).
	rate := func(op func(ctx context.Context, w int, rng *rand.Rand) error) (float64, time.Duration) {
		ctx, cancel := context.WithTimeout(ctx, loadFor)
		defer cancel()
		var done atomic.Int64
		start, cpu := time.Now(), sqlitetest.CPUTime()
		var wg sync.WaitGroup
		for w := range writeConnections {
			wg.Go(func() {
				rng := rand.New(rand.NewPCG(uint64(w), uint64(time.Now().UnixNano())))
				for ctx.Err() == nil {
					if err := op(ctx, w, rng); err != nil {
						if ctx.Err() == nil {
							b.Error(err)
						}
						return
					}
					done.Add(1)
				}
			})
		}
		wg.Wait()
		n := done.Load()
		return float64(n) / time.Since(start).Seconds(), (sqlitetest.CPUTime() - cpu) / time.Duration(max(n, 1))
	}
	// Each round appends to streams of its own: an append cut off by the
	// round's end leaves its stream's version unknown.
	at := time.Now().UTC().Truncate(time.Microsecond)
	appendOne := func(round int) func(ctx context.Context, w int, _ *rand.Rand) error {
		versions := make([]uint64, writeConnections)
		return func(ctx context.Context, w int, _ *rand.Rand) error {
			ev := storetest.Events(1, at)
			ev[0].Data = []byte(`{"complaint_id":"X","channel":"hotline","kind":"complaint","category":"fees","summary":"物业费上涨"}`)
			_, err := store.Append(ctx, domain.AppendRequest{StreamID: fmt.Sprintf("append-bench-%d-%d", round, w),
				ExpectedVersion: versions[w], CommandID: ev[0].EventID, Events: ev})
			versions[w]++
			return err
		}
	}
	// The same appends as the API's, bypassing it: to a random compound of
	// the city (each goroutine its own), with a random event ID. A conflict
	// (the API's rounds moved the stream on) reads the stream's head and
	// is not counted.
	appendCity := func(ctx context.Context, w int, rng *rand.Rand) error {
		i := w + writeConnections*rng.IntN(compounds/writeConnections)
		stream := domain.StreamID(fmt.Sprintf("C%04d", 1+i))
		id := uuid.NewString()
		typ, ver, data, err := domain.EncodeEvent(domain.ComplaintReceived{ComplaintID: id, Channel: domain.ChannelHotline,
			Kind: domain.KindComplaint, Category: domain.CategoryFees, Summary: "物业费上涨", At: at, DispatchDue: at.Add(time.Hour), ReplyDue: at.Add(72 * time.Hour)})
		if err != nil {
			return err
		}
		for {
			ev := storetest.Events(1, at)
			ev[0].EventID, ev[0].Type, ev[0].SchemaVersion, ev[0].Data = id, typ, ver, data
			_, err := store.Append(ctx, domain.AppendRequest{StreamID: stream, ExpectedVersion: versions[i], CommandID: ev[0].EventID, Events: ev})
			if domain.ErrorCode(err) != domain.CodeConflict {
				versions[i]++
				return err
			}
			head, err := store.ReadStream(ctx, stream, domain.StreamQuery{FromVersion: versions[i] + 1})
			if err != nil {
				return err
			}
			versions[i] += uint64(len(head))
		}
	}
	postRandom := func(ctx context.Context, _ int, rng *rand.Rand) error { return post(ctx, rng.IntN(compounds)) }
	// warm posts one complaint to every compound, from 32 connections.
	warm := func() {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
		defer cancel()
		var next atomic.Int64
		var wg sync.WaitGroup
		for range writeConnections {
			wg.Go(func() {
				for i := int(next.Add(1)) - 1; i < compounds && ctx.Err() == nil; i = int(next.Add(1)) - 1 {
					if err := post(ctx, i); err != nil {
						b.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		if ctx.Err() != nil {
			b.Fatal("warming the cache took over 10 minutes")
		}
	}
	round := 0
	for b.Loop() {
		coldRate, coldCPU := rate(postRandom)
		round++
		coldStoreRate, _ := rate(appendOne(round))
		b.ReportMetric(coldRate, "http_cold_req/s")
		b.ReportMetric(float64(coldCPU.Microseconds()), "http_cold_cpu_us/req")
		b.ReportMetric(coldRate/coldStoreRate, "ratio_cold_vs_store")
		warm()
		httpRate, httpCPU := rate(postRandom)
		round++
		storeRate, storeCPU := rate(appendOne(round))
		cityRate, _ := rate(appendCity)
		b.ReportMetric(httpRate, "http_req/s")
		b.ReportMetric(storeRate, "store_appends/s")
		b.ReportMetric(httpRate/storeRate, "ratio_vs_store")
		b.ReportMetric(cityRate, "store_city_appends/s")
		b.ReportMetric(float64(httpCPU.Microseconds()), "http_cpu_us/req")
		b.ReportMetric(float64(storeCPU.Microseconds()), "store_cpu_us/append")
	}
	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	b.ReportMetric(float64(m.HeapAlloc)/(1<<20), "heap_MB")
	b.ReportMetric(sqlitetest.PeakRSS()/(1<<20), "rss_MB")
}

// benchAccount is an account of role with an API token, for load runs.
func benchAccount(b *testing.B, role domain.Role, organisation string) (*auth.Accounts, string) {
	ctx := context.Background()
	accounts := auth.New(memory.NewStore(), nil)
	by := domain.Actor{UserID: "bench", Role: "operator", Organisation: "bench"}
	if _, err := accounts.Create(ctx, by, "bench-"+string(role), role, domain.Scope{}, organisation); err != nil {
		b.Fatal(err)
	}
	token, _, err := accounts.IssueToken(ctx, by, "bench-"+string(role), time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	return accounts, token
}

// loopback serves srv on a loopback port until b ends, and returns its
// base URL and a client that keeps conns connections open to it.
func loopback(b *testing.B, srv http.Handler, conns int) (string, *http.Client) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 5 * time.Second}
	go hs.Serve(ln)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}}
	b.Cleanup(func() {
		client.CloseIdleConnections()
		hs.Shutdown(context.Background())
	})
	return "http://" + ln.Addr().String(), client
}
