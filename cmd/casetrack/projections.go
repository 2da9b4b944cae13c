package main

import (
	"context"
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
	"github.com/casetrack/casetrack/projections/credit"
	"github.com/casetrack/casetrack/projections/deadlines"
	"github.com/casetrack/casetrack/projections/directory"
	"github.com/casetrack/casetrack/projections/league"
)

// The empty read models, under the built-in rules.
func newLeague() *league.Model       { return league.New(domain.DefaultRuleBook()) }
func newCredit() *credit.Model       { return credit.New(credit.DefaultRules()) }
func newDeadlines() *deadlines.Model { return deadlines.New(domain.DefaultRuleBook()) }

// fresh makes an empty instance of each projection by name.
var fresh = map[string]func() projections.Projection{
	"directory": untyped(directory.New),
	"league":    untyped(newLeague),
	"credit":    untyped(newCredit),
	"deadlines": untyped(newDeadlines),
}

func untyped[M projections.Projection](newModel func() M) func() projections.Projection {
	return func() projections.Projection { return newModel() }
}

// projectionsCmd: `projections rebuild [NAME]` replays a projection from the
// start of the log and saves its snapshot, with the server stopped. A
// running server rebuilds blue/green through its API instead
// (POST /api/v1/projections/NAME/rebuild).
func projectionsCmd(ctx context.Context, out io.Writer, args []string) error {
	if len(args) == 0 || args[0] != "rebuild" {
		return fmt.Errorf("usage: casetrack projections rebuild [NAME] [--data DIR]")
	}
	fs := flag.NewFlagSet("projections rebuild", flag.ContinueOnError)
	data := fs.String("data", "./data", "data directory of the embedded store")
	storeURL := storeFlag(fs)
	args = args[1:]
	names := []string{}
	for len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		names, args = append(names, args[0]), args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
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
		if err := projections.Fold(ctx, store, p, 0); err != nil {
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
