//go:build !race

// The whole demo city through `serve`, as `make run` loads it, takes minutes
// under the race detector on two cores; `make test` runs this file in its own
// pass without -race (the races of serving are covered by the other tests).

package main

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// `make run` serves the demo city; a second start keeps the data and does
// not load the demo again; `history` replays a compound with an intact chain.
func TestServeLoadsTheDemoOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the full demo city")
	}
	data := t.TempDir()
	// The port answers while the demo loads: "starting", with Retry-After.
	base, stop, starting := startServe(t, data)
	if !starting {
		t.Error("no 503 with Retry-After while the demo city loaded")
	}
	var list struct {
		Compounds []json.RawMessage `json:"compounds"`
	}
	token := demoToken(t, base, "auditor")
	// Ready means the read models have folded the demo: the first answers
	// count the whole city (a log of about 65,000 events), not the part
	// folded so far.
	var table struct {
		Position uint64 `json:"position"`
	}
	getJSON(t, token, base+"/api/v1/league/street?period=2025", &table)
	if table.Position < 60000 {
		t.Errorf("the first league table once ready stands at position %d, short of the demo's end", table.Position)
	}
	getJSON(t, token, base+"/api/v1/compounds", &list)
	if len(list.Compounds) != 600 {
		t.Fatalf("demo city has %d compounds, want 600", len(list.Compounds))
	}
	var first struct {
		Version uint64 `json:"version"`
	}
	getJSON(t, token, base+"/api/v1/compounds/C0001", &first)
	stop()

	base, stop, _ = startServe(t, data)
	defer stop()
	var again struct {
		Version uint64 `json:"version"`
	}
	getJSON(t, token, base+"/api/v1/compounds/C0001", &again)
	if again.Version != first.Version || first.Version == 0 {
		t.Fatalf("C0001 at version %d after restart, %d before: the demo loaded twice or not at all", again.Version, first.Version)
	}
	var out strings.Builder
	if err := history(context.Background(), &out, []string{"C0001", "--data", data}); err != nil {
		// the server holds the store open; SQLite allows a second reader
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Hash chain intact") || !strings.Contains(out.String(), "CompoundRegistered") {
		t.Fatalf("history output:\n%s", out.String())
	}
	if _, err := os.Stat(data + "/demo-loaded"); err != nil {
		t.Fatal(err)
	}
	// Every curl example of the README answers on the demo, with the token of
	// the account the README names for it.
	tokens := map[string]string{}
	for _, name := range []string{"inspector", "donghu", "admin", "hotline"} {
		tokens[name] = demoToken(t, base, name)
	}
	readmeExamples(t, base, func(method, target string) string {
		switch {
		case strings.Contains(target, "/projections"):
			return tokens["admin"]
		case strings.Contains(target, "/open311/"):
			return tokens["hotline"]
		case method == "POST":
			return tokens["donghu"]
		}
		return tokens["inspector"]
	})
}
