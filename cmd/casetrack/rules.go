package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/casetrack/casetrack/domain"
)

// usageError makes main exit with status 2.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

// isHelp reports whether a command's first argument asks for help.
func isHelp(arg string) bool {
	return arg == "-h" || arg == "-help" || arg == "--help" || arg == "help"
}

// rulesFlag adds --rules.
func rulesFlag(fs *flag.FlagSet, dir *string) {
	fs.StringVar(dir, "rules", "", "`directory` of the city's rule sets (*.toml), replacing the built-in ones; empty: the built-in sets")
}

// loadRules reads every *.toml file of dir as the city's rule book; an
// empty dir means the built-in sets.
func loadRules(dir string) (domain.RuleBook, error) {
	if dir == "" {
		return domain.DefaultRuleBook(), nil
	}
	names, err := filepath.Glob(filepath.Join(dir, "*.toml"))
	if err != nil {
		return domain.RuleBook{}, err
	}
	if len(names) == 0 {
		return domain.RuleBook{}, fmt.Errorf("--rules %s: no *.toml rule files", dir)
	}
	files := map[string][]byte{}
	for _, name := range names {
		if files[name], err = os.ReadFile(name); err != nil {
			return domain.RuleBook{}, err
		}
	}
	return domain.ParseRuleBook(files)
}

func rulesShowFlags(fs *flag.FlagSet) (dir, at *string) {
	dir = new(string)
	rulesFlag(fs, dir)
	return dir, fs.String("at", "", "the `day` whose rules to show (YYYY-MM-DD or RFC 3339); empty: today")
}

// rulesCmd: `rules show [--rules DIR] [--at DATE]` prints the rule set in
// force at DATE in the rule file format, then the book's calendar.
func rulesCmd(out io.Writer, args []string) error {
	const use = "usage: casetrack rules show [--rules DIR] [--at DATE]"
	if len(args) > 0 && isHelp(args[0]) {
		fmt.Fprintln(out, use)
		return flag.ErrHelp
	}
	if len(args) == 0 || args[0] != "show" {
		return usageError{errors.New(use)}
	}
	fs := newFlags("rules show", "rules show [flags]", "Prints the rule set in force on a day in the rule file format, then the working-day calendar.")
	dir, at := rulesShowFlags(fs)
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("rules show: unexpected argument %q", fs.Arg(0))}
	}
	day := time.Now()
	if *at != "" {
		var err error
		if day, err = parseTime(*at); err != nil {
			return usageError{fmt.Errorf("--at: %w", err)}
		}
	}
	book, err := loadRules(*dir)
	if err != nil {
		return err
	}
	b, err := domain.FormatRuleSet(book.At(day))
	if err != nil {
		return err
	}
	b = append(append(b, '\n'), domain.FormatCalendar(book.Calendar())...)
	_, err = out.Write(b)
	return err
}
