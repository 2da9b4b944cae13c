// Command casetrack runs the property-dispute case tracker: the HTTP API
// (serve), the demo city loader (demo), the auditor's replay (history),
// the PostgreSQL schema migration (migrate), the rule sets (rules show),
// accounts (users), the spreadsheet import of compound registers (import)
// and its own version (version).
// It only wires the packages together.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/casetrack/casetrack/projections"
)

const usage = `casetrack — case tracker for the property-dispute campaign (物业矛盾专项整治)

Usage:
  casetrack serve   [--addr :8080] [--data ./data] [--store URL] [--rules DIR] [--migrate] [--demo=true] [--campaign FILE.toml] …
  casetrack demo    [--data ./data] [--store URL] [--rules DIR]
  casetrack history COMPOUND [--data ./data] [--store URL] [--at TIME] [--known-at TIME] [--json]
                    exit 0: hash chain intact, 1: broken (the first bad event is named), 2: usage
  casetrack migrate --store postgres://…
  casetrack projections rebuild [league] [--data ./data] [--store URL] [--rules DIR]    (server stopped; a running one: POST /api/v1/projections/NAME/rebuild)
  casetrack rules show [--rules DIR] [--at DATE]    the rule set in force on DATE (default today)
  casetrack users add NAME --role ROLE [--district D] [--street S] [--community C] [--token]   (prints a one-time password or token)
  casetrack users list | users disable NAME | users token NAME [--days N]      accounts, straight in the store (the first admin)
  casetrack keys generate [--name NAME] [--out DIR]     the checkpoint signing key pair (audit.key, audit.pub)
  casetrack verify  [--data ./data] [--store URL] [--key audit.pub] [--checkpoint FILE]...
                    exit 0: the whole log verifies, 1: tampered (each place is named), 2: cannot check
  casetrack proof check --key audit.pub [PROOF.json]    an inclusion or consistency proof, offline
  casetrack witness URL --key audit.pub --keep DIR [--once | --interval 1m [--duration D]]
                    keeps the server's checkpoints; exit 1 when the log was rewritten
  casetrack import compounds FILE.xlsx|.csv [--dry-run] [--skip-bad] [--report BAD.csv] [--data ./data] [--store URL]
                    register a spreadsheet's compounds; exit 1 and nothing imported when a row is bad
  casetrack import template FILE.xlsx|.csv        the empty register template (Chinese headers)
  casetrack version                                 module version and VCS commit of this binary
  casetrack forget complainant:COMPOUND:COMPLAINT | candidate:COMPOUND:CANDIDATE [--data ./data] [--store URL]
                    destroys the subject's key: its name, phone, unit, birth date, ID number read as erased (已删除); the log is unchanged

Every command explains its arguments and flags with --help. Every flag may also be set by the
environment, CASETRACK_ and the flag's name in capitals (--store: CASETRACK_STORE, --tables-every:
CASETRACK_TABLES_EVERY), or in a file named by --config (lines of "name value"); the command line
wins over the environment, the environment over the file. docs/operations.md lists them all.
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
	var err error
	switch args[0] {
	case "serve":
		err = serve(ctx, stderr, args[1:])
	case "demo":
		err = demoCmd(ctx, stderr, args[1:])
	case "history":
		err = history(ctx, stdout, args[1:])
	case "migrate":
		err = migrateCmd(ctx, stderr, args[1:])
	case "projections":
		err = projectionsCmd(ctx, stdout, stderr, args[1:])
	case "rules":
		err = rulesCmd(stdout, args[1:])
	case "users":
		err = usersCmd(ctx, stdout, args[1:])
	case "keys":
		err = keysCmd(stdout, args[1:])
	case "verify":
		err = verifyCmd(ctx, stdout, args[1:])
	case "proof":
		err = proofCmd(os.Stdin, stdout, args[1:])
	case "witness":
		err = witnessCmd(ctx, stdout, args[1:])
	case "import":
		err = importCmd(ctx, stdout, stderr, args[1:])
	case "version":
		err = versionCmd(stdout, args[1:])
	case "forget":
		err = forgetCmd(ctx, stdout, stderr, args[1:])
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
	if errors.As(err, new(usageError)) || errors.As(err, new(cannotCheck)) {
		return 2
	}
	return 1
}
