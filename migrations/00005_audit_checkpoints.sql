-- Signed checkpoints of the audit tree (package audit): each the log's size
-- and Merkle root in an Ed25519-signed note. They are kept here for the
-- server and `casetrack verify`; auditors keep copies elsewhere, as an
-- insider could delete these rows.

-- +goose Up
CREATE TABLE audit_checkpoints (
    tree_size bigint      PRIMARY KEY,
    signed    bytea       NOT NULL, -- the note as signed, byte for byte
    saved_at  timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE audit_checkpoints;
