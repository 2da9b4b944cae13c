package domain

import (
	"fmt"
	"go/ast"
	"os"
	"sort"
	"strings"
	"testing"
)

// The command table of doc.go is read from the code, so it cannot drift:
// every registered command, its Go type and the file that declares it.
func TestDocCommandTable(t *testing.T) {
	want := commandTable(t)
	b, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	start := -1
	for i, l := range lines {
		if l == "// # Commands" {
			start = i
		}
	}
	if start < 0 {
		t.Fatal("doc.go has no \"# Commands\" section")
	}
	for start < len(lines) && !strings.HasPrefix(lines[start], "//\t") {
		start++
	}
	end := start
	for end < len(lines) && strings.HasPrefix(lines[end], "//\t") {
		end++
	}
	got := strings.Join(lines[start:end], "\n")
	if got == want {
		return
	}
	if *update {
		out := append(append(append([]string(nil), lines[:start]...), want), lines[end:]...)
		if err := os.WriteFile("doc.go", []byte(strings.Join(out, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatalf("doc.go's command table is out of date (go test ./domain -run TestDocCommandTable -update):\n%s", want)
}

// commandTable renders the table from the package's sources.
func commandTable(t *testing.T) string {
	_, files := parseSources(t)
	declaredIn := map[string]string{}
	type row struct{ name, typ string }
	var rows []row
	for f, file := range files {
		ast.Inspect(file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.TypeSpec:
				declaredIn[n.Name.Name] = f
			case *ast.CallExpr:
				ix, ok := n.Fun.(*ast.IndexExpr)
				if !ok || len(n.Args) != 1 {
					return true
				}
				if fn, ok := ix.X.(*ast.Ident); ok && fn.Name == "registerCommand" {
					lit := n.Args[0].(*ast.BasicLit)
					rows = append(rows, row{strings.Trim(lit.Value, `"`), ix.Index.(*ast.Ident).Name})
				}
			}
			return true
		})
	}
	if len(rows) != len(CommandNames()) {
		t.Fatalf("found %d registerCommand calls, %d commands are registered", len(rows), len(CommandNames()))
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].name < rows[j].name })
	var b strings.Builder
	fmt.Fprintf(&b, "//\t%-26s %-26s %s", "command", "type", "file")
	for _, r := range rows {
		fmt.Fprintf(&b, "\n//\t%-26s %-26s %s", r.name, r.typ, declaredIn[r.typ])
	}
	return b.String()
}
