package domain

import (
	"encoding/json"
	"reflect"
	"testing"
)

// Events are facts of their own, never the commands the API decodes: a
// change to a command's shape must not silently change what is stored.
// (A declaration "type Fact Command" cannot be told by reflection from an
// identical struct; the golden payloads catch any change it would carry.)
func TestNoEventIsOrHoldsACommand(t *testing.T) {
	commands := map[reflect.Type]string{}
	for _, name := range CommandNames() {
		cmd, err := ParseCommand(name, json.RawMessage(`{}`))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		commands[reflect.TypeOf(cmd)] = name
	}
	for _, typ := range EventTypes() {
		et := eventSpecs[typ].typ
		if name, ok := commands[et]; ok {
			t.Errorf("event %s is command %s", typ, name)
		}
		walkTypes(et, typ, map[reflect.Type]bool{}, func(path string, ft reflect.Type) {
			if name, ok := commands[ft]; ok {
				t.Errorf("event field %s has the type of command %s (%s)", path, ft.Name(), name)
			}
		})
	}
}

// walkTypes calls visit for every field type reachable from t, through
// pointers, slices, arrays and maps, each type once.
func walkTypes(t reflect.Type, path string, seen map[reflect.Type]bool, visit func(path string, t reflect.Type)) {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array:
		walkTypes(t.Elem(), path+"[]", seen, visit)
		return
	case reflect.Map:
		walkTypes(t.Key(), path+"{key}", seen, visit)
		walkTypes(t.Elem(), path+"{}", seen, visit)
		return
	case reflect.Struct:
	default:
		return
	}
	if seen[t] {
		return
	}
	seen[t] = true
	for i := range t.NumField() {
		f := t.Field(i)
		visit(path+"."+f.Name, f.Type)
		walkTypes(f.Type, path+"."+f.Name, seen, visit)
	}
}
