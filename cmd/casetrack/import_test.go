package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/casetrack/casetrack/adapters/sqlite"
	"github.com/casetrack/casetrack/domain"
)

// The command line end to end on the embedded store: a template, a file
// with a bad row (reported, nothing imported; a report file with the
// injected formula defused), --skip-bad, and the same file again.
func TestImportCompounds(t *testing.T) {
	ctx, dir := context.Background(), t.TempDir()
	data := filepath.Join(dir, "data")
	cli := func(args ...string) (string, string, int) {
		var out, errs strings.Builder
		code := run(ctx, args, &out, &errs)
		return out.String(), errs.String(), code
	}
	tmpl := filepath.Join(dir, "模板.xlsx")
	if _, errs, code := cli("import", "template", tmpl); code != 0 {
		t.Fatalf("template: %d %s", code, errs)
	}
	if _, errs, code := cli("import", "compounds", tmpl, "--data", data); code != 0 {
		t.Fatalf("the empty template imports nothing, without error: %d %s", code, errs)
	}
	file := filepath.Join(dir, "register.csv")
	rows := "小区编号,名称,区,街道,社区,类型,户数,专有部分面积,交付面积\n" +
		"B1,幸福家园,城东区,东湖街道,东湖东社区,商品房,320,28000.50,28000.50\n" +
		"B2,西湖苑,城东区,东湖街道,东湖东社区,商品房,=1+2,-5,0\n" +
		"B3,阳光花园,城东区,东湖街道,东湖东社区,old,100,9000,9000\n"
	if err := os.WriteFile(file, []byte(rows), 0o600); err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(dir, "bad.csv")
	out, errs, code := cli("import", "compounds", file, "--data", data, "--report", report)
	if code != 1 || !strings.Contains(out, "row 3 (第3行)\t户数\t\"=1+2\"\timport.whole_number\t须为整数 / must be a whole number") ||
		!strings.Contains(out, "row 3 (第3行)\t专有部分面积\t\"-5\"\tcompound.private_area\t专有部分面积须为正数 / private area must be positive") ||
		!strings.Contains(errs, "nothing imported") {
		t.Fatalf("bad row: exit %d\n%s\n%s", code, out, errs)
	}
	if got := countEvents(t, data); got != 0 {
		t.Fatalf("%d events recorded by a refused import", got)
	}
	b, err := os.ReadFile(report)
	if err != nil || !strings.Contains(string(b), "3,户数,'=1+2,import.whole_number,须为整数,must be a whole number\n3,专有部分面积,'-5,") {
		t.Fatalf("report: %v\n%s", err, b)
	}
	if out, errs, code = cli("import", "compounds", file, "--data", data, "--dry-run", "--skip-bad"); code != 1 || countEvents(t, data) != 0 {
		t.Fatalf("dry run: exit %d, %d events\n%s%s", code, countEvents(t, data), out, errs)
	}
	if out, errs, code = cli("import", "compounds", file, "--data", data, "--skip-bad"); code != 0 || !strings.Contains(out, "imported 2 compounds") || countEvents(t, data) != 2 {
		t.Fatalf("skip bad: exit %d\n%s%s", code, out, errs)
	}
	if out, errs, code = cli("import", "compounds", file, "--data", data, "--skip-bad"); code != 0 || !strings.Contains(out, "imported 0 compounds, 2 unchanged") || countEvents(t, data) != 2 {
		t.Fatalf("again: exit %d\n%s%s", code, out, errs)
	}
}

func TestImportRefusesBadInput(t *testing.T) {
	ctx, dir := context.Background(), t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"import"}, 2, "usage"},
		{[]string{"import", "things", "x.csv"}, 2, "usage"},
		{[]string{"import", "compounds", write("a.csv", "x"), "--bogus"}, 2, "flag provided but not defined"},
		{[]string{"import", "compounds", write("b.csv", "x"), "extra"}, 2, "unexpected argument"},
		{[]string{"import", "compounds", filepath.Join(dir, "missing.csv")}, 1, "no such file"},
		{[]string{"import", "compounds", write("c.txt", "x")}, 1, "neither .xlsx nor .csv"},
		{[]string{"import", "compounds", write("d.xlsx", "not a zip")}, 1, "sheet.malformed"},
		{[]string{"import", "compounds", write("e.csv", "小区编号,名称,备注\n")}, 1, "import.unknown_column"},
		{[]string{"import", "compounds", write("f.csv", "小区编号,名称\n\"unterminated\n")}, 1, "sheet.malformed"},
		{[]string{"import", "template", filepath.Join(dir, "t.pdf")}, 2, ".xlsx or .csv"},
		{[]string{"import", "--help"}, 0, ""},
	} {
		var out, errs strings.Builder
		code := run(ctx, append(tc.args, "--data", filepath.Join(dir, "data")), &out, &errs)
		if code != tc.code || !strings.Contains(out.String()+errs.String(), tc.want) {
			t.Errorf("%v: exit %d, want %d with %q\n%s%s", tc.args, code, tc.code, tc.want, out.String(), errs.String())
		}
	}
}

func countEvents(t *testing.T, data string) int {
	t.Helper()
	store, err := sqlite.Open(filepath.Join(data, "casetrack.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	all, err := store.ReadAll(context.Background(), 0, 100_000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range all {
		if e.StreamID != "accounts" && strings.HasPrefix(e.StreamID, domain.StreamID("")) {
			n++
		}
	}
	return n
}
