package app

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/casetrack/casetrack/adapters/memory"
	"github.com/casetrack/casetrack/domain"
)

// complaintSteps records a compound with complaint W1 accepted and an
// extension of five working days requested, one hour apart from May 2025.
func complaintSteps(t *testing.T, s *Service, id string) time.Time {
	t.Helper()
	at := time.Date(2025, 5, 5, 1, 0, 0, 0, time.UTC)
	p := domain.Profile{Name: "阳光花园", District: "D", Street: "S", Community: "Q", Kind: domain.KindCommercial, Households: 100,
		PrivateArea: domain.SquareMetres(10000), DeliveredArea: domain.SquareMetres(10000)}
	for _, cmd := range []domain.Command{
		domain.RegisterCompound{Profile: p},
		domain.ReceiveComplaint{ComplaintID: "W1", Channel: domain.ChannelHotline, Kind: domain.KindComplaint, Category: domain.CategoryFees, Summary: "物业费上涨"},
		domain.DispatchComplaint{ComplaintID: "W1", Unit: "阳光物业"},
		domain.AcceptComplaint{ComplaintID: "W1"},
		domain.RequestComplaintExtension{ComplaintID: "W1", WorkingDays: 5, Reason: "需要报价"},
	} {
		at = at.Add(time.Hour)
		if _, err := s.Execute(context.Background(), id, cmd, Meta{OccurredAt: at}); err != nil {
			t.Fatalf("%T: %v", cmd, err)
		}
	}
	return at
}

// A grant of 9e18 working days used to count them day by day while holding
// the compound's lock. It is refused before any date arithmetic.
func TestExtensionOfHugeWorkingDaysIsRefusedAtOnce(t *testing.T) {
	s := testService(memory.NewStore())
	at := complaintSteps(t, s, "C1")
	cmd, err := domain.ParseCommand("decide-complaint-extension", json.RawMessage(`{"complaint_id":"W1","granted":true,"working_days":9000000000000000000}`))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := s.Execute(context.Background(), "C1", cmd, Meta{OccurredAt: at.Add(time.Hour)})
		done <- err
	}()
	select {
	case err := <-done:
		e := domain.ErrorOf(err)
		if e.Code != domain.CodeInvalid || len(e.Violations) != 1 || e.Violations[0].Rule != "number.range" || e.Violations[0].Field != "working_days" {
			t.Fatalf("huge extension: %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("decide-complaint-extension with 9e18 working days did not return within 2 s")
	}
}

// damaged serves a stream with one version dropped or its payload altered,
// as a damaged database would.
type damaged struct {
	domain.EventStore
	version uint64
	alter   bool
}

func (d damaged) ReadStream(ctx context.Context, id string, q domain.StreamQuery) ([]domain.Envelope, error) {
	events, err := d.EventStore.ReadStream(ctx, id, q)
	var out []domain.Envelope
	for _, e := range events {
		switch {
		case e.Version != d.version:
		case d.alter:
			e.Data = json.RawMessage(`{"complaint_id":"W9"}`)
		default:
			continue
		}
		out = append(out, e)
	}
	return out, err
}

func TestCommandsOnADamagedStreamAreRefused(t *testing.T) {
	for _, tc := range []struct {
		name    string
		version uint64
		alter   bool
	}{
		{"middle event missing", 2, false}, // the complaint's receipt: the dispatch after it cannot be folded
		{"first event missing", 1, false},
		{"payload altered", 3, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := memory.NewStore()
			at := complaintSteps(t, testService(store), "C1")
			s := testService(damaged{store, tc.version, tc.alter}) // a fresh process: nothing cached
			cmd := domain.EstablishPartyBranch{Branch: "党支部", Secretary: "书记"}
			_, err := s.Execute(context.Background(), "C1", cmd, Meta{OccurredAt: at.Add(time.Hour)})
			if domain.ErrorCode(err) != domain.CodeIntegrity {
				t.Fatalf("command on a damaged stream: %v, want code integrity", err)
			}
			if all, _ := store.ReadAll(context.Background(), 0, 0); len(all) != 5 {
				t.Fatalf("the refused command wrote: %d events", len(all))
			}
		})
	}
	// Folding a stream with a hole reports it instead of crashing.
	store := memory.NewStore()
	complaintSteps(t, testService(store), "C1")
	events, _ := damaged{store, 2, false}.ReadStream(context.Background(), domain.StreamID("C1"), domain.StreamQuery{})
	if _, err := domain.FoldCompound("C1", events); domain.ErrorCode(err) != domain.CodeIntegrity {
		t.Fatalf("fold with a missing event: %v", err)
	}
}

// The aggregate cache is bounded in bytes: however many compounds are
// touched, what it keeps stays within its bound plus the compound in hand.
func TestAggregateCacheIsBoundedInBytes(t *testing.T) {
	const bound = 8 << 10
	s := NewService(memory.NewStore(), domain.DefaultRuleBook(), WithCacheBytes(bound),
		WithClock(func() time.Time { return time.Date(2025, 6, 1, 2, 0, 0, 0, time.UTC) }))
	var largest int64
	for i := range 40 {
		complaintSteps(t, s, fmt.Sprintf("C%d", i))
		s.cache.mu.Lock()
		var sum int64
		for _, e := range s.cache.entries {
			sum += e.size
			largest = max(largest, e.size)
		}
		bytes, n := s.cache.bytes, len(s.cache.entries)
		s.cache.mu.Unlock()
		if sum != bytes || bytes > bound+largest {
			t.Fatalf("after %d compounds: %d bytes counted, %d summed, bound %d", i+1, bytes, sum, bound)
		}
		if i == 39 && (n >= 40 || n == 0) {
			t.Fatalf("%d compounds cached of 40 under a %d-byte bound", n, bound)
		}
	}
	if largest < eventOverhead*5 {
		t.Fatalf("a compound of five events weighs %d bytes", largest)
	}
}
