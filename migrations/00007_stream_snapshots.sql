-- The latest snapshot of each stream (domain.SnapshotStore): a cache of the
-- log, rewritten in place, so that a compound not in memory is loaded from
-- it and the events after it. Losing it costs time, never an answer.

-- +goose Up
CREATE TABLE stream_snapshots (
    stream_id text   PRIMARY KEY,
    version   bigint NOT NULL,
    data      bytea  NOT NULL
);

-- +goose Down
DROP TABLE stream_snapshots;
