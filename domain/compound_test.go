package domain

import "testing"

// Bad JSON names the field the user wrote, with a stable rule.
func TestParseCommandFieldErrors(t *testing.T) {
	cases := []struct {
		command, body, rule, field string
	}{
		{"register", `{"name":"a","private_area":"lots"}`, "json.area", "private_area"},
		{"register", `{"private_area":"1.005"}`, "json.area", "private_area"},
		{"register", `{"households":"many"}`, "json.type", "households"}, // an embedded struct's field, flattened
		{"register", `{"name":`, "json.syntax", ""},
		{"register", ``, "json.syntax", ""},
		{"register", `{"name":"a"} {"name":"b"}`, "", ""},
		{"register", `{"nmae":"a"}`, "json.unknown_field", "nmae"},
		{"nominate-candidate", `{"birth_date":"1990-13-01"}`, "json.date", "birth_date"},
		{"file-lawsuit", `{"amount_fen":"x"}`, "json.type", "amount_fen"},
		{"form-preparatory-group", `{"members":[{"name":"a","leader":"yes"}]}`, "json.type", "members.leader"},
	}
	for _, tc := range cases {
		t.Run(tc.command+" "+tc.body, func(t *testing.T) {
			_, err := ParseCommand(tc.command, []byte(tc.body))
			if ErrorCode(err) != CodeInvalid {
				t.Fatalf("got %v, want invalid input", err)
			}
			if tc.rule != "" {
				fxHasViolation(t, err, tc.rule, tc.field)
			}
		})
	}
	if _, err := ParseCommand("no-such-command", []byte(`{}`)); ErrorCode(err) != CodeNotFound {
		t.Fatalf("unknown command: %v", err)
	}
	cmd, err := ParseCommand("register", []byte(`{"name":"幸福家园","private_area":"28000.5","households":3}`))
	if err != nil || cmd.(RegisterCompound).PrivateArea != 2800050 {
		t.Fatalf("valid body: %+v %v", cmd, err)
	}
}
