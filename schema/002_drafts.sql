-- 002_drafts.sql — what a person was typing in an open form, written as they type (a short
-- transaction after a pause, never one held open), so that a dropped SSH link or a closed
-- terminal loses nothing; the terminal interface offers it back at the next start.

CREATE TABLE drafts (
    id          INTEGER PRIMARY KEY,
    login       TEXT NOT NULL,
    patient_id  INTEGER REFERENCES patients(id) ON DELETE CASCADE, -- NULL: patient not created yet
    form        TEXT NOT NULL,
    entry_uuid  TEXT,             -- the entry being edited; NULL for a new entry
    row_version INTEGER,          -- the entry's row version when editing began (conflicts)
    date        TEXT NOT NULL,    -- the entry's date, YYYY-MM-DD
    content     TEXT NOT NULL,    -- "field<TAB>value" lines, escaped (src/store/draft.c)
    saved_at    TEXT NOT NULL
) STRICT;
CREATE INDEX drafts_by_login ON drafts(login, saved_at);
