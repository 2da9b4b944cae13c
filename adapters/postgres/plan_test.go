package postgres_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/casetrack/casetrack/adapters/postgres"
)

// planRows is how many events the plan test's table holds: enough that a
// sequential scan looks cheap to a planner guessing without statistics.
const planRows = 100_000

// TestHotPathPlans: every statement on the append and follow paths
// (append, heads and idempotency look-ups, reading a stream, tailing the
// log) is planned without a sequential scan of events, and those that run
// for every append without an index scan that filters rows (the index of
// the wrong key: a command probe down (stream_id, version) reads the whole
// stream from the heap, a cost that grows with the log), as a custom plan and
// as the generic plan a cached statement falls back to, in the two states
// autovacuum off leaves a table in: never analyzed, and analyzed once while
// it held a few events of one stream. In the second state the append's
// command probe is planned as a scan without the writer's session settings:
// the table is big enough to tempt the planner.
func TestHotPathPlans(t *testing.T) {
	for _, analyzedEarly := range []bool{false, true} {
		t.Run(fmt.Sprint("analyzed_early=", analyzedEarly), func(t *testing.T) {
			dsn := freshSchema(t)
			fill := []string{"ALTER TABLE events SET (autovacuum_enabled = false)"}
			first := 1
			if analyzedEarly {
				fill = append(fill, eventRows("'lopsided'", "g", "'w0-0'", 1, 50), "ANALYZE events")
				first = 51
			}
			fill = append(fill,
				eventRows("'compound-' || g % 10000", "g / 10000 + 1", "'w' || g % 64 || '-' || g", first, planRows),
				fmt.Sprintf("UPDATE log_head SET position = %d", planRows))
			psql(t, dsn, fill...)

			ctx := context.Background()
			conn, err := pgx.Connect(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(ctx)
			writer, reader := postgres.WriterSettings, map[string]string{}
			for _, st := range hotStatements() {
				for _, mode := range []string{"force_custom_plan", "force_generic_plan"} {
					settings := reader
					if st.writer {
						settings = writer
					}
					plan := explain(t, conn, settings, mode, st.sql, st.args...)
					if scans(t, plan) {
						t.Errorf("%s, %s: a sequential scan of events:\n%s", st.name, mode, plan)
					}
					if st.perAppend && filters(t, plan) {
						t.Errorf("%s, %s: an index scan of events that reads rows to throw them away:\n%s", st.name, mode, plan)
					}
					if jit(t, plan) {
						t.Errorf("%s, %s: compiled by JIT at every run:\n%s", st.name, mode, plan)
					}
				}
			}
			if analyzedEarly {
				st := hotStatements()[0]
				if plan := explain(t, conn, reader, "force_custom_plan", st.sql, st.args...); !scans(t, plan) {
					t.Errorf("without the writer's settings the append is still planned without a scan: "+
						"the table does not tempt the planner, the test proves nothing\n%s", plan)
				}
			}
		})
	}
}

// eventRows inserts the events first..last (positions, event IDs) with
// stream, version and command ID given as SQL expressions of g.
func eventRows(stream, version, command string, first, last int) string {
	return fmt.Sprintf(`INSERT INTO events SELECT g, %s, %s, 'ev-' || g, 'ComplaintReceived', 1, now(), now(),
		'u', 'r', 'o', 'c', 'c', %s, convert_to(repeat('x', 200), 'UTF8'), 'p' || g, 'h' || g
		FROM generate_series(%d, %d) g`, stream, version, command, first, last)
}

type hotStatement struct {
	name      string
	writer    bool // runs on the writer's session
	perAppend bool // runs for every append, not only for conflicts and retries
	sql       string
	args      []any
}

// hotStatements are the store's statements with arguments of a full
// batch (256 requests) where they take a batch.
func hotStatements() []hotStatement {
	const n = 256
	var (
		req, schema                                         []int32
		version                                             []int64
		streams, ids, types, texts, commands, prevs, hashes []string
		times                                               []time.Time
		data                                                [][]byte
	)
	for i := range n {
		req, schema = append(req, int32(i)), append(schema, 1)
		version = append(version, 7)
		streams = append(streams, fmt.Sprint("compound-", i*37%10000))
		ids, types = append(ids, fmt.Sprint("new-", i)), append(types, "ComplaintReceived")
		texts, commands = append(texts, "x"), append(commands, fmt.Sprintf("w%d-%d", i%64, i))
		prevs, hashes = append(prevs, "p"), append(hashes, "h")
		times, data = append(times, time.Now()), append(data, []byte(`{}`))
	}
	return []hotStatement{
		{"append", true, true, postgres.AppendStmt, []any{req, streams, version, ids, types, schema, times, times,
			texts, texts, texts, texts, texts, commands, data, prevs, hashes}},
		{"heads", true, true, postgres.HeadsStmt, []any{streams}},
		{"commands", true, false, postgres.CommandsStmt, []any{streams, commands}},
		{"read stream", false, false, postgres.ReadStreamStmt, []any{"compound-5", int64(3), int64(1 << 62), int64(1 << 62), nil, nil}},
		{"read all", false, false, postgres.ReadAllStmt, []any{int64(planRows / 2), int64(1000)}},
	}
}

// explain returns the plan (JSON) of sql under the session settings, as
// custom or generic plan (plan_cache_mode) of a prepared statement.
func explain(t *testing.T, conn *pgx.Conn, settings map[string]string, mode, sql string, args ...any) string {
	t.Helper()
	ctx := context.Background()
	stmts := []string{"RESET ALL", "SET plan_cache_mode = " + mode, "PREPARE hot AS " + sql}
	for k, v := range settings {
		stmts = append(stmts, fmt.Sprintf("SET %s = %s", k, v))
	}
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	defer conn.Exec(ctx, "DEALLOCATE hot")
	ph := make([]string, len(args))
	for i := range ph {
		ph[i] = fmt.Sprint("$", i+1)
	}
	var plan string
	err := conn.QueryRow(ctx, "EXPLAIN (FORMAT JSON) EXECUTE hot("+strings.Join(ph, ", ")+")",
		append([]any{pgx.QueryExecModeSimpleProtocol}, args...)...).Scan(&plan)
	if err != nil {
		t.Fatal(err)
	}
	return plan
}

type planDoc struct {
	Plan planNode
	JIT  json.RawMessage
}

func parsePlan(t *testing.T, plan string) planDoc {
	t.Helper()
	var doc []planDoc
	if err := json.Unmarshal([]byte(plan), &doc); err != nil || len(doc) != 1 {
		t.Fatalf("plan %s: %v", plan, err)
	}
	return doc[0]
}

// jit tells whether a JSON plan is to be compiled by JIT.
func jit(t *testing.T, plan string) bool { return parsePlan(t, plan).JIT != nil }

// scans tells whether a JSON plan has a sequential scan of events.
func scans(t *testing.T, plan string) bool {
	t.Helper()
	return anyNode(parsePlan(t, plan).Plan, func(n planNode) bool { return n.NodeType == "Seq Scan" && n.Relation == "events" })
}

// filters tells whether a JSON plan scans events for rows it then drops
// by a condition its index does not hold.
func filters(t *testing.T, plan string) bool {
	t.Helper()
	return anyNode(parsePlan(t, plan).Plan, func(n planNode) bool { return n.Relation == "events" && n.Filter != "" })
}

// anyNode tells whether a node of the plan tree satisfies is.
func anyNode(n planNode, is func(planNode) bool) bool {
	if is(n) {
		return true
	}
	for _, c := range n.Plans {
		if anyNode(c, is) {
			return true
		}
	}
	return false
}

type planNode struct {
	NodeType string     `json:"Node Type"`
	Relation string     `json:"Relation Name"`
	Filter   string     `json:"Filter"`
	Plans    []planNode `json:"Plans"`
}
