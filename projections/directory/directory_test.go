package directory_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections/directory"
)

func profile(name, district, street, community string) domain.Profile {
	return domain.Profile{Name: name, District: district, Street: street, Community: community, Kind: domain.KindCommercial,
		Households: 100, PrivateArea: domain.SquareMetres(10000), DeliveredArea: domain.SquareMetres(10000), PropertyCompany: "甲物业"}
}

func execute(t *testing.T, svc *domain.Service, id, name string, body any) domain.AppendResult {
	t.Helper()
	raw, _ := json.Marshal(body)
	cmd, err := domain.ParseCommand(name, raw)
	if err != nil {
		t.Fatal(err)
	}
	res, err := svc.Execute(t.Context(), id, cmd, domain.Meta{})
	if err != nil {
		t.Fatalf("%s %s: %v", name, id, err)
	}
	return res
}

// follow starts a directory on store and stops it with the test.
func follow(t *testing.T, store domain.EventStore) *directory.Directory {
	t.Helper()
	dir := directory.New()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- dir.Follow(ctx, store) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != context.Canceled {
			t.Errorf("Follow: %v", err)
		}
	})
	return dir
}

func wait(t *testing.T, dir *directory.Directory, pos uint64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := dir.WaitFor(ctx, pos); err != nil {
		t.Fatalf("WaitFor(%d): %v (at %d)", pos, err, dir.Position())
	}
}

func ids(entries []directory.Entry) []string {
	out := []string{}
	for _, e := range entries {
		out = append(out, e.ID)
	}
	return out
}

func TestList(t *testing.T) {
	store := domain.NewMemoryStore()
	svc := domain.NewService(store, domain.DefaultRuleBook())
	dir := follow(t, store)

	execute(t, svc, "c3", "register", profile("三号院", "海淀", "中关村", "东区"))
	execute(t, svc, "c1", "register", profile("一号院", "海淀", "中关村", "西区"))
	execute(t, svc, "c2", "register", profile("二号院", "朝阳", "望京", "东区"))
	execute(t, svc, "c1", "establish-party-branch", map[string]string{"branch": "一号院党支部", "secretary": "王芳"})
	last := execute(t, svc, "c1", "change-property-company", map[string]string{"company": "乙物业"})
	wait(t, dir, last.Position)

	tests := []struct {
		name   string
		filter directory.Filter
		want   []string
	}{
		{"all, sorted by ID", directory.Filter{}, []string{"c1", "c2", "c3"}},
		{"district", directory.Filter{District: "海淀"}, []string{"c1", "c3"}},
		{"street", directory.Filter{Street: "望京"}, []string{"c2"}},
		{"community across districts", directory.Filter{Community: "东区"}, []string{"c2", "c3"}},
		{"all fields", directory.Filter{District: "海淀", Street: "中关村", Community: "西区"}, []string{"c1"}},
		{"no match", directory.Filter{District: "西城"}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ids(dir.List(tt.filter)); !slices.Equal(got, tt.want) {
				t.Errorf("List(%+v) = %v, want %v", tt.filter, got, tt.want)
			}
		})
	}

	got, ok := dir.Get("c1")
	want := directory.Entry{ID: "c1", Name: "一号院", District: "海淀", Street: "中关村", Community: "西区",
		Kind: domain.KindCommercial, Households: 100, PropertyCompany: "乙物业"}
	if !ok || got != want {
		t.Errorf("Get(c1) = %+v, %v; want %+v", got, ok, want)
	}
	if _, ok := dir.Get("nope"); ok {
		t.Error("Get(nope) found an entry")
	}
	if dir.Position() != last.Position {
		t.Errorf("Position = %d, want %d", dir.Position(), last.Position)
	}
}

// TestCatchUp starts the directory on a log longer than one page.
func TestCatchUp(t *testing.T) {
	store := domain.NewMemoryStore()
	svc := domain.NewService(store, domain.DefaultRuleBook())
	n := directory.PageSize + 7
	var last domain.AppendResult
	for i := range n {
		last = execute(t, svc, fmt.Sprintf("c%04d", i), "register", profile("院", "D", "S", "Q"))
	}
	dir := follow(t, store)
	wait(t, dir, last.Position)
	if got := len(dir.List(directory.Filter{})); got != n {
		t.Errorf("%d entries, want %d", got, n)
	}
}

func TestWaitForTimesOut(t *testing.T) {
	dir := follow(t, domain.NewMemoryStore())
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	if err := dir.WaitFor(ctx, 1); err != context.DeadlineExceeded {
		t.Errorf("WaitFor on an empty log = %v, want deadline exceeded", err)
	}
	if err := dir.WaitFor(ctx, 0); err != nil {
		t.Errorf("WaitFor(0) = %v", err)
	}
}

// TestFollowStopsOnBadEvent: an undecodable event is a bug upstream; Follow
// reports it instead of skipping the compound silently.
func TestFollowStopsOnBadEvent(t *testing.T) {
	store := domain.NewMemoryStore()
	_, err := store.Append(t.Context(), domain.AppendRequest{StreamID: domain.StreamID("x"), Events: []domain.Envelope{
		{Type: "CompoundRegistered", SchemaVersion: 1, Data: json.RawMessage(`{"households":"many"}`)}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := directory.New().Follow(t.Context(), store); err == nil || err == context.Canceled {
		t.Errorf("Follow = %v, want a decode error", err)
	}
}
