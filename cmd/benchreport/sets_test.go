package main

import (
	"bufio"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Every Benchmark function of the repository is in a set of
// cmd/benchreport/sets.txt, so `make bench` runs it: a benchmark added without its
// set fails here instead of missing from the report.
func TestEveryBenchmarkIsInASet(t *testing.T) {
	root := filepath.Join("..", "..")
	type set struct {
		pkg     string
		pattern *regexp.Regexp
	}
	var sets []set
	f, err := os.Open("sets.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lines := bufio.NewScanner(f)
	for n := 1; lines.Scan(); n++ {
		fields := strings.Fields(lines.Text())
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		if len(fields) != 3 {
			t.Fatalf("cmd/benchreport/sets.txt:%d: want a package, a pattern and a benchtime, got %q", n, lines.Text())
		}
		// go test matches the pattern's first slash-separated part against
		// the top-level benchmarks.
		re, err := regexp.Compile(strings.Split(fields[1], "/")[0])
		if err != nil {
			t.Fatalf("cmd/benchreport/sets.txt:%d: %v", n, err)
		}
		sets = append(sets, set{filepath.Clean(fields[0]), re})
	}
	if len(sets) == 0 {
		t.Fatal("cmd/benchreport/sets.txt has no set")
	}
	benchmark := regexp.MustCompile(`(?m)^func (Benchmark\w*)\(b \*testing\.B\)`)
	found := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") && path != root) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		for _, m := range benchmark.FindAllStringSubmatch(string(src), -1) {
			found++
			covered := false
			for _, s := range sets {
				covered = covered || s.pkg == rel && s.pattern.MatchString(m[1])
			}
			if !covered {
				t.Errorf("%s: %s is in no set of cmd/benchreport/sets.txt: `make bench` would not run it", path, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 10 {
		t.Fatalf("found %d benchmarks in the repository: the walk missed them", found)
	}
}
