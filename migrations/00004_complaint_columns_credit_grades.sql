-- Figures for SQL readers: what a complaint is (category, kind, urgency),
-- how its follow-up ended (solved) and whether it was voided, and the
-- credit rules' grade bands and base score, so that a grade can be computed
-- in SQL from rm_credit_items.

-- +goose Up
ALTER TABLE rm_complaints
    ADD COLUMN category text    NOT NULL DEFAULT '', -- 投诉类别 (as amended)
    ADD COLUMN kind     text    NOT NULL DEFAULT '', -- consultation or complaint
    ADD COLUMN urgent   boolean NOT NULL DEFAULT false,
    ADD COLUMN solved   boolean,                     -- 是否解决, from the last follow-up; NULL before one
    ADD COLUMN voided   boolean NOT NULL DEFAULT false; -- 作废: entered in error, in no rate

-- 信用等级: per rule set, each grade and the lowest score earning it; the
-- grade below every band has min_score NULL. A score is base + the points
-- of the items valid on the day (rm_credit_items).
CREATE TABLE rm_credit_grades (
    rule_set       text    NOT NULL,
    effective_from date    NOT NULL,
    base           integer NOT NULL, -- 基础分
    grade          text    NOT NULL,
    min_score      integer,
    PRIMARY KEY (rule_set, grade)
);

-- +goose Down
DROP TABLE rm_credit_grades;
ALTER TABLE rm_complaints DROP COLUMN category, DROP COLUMN kind, DROP COLUMN urgent, DROP COLUMN solved, DROP COLUMN voided;
