package domain

import (
	"reflect"
	"testing"
)

func TestInterimCommission(t *testing.T) {
	fxHasViolation(t, fxReject(t, fxElected(t), FormInterimCommission{Chair: "居委会主任", Members: []string{"a"}}, fxDay(2025, 1, 1)), "interim.committee_serving", "")
	for _, tc := range []struct {
		day   int
		alert bool
	}{{30, false}, {31, true}} {
		c := fxCompound(t, 500)
		fxDo(t, c, FormInterimCommission{Chair: "居委会主任", Members: []string{"a", "b", "c"}}, fxDay(2024, 1, 1))
		got := fxAlerts(fxDo(t, c, FileInterimCommission{Authority: "街道"}, fxDay(2024, 1, 1).AddDate(0, 0, tc.day)))
		if (len(got) == 1) != tc.alert {
			t.Errorf("interim filing on day %d: %v", tc.day, got)
		}
		if v := c.Committee(); v.Phase != "interim" || !v.Interim.Filed {
			t.Errorf("view %+v", v)
		}
	}
}

// An interim commission's filing is judged by the limit in force when it
// was formed.
func TestInterimFilingIsJudgedByTheRulesItWasFormedUnder(t *testing.T) {
	formed := fxDay(2024, 3, 1)
	under := DefaultRuleBook().At(formed)
	under.Committee.InterimFilingWithinDays = 30
	later := under
	later.Committee.InterimFilingWithinDays = 60

	c := fxCompound(t, 50)
	events, err := c.Decide(FormInterimCommission{Chair: "居委会", Members: []string{"甲"}}, under, formed)
	if err != nil {
		t.Fatal(err)
	}
	c.Evolve(events...)
	done := formed.AddDate(0, 0, 45)
	got, err := c.Decide(FileInterimCommission{Authority: "街道"}, later, done)
	if err != nil {
		t.Fatal(err)
	}
	want := append([]Event{InterimCommissionFiled{Authority: "街道", At: done}},
		lateAlert("interim.filing_late", "interim filing", addDays(formed, 30), done, "interim commission filed late", "物管会备案逾期")...)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}
