-- 005_import.sql — a regional database consolidates the exports of several structures
-- (recueil import). Pseudonyms are drawn at random by each structure, so the same pseudonym
-- can come from two structures: it names two people. A patient is therefore unique on
-- (pseudonym, structure), no longer on the pseudonym alone; patients.structure is the code of
-- the structure the patient belongs to (the database's own code for patients created here,
-- the code of the archive's manifest for imported ones).
--
-- SQLite cannot drop a UNIQUE constraint: the table is rebuilt (create, copy with the same ids,
-- drop, rename). DROP TABLE would cascade to the entries while foreign keys are on, and
-- PRAGMA foreign_keys does nothing inside a transaction: this step ends the transaction the
-- migration runner opened, rebuilds in a transaction of its own with foreign keys off, then
-- turns them back on and opens a transaction again for the runner to commit. Every statement
-- can run twice (a second process migrating at the same moment) without harm.
COMMIT;
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE IF NOT EXISTS patients_new (
    id          INTEGER PRIMARY KEY,
    pseudonym   TEXT NOT NULL,
    structure   TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    UNIQUE (pseudonym, structure)
) STRICT;
INSERT INTO patients_new(id, pseudonym, structure, created_at, created_by)
    SELECT id, pseudonym, structure, created_at, created_by FROM patients;
DROP TABLE patients;
ALTER TABLE patients_new RENAME TO patients;

-- One row per archive imported: what came from where, and what it changed. An archive whose
-- export_id is here is not imported again.
CREATE TABLE IF NOT EXISTS import_log (
    id              INTEGER PRIMARY KEY,
    structure       TEXT NOT NULL,
    structure_name  TEXT NOT NULL,
    export_id       TEXT NOT NULL UNIQUE,
    sequence        INTEGER NOT NULL,
    period          TEXT NOT NULL,
    exported_at     TEXT NOT NULL,
    manifest_sha256 TEXT NOT NULL,
    file_name       TEXT NOT NULL,
    imported_at     TEXT NOT NULL,
    login           TEXT NOT NULL,
    rows            INTEGER NOT NULL, -- data rows read
    added           INTEGER NOT NULL,
    updated         INTEGER NOT NULL, -- a newer row version replaced the one here
    unchanged       INTEGER NOT NULL, -- same row version as here
    older           INTEGER NOT NULL, -- older than the version here, or deleted since: ignored
    deleted         INTEGER NOT NULL  -- deleted at the structure (manifest corrections)
) STRICT;
CREATE INDEX IF NOT EXISTS import_log_by_structure ON import_log(structure, sequence);

-- Entries a structure deleted, from the "correction: deleted" lines of its manifests: an older
-- archive imported later must not bring them back.
CREATE TABLE IF NOT EXISTS import_deleted (
    uuid       TEXT PRIMARY KEY,
    structure  TEXT NOT NULL,
    export_id  TEXT NOT NULL,
    deleted_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;

PRAGMA user_version = 5;
COMMIT;
PRAGMA foreign_keys = ON;
BEGIN IMMEDIATE;
