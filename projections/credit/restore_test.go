package credit

import (
	"testing"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections/projectiontest"
)

// Restored ledgers share their companies, kinds and compounds as the
// folded ones do.
func TestRestoreSharesWords(t *testing.T) {
	r := projectiontest.FoldRestored(t, func() *Model { return New(domain.DefaultRuleBook()) })
	var companies, words []string
	for company, facts := range r.Facts {
		companies = append(companies, company)
		for _, f := range facts {
			words = append(words, string(f.Kind), f.Compound)
		}
	}
	for _, c := range r.Compounds {
		companies = append(companies, c.Company)
	}
	for _, company := range r.Complaints {
		companies = append(companies, company)
	}
	projectiontest.Shared(t, "companies", companies)
	projectiontest.Shared(t, "kinds and compounds", words)
}
