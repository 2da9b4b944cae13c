package projectiontest

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
)

var update = flag.Bool("update", false, "rewrite testdata/handles.txt from the projection's handlers")

// handlesFile keeps, in each projection package, the event types its fold
// is meant to read: removing a handler is then a change a test sees.
const handlesFile = "testdata/handles.txt"

// Run checks the contract every projection keeps, on the test city
// (NewTestCity), as storetest does for stores:
//   - its handled types are those of testdata/handles.txt (go test -update
//     rewrites the file);
//   - every handled type occurs in the test city, and dropping its events
//     changes the model: no handler is dead;
//   - folded event by event, in chunks restored from the snapshot of the
//     last, with redeliveries, it ends where one rebuild from zero ends;
//   - a snapshot restores the same state;
//   - its SQL tables are well formed.
//
// States are compared as JSON of the exported fields (what a snapshot
// keeps), which sorts map keys where gob does not; empty and nil are one
// (gob does not tell them apart either).
func Run[M projections.Projection](t *testing.T, newModel func() M) {
	city := NewTestCity(t)
	events, err := city.Store.ReadAll(context.Background(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	rebuilt := newModel()
	if err := projections.Fold(context.Background(), city.Store, rebuilt, 0); err != nil {
		t.Fatal(err)
	}
	want := state(t, rebuilt)

	t.Run("handles", func(t *testing.T) { checkHandles(t, rebuilt.Handled()) })
	t.Run("every handler matters", func(t *testing.T) {
		for _, typ := range rebuilt.Handled() {
			if !slices.ContainsFunc(events, func(e domain.Envelope) bool { return e.Type == typ }) {
				t.Errorf("%s is handled but does not occur in the test city: extend NewTestCity", typ)
				continue
			}
			if changed, why := dropChanges(t, newModel, events, typ, want); !changed {
				t.Errorf("dropping the %s events leaves the model as it was: its handler does nothing on the test city", typ)
			} else if why != "" {
				t.Logf("without %s: %s", typ, why)
			}
		}
	})
	t.Run("incremental equals rebuild", func(t *testing.T) {
		var snap []byte
		const chunks = 7
		for i := range chunks {
			m := restored(t, newModel, snap)
			chunk := events[i*len(events)/chunks : (i+1)*len(events)/chunks]
			for j, e := range chunk {
				apply(t, m, e)
				if j == 0 && i > 0 {
					apply(t, m, events[i*len(events)/chunks-1]) // delivered again: ignored
				}
			}
			if snap, err = m.Snapshot(); err != nil {
				t.Fatal(err)
			}
		}
		if got := state(t, restored(t, newModel, snap)); !bytes.Equal(got, want) {
			t.Errorf("folded in chunks, the model differs from a rebuild:\n%s", diff(got, want))
		}
	})
	t.Run("snapshot round trip", func(t *testing.T) {
		snap, err := rebuilt.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		m := restored(t, newModel, snap)
		if got := state(t, m); !bytes.Equal(got, want) || m.Position() != rebuilt.Position() {
			t.Errorf("restored at %d of %d, the model differs:\n%s", m.Position(), rebuilt.Position(), diff(got, want))
		}
		if err := m.Restore([]byte("not a snapshot")); err == nil {
			t.Error("a bad snapshot was restored")
		}
		if got := state(t, m); !bytes.Equal(got, want) {
			t.Error("a failed restore changed the model")
		}
	})
	t.Run("sql tables", func(t *testing.T) {
		tab, ok := any(rebuilt).(projections.Tabular)
		if !ok {
			t.Skip("not tabular")
		}
		for _, tb := range tab.SQLTables() {
			if !strings.HasPrefix(tb.Name, "rm_") || len(tb.Columns) == 0 || len(tb.Rows) == 0 {
				t.Errorf("table %q: %d columns, %d rows on the test city", tb.Name, len(tb.Columns), len(tb.Rows))
			}
			for i, row := range tb.Rows {
				if len(row) != len(tb.Columns) {
					t.Fatalf("%s row %d has %d values for %d columns", tb.Name, i, len(row), len(tb.Columns))
				}
				for j, v := range row {
					switch v.(type) {
					case nil, string, int, int64, bool, float64, time.Time, []byte:
					default:
						t.Fatalf("%s row %d, %s: a %T", tb.Name, i, tb.Columns[j], v)
					}
				}
			}
		}
	})
}

// checkHandles compares the handled types with testdata/handles.txt.
func checkHandles(t *testing.T, handled []string) {
	text := strings.Join(handled, "\n") + "\n"
	if *update {
		if err := os.MkdirAll(filepath.Dir(handlesFile), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(handlesFile, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(handlesFile)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	want := strings.Fields(string(b))
	for _, typ := range want {
		if !slices.Contains(handled, typ) {
			t.Errorf("%s is no longer handled (%s lists it; if meant, go test -update)", typ, handlesFile)
		}
	}
	for _, typ := range handled {
		if !slices.Contains(want, typ) {
			t.Errorf("%s is handled but not in %s (if meant, go test -update)", typ, handlesFile)
		}
	}
}

// dropChanges folds the log with the events of typ made unreadable (their
// positions stay) and reports whether the model differs from want. A fold
// that panics on such a log, one the domain never writes, depends on
// them as well.
func dropChanges[M projections.Projection](t *testing.T, newModel func() M, events []domain.Envelope, typ string, want []byte) (changed bool, why string) {
	defer func() {
		if v := recover(); v != nil {
			changed, why = true, fmt.Sprint("the fold panics: ", v)
		}
	}()
	m := newModel()
	for _, e := range events {
		if e.Type == typ {
			e.Type = "projectiontest.Dropped"
		}
		apply(t, m, e)
	}
	return !bytes.Equal(state(t, m), want), ""
}

func apply(t *testing.T, p projections.Projection, e domain.Envelope) {
	t.Helper()
	if err := p.Apply(e); err != nil {
		t.Fatal(err)
	}
}

// restored is a new model restored from snap (none: empty).
func restored[M projections.Projection](t *testing.T, newModel func() M, snap []byte) M {
	t.Helper()
	m := newModel()
	if snap != nil {
		if err := m.Restore(snap); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

func state(t *testing.T, p projections.Projection) []byte {
	t.Helper()
	b, err := json.Marshal(p)
	var v any
	if err == nil {
		err = json.Unmarshal(b, &v)
	}
	if err == nil {
		b, err = json.Marshal(emptyAsNil(v))
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func emptyAsNil(v any) any {
	switch v := v.(type) {
	case []any:
		if len(v) == 0 {
			return nil
		}
		for i := range v {
			v[i] = emptyAsNil(v[i])
		}
	case map[string]any:
		if len(v) == 0 {
			return nil
		}
		for k := range v {
			v[k] = emptyAsNil(v[k])
		}
	}
	return v
}

// diff shows where two states part.
func diff(got, want []byte) string {
	i := 0
	for i < min(len(got), len(want)) && got[i] == want[i] {
		i++
	}
	return fmt.Sprintf("got  …%s…\nwant …%s…", got[max(0, i-80):min(len(got), i+80)], want[max(0, i-80):min(len(want), i+80)])
}
