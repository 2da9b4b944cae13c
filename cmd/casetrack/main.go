// Command casetrack runs the property-dispute case tracker: the HTTP API
// (serve), the demo city loader (demo), the auditor's replay (history),
// the PostgreSQL schema migration (migrate) and the rule sets (rules show).
// It only wires the packages together.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/casetrack/casetrack/projections"
)

const usage = `casetrack — case tracker for the property-dispute campaign (物业矛盾专项整治)

Usage:
  casetrack serve   [--addr :8080] [--data ./data] [--store URL] [--rules DIR] [--migrate] [--demo=true] [--campaign FILE.toml]
  casetrack demo    [--data ./data] [--store URL] [--rules DIR]
  casetrack history COMPOUND [--data ./data] [--store URL] [--at TIME] [--known-at TIME] [--json]
  casetrack migrate --store postgres://…
  casetrack projections rebuild [league] [--data ./data] [--store URL] [--rules DIR]    (server stopped; a running one: POST /api/v1/projections/NAME/rebuild)
  casetrack rules show [--rules DIR] [--at DATE]    the rule set in force on DATE (default today)
  casetrack users add NAME --role ROLE [--district D] [--street S] [--community C] [--token]   (prints a one-time password or token)
  casetrack users list | users disable NAME | users token NAME [--days N]      accounts, straight in the store (the first admin)

--store (or $CASETRACK_STORE) picks the event store: empty for the embedded store in --data,
a SQLite file, or postgres://user@host/db for PostgreSQL (see docs/production.md).
--rules (or $CASETRACK_RULES) is a directory of rule set files (*.toml) replacing the built-in
ones (domain/rulesets); a bad file stops the command with its file, line and setting.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	projections.TuneGC()
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
	case "migrate":
		err = migrateCmd(ctx, logger, os.Args[2:])
	case "projections":
		err = projectionsCmd(ctx, os.Stdout, os.Args[2:])
	case "rules":
		err = rulesCmd(os.Stdout, os.Args[2:])
	case "users":
		err = usersCmd(ctx, os.Stdout, os.Args[2:])
	case "-h", "--help", "help":
		fmt.Print(usage)
		return
	default:
		err = fmt.Errorf("unknown command %q\n\n%s", os.Args[1], usage)
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "casetrack:", err)
		if errors.As(err, new(usageError)) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}
