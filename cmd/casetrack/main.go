// Command casetrack runs the property-dispute case tracker: the HTTP API
// (serve), the demo city loader (demo) and the auditor's replay (history).
// It only wires the packages together.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/casetrack/casetrack/adapters/sqlite"
	"github.com/casetrack/casetrack/domain"
)

const usage = `casetrack — case tracker for the property-dispute campaign (物业矛盾专项整治)

Usage:
  casetrack serve   [--addr :8080] [--data ./data] [--demo=true] [--campaign FILE.toml]
  casetrack demo    [--data ./data]
  casetrack history COMPOUND [--data ./data] [--at TIME] [--known-at TIME] [--json]
  casetrack projections rebuild [league] [--data ./data]    (server stopped; a running one: POST /api/v1/projections/NAME/rebuild)
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	var err error
	switch os.Args[1] {
	case "serve":
		err = serve(ctx, logger, os.Args[2:])
	case "demo":
		err = demoCmd(ctx, logger, os.Args[2:])
	case "history":
		err = history(ctx, os.Stdout, os.Args[2:])
	case "projections":
		err = projectionsCmd(ctx, os.Stdout, os.Args[2:])
	case "-h", "--help", "help":
		fmt.Print(usage)
		return
	default:
		err = fmt.Errorf("unknown command %q\n\n%s", os.Args[1], usage)
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "casetrack:", err)
		os.Exit(1)
	}
}

// openStore opens the embedded store in the data directory.
func openStore(dir string) (*sqlite.Store, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return sqlite.Open(filepath.Join(dir, "casetrack.db"))
}

func newService(store domain.EventStore) *domain.Service {
	return domain.NewService(store, domain.DefaultRuleBook())
}
