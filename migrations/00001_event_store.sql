-- The event store of the PostgreSQL backend (adapters/postgres).

-- +goose Up
CREATE TABLE events (
    position       bigint      PRIMARY KEY, -- the global log order, dense from 1 (see log_head)
    stream_id      text        NOT NULL,
    version        bigint      NOT NULL,
    event_id       text        NOT NULL UNIQUE,
    type           text        NOT NULL,
    schema_version integer     NOT NULL,
    occurred_at    timestamptz NOT NULL, -- microseconds, as hashed
    recorded_at    timestamptz NOT NULL,
    actor_user     text        NOT NULL,
    actor_role     text        NOT NULL,
    actor_org      text        NOT NULL,
    correlation_id text        NOT NULL,
    causation_id   text        NOT NULL,
    command_id     text        NOT NULL,
    data           bytea       NOT NULL, -- the payload's exact bytes, as hashed (jsonb would rewrite them)
    prev_hash      text        NOT NULL,
    hash           text        NOT NULL,
    CONSTRAINT events_stream_version UNIQUE (stream_id, version) -- also finds a stream's head
);
CREATE INDEX events_command ON events (command_id);

-- The last position given out. Every append locks this one row, assigns the
-- positions after it and moves it on in the same transaction; the lock is
-- held until the commit is visible, so positions become visible in order and
-- a reader following "position > p" never passes one still in flight.
CREATE TABLE log_head (
    id       boolean PRIMARY KEY DEFAULT true CHECK (id),
    position bigint  NOT NULL
);
INSERT INTO log_head (position) VALUES (0);

-- +goose Down
DROP TABLE log_head;
DROP TABLE events;
