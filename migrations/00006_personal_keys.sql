-- Personal data that can be erased: one AES-256 key per data subject
-- (complainant or candidate), outside the event tables, and the record of
-- every read of personal data. Forgetting a subject sets its key to NULL;
-- the events, their hashes and the read models are not touched.

-- +goose Up
CREATE TABLE personal_keys (
    subject    text        PRIMARY KEY, -- complainant:COMPOUND:COMPLAINT or candidate:COMPOUND:CANDIDATE
    key        bytea,                   -- NULL once forgotten
    created_at timestamptz NOT NULL DEFAULT now(),
    erased_at  timestamptz              -- NULL while the key lives
);

CREATE TABLE personal_access (
    id        bigserial   PRIMARY KEY,
    subject   text        NOT NULL,
    user_name text        NOT NULL,
    role      text        NOT NULL,
    purpose   text        NOT NULL, -- the request that read it
    at        timestamptz NOT NULL
);
CREATE INDEX personal_access_subject ON personal_access (subject, id);

-- +goose Down
DROP TABLE personal_access;
DROP TABLE personal_keys;
