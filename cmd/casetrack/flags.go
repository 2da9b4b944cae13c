package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/peterbourgon/ff/v3"

	"github.com/casetrack/casetrack/adapters/otel"
)

// Every flag of every command may also come from the environment,
// CASETRACK_ and its name in capitals with _ for - (--tables-every:
// CASETRACK_TABLES_EVERY), or from a config file (--config FILE, lines of
// `name value`); the command line wins over the environment, which wins
// over the file. ff does the reading. A new flag needs nothing but its
// declaration in its command's flags function: its variable, its --help
// line and its row of docs/operations.md (TestOperationsDocFlags) follow.

// envPrefix begins the environment variable of every flag.
const envPrefix = "CASETRACK"

// flagSets declares each command's flags, for the configuration table of
// docs/operations.md and to check config files.
var flagSets = []struct {
	command string
	define  func(*flag.FlagSet)
}{
	{"serve", func(fs *flag.FlagSet) { serveFlags(fs) }},
	{"demo", func(fs *flag.FlagSet) { demoFlags(fs) }},
	{"history", func(fs *flag.FlagSet) { historyFlags(fs) }},
	{"migrate", func(fs *flag.FlagSet) { migrateFlags(fs) }},
	{"projections rebuild", func(fs *flag.FlagSet) { rebuildFlags(fs) }},
	{"rules show", func(fs *flag.FlagSet) { rulesShowFlags(fs) }},
	{"users", func(fs *flag.FlagSet) { usersFlags(fs) }},
	{"import compounds", func(fs *flag.FlagSet) { importFlags(fs) }},
	{"keys generate", func(fs *flag.FlagSet) { keysFlags(fs) }},
	{"verify", func(fs *flag.FlagSet) { verifyFlags(fs) }},
	{"proof check", func(fs *flag.FlagSet) { proofFlags(fs) }},
	{"witness", func(fs *flag.FlagSet) { witnessFlags(fs) }},
	{"forget", func(fs *flag.FlagSet) { forgetFlags(fs) }},
}

// newFlags makes a command's flag set; synopsis and about open its --help.
func newFlags(command, synopsis, about string) *flag.FlagSet {
	fs := flag.NewFlagSet(command, flag.ContinueOnError)
	fs.String("config", "", "a `file` of flags, one \"name value\" a line (# comments); the command line and the environment win over it")
	fs.Usage = func() { printUsage(fs.Output(), fs, synopsis, about) }
	return fs
}

// envVar is the environment variable of a flag.
func envVar(name string) string {
	return envPrefix + "_" + strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(name))
}

// parseFlags reads a command's flags from the command line, the
// environment and the config file. A bad flag or value is a usage error;
// -h or --help (flag.ErrHelp) shows the usage and exits 0.
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := ff.Parse(fs, args, ff.WithEnvVarPrefix(envPrefix), ff.WithConfigFileFlag("config"),
		ff.WithConfigFileParser(knownSettings(fs, ff.PlainParser)))
	switch {
	case errors.Is(err, flag.ErrHelp):
		return err
	case err != nil:
		return usageError{err}
	}
	return nil
}

// knownSettings lets one config file serve every command: a setting of
// another command is skipped, one that no command has is an error (a typo
// must not pass for a setting).
func knownSettings(fs *flag.FlagSet, parse ff.ConfigFileParser) ff.ConfigFileParser {
	known := map[string]bool{}
	for _, s := range flagSets {
		all := flag.NewFlagSet(s.command, flag.ContinueOnError)
		s.define(all)
		all.VisitAll(func(f *flag.Flag) { known[f.Name] = true })
	}
	return func(r io.Reader, set func(name, value string) error) error {
		return parse(r, func(name, value string) error {
			switch {
			case fs.Lookup(name) != nil:
				return set(name, value)
			case known[name]:
				return nil
			}
			return fmt.Errorf("config file: %q is not a flag of any casetrack command", name)
		})
	}
}

// printUsage is a command's --help: what it does, its arguments, and each
// flag with its default and environment variable.
func printUsage(w io.Writer, fs *flag.FlagSet, synopsis, about string) {
	fmt.Fprintf(w, "usage: casetrack %s\n\n%s\n\nflags (each also from the environment variable shown, or from the --config file):\n", synopsis, about)
	fs.VisitAll(func(f *flag.Flag) {
		kind, help := flag.UnquoteUsage(f)
		name := "--" + f.Name
		if kind != "" {
			name += " " + kind
		}
		def := ""
		if f.DefValue != "" && f.DefValue != "false" {
			def = fmt.Sprintf(" (default %s)", f.DefValue)
		}
		fmt.Fprintf(w, "  %s\n        %s%s  [$%s]\n", name, help, def, envVar(f.Name))
	})
}

// logOptions are the flags of the commands that log.
type logOptions struct {
	format, level choice
}

func logFlags(fs *flag.FlagSet) *logOptions {
	o := &logOptions{format: choice{"text", []string{"text", "json"}}, level: choice{"info", []string{"debug", "info", "warn", "error"}}}
	fs.Var(&o.format, "log-format", "log lines as `text` (key=value) or json")
	fs.Var(&o.level, "log-level", "the least `level` logged: debug, info, warn or error")
	return o
}

// logger writes to w as the flags ask; lines written within a traced
// request carry its trace and span IDs.
func (o *logOptions) logger(w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(o.level.value)) // the flag admits only valid levels
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if o.format.value == "json" {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(otel.LogHandler(h))
}

// choice is a flag value that must be one of a few words.
type choice struct {
	value   string
	allowed []string
}

func (c *choice) String() string { return c.value }

func (c *choice) Set(s string) error {
	for _, a := range c.allowed {
		if s == a {
			c.value = s
			return nil
		}
	}
	return fmt.Errorf("%q is not one of %s", s, strings.Join(c.allowed, ", "))
}
