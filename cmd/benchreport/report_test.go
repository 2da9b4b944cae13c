package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// The report keeps every benchmark's figures as go test printed them,
// with the package each ran in, and lists what failed.
func TestReportFromBenchOutput(t *testing.T) {
	dir := t.TempDir()
	r := Report{Command: "make bench", Commit: "0123456789abcdef-dirty", Started: "2026-11-29T19:00:00Z", GoVersion: "go1.26", NumCPU: 2, LoadAverage: "3.1 2.0 1.5"}
	jsonPath, mdPath := filepath.Join(dir, "bench.json"), filepath.Join(dir, "bench.md")
	if err := run(&r, []string{"testdata/bench.txt"}, jsonPath, mdPath); err != nil {
		t.Fatal(err)
	}
	js, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	var got Report
	if err := json.Unmarshal(js, &got); err != nil {
		t.Fatal(err)
	}
	want := []Result{
		{Package: "github.com/casetrack/casetrack/adapters/sqlite", Name: "Rebuild1M", Procs: 2, Iterations: 1, Metrics: []Metric{
			{"ns/op", 3021456789}, {"events", 1028923}, {"raw_scan_ev/s", 712345}, {"rebuild_ev/s", 640001}, {"ratio_vs_raw", 0.8984}}},
		{Package: "github.com/casetrack/casetrack/adapters/sqlite", Name: "LeagueQuery1M/cold-judged-mid-month", Procs: 2, Iterations: 100, Metrics: []Metric{
			{"ns/op", 4123456}, {"p50_ms", 3.9}, {"p99_ms", 7.6}}},
	}
	if !reflect.DeepEqual(got.Results, want) {
		t.Fatalf("results:\n%+v\nwant\n%+v", got.Results, want)
	}
	if got.CPU != "AMD EPYC 7B13" || got.OS != "linux" || got.Arch != "amd64" || got.Commit != r.Commit || got.NumCPU != 2 || got.Command != "make bench" {
		t.Fatalf("machine and run: %+v", got)
	}
	if wantFailed := []string{"--- FAIL: BenchmarkVerifyCity", "FAIL\tgithub.com/casetrack/casetrack/audit\t0.2s"}; !reflect.DeepEqual(got.Failed, wantFailed) {
		t.Fatalf("failed %q, want %q", got.Failed, wantFailed)
	}
	md, err := os.ReadFile(mdPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"`make bench` at 0123456789ab-dirty, 2026-11-29T19:00:00Z; go1.26, 2 CPUs (AMD EPYC 7B13), linux/amd64; load average at the start 3.1 2.0 1.5.",
		"| adapters/sqlite | `Rebuild1M` | 1 | 3021456789 ns/op; 1028923 events; 712345 raw_scan_ev/s; 640001 rebuild_ev/s; 0.898 ratio_vs_raw |",
		"| adapters/sqlite | `LeagueQuery1M/cold-judged-mid-month` | 100 | 4123456 ns/op; 3.90 p50_ms; 7.60 p99_ms |",
		"- `--- FAIL: BenchmarkVerifyCity`",
	} {
		if !strings.Contains(string(md), line+"\n") {
			t.Errorf("the table has no line\n%s\nin\n%s", line, md)
		}
	}
}

// Output without a single benchmark line (a run that built nothing, or
// the wrong file) is an error, not an empty report.
func TestReportWithoutResultsFails(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "empty.txt")
	os.WriteFile(in, []byte("FAIL\tgithub.com/casetrack/casetrack/audit [build failed]\n"), 0o644)
	r := Report{Command: "make bench"}
	if err := run(&r, []string{in}, filepath.Join(dir, "b.json"), filepath.Join(dir, "b.md")); err == nil {
		t.Fatal("a report of no results was written")
	}
}
