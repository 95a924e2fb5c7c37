-- 001_core.sql — the tables every structure's database has. Per-form tables (form_<id>) are
-- generated from forms/*.yaml and described in form_columns.

CREATE TABLE structure (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;

CREATE TABLE users (
    login        TEXT PRIMARY KEY,
    display_name TEXT NOT NULL DEFAULT '',
    role         TEXT NOT NULL CHECK (role IN ('saisie', 'coordination', 'admin')),
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL
) STRICT;

CREATE TABLE patients (
    id          INTEGER PRIMARY KEY,
    pseudonym   TEXT NOT NULL UNIQUE,
    structure   TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL
) STRICT;

CREATE TABLE entries (
    id           INTEGER PRIMARY KEY,
    uuid         TEXT NOT NULL UNIQUE,
    patient_id   INTEGER NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
    form         TEXT NOT NULL,
    form_version INTEGER NOT NULL,
    date         TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('draft', 'incomplete', 'complete')),
    author       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    row_version  INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX entries_by_patient ON entries(patient_id, date);
CREATE INDEX entries_by_form ON entries(form, date);

-- Typed missing codes (.refus, .nsp, .non_demande): why a field has no value.
CREATE TABLE entry_missing (
    entry_id INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    field    TEXT NOT NULL,
    code     TEXT NOT NULL,
    PRIMARY KEY (entry_id, field)
) STRICT, WITHOUT ROWID;

-- Soft warnings kept with a reason given by the person who confirmed the value.
CREATE TABLE entry_confirmations (
    entry_id     INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    field        TEXT NOT NULL,
    rule         TEXT NOT NULL,
    reason       TEXT,
    confirmed_by TEXT NOT NULL,
    confirmed_at TEXT NOT NULL,
    PRIMARY KEY (entry_id, field)
) STRICT, WITHOUT ROWID;

-- Who changed what: one row per created or deleted entry, one per changed field.
-- Values of identifier fields are never copied here.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    login      TEXT NOT NULL,
    action     TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete', 'user', 'patient', 'init', 'schema',
                                            'refused', 'export', 'import', 'backup')),
    entry_uuid TEXT,
    pseudonym  TEXT,
    form       TEXT,
    field      TEXT,
    old_value  TEXT,
    new_value  TEXT
) STRICT;
CREATE INDEX audit_by_time ON audit_log(at);

-- The columns of the per-form tables, as generated from the YAML: the memory that lets a
-- removed field keep its data and an incompatible change be refused.
CREATE TABLE form_columns (
    form       TEXT NOT NULL,
    field      TEXT NOT NULL,
    sql_type   TEXT NOT NULL,
    field_type TEXT NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1,
    added_at   TEXT NOT NULL,
    PRIMARY KEY (form, field)
) STRICT, WITHOUT ROWID;

CREATE TABLE form_versions (
    form       TEXT PRIMARY KEY,
    version    INTEGER NOT NULL,
    seen_at    TEXT NOT NULL
) STRICT;

CREATE TABLE export_log (
    id          INTEGER PRIMARY KEY,
    sequence    INTEGER NOT NULL,
    export_id   TEXT NOT NULL UNIQUE,
    period      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    login       TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    encrypted   INTEGER NOT NULL,
    rows        INTEGER NOT NULL,
    accepted_issues TEXT
) STRICT;
