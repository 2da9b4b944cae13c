package domain

import (
	"strings"
	"testing"
	"time"

	"github.com/6tail/lunar-go/HolidayUtil"
)

func day(y int, m time.Month, d int) time.Time { return date(y, m, d).Add(9 * time.Hour) }

// The three cases of the issue, against the State Council's 2025 notice.
func TestCalendarOfficialDueDates(t *testing.T) {
	r := DefaultRuleBook().At(day(2025, 1, 1))
	tests := []struct {
		name string
		at   time.Time
		kind ComplaintKind
		want time.Time
	}{
		// Tue 9-30 is the 1st; 10-1..10-8 National Day; Thu 10-9, Fri 10-10.
		{"consultation before National Day", day(2025, 9, 29), KindConsultation, date(2025, 10, 10)},
		// Fri 10-10, Sat 10-11 (worked), Mon 10-13.
		{"consultation before a worked Saturday", day(2025, 10, 9), KindConsultation, date(2025, 10, 13)},
		// 1-21..1-24 (4), Sun 1-26 worked (5), 1-27 (6), 1-28..2-4 Spring Festival,
		// 2-5..2-7 (9), Sat 2-8 worked (10), 2-10..2-14 (15).
		{"complaint over the Spring Festival", day(2025, 1, 20), KindComplaint, date(2025, 2, 14)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			due := r.replyDue(tt.at, tt.kind)
			if want := endOfDay(tt.want); !due.At.Equal(want) || due.WeekdaysOnly {
				t.Errorf("due %s (weekdays only %v), want %s on the calendar", due.At, due.WeekdaysOnly, want)
			}
		})
	}
}

// A span reaching a year the calendar lacks is counted on weekdays and says so.
func TestCalendarUncoveredYear(t *testing.T) {
	cal := DefaultRuleBook().Calendar()
	if cal.Covers(2027) || !cal.Covers(2018) || !cal.Covers(2026) {
		t.Fatal("the built-in calendar covers 2018 to 2026")
	}
	// Mon 2026-12-28: 12-29, 12-30, 12-31 (3), then 2027 on weekdays: Fri 1-1 (4), Mon 1-4 (5).
	due := cal.AddWorkingDays(day(2026, 12, 28), 5)
	if !due.At.Equal(endOfDay(date(2027, 1, 4))) || !due.WeekdaysOnly {
		t.Errorf("got %s weekdays only %v, want 2027-01-04 marked weekdays only", due.At, due.WeekdaysOnly)
	}
	if due := cal.AddWorkingDays(day(2026, 12, 21), 3); due.WeekdaysOnly {
		t.Error("a span inside 2026 is on the calendar")
	}
	var none *Calendar // a book without calendar.toml
	if due := none.AddWorkingDays(day(2025, 9, 29), 3); !due.At.Equal(endOfDay(date(2025, 10, 2))) || !due.WeekdaysOnly {
		t.Errorf("without a calendar: %s %v, want 2025-10-02 weekdays only", due.At, due.WeekdaysOnly)
	}
	// A reception in such a year carries the mark into the complaint.
	c := fxCompound(t, 800)
	events, err := c.Decide(receiveW1, DefaultRuleBook().At(day(2027, 3, 1)), day(2027, 3, 1))
	if err != nil {
		t.Fatal(err)
	}
	if e := events[0].(ComplaintReceived); !e.ReplyDueWeekdaysOnly {
		t.Error("the reception does not say its reply limit was counted on weekdays only")
	}
}

// n is held within 0..MaxWorkingDays, so an absurd count cannot loop for long.
func TestCalendarBounded(t *testing.T) {
	cal := DefaultRuleBook().Calendar()
	if got := cal.AddWorkingDays(day(2025, 1, 1), 1<<40); !got.At.Equal(cal.AddWorkingDays(day(2025, 1, 1), MaxWorkingDays).At) {
		t.Errorf("huge n gave %s", got.At)
	}
	if got := cal.AddWorkingDays(day(2025, 1, 1), -5); !got.At.Equal(endOfDay(date(2025, 1, 1))) {
		t.Errorf("negative n gave %s", got.At)
	}
}

// The shipped data agrees day by day with lunar-go's holiday table.
func TestCalendarMatchesLunar(t *testing.T) {
	cal := DefaultRuleBook().Calendar()
	for d := date(2018, 1, 1); d.Year() <= 2026; d = d.AddDate(0, 0, 1) {
		want := d.Weekday() != time.Saturday && d.Weekday() != time.Sunday
		if h := HolidayUtil.GetHolidayByYmd(d.Year(), int(d.Month()), d.Day()); h != nil {
			want = h.IsWork()
		}
		if got, covered := cal.Working(Date{d}); got != want || !covered {
			t.Errorf("%s: working %v, lunar-go says %v", d.Format(time.DateOnly), got, want)
		}
	}
}

func TestParseCalendarErrors(t *testing.T) {
	file := `[2025]
notice = "n"
holidays = ["2025-10-01..2025-10-08", "2025-13-01", "2024-06-01"]
workdays = ["2025-10-10"]
colour = "red"
[twenty]
notice = "n"
[2026]
notice = ""
holidays = ["2026-10-07..2026-10-01"]
`
	_, err := ParseCalendar("calendar.toml", []byte(file))
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{
		`calendar.toml:3: 2025.holidays: "2025-13-01" is not a day`,
		`calendar.toml:3: 2025.holidays: "2024-06-01" lies outside 2025`,
		`calendar.toml:4: 2025.workdays: 2025-10-10 is a Friday: only a weekend day can be made a working day`,
		`calendar.toml:5: 2025.colour: unknown setting`,
		`calendar.toml:6: twenty: a section must be a year`,
		`calendar.toml:9: 2026.notice: must name the notice`,
		`calendar.toml:10: 2026.holidays: "2026-10-07..2026-10-01": a range runs forward`,
		`calendar.toml:8: 2026.workdays: missing`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in\n%v", want, err)
		}
	}
}

// A rule directory's calendar.toml is the book's calendar; what FormatCalendar
// writes reads back the same.
func TestCalendarFileRoundTrip(t *testing.T) {
	cal := DefaultRuleBook().Calendar()
	back, err := ParseCalendar("shown.toml", FormatCalendar(cal))
	if err != nil {
		t.Fatal(err)
	}
	for d := date(2017, 12, 1); d.Year() <= 2027; d = d.AddDate(0, 0, 1) {
		w1, c1 := cal.Working(Date{d})
		w2, c2 := back.Working(Date{d})
		if w1 != w2 || c1 != c2 {
			t.Fatalf("%s differs after a round trip", d.Format(time.DateOnly))
		}
	}
	book, err := ParseRuleBook(map[string][]byte{"city/calendar.toml": []byte("[2025]\nnotice = \"n\"\nholidays = []\nworkdays = []\n")})
	if err == nil || !strings.Contains(err.Error(), "no rule set files") {
		t.Errorf("a calendar alone is not a rule book: %v %v", book, err)
	}
}
