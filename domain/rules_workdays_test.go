package domain

import (
	"testing"
	"time"
)

// naiveWorkingDays is the day-by-day count AddWorkingDays must agree with.
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

func TestAddWorkingDaysMatchesDayByDay(t *testing.T) {
	start := time.Date(2024, 2, 26, 10, 0, 0, 0, China) // a Monday
	for day := 0; day < 14; day++ {
		from := start.AddDate(0, 0, day)
		for n := 0; n <= 40; n++ {
			if got, want := AddWorkingDays(from, n), naiveWorkingDays(from, n); !got.Equal(want) {
				t.Fatalf("AddWorkingDays(%s, %d) = %s, want %s", from.Format("Mon 2006-01-02"), n, got, want)
			}
		}
	}
}

// A huge n must neither loop day by day nor wrap the calendar.
func TestAddWorkingDaysHugeIsBounded(t *testing.T) {
	from := time.Date(2024, 3, 1, 0, 0, 0, 0, China)
	done := make(chan time.Time)
	go func() { done <- AddWorkingDays(from, 9_000_000_000_000_000_000) }()
	select {
	case got := <-done:
		if !got.After(from) {
			t.Fatalf("AddWorkingDays wrapped to %s", got)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("AddWorkingDays(9e18) did not return within 2 s")
	}
}
