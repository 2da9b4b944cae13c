package http

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/casetrack/casetrack/domain"
)

// campaignCopy is a campaign file the test may spoil: the shipped one.
func campaignCopy(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../projections/league/campaign.toml")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "campaign.toml")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCampaignReload: the admin's reload swaps in the edited file at once;
// a broken file is refused with its file and line and the configuration in
// force stays.
func TestCampaignReload(t *testing.T) {
	f, _ := servedFixture(t)
	admin := bearer(f.as(admin))
	before := f.srv.league.Config()
	edited := strings.Replace(readFile(t, f.srv.campaignFile), before.Name, "重新加载测试", 1)
	if err := os.WriteFile(f.srv.campaignFile, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	if rec := f.do("POST", "/api/v1/campaign/reload", nil, admin...); rec.Code != http.StatusOK {
		t.Fatalf("reload: %d %s", rec.Code, rec.Body)
	}
	if got := f.srv.league.Config().Name; got != "重新加载测试" {
		t.Fatalf("campaign after reload is %q", got)
	}
	if err := os.WriteFile(f.srv.campaignFile, []byte(edited+"\n[[metric]\nkey = \n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := problemOf(t, f.do("POST", "/api/v1/campaign/reload", nil, admin...), http.StatusBadRequest)
	if p.Code != domain.CodeInvalid || len(p.Errors) != 1 || p.Errors[0].Field != "campaign" ||
		!strings.Contains(p.Errors[0].Message, f.srv.campaignFile) || !strings.Contains(p.Errors[0].Message, "line") {
		t.Fatalf("bad file answered %+v", p)
	}
	if got := f.srv.league.Config().Name; got != "重新加载测试" {
		t.Fatalf("a bad file changed the campaign to %q", got)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
