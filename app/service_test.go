package app

import (
	"context"
	"fmt"
	"github.com/casetrack/casetrack/adapters/memory"
	"github.com/casetrack/casetrack/domain"
	"sync"
	"testing"
	"time"
)

func testService(store domain.EventStore) *Service {
	now := time.Date(2025, 6, 1, 2, 0, 0, 0, time.UTC)
	return NewService(store, domain.DefaultRuleBook(), WithClock(func() time.Time { return now }), WithRetries(50))
}

func register(t *testing.T, s *Service, id string) {
	t.Helper()
	p := domain.Profile{Name: "阳光花园", District: "D", Street: "S", Community: "Q", Kind: domain.KindCommercial, Households: 100,
		PrivateArea: domain.SquareMetres(10000), DeliveredArea: domain.SquareMetres(10000)}
	if _, err := s.Execute(context.Background(), id, domain.RegisterCompound{Profile: p}, Meta{Actor: domain.Actor{UserID: "u1", Role: "street"}}); err != nil {
		t.Fatal(err)
	}
}

// Many deciders on one stream, through two services as two processes would
// (each with its own cached compound): every command lands exactly once,
// none is lost to a concurrent writer, and the stream stays a valid chain.
func TestServiceConcurrentDecidersLoseNoUpdate(t *testing.T) {
	store := memory.NewStore()
	s := testService(store)
	register(t, s, "C1")
	if _, err := s.Execute(context.Background(), "C1", domain.EstablishPartyBranch{Branch: "党支部", Secretary: "书记"}, Meta{}); err != nil {
		t.Fatal(err)
	}
	const writers, each = 8, 10
	services := []*Service{s, testService(store)}
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				cmd := domain.HoldJointMeeting{MeetingID: fmt.Sprintf("m-%d-%d", w, i), Attendees: []string{"党支部"}}
				if _, err := services[w%2].Execute(context.Background(), "C1", cmd, Meta{}); err != nil {
					t.Error(err)
				}
			}
		}(w)
	}
	wg.Wait()
	c, events, err := s.Load(context.Background(), "C1", domain.StreamQuery{})
	if err != nil {
		t.Fatal(err)
	}
	meetings := 0
	for _, e := range events {
		if e.Type == "JointMeetingHeld" {
			meetings++
		}
	}
	if want := uint64(2 + writers*each); c.Version() != want || meetings != writers*each {
		t.Fatalf("version %d with %d meetings, want %d with %d", c.Version(), meetings, want, writers*each)
	}
	if err := domain.VerifyChain(events); err != nil {
		t.Fatal(err)
	}
}

func TestServiceIdempotentRetry(t *testing.T) {
	store := memory.NewStore()
	s := testService(store)
	register(t, s, "C1")
	m := Meta{CommandID: "cmd-1"}
	cmd := domain.EstablishPartyBranch{Branch: "党支部", Secretary: "书记"}
	first, err := s.Execute(context.Background(), "C1", cmd, m)
	if err != nil {
		t.Fatal(err)
	}
	// The same command again would be rejected (the branch exists) if it were
	// decided again; a retry must return the first result instead.
	again, err := s.Execute(context.Background(), "C1", cmd, m)
	if err != nil || !again.Duplicate || again.Version != first.Version || again.Position != first.Position {
		t.Fatalf("retry: %+v %v, first %+v", again, err, first)
	}
	if again.Events[0].EventID != first.Events[0].EventID || first.Events[0].EventID != EventID("compound-C1", "cmd-1", domain.Fingerprint(cmd), 0) {
		t.Fatal("event IDs are not derived from the command ID")
	}
	if all, _ := store.ReadAll(context.Background(), 0, 0); len(all) != 2 {
		t.Fatalf("%d events stored, want 2", len(all))
	}
}

func TestServiceIfVersionAndValidation(t *testing.T) {
	s := testService(memory.NewStore())
	ctx := context.Background()
	cmd := domain.EstablishPartyBranch{Branch: "党支部", Secretary: "书记"}
	if _, err := s.Execute(ctx, "C1", cmd, Meta{}); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Fatalf("command on an unregistered compound: %v", err)
	}
	registeredAt := time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC) // a paper record of an old registration
	p := domain.Profile{Name: "阳光花园", District: "D", Street: "S", Community: "Q", Kind: domain.KindCommercial, Households: 100,
		PrivateArea: domain.SquareMetres(10000), DeliveredArea: domain.SquareMetres(10000)}
	if _, err := s.Execute(ctx, "C1", domain.RegisterCompound{Profile: p}, Meta{OccurredAt: registeredAt}); err != nil {
		t.Fatal(err)
	}
	stale := uint64(0)
	if _, err := s.Execute(ctx, "C1", cmd, Meta{IfVersion: &stale}); domain.ErrorCode(err) != domain.CodeConflict {
		t.Fatalf("stale If-Match: %v", err)
	}
	if _, err := s.Execute(ctx, "bad id!", cmd, Meta{}); domain.ErrorCode(err) != domain.CodeInvalid {
		t.Fatalf("bad compound id: %v", err)
	}
	future := time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC)
	if _, err := s.Execute(ctx, "C1", cmd, Meta{OccurredAt: future}); domain.ErrorCode(err) != domain.CodeInvalid {
		t.Fatalf("future business time: %v", err)
	}
	// A backdated paper record: business time in 2019, recorded now.
	past := time.Date(2019, 5, 1, 0, 0, 0, 0, time.UTC)
	res, err := s.Execute(ctx, "C1", cmd, Meta{OccurredAt: past, Actor: domain.Actor{UserID: "clerk"}})
	if err != nil {
		t.Fatal(err)
	}
	e := res.Events[0]
	if !e.OccurredAt.Equal(past) || !e.RecordedAt.Equal(time.Date(2025, 6, 1, 2, 0, 0, 0, time.UTC)) || e.Actor.UserID != "clerk" {
		t.Fatalf("envelope %+v", e)
	}
	// Time travel by business time.
	c, _, err := s.Load(ctx, "C1", domain.StreamQuery{OccurredUntil: time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil || !c.Registered() || c.View().Party.Branch != "" {
		t.Fatalf("as of 2019 the compound is registered without a branch: registered=%v branch=%q err=%v", c.Registered(), c.View().Party.Branch, err)
	}
	// A fact dated before the registration is refused, and so is one before 1949-10-01.
	for at, rule := range map[time.Time]string{
		time.Date(2017, 12, 31, 0, 0, 0, 0, time.UTC): "command.before_registration",
		time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC):   "date.range",
	} {
		_, err := s.Execute(ctx, "C1", cmd, Meta{OccurredAt: at})
		if e := domain.ErrorOf(err); len(e.Violations) != 1 || e.Violations[0].Rule != rule {
			t.Fatalf("fact dated %s: %v, want %s", at.Format(time.DateOnly), err, rule)
		}
	}
}
