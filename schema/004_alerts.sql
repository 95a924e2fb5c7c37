-- 004_alerts.sql — clinical alerts raised by the forms' alert rules (alerts: in the YAML), kept
-- until a professional acknowledges them. The message is a copy of the rule's French text,
-- never free text typed about the patient.
CREATE TABLE alerts (
    id              INTEGER PRIMARY KEY,
    entry_id        INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    rule            TEXT NOT NULL,
    level           TEXT NOT NULL CHECK (level IN ('info', 'attention', 'urgent')),
    message         TEXT NOT NULL,
    raised_at       TEXT NOT NULL,
    raised_by       TEXT NOT NULL,
    acknowledged_at TEXT,
    acknowledged_by TEXT,
    note            TEXT,
    UNIQUE (entry_id, rule)
) STRICT;
CREATE INDEX alerts_open ON alerts(acknowledged_at, level);
