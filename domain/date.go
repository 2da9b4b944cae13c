package domain

import (
	"encoding/json"
	"fmt"
	"time"
)

// Date is a calendar day on the local (China) calendar, written "2006-01-02"
// in JSON. Deadlines and birth dates are days, not instants.
type Date struct{ time.Time }

// NewDate returns the local day of t.
func NewDate(t time.Time) Date {
	y, m, d := t.In(China).Date()
	return Date{time.Date(y, m, d, 0, 0, 0, 0, China)}
}

// ParseDate reads "2006-01-02".
func ParseDate(s string) (Date, error) {
	t, err := time.ParseInLocation(time.DateOnly, s, China)
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a date (YYYY-MM-DD)", s)
	}
	return Date{t}, nil
}

func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.Format(time.DateOnly)
}

// End is the last second of the day: a deadline on a day is met all day.
func (d Date) End() time.Time { return endOfDay(d.Time) }

// AgeAt is the age in whole years on the day of t.
func (d Date) AgeAt(t time.Time) int {
	t = t.In(China)
	age := t.Year() - d.Year()
	if t.Month() < d.Month() || t.Month() == d.Month() && t.Day() < d.Day() {
		age--
	}
	return age
}

func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte(`null`), nil
	}
	return json.Marshal(d.String())
}

func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = Date{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return badValue(b, Date{})
	}
	p, err := ParseDate(s)
	if err != nil {
		return badValue(b, Date{})
	}
	*d = p
	return nil
}
