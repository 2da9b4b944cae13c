package domain

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/BurntSushi/toml"
)

// Rule sets are written as TOML files, one set a file; the built-in files in
// rulesets/ document the format. A file is complete: every setting is
// required, so a city's file is read without knowing any other.

//go:embed rulesets/*.toml
var builtinSets embed.FS

var defaultBook = sync.OnceValue(func() RuleBook {
	files := map[string][]byte{}
	names, _ := fs.Glob(builtinSets, "rulesets/*.toml")
	for _, name := range names {
		files[name], _ = builtinSets.ReadFile(name)
	}
	book, err := ParseRuleBook(files)
	if err != nil {
		panic("built-in rule sets: " + err.Error())
	}
	return book
})

// DefaultRuleBook holds the defaults of the domain reference: the Property
// Management Regulation as revised in 2018, and the Civil Code from 2021.
// Its sets are shared: treat them as read-only.
func DefaultRuleBook() RuleBook { return defaultBook() }

// ParseRuleBook parses the rule files of a jurisdiction, by file name; a
// file named calendar.toml is its working-day calendar (without one, working
// days are counted on weekdays only, and due dates say so). It
// reports every problem of every file, each as "file:line: field: problem".
func ParseRuleBook(files map[string][]byte) (RuleBook, error) {
	if len(files) == 0 {
		return RuleBook{}, errors.New("no rule files")
	}
	var errs []error
	var sets []RuleSet
	var cal *Calendar
	from := map[time.Time]string{} // effective date → file
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if name[strings.LastIndexAny(name, `/\`)+1:] == CalendarFile {
			var err error
			if cal, err = ParseCalendar(name, files[name]); err != nil {
				errs = append(errs, err)
			}
			continue
		}
		s, err := ParseRuleSet(name, files[name])
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if other, dup := from[s.EffectiveFrom]; dup {
			errs = append(errs, fmt.Errorf("%s:%d: effective_from: %s is already the effective date of %s",
				name, keyLines(files[name]).line("effective_from"), s.EffectiveFrom.Format(time.DateOnly), other))
			continue
		}
		from[s.EffectiveFrom] = name
		sets = append(sets, s)
	}
	if len(sets) == 0 && len(errs) == 0 {
		errs = append(errs, errors.New("no rule set files beside "+CalendarFile))
	}
	if len(errs) > 0 {
		return RuleBook{}, errors.Join(errs...)
	}
	return NewRuleBook(sets...).WithCalendar(cal), nil
}

// ParseRuleSet parses one rule file; filename only labels the errors.
func ParseRuleSet(filename string, data []byte) (RuleSet, error) {
	var syntax map[string]any // first alone, so that a decoding error is a field's; it keeps how values were written
	if _, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&syntax); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return RuleSet{}, fmt.Errorf("%s:%d: %s", filename, pe.Position.Line, pe.Message)
		}
		return RuleSet{}, fmt.Errorf("%s: %w", filename, err)
	}
	var s RuleSet
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&s)
	if err != nil {
		return RuleSet{}, fmt.Errorf("%s:%s", filename, decodeError(err))
	}
	p := problems{file: filename, lines: keyLines(data)}
	for _, k := range md.Undecoded() {
		p.add(k.String(), "unknown setting")
	}
	complete := true
	for _, k := range settings(reflect.TypeFor[RuleSet](), nil) {
		if !md.IsDefined(k...) {
			p.add(strings.Join(k, "."), "missing")
			complete = false
		}
	}
	if complete { // a missing setting would only be reported again as zero
		if t, _ := syntax["effective_from"].(time.Time); t.Location().String() != "date-local" { // how the decoder marks a bare date
			p.add("effective_from", "must be a date such as 2021-01-01, without time or zone")
		}
		s.EffectiveFrom = date(s.EffectiveFrom.Date())
		s.check(&p)
	}
	if len(p.errs) > 0 {
		slices.SortStableFunc(p.errs, func(a, b lineError) int { return a.line - b.line })
		errs := make([]error, len(p.errs))
		for i, e := range p.errs {
			errs[i] = e
		}
		return RuleSet{}, errors.Join(errs...)
	}
	return s, nil
}

// FormatRuleSet writes s in the rule file format.
func FormatRuleSet(s RuleSet) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "name = %s\neffective_from = %s\n\n", strconv.Quote(s.Name), s.EffectiveFrom.Format(time.DateOnly))
	enc := toml.NewEncoder(&b)
	enc.Indent = ""
	err := enc.Encode(struct {
		Vote      VoteRules      `toml:"vote"`
		Committee CommitteeRules `toml:"committee"`
		Complaint ComplaintRules `toml:"complaint"`
		Plan      PlanRules      `toml:"plan"`
		Credit    CreditRules    `toml:"credit"`
	}{s.Vote, s.Committee, s.Complaint, s.Plan, s.Credit})
	return b.Bytes(), err
}

// The vetting checks a rule file may list, and the credit item kinds.
var (
	vettingChecks = vocabulary[string]{CheckUnitOwner, CheckCivilCapacity, CheckAge, CheckNoFeeArrears, CheckFundPaid,
		CheckNoCompanyTies, CheckNoCompanyBenefits, CheckNoRecentPenalty, CheckNoIllegalBuilding}
	creditKinds = []string{string(ViolationMisuseMaintenanceFund), string(ViolationUnauthorisedServiceCut),
		string(ViolationOccupyCommonLand), string(ViolationForcedPrepayment), string(ViolationOther),
		CreditLawsuitLost, CreditVerifiedComplaint, CreditRedProperty}
)

func (s RuleSet) check(p *problems) {
	if s.Name == "" {
		p.add("name", "must not be empty")
	}
	if s.Vote.Law == "" {
		p.add("vote.law", "must not be empty")
	}
	for k, base := range map[string]Base{"vote.ordinary.base": s.Vote.Ordinary.Base, "vote.major.base": s.Vote.Major.Base} {
		if base != OfParticipating && base != OfTotal {
			p.add(k, "must be %q or %q", OfParticipating, OfTotal)
		}
	}
	for i, m := range s.Vote.MajorMatters {
		if !matters.has(m) || slices.Contains(s.Vote.MajorMatters[:i], m) {
			p.add("vote.major_matters", "%q is not a matter or is listed twice", m)
		}
	}
	positive(p, "committee", reflect.ValueOf(s.Committee))
	positive(p, "complaint", reflect.ValueOf(s.Complaint))
	positive(p, "plan", reflect.ValueOf(s.Plan))
	c := s.Committee
	if c.MinMembers > c.MaxMembers || c.SmallMinMembers > c.MinMembers {
		p.add("committee.min_members", "needs small_min_members ≤ min_members ≤ max_members")
	}
	if c.AgeMin >= c.AgeMax {
		p.add("committee.age_min", "must be below age_max")
	}
	for i, k := range c.VettingChecks {
		if !vettingChecks.has(k) || slices.Contains(c.VettingChecks[:i], k) {
			p.add("committee.vetting_checks", "%q is not a vetting check or is listed twice (known: %s)", k, vettingChecks)
		}
	}
	cr := s.Credit
	if cr.ValidMonths <= 0 {
		p.add("credit.valid_months", "must be a positive whole number")
	}
	if cr.Points == nil { // the decoder leaves a map nil when given a plain value
		p.add("credit.points", "must be a table of item kind = points")
	}
	for k := range cr.Points {
		if !slices.Contains(creditKinds, k) {
			p.add("credit.points."+k, "not a credit item kind (known: %s)", strings.Join(creditKinds, ", "))
		}
	}
	for _, k := range cr.Blacklist {
		if !slices.Contains(creditKinds, k) {
			p.add("credit.blacklist", "%q is not a credit item kind", k)
		}
	}
	if cr.Lowest == "" || slices.ContainsFunc(cr.Bands, func(b Band) bool { return b.Grade == cr.Lowest }) {
		p.add("credit.lowest", "must name a grade not in credit.grades")
	}
}

// positive requires every whole number of a section to be above zero.
func positive(p *problems, section string, v reflect.Value) {
	for i := range v.NumField() {
		if f := v.Field(i); f.Kind() == reflect.Int && f.Int() <= 0 {
			p.add(section+"."+v.Type().Field(i).Tag.Get("toml"), "must be a positive whole number")
		}
	}
}

// settings lists the keys of a rule file: the toml names of t's fields,
// descending into sections (structs other than the decoded values).
func settings(t reflect.Type, prefix []string) [][]string {
	var out [][]string
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Tag.Get("toml") == "-" {
			continue
		}
		k := append(slices.Clip(prefix), f.Tag.Get("toml"))
		if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeFor[time.Time]() && !reflect.PointerTo(f.Type).Implements(reflect.TypeFor[toml.Unmarshaler]()) {
			out = append(out, settings(f.Type, k)...)
			continue
		}
		out = append(out, k)
	}
	return out
}

// problems collects the semantic errors of one file.
type problems struct {
	file  string
	lines lineIndex
	errs  []lineError
}

type lineError struct {
	file, key, msg string
	line           int
}

func (e lineError) Error() string { return fmt.Sprintf("%s:%d: %s: %s", e.file, e.line, e.key, e.msg) }

func (p *problems) add(key, format string, args ...any) {
	p.errs = append(p.errs, lineError{p.file, key, fmt.Sprintf(format, args...), p.lines.line(key)})
}

// lineIndex maps the keys and table headers of a file to their lines.
type lineIndex map[string]int

// keyLines indexes "[table]" headers and "key =" lines, which is how rule
// files are written; a key set another way is found at its table's line.
func keyLines(data []byte) lineIndex {
	idx, table := lineIndex{}, ""
	for i, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		var key string
		switch {
		case strings.HasPrefix(l, "["):
			l, _, _ = strings.Cut(l, "#")
			table = strings.Trim(strings.TrimSpace(l), "[] ")
			key = table
		case strings.Contains(l, "=") && !strings.HasPrefix(l, "#"):
			k, _, _ := strings.Cut(l, "=")
			key = strings.Trim(strings.TrimSpace(k), `"'`)
			if table != "" {
				key = table + "." + key
			}
		default:
			continue
		}
		if _, seen := idx[key]; !seen {
			idx[key] = i + 1
		}
	}
	return idx
}

// line is the line of key, or of its nearest enclosing table; 1 if none.
func (idx lineIndex) line(key string) int {
	for {
		if n, ok := idx[key]; ok {
			return n
		}
		i := strings.LastIndex(key, ".")
		if i < 0 {
			return 1
		}
		key = key[:i]
	}
}

var bareKey = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// The decoder's other errors are strings of these forms.
var (
	typeError = regexp.MustCompile(`^toml: line (\d+) \(last key "([^"]*)"\): incompatible types: TOML value has type (\S+); destination has type (.+)$`)
	keyError  = regexp.MustCompile(`^toml: line (\d+) \(last key "([^"]*)"\): (.*)$`)
)

// decodeError turns an error decoding a well-formed file into
// "line: field: problem".
func decodeError(err error) string {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		return fmt.Sprintf("%d: %s: %s", pe.Position.Line, pe.LastKey, pe.Message)
	}
	if m := typeError.FindStringSubmatch(err.Error()); m != nil {
		return fmt.Sprintf("%s: %s: must be %s, not %s", m[1], m[2], typeName(m[4]), typeName(m[3]))
	}
	if m := keyError.FindStringSubmatch(err.Error()); m != nil {
		return fmt.Sprintf("%s: %s: %s", m[1], m[2], m[3])
	}
	return " " + err.Error()
}

// typeName names a decoder's type (Go's or its destination's) for officials.
func typeName(t string) string {
	switch {
	case t == "integer" || t == "int64":
		return "a whole number"
	case t == "float" || t == "float64":
		return "a decimal number"
	case t == "boolean" || t == "bool":
		return "true or false"
	case t == "slice" || strings.HasPrefix(t, "[]"):
		return "an array"
	case t == "map" || strings.HasPrefix(t, "map["):
		return "a table"
	case t == "time.Time":
		return "a date"
	}
	return "a " + t
}

// Fractions and caps are written as quoted strings: "> 1/2" for a share
// that must be exceeded (过半数), ">= 2/3" for one that must be reached
// (三分之二以上), "<= 2/5" for a cap.

func (f *Fraction) UnmarshalTOML(v any) error {
	s, _ := v.(string)
	strict := strings.HasPrefix(s, ">") && !strings.HasPrefix(s, ">=")
	num, den, err := parseShare(s, map[bool]string{true: ">", false: ">="}[strict])
	*f = Fraction{num, den, strict}
	return err
}

func (f Fraction) MarshalTOML() ([]byte, error) {
	return []byte(strconv.Quote(strings.Replace(f.String(), "≥", ">=", 1))), nil
}

func (c *Cap) UnmarshalTOML(v any) error {
	s, _ := v.(string)
	var err error
	c.Num, c.Den, err = parseShare(s, "<=")
	return err
}

func (c Cap) MarshalTOML() ([]byte, error) {
	return []byte(strconv.Quote(fmt.Sprintf("<= %d/%d", c.Num, c.Den))), nil
}

// parseShare reads "op num/den" with 0 < num ≤ den.
func parseShare(s, op string) (num, den int64, err error) {
	rest, ok := strings.CutPrefix(s, op)
	n, d, slash := strings.Cut(strings.TrimSpace(rest), "/")
	if ok && slash {
		num, err = strconv.ParseInt(n, 10, 64)
		if err == nil {
			den, err = strconv.ParseInt(d, 10, 64)
		}
		if err == nil && 0 < num && num <= den {
			return num, den, nil
		}
	}
	if op == "<=" {
		return 0, 0, fmt.Errorf(`must be a cap written "<= 2/5" (0 < numerator ≤ denominator), not %q`, s)
	}
	return 0, 0, fmt.Errorf(`must be a share written "> 1/2" (to exceed) or ">= 2/3" (to reach), 0 < numerator ≤ denominator, not %q`, s)
}

// UnmarshalTOML reads grades as a table of grade = lowest score; they are
// kept highest first.
func (b *Bands) UnmarshalTOML(v any) error {
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 {
		return errors.New(`must be a table of grade = lowest score, e.g. { AAA = 85, AA = 80 }`)
	}
	*b = (*b)[:0]
	for g, min := range m {
		n, ok := min.(int64)
		if !ok {
			return fmt.Errorf("grade %s: the lowest score must be a whole number", g)
		}
		*b = append(*b, Band{g, int(n)})
	}
	slices.SortFunc(*b, func(x, y Band) int { return y.Min - x.Min })
	for i := 1; i < len(*b); i++ {
		if (*b)[i].Min == (*b)[i-1].Min {
			return fmt.Errorf("grades %s and %s have the same lowest score", (*b)[i-1].Grade, (*b)[i].Grade)
		}
	}
	return nil
}

func (b Bands) MarshalTOML() ([]byte, error) {
	parts := make([]string, len(b))
	for i, x := range b {
		g := x.Grade
		if !bareKey.MatchString(g) {
			g = strconv.Quote(g)
		}
		parts[i] = fmt.Sprintf("%s = %d", g, x.Min)
	}
	return []byte("{ " + strings.Join(parts, ", ") + " }"), nil
}
