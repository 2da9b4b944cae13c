package domain

import (
	"fmt"
	"strconv"
	"strings"
)

// Area is a floor area in hundredths of a square metre. Vote thresholds are
// compared on exact integers: a share of 2/3 must not pass or fail on a
// floating-point rounding.
type Area int64

// SquareMetres builds an area from whole square metres.
func SquareMetres(m int64) Area { return Area(m * 100) }

func (a Area) String() string {
	sign := ""
	if a < 0 {
		sign, a = "-", -a
	}
	return fmt.Sprintf("%s%d.%02d", sign, a/100, a%100)
}

// MarshalJSON writes square metres as a JSON number with two decimals.
func (a Area) MarshalJSON() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalJSON reads square metres with at most two decimals, exactly.
func (a *Area) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 2 {
		return badValue(b, Area(0))
	}
	neg := strings.HasPrefix(whole, "-")
	w, err := strconv.ParseInt(strings.TrimPrefix(whole, "-"), 10, 64)
	if err != nil || (whole == "" || whole == "-") {
		return badValue(b, Area(0))
	}
	f := int64(0)
	if frac != "" {
		if f, err = strconv.ParseInt(frac+strings.Repeat("0", 2-len(frac)), 10, 64); err != nil || f < 0 {
			return badValue(b, Area(0))
		}
	}
	if w > (1<<62)/100 {
		return badValue(b, Area(0))
	}
	v := w*100 + f
	if neg {
		v = -v
	}
	*a = Area(v)
	return nil
}
