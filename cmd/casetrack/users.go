package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/casetrack/casetrack/app/auth"
	"github.com/casetrack/casetrack/domain"
)

const usersUsage = `usage:
  casetrack users add NAME --role ROLE [--district D] [--street S] [--community C] [--org O] [--token] [--days N]
  casetrack users list
  casetrack users disable NAME
  casetrack users token NAME [--days N]
  casetrack users revoke NAME TOKEN_ID
  casetrack users role NAME --role ROLE [--district D] [--street S] [--community C] [--org O]
  casetrack users password NAME     (a new one-time password)
each with [--data DIR] [--store URL]; roles: admin, inspector, street_office, community_worker, hotline, auditor`

// usersOptions are the flags of the users commands.
type usersOptions struct {
	data, store, role, district, street, community, org string
	token                                               bool
	days                                                int
}

func usersFlags(fs *flag.FlagSet) *usersOptions {
	o := &usersOptions{}
	dataFlag(fs, &o.data)
	storeFlag(fs, &o.store)
	fs.StringVar(&o.role, "role", "", "`role` of the account: admin, inspector, street_office, community_worker, hotline or auditor")
	fs.StringVar(&o.district, "district", "", "`district` of the account's scope")
	fs.StringVar(&o.street, "street", "", "`street` of the account's scope")
	fs.StringVar(&o.community, "community", "", "`community` of the account's scope")
	fs.StringVar(&o.org, "org", "", "`organisation` the account acts for; empty: named after its scope")
	fs.BoolVar(&o.token, "token", false, "add: print an API token instead of a password")
	fs.IntVar(&o.days, "days", 90, "lifetime of an API token in `days` (1–366)")
	return o
}

// usersCmd manages accounts directly in the store, no server needed: the
// way to create the first admin. Changes are recorded as made by the
// operating-system user who ran the command.
func usersCmd(ctx context.Context, out io.Writer, args []string) error {
	if len(args) == 0 {
		return usageError{fmt.Errorf("%s", usersUsage)}
	}
	if isHelp(args[0]) {
		fmt.Fprintln(out, usersUsage)
		return flag.ErrHelp
	}
	verb, args := args[0], args[1:]
	fs := newFlags("users "+verb, "users "+verb+" …", usersUsage)
	o := usersFlags(fs)
	var positional []string // NAME (and TOKEN_ID) before or after the flags
	for len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		positional, args = append(positional, args[0]), args[1:]
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	positional = append(positional, fs.Args()...)
	want := map[string]int{"list": 0, "revoke": 2}[verb]
	if verb != "list" && verb != "revoke" {
		want = 1
	}
	if len(positional) != want {
		return usageError{fmt.Errorf("%s", usersUsage)}
	}
	var name string
	if want > 0 {
		name = positional[0]
	}
	if o.days < 1 || o.days > 366 {
		return usageError{fmt.Errorf("--days must be between 1 and 366")}
	}
	store, err := openStore(ctx, o.store, o.data)
	if err != nil {
		return err
	}
	defer store.Close()
	accounts := auth.New(store, nil)
	by := operator()
	ttl := time.Duration(o.days) * 24 * time.Hour
	switch verb {
	case "add":
		password, err := accounts.Create(ctx, by, name, domain.Role(o.role),
			domain.Scope{District: o.district, Street: o.street, Community: o.community}, o.org)
		if err != nil {
			return err
		}
		if !o.token {
			fmt.Fprintf(out, "account %s created; one-time password (shown once, change it after signing in):\n%s\n", name, password)
			return nil
		}
		return printToken(ctx, out, accounts, by, name, ttl)
	case "token":
		return printToken(ctx, out, accounts, by, name, ttl)
	case "role":
		err := accounts.Grant(ctx, by, name, domain.Role(o.role), domain.Scope{District: o.district, Street: o.street, Community: o.community}, o.org)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "account %s is now %s\n", name, o.role)
		return nil
	case "password":
		password, err := accounts.ResetPassword(ctx, by, name)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "new one-time password of %s (shown once):\n%s\n", name, password)
		return nil
	case "revoke":
		if err := accounts.Revoke(ctx, by, name, positional[1]); err != nil {
			return err
		}
		fmt.Fprintf(out, "token %s of %s revoked\n", positional[1], name)
		return nil
	case "disable":
		if err := accounts.Disable(ctx, by, name); err != nil {
			return err
		}
		fmt.Fprintf(out, "account %s disabled: its sessions and tokens no longer work\n", name)
		return nil
	case "list":
		list, err := accounts.List(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tROLE\tDISTRICT\tSTREET\tCOMMUNITY\tORGANISATION\tSTATUS\tTOKENS")
		for _, a := range list {
			status := "active"
			if a.Disabled {
				status = "disabled"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\n", a.Name, a.Role, a.Scope.District, a.Scope.Street, a.Scope.Community,
				a.Organisation, status, len(a.Tokens))
		}
		return tw.Flush()
	}
	return usageError{fmt.Errorf("unknown users command %q\n%s", verb, usersUsage)}
}

func printToken(ctx context.Context, out io.Writer, accounts *auth.Accounts, by domain.Actor, name string, ttl time.Duration) error {
	token, id, err := accounts.IssueToken(ctx, by, name, ttl)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "API token %s of %s, valid %d days (shown once; send it as Authorization: Bearer TOKEN):\n%s\n",
		id, name, int(ttl.Hours()/24), token)
	return nil
}

// operator is the actor of changes made from the command line: whoever
// runs it has the store in hand.
func operator() domain.Actor {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	host, _ := os.Hostname()
	return domain.Actor{UserID: "cli:" + name, Role: "operator", Organisation: host}
}

// demoAccounts are the demo city's accounts, one per role, with the
// passwords listed in the README. Only a demo city gets them.
var demoAccounts = []struct {
	name  string
	role  domain.Role
	scope domain.Scope
}{
	{"admin", domain.RoleAdmin, domain.Scope{}},
	{"inspector", domain.RoleInspector, domain.Scope{}},
	{"donghu", domain.RoleStreetOffice, domain.Scope{District: "城东区", Street: "东湖街道"}},
	{"donghu-east", domain.RoleCommunityWorker, domain.Scope{District: "城东区", Street: "东湖街道", Community: "东湖东社区"}},
	{"hotline", domain.RoleHotline, domain.Scope{}},
	{"auditor", domain.RoleAuditor, domain.Scope{}},
}

// demoPassword is the password of every demo account: the demo is for
// trying things out, and these accounts exist nowhere else.
const demoPassword = "casetrack-demo"

// ensureDemoAccounts creates the demo accounts that are missing and
// prints them.
func ensureDemoAccounts(ctx context.Context, out io.Writer, accounts *auth.Accounts) error {
	list, err := accounts.List(ctx)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, a := range list {
		have[a.Name] = true
	}
	by := domain.Actor{UserID: "demo", Role: "operator", Organisation: "demo"}
	fmt.Fprintf(out, "demo accounts (password %q; demo mode only):\n", demoPassword)
	for _, d := range demoAccounts {
		if !have[d.name] {
			if _, err := accounts.Create(ctx, by, d.name, d.role, d.scope, ""); err != nil {
				return err
			}
			if err := accounts.SetPassword(ctx, by, d.name, demoPassword); err != nil {
				return err
			}
		}
		fmt.Fprintf(out, "  %-12s %s %s\n", d.name, d.role, strings.TrimSpace(d.scope.District+" "+d.scope.Street+" "+d.scope.Community))
	}
	return nil
}
