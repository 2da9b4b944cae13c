package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"

	"golang.org/x/perf/benchfmt"
)

// Report is one run of `make bench`: how and where it ran, and every
// benchmark's figures with the baselines it reported beside them.
type Report struct {
	Command     string   `json:"command"`
	Commit      string   `json:"commit"`
	Started     string   `json:"started"`
	GoVersion   string   `json:"go_version"`
	NumCPU      int      `json:"num_cpu"`
	CPU         string   `json:"cpu,omitempty"`
	OS          string   `json:"goos,omitempty"`
	Arch        string   `json:"goarch,omitempty"`
	LoadAverage string   `json:"load_average,omitempty"` // at the start: the machine may be shared
	Results     []Result `json:"results"`
	Failed      []string `json:"failed,omitempty"` // go test's FAIL lines: a figure missing from Results
}

// Result is one benchmark line of go test.
type Result struct {
	Package    string   `json:"package"`
	Name       string   `json:"name"` // without "Benchmark" and the -GOMAXPROCS suffix
	Procs      int      `json:"procs"`
	Iterations int      `json:"iterations"`
	Metrics    []Metric `json:"metrics"`
}

// Metric is one value the benchmark reported, in its own unit (ns/op, or
// a b.ReportMetric unit such as "ratio_vs_raw" or "p99_ms").
type Metric struct {
	Unit  string  `json:"unit"`
	Value float64 `json:"value"`
}

// parse reads go test -bench output into r: the results in the order
// they ran, the machine from the header lines (goos, goarch, cpu) and the
// lines that say a test or package failed.
func parse(r *Report, name string, in io.Reader) error {
	var raw bytes.Buffer
	br := benchfmt.NewReader(io.TeeReader(in, &raw), name)
	for br.Scan() {
		switch rec := br.Result().(type) {
		case *benchfmt.Result:
			base, procs := splitProcs(rec.Name.String())
			res := Result{Package: rec.GetConfig("pkg"), Name: base, Procs: procs, Iterations: rec.Iters}
			for _, v := range rec.Values {
				unit, value := v.Unit, v.Value
				if v.OrigUnit != "" { // benchfmt tidies ns/op into sec/op: keep what go test printed
					unit, value = v.OrigUnit, v.OrigValue
				}
				res.Metrics = append(res.Metrics, Metric{Unit: unit, Value: value})
			}
			r.Results = append(r.Results, res)
			setOnce(&r.CPU, rec.GetConfig("cpu"))
			setOnce(&r.OS, rec.GetConfig("goos"))
			setOnce(&r.Arch, rec.GetConfig("goarch"))
		case *benchfmt.SyntaxError:
			return rec
		}
	}
	if err := br.Err(); err != nil {
		return err
	}
	lines := bufio.NewScanner(&raw)
	lines.Buffer(nil, 1<<20)
	for lines.Scan() {
		if l := strings.TrimSpace(lines.Text()); strings.HasPrefix(l, "--- FAIL") || strings.HasPrefix(l, "FAIL\t") {
			r.Failed = append(r.Failed, l)
		}
	}
	return lines.Err()
}

func setOnce(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

// splitProcs splits "X/sub-8" into its name and GOMAXPROCS.
func splitProcs(full string) (string, int) {
	if i := strings.LastIndexByte(full, '-'); i > 0 {
		if n, err := strconv.Atoi(full[i+1:]); err == nil {
			return full[:i], n
		}
	}
	return full, 1
}

// markdown writes the report as a Markdown table, a row per benchmark,
// its metrics in the order reported, under a line saying how it ran.
func markdown(w io.Writer, r *Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "`%s` at %s, %s; %s, %d CPUs (%s), %s/%s", r.Command, short(r.Commit), r.Started, r.GoVersion, r.NumCPU, orUnknown(r.CPU), r.OS, r.Arch)
	if r.LoadAverage != "" {
		fmt.Fprintf(&b, "; load average at the start %s", r.LoadAverage)
	}
	b.WriteString(".\n\n| package | benchmark | runs | figures |\n|---|---|---|---|\n")
	for _, res := range r.Results {
		figures := make([]string, len(res.Metrics))
		for i, m := range res.Metrics {
			figures[i] = format(m.Value) + " " + m.Unit
		}
		fmt.Fprintf(&b, "| %s | `%s` | %d | %s |\n", cell(strings.TrimPrefix(res.Package, "github.com/casetrack/casetrack/")),
			cell(res.Name), res.Iterations, cell(strings.Join(figures, "; ")))
	}
	if len(r.Failed) > 0 {
		b.WriteString("\nFailed (no figures):\n\n")
		for _, f := range r.Failed {
			fmt.Fprintf(&b, "- `%s`\n", f)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// format prints a figure with three significant digits, in full for
// large ones (a rate of 712,345 events/s reads 712345) and whole numbers,
// so that a ratio of 1.004 reads 1.00, not 1.
func format(v float64) string {
	if v >= 1000 || v <= -1000 || v == float64(int64(v)) {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strings.TrimSuffix(fmt.Sprintf("%#.3g", v), ".")
}

// short abbreviates a commit, keeping git describe's "-dirty": the
// figures are then of uncommitted changes on top of it.
func short(commit string) string {
	hash, dirty := strings.CutSuffix(commit, "-dirty")
	if len(hash) > 12 {
		hash = hash[:12]
	}
	if dirty {
		hash += "-dirty"
	}
	return orUnknown(hash)
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// cell keeps a value inside its Markdown table cell.
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
