package web

import (
	"slices"
	"testing"

	"github.com/casetrack/casetrack/adapters/openapi"
	"github.com/casetrack/casetrack/domain"
)

// TestCommandFormsFollowTheAPISchema: each command's form has an input for
// every member of the body the API's document describes, typed by its
// schema, and a labelled choice for every closed vocabulary.
func TestCommandFormsFollowTheAPISchema(t *testing.T) {
	for _, name := range domain.CommandNames() {
		ct, _ := domain.CommandType(name)
		fields, err := formFields(ct)
		if err != nil {
			t.Fatal(err)
		}
		schema, err := openapi.ObjectSchema(ct, true)
		if err != nil {
			t.Fatal(err)
		}
		var got, want []string
		for _, f := range fields[:len(fields)-1] { // the last: occurred_at, the command's business time
			got = append(got, f.Name)
			if f.Input == "select" && (len(f.Options) == 0 || f.Group == "") {
				t.Errorf("%s.%s: a choice without options or labels: %+v", name, f.Name, f)
			}
		}
		for p := range schema.Properties {
			want = append(want, p)
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) || fields[len(fields)-1].Name != "occurred_at" {
			t.Errorf("%s: form fields %v, schema properties %v", name, got, want)
		}
	}
	reg, _ := domain.CommandType("register")
	fields, _ := formFields(reg)
	inputs := map[string]field{}
	for _, f := range fields {
		inputs[f.Name] = f
	}
	for name, input := range map[string]string{"name": "text", "kind": "select", "households": "number", "private_area": "number", "occurred_at": "datetime-local"} {
		if inputs[name].Input != input {
			t.Errorf("register.%s: input %q, want %q", name, inputs[name].Input, input)
		}
	}
	if !slices.Equal(inputs["kind"].Options, domain.Vocabularies()["CompoundKind"]) {
		t.Errorf("register.kind options %v", inputs["kind"].Options)
	}
}
