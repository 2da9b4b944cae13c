package openapi

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/casetrack/casetrack/domain"
)

// TestCommandSchemasAcceptWhatTheDecoderAccepts checks each command's
// schema against bodies the command decoder takes and refuses.
func TestCommandSchemasAcceptWhatTheDecoderAccepts(t *testing.T) {
	reg, _ := domain.CommandType("register")
	s, err := ObjectSchema(reg, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		body string
		ok   bool
	}{
		{`{"name":"阳光花园","kind":"commercial","households":120,"private_area":"12000.50","delivered_area":12000}`, true},
		{`{"private_area":12000.5}`, true},
		{`{"private_area":"12.345"}`, false}, // Area takes two decimals
		{`{"kind":"castle"}`, false},         // a closed vocabulary
		{`{"households":"many"}`, false},
		{`{"zzz_unknown":1}`, false}, // the decoder refuses unknown fields
	} {
		var v any
		if err := json.Unmarshal([]byte(tc.body), &v); err != nil {
			t.Fatal(err)
		}
		err := s.VisitJSON(v, openapi3.EnableJSONSchema2020())
		if (err == nil) != tc.ok {
			t.Errorf("%s: schema error %v, want ok=%v", tc.body, err, tc.ok)
		}
	}
}

// TestPropertiesKeepDeclarationOrder: forms lay inputs out in the order
// of the command type, embedded structs flattened.
func TestPropertiesKeepDeclarationOrder(t *testing.T) {
	reg, _ := domain.CommandType("register")
	props, err := Properties(reg)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range props {
		names = append(names, p.Name)
	}
	want := []string{"name", "district", "street", "community", "grid", "kind", "households", "private_area", "delivered_area", "property_company", "latitude", "longitude"}
	if !slices.Equal(names, want) {
		t.Errorf("properties %v, want %v", names, want)
	}
	if k := props[5].Schema; k.Extensions[VocabularyKey] != "CompoundKind" || len(k.Enum) == 0 {
		t.Errorf("kind: %+v, want the CompoundKind vocabulary", k)
	}
}

// TestEveryCommandHasASchema: no command type defeats the generator.
func TestEveryCommandHasASchema(t *testing.T) {
	for _, name := range domain.CommandNames() {
		ct, _ := domain.CommandType(name)
		if _, err := ObjectSchema(ct, true); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	type withNils struct {
		List  []string       `json:"list"`
		Day   domain.Date    `json:"day"`
		Ptr   *int           `json:"ptr"`
		Table map[string]int `json:"table"`
	}
	s, err := SchemaOf(reflect.TypeFor[withNils]())
	if err != nil {
		t.Fatal(err)
	}
	for name, p := range s.Properties {
		if !p.Value.Type.Includes("null") {
			t.Errorf("%s: %v, want null allowed: Go writes its zero value as null", name, p.Value.Type)
		}
	}
}
