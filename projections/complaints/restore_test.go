package complaints

import (
	"testing"

	"github.com/casetrack/casetrack/projections/projectiontest"
)

// The complaints a restored model lists share their channels, categories,
// states and units as the folded model's do.
func TestRestoreSharesWords(t *testing.T) {
	var words []string
	for _, e := range projectiontest.FoldRestored(t, New).List(Filter{}) {
		words = append(words, string(e.Channel), string(e.Category), string(e.State), e.Unit)
	}
	projectiontest.Shared(t, "words", words)
}
