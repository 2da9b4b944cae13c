package domain

import (
	"strings"
	"testing"
)

// A value outside a closed set names every allowed value in both languages.
func TestOneOfNamesTheAllowedValues(t *testing.T) {
	var v violations
	if oneOf(&v, "reason", "committee.leave_reason", LeaveReason("bored"), leaveReasons) {
		t.Fatal("an unknown reason passed")
	}
	e := ErrorOf(v.err())
	if e.Code != CodeInvalid || len(e.Violations) != 1 {
		t.Fatalf("%v", e)
	}
	for _, msg := range []string{e.Violations[0].Message, e.Violations[0].MessageZH} {
		for _, r := range leaveReasons {
			if !strings.Contains(msg, string(r)) {
				t.Errorf("%q does not name %s", msg, r)
			}
		}
	}
	if s := choices.String(); !strings.Contains(s, `""`) {
		t.Errorf("the empty choice is not shown: %s", s)
	}
}

// An entity a command names but the compound lacks is not found, and what
// else is wrong with the command is still reported.
func TestLookupIsNotFoundAndKeepsTheOtherViolations(t *testing.T) {
	c := fxCompound(t, 10)
	err := fxReject(t, c, ConcludeLawsuit{LawsuitID: "L9", Outcome: "settled"}, fxDay(2024, 1, 1))
	if ErrorCode(err) != CodeNotFound {
		t.Fatalf("code %s: %v", ErrorCode(err), err)
	}
	fxHasViolation(t, err, "lawsuit.unknown", "lawsuit_id")
	fxHasViolation(t, err, "lawsuit.outcome", "outcome")
}
