package projections

import (
	"slices"
	"testing"
)

// Append keeps every element in order, and a list grown one element at a
// time has at most a quarter more room than it holds (or 4 elements).
func TestAppendGrowsByAQuarter(t *testing.T) {
	var s, want []int
	for i := range 1000 {
		s, want = Append(s, i), append(want, i)
		if spare := cap(s) - len(s); spare > max(4, len(s)/4) {
			t.Fatalf("%d elements in a capacity of %d", len(s), cap(s))
		}
	}
	if !slices.Equal(s, want) {
		t.Fatal("elements lost or reordered")
	}
}
