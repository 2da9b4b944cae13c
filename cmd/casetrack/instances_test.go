package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nats-io/nats.go"
)

// judgedAt is a league table's judging time, which two instances may differ in.
var judgedAt = regexp.MustCompile(`"judged_at":"[^"]*",`)

// Two servers on one PostgreSQL and one NATS act as one system: commands
// spread over both, and both serve the same league tables and lists.
func TestTwoInstancesActAsOne(t *testing.T) {
	dsn, natsURL := os.Getenv("CASETRACK_TEST_POSTGRES"), os.Getenv("CASETRACK_TEST_NATS")
	if dsn == "" || natsURL == "" {
		t.Skip("needs PostgreSQL and NATS: set CASETRACK_TEST_POSTGRES and CASETRACK_TEST_NATS (.ci/run does)")
	}
	t.Run("nats", func(t *testing.T) {
		twoServers(t, dsn, func(prefix string) string { return natsURL + "?prefix=" + prefix })
	})
	t.Run("postgres", func(t *testing.T) { twoServers(t, dsn, func(string) string { return "" }) })
}

// twoServers runs two servers on one fresh schema; bus gives the bus URL
// for a prefix ("" : PostgreSQL itself, the store's own URL).
func twoServers(t *testing.T, dsn string, bus func(prefix string) string) {
	natsURL := os.Getenv("CASETRACK_TEST_NATS")
	ctx := context.Background()
	id, store := freshPostgres(t, dsn, "casetrack_two")
	t.Cleanup(func() {
		if nc, err := nats.Connect(natsURL); err == nil {
			if js, err := nc.JetStream(); err == nil {
				js.DeleteStream(id + "_events")
				js.DeleteStream(id + "_poison")
			}
			nc.Close()
		}
	})
	busURL := bus(id)
	if busURL == "" {
		busURL = store + "&prefix=" + id
	}
	if err := migrate(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)), store); err != nil {
		t.Fatal(err)
	}
	// The accounts are made on the shared store before either server runs;
	// both see them.
	inspectorToken := cliToken(t, store, "inspector-"+id, "inspector")
	hotlineToken := cliToken(t, store, "hotline-"+id, "hotline")
	a, stopA, _ := startServe(t, t.TempDir(), "--store", store, "--bus", busURL, "--demo=false", "--tables-every", "100ms")
	defer stopA()
	b, stopB, _ := startServe(t, t.TempDir(), "--store", store, "--bus", busURL, "--demo=false", "--tables-every", "100ms")
	defer stopB()

	var last uint64
	post := func(base, compound, command, body string) {
		t.Helper()
		token := inspectorToken
		if command == "receive-complaint" {
			token = hotlineToken
		}
		resp := call(t, token, "POST", base+"/api/v1/compounds/"+compound+"/"+command, "application/json", strings.NewReader(body))
		defer resp.Body.Close()
		var res struct {
			Position uint64 `json:"position"`
		}
		if resp.StatusCode != http.StatusCreated {
			b, _ := io.ReadAll(resp.Body)
			t.Fatalf("%s %s: %d %s", compound, command, resp.StatusCode, b)
		}
		if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
			t.Fatal(err)
		}
		last = max(last, res.Position)
	}
	year := time.Now().Year()
	for i := range 12 {
		base := []string{a, b}[i%2]
		c := fmt.Sprintf("T%02d", i)
		post(base, c, "register", fmt.Sprintf(`{"name":"小区%d","district":"城东区","street":"街道%d","community":"社区","kind":"commercial",
			"households":%d,"private_area":"10000","delivered_area":"10000","property_company":"甲物业"}`, i, i%3, 100+i))
		for k := range i % 4 {
			post([]string{b, a}[k%2], c, "receive-complaint",
				fmt.Sprintf(`{"complaint_id":"%s-%d","channel":"hotline","kind":"complaint","category":"fees","summary":"x"}`, c, k))
		}
	}
	var tables [2]string
	for i, base := range []string{a, b} {
		resp := call(t, inspectorToken, "GET", fmt.Sprintf("%s/api/v1/league/street?period=%d&min_position=%d", base, year, last), "", nil)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("instance %d: %d %s", i+1, resp.StatusCode, body)
		}
		// When the open items were judged is each instance's clock, to the
		// minute: two requests may fall either side of one.
		tables[i] = judgedAt.ReplaceAllString(string(body), "")
		var list struct {
			Compounds []struct{ ID string } `json:"compounds"`
		}
		getJSON(t, inspectorToken, fmt.Sprintf("%s/api/v1/compounds?min_position=%d", base, last), &list)
		if len(list.Compounds) != 12 {
			t.Fatalf("instance %d lists %d compounds, want 12", i+1, len(list.Compounds))
		}
	}
	if tables[0] != tables[1] || !strings.Contains(tables[0], "街道2") {
		t.Fatalf("the instances serve different tables:\n%s\n%s", tables[0], tables[1])
	}
	// And SQL readers see the same in the read-model tables.
	conn, err := pgx.Connect(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		var compounds, complaints int
		err := conn.QueryRow(ctx, `SELECT (SELECT count(*) FROM rm_compounds), (SELECT count(*) FROM rm_complaints)`).Scan(&compounds, &complaints)
		if err != nil {
			t.Fatal(err)
		}
		if compounds == 12 && complaints == 18 { // 0+1+2+3, three times
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the rm_ tables hold %d compounds and %d complaints, want 12 and 18", compounds, complaints)
		}
	}
}
