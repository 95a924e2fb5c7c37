-- 013_structure_forms.sql — forms that belong to the structure rather than to a patient (scope:
-- structure in the YAML, e.g. the team meetings of forms/reunion.yaml). Their entries are
-- ordinary entries (per-form table, missing codes, confirmations, drafts, audit trail, export
-- and import) with a date and no patient: entries.patient_id is NULL, and entries.structure
-- holds the code of the structure the entry belongs to (this database's own code when it is
-- made here, the archive's for an imported one). A patient's entry has structure NULL: its
-- structure is its patient's. Exactly one of the two is set.
--
-- SQLite cannot drop a NOT NULL constraint: the table is rebuilt (create, copy with the same
-- ids, drop, rename) with foreign keys off, as 005_import.sql does for patients (DROP TABLE
-- would cascade to every entry's values while foreign keys are on, and PRAGMA foreign_keys does
-- nothing inside a transaction). The per-form tables, missing codes, confirmations and alerts
-- name entries(id): the ids are kept, and their references follow the renamed table.
COMMIT;
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE IF NOT EXISTS entries_new (
    id           INTEGER PRIMARY KEY,
    uuid         TEXT NOT NULL UNIQUE,
    patient_id   INTEGER REFERENCES patients(id) ON DELETE CASCADE,
    structure    TEXT,
    form         TEXT NOT NULL,
    form_version INTEGER NOT NULL,
    date         TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('draft', 'incomplete', 'complete')),
    author       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    row_version  INTEGER NOT NULL DEFAULT 1,
    CHECK ((patient_id IS NULL) = (structure IS NOT NULL))
) STRICT;
INSERT INTO entries_new(id, uuid, patient_id, form, form_version, date, status, author, created_at,
                        updated_at, row_version)
    SELECT id, uuid, patient_id, form, form_version, date, status, author, created_at, updated_at,
           row_version FROM entries;
DROP TABLE entries;
ALTER TABLE entries_new RENAME TO entries;

CREATE INDEX IF NOT EXISTS entries_by_patient ON entries(patient_id, date);
CREATE INDEX IF NOT EXISTS entries_by_form ON entries(form, date);
CREATE INDEX IF NOT EXISTS entries_unfinished ON entries(status) WHERE status <> 'complete';
CREATE INDEX IF NOT EXISTS entries_by_form_patient ON entries(form, patient_id, date);
-- The structure's own entries, for their list, the import that replaces a structure and the report.
CREATE INDEX IF NOT EXISTS entries_by_structure ON entries(structure, form, date)
    WHERE structure IS NOT NULL;

PRAGMA user_version = 13;
COMMIT;
PRAGMA foreign_keys = ON;
BEGIN IMMEDIATE;
