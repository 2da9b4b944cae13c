// Package migrations holds the versioned SQL schema of the PostgreSQL
// backend, embedded in the binary, and applies it with goose. Files are
// named NNNNN_what.sql and never edited once released: a change is a new
// file.
package migrations

import (
	"context"
	"embed"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed *.sql
var files embed.FS

// Up applies every pending migration to the PostgreSQL database at dsn, in
// the schema its search_path names, and returns the files it applied.
// Instances starting together take turns: goose holds a session advisory
// lock while it migrates.
func Up(ctx context.Context, dsn string) ([]string, error) {
	cfg, err := pgxpool.ParseConfig(dsn) // the store's URL, pool settings and all
	if err != nil {
		return nil, err
	}
	db := stdlib.OpenDB(*cfg.ConnConfig)
	defer db.Close()
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300)) // poll every second, for up to 5 minutes
	if err != nil {
		return nil, err
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, files, goose.WithSessionLocker(locker))
	if err != nil {
		return nil, err
	}
	results, err := p.Up(ctx)
	var applied []string
	for _, r := range results {
		if r.Error == nil {
			applied = append(applied, r.Source.Path)
		}
	}
	if err != nil {
		return applied, fmt.Errorf("migrate: %w", err)
	}
	return applied, nil
}
