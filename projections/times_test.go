package projections

import (
	"bytes"
	"encoding/gob"
	"encoding/json"
	"testing"
	"time"
)

// A compact time gives back the time it was made of, location and all;
// snapshots and JSON hold it as that time; parsed offsets of no whole hour
// (a new location each) take one number, not one each.
func TestTimeKeepsTheTime(t *testing.T) {
	parsed := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, want := range []time.Time{{}, time.Date(2024, 1, 1, 2, 40, 57, 24884000, time.UTC),
		time.Date(2025, 3, 1, 23, 59, 59, 0, time.FixedZone("CST", 8*3600)), parsed("2024-01-22T23:59:59+08:00"),
		parsed("2024-01-22T23:59:59.5+05:30"), time.Date(1, 1, 1, 0, 0, 0, 1, time.Local), time.Date(3000, 1, 1, 0, 0, 0, 0, time.Local)} {
		got := TimeOf(want).Time()
		if got != want && !(got.Equal(want) && got.String() == want.String() && got.Location().String() == want.Location().String()) {
			t.Errorf("%v became %v", want, got)
		}
		var a, b bytes.Buffer
		if err := gob.NewEncoder(&a).Encode(TimeOf(want)); err != nil {
			t.Fatal(err)
		}
		if err := gob.NewEncoder(&b).Encode(want); err != nil {
			t.Fatal(err)
		}
		var viaCompact Time
		var viaTime time.Time
		if err := gob.NewDecoder(&a).Decode(&viaCompact); err != nil {
			t.Fatal(err)
		}
		if err := gob.NewDecoder(&b).Decode(&viaTime); err != nil {
			t.Fatal(err)
		}
		if viaCompact.Time().String() != viaTime.String() {
			t.Errorf("%v restored as %v, a time.Time as %v", want, viaCompact.Time(), viaTime)
		}
		j1, _ := json.Marshal(TimeOf(want))
		j2, _ := json.Marshal(want)
		if string(j1) != string(j2) {
			t.Errorf("%v in JSON: %s, not %s", want, j1, j2)
		}
	}
	before := len(zones.Load().list)
	for range 3 {
		TimeOf(parsed("2024-01-22T23:59:59+05:45"))
	}
	if n := len(zones.Load().list) - before; n != 1 {
		t.Errorf("three parses of one offset took %d numbers", n)
	}
	early, late := TimeOf(parsed("2024-01-22T23:59:59+08:00")), TimeOf(time.Date(2024, 1, 22, 16, 0, 0, 0, time.UTC))
	if early.Compare(late) != -1 || late.Compare(early) != 1 || early.Compare(early) != 0 {
		t.Error("Compare does not order instants")
	}
}
