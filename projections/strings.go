package projections

import (
	"strings"
	"unique"
)

// A model must not keep an event's strings as they are decoded: go-json
// decodes a payload's strings in place, so each one points into a copy of
// the whole payload and keeps it alive (at 1M events, 41% of the five
// models' heap was payloads held by a few IDs and words); the store's
// envelope strings are likewise columns of their row. A model keeps a
// string through Intern (a value of few distinct ones, such as a channel
// or a unit: one copy for all) or Own (an ID or a free text: a copy of its
// own).

// Intern is s's one canonical copy.
func Intern[S ~string](s S) S { return S(unique.Make(string(s)).Value()) }

// Own is a copy of s that holds nothing else alive.
func Own[S ~string](s S) S { return S(strings.Clone(string(s))) }
