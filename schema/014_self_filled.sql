-- 014_self_filled.sql — an entry the patient answered alone on the screen (self-assessment of a
-- form marked self: true): when they did, kept after the professional has reviewed, completed
-- and validated it. NULL for an entry typed by a professional.

ALTER TABLE entries ADD COLUMN self_filled_at TEXT;
