-- 015_opposition.sql — the patient's information and opposition (RGPD art. 13 and 21): the
-- evaluation is a secondary use of care data. recueil patient inform|oppose, the patient file.
--
-- informed_on, informed_by: the day the patient was told how their data are used, and who
-- recorded it (NULL: never informed; the export's check lists them).
-- opposed_on, opposed_by, opposed_at: the day the patient objected, who recorded it and when
-- (ISO-8601 UTC). An opposed patient's data stay for their care and never leave: no row of any
-- export, no alert, not counted in what leaves; the next snapshot removes them at the region.
-- A withdrawn opposition sets the three back to NULL (the audit trail keeps both acts).
ALTER TABLE patients ADD COLUMN informed_on TEXT;
ALTER TABLE patients ADD COLUMN informed_by TEXT;
ALTER TABLE patients ADD COLUMN opposed_on TEXT;
ALTER TABLE patients ADD COLUMN opposed_by TEXT;
ALTER TABLE patients ADD COLUMN opposed_at TEXT;
