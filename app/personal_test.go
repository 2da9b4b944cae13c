package app_test

import (
	"bytes"
	"context"
	"log/slog"
	"testing"

	"github.com/casetrack/casetrack/adapters/memory"
	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/domain"
)

func sealedComplaint(t *testing.T, pd *app.PersonalData, complaintID string) domain.Personal {
	t.Helper()
	store := memory.NewStore()
	svc := app.NewService(store, domain.DefaultRuleBook(), app.WithPersonalData(pd))
	ctx := context.Background()
	for _, cmd := range []domain.Command{
		domain.RegisterCompound{Profile: domain.Profile{Name: "小区", District: "区", Street: "街道", Community: "社区",
			Kind: domain.KindCommercial, Households: 10, PrivateArea: 1000, DeliveredArea: 1000, PropertyCompany: "物业"}},
		domain.ReceiveComplaint{ComplaintID: complaintID, Channel: domain.ChannelHotline, Kind: domain.KindComplaint,
			Category: domain.CategoryFees, Summary: "x", ComplainantName: "王某", ComplainantPhone: "13912345678"},
	} {
		if _, err := svc.Execute(ctx, "c1", cmd, app.Meta{}); err != nil {
			t.Fatal(err)
		}
	}
	events, err := store.ReadStream(ctx, domain.StreamID("c1"), domain.StreamQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(events[1].Data, []byte("13912345678")) {
		t.Fatal("the stored event holds the phone in clear")
	}
	ev, err := events[1].Decode()
	if err != nil {
		t.Fatal(err)
	}
	return ev.(domain.ComplaintReceived).Complainant
}

// A sealed value opens only as the subject it was sealed for: moved into
// another subject's event, or altered, it is an integrity error, never
// another person's data or a silent erasure.
func TestSealedDataOpensOnlyForItsSubject(t *testing.T) {
	pd := app.NewPersonalData(memory.NewKeys(), slog.New(slog.DiscardHandler))
	k1, k2 := sealedComplaint(t, pd, "k1"), sealedComplaint(t, pd, "k2")
	who := app.Reader{User: "u", Role: "street_office", Purpose: "test"}
	moved := domain.Personal{Subject: k2.Subject, Sealed: k1.Sealed}
	if _, err := pd.Open(context.Background(), who, []domain.Personal{moved}); domain.ErrorCode(err) != domain.CodeIntegrity {
		t.Errorf("a ciphertext moved to another subject: %v", err)
	}
	altered := k1
	altered.Sealed = "A" + altered.Sealed[1:]
	if altered.Sealed == k1.Sealed {
		altered.Sealed = "B" + altered.Sealed[1:]
	}
	if _, err := pd.Open(context.Background(), who, []domain.Personal{altered}); domain.ErrorCode(err) != domain.CodeIntegrity {
		t.Errorf("an altered ciphertext: %v", err)
	}
	opened, err := pd.Open(context.Background(), who, []domain.Personal{k1, k2})
	if err != nil || opened[0].Fields[domain.FieldPhone] != "13912345678" || opened[1].Subject != k2.Subject {
		t.Errorf("opened %+v, %v", opened, err)
	}
}

// Two complaints of one resident are two subjects: forgetting one leaves
// the other readable.
func TestForgetIsPerSubject(t *testing.T) {
	pd := app.NewPersonalData(memory.NewKeys(), slog.New(slog.DiscardHandler))
	k1, k2 := sealedComplaint(t, pd, "k1"), sealedComplaint(t, pd, "k2")
	if done, err := pd.Forget(context.Background(), domain.Actor{UserID: "admin"}, k1.Subject); !done || err != nil {
		t.Fatal(done, err)
	}
	opened, err := pd.Open(context.Background(), app.Reader{User: "u"}, []domain.Personal{k1, k2})
	if err != nil || !opened[0].Erased || opened[1].Fields[domain.FieldName] != "王某" {
		t.Errorf("opened %+v, %v", opened, err)
	}
	if _, err := pd.Forget(context.Background(), domain.Actor{}, "not a subject"); domain.ErrorCode(err) != domain.CodeInvalid {
		t.Errorf("forget of a malformed subject: %v", err)
	}
}
