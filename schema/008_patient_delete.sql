-- 008_patient_delete.sql — the erasure of a patient (recueil patient delete, src/store/purge.c).
-- The deletion zeroes the pages it frees (secure_delete), but the WAL keeps older copies of
-- those pages until a checkpoint copies everything into the database file and truncates the
-- WAL. Another user reading at that moment can delay the checkpoint: a row here says that such
-- a purge is still owed, and the next process that can checkpoint completes it and removes the
-- row. Nothing here names the patient.
CREATE TABLE purge_pending (
    id           INTEGER PRIMARY KEY,
    requested_at TEXT NOT NULL
) STRICT;
