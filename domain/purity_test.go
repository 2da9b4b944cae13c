package domain

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The domain decides from its arguments alone: it reads no clock, makes no
// IDs or random numbers, and touches no file, database, network or bus.
// Those belong to app/ and adapters/.
func TestDomainIsPure(t *testing.T) {
	allowed := map[string]bool{
		"bytes": true, "cmp": true, "context": true, "crypto/sha256": true, "embed": true, "encoding/binary": true,
		"encoding/hex": true, "encoding/json": true, "errors": true, "fmt": true, "io": true, "io/fs": true,
		"maps": true, "math": true, "reflect": true, "regexp": true, "slices": true, "sort": true, "strconv": true,
		"strings": true, "sync": true, "time": true, "unicode": true, "unicode/utf8": true,
		"github.com/goccy/go-json":       true, // decoding stored payloads fast
		"github.com/BurntSushi/toml":     true, // parsing rule files handed in as bytes
		"golang.org/x/text/unicode/norm": true, // NFC normalisation of command text
	}
	clock := map[string]bool{"Now": true, "Since": true, "Until": true, "Tick": true, "After": true, "NewTimer": true, "NewTicker": true, "Sleep": true}
	fset, files := parseSources(t)
	for f, file := range files {
		for _, imp := range file.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); !allowed[p] {
				t.Errorf("%s imports %s", f, p)
			}
		}
		ast.Inspect(file, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if x, ok := sel.X.(*ast.Ident); ok && x.Name == "time" && clock[sel.Sel.Name] {
					t.Errorf("%s: time.%s reads the clock", fset.Position(sel.Pos()), sel.Sel.Name)
				}
			}
			return true
		})
	}
}

// parseSources parses the package's non-test files, by file name.
func parseSources(t *testing.T) (*token.FileSet, map[string]*ast.File) {
	t.Helper()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset, out := token.NewFileSet(), map[string]*ast.File{}
	for _, f := range names {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		if out[f], err = parser.ParseFile(fset, f, nil, 0); err != nil {
			t.Fatal(err)
		}
	}
	return fset, out
}
