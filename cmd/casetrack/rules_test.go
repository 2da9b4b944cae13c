package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/casetrack/casetrack/adapters/memory"
	"github.com/casetrack/casetrack/app"
	"github.com/casetrack/casetrack/domain"
)

// TestMain runs the command itself when asked to, so that a test can
// check its exit status and output.
func TestMain(m *testing.M) {
	if os.Getenv("CASETRACK_TEST_RUN_MAIN") == "1" {
		os.Args = append([]string{"casetrack"}, os.Args[1:]...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// runMain runs casetrack with args in a child process.
func runMain(t *testing.T, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "CASETRACK_TEST_RUN_MAIN=1", "CASETRACK_RULES=", "CASETRACK_STORE=")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		status = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errOut.String(), status
}

// rulesDir makes a city's rule directory: the built-in sets, the calendar and extra
// files by name.
func rulesDir(t *testing.T, extra map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	builtin, err := filepath.Glob("../../domain/rulesets/*.toml")
	if err != nil || len(builtin) != 3 { // two sets and the calendar
		t.Fatalf("built-in rule files %v: %v", builtin, err)
	}
	for _, f := range builtin {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		extra[filepath.Base(f)] = string(b)
	}
	for name, text := range extra {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// citySet is the civil-code set as a city's own from day, with a shorter
// complaint limit.
func citySet(t *testing.T, day string) string {
	t.Helper()
	b, err := os.ReadFile("../../domain/rulesets/2021-01-01-civil-code.toml")
	if err != nil {
		t.Fatal(err)
	}
	s := strings.NewReplacer(`name = "civil-code-2021"`, `name = "city-`+day+`"`, "effective_from = 2021-01-01", "effective_from = "+day,
		"complaint_reply_working_days = 15", "complaint_reply_working_days = 5").Replace(string(b))
	if !strings.Contains(s, "= 5 ") || !strings.Contains(s, day) {
		t.Fatal("the civil-code file changed: adjust citySet")
	}
	return s
}

// A city's set effective from 2026-03-02 shortens the complaint limit to 5
// working days: a complaint received on or after that day is due 5 working
// days later, one received before keeps the 15 of the civil code.
func TestCityRulesApplyFromTheirEffectiveDate(t *testing.T) {
	book, err := loadRules(rulesDir(t, map[string]string{"2026-03-02-city.toml": citySet(t, "2026-03-02")}))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 2, 27, 10, 0, 0, 0, domain.China) // a Friday
	svc := app.NewService(memory.NewStore(), book, app.WithClock(func() time.Time { return now }))
	ctx := context.Background()
	do := func(cmd domain.Command) {
		t.Helper()
		if _, err := svc.Execute(ctx, "C1", cmd, app.Meta{Actor: domain.Actor{UserID: "u1", Role: "street"}}); err != nil {
			t.Fatal(err)
		}
	}
	do(domain.RegisterCompound{Profile: domain.Profile{Name: "阳光花园", District: "D", Street: "S", Community: "Q",
		Kind: domain.KindCommercial, Households: 100, PrivateArea: 10000, DeliveredArea: 10000}})
	complaint := func(id string) domain.Command {
		return domain.ReceiveComplaint{ComplaintID: id, Channel: domain.ChannelHotline, Kind: domain.KindComplaint,
			Category: domain.CategoryServiceQuality, Summary: "电梯故障"}
	}
	do(complaint("before"))
	now = time.Date(2026, 3, 2, 10, 0, 0, 0, domain.China) // Monday, the city's set in force
	do(complaint("after"))
	c, _, err := svc.Load(ctx, "C1", domain.StreamQuery{})
	if err != nil {
		t.Fatal(err)
	}
	due := map[string]string{}
	for _, v := range c.View().Complaints {
		due[v.ID] = v.ReplyDue.In(domain.China).Format(time.DateOnly)
	}
	// Friday + 15 working days, Saturday 2026-02-28 worked (调休): Thursday
	// 2026-03-19; Monday + 5: Monday 2026-03-09.
	if due["before"] != "2026-03-19" || due["after"] != "2026-03-09" {
		t.Fatalf("reply due %v, want before 2026-03-19 (15 working days) and after 2026-03-09 (5)", due)
	}
}

// A bad rule file stops `serve` before it opens the store or listens, with
// the file, line and setting, and a non-zero exit status.
func TestServeRejectsBadRuleFile(t *testing.T) {
	syntax := strings.Replace(citySet(t, "2026-03-02"), "age_max = 75", "age_max = = 75", 1)
	negative := strings.Replace(citySet(t, "2026-03-02"), "complaint_reply_working_days = 5", "complaint_reply_working_days = -5", 1)
	lineOf := func(text, s string) string {
		return "city.toml:" + strconv.Itoa(strings.Count(text[:strings.Index(text, s)], "\n")+1) + ": "
	}
	for _, tc := range []struct {
		name, text, want string
	}{
		{"syntax", syntax, lineOf(syntax, "age_max = = 75")},
		{"negative limit", negative, lineOf(negative, "complaint_reply_working_days = -5") +
			"complaint.complaint_reply_working_days: must be a positive whole number"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, data := rulesDir(t, map[string]string{"city.toml": tc.text}), t.TempDir()
			// The port is taken: a serve that got as far as listening would fail on it instead.
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			err = serve(context.Background(), io.Discard,
				[]string{"--addr", l.Addr().String(), "--data", data, "--rules", dir})
			want := filepath.Join(dir, tc.want)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("serve: %v, want %q", err, want)
			}
			if entries, _ := os.ReadDir(data); len(entries) > 0 {
				t.Fatalf("serve opened the data directory before checking the rules: %v", entries)
			}
			_, stderr, status := runMain(t, "serve", "--addr", l.Addr().String(), "--data", data, "--rules", dir)
			if status != 1 || !strings.HasPrefix(stderr, "casetrack: "+want) {
				t.Fatalf("exit status %d, stderr %q; want 1 and %q", status, stderr, want)
			}
		})
	}
}

// `rules show` prints the set in force on the day asked; usage errors exit 2.
func TestRulesShow(t *testing.T) {
	for day, name := range map[string]string{"2020-06-01": "property-regulation-2018", "2025-01-01": "civil-code-2021"} {
		var out bytes.Buffer
		if err := rulesCmd(&out, []string{"show", "--at", day}); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(out.String(), `name = "`+name+`"`) || !strings.Contains(out.String(), "[2025]\nnotice = ") {
			t.Errorf("rules at %s:\n%s", day, out.String())
		}
	}
	dir := rulesDir(t, map[string]string{"2026-03-02-city.toml": citySet(t, "2026-03-02")})
	stdout, _, status := runMain(t, "rules", "show", "--rules", dir, "--at", "2026-03-02")
	if status != 0 || !strings.Contains(stdout, `name = "city-2026-03-02"`) || !strings.Contains(stdout, "complaint_reply_working_days = 5") {
		t.Fatalf("status %d, output:\n%s", status, stdout)
	}
	for _, args := range [][]string{{"rules"}, {"rules", "show", "--at", "someday"}, {"rules", "show", "--nope"}} {
		if _, stderr, status := runMain(t, args...); status != 2 {
			t.Errorf("%v: exit status %d (%s), want 2", args, status, stderr)
		}
	}
}
