package projections

import (
	"fmt"
	"math"
	"sort"
)

// Read models that answer "as known at position P" without a replay stamp
// what they record with the position in 32 bits (the league's known facts,
// the directory's history): millions of records, half the memory of 64.

// MaxKnownPosition is the last position such a stamp holds.
const MaxKnownPosition = math.MaxUint32

// CheckKnownPosition refuses an event a model cannot stamp, rather than
// let the model misdate what it knows.
func CheckKnownPosition(model string, position uint64) error {
	if position > MaxKnownPosition {
		return fmt.Errorf("%s: position %d is beyond the %d it can stamp what it records with", model, position, uint64(MaxKnownPosition))
	}
	return nil
}

// KnownBy is how many of items, in position order, were known at pos: the
// length of the prefix stamped at or before it.
func KnownBy[T any](items []T, pos uint64, posOf func(*T) uint64) int {
	return sort.Search(len(items), func(i int) bool { return posOf(&items[i]) > pos })
}
