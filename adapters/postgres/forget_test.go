package postgres_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/casetrack/casetrack/adapters/storetest"
	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
	"github.com/casetrack/casetrack/projections/credit"
	"github.com/casetrack/casetrack/projections/deadlines"
	"github.com/casetrack/casetrack/projections/directory"
	"github.com/casetrack/casetrack/projections/league"
)

// TestForget: erasure on PostgreSQL. Each look at the raw data first
// writes every read model to its rm_* tables, then reads every row of
// every table of the schema (events, keys, accesses, rm_*), bytea as its
// bytes.
func TestForget(t *testing.T) {
	dsn := freshSchema(t)
	s := open(t, dsn)
	storetest.Forget(t, s, s.Keys(), func(t *testing.T) []byte {
		exportReadModels(t, s)
		return dumpSchema(t, dsn)
	})
	var key []byte
	var erased bool
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if err := conn.QueryRow(context.Background(), `SELECT key, erased_at IS NOT NULL FROM personal_keys WHERE subject = $1`,
		domain.ComplainantSubject("c1", "k1")).Scan(&key, &erased); err != nil || key != nil || !erased {
		t.Errorf("the forgotten key's row: key %x, erased %v, %v", key, erased, err)
	}
}

func exportReadModels(t *testing.T, s interface {
	domain.EventStore
	WriteTables(ctx context.Context, projection string, position uint64, tables []projections.SQLTable) (bool, error)
}) {
	t.Helper()
	ctx, book := context.Background(), domain.DefaultRuleBook()
	cps := projections.NewMemoryCheckpoints()
	dir, err1 := projections.NewRunner(directory.New, cps, 1<<20)
	lg, err2 := projections.NewRunner(func() *league.Model { return league.New(book) }, cps, 1<<20)
	cr, err3 := projections.NewRunner(func() *credit.Model { return credit.New(book) }, cps, 1<<20)
	dl, err4 := projections.NewRunner(deadlines.New, cps, 1<<20)
	for _, err := range []error{err1, err2, err3, err4} {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range []projections.Live{dir, lg, cr, dl} {
		if err := r.CatchUp(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	for _, e := range []projections.Exporter{dir, league.NewService(lg, s, league.DefaultConfig()), cr, dl} {
		pos, tables, ok := e.SQLTables()
		if !ok {
			continue
		}
		if _, err := s.WriteTables(ctx, e.Name(), pos, tables); err != nil {
			t.Fatal(err)
		}
	}
}

// dumpSchema returns every value of every table of the DSN's schema.
func dumpSchema(t *testing.T, dsn string) []byte {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	rmTables := 0
	for _, table := range tables {
		if len(table) > 3 && table[:3] == "rm_" {
			rmTables++
		}
		rows, err := conn.Query(ctx, `SELECT * FROM `+pgx.Identifier{table}.Sanitize())
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			vals, err := rows.Values()
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				if raw, ok := v.([]byte); ok {
					b.Write(raw)
				} else {
					fmt.Fprint(&b, v)
				}
				b.WriteByte('\t')
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	if rmTables == 0 || !bytes.Contains(b.Bytes(), []byte("测试小区")) {
		t.Fatal("the dump holds no rm_* table or not the compound's name: it does not show the read models")
	}
	return b.Bytes()
}
