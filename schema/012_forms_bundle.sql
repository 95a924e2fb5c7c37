-- 012_forms_bundle.sql — one version of the forms for the whole network (recueil forms publish,
-- trust, install, rollback): the coordination's public key that bundles must be signed with,
-- every bundle published, installed or rolled back here, and the forms an install replaced, so
-- that rollback can put them back.

-- The coordination's public key (minisign format), recorded by an admin (recueil forms trust).
CREATE TABLE forms_trust (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    public_key  TEXT NOT NULL,   -- the base64 line of the public key
    fingerprint TEXT NOT NULL,   -- what was read aloud to check it
    trusted_at  TEXT NOT NULL,
    trusted_by  TEXT NOT NULL
) STRICT;

-- One row per bundle published here, installed here, or install undone (rollback). digest is
-- that of the forms files (src/core/forms_bundle.h): an export names it in its manifest.
CREATE TABLE forms_bundles (
    id         INTEGER PRIMARY KEY,
    action     TEXT NOT NULL CHECK (action IN ('publish', 'install', 'rollback')),
    version    INTEGER NOT NULL,
    digest     TEXT NOT NULL,
    forms_dir  TEXT NOT NULL,
    at         TEXT NOT NULL,
    login      TEXT NOT NULL,
    undone     INTEGER NOT NULL DEFAULT 0 -- an install that a rollback undid
) STRICT;
CREATE INDEX forms_bundles_by_digest ON forms_bundles(digest);

-- The forms files an install replaced, byte for byte: what rollback puts back.
CREATE TABLE forms_previous (
    bundle_id INTEGER NOT NULL REFERENCES forms_bundles(id) ON DELETE CASCADE,
    name      TEXT NOT NULL,
    content   BLOB NOT NULL,
    PRIMARY KEY (bundle_id, name)
) STRICT, WITHOUT ROWID;

-- The forms an imported archive was made with ("version=N digest=HEX" of its manifest's
-- forms_bundle: line; NULL for older archives), so that the region sees who exports with forms
-- other than the published ones.
ALTER TABLE import_log ADD COLUMN forms_bundle TEXT;
