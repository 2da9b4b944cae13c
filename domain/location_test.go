package domain

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestRegisterWithCoordinates(t *testing.T) {
	body := func(lat, lon string) json.RawMessage {
		return json.RawMessage(`{"name":"幸福家园","district":"D","street":"S","community":"Q","kind":"commercial","households":10,` +
			`"private_area":"1000","delivered_area":"1000"` + lat + lon + `}`)
	}
	at := fxDay(2025, 3, 1)
	cmd, err := ParseCommand("register", body(`,"latitude":30.274085`, `,"longitude":"120.155070"`))
	if err != nil {
		t.Fatal(err)
	}
	events := fxDo(t, NewCompound("C9"), cmd, at)
	reg := events[0].(CompoundRegistered)
	if reg.Latitude != 30_274_085 || reg.Longitude != 120_155_070 {
		t.Fatalf("coordinates %s, %s", reg.Latitude, reg.Longitude)
	}
	if b, _ := json.Marshal(reg); !strings.HasSuffix(string(b), `"latitude":30.274085,"longitude":120.155070}`) {
		t.Fatalf("encoded %s", b)
	}

	for _, tc := range []struct{ lat, lon, rule, field string }{
		{`,"latitude":30.27`, ``, "compound.location_partial", "latitude"},
		{`,"latitude":60.15`, `,"longitude":30.27`, "compound.location_range", "latitude"},
		{`,"latitude":-30.27`, `,"longitude":120.15`, "compound.location_range", "latitude"},
	} {
		cmd, err := ParseCommand("register", body(tc.lat, tc.lon))
		if err != nil {
			t.Fatal(err)
		}
		fxHasViolation(t, fxReject(t, NewCompound("C9"), cmd, at), tc.rule, tc.field)
	}
	for _, bad := range []string{`30.1234567`, `"north"`, `181`, `1e2`, `"--30"`, `"30.-1"`, `""`} {
		_, err := ParseCommand("register", body(`,"latitude":`+bad, `,"longitude":120`))
		fxHasViolation(t, err, "json.degrees", "latitude")
	}
}

func TestParseDegrees(t *testing.T) {
	for s, want := range map[string]Degrees{"0": 0, "30.5": 30_500_000, "-0.000001": -1, "180": 180_000_000, "120.155070": 120_155_070} {
		if got, ok := ParseDegrees(s); !ok || got != want {
			t.Errorf("%q: %d %v, want %d", s, got, ok, want)
		}
		if got, _ := ParseDegrees(want.String()); got != want {
			t.Errorf("%s does not read back", want)
		}
	}
	for _, s := range []string{"", "-", ".5", "181", "1000", "12.1234567", "+3", "3.+1", "0x10", "1,5", "٣"} {
		if _, ok := ParseDegrees(s); ok {
			t.Errorf("%q accepted", s)
		}
	}
}
