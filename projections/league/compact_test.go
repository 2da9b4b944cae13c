package league

import (
	"bytes"
	"encoding/gob"
	"testing"
	"time"

	"github.com/google/uuid"
)

// Every event ID spells out as it was given, directly and through a
// snapshot (gob): the service's UUIDs, which are kept as their bytes, and
// anything else, which is kept in the process's table, including what
// looks like a UUID but would not format back the same.
func TestEventIDsSpellOutAsGiven(t *testing.T) {
	ids := []string{"", uuid.NewString(), uuid.NewSHA1(uuid.NameSpaceURL, []byte("x")).String(), "e1", "0123456789abcdef",
		"6F1C2A7E-94B1-4C55-9A3E-0C8F8B1D2E10",   // upper case
		"6f1c2a7e-94b1-4c55-0a3e-0c8f8b1d2e10",   // not the RFC 4122 variant: its bytes would read as an index
		"6f1c2a7e-94b1-4c55-9a3e-0c8f8b1d2e1",    // short
		"6f1c2a7e+94b1-4c55-9a3e-0c8f8b1d2e10",   // no dash
		"{6f1c2a7e-94b1-4c55-9a3e-0c8f8b1d2e10}"} // braces
	for _, s := range ids {
		id := eventIDOf(s)
		if got := id.String(); got != s {
			t.Errorf("%q spells out as %q", s, got)
		}
		var buf bytes.Buffer
		var back eventID
		if err := gob.NewEncoder(&buf).Encode(id); err != nil {
			t.Fatal(err)
		}
		if err := gob.NewDecoder(&buf).Decode(&back); err != nil {
			t.Fatal(err)
		}
		if back.String() != s {
			t.Errorf("%q restores as %q", s, back.String())
		}
	}
	if eventIDOf("e1") != eventIDOf("e1") || eventIDOf("e1") == eventIDOf("e2") {
		t.Error("an odd ID is not numbered once")
	}
	if (eventID{}).String() != "" {
		t.Error("the zero ID is not empty")
	}
}

// An instant is the same instant, and none is the zero time.
func TestInstants(t *testing.T) {
	at := time.Date(2025, 3, 4, 9, 30, 0, 123456789, time.FixedZone("CST", 8*3600))
	if got := instantOf(at).time(); !got.Equal(at) {
		t.Errorf("%s comes back as %s", at, got)
	}
	if !instantOf(time.Time{}).time().IsZero() || !instantOf(time.Time{}).isZero() {
		t.Error("no time is not the zero time")
	}
}
