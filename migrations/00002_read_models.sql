-- Read models for SQL readers (inspectors' BI tools). casetrack writes them
-- from the same projections that answer its API (adapters/postgres,
-- ReadModels): each projection's tables are replaced in one transaction
-- together with its row in rm_positions, so a reader inside one
-- transaction sees every table of a projection as of one log position.
-- They are copies: drop them and the next export writes them again.

-- +goose Up
CREATE TABLE rm_positions (
    projection text        PRIMARY KEY,
    position   bigint      NOT NULL, -- the last event the projection's tables reflect
    written_at timestamptz NOT NULL
);

-- 案卷摘要: each compound's case file summary (projection "directory").
CREATE TABLE rm_compounds (
    compound_id        text    PRIMARY KEY,
    name               text    NOT NULL,
    district           text    NOT NULL, -- 区
    street             text    NOT NULL, -- 街道
    community          text    NOT NULL, -- 社区
    kind               text    NOT NULL,
    households         integer NOT NULL,
    property_company   text    NOT NULL, -- 物业服务企业 ('' when none)
    committee_phase    text    NOT NULL, -- none, serving, reelection, expired, interim
    committee_term_end timestamptz,
    committee_filed    boolean NOT NULL, -- 备案
    open_complaints    integer NOT NULL,
    pending_lawsuits   integer NOT NULL,
    conflict           boolean NOT NULL, -- 矛盾突出小区
    plan_measures      integer NOT NULL, -- 一区一策 measures
    plan_signed_off    integer NOT NULL, -- 销号
    plan_open          boolean NOT NULL,
    listed             boolean NOT NULL, -- 挂牌督办, active
    listing_deadline   timestamptz
);

-- Complaints (12345, petitions, …), one row per ticket as of its latest
-- handling round (projection "league").
CREATE TABLE rm_complaints (
    compound_id       text        NOT NULL,
    complaint_id      text        NOT NULL,
    company           text        NOT NULL, -- serving when it came in
    channel           text        NOT NULL,
    received_at       timestamptz NOT NULL,
    dispatch_due      timestamptz,
    reply_due         timestamptz,
    dispatched_at     timestamptz, -- the first dispatch
    accepted_at       timestamptz, -- the first acceptance
    resolved_at       timestamptz, -- NULL while open (also after a reopening)
    returns           integer     NOT NULL, -- 退单
    reopens           integer     NOT NULL, -- 重办
    follow_ups        integer     NOT NULL, -- 回访
    last_satisfaction text        NOT NULL,
    PRIMARY KEY (compound_id, complaint_id)
);
CREATE INDEX rm_complaints_received ON rm_complaints (received_at);

-- Open deadlines (projection "deadlines").
CREATE TABLE rm_deadlines (
    compound_id text        NOT NULL,
    kind        text        NOT NULL,
    subject     text        NOT NULL,
    due         timestamptz NOT NULL,
    event_id    text        NOT NULL,
    PRIMARY KEY (compound_id, kind, subject)
);

-- 信用档案: property companies' credit items with their points and
-- validity, so that a score on any day is a sum (projection "credit").
CREATE TABLE rm_credit_items (
    company     text        NOT NULL,
    kind        text        NOT NULL,
    compound_id text        NOT NULL,
    at          timestamptz NOT NULL,
    valid_until timestamptz NOT NULL,
    points      integer     NOT NULL,
    event_id    text        NOT NULL
);
CREATE INDEX rm_credit_items_company ON rm_credit_items (company);

-- League tables (排名) of the running year and the one before, at every
-- level, under the campaign configuration in force (projection "league").
-- metrics holds each metric's value, numerator, denominator, normalised
-- score and weight: jsonb_to_recordset(metrics) lays them out as rows.
CREATE TABLE rm_league (
    level     text             NOT NULL, -- street, community, district, compound, company
    period    text             NOT NULL, -- the year
    unit      text             NOT NULL,
    name      text             NOT NULL,
    rank      integer          NOT NULL,
    score     double precision NOT NULL, -- weighted composite, 0–100
    list      text             NOT NULL, -- red (红榜), black (黑榜) or ''
    rising    boolean          NOT NULL, -- petitions and suits rose against the year before (只降不升)
    metrics   jsonb            NOT NULL,
    campaign  text             NOT NULL,
    judged_at timestamptz      NOT NULL, -- when open items were judged
    PRIMARY KEY (level, period, unit)
);

-- +goose Down
DROP TABLE rm_league;
DROP TABLE rm_credit_items;
DROP TABLE rm_deadlines;
DROP TABLE rm_complaints;
DROP TABLE rm_compounds;
DROP TABLE rm_positions;
