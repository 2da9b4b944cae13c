package projections

import (
	"bytes"
	"encoding/gob"
	"testing"
)

// A word spells out as given, is numbered once, and survives a snapshot.
func TestWords(t *testing.T) {
	for _, s := range []string{"", "hotline", "某物业公司"} {
		w := WordOf(s)
		var buf bytes.Buffer
		if err := gob.NewEncoder(&buf).Encode(struct{ W Word }{w}); err != nil {
			t.Fatal(err)
		}
		var back struct{ W Word }
		if err := gob.NewDecoder(&buf).Decode(&back); err != nil {
			t.Fatal(err)
		}
		if w.String() != s || back.W != w || WordOf(s) != w {
			t.Errorf("%q: %q, restored %q", s, w.String(), back.W.String())
		}
	}
	if WordOf("a") == WordOf("b") {
		t.Error("two words share a number")
	}
}
