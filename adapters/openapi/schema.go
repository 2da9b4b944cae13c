// Package openapi describes the Go types of the API as JSON Schemas
// (OpenAPI 3.1, through kin-openapi's generator): the one schema source
// of the API's document (adapters/http) and of the web pages' command
// forms (adapters/web), so that a form offers what the API takes.
package openapi

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3gen"

	"github.com/casetrack/casetrack/domain"
)

// VocabularyKey is the schema extension naming the Go type of a closed set
// of values (domain.Vocabularies), whose labels the pages show.
const VocabularyKey = "x-vocabulary"

var (
	typeArea    = reflect.TypeFor[domain.Area]()
	typeDate    = reflect.TypeFor[domain.Date]()
	typeRawJSON = reflect.TypeFor[json.RawMessage]()
	typeDegrees = reflect.TypeFor[domain.Degrees]()
	typeNumber  = reflect.TypeFor[json.Number]()
)

// Property is one member of a JSON object, named as encoding/json names it.
type Property struct {
	Name   string
	Schema *openapi3.Schema
}

// Properties lists the members of the JSON object a struct type encodes
// to, in the order the type declares them (embedded structs flattened, as
// encoding/json does): the order of a form's inputs.
func Properties(t reflect.Type) ([]Property, error) {
	var out []Property
	for _, sf := range reflect.VisibleFields(t) {
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if sf.Anonymous && name == "" && sf.Type.Kind() == reflect.Struct || !sf.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		s, err := SchemaOf(sf.Type)
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %w", t.Name(), sf.Name, err)
		}
		out = append(out, Property{Name: name, Schema: s})
	}
	return out, nil
}

// ObjectSchema is the schema of a struct type: its Properties. strict
// refuses other members, as the command decoder does.
func ObjectSchema(t reflect.Type, strict bool) (*openapi3.Schema, error) {
	props, err := Properties(t)
	if err != nil {
		return nil, err
	}
	s := openapi3.NewObjectSchema()
	for _, p := range props {
		s.WithProperty(p.Name, p.Schema)
	}
	if strict {
		s.WithoutAdditionalProperties()
	}
	return s, nil
}

// SchemaOf is the schema of any type the API encodes or decodes.
func SchemaOf(t reflect.Type) (*openapi3.Schema, error) {
	g := openapi3gen.NewGenerator(openapi3gen.UseAllExportedFields(), openapi3gen.SchemaCustomizer(customize))
	ref, err := g.GenerateSchemaRef(t)
	if err != nil {
		return nil, err
	}
	// The generator names each schema after its Go type in Ref, as if it
	// were a component; here every schema is written inline.
	for r := range g.SchemaRefs {
		r.Ref = ""
	}
	ref.Ref = ""
	return ref.Value, nil
}

// customize corrects the generator where a type encodes otherwise than its
// kind says, and writes OpenAPI 3.1's null where Go encodes one.
func customize(_ string, t reflect.Type, _ reflect.StructTag, s *openapi3.Schema) error {
	nullable := s.Nullable || t.Kind() == reflect.Slice && t != typeRawJSON || t.Kind() == reflect.Map // Go writes nil as null
	switch {
	case t == typeArea: // Area.UnmarshalJSON takes "12.50" as well as 12.50
		*s = openapi3.Schema{Type: &openapi3.Types{"number", "string"}, Pattern: `^-?[0-9]+(\.[0-9]{1,2})?$`,
			Description: "square metres, at most two decimals"}
	case t == typeDegrees: // as Area, with six decimals
		*s = openapi3.Schema{Type: &openapi3.Types{"number", "string"}, Pattern: `^-?[0-9]+(\.[0-9]{1,6})?$`,
			Description: "degrees (WGS-84), at most six decimals"}
	case t == typeNumber: // json.Number is written as a number
		*s = openapi3.Schema{Type: &openapi3.Types{"number"}}
	case t == typeDate: // the zero date is written null
		*s = openapi3.Schema{Type: &openapi3.Types{"string"}, Format: "date"}
		nullable = true
	case t.PkgPath() == typeArea.PkgPath() && t.Kind() == reflect.String:
		if vs, ok := domain.Vocabularies()[t.Name()]; ok {
			for _, v := range vs {
				s.Enum = append(s.Enum, v)
			}
			s.Extensions = map[string]any{VocabularyKey: t.Name()}
		}
	}
	s.Nullable = false // OpenAPI 3.0's keyword; 3.1 lists "null" among the types
	if nullable && s.Type != nil && !s.Type.Includes("null") {
		*s.Type = append(*s.Type, "null")
	}
	return nil
}
