-- 009_regional.sql — every export is a snapshot of its structure up to the last day of its
-- period, and an import makes the region hold exactly the newest snapshot of each structure
-- (src/store/import_write.c). import_log says, for each archive imported, what it held:
--   period_first, period_last  the ISO dates of the archive's period (NULL for rows imported
--                              before this version: the label in period still says it);
--   period_complete            1 when the period was over at the export, 0 when not, NULL for
--                              rows imported before this version;
--   content                    'snapshot' (everything up to period_last) or 'slice' (an archive
--                              of an older version: only the entries dated in the period);
--   removed                    entries of the structure that the import deleted because the
--                              snapshot no longer holds them;
--   source                     NULL for an archive made by the structure itself; for an archive
--                              made by a regional database (one row per structure it carried),
--                              the code of the database that made it.
ALTER TABLE import_log ADD COLUMN period_first TEXT;
ALTER TABLE import_log ADD COLUMN period_last TEXT;
ALTER TABLE import_log ADD COLUMN period_complete INTEGER CHECK (period_complete IN (0, 1));
ALTER TABLE import_log ADD COLUMN content TEXT CHECK (content IN ('snapshot', 'slice'));
ALTER TABLE import_log ADD COLUMN removed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE import_log ADD COLUMN source TEXT;
UPDATE import_log SET content = 'slice';

-- The patients of one structure, for the import that replaces them (and the report by structure).
CREATE INDEX patients_by_structure ON patients(structure);

-- Where an export stood in the database's history: the largest entry id and audit line id its
-- read snapshot saw. The next export of the same period lists as corrections what came after
-- them (entries created, audit lines of edits and deletions), whatever the clock says: two
-- changes in the same second as the export are told apart. NULL for exports made before.
ALTER TABLE export_log ADD COLUMN entry_mark INTEGER;
ALTER TABLE export_log ADD COLUMN audit_mark INTEGER;
