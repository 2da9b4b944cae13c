package domain

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// CalendarFile is the name of the working-day calendar among rule files.
const CalendarFile = "calendar.toml"

// Calendar is the working-day calendar of a jurisdiction: per year covered,
// the statutory holidays and the weekend days worked instead (调休). A nil
// Calendar covers no year.
type Calendar struct {
	Years []CalendarYear
	off   map[int]bool // holidays, by dayKey
	on    map[int]bool // weekend days worked, by dayKey
	years map[int]bool // years covered
}

// CalendarYear is one year's notice.
type CalendarYear struct {
	Year     int    `toml:"-"`
	Notice   string `toml:"notice"`
	Holidays []Date `toml:"-"`
	Workdays []Date `toml:"-"`
}

// Due is a due date and how it was counted.
type Due struct {
	At time.Time
	// WeekdaysOnly: some day counted lies in a year the calendar does not
	// cover, so that year's holidays and swapped weekends are ignored.
	WeekdaysOnly bool
}

// Covers reports whether the calendar has the notice of year y.
func (c *Calendar) Covers(y int) bool { return c != nil && c.years[y] }

// Working reports whether d is a working day, and whether its year is covered
// (if not, only weekends are days off).
func (c *Calendar) Working(d Date) (working, covered bool) {
	weekday := d.Weekday() != time.Saturday && d.Weekday() != time.Sunday
	if !c.Covers(d.Year()) {
		return weekday, false
	}
	k := dayKey(d)
	return (weekday || c.on[k]) && !c.off[k], true
}

// AddWorkingDays returns the end of the n-th working day after t on the
// local calendar (n is held within 0..MaxWorkingDays). It steps one day at a
// time, so it never looks at more days than the span it returns.
func (c *Calendar) AddWorkingDays(t time.Time, n int) Due {
	n = min(max(n, 0), MaxWorkingDays)
	d, due := NewDate(t), Due{}
	for n > 0 {
		d = Date{d.AddDate(0, 0, 1)}
		working, covered := c.Working(d)
		due.WeekdaysOnly = due.WeekdaysOnly || !covered
		if working {
			n--
		}
	}
	due.At = d.End()
	return due
}

// dayKey numbers a day as yyyymmdd.
func dayKey(d Date) int { y, m, dd := d.Date(); return y*10000 + int(m)*100 + dd }

// ParseCalendar reads a calendar file; filename only labels the errors,
// each "file:line: field: problem".
func ParseCalendar(filename string, data []byte) (*Calendar, error) {
	var raw map[string]map[string]any
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&raw)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("%s:%d: %s", filename, pe.Position.Line, pe.Message)
		}
		return nil, fmt.Errorf("%s:%s", filename, decodeError(err))
	}
	p := problems{file: filename, lines: keyLines(data)}
	c := &Calendar{off: map[int]bool{}, on: map[int]bool{}, years: map[int]bool{}}
	for _, key := range slices.Sorted(maps.Keys(raw)) {
		y, err := strconv.Atoi(key)
		if err != nil || y < 1949 || y > 9999 {
			p.add(key, "a section must be a year such as [2025]")
			continue
		}
		cy := CalendarYear{Year: y}
		for k, v := range raw[key] {
			switch k {
			case "notice":
				cy.Notice, _ = v.(string)
				if strings.TrimSpace(cy.Notice) == "" {
					p.add(key+".notice", "must name the notice the year follows")
				}
			case "holidays":
				cy.Holidays = calendarDays(&p, key+"."+k, y, v)
			case "workdays":
				cy.Workdays = calendarDays(&p, key+"."+k, y, v)
				for _, d := range cy.Workdays {
					if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
						p.add(key+"."+k, "%s is a %s: only a weekend day can be made a working day", d, wd)
					}
				}
			default:
				p.add(key+"."+k, "unknown setting")
			}
		}
		for _, k := range []string{"notice", "holidays", "workdays"} {
			if !md.IsDefined(key, k) {
				p.add(key+"."+k, "missing")
			}
		}
		for _, d := range cy.Holidays {
			if c.off[dayKey(d)] {
				p.add(key+".holidays", "%s is listed twice", d)
			}
			c.off[dayKey(d)] = true
		}
		for _, d := range cy.Workdays {
			if c.off[dayKey(d)] || c.on[dayKey(d)] {
				p.add(key+".workdays", "%s is listed twice or is also a holiday", d)
			}
			c.on[dayKey(d)] = true
		}
		c.years[y] = true
		c.Years = append(c.Years, cy)
	}
	if len(p.errs) > 0 {
		errs := make([]error, len(p.errs))
		for i, e := range p.errs {
			errs[i] = e
		}
		return nil, errors.Join(errs...)
	}
	return c, nil
}

// calendarDays reads a list of "YYYY-MM-DD" or "YYYY-MM-DD..YYYY-MM-DD"
// within the year y or the last days of the year before.
func calendarDays(p *problems, key string, y int, v any) []Date {
	list, ok := v.([]any)
	if !ok {
		p.add(key, `must be a list of days "2025-10-01" or ranges "2025-10-01..2025-10-08"`)
		return nil
	}
	var out []Date
	for _, item := range list {
		s, _ := item.(string)
		a, b, isRange := strings.Cut(s, "..")
		first, err1 := ParseDate(a)
		last, err2 := first, error(nil)
		if isRange {
			last, err2 = ParseDate(b)
		}
		switch {
		case err1 != nil || err2 != nil:
			p.add(key, `%q is not a day "2025-10-01" or a range "2025-10-01..2025-10-08"`, item)
		case last.Before(first.Time) || last.Sub(first.Time) > 31*24*time.Hour:
			p.add(key, "%q: a range runs forward and lasts at most a month", s)
		case first.Year() < y-1 || last.Year() > y || first.Year() == y-1 && first.Month() != time.December:
			p.add(key, "%q lies outside %d (only the New Year break may start in December of the year before)", s, y)
		default:
			for d := first; !d.After(last.Time); d = (Date{d.AddDate(0, 0, 1)}) {
				out = append(out, d)
			}
		}
	}
	return out
}

// FormatCalendar writes c in the calendar file format, ranges collapsed.
func FormatCalendar(c *Calendar) []byte {
	var b bytes.Buffer
	b.WriteString("# " + CalendarFile + ": the working-day calendar\n")
	if c == nil {
		b.WriteString("# none: working days are counted on weekdays only\n")
		return b.Bytes()
	}
	for _, y := range c.Years {
		fmt.Fprintf(&b, "\n[%d]\nnotice = %s\nholidays = %s\nworkdays = %s\n", y.Year, strconv.Quote(y.Notice),
			formatDays(y.Holidays), formatDays(y.Workdays))
	}
	return b.Bytes()
}

func formatDays(days []Date) string {
	var parts []string
	for i := 0; i < len(days); {
		j := i
		for j+1 < len(days) && days[j+1].Equal(days[j].AddDate(0, 0, 1)) {
			j++
		}
		s := days[i].String()
		if j > i {
			s += ".." + days[j].String()
		}
		parts = append(parts, strconv.Quote(s))
		i = j + 1
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
