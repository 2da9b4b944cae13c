package domain

import (
	"errors"
	"fmt"
	"strings"
)

// Code is a stable application error code. Adapters map codes to their own
// vocabulary (HTTP statuses, exit codes) in exactly one place each.
type Code string

const (
	CodeInvalid         Code = "invalid"         // malformed input
	CodeRejected        Code = "rejected"        // well-formed, but breaks a domain rule
	CodeNotFound        Code = "not_found"       // unknown compound or entity
	CodeConflict        Code = "conflict"        // stream version moved on
	CodeUnavailable     Code = "unavailable"     // a backing service is down; retry later
	CodeInternal        Code = "internal"        // a bug or an unexpected failure
	CodeIntegrity       Code = "integrity"       // a stream is damaged: an event missing, reordered or altered
	CodeTooLarge        Code = "too_large"       // request or batch over a limit
	CodeUnsupported     Code = "unsupported"     // e.g. wrong content type
	CodeUnauthenticated Code = "unauthenticated" // no valid session or token
	CodeForbidden       Code = "forbidden"       // signed in, but the role or scope does not allow it
	CodeRateLimited     Code = "rate_limited"    // too many requests or failed sign-ins; retry later
)

// Violation is one broken rule of a command, with a stable rule code and the
// message in both languages the users read.
type Violation struct {
	Rule      string `json:"rule"`
	Field     string `json:"field,omitempty"`
	Message   string `json:"message"`
	MessageZH string `json:"message_zh"`
}

// Error is the one application error type. Message is safe to show users;
// anything internal is wrapped in Err and only logged.
type Error struct {
	Code       Code
	Message    string
	Violations []Violation
	Err        error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Code))
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	for _, v := range e.Violations {
		fmt.Fprintf(&b, "; %s", v.Rule)
		if v.Field != "" {
			fmt.Fprintf(&b, " (%s)", v.Field)
		}
		b.WriteString(": " + v.Message)
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an application error with a user-facing message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Internal wraps an unexpected failure; its details are for logs only.
func Internal(err error, what string) *Error {
	return &Error{Code: CodeInternal, Message: what, Err: err}
}

// ErrorCode returns the code of err, or CodeInternal for foreign errors.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// ErrorOf returns err as an application error, wrapping foreign errors as internal.
func ErrorOf(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Internal(err, "internal error")
}

// violations collects every rule a command breaks, so the user sees all of
// them at once instead of fixing one per round trip.
type violations struct {
	code Code
	list []Violation
}

// fail records a broken rule; en and zh are format strings sharing args.
func (v *violations) fail(field, rule, en, zh string, args ...any) {
	v.list = append(v.list, Violation{Rule: rule, Field: field,
		Message: fmt.Sprintf(en, args...), MessageZH: fmt.Sprintf(zh, args...)})
}

// invalid records malformed input: it makes the whole error CodeInvalid,
// unless a code (not found, too large) was set already.
func (v *violations) invalid(field, rule, en, zh string, args ...any) {
	if v.code == "" {
		v.code = CodeInvalid
	}
	v.fail(field, rule, en, zh, args...)
}

// required checks a mandatory text field.
func (v *violations) required(field, value string) {
	if strings.TrimSpace(value) == "" {
		v.invalid(field, "field.required", "%s is required", "%s 为必填项", field)
	}
}

func (v *violations) ok() bool { return len(v.list) == 0 }

// err returns nil when nothing was violated.
func (v *violations) err() error {
	if v.ok() {
		return nil
	}
	code := v.code
	if code == "" {
		code = CodeRejected
	}
	return &Error{Code: code, Message: "command rejected", Violations: v.list}
}

// emit returns events when nothing was violated, else the error and no events.
func (v *violations) emit(events ...Event) ([]Event, error) {
	if err := v.err(); err != nil {
		return nil, err
	}
	return events, nil
}
