-- 007_indexes.sql — two indexes for the counts of the home screen (store_counts_get,
-- src/store/draft.c), which otherwise read every entry at each start (docs/performance.md):
-- the entries not yet complete, and for each patient the date of the last entry of a form.
CREATE INDEX entries_unfinished ON entries(status) WHERE status <> 'complete';
CREATE INDEX entries_by_form_patient ON entries(form, patient_id, date);
