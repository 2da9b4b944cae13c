package domain

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// Golden payloads pin the stored schema of every event type, so that no
// rename or removal of a field can slip into the store unnoticed.
//
// testdata/events holds, per event type:
//   - <Type>.v<N>.json for its current schema version N: the canonical
//     json.Marshal form of a value that sets every field at every depth,
//     plus one trailing newline (stripped before comparing);
//   - <Type>.v<K>.json for every older version K: a payload as written
//     under that version (hand-written, since the Go type is gone);
//   - <Type>.v<K>.upcast.json: what that payload must decode to today, in
//     the canonical form of the current version, plus a trailing newline.
//
// go test ./domain/ -run Golden -update writes the missing current-version
// files (every field filled) and rewrites the upcast expectations from the
// upcasters; review the diff before committing it.
var update = flag.Bool("update", false, "write missing golden event payloads and upcast expectations")

const goldenDir = "testdata/events"

var goldenName = regexp.MustCompile(`^([A-Za-z]+)\.v([0-9]+)(\.upcast)?\.json$`)

func TestGoldenEventPayloads(t *testing.T) {
	if *update {
		writeGolden(t)
	}
	entries, err := os.ReadDir(goldenDir)
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, e := range entries {
		m := goldenName.FindStringSubmatch(e.Name())
		if m == nil {
			t.Errorf("%s: not <Type>.v<N>[.upcast].json", e.Name())
			continue
		}
		have[e.Name()] = true
		spec, ok := eventSpecs[m[1]]
		n, _ := strconv.Atoi(m[2])
		switch {
		case !ok:
			t.Errorf("%s: unknown event type %s", e.Name(), m[1])
		case n < 1 || n > spec.version:
			t.Errorf("%s: %s has no schema version %d (current %d)", e.Name(), m[1], n, spec.version)
		case m[3] != "" && n == spec.version:
			t.Errorf("%s: the current version is not upcast", e.Name())
		}
	}
	for _, typ := range EventTypes() {
		spec := eventSpecs[typ]
		complete := true
		for _, name := range goldenFiles(typ, spec.version) {
			if !have[name] {
				t.Errorf("%s: golden file missing (go test ./domain/ -run Golden -update writes a draft)", name)
				complete = false
			}
		}
		if complete {
			t.Run(typ, func(t *testing.T) { checkGolden(t, typ, spec) })
		}
	}
}

// goldenFiles names the files an event type at version current needs.
func goldenFiles(typ string, current int) []string {
	out := []string{fmt.Sprintf("%s.v%d.json", typ, current)}
	for k := 1; k < current; k++ {
		out = append(out, fmt.Sprintf("%s.v%d.json", typ, k), fmt.Sprintf("%s.v%d.upcast.json", typ, k))
	}
	return out
}

func checkGolden(t *testing.T, typ string, spec eventSpec) {
	data := readGolden(t, fmt.Sprintf("%s.v%d.json", typ, spec.version))
	strict := strictDecode(t, spec.typ, data)
	requireEveryField(t, reflect.ValueOf(strict), typ)
	requireCanonical(t, strict, data)
	requireProductionDecode(t, typ, spec.version, data, strict)
	for k := 1; k < spec.version; k++ {
		old := readGolden(t, fmt.Sprintf("%s.v%d.json", typ, k))
		want := readGolden(t, fmt.Sprintf("%s.v%d.upcast.json", typ, k))
		got, err := DecodeEvent(typ, k, old)
		if err != nil {
			t.Fatalf("v%d: %v", k, err)
		}
		requireCanonical(t, got, want)
		requireProductionDecode(t, typ, k, old, strictDecode(t, spec.typ, want))
	}
}

// strictDecode decodes data into a new value of the registered type,
// refusing fields the type does not have.
func strictDecode(t *testing.T, typ reflect.Type, data []byte) Event {
	t.Helper()
	p := reflect.New(typ)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(p.Interface()); err != nil {
		t.Fatalf("strict decode: %v", err)
	}
	if dec.More() {
		t.Fatal("strict decode: more than one JSON value")
	}
	return p.Elem().Interface().(Event)
}

// requireCanonical re-encodes e as the store would and compares the bytes.
func requireCanonical(t *testing.T, e Event, want []byte) {
	t.Helper()
	_, _, got, err := EncodeEvent(e)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("re-encoded payload differs\n got: %s\nwant: %s", got, want)
	}
}

// requireProductionDecode checks that the store's decoder (go-json, after
// the upcasters) reads data as want.
func requireProductionDecode(t *testing.T, typ string, version int, data []byte, want Event) {
	t.Helper()
	got, err := DecodeEvent(typ, version, data)
	if err != nil {
		t.Fatalf("DecodeEvent v%d: %v", version, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DecodeEvent v%d differs from the strict decoder\n got: %+v\nwant: %+v", version, got, want)
	}
}

// requireEveryField fails for any zero value at any depth: a golden value
// must exercise every field for a renamed JSON name to show.
func requireEveryField(t *testing.T, v reflect.Value, path string) {
	t.Helper()
	if v.IsZero() {
		t.Errorf("%s is zero in the golden payload", path)
		return
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		requireEveryField(t, v.Elem(), path)
	case reflect.Slice, reflect.Array:
		if v.Len() == 0 {
			t.Errorf("%s is empty in the golden payload", path)
		}
		for i := range v.Len() {
			requireEveryField(t, v.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
	case reflect.Map:
		if v.Len() == 0 {
			t.Errorf("%s is empty in the golden payload", path)
		}
		for it := v.MapRange(); it.Next(); {
			requireEveryField(t, it.Value(), fmt.Sprintf("%s[%v]", path, it.Key()))
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if f := v.Type().Field(i); f.IsExported() && f.Tag.Get("json") != "-" {
				requireEveryField(t, v.Field(i), path+"."+f.Name)
			}
		}
	}
}

func readGolden(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(goldenDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(b, []byte("\n"))
}

// writeGolden drafts the missing current-version payloads and rewrites the
// upcast expectations; older payloads are written by hand.
func writeGolden(t *testing.T) {
	if err := os.MkdirAll(goldenDir, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name string, e Event) {
		_, _, data, err := EncodeEvent(e)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(goldenDir, name), append(data, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, typ := range EventTypes() {
		spec := eventSpecs[typ]
		name := fmt.Sprintf("%s.v%d.json", typ, spec.version)
		if _, err := os.Stat(filepath.Join(goldenDir, name)); os.IsNotExist(err) {
			v := reflect.New(spec.typ).Elem()
			fillEveryField(v, new(int))
			write(name, v.Interface().(Event))
		}
		for k := 1; k < spec.version; k++ {
			old, err := os.ReadFile(filepath.Join(goldenDir, fmt.Sprintf("%s.v%d.json", typ, k)))
			if err != nil {
				t.Fatalf("%s v%d: write the old payload by hand: %v", typ, k, err)
			}
			e, err := DecodeEvent(typ, k, old)
			if err != nil {
				t.Fatal(err)
			}
			write(fmt.Sprintf("%s.v%d.upcast.json", typ, k), e)
		}
	}
}

// fillEveryField sets every field of v at every depth to a distinct
// non-zero value; n counts the values handed out.
func fillEveryField(v reflect.Value, n *int) {
	*n++
	switch v.Type() {
	case reflect.TypeFor[time.Time]():
		v.Set(reflect.ValueOf(time.Date(2024, 3, 1, 10, 0, *n, 0, China)))
		return
	case reflect.TypeFor[Date]():
		v.Set(reflect.ValueOf(NewDate(time.Date(2024, 3, *n%28+1, 0, 0, 0, 0, China))))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("%s-%d", v.Type().Name(), *n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(int64(*n))
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fillEveryField(v.Elem(), n)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fillEveryField(v.Index(0), n)
	case reflect.Map:
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fillEveryField(k, n)
		fillEveryField(e, n)
		v.Set(reflect.MakeMap(v.Type()))
		v.SetMapIndex(k, e)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fillEveryField(v.Field(i), n)
			}
		}
	default:
		panic("golden: cannot fill " + v.Type().String())
	}
}
