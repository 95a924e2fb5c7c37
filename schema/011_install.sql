-- 011_install.sql — what a database keeps about its own installation.
--
-- form_columns.identifier, form_columns.exported: the identity flags of each stored field
-- (identifier: true, export: false in the YAML) as the database first saw them. A later form
-- file may tighten them (mark a field identifier, or keep it out of exports): the tighter flag
-- is recorded. It may not loosen them: the recorded flag wins, so that a copy of the forms with
-- `identifier: true` removed shows no name to the coordination and exports none
-- (src/store/install.c). NULL until the first opening after this migration records them.
--
-- settings: choices of the administrator kept with the data, one value per key:
--   forms_dir  the forms directory of the database, when not the installed one (forms use).
ALTER TABLE form_columns ADD COLUMN identifier INTEGER CHECK (identifier IN (0, 1));
ALTER TABLE form_columns ADD COLUMN exported INTEGER CHECK (exported IN (0, 1));

CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL,
    set_at TEXT NOT NULL,
    set_by TEXT NOT NULL
) STRICT, WITHOUT ROWID;
