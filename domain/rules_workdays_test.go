package domain

import (
	"testing"
	"time"
)

// naiveWorkingDays counts Monday to Friday day by day: what a calendar
// that covers no year must agree with.
func naiveWorkingDays(t time.Time, n int) time.Time {
	d := t.In(China)
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return endOfDay(d)
}

// Without a calendar (a rules directory lacking calendar.toml) working days
// are Monday to Friday, from any day of the week, and every due date says so.
func TestAddWorkingDaysMatchesDayByDay(t *testing.T) {
	var weekdays *Calendar
	start := time.Date(2024, 2, 26, 10, 0, 0, 0, China) // a Monday
	for day := 0; day < 14; day++ {
		from := start.AddDate(0, 0, day)
		for n := 0; n <= 40; n++ {
			got := weekdays.AddWorkingDays(from, n)
			if want := naiveWorkingDays(from, n); !got.At.Equal(want) {
				t.Fatalf("AddWorkingDays(%s, %d) = %s, want %s", from.Format("Mon 2006-01-02"), n, got.At, want)
			}
			if n > 0 && !got.WeekdaysOnly {
				t.Fatalf("AddWorkingDays(%s, %d) without a calendar is not marked weekdays only", from.Format("Mon 2006-01-02"), n)
			}
		}
	}
}

// A huge n must neither loop for long nor wrap the calendar: it is held at
// MaxWorkingDays (commands refuse it before, limits.go).
func TestAddWorkingDaysHugeIsBounded(t *testing.T) {
	r := DefaultRuleBook().At(day(2024, 3, 1))
	from := time.Date(2024, 3, 1, 0, 0, 0, 0, China)
	done := make(chan Due)
	go func() { done <- r.AddWorkingDays(from, 9_000_000_000_000_000_000) }()
	select {
	case got := <-done:
		if want := r.AddWorkingDays(from, MaxWorkingDays); !got.At.After(from) || !got.At.Equal(want.At) {
			t.Fatalf("AddWorkingDays(9e18) = %s, want %s", got.At, want.At)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("AddWorkingDays(9e18) did not return within 2 s")
	}
}
