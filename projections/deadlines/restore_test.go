package deadlines

import (
	"testing"

	"github.com/casetrack/casetrack/projections/projectiontest"
)

// A restored board shares its places and kinds as the folded one does.
func TestRestoreSharesWords(t *testing.T) {
	r := projectiontest.FoldRestored(t, New)
	var places, kinds []string
	for _, c := range r.Compounds {
		places = append(places, c.District, c.Street)
		for _, d := range c.Open {
			kinds = append(kinds, string(d.Kind))
		}
	}
	projectiontest.Shared(t, "places", places)
	projectiontest.Shared(t, "kinds", kinds)
}
