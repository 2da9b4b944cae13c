// Command benchreport turns the output of `go test -bench` (the files
// named, or standard input) into one JSON file and a Markdown table, with
// how and where the benchmarks ran: the command, the commit, the Go
// version, the CPUs and the load average at the start. `make bench` runs
// it over every benchmark set of cmd/benchreport/sets.txt.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
)

func main() {
	var r Report
	var jsonPath, mdPath string
	flag.StringVar(&r.Command, "command", "go test -bench", "the command that ran the benchmarks")
	flag.StringVar(&r.Commit, "commit", "", "the commit benchmarked")
	flag.StringVar(&r.Started, "started", "", "when the run started")
	flag.StringVar(&r.LoadAverage, "load", "", "the machine's load average at the start")
	flag.StringVar(&jsonPath, "json", "bench.json", "the JSON file to write")
	flag.StringVar(&mdPath, "md", "bench.md", "the Markdown file to write")
	flag.Parse()
	r.GoVersion, r.NumCPU = runtime.Version(), runtime.NumCPU()
	if err := run(&r, flag.Args(), jsonPath, mdPath); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
}

func run(r *Report, inputs []string, jsonPath, mdPath string) error {
	if len(inputs) == 0 {
		if err := parse(r, "stdin", os.Stdin); err != nil {
			return err
		}
	}
	for _, path := range inputs {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		err = parse(r, path, f)
		f.Close()
		if err != nil {
			return err
		}
	}
	if len(r.Results) == 0 {
		return fmt.Errorf("no benchmark results in the input")
	}
	js, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(jsonPath, append(js, '\n'), 0o644); err != nil {
		return err
	}
	return writeFile(mdPath, func(w io.Writer) error { return markdown(w, r) })
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
