package credit

import (
	"testing"

	"github.com/casetrack/casetrack/domain"
)

// A ledger is scored by the rule set in force on the day asked: a city
// changing its scoring needs no rebuild, and earlier days keep their scores.
func TestLedgerUsesRulesInForce(t *testing.T) {
	m := city(t)
	sets := domain.DefaultRuleBook().Sets()
	stricter := sets[len(sets)-1]
	stricter.Name, stricter.EffectiveFrom = "city-2025", at(2025, 3, 1, 0)
	stricter.Credit.Base = 70
	m.book = domain.NewRuleBook(append(sets, stricter)...)
	before, _ := m.Ledger("乙物业", at(2025, 2, 1, 0))
	after, _ := m.Ledger("乙物业", at(2025, 4, 1, 0))
	if before.Base != 80 || after.Base != 70 || before.Score-after.Score != 10 {
		t.Fatalf("base %d then %d, score %d then %d: want 80 then 70, 10 apart", before.Base, after.Base, before.Score, after.Score)
	}
}
