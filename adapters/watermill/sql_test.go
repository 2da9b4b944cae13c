package watermill

import (
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
)

// Two instances on a bus in PostgreSQL tables (watermill-sql) act as one.
func TestSQLBusTwoInstancesActAsOne(t *testing.T) {
	dsn := os.Getenv("CASETRACK_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("set CASETRACK_TEST_POSTGRES to a PostgreSQL database the test may create a schema in (.ci/run does)")
	}
	schema := fmt.Sprintf("casetrack_bus_%d", time.Now().UnixNano())
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE") })
	u, _ := url.Parse(dsn)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	db, err := sql.Open("pgx", u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	twoInstances(t, func(name string, store domain.EventStore, runners []projections.Live) (*Bus, error) {
		return NewSQL(db, SQLConfig{Instance: name}, store, quiet, runners...)
	})
}
