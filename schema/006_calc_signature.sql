-- 006_calc_signature.sql — a fingerprint of what computes each form's stored scores (its
-- expressions and the thresholds of reporting.yaml). When it changes, the stored calculated
-- values of the form's entries are recomputed, so that exports agree with the screens.
ALTER TABLE form_versions ADD COLUMN calc_signature TEXT;
