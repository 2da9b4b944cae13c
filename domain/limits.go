package domain

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Field limits and plausibility rules, as data: every string and number
// field of every command is named in one of the tables below (a test walks
// the registered commands and proves it), and checkFields applies them to
// every command in Compound.Decide, before any rule computes with a value.
// ParseCommand also normalises text to NFC, so what is stored is canonical.

// TextKind is a kind of free text with its length limit in runes.
type TextKind struct {
	Name     string
	MaxRunes int
}

var (
	TextID      = TextKind{"id", 64}        // IDs a user chooses: complaint, vote, unit, filing numbers
	TextName    = TextKind{"name", 200}     // names of people, compounds, organisations, places
	TextSummary = TextKind{"summary", 1000} // titles, subjects, outcomes, one-paragraph items
	TextNote    = TextKind{"note", 4000}    // notes, reasons, descriptions, evidence
	TextActor   = TextKind{"actor", 128}    // user, role and organisation of an actor
	TextKey     = TextKind{"key", 128}      // idempotency, correlation and causation IDs
)

// textFields maps each JSON field name of a command's text to its kind.
var textFields = map[string]TextKind{
	"id": TextID, "complaint_id": TextID, "problem_id": TextID, "lawsuit_id": TextID, "listing_id": TextID,
	"vote_id": TextID, "candidate_id": TextID, "measure_id": TextID, "meeting_id": TextID, "filing_no": TextID,
	"unit": TextID,

	"name": TextName, "chair": TextName, "vice_chairs": TextName, "members": TextName, "alternates": TextName,
	"attendees": TextName, "owner": TextName, "secretary": TextName, "branch": TextName, "company": TextName,
	"property_company": TextName, "district": TextName, "street": TextName, "community": TextName, "grid": TextName,
	"defendant": TextName, "plaintiff": TextName, "organiser": TextName, "verifier": TextName,
	"replacement": TextName, "responsible_unit": TextName, "task_force": TextName, "authority": TextName,
	"target": TextName,

	"title": TextSummary, "summary": TextSummary, "subject": TextSummary, "outcome": TextSummary,
	"penalty": TextSummary, "items": TextSummary, "decisions": TextSummary, "check": TextSummary,

	"note": TextNote, "reason": TextNote, "description": TextNote, "evidence": TextNote,
}

// numberFields bounds each number field's magnitude: |value| ≤ bound. The
// domain rules say what a value means (positive, within the request…) and
// answer below-zero values in their own words; the bound refuses what no
// compound can have and keeps sums and products far from overflowing.

// MaxWorkingDays caps any count of working days (about a year and a half):
// no limit of the rules comes near it, and it keeps the calendar's
// day-by-day count (calendar.go) bounded.
const MaxWorkingDays = 366

const (
	maxHouseholds = 100_000             // the largest compounds have some tens of thousands
	maxArea       = 100_000_000 * 100   // 100 km² in hundredths of a m²: far above any compound
	maxMoneyFen   = 1_000_000_000 * 100 // ten-figure yuan: above any fine or fund in this domain
)

// numberFields maps each JSON field name of a command's number to its range.
// Areas are in hundredths of a square metre, money in fen.
var numberFields = map[string]int64{
	"households": maxHouseholds, "applicants": maxHouseholds,
	"total_owners": maxHouseholds, "participating_owners": maxHouseholds, "yes_owners": maxHouseholds,
	"area": maxArea, "private_area": maxArea, "delivered_area": maxArea,
	"total_area": maxArea, "participating_area": maxArea, "yes_area": maxArea,
	"percent": 100, "working_days": MaxWorkingDays, "term_years": 10,
	"hours": 10_000, "amount_fen": maxMoneyFen,
	"latitude": 90 * degree, "longitude": 180 * degree,
}

// EarliestBusinessDate is the first day a fact may be dated: the supported
// business range starts with the People's Republic.
var EarliestBusinessDate = time.Date(1949, 10, 1, 0, 0, 0, 0, China)

// earliestBirthDate: people born before 1949 still serve on committees.
var earliestBirthDate = time.Date(1900, 1, 1, 0, 0, 0, 0, China)

// maxDateAhead bounds dates after the business time: deadlines and terms
// lie ahead, but not by a century.
const maxDateAhead = 50

// checkFields applies the tables to every text, number and date field of
// cmd; at is the command's business time.
func checkFields(cmd Command, at time.Time) error {
	var v violations
	walkFields(reflect.ValueOf(cmd), "", named(""), func(path func() string, name string, f reflect.Value) {
		switch {
		case f.Type() == reflect.TypeFor[Date]():
			d, from := f.Interface().(Date), EarliestBusinessDate
			if name == "birth_date" {
				from = earliestBirthDate
			}
			if !d.IsZero() && (d.Before(from) || d.After(at.AddDate(maxDateAhead, 0, 0))) {
				v.invalid(path(), "date.range", "%s must be between %s and %d years after the business time",
					"%s 须在 %s 至业务时间后 %d 年之间", path(), from.Format(time.DateOnly), maxDateAhead)
			}
		case f.Kind() == reflect.String && f.Type() == reflect.TypeFor[string]():
			checkText(&v, path, textFields[name], f.String())
		case f.CanInt():
			if bound, ok := numberFields[name]; ok && (f.Int() > bound || f.Int() < -bound) {
				p, shown := path(), any(bound)
				if f.Type() == reflect.TypeFor[Degrees]() {
					shown = Degrees(bound) // degrees, not the microdegrees they are kept in
				}
				v.invalid(p, "number.range", "%s is out of the plausible range: at most %v", "%s 超出合理范围：最大为 %v", p, shown)
			}
		}
	})
	return v.err()
}

// normaliseFields rewrites every text field of *cmd to NFC.
func normaliseFields(cmd any) {
	walkFields(reflect.ValueOf(cmd).Elem(), "", named(""), func(_ func() string, _ string, f reflect.Value) {
		if f.Kind() == reflect.String && f.Type() == reflect.TypeFor[string]() && f.CanSet() {
			f.SetString(norm.NFC.String(f.String()))
		}
	})
}

// walkFields calls fn on every leaf field of v with its JSON name and a
// function that spells its JSON path (only built for a violation),
// descending into embedded and nested structs, slices and pointers. Dates
// are leaves; vocabulary types (named strings) are checked by their rules.
func walkFields(v reflect.Value, name string, path func() string, fn func(path func() string, name string, f reflect.Value)) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walkFields(v.Elem(), name, path, fn)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			walkFields(v.Index(i), name, func() string { return fmt.Sprintf("%s[%d]", path(), i) }, fn)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[Date]() {
			fn(path, name, v)
			return
		}
		for _, sf := range structFields(v.Type()) {
			if sf.embedded {
				walkFields(v.Field(sf.index), name, path, fn)
				continue
			}
			walkFields(v.Field(sf.index), sf.name, func() string {
				if p := path(); p != "" {
					return p + "." + sf.name
				}
				return sf.name
			}, fn)
		}
	default:
		fn(path, name, v)
	}
}

type structField struct {
	index    int
	name     string // JSON name
	embedded bool
}

var fieldCache sync.Map // reflect.Type → []structField

// structFields lists a struct type's exported fields once: parsing tags
// for every command would cost more than checking them.
func structFields(t reflect.Type) []structField {
	if f, ok := fieldCache.Load(t); ok {
		return f.([]structField)
	}
	var out []structField
	for i := 0; i < t.NumField(); i++ {
		if sf := t.Field(i); sf.IsExported() {
			name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
			out = append(out, structField{i, name, sf.Anonymous})
		}
	}
	fieldCache.Store(t, out)
	return out
}

// checkText applies the character rules and the kind's length to s; path
// spells the field's name, for a violation only.
func checkText(v *violations, path func() string, k TextKind, s string) {
	if strings.TrimSpace(s) == "" {
		return // empty or spaces: the command's own rules say whether it is required
	}
	if k.MaxRunes == 0 {
		k = TextNote // a field the tables do not name still has a bound; a test keeps the tables complete
	}
	switch n := utf8.RuneCountInString(s); {
	case !utf8.ValidString(s) || strings.ContainsRune(s, utf8.RuneError):
		v.invalid(path(), "text.invalid_utf8", "%s is not valid UTF-8 text", "%s 不是有效的 UTF-8 文本", path())
	case n > k.MaxRunes:
		v.invalid(path(), "text.too_long", "%s is %d characters long; at most %d are allowed", "%s 长度为 %d 个字符，最多 %d 个",
			path(), n, k.MaxRunes)
	case strings.ContainsFunc(s, isControl):
		v.invalid(path(), "text.control_character", "%s must not contain control characters", "%s 不得包含控制字符", path())
	case strings.ContainsFunc(s, isBidiControl):
		v.invalid(path(), "text.bidi_override", "%s must not contain text-direction overrides", "%s 不得包含文字方向控制字符", path())
	case strings.TrimFunc(s, isInvisible) == "":
		v.invalid(path(), "text.blank", "%s holds only blank or invisible characters", "%s 仅含空白或不可见字符", path())
	}
}

// named spells a fixed field name.
func named(field string) func() string { return func() string { return field } }

// isControl reports C0 and C1 controls, NUL included; line breaks and tabs
// are allowed in free text.
func isControl(r rune) bool {
	return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t'
}

// isBidiControl reports the embedding, override and isolate controls that
// make text display in another order than it is stored.
func isBidiControl(r rune) bool {
	return r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 || r == 0x200E || r == 0x200F || r == 0x061C
}

// isInvisible reports white space and zero-width characters.
func isInvisible(r rune) bool {
	return unicode.IsSpace(r) || r == 0x200B || r == 0x200C || r == 0x200D || r == 0x2060 || r == 0xFEFF || r == 0x3164
}

// ValidateMeta checks what travels with a command besides its body: the
// actor, the idempotency, correlation and causation keys, and the business
// time's lower bound (the command service, which has the clock, checks that
// it is not in the future).
func ValidateMeta(a Actor, commandID, correlationID, causationID string, at time.Time) error {
	var v violations
	checkText(&v, named("actor.user"), TextActor, a.UserID)
	checkText(&v, named("actor.role"), TextActor, string(a.Role))
	checkText(&v, named("actor.organisation"), TextActor, a.Organisation)
	checkText(&v, named("idempotency_key"), TextKey, commandID)
	checkText(&v, named("correlation_id"), TextKey, correlationID)
	checkText(&v, named("causation_id"), TextKey, causationID)
	if at.Before(EarliestBusinessDate) {
		v.invalid("occurred_at", "date.range", "occurred_at must not be before %s", "发生时间不得早于 %s",
			EarliestBusinessDate.Format(time.DateOnly))
	}
	return v.err()
}

// checkedAdd adds two non-negative amounts, reporting an overflow instead of
// wrapping: a wrapped sum could turn a failing vote into a passing one.
func checkedAdd[T ~int64](a, b T) (T, bool) {
	if b > 0 && a > T(math.MaxInt64)-b || b < 0 && a < T(math.MinInt64)-b {
		return a, false
	}
	return a + b, true
}
