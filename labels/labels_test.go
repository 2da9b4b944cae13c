package labels_test

import (
	"testing"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/labels"
	"github.com/casetrack/casetrack/projections/deadlines"
	"github.com/casetrack/casetrack/projections/league"
)

// Every code users can meet has a label in both languages: a new code
// added to the domain or a read model fails here until it is labelled.
func TestEveryCodeIsLabelled(t *testing.T) {
	need := func(g labels.Group, codes ...string) {
		t.Helper()
		for _, c := range codes {
			if !labels.Has(g, c) {
				t.Errorf("%s %q has no label", g, c)
			} else if labels.Of(labels.ZH, g, c) == labels.Of(labels.EN, g, c) {
				t.Errorf("%s %q: the Chinese and English labels are the same", g, c)
			}
		}
	}
	for typ, codes := range domain.Vocabularies() {
		g, ok := labels.ForType(typ)
		if !ok {
			t.Errorf("vocabulary %s has no label group", typ)
			continue
		}
		need(g, codes...)
	}
	need(labels.Command, domain.CommandNames()...)
	need(labels.Event, domain.EventTypes()...)
	need(labels.Phase, "none", "applied", "preparing", "serving", "reelection", "expired", "interim")
	need(labels.ComplaintState, "received", "dispatched", "accepted", "returned", "extension_requested", "resolved", "followed_up", "reopened")
	need(labels.DeadlineKind, string(deadlines.KindCommitteeFiling), string(deadlines.KindReelection), string(deadlines.KindListing),
		string(deadlines.KindMeasure), string(deadlines.KindDispatch), string(deadlines.KindReply), string(deadlines.KindFollowUp))
	for _, m := range league.Metrics {
		need(labels.Metric, m.Key)
	}
	need(labels.Level, string(league.LevelStreet), string(league.LevelCommunity), string(league.LevelDistrict),
		string(league.LevelCompound), string(league.LevelCompany))
	need(labels.List, "red", "black")
	need(labels.Role, "admin", "inspector", "street_office", "community_worker", "hotline", "auditor")
}

func TestUnknownCodeShowsItself(t *testing.T) {
	if got := labels.Of(labels.ZH, labels.Channel, "carrier_pigeon"); got != "carrier_pigeon" {
		t.Errorf("unknown code shows as %q", got)
	}
	if got := labels.Of(labels.EN, labels.Channel, "hotline"); got != "12345 hotline" {
		t.Errorf("hotline in English: %q", got)
	}
}
