package auth

import (
	"bytes"
	"encoding/json"
)

// Candidates' personal data is masked for the roles that do not vet them,
// in the API's answers and on the web pages alike.

// personalFields are the fields that hold a candidate's personal data;
// they are masked wherever an object names a candidate_id. Unit and birth
// date are sealed since CandidateNominated v3; "clear" holds them in the
// events recorded before.
var personalFields = []string{"name", "unit", "birth_date", "background", "clear"}

// PersonalFields are the fields masked in an object that names a
// candidate_id (the API's document says so of them).
func PersonalFields() []string { return append([]string{}, personalFields...) }

// Masked stands in for a masked value.
const Masked = "***"

// MaskPersonal replaces candidates' personal data in a JSON answer.
func MaskPersonal(b []byte) ([]byte, error) {
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
					v[f] = Masked
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
