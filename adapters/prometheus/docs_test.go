package prometheus

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/casetrack/casetrack/adapters/memory"
	"github.com/casetrack/casetrack/projections"
	"github.com/casetrack/casetrack/projections/directory"
)

// The metrics list of docs/operations.md and the Grafana dashboard name
// the metrics that exist, and the list names them all.
func TestDocsNameTheMetrics(t *testing.T) {
	m := New()
	m.Store(memory.NewStore())
	r, err := projections.NewRunner(directory.New, projections.NewMemoryCheckpoints(), 10)
	if err != nil {
		t.Fatal(err)
	}
	m.Projections(r)
	m.InFlight(func() (int, int) { return 0, 0 })
	m.commands.WithLabelValues("register", "recorded") // vectors are gathered once they have a series
	m.commandTime.WithLabelValues("register")
	m.requests.WithLabelValues("GET", "/healthz", "200")
	m.appends.WithLabelValues("ok")
	m.rebuilds.WithLabelValues("directory", "ok")
	m.busErrors.WithLabelValues("directory")
	families, err := m.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var ours []string
	for _, f := range families {
		if strings.HasPrefix(f.GetName(), "casetrack_") {
			ours = append(ours, f.GetName())
		}
	}
	named := regexp.MustCompile(`casetrack_[a-z_]+`)
	exists := func(name string) bool {
		for _, suffix := range []string{"", "_bucket", "_count", "_sum"} {
			if slices.Contains(ours, strings.TrimSuffix(name, suffix)) && strings.HasSuffix(name, suffix) {
				return true
			}
		}
		return false
	}
	for _, path := range []string{"../../docs/operations.md", "../../docs/grafana-dashboard.json"} {
		doc, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range named.FindAllString(string(doc), -1) {
			if !exists(name) {
				t.Errorf("%s names %s, which is no metric", path, name)
			}
		}
		if strings.HasSuffix(path, ".md") {
			for _, name := range ours {
				if !strings.Contains(string(doc), "`"+name+"`") {
					t.Errorf("%s does not list %s", path, name)
				}
			}
		}
	}
}
