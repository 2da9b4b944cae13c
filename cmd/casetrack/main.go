// Command casetrack runs the property-dispute case tracker: the HTTP API
// (serve), the demo city loader (demo), the auditor's replay (history),
// the PostgreSQL schema migration (migrate), the rule sets (rules show)
// and the spreadsheet import of compound registers (import).
// It only wires the packages together.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
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
                    exit 0: hash chain intact, 1: broken (the first bad event is named), 2: usage
  casetrack migrate --store postgres://…
  casetrack projections rebuild [league] [--data ./data] [--store URL] [--rules DIR]    (server stopped; a running one: POST /api/v1/projections/NAME/rebuild)
  casetrack rules show [--rules DIR] [--at DATE]    the rule set in force on DATE (default today)
  casetrack users add NAME --role ROLE [--district D] [--street S] [--community C] [--token]   (prints a one-time password or token)
  casetrack users list | users disable NAME | users token NAME [--days N]      accounts, straight in the store (the first admin)
  casetrack import compounds FILE.xlsx|.csv [--dry-run] [--skip-bad] [--report BAD.csv] [--data ./data] [--store URL]
                    register a spreadsheet's compounds; exit 1 and nothing imported when a row is bad
  casetrack import template FILE.xlsx|.csv        the empty register template (Chinese headers)

--store (or $CASETRACK_STORE) picks the event store: empty for the embedded store in --data,
a SQLite file, or postgres://user@host/db for PostgreSQL (see docs/production.md).
--rules (or $CASETRACK_RULES) is a directory of rule set files (*.toml) replacing the built-in
ones (domain/rulesets); a bad file stops the command with its file, line and setting.
`

func main() {
	projections.TuneGC()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run runs one command and returns the exit status: 0 done (or help shown),
// 1 failed (for history: the hash chain is broken), 2 a usage error.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) < 1 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	var err error
	switch args[0] {
	case "serve":
		err = serve(ctx, logger, args[1:])
	case "demo":
		err = demoCmd(ctx, logger, args[1:])
	case "history":
		err = history(ctx, stdout, args[1:])
	case "migrate":
		err = migrateCmd(ctx, logger, args[1:])
	case "projections":
		err = projectionsCmd(ctx, stdout, stderr, args[1:])
	case "rules":
		err = rulesCmd(stdout, args[1:])
	case "users":
		err = usersCmd(ctx, stdout, args[1:])
	case "import":
		err = importCmd(ctx, stdout, stderr, args[1:])
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		err = usageError{fmt.Errorf("unknown command %q\n\n%s", args[0], usage)}
	}
	switch {
	case err == nil, errors.Is(err, context.Canceled):
		return 0
	case errors.Is(err, flag.ErrHelp): // the flag set has printed the command's flags
		return 0
	case errors.As(err, new(brokenChain)): // history has reported it
		return 1
	}
	fmt.Fprintln(stderr, "casetrack:", err)
	if errors.As(err, new(usageError)) {
		return 2
	}
	return 1
}
