package postgres_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	httpapi "github.com/casetrack/casetrack/adapters/http"
	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/app/auth"
	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
	"github.com/casetrack/casetrack/projections/directory"
)

// pgctl runs pg_ctlcluster on the local cluster (Debian's layout).
func pgctl(action string) error {
	versions, err := os.ReadDir("/etc/postgresql")
	if err != nil || len(versions) != 1 {
		return fmt.Errorf("one cluster under /etc/postgresql expected: %v", err)
	}
	out, err := exec.Command("pg_ctlcluster", "--skip-systemctl-redirect", versions[0].Name(), "main", action).CombinedOutput()
	if err != nil {
		return fmt.Errorf("pg_ctlcluster %s: %v: %s", action, err, out)
	}
	return nil
}

// TestServerRidesOutRestart restarts PostgreSQL under a load of HTTP
// commands. Requests during the outage must fail fast with 503; the server
// must recover on its own; every acknowledged command must be stored, its
// stream's chain intact; a follower must see the whole log without a gap;
// and wake-ups from other instances must flow again.
func TestServerRidesOutRestart(t *testing.T) {
	if os.Getenv("CASETRACK_TEST_PG_RESTART") != "1" {
		t.Skip("restarts the local PostgreSQL: set CASETRACK_TEST_PG_RESTART=1 (as .ci/run does) on a machine where that is fine")
	}
	dsn := freshSchema(t)
	t.Cleanup(func() { // leave PostgreSQL up, whatever happened
		for range 30 {
			if exec.Command("pg_isready", "-h", "127.0.0.1", "-q").Run() == nil {
				return
			}
			pgctl("start")
			time.Sleep(time.Second)
		}
		t.Error("PostgreSQL did not come back")
	})

	store := open(t, dsn)
	svc := app.NewService(store, domain.DefaultRuleBook())
	dir, err := projections.NewRunner(directory.New, projections.NewMemoryCheckpoints(), 1000) // lists are not under test
	if err != nil {
		t.Fatal(err)
	}
	accounts := auth.New(store, nil)
	tokens := map[string]string{} // by command: an inspector registers, the hotline takes complaints
	for command, role := range map[string]domain.Role{"register": domain.RoleInspector, "receive-complaint": domain.RoleHotline} {
		name := "fault-" + string(role) + "-" + strconv.FormatInt(time.Now().UnixNano(), 36)
		by := domain.Actor{UserID: "test", Role: "operator"}
		if _, err := accounts.Create(t.Context(), by, name, role, domain.Scope{}, ""); err != nil {
			t.Fatal(err)
		}
		if tokens[command], _, err = accounts.IssueToken(t.Context(), by, name, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	// Thousands of commands through one token: the per-token limit is not
	// what this test is about.
	limits := httpapi.DefaultLimits
	limits.TokenRequests = 1 << 30
	srv := httptest.NewServer(httpapi.NewServer(svc, store, dir, accounts, slog.New(slog.NewTextHandler(io.Discard, nil)), httpapi.WithLimits(limits)))
	defer srv.Close()
	follower := startFollower(store, nil)
	defer follower.stop()
	client := &http.Client{Timeout: 30 * time.Second}
	post := func(compound, command, key, body string) (int, time.Duration, string) {
		req, _ := http.NewRequest("POST", srv.URL+"/api/v1/compounds/"+compound+"/"+command, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", key)
		req.Header.Set("Authorization", "Bearer "+tokens[command])
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return 0, time.Since(start), err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, time.Since(start), string(b)
	}

	const clients = 16
	for c := range clients {
		body := fmt.Sprintf(`{"name":"幸福家园%d","district":"城东区","street":"东湖街道","community":"东湖东社区","kind":"commercial",
			"households":320,"private_area":"28000.50","delivered_area":"28000.50","property_company":"安居物业服务有限公司"}`, c)
		if st, _, b := post(fmt.Sprintf("F%03d", c), "register", fmt.Sprint("reg-", c), body); st != 201 {
			t.Fatalf("register: %d %s", st, b)
		}
	}

	var (
		mu          sync.Mutex
		acked       = map[string]string{} // command ID → compound
		unavailable int
		slowest503  time.Duration
		restartedAt time.Time // when PostgreSQL answered again
		afterwards  int       // acknowledgements after that
		stop        = make(chan struct{})
		wg          sync.WaitGroup
	)
	for c := range clients {
		wg.Go(func() {
			compound := fmt.Sprintf("F%03d", c)
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				key := fmt.Sprintf("cmp-%d-%d", c, i)
				st, took, body := post(compound, "receive-complaint", key, fmt.Sprintf(
					`{"complaint_id":"%s","channel":"hotline","kind":"complaint","category":"parking","summary":"车位被占"}`, key))
				mu.Lock()
				switch st {
				case 201, 200:
					acked[key] = compound
					if !restartedAt.IsZero() {
						afterwards++
					}
				case 503:
					unavailable++
					slowest503 = max(slowest503, took)
				default:
					t.Errorf("%s: %d after %v: %s", key, st, took, body)
				}
				mu.Unlock()
				if st == 503 {
					time.Sleep(20 * time.Millisecond) // as a client honouring Retry-After would, only sooner
				}
			}
		})
	}

	time.Sleep(time.Second)
	if err := pgctl("restart"); err != nil {
		close(stop)
		wg.Wait()
		t.Fatal(err)
	}
	mu.Lock()
	restartedAt = time.Now()
	mu.Unlock()
	deadline := time.Now().Add(30 * time.Second)
	for {
		time.Sleep(500 * time.Millisecond)
		mu.Lock()
		n := afterwards
		mu.Unlock()
		if n >= 100 || time.Now().After(deadline) {
			break
		}
	}
	close(stop)
	wg.Wait()

	t.Logf("%d acknowledged, %d answered 503 (slowest after %v), %d acknowledged after the restart",
		len(acked), unavailable, slowest503, afterwards)
	switch {
	case unavailable == 0:
		t.Error("no request met the outage")
	case slowest503 > 5*time.Second:
		t.Errorf("a request took %v to fail", slowest503)
	case afterwards < 100:
		t.Errorf("only %d commands acknowledged in 30 s after the restart: the server did not recover", afterwards)
	}

	// Every acknowledged command is stored, every chain holds.
	ctx := context.Background()
	found := map[string]bool{}
	for c := range clients {
		stream := domain.StreamID(fmt.Sprintf("F%03d", c))
		events, err := store.ReadStream(ctx, stream, domain.StreamQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if err := domain.VerifyChain(events); err != nil {
			t.Fatal(err)
		}
		for _, e := range events {
			found[e.CommandID] = true
		}
	}
	for key := range acked {
		if !found[key] {
			t.Errorf("acknowledged command %s is not stored", key)
		}
	}

	// The follower rode out the outage and saw the whole log.
	want := rebuild(t, store)
	if got := follower.waitFor(t, want.position); !maps.Equal(got.streams, want.streams) {
		t.Errorf("follower at %d differs from the rebuild", got.position)
	}

	// Other instances' wake-ups arrive again: the listener reconnected.
	other := open(t, dsn)
	changed := store.Changed()
	for quiet := false; !quiet; { // let the echoes of our own appends and the reconnection's wake-up pass
		select {
		case <-changed:
			changed = store.Changed()
		case <-time.After(3 * time.Second):
			quiet = true
		}
	}
	res, err := other.Append(ctx, domain.AppendRequest{StreamID: "compound-other", CommandID: "other-1",
		Events: []domain.Envelope{{EventID: "other-evt-1", Type: "test.noted", SchemaVersion: 1, Data: []byte(`{}`),
			OccurredAt: time.Now().UTC(), RecordedAt: time.Now().UTC()}}})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-changed:
	case <-time.After(10 * time.Second):
		t.Fatalf("no wake-up for position %d from the other instance", res.Position)
	}
}
