package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"time"

	"github.com/casetrack/casetrack/adapters/sqlite"
	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
	"github.com/casetrack/casetrack/projections/complaints"
	"github.com/casetrack/casetrack/projections/credit"
	"github.com/casetrack/casetrack/projections/deadlines"
	"github.com/casetrack/casetrack/projections/directory"
	"github.com/casetrack/casetrack/projections/league"
)

// newModels makes the empty read models, those that apply rules under book.
type newModels struct{ book domain.RuleBook }

func (n newModels) league() *league.Model       { return league.New(n.book) }
func (n newModels) credit() *credit.Model       { return credit.New(n.book) }
func (n newModels) deadlines() *deadlines.Model { return deadlines.New() }

// byName makes an empty instance of each projection by name.
func (n newModels) byName() map[string]func() projections.Projection {
	return map[string]func() projections.Projection{
		"directory":  untyped(directory.New),
		"league":     untyped(n.league),
		"credit":     untyped(n.credit),
		"deadlines":  untyped(n.deadlines),
		"complaints": untyped(complaints.New),
	}
}

func untyped[M projections.Projection](newModel func() M) func() projections.Projection {
	return func() projections.Projection { return newModel() }
}

// projectionsCmd: `projections rebuild [NAME]` replays a projection from the
// start of the log and saves its snapshot, with the server stopped. A
// running server rebuilds blue/green through its API instead
// (POST /api/v1/projections/NAME/rebuild).
func projectionsCmd(ctx context.Context, out, stderr io.Writer, args []string) error {
	const use = "usage: casetrack projections rebuild [NAME] [--data DIR] [--store URL] [--rules DIR]"
	if len(args) > 0 && isHelp(args[0]) {
		fmt.Fprintln(out, use)
		return flag.ErrHelp
	}
	if len(args) == 0 || args[0] != "rebuild" {
		return usageError{errors.New(use)}
	}
	fs := flag.NewFlagSet("projections rebuild", flag.ContinueOnError)
	data := fs.String("data", "./data", "data directory of the embedded store")
	storeURL := storeFlag(fs)
	rulesDir := rulesFlag(fs)
	args = args[1:]
	names := []string{}
	for len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		names, args = append(names, args[0]), args[1:]
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	book, err := loadRules(*rulesDir)
	if err != nil {
		return err
	}
	fresh := newModels{book}.byName()
	if len(names) == 0 {
		names = slices.Sorted(maps.Keys(fresh))
	}
	store, err := openStore(ctx, *storeURL, *data)
	if err != nil {
		return err
	}
	defer store.Close()
	file, err := sqlite.OpenCheckpoints(filepath.Join(*data, "projections.db"))
	if err != nil {
		return err
	}
	defer file.Close()
	cps := projections.Anchored(file, store)
	for _, name := range names {
		newP, ok := fresh[name]
		if !ok {
			return fmt.Errorf("no projection %q", name)
		}
		p, start := newP(), time.Now()
		if err := projections.Fold(ctx, store, counted{p, progress(stderr, name+" (events)"), new(int)}, 0); err != nil {
			return fmt.Errorf("rebuild %s: %w", name, err)
		}
		snap, err := p.Snapshot()
		if err == nil {
			err = cps.Save(name, p.Position(), snap)
		}
		if err != nil {
			return fmt.Errorf("rebuild %s: save: %w", name, err)
		}
		took := time.Since(start)
		fmt.Fprintf(out, "%s: rebuilt to position %d in %s (%.0f events/s)\n", name, p.Position(), took.Round(time.Millisecond),
			float64(p.Position())/took.Seconds())
	}
	return nil
}

// counted shows a rebuild's progress: the events folded so far (the log's
// length is not known ahead, so the bar counts without an end).
type counted struct {
	projections.Projection
	show func(done, total int)
	n    *int
}

func (c counted) Apply(e domain.Envelope) error {
	if *c.n++; *c.n%4096 == 0 {
		c.show(*c.n, -1)
	}
	return c.Projection.Apply(e)
}
