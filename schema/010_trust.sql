-- 010_trust.sql — archives that prove where they come from.
--
-- structure.kind: 'structure' for a practice's database (its own patients), 'region' for a
-- regional (or national) database, made by `recueil init --region`, which only imports the
-- archives of the structures it has enrolled. A database that has imported archives and has no
-- patient of its own was a regional database before this version: it becomes one.
--
-- signing_key: the database's Ed25519 key pair, in minisign's formats (src/core/minisign.h). Every
-- export's manifest is signed with it. `recueil init` makes it; a database of an older version
-- gets one at its first opening after this migration (src/store/trust.c: a migration cannot run
-- libsodium).
--
-- enrolled_structures: in a regional database, the structures whose archives it accepts, each
-- with its public key; replaced_at says when the key was last replaced (a structure that changed
-- machine), NULL while it is the first one.
ALTER TABLE structure ADD COLUMN kind TEXT NOT NULL DEFAULT 'structure'
    CHECK (kind IN ('structure', 'region'));

CREATE TABLE signing_key (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    secret_key  BLOB NOT NULL,  -- minisign's secret key structure, unencrypted (158 bytes)
    public_key  TEXT NOT NULL,  -- the base64 line of the public key, as minisign prints it
    key_id      TEXT NOT NULL,  -- the key id, 16 hexadecimal digits as minisign prints it
    created_at  TEXT NOT NULL
) STRICT;

CREATE TABLE enrolled_structures (
    code        TEXT PRIMARY KEY,
    public_key  TEXT NOT NULL,
    key_id      TEXT NOT NULL,
    enrolled_at TEXT NOT NULL,
    enrolled_by TEXT NOT NULL,
    replaced_at TEXT
) STRICT;

UPDATE structure SET kind = 'region'
 WHERE EXISTS (SELECT 1 FROM import_log)
   AND NOT EXISTS (SELECT 1 FROM patients p WHERE p.structure = structure.code);
