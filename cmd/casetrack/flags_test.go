package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the configuration table of docs/operations.md")

// configTable is the configuration table of docs/operations.md, made from
// the commands' flag sets: one row per flag, with the commands taking it.
func configTable() string {
	type row struct{ flag, env, def, usage string }
	var rows []row
	commands := map[row][]string{}
	for _, s := range flagSets {
		fs := newFlags(s.command, "", "")
		s.define(fs)
		fs.VisitAll(func(f *flag.Flag) {
			kind, usage := flag.UnquoteUsage(f)
			r := row{strings.TrimSpace("--" + f.Name + " " + kind), envVar(f.Name), f.DefValue, usage}
			if commands[r] == nil {
				rows = append(rows, r)
			}
			commands[r] = append(commands[r], s.command)
		})
	}
	slices.SortStableFunc(rows, func(a, b row) int { return strings.Compare(a.flag, b.flag) })
	var b strings.Builder
	b.WriteString("| flag | environment variable | default | commands | meaning |\n|---|---|---|---|---|\n")
	for _, r := range rows {
		def := "`" + r.def + "`"
		if r.def == "" {
			def = "(empty)"
		}
		cmds := strings.Join(commands[r], ", ")
		if len(commands[r]) == len(flagSets) {
			cmds = "all"
		}
		fmt.Fprintf(&b, "| `%s` | `%s` | %s | %s | %s |\n", r.flag, r.env, def, cmds, strings.ReplaceAll(r.usage, "|", "\\|"))
	}
	return b.String()
}

// The configuration table of docs/operations.md is the flag sets' own:
// a flag added, renamed or redescribed fails here until the table follows
// (go test ./cmd/casetrack -run TestOperationsDocFlags -update rewrites it).
func TestOperationsDocFlags(t *testing.T) {
	const path, begin, end = "../../docs/operations.md", "<!-- flags:begin -->\n", "<!-- flags:end -->"
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	i, j := bytes.Index(doc, []byte(begin)), bytes.Index(doc, []byte(end))
	if i < 0 || j < i {
		t.Fatalf("%s lacks the %q … %q markers", path, begin, end)
	}
	want := configTable()
	if got := string(doc[i+len(begin) : j]); got != want {
		if *update {
			doc = slices.Concat(doc[:i+len(begin)], []byte(want), doc[j:])
			if err := os.WriteFile(path, doc, 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		t.Errorf("the configuration table of %s is not the flags' (run with -update):\n%s", path, want)
	}
}

// Each command's --help names every flag with its default and variable.
func TestHelpExplainsEveryFlag(t *testing.T) {
	for _, s := range flagSets {
		fs := newFlags(s.command, s.command+" [flags]", "about")
		s.define(fs)
		var out bytes.Buffer
		printUsage(&out, fs, s.command+" [flags]", "about")
		fs.VisitAll(func(f *flag.Flag) {
			if !strings.Contains(out.String(), "--"+f.Name) || !strings.Contains(out.String(), "[$"+envVar(f.Name)+"]") {
				t.Errorf("%s --help does not explain --%s with $%s:\n%s", s.command, f.Name, envVar(f.Name), out.String())
			}
		})
	}
}

// A flag comes from the command line, else the environment, else the
// config file, else its default; a config file may hold other commands'
// settings but no unknown one.
func TestFlagSources(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "casetrack.conf")
	write := func(s string) {
		if err := os.WriteFile(config, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("# shared by every command\naddr 127.0.0.1:9000\ndata /from/file\ntables-every 1m\njson true\nlog-format json\n")
	t.Setenv("CASETRACK_DATA", "/from/env")
	t.Setenv("CASETRACK_CONFIG", config)
	fs := newFlags("serve", "", "")
	o := serveFlags(fs)
	if err := parseFlags(fs, []string{"--addr", ":7000"}); err != nil {
		t.Fatal(err)
	}
	if o.addr != ":7000" || o.data != "/from/env" || o.tablesEvery != time.Minute || o.log.format.value != "json" || o.store != "" || !o.demo {
		t.Errorf("addr %q (command line), data %q (environment), tables-every %v, log-format %q (file), store %q, demo %v (defaults)",
			o.addr, o.data, o.tablesEvery, o.log.format, o.store, o.demo)
	}

	write("adress :9000\n")
	fs = newFlags("serve", "", "")
	serveFlags(fs)
	if err := parseFlags(fs, nil); !errors.As(err, new(usageError)) || !strings.Contains(err.Error(), `"adress" is not a flag`) {
		t.Errorf("a config file with a typo: %v, want a usage error naming it", err)
	}
}

// A bad value for a flag, from the command line, the environment or the
// file, is a usage error (exit 2) naming the flag and the values allowed.
func TestBadFlagValues(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{nil, []string{"serve", "--log-level", "loud"}, `invalid value "loud" for flag -log-level: "loud" is not one of debug, info, warn, error`},
		{nil, []string{"serve", "--log-format", ""}, `"" is not one of text, json`},
		{map[string]string{"CASETRACK_LOG_FORMAT": "xml"}, []string{"demo"}, `"CASETRACK_LOG_FORMAT": "xml" is not one of text, json`},
		{map[string]string{"CASETRACK_TABLES_EVERY": "soon"}, []string{"serve"}, `"CASETRACK_TABLES_EVERY": parse error`},
		{nil, []string{"serve", "--trace-sample", "2"}, "--trace-sample must lie between 0 and 1"},
		{nil, []string{"serve", "--otlp-endpoint", "collector:4318"}, "--otlp-endpoint must be an http:// or https:// URL"},
		{map[string]string{"CASETRACK_OTLP_ENDPOINT": "http://"}, []string{"serve"}, "--otlp-endpoint must be an http:// or https:// URL"},
		{nil, []string{"serve", "--config", "/no/such/file"}, "no such file"},
		{nil, []string{"serve", "--cache-memory", "off"}, `--cache-memory "off": want a size such as 256MiB`},
		{map[string]string{"CASETRACK_CACHE_MEMORY": "lots"}, []string{"serve"}, `--cache-memory "lots": want a size`},
		{nil, []string{"serve", "--snapshots-keep", "0"}, "--snapshots-keep must be at least 1"},
		{map[string]string{"CASETRACK_SNAPSHOTS_KEEP": "-3"}, []string{"projections", "rebuild"}, "--snapshots-keep must be at least 1"},
		{nil, []string{"projections", "rebuild", "--snapshots-keep", "all"}, `invalid value "all" for flag -snapshots-keep`},
		{nil, []string{"version", "now"}, "version takes no arguments"},
		{map[string]string{"CASETRACK_DAYS": "many"}, []string{"users", "list"}, `"CASETRACK_DAYS": parse error`},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), tc.args, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("exit %d, want 2 with %q: %s", code, tc.want, stderr.String())
			}
		})
	}
}

// version names the module version, the commit (unknown in a test binary,
// which carries no VCS stamp) and the Go release.
func TestVersion(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"version"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	v := buildVersion()
	for _, want := range []string{"casetrack " + v.module + "\n", "commit " + v.commit, runtime.Version()} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("version printed %q, want %q in it", stdout.String(), want)
		}
	}
}
