package domain

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Compound is the aggregate of one residential compound (小区): everything
// recorded about it lives in its own event stream. Fields are unexported;
// commands decide, events evolve, views read.
type Compound struct {
	id      string
	version uint64

	registered   bool
	registeredAt time.Time // business time of the registration; no fact is dated before it
	profile      Profile
	party        PartyBuilding

	committee  committeeState
	complaints map[string]*complaint
	lawsuits   map[string]*lawsuit
	conflict   conflictState
	plan       *plan
	listing    *listing

	meetings map[string]bool // joint meetings held

	commandIDs map[string]bool // commands already applied, for idempotent retries
	alerts     []Alert
}

// NewCompound returns the empty aggregate of a compound yet to be registered.
func NewCompound(id string) *Compound {
	return &Compound{id: id, complaints: map[string]*complaint{}, lawsuits: map[string]*lawsuit{}, commandIDs: map[string]bool{}}
}

// FoldCompound rebuilds a compound from its stream (evolve over all events).
func FoldCompound(id string, events []Envelope) (*Compound, error) {
	c := NewCompound(id)
	for _, e := range events {
		if err := c.Apply(e); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Apply evolves the compound by one stored event. An event that does not
// fit the state (one before it is missing) is an integrity error, not a
// crash.
func (c *Compound) Apply(e Envelope) (err error) {
	ev, err := e.Decode()
	if err != nil {
		return err
	}
	ce, ok := ev.(compoundEvent)
	if !ok {
		return Errorf(CodeIntegrity, "event %s at version %d of %s is not about a compound", e.Type, e.Version, e.StreamID)
	}
	defer func() {
		if r := recover(); r != nil {
			err = &Error{Code: CodeIntegrity, Message: fmt.Sprintf("stream %s: version %d does not fit the events before it", e.StreamID, e.Version),
				Err: fmt.Errorf("%v", r)}
		}
	}()
	ce.apply(c)
	if _, ok := ev.(CompoundRegistered); ok {
		c.registeredAt = e.OccurredAt
	}
	c.version = e.Version
	c.commandIDs[e.CommandID] = true
	return nil
}

func (c *Compound) ID() string                { return c.id }
func (c *Compound) Version() uint64           { return c.version }
func (c *Compound) Registered() bool          { return c.registered }
func (c *Compound) Profile() Profile          { return c.profile }
func (c *Compound) Alerts() []Alert           { return append([]Alert(nil), c.alerts...) }
func (c *Compound) HasCommand(id string) bool { return c.commandIDs[id] }

// Command is a request to change one compound. decide checks it against the
// current state and the rule set in force at its effective time, and returns
// the events to record or every rule it breaks.
type Command interface {
	decide(c *Compound, r RuleSet, at time.Time) ([]Event, error)
}

// Decide runs a command against the compound without recording anything:
// the pure decide step, for tests and dry runs.
func (c *Compound) Decide(cmd Command, r RuleSet, at time.Time) ([]Event, error) {
	if _, isRegistration := cmd.(RegisterCompound); !isRegistration && !c.registered {
		return nil, Errorf(CodeNotFound, "compound %s is not registered", c.id)
	}
	if err := checkFields(cmd, at); err != nil { // limits first: no rule computes with an implausible value
		return nil, err
	}
	if at.Before(c.registeredAt) {
		var v violations
		v.fail("occurred_at", "command.before_registration", "a fact cannot be dated before the compound's registration on %s",
			"事项日期不得早于小区登记日期 %s", c.registeredAt.In(China).Format(time.DateOnly))
		return nil, v.err()
	}
	return cmd.decide(c, r, at)
}

// Evolve applies events to the compound in memory (the evolve step), as if
// they had been stored; for tests and dry runs.
func (c *Compound) Evolve(events ...Event) {
	for _, e := range events {
		e.(compoundEvent).apply(c)
		c.version++
	}
}

var (
	commandTypes   = map[string]func(json.RawMessage) (Command, error){}
	commandStructs = map[string]reflect.Type{}
)

// registerCommand names a command type for the API and the CLI.
func registerCommand[T Command](name string) {
	if _, dup := commandTypes[name]; dup {
		panic("duplicate command " + name)
	}
	commandStructs[name] = reflect.TypeFor[T]()
	commandTypes[name] = func(body json.RawMessage) (Command, error) {
		if !utf8.Valid(body) { // the decoder would replace bad bytes silently
			var v violations
			v.invalid("", "text.invalid_utf8", "the request body is not valid UTF-8", "请求内容不是有效的 UTF-8 文本")
			return nil, v.err()
		}
		var cmd T
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&cmd); err != nil {
			return nil, jsonError(err)
		}
		if dec.More() {
			return nil, &Error{Code: CodeInvalid, Message: "request body holds more than one JSON value"}
		}
		normaliseFields(&cmd)
		return cmd, nil
	}
}

// CommandNames lists the registered commands, sorted.
func CommandNames() []string {
	out := make([]string, 0, len(commandTypes))
	for n := range commandTypes {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// CommandType is the Go type of a named command, for adapters that
// describe its fields (the web forms); ParseCommand stays the only way in.
func CommandType(name string) (reflect.Type, bool) {
	t, ok := commandStructs[name]
	return t, ok
}

// ParseCommand decodes the JSON body of a named command; unknown fields and
// wrong types are invalid input with the offending field named.
func ParseCommand(name string, body json.RawMessage) (Command, error) {
	parse, ok := commandTypes[name]
	if !ok {
		return nil, Errorf(CodeNotFound, "unknown command %q", name)
	}
	return parse(body)
}

func jsonError(err error) error {
	var v violations
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		field := jsonField(typeErr.Field)
		switch typeErr.Type {
		case reflect.TypeFor[Area]():
			v.invalid(field, "json.area", "%s must be square metres with at most two decimals, not %s", "%s 须为平方米数，最多两位小数，实际为 %s", field, typeErr.Value)
		case reflect.TypeFor[Degrees]():
			v.invalid(field, "json.degrees", "%s must be degrees with at most six decimals, not %s", "%s 须为度数，最多六位小数，实际为 %s", field, typeErr.Value)
		case reflect.TypeFor[Date]():
			v.invalid(field, "json.date", "%s must be a date YYYY-MM-DD, not %s", "%s 须为日期 YYYY-MM-DD，实际为 %s", field, typeErr.Value)
		default:
			v.invalid(field, "json.type", "%s must be a JSON %s, not %s", "%s 的类型应为 %s，实际为 %s", field, typeErr.Type.Kind(), typeErr.Value)
		}
	case errors.As(err, &syntaxErr):
		v.invalid("", "json.syntax", "malformed JSON at byte %d", "JSON 格式错误，位置 %d", syntaxErr.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		v.invalid("", "json.syntax", "the JSON body is empty or cut short", "JSON 内容为空或不完整")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		v.invalid(f, "json.unknown_field", "unknown field %s", "未知字段 %s", f)
	default:
		v.invalid("", "json.invalid", "invalid JSON: %s", "JSON 无效：%s", err.Error())
	}
	return v.err()
}

// jsonField turns the decoder's Go path ("Profile.households") into the
// JSON path users wrote: embedded structs are flattened in JSON, and their
// Go type names are the capitalised segments.
func jsonField(path string) string {
	var out []string
	for _, seg := range strings.Split(path, ".") {
		if seg != "" && !unicode.IsUpper([]rune(seg)[0]) {
			out = append(out, seg)
		}
	}
	return strings.Join(out, ".")
}

// badValue is how the custom decoders (areas, dates) report a wrong value:
// as a type error, so that the decoder adds the field's path to it.
func badValue(raw []byte, typ any) error {
	return &json.UnmarshalTypeError{Value: string(raw), Type: reflect.TypeOf(typ)}
}

var compoundIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

// ValidateCompoundID checks the shape of a compound ID (it names a stream).
func ValidateCompoundID(id string) error {
	if !compoundIDPattern.MatchString(id) {
		var v violations
		v.invalid("compound_id", "compound.id_format", "compound ID must be 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit", "小区编号须为1–64位字母、数字、'.'、'_'或'-'，以字母或数字开头")
		return v.err()
	}
	return nil
}

// Alert is a deadline the law treats as lateness rather than invalidity:
// recorded, raised to the street, never a rejection.
type Alert struct {
	Rule      string    `json:"rule"`
	Subject   string    `json:"subject"`
	Due       time.Time `json:"due"`
	At        time.Time `json:"at"`
	Message   string    `json:"message"`
	MessageZH string    `json:"message_zh"`
}

// AlertRaised records a missed statutory deadline (逾期提醒).
type AlertRaised struct{ Alert }

func (AlertRaised) EventType() string   { return "AlertRaised" }
func (e AlertRaised) apply(c *Compound) { c.alerts = append(c.alerts, e.Alert) }

// lateAlert returns an AlertRaised event when at is after due.
func lateAlert(rule, subject string, due, at time.Time, en, zh string) []Event {
	if !at.After(due) {
		return nil
	}
	return []Event{AlertRaised{Alert{Rule: rule, Subject: subject, Due: due, At: at,
		Message:   fmt.Sprintf("%s: due %s, done %s", en, due.Format("2006-01-02"), at.Format("2006-01-02")),
		MessageZH: fmt.Sprintf("%s：应于%s前完成，实际%s", zh, due.Format("2006-01-02"), at.Format("2006-01-02"))}}}
}

func init() {
	registerEvent[AlertRaised]()
}

// sortBy sorts a slice by less; views use it to give stable orders.
func sortBy[T any](s []T, less func(a, b T) bool) {
	sort.Slice(s, func(i, j int) bool { return less(s[i], s[j]) })
}
