package domain

import (
	"fmt"
	"strconv"
	"strings"
)

// Degrees is a latitude or longitude in millionths of a degree (about 0.1 m
// on the ground). Like Area it is exact: the same coordinates typed twice
// hash and compare the same, with no floating-point rounding.
type Degrees int64

// microdegrees per degree.
const degree = 1_000_000

func (d Degrees) String() string {
	sign := ""
	if d < 0 {
		sign, d = "-", -d
	}
	return fmt.Sprintf("%s%d.%06d", sign, d/degree, d%degree)
}

// Float is the angle in degrees, for distances.
func (d Degrees) Float() float64 { return float64(d) / degree }

// MarshalJSON writes degrees as a JSON number with six decimals.
func (d Degrees) MarshalJSON() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalJSON reads degrees with at most six decimals, as a JSON number or
// a string (spreadsheets and forms send text).
func (d *Degrees) UnmarshalJSON(b []byte) error {
	v, ok := ParseDegrees(strings.Trim(string(b), `"`))
	if !ok {
		return badValue(b, Degrees(0))
	}
	*d = v
	return nil
}

// ParseDegrees reads a decimal angle such as "30.274085" or "-120.5", with
// at most six decimals and at most 180 degrees either way.
func ParseDegrees(s string) (Degrees, bool) {
	neg := strings.HasPrefix(s, "-")
	whole, frac, _ := strings.Cut(strings.TrimPrefix(s, "-"), ".")
	if whole == "" || len(frac) > 6 || len(whole) > 3 || strings.ContainsAny(whole+frac, "+-") {
		return 0, false
	}
	w, err := strconv.ParseUint(whole, 10, 16)
	if err != nil || w > 180 {
		return 0, false
	}
	f := uint64(0)
	if frac != "" {
		if f, err = strconv.ParseUint(frac+strings.Repeat("0", 6-len(frac)), 10, 32); err != nil {
			return 0, false
		}
	}
	v := Degrees(w*degree + f)
	if neg {
		v = -v
	}
	return v, true
}

// China's extent, with a margin: a compound outside it is a typo (latitude
// and longitude swapped, a sign lost), not a place this tracker serves.
const (
	minLatitude, maxLatitude   Degrees = 3 * degree, 54 * degree
	minLongitude, maxLongitude Degrees = 73 * degree, 136 * degree
)

// validateLocation checks optional coordinates: both or neither, within
// China (WGS-84 as GPS and the Open311 API give them).
func validateLocation(lat, lon Degrees, v *violations) {
	switch {
	case lat == 0 && lon == 0:
	case lat == 0 || lon == 0:
		v.invalid("latitude", "compound.location_partial", "give both latitude and longitude, or neither", "纬度和经度须同时填写或同时不填")
	case lat < minLatitude || lat > maxLatitude || lon < minLongitude || lon > maxLongitude:
		v.invalid("latitude", "compound.location_range", "latitude %s, longitude %s lie outside China (latitude 3 to 54, longitude 73 to 136)",
			"纬度 %s、经度 %s 不在中国境内（纬度3至54，经度73至136）", lat, lon)
	}
}
