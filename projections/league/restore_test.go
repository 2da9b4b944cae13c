package league

import (
	"slices"
	"testing"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections/projectiontest"
)

// A restored model shares its compound IDs, places and companies as the
// folded one does, and a compound's versions their unchanged places.
func TestRestoreSharesWords(t *testing.T) {
	r := projectiontest.FoldRestored(t, func() *Model { return New(domain.DefaultRuleBook()) })
	var ids, places, companies []string
	sharedPlaces := 0
	for _, c := range r.Compounds {
		ids = append(ids, c.ID)
		places = append(places, c.District, c.Street, c.Community)
		for i := 1; i < len(c.Versions); i++ {
			if v, prev := c.Versions[i], c.Versions[i-1]; slices.Equal(v.Places, prev.Places) {
				if &v.Places[0] != &prev.Places[0] {
					t.Fatalf("compound %s: versions %d and %d hold equal places apart", c.ID, i-1, i)
				}
				sharedPlaces++
			}
		}
	}
	for _, x := range r.Complaints {
		ids = append(ids, x.Compound)
	}
	for _, l := range r.Lawsuits {
		ids, companies = append(ids, l.Compound), append(companies, l.Company)
	}
	for _, cell := range r.Known.Cells {
		ids, companies = append(ids, cell.Compound), append(companies, cell.Company)
	}
	if sharedPlaces == 0 {
		t.Error("no compound has two versions in the same places")
	}
	projectiontest.Shared(t, "compound IDs", ids)
	projectiontest.Shared(t, "places", places)
	projectiontest.Shared(t, "companies", companies)
}
