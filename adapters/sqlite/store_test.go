package sqlite_test

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/casetrack/casetrack/adapters/sqlite"
	"github.com/casetrack/casetrack/adapters/storetest"
	"github.com/casetrack/casetrack/domain"
)

func open(t testing.TB, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) domain.EventStore {
		return open(t, filepath.Join(t.TempDir(), "events.db"))
	})
}

func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.db")
	s, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	appendN(t, s, "compound-a", 0, 3)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(context.Background(), domain.AppendRequest{StreamID: "compound-a", ExpectedVersion: 3,
		CommandID: "late", Events: storetest.Events(1, time.Now())}); domain.ErrorCode(err) != domain.CodeUnavailable {
		t.Fatalf("append after close: %v", err)
	}
	s = open(t, path)
	if res := appendN(t, s, "compound-a", 3, 2); res.Version != 5 || res.Position != 5 {
		t.Fatalf("append after reopen: %+v", res)
	}
	if err := s.VerifyStream(context.Background(), "compound-a"); err != nil {
		t.Fatal(err)
	}
}

func appendN(t testing.TB, s domain.EventStore, stream string, expected uint64, n int) domain.AppendResult {
	t.Helper()
	res, err := s.Append(context.Background(), domain.AppendRequest{StreamID: stream, ExpectedVersion: expected,
		CommandID: fmt.Sprintf("%s-%d", stream, expected), Events: storetest.Events(n, time.Now().UTC().Truncate(time.Microsecond))})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestTamper edits the file behind the store's back, as someone with access
// to the disk could, and expects the auditor's check to name the spot.
func TestTamper(t *testing.T) {
	cases := []struct {
		name, sql, want string
		rehash          bool
	}{
		{"edit", `UPDATE events SET data = CAST('{"fine":0}' AS BLOB) WHERE stream_id = 'compound-a' AND version = 3`,
			"version 3 was altered", false},
		{"delete", `DELETE FROM events WHERE stream_id = 'compound-a' AND version = 3`,
			"expected version 3, found 4", false},
		// A careful forger recomputes the edited event's hash: the next
		// event no longer chains to it.
		{"edit and rehash", `UPDATE events SET data = CAST('{"fine":0}' AS BLOB), hash = ? WHERE stream_id = 'compound-a' AND version = 3`,
			"version 4 does not chain to version 3", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "events.db")
			s := open(t, path)
			appendN(t, s, "compound-a", 0, 2)
			appendN(t, s, "compound-b", 0, 2)
			appendN(t, s, "compound-a", 2, 3)
			if err := s.VerifyStream(ctx, "compound-a"); err != nil {
				t.Fatal(err)
			}

			db, err := sql.Open("sqlite", path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var args []any
			if tc.rehash {
				evs, err := s.ReadStream(ctx, "compound-a", domain.StreamQuery{FromVersion: 3, ToVersion: 3})
				if err != nil {
					t.Fatal(err)
				}
				forged := evs[0]
				forged.Data = []byte(`{"fine":0}`)
				args = append(args, forged.ComputeHash(forged.PrevHash))
			}
			if res, err := db.Exec(tc.sql, args...); err != nil {
				t.Fatal(err)
			} else if n, _ := res.RowsAffected(); n != 1 {
				t.Fatalf("tampered with %d rows", n)
			}

			err = s.VerifyStream(ctx, "compound-a")
			if domain.ErrorCode(err) != domain.CodeIntegrity || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("verify after %s: %v, want %q", tc.name, err, tc.want)
			}
			if err := s.VerifyStream(ctx, "compound-b"); err != nil {
				t.Fatalf("untouched stream: %v", err)
			}
		})
	}
}

type ack struct {
	stream  string
	version uint64
}

// The crash test runs this file's test binary again as a child that appends
// until it is killed; crashChildEnv names the database and turns it on.
const crashChildEnv = "CASETRACK_SQLITE_CRASH_CHILD"

// TestCrashChild is the child: four writers append to their own streams and
// print "cmd stream version" for each append only once it is acknowledged.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashChildEnv)
	if path == "" {
		t.Skip("runs only as the child of TestCrash")
	}
	s, err := sqlite.Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	time.AfterFunc(20*time.Second, func() { os.Exit(3) }) // never outlive a parent that died
	ctx := context.Background()
	var out sync.Mutex
	for w := range 4 {
		go func() {
			stream := fmt.Sprintf("compound-crash-%d", w)
			evs, err := s.ReadStream(ctx, stream, domain.StreamQuery{})
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(2)
			}
			v := uint64(len(evs))
			for i := 0; ; i++ {
				cmd := fmt.Sprintf("p%d-w%d-%d", os.Getpid(), w, i)
				now := time.Now().UTC().Truncate(time.Microsecond)
				res, err := s.Append(ctx, domain.AppendRequest{StreamID: stream, ExpectedVersion: v, CommandID: cmd,
					Events: storetest.Events(i%3+1, now)})
				if err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(2)
				}
				v = res.Version
				out.Lock() // one write per line: a kill cannot tear it
				fmt.Fprintf(os.Stdout, "%s %s %d\n", cmd, stream, v)
				out.Unlock()
			}
		}()
	}
	select {}
}

// TestCrash kills the appending child with SIGKILL at random moments, then
// checks that every acknowledged append survived and the file is sound.
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test runs child processes for some seconds")
	}
	const cycles = 24
	seed := uint64(20240301)
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed))
	path := filepath.Join(t.TempDir(), "events.db")
	acked := map[string]ack{} // command ID → where it was acknowledged
	for cycle := range cycles {
		// One kill in four comes at any moment from the start, in Open or
		// the first transactions; the others while group commits flow.
		killIn, early := time.Duration(rng.IntN(300))*time.Millisecond, rng.IntN(4) == 0
		start := time.Now()
		n := crashOnce(t, path, killIn, early, acked)
		t.Logf("cycle %d: killed after %v, %d acknowledged, %d in all", cycle, time.Since(start).Round(time.Millisecond), n, len(acked))
		checkSurvivors(t, path, acked)
	}
	if len(acked) < cycles {
		t.Fatalf("only %d appends acknowledged: the child hardly ran", len(acked))
	}
}

// crashOnce runs the child until it is killed killIn after its start (early)
// or after its first acknowledgement, records what it acknowledged and
// returns how many.
func crashOnce(t *testing.T, path string, killIn time.Duration, early bool, acked map[string]ack) int {
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	kill := func() { cmd.Process.Signal(syscall.SIGKILL) }
	defer kill()
	defer time.AfterFunc(10*time.Second, kill).Stop() // a child that never acknowledges is killed all the same
	if early {
		defer time.AfterFunc(killIn, kill).Stop()
	}
	n := 0
	for r := bufio.NewReader(stdout); ; n++ {
		line, err := r.ReadString('\n')
		if err != nil { // EOF: killed; a line without its newline was never printed whole
			break
		}
		var a ack
		var id string
		if _, err := fmt.Sscan(line, &id, &a.stream, &a.version); err != nil {
			t.Fatalf("child said %q: %v", line, err)
		}
		acked[id] = a
		if n == 0 && !early {
			defer time.AfterFunc(killIn, kill).Stop()
		}
	}
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child ended by itself: %v\n%s", err, stderr.String())
	}
	return n
}

// checkSurvivors reopens the file as after a crash: the log is dense, every
// chain holds, every acknowledged append is there, and SQLite finds the file
// sound.
func checkSurvivors(t *testing.T, path string, acked map[string]ack) {
	t.Helper()
	ctx := context.Background()
	s, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	all, err := s.ReadAll(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	last := map[string]domain.Envelope{} // command ID → its last event
	streams := map[string][]domain.Envelope{}
	for i, e := range all {
		if e.Position != uint64(i+1) {
			t.Fatalf("log entry %d has position %d", i, e.Position)
		}
		last[e.CommandID] = e
		streams[e.StreamID] = append(streams[e.StreamID], e)
	}
	for _, evs := range streams { // as VerifyStream does, without reading again
		if err := domain.VerifyChain(evs); err != nil {
			t.Fatal(err)
		}
	}
	for id, a := range acked {
		if e, ok := last[id]; !ok || e.StreamID != a.stream || e.Version != a.version {
			t.Fatalf("acknowledged append %s (%s at version %d) is lost", id, a.stream, a.version)
		}
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var check string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity check: %q, %v", check, err)
	}
}

// TestCheckpointInBackground: the writer never checkpoints, so the file
// grows only by the background checkpointer's copies, and the WAL is
// started over once copied rather than growing with the log.
func TestCheckpointInBackground(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.db")
	s := open(t, path)
	size := func(p string) int64 {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	version := uint64(0)
	round := func() int64 {
		before := size(path)
		for range 40 {
			version = appendN(t, s, "compound-a", version, 25).Version
		}
		wal := size(path + "-wal")
		for deadline := time.Now().Add(10 * time.Second); size(path) <= before; time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("the file stayed at %d bytes for 10 s after the WAL grew to %d", before, wal)
			}
		}
		// Until the file has not grown for a second (five checkpoint
		// pauses): the round is copied whole, and the WAL may start over.
		for last, still := size(path), 0; still < 4; time.Sleep(250 * time.Millisecond) {
			if now := size(path); now != last {
				last, still = now, 0
			} else {
				still++
			}
		}
		return wal
	}
	first := round()
	if second := round(); second > first*3/2 {
		t.Fatalf("the WAL grew from %d to %d bytes: it was not started over after its checkpoint", first, second)
	}
}
