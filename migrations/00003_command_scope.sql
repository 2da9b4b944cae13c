-- Command IDs (idempotency keys) are scoped to their stream: the same key
-- sent for two compounds names two commands, and a retry is found by
-- stream and key together.

-- +goose Up
CREATE INDEX events_stream_command ON events (stream_id, command_id);
DROP INDEX events_command;

-- +goose Down
CREATE INDEX events_command ON events (command_id);
DROP INDEX events_stream_command;
