package http

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/casetrack/casetrack/adapters/memory"
	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/domain"
)

const (
	residentName  = "欧阳测试"
	residentPhone = "17000001234"
)

// Complainants' names and phones are shown to the street office and the
// community worker of the compound (each read recorded), sealed to every
// other role, in no export; forget erases them and changes nothing else.
func TestPersonalDataAndForget(t *testing.T) {
	f, feed := servedFixture(t)
	f.ok("c1", "register", registerBody)
	f.ok("c1", "receive-complaint", `{"complaint_id":"k1","channel":"hotline","kind":"complaint","category":"fees","summary":"x",
		"complainant_name":"`+residentName+`","complainant_phone":"`+residentPhone+`"}`)
	feed()
	subject := domain.ComplainantSubject("c1", "k1")
	get := func(role domain.Role, target string) []byte {
		t.Helper()
		rec := f.do("GET", target, nil, bearer(f.as(role))...)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s as %s: %d %s", target, role, rec.Code, rec.Body)
		}
		if !strings.HasSuffix(target, "xlsx") {
			return rec.Body.Bytes()
		}
		wb, err := excelize.OpenReader(rec.Body) // its cells' text: the file is zipped
		if err != nil {
			t.Fatal(err)
		}
		defer wb.Close()
		var text bytes.Buffer
		for _, sheet := range wb.GetSheetList() {
			rows, err := wb.GetRows(sheet)
			if err != nil {
				t.Fatal(err)
			}
			for _, row := range rows {
				text.WriteString(strings.Join(row, "\t") + "\n")
			}
		}
		if !strings.Contains(text.String(), "阳光花园") {
			t.Fatalf("the workbook does not list the compound:\n%s", text.String())
		}
		return text.Bytes()
	}
	clear := func(b []byte) bool {
		return bytes.Contains(b, []byte(residentName)) || bytes.Contains(b, []byte(residentPhone))
	}
	reads := []string{"/api/v1/compounds/c1", "/api/v1/compounds/c1/history"}

	for _, role := range []domain.Role{street, community} {
		for _, target := range reads {
			b := get(role, target)
			if !bytes.Contains(b, []byte(`"complainant":{"subject":"`+subject+`","fields":{"name":"`+residentName+`","phone":"`+residentPhone+`"}}`)) {
				t.Errorf("%s as %s does not show the complainant: %s", target, role, b)
			}
		}
	}
	// The history's stored data stays as hashed: sealed, and its chain checks.
	var h struct {
		ChainValid bool `json:"chain_valid"`
		Events     []struct{ domain.Envelope }
	}
	if err := json.Unmarshal(get(street, "/api/v1/compounds/c1/history"), &h); err != nil {
		t.Fatal(err)
	}
	envelopes := make([]domain.Envelope, len(h.Events))
	for i, e := range h.Events {
		envelopes[i] = e.Envelope
		if clear(e.Data) {
			t.Errorf("the stored data of version %d is shown opened: %s", e.Version, e.Data)
		}
	}
	if err := domain.VerifyChain(envelopes); err != nil || !h.ChainValid {
		t.Errorf("the chain as shown does not verify: %v", err)
	}
	for _, role := range []domain.Role{auditor, inspector, hotline} {
		for _, target := range reads {
			if role == hotline && strings.HasSuffix(target, "history") {
				continue // not the hotline's route
			}
			if b := get(role, target); clear(b) || !bytes.Contains(b, []byte(`"sealed":"`)) {
				t.Errorf("%s as %s shows the personal data or no sealed value: %s", target, role, b)
			}
		}
	}
	// Every read by a permitted role is recorded: who, which subject, when.
	recs, err := f.keys.Accesses(t.Context(), subject)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 5 { // four reads above and the history decoded for its chain
		t.Errorf("%d reads recorded, want 5: %+v", len(recs), recs)
	}
	for _, r := range recs {
		if r.User != "zgc" && r.User != "dongqu" || r.At.IsZero() || !strings.HasPrefix(r.Purpose, "GET /api/v1/compounds/c1") {
			t.Errorf("read record %+v", r)
		}
	}
	if !strings.Contains(f.log.String(), `"msg":"personal data read","subject":"`+subject+`","user":"zgc","role":"street_office"`) {
		t.Errorf("no log line of the read:\n%s", f.log)
	}
	if clear(f.log.Bytes()) {
		t.Error("the log holds the personal data")
	}

	if clear(get(street, "/api/v1/deadlines")) {
		t.Error("the deadlines hold the personal data")
	}
	exports := []string{"/api/v1/league/compound?format=csv", "/api/v1/league/compound?format=xlsx", "/api/v1/league/street"}
	before := map[string][]byte{}
	for _, target := range exports {
		before[target] = get(street, target)
		if clear(before[target]) {
			t.Errorf("%s holds the personal data", target)
		}
	}
	events := get(auditor, "/api/v1/compounds/c1/history")

	rec := f.do("POST", "/api/v1/subjects/"+subject+"/forget", nil, bearer(f.as(admin))...)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"erased":true`) {
		t.Fatalf("forget: %d %s", rec.Code, rec.Body)
	}
	if !strings.Contains(f.log.String(), `"msg":"personal data erased","subject":"`+subject+`","user":"admin"`) {
		t.Errorf("the erasure is not logged:\n%s", f.log)
	}
	for _, target := range reads {
		b := get(street, target)
		if clear(b) || !bytes.Contains(b, []byte(`"complainant":{"subject":"`+subject+`","erased":true}`)) {
			t.Errorf("%s after forget: %s", target, b)
		}
	}
	for _, target := range exports {
		if after := get(street, target); !bytes.Equal(after, before[target]) {
			t.Errorf("%s changed with the erasure:\n%s\n%s", target, before[target], after)
		}
	}
	if after := get(auditor, "/api/v1/compounds/c1/history"); !bytes.Equal(after, events) {
		t.Error("the history (events, hashes) changed with the erasure")
	}
}

// A complaint naming its resident on a store without keys is refused, in
// both languages, and nothing is written.
func TestPersonalDataRefusedWithoutKeys(t *testing.T) {
	f := newFixture(t)
	f.ok("c1", "register", registerBody)
	rec := f.do("POST", "/api/v1/compounds/c1/receive-complaint", `{"complaint_id":"k1","channel":"hotline","kind":"complaint",
		"category":"fees","summary":"x","complainant_phone":"`+residentPhone+`"}`)
	hasViolation(t, problemOf(t, rec, http.StatusUnprocessableEntity), "", "personal.not_kept")
	if bytes.Contains(rec.Body.Bytes(), []byte(residentPhone)) {
		t.Error("the refusal echoes the phone")
	}
}

// sealedTamperedStore changes one character of every sealed ciphertext it
// reads and recomputes the stream's hash chain, as an insider who edits
// the database and its unkeyed chain would: the stream folds, the sealed
// field no longer opens.
type sealedTamperedStore struct{ *memory.Store }

func (s sealedTamperedStore) ReadStream(ctx context.Context, id string, q domain.StreamQuery) ([]domain.Envelope, error) {
	events, err := s.Store.ReadStream(ctx, id, q)
	for i := range events {
		prev := events[i].PrevHash
		if i > 0 {
			prev = events[i-1].Hash
		}
		if at := bytes.Index(events[i].Data, []byte(`"sealed":"`)); at >= 0 {
			data := bytes.Clone(events[i].Data)
			c := &data[at+len(`"sealed":"`)]
			*c = map[bool]byte{true: 'B', false: 'A'}[*c == 'A']
			events[i].Data = data
		}
		events[i].Seal(prev)
	}
	return events, err
}

// A sealed field that does not open in an answer is the integrity
// problem (409, code integrity), not a 500; roles that
// see it sealed are not concerned.
func TestTamperedSealedFieldIsIntegrityProblem(t *testing.T) {
	f, _ := servedFixtureOn(t, sealedTamperedStore{memory.NewStore()})
	f.ok("c1", "register", registerBody)
	f.ok("c1", "receive-complaint", `{"complaint_id":"k1","channel":"hotline","kind":"complaint","category":"fees","summary":"x",
		"complainant_name":"`+residentName+`","complainant_phone":"`+residentPhone+`"}`)
	p := problemOf(t, f.do("GET", "/api/v1/compounds/c1", nil, bearer(f.as(street))...), http.StatusConflict)
	if p.Code != domain.CodeIntegrity || !strings.Contains(p.Detail, "complainant:c1:k1") {
		t.Errorf("problem %+v, want code integrity naming the subject", p)
	}
	if rec := f.do("GET", "/api/v1/compounds/c1", nil, bearer(f.as(inspector))...); rec.Code != http.StatusOK {
		t.Errorf("the inspector, who sees it sealed: %d %s", rec.Code, rec.Body)
	}
}

// newFixtureWithKeys is newFixture sealing personal data with the keys of
// f.keys, for tests that record candidates (their unit and birth date are
// personal data).
func newFixtureWithKeys(t *testing.T) *fixture {
	f := newFixture(t)
	f.keys = memory.NewKeys()
	pd := app.NewPersonalData(f.keys, slog.New(slog.NewJSONHandler(f.log, nil)))
	f.srv = f.newServer(app.NewService(f.store, domain.DefaultRuleBook(), app.WithClock(func() time.Time { return f.now }), app.WithPersonalData(pd)), f.log)
	return f
}

// A candidate's unit, birth date and ID number are opened for the street
// office and the community worker only; the vetting's age check reads the
// sealed birth date; after forget they read as erased, and a vetting that
// needs the birth date is refused.
func TestCandidatePersonalDataAndForget(t *testing.T) {
	f := newFixtureWithKeys(t)
	f.ok("c1", "register", registerBody)
	f.ok("c1", "apply-for-assembly", `{"applicants":30}`)
	f.ok("c1", "form-preparatory-group", `{"members":[{"name":"张三","role":"street","leader":true},{"name":"李四","role":"owner"},{"name":"王五","role":"owner"}],"posted":true}`)
	f.ok("c1", "nominate-candidate", `{"candidate_id":"p1","name":"王芳","unit":"18-2602","birth_date":"1949-12-31","id_number":"11010519491231002X"}`)
	subject := domain.CandidateSubject("c1", "p1")
	clear := func(b string) bool {
		return strings.Contains(b, "18-2602") || strings.Contains(b, "1949-12-31") || strings.Contains(b, "11010519491231002X")
	}
	read := func(role domain.Role) string {
		t.Helper()
		rec := f.do("GET", "/api/v1/compounds/c1", nil, bearer(f.as(role))...)
		if rec.Code != http.StatusOK {
			t.Fatalf("as %s: %d %s", role, rec.Code, rec.Body)
		}
		return rec.Body.String()
	}
	opened := `"personal":{"subject":"` + subject + `","fields":{"birth_date":"1949-12-31","id_number":"11010519491231002X","unit":"18-2602"}}`
	for _, role := range []domain.Role{street, community} {
		if b := read(role); !strings.Contains(b, opened) {
			t.Errorf("as %s the candidate is not opened: %s", role, b)
		}
	}
	for _, role := range []domain.Role{auditor, inspector, hotline} {
		if b := read(role); clear(b) || !strings.Contains(b, `"sealed":"`) {
			t.Errorf("as %s the candidate's personal data shows: %s", role, b)
		}
	}
	// The age check agrees with the sealed birth date, opened for the decision.
	age := domain.NewDate(time.Date(1949, 12, 31, 0, 0, 0, 0, domain.China)).AgeAt(f.now)
	var checks []string
	for _, c := range domain.DefaultRuleBook().At(f.now).Committee.VettingChecks {
		checks = append(checks, fmt.Sprintf(`{"check":%q,"passed":%t,"evidence":"x"}`, c, c != domain.CheckAge || age >= 18 && age <= 75))
	}
	vet := `{"candidate_id":"p1","checks":[` + strings.Join(checks, ",") + `]}`
	f.ok("c1", "vet-candidate", vet, bearer(f.as(street))...)
	if rec := f.do("POST", "/api/v1/subjects/"+subject+"/forget", nil, bearer(f.as(admin))...); rec.Code != http.StatusOK {
		t.Fatalf("forget: %d %s", rec.Code, rec.Body)
	}
	if b := read(street); clear(b) || !strings.Contains(b, `"personal":{"subject":"`+subject+`","erased":true}`) {
		t.Errorf("after forget: %s", b)
	}
	hasViolation(t, problemOf(t, f.do("POST", "/api/v1/compounds/c1/vet-candidate", vet, bearer(f.as(street))...), http.StatusUnprocessableEntity),
		"checks[2].passed", "vetting.birth_date_unknown")
}
