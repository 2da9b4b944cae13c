package directory

import (
	"testing"

	"github.com/casetrack/casetrack/projections/projectiontest"
)

// A restored directory shares its places, kinds, companies and phases as
// the folded one does.
func TestRestoreSharesWords(t *testing.T) {
	r := projectiontest.FoldRestored(t, New)
	var places, words []string
	for _, e := range r.Entries {
		places = append(places, e.District, e.Street, e.Community)
		words = append(words, string(e.Kind), e.PropertyCompany, e.Committee.Phase)
	}
	projectiontest.Shared(t, "places", places)
	projectiontest.Shared(t, "kinds, companies and phases", words)
}
