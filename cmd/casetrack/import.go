package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/casetrack/casetrack/adapters/sheet"
	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/app/importer"
	"github.com/casetrack/casetrack/domain"
)

const importUsage = `usage: casetrack import compounds FILE.xlsx|FILE.csv [--dry-run] [--skip-bad] [--report BAD.csv] [--data DIR] [--store URL] [--rules DIR]
       casetrack import template FILE.xlsx|FILE.csv     write the empty register template (Chinese headers)

Registers the compounds of a spreadsheet, one per row (the template's columns). Every row is checked
first; when any is bad, each bad cell is listed (row, column, value, reason in Chinese and English)
and nothing is imported, unless --skip-bad. Importing the same file again changes nothing.
Exit status: 0 imported (or, with --dry-run, nothing bad), 1 bad rows or a failure, 2 usage.`

func importCmd(ctx context.Context, stdout, stderr io.Writer, args []string) error {
	if len(args) > 0 && isHelp(args[0]) {
		fmt.Fprintln(stdout, importUsage)
		return flag.ErrHelp
	}
	if len(args) < 2 || (args[0] != "compounds" && args[0] != "template") {
		return usageError{errors.New(importUsage)}
	}
	if args[0] == "template" {
		return writeTemplate(args[1])
	}
	fs := flag.NewFlagSet("import compounds", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "./data", "data directory of the embedded store")
	storeURL := storeFlag(fs)
	rulesDir := rulesFlag(fs)
	dryRun := fs.Bool("dry-run", false, "check every row and report; record nothing")
	skipBad := fs.Bool("skip-bad", false, "import the good rows even when others are bad (those are listed)")
	report := fs.String("report", "", "also write the bad rows to this CSV file")
	file := args[1]
	if err := parseFlags(fs, args[2:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q\n%s", fs.Arg(0), importUsage)}
	}
	book, err := loadRules(*rulesDir)
	if err != nil {
		return err
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	tab, err := sheet.Read(file, f, sheet.DefaultLimits, importer.IsHeader)
	if err != nil {
		return problemError(err)
	}
	store, err := openStore(ctx, *storeURL, *data)
	if err != nil {
		return err
	}
	defer store.Close()
	svc := app.NewService(store, book)
	plan, err := importer.Check(ctx, svc, tab, time.Now(), domain.Scope{}, progress(stderr, "checking")) // the operator has the store in hand
	if err != nil {
		return problemError(err)
	}
	printProblems(stdout, plan.Problems)
	if *report != "" {
		if err := writeFile(*report, func(w io.Writer) error { return sheet.Write(w, sheet.CSV, plan.ReportSheet()) }); err != nil {
			return err
		}
	}
	fresh, unchanged, bad := plan.Counts()
	fmt.Fprintf(stdout, "%s: %d rows: %d new, %d unchanged (imported before), %d bad\n", filepath.Base(file), len(tab.Rows), fresh, unchanged, bad)
	fmt.Fprintf(stdout, "（共 %d 行：新增 %d，已导入 %d，有误 %d）\n", len(tab.Rows), fresh, unchanged, bad)
	if *dryRun {
		if bad > 0 {
			return fmt.Errorf("dry run: %d bad rows (试导入：%d 行有误)", bad, bad)
		}
		fmt.Fprintln(stdout, "dry run: nothing recorded (试导入，未登记任何数据)")
		return nil
	}
	res, err := plan.Run(ctx, svc, importer.Options{SkipBad: *skipBad, Actor: operator(), Progress: progress(stderr, "importing")})
	if err != nil {
		if domain.ErrorCode(err) == domain.CodeRejected {
			return fmt.Errorf("%d bad rows: nothing imported; fix them or pass --skip-bad (%d 行有误，未导入任何数据)", bad, bad)
		}
		return err
	}
	fmt.Fprintf(stdout, "imported %d compounds, %d unchanged, %d bad rows skipped (已登记 %d 个小区)\n", res.Imported, res.Unchanged, res.Bad, res.Imported)
	return nil
}

// printProblems lists the bad cells, one a line, with text from the file
// made harmless for the terminal.
func printProblems(out io.Writer, problems []importer.Problem) {
	for _, p := range problems {
		col := p.Column
		if col == "" {
			col = "-"
		}
		fmt.Fprintf(out, "row %d (第%d行)\t%s\t%q\t%s\t%s / %s\n", p.Row, p.Row, clean(col), clean(p.Value), p.Rule, clean(p.MessageZH), clean(p.Message))
	}
}

// problemError spells a file's problems for the terminal.
func problemError(err error) error {
	var e *domain.Error
	if !errors.As(err, &e) || len(e.Violations) == 0 {
		return err
	}
	var b strings.Builder
	b.WriteString(e.Message)
	for _, v := range e.Violations {
		fmt.Fprintf(&b, "\n  %s: %s / %s", v.Rule, clean(v.MessageZH), clean(v.Message))
	}
	return errors.New(b.String())
}

func writeTemplate(path string) error {
	format := sheet.Format(strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), "."))
	if format != sheet.XLSX && format != sheet.CSV {
		return usageError{fmt.Errorf("%s: the template is written as .xlsx or .csv", path)}
	}
	return writeFile(path, func(w io.Writer) error { return sheet.Write(w, format, importer.Template()...) })
}

// writeFile writes a new file through write, removing it when write fails.
func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if err := errors.Join(write(f), f.Close()); err != nil {
		os.Remove(path)
		return err
	}
	return nil
}
