package league

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/casetrack/casetrack/domain"
)

// ParsePeriod reads a year "2025", a quarter "2025-Q2", a month "2025-06",
// or a span of days "2025-01-01..2025-06-30" (both days included), on the
// China calendar.
func ParsePeriod(s string) (Period, error) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, domain.China) }
	if from, to, ok := strings.Cut(s, ".."); ok {
		f, err1 := domain.ParseDate(from)
		t, err2 := domain.ParseDate(to)
		if err1 != nil || err2 != nil || t.Before(f.Time) {
			return Period{}, fmt.Errorf("%q is not a span of days FROM..TO", s)
		}
		return Period{f.Time, t.AddDate(0, 0, 1)}, nil
	}
	y, rest, _ := strings.Cut(s, "-")
	year, err := strconv.Atoi(y)
	if err != nil || year < 1990 || year > 2200 {
		return Period{}, fmt.Errorf("%q is not a period: use 2025, 2025-Q2, 2025-06 or 2025-01-01..2025-06-30", s)
	}
	switch {
	case rest == "":
		return Period{day(year, 1, 1), day(year+1, 1, 1)}, nil
	case len(rest) == 2 && rest[0] == 'Q' && rest[1] >= '1' && rest[1] <= '4':
		q := int(rest[1] - '0')
		from := day(year, time.Month(3*q-2), 1)
		return Period{from, from.AddDate(0, 3, 0)}, nil
	}
	if m, err := strconv.Atoi(rest); err == nil && m >= 1 && m <= 12 && len(rest) == 2 {
		from := day(year, time.Month(m), 1)
		return Period{from, from.AddDate(0, 1, 0)}, nil
	}
	return Period{}, fmt.Errorf("%q is not a period: use 2025, 2025-Q2, 2025-06 or 2025-01-01..2025-06-30", s)
}
