package http

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections/directory"
)

// narrow fits a district/street/community filter asked for by the caller
// into the caller's scope. It returns false when the two exclude each
// other: the answer is then empty.
func narrow(scope domain.Scope, district, street, community *string) bool {
	for _, f := range []struct {
		asked *string
		own   string
	}{{district, scope.District}, {street, scope.Street}, {community, scope.Community}} {
		switch {
		case f.own == "":
		case *f.asked == "":
			*f.asked = f.own
		case *f.asked != f.own:
			return false
		}
	}
	return true
}

// compoundsInScope is the set of compounds the caller may see, from the
// directory; nil means every compound (a city-wide account).
func (s *Server) compoundsInScope(r *http.Request) map[string]bool {
	scope := principalOf(r).Scope
	if scope.City() {
		return nil
	}
	in := map[string]bool{}
	s.dir.Read(func(m *directory.Model) {
		for _, e := range m.List(directory.Filter{District: scope.District, Street: scope.Street, Community: scope.Community}) {
			in[e.ID] = true
		}
	})
	return in
}

// personalFields are the fields that hold a candidate's personal data;
// they are masked wherever an object names a candidate_id.
var personalFields = []string{"name", "unit", "birth_date", "background"}

const masked = "***"

// maskPersonal replaces candidates' personal data in a JSON answer.
func maskPersonal(b []byte) ([]byte, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber() // numbers pass through as written, never rounded through float64
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return json.Marshal(maskValue(v))
}

func maskValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		_, candidate := v["candidate_id"]
		for k, x := range v {
			v[k] = maskValue(x)
		}
		if candidate {
			for _, f := range personalFields {
				if _, ok := v[f]; ok {
					v[f] = masked
				}
			}
		}
	case []any:
		for i, x := range v {
			v[i] = maskValue(x)
		}
	}
	return v
}
