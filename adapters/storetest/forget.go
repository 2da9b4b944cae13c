package storetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
	"github.com/casetrack/casetrack/projections/credit"
	"github.com/casetrack/casetrack/projections/deadlines"
	"github.com/casetrack/casetrack/projections/directory"
	"github.com/casetrack/casetrack/projections/league"
)

// The personal data the erasure tests record, searched for in the raw
// bytes of every store.
const (
	ForgetName      = "欧阳测试"
	ForgetPhone     = "17000001234"
	ForgetIDNumber  = "11010519491231002X" // the standard's sample number
	ForgetUnit      = "18-2602"
	ForgetBirthDate = "1949-12-31"
)

// Forget checks erasure on an event store and its key store: personal
// fields are sealed before they are hashed, so neither the log nor the
// read models nor raw (every byte or row the store holds, as one blob)
// ever hold them in clear; forgetting the subject leaves the stored
// events, their hashes, every projection's rebuild and the league tables
// exactly as they were, and the fields then read as erased.
func Forget(t *testing.T, es domain.EventStore, keys domain.KeyStore, raw func(t *testing.T) []byte) {
	ctx := context.Background()
	var logs bytes.Buffer
	pd := app.NewPersonalData(keys, slog.New(slog.NewJSONHandler(&logs, nil)))
	book := domain.DefaultRuleBook()
	svc := app.NewService(es, book, app.WithPersonalData(pd))
	vet := RecordPersonal(t, svc, book)
	complainant, candidate := ForgetComplainant, ForgetCandidate
	noClearText := func(when string) {
		t.Helper()
		all := raw(t)
		for _, s := range ForgetClear {
			if bytes.Contains(all, []byte(s)) {
				t.Errorf("%s: the store's bytes hold %q in clear", when, s)
			}
		}
		if !bytes.Contains(all, []byte(complainant)) {
			t.Errorf("%s: raw holds no subject ID: it does not show the store's contents", when)
		}
	}
	noClearText("before forget")
	before := Snapshot(t, es, book)
	reader := app.Reader{User: "worker", Role: string(domain.RoleCommunityWorker), Purpose: "test"}
	opened := OpenSubjects(t, pd, reader, before.Events)
	if f := opened[complainant].Fields; f[domain.FieldName] != ForgetName || f[domain.FieldPhone] != ForgetPhone {
		t.Fatalf("the complainant opens to %v", opened[complainant])
	}
	if f := opened[candidate].Fields; f[domain.FieldIDNumber] != ForgetIDNumber || f[domain.FieldUnit] != ForgetUnit || f[domain.FieldBirthDate] != ForgetBirthDate {
		t.Fatalf("the candidate opens to %v", opened[candidate])
	}
	if recs, err := keys.Accesses(ctx, complainant); err != nil || len(recs) != 1 || recs[0].User != "worker" || recs[0].At.IsZero() {
		t.Errorf("the read is not recorded: %+v, %v", recs, err)
	}
	if !bytes.Contains(logs.Bytes(), []byte(`"msg":"personal data read","subject":"`+complainant+`","user":"worker"`)) ||
		bytes.Contains(logs.Bytes(), []byte(ForgetPhone)) {
		t.Errorf("the read is not logged, or the log holds the data:\n%s", logs.String())
	}

	for _, s := range []string{complainant, candidate} {
		if done, err := pd.Forget(ctx, domain.Actor{UserID: "admin", Role: string(domain.RoleAdmin)}, s); err != nil || !done {
			t.Fatalf("forget %s: %v, %v", s, done, err)
		}
	}
	if done, err := pd.Forget(ctx, domain.Actor{UserID: "admin"}, complainant); err != nil || done {
		t.Errorf("a second forget: %v, %v; want nothing done", done, err)
	}
	after := Snapshot(t, es, book)
	Unchanged(t, before, after)
	noClearText("after forget")
	opened = OpenSubjects(t, pd, reader, after.Events)
	if p := opened[complainant]; !p.Erased || p.Fields != nil {
		t.Errorf("after forget the complainant opens to %+v", p)
	}
	if p := opened[candidate]; !p.Erased || p.Fields != nil {
		t.Errorf("after forget the candidate opens to %+v", p)
	}
	if p := opened[domain.ComplainantSubject("c1", "k2")]; p.Fields[domain.FieldName] != "另一位" {
		t.Errorf("another subject was erased too: %+v", p)
	}
	// The birth date is gone: the age check cannot be decided again, and
	// nothing is recorded.
	if _, err := svc.Execute(ctx, "c1", vet, app.Meta{OccurredAt: time.Date(2025, 5, 1, 9, 0, 0, 0, domain.China)}); !hasRule(err, "vetting.birth_date_unknown") {
		t.Errorf("vetting a forgotten candidate: %v", err)
	}
	if again := Snapshot(t, es, book); !bytes.Equal(again.Events, after.Events) {
		t.Error("the refused vetting wrote to the log")
	}
	// Nothing is recorded again for a forgotten subject.
	if _, err := keys.CreateKey(ctx, complainant, make([]byte, 32)); domain.ErrorCode(err) != domain.CodeRejected {
		t.Errorf("a new key for a forgotten subject: %v", err)
	}
}

// The subjects RecordPersonal records, and what of theirs no store, read
// model or log may hold in clear.
var (
	ForgetComplainant = domain.ComplainantSubject("c1", "k1")
	ForgetCandidate   = domain.CandidateSubject("c1", "p1")
	ForgetClear       = []string{ForgetName, ForgetPhone, ForgetIDNumber, ForgetUnit, ForgetBirthDate}
)

// RecordPersonal records compound c1 through svc: two complaints naming
// their residents, and a candidate nominated with unit, birth date and ID
// number and vetted (the age check opens the sealed birth date). It
// returns the vetting, which cannot be decided once the birth date is
// erased.
func RecordPersonal(t testing.TB, svc *app.Service, book domain.RuleBook) domain.VetCandidate {
	t.Helper()
	ctx := context.Background()
	do := func(cmd domain.Command, at time.Time) {
		t.Helper()
		if _, err := svc.Execute(ctx, "c1", cmd, app.Meta{OccurredAt: at}); err != nil {
			t.Fatalf("%T: %v", cmd, err)
		}
	}
	day := func(m time.Month, d int) time.Time { return time.Date(2025, m, d, 9, 0, 0, 0, domain.China) }
	do(domain.RegisterCompound{Profile: domain.Profile{Name: "测试小区", District: "城东区", Street: "东湖街道", Community: "东湖社区",
		Kind: domain.KindCommercial, Households: 100, PrivateArea: 10000, DeliveredArea: 8000, PropertyCompany: "甲物业"}}, day(1, 2))
	do(domain.ReceiveComplaint{ComplaintID: "k1", Channel: domain.ChannelHotline, Kind: domain.KindComplaint, Category: domain.CategoryFees,
		Summary: "物业费", ComplainantName: ForgetName, ComplainantPhone: ForgetPhone}, day(3, 3))
	do(domain.ReceiveComplaint{ComplaintID: "k2", Channel: domain.ChannelVisit, Kind: domain.KindComplaint, Category: domain.CategoryParking,
		Summary: "停车", ComplainantName: "另一位", ComplainantPhone: "010-87654321"}, day(3, 4))
	do(domain.DispatchComplaint{ComplaintID: "k1", Unit: "甲物业"}, day(3, 4))
	do(domain.ApplyForAssembly{Applicants: 10}, day(4, 1))
	do(domain.FormPreparatoryGroup{Posted: true, Members: []domain.GroupMember{{Name: "街道", Role: domain.RoleStreet, Leader: true},
		{Name: "甲", Role: domain.RoleOwner}, {Name: "乙", Role: domain.RoleOwner}}}, day(4, 10))
	do(domain.NominateCandidate{CandidateID: "p1", Name: "候选人", Unit: ForgetUnit, BirthDate: domain.NewDate(time.Date(1949, 12, 31, 0, 0, 0, 0, domain.China)),
		IDNumber: ForgetIDNumber}, day(4, 20))
	// The age check reads the sealed birth date, opened for the decision:
	// 75 on the day, within the range, as the check says.
	vet := domain.VetCandidate{CandidateID: "p1"}
	for _, check := range book.At(day(4, 25)).Committee.VettingChecks {
		vet.Checks = append(vet.Checks, domain.CheckResult{Check: check, Passed: true, Evidence: "材料齐全"})
	}
	do(vet, day(4, 25))
	return vet

}

// State is what forget must leave as it was.
type State struct {
	Events  []byte              // the whole log as JSON: payload bytes, hashes, positions
	Digests map[string][32]byte // each projection's state after a rebuild from zero (its JSON)
	Table   []byte              // the compound league table of 2025
}

// Unchanged reports every way after differs from before.
func Unchanged(t testing.TB, before, after State) {
	t.Helper()
	if !bytes.Equal(before.Events, after.Events) {
		t.Error("the stored events (bytes, hashes, positions) changed")
	}
	for name, digest := range before.Digests {
		if after.Digests[name] != digest {
			t.Errorf("the rebuild of %s changed", name)
		}
	}
	if !bytes.Equal(before.Table, after.Table) {
		t.Errorf("the league table changed:\n%s\n%s", before.Table, after.Table)
	}
}

// Snapshot reads what forget must leave as it was: the log, each
// projection rebuilt from zero, the league table.
func Snapshot(t *testing.T, es domain.EventStore, book domain.RuleBook) State {
	t.Helper()
	ctx := context.Background()
	all, err := es.ReadAll(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := domain.VerifyChain(streamOf(all, domain.StreamID("c1"))); err != nil {
		t.Fatal(err)
	}
	s := State{Digests: map[string][32]byte{}}
	if s.Events, err = json.Marshal(all); err != nil {
		t.Fatal(err)
	}
	lm := league.New(book)
	for _, p := range []projections.Projection{directory.New(), lm, credit.New(book), deadlines.New()} {
		if err := projections.Fold(ctx, es, p, 0); err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(p) // the exported state, map keys sorted (a gob snapshot's order varies)
		if err != nil {
			t.Fatal(err)
		}
		s.Digests[p.Name()] = sha256.Sum256(b)
	}
	year := league.Period{From: time.Date(2025, 1, 1, 0, 0, 0, 0, domain.China), To: time.Date(2026, 1, 1, 0, 0, 0, 0, domain.China)}
	if s.Table, err = json.Marshal(lm.Table(league.DefaultConfig(), league.Query{Level: league.LevelCompound, Period: year})); err != nil {
		t.Fatal(err)
	}
	return s
}

// OpenSubjects opens every Personal value of the stored events, by subject.
func OpenSubjects(t *testing.T, pd *app.PersonalData, who app.Reader, events []byte) map[string]domain.Personal {
	t.Helper()
	var all []domain.Envelope
	if err := json.Unmarshal(events, &all); err != nil {
		t.Fatal(err)
	}
	var ps []domain.Personal
	for _, e := range all {
		ev, err := e.Decode()
		if err != nil {
			t.Fatal(err)
		}
		if pe, ok := ev.(domain.PersonalEvent); ok {
			pe.MapPersonal(func(p domain.Personal) (domain.Personal, error) { ps = append(ps, p); return p, nil })
		}
	}
	opened, err := pd.Open(context.Background(), who, ps)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]domain.Personal{}
	for _, p := range opened {
		out[p.Subject] = p
	}
	return out
}

// hasRule reports whether err names the broken rule.
func hasRule(err error, rule string) bool {
	e := domain.ErrorOf(err)
	return e != nil && slices.ContainsFunc(e.Violations, func(v domain.Violation) bool { return v.Rule == rule })
}
