package watermill

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	wm "github.com/ThreeDotsLabs/watermill"
	wmsql "github.com/ThreeDotsLabs/watermill-sql/v3/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/casetrack/casetrack/domain"
	"github.com/casetrack/casetrack/projections"
)

// SQLConfig places a bus in PostgreSQL tables (watermill-sql), for
// instances that share a PostgreSQL store and want no other broker.
type SQLConfig struct {
	Instance string // names this server's consumer groups
	Prefix   string // names the topics' tables (watermill_<prefix>_events, …)
}

// NewSQL is a bus over PostgreSQL through watermill-sql. Every instance's
// relay publishes the log; the copies another relay already published
// are delivered too and ignored by position, and an event arriving ahead
// of its predecessors makes the projection read them from the store.
func NewSQL(db *sql.DB, cfg SQLConfig, store domain.EventStore, logger *slog.Logger, runners ...projections.Live) (*Bus, error) {
	if cfg.Prefix == "" {
		cfg.Prefix = "casetrack"
	}
	if cfg.Instance == "" {
		return nil, fmt.Errorf("a PostgreSQL bus needs an instance name")
	}
	wlog := wm.NewSlogLogger(logger)
	schema, offsets := wmsql.DefaultPostgreSQLSchema{}, wmsql.DefaultPostgreSQLOffsetsAdapter{}
	topic, poison := cfg.Prefix+"_events", cfg.Prefix+"_poison"
	if err := initSQLSchema(db, schema, offsets, topic, poison); err != nil {
		return nil, domain.Internal(err, "create the bus tables")
	}
	pub, err := wmsql.NewPublisher(db, wmsql.PublisherConfig{SchemaAdapter: schema}, wlog)
	if err != nil {
		return nil, domain.Internal(err, "set up the PostgreSQL publisher")
	}
	subFor := func(handler string) (message.Subscriber, error) {
		return wmsql.NewSubscriber(db, wmsql.SubscriberConfig{ConsumerGroup: cfg.Instance + "_" + handler, SchemaAdapter: schema,
			OffsetsAdapter: offsets, PollInterval: 100 * time.Millisecond}, wlog)
	}
	b := newBus(store, pub, subFor, logger, runners...)
	b.topic, b.poison = topic, poison
	return b, nil
}

// initSQLSchema creates the topics' tables once, under a transaction-wide
// advisory lock: CREATE TABLE IF NOT EXISTS run by two sessions at once
// fails in PostgreSQL, and instances and handlers all start together.
func initSQLSchema(db *sql.DB, schema wmsql.SchemaAdapter, offsets wmsql.OffsetsAdapter, topics ...string) error {
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(7432001)"); err != nil {
		return err
	}
	for _, topic := range topics {
		for _, q := range append(schema.SchemaInitializingQueries(topic), offsets.SchemaInitializingQueries(topic)...) {
			if _, err := tx.ExecContext(ctx, q.Query, q.Args...); err != nil {
				return err
			}
		}
	}
	return tx.Commit()
}
