#!/bin/sh
# test_trust.sh — the keys of the trust chain as a structure and its regional coordinator meet
# them: the structure's signing key (made at init, or at the first opening of an older
# database) printed for the phone call; the region's database (init --region), which has no
# patients of its own; the region's age key pair (recueil keygen, as age-keygen); enrolling a
# structure, again, and with a new key (--replace, logged); exports encrypted to the region's
# key (--recipient, or recipients: in reporting.yaml) that the real `age -d` opens and whose
# manifest the real `minisign -V` verifies; a zip re-encrypted with the real `age -r` imports;
# verify names the signer, checks it with --pubkey; identity files stay private and no message
# ever quotes a key. The forged archives are in test_forgery.sh.
#
# Environment (from CTest): RECUEIL, SRC, TESTS. Needs age, age-keygen, minisign, sqlite3 and
# unzip: exits 77 (skipped) without them.
. "$TESTS/cli/lib.sh"
need age age-keygen minisign sqlite3 unzip
umask 077
cd "$tmp" || exit 1

S="$tmp/est.db"
REG="$tmp/region.db"
PERIOD=2000-01-01..2026-12-31

# ---------------------------------------------------------------- the structure's signing key
on "$S" init --structure MS-EST --name "Microstructure de l'Est"
expect_rc "init de la structure" 0
on "$S" demo --patients 12 --seed 21
on "$S" structure key
expect_rc "structure key" 0
key_out=$out
KEY=$(printf '%s\n' "$out" | tail -n 1)
KEYID=$(printf '%s\n' "$out" | sed -n 's/^untrusted comment: minisign public key //p')
expect_eq "la dernière ligne est la clé publique en base64 (56 caractères, RW…)" \
	"$(printf '%s' "$KEY" | grep -c '^RW[A-Za-z0-9+/]\{54\}$')" 1
expect_eq "l'avant-dernière ligne est celle de minisign, avec l'identifiant de la clé" \
	"$(printf '%s\n' "$out" | tail -n 2 | head -n 1)" "untrusted comment: minisign public key $KEYID"
FP=$(printf '%s\n' "$out" | sed -n 's/^Empreinte à comparer par téléphone : \([0-9A-Z-]*\) (clé .*/\1/p')
expect_eq "l'empreinte à lire au téléphone : cinq groupes de quatre caractères" \
	"$(printf '%s' "$FP" | grep -c '^[0-9A-HJKMNP-TV-Z]\{4\}\(-[0-9A-HJKMNP-TV-Z]\{4\}\)\{4\}$')" 1
expect_contains "l'empreinte est suivie de l'identifiant de la clé" "$out" "(clé $KEYID)"
on "$S" structure key
expect_eq "la clé ne change pas d'une commande à l'autre" "$out" "$key_out"
printf '%s\n' "$out" | tail -n 2 >"$tmp/est.pub"
expect_eq "la secrète n'est jamais affichée" "$(printf '%s\n' "$key_out" | grep -ci secret)" 0

# A database of an older version (before 010_trust) gets its key at its first opening.
# What the migrations after 010 add is removed too (up to 015_opposition), so that the copy is a database of version 9.
after_trust="ALTER TABLE form_columns DROP COLUMN identifier; ALTER TABLE form_columns DROP COLUMN exported;
	DROP TABLE settings; DROP TABLE forms_previous; DROP TABLE forms_bundles; DROP TABLE forms_trust;
	ALTER TABLE import_log DROP COLUMN forms_bundle; DELETE FROM entries WHERE patient_id IS NULL;
	ALTER TABLE entries DROP COLUMN self_filled_at;
	ALTER TABLE patients DROP COLUMN informed_on; ALTER TABLE patients DROP COLUMN informed_by;
	ALTER TABLE patients DROP COLUMN opposed_on; ALTER TABLE patients DROP COLUMN opposed_by;
	ALTER TABLE patients DROP COLUMN opposed_at;"
on "$S" check
sqlite3 "$S" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
cp "$S" "$tmp/old.db"
sqlite3 "$tmp/old.db" "DROP TABLE signing_key; DROP TABLE enrolled_structures;
	ALTER TABLE structure DROP COLUMN kind; $after_trust PRAGMA user_version = 9;"
on "$tmp/old.db" structure key
expect_rc "base d'une version précédente : une clé à la première ouverture" 0
expect_eq "… une seule, gardée" "$(sqlite3 "$tmp/old.db" "SELECT count(*) FROM signing_key")" 1
expect_eq "… la base reste celle d'une structure" "$(sqlite3 "$tmp/old.db" "SELECT kind FROM structure")" structure
expect_contains "… sa création est au journal" "$(RECUEIL_DB="$tmp/old.db" "$RECUEIL" log 2>/dev/null)" "clé de signature"

# ---------------------------------------------------------------- the region and its keys
on "$REG" init --region ARA --name "Coordination Auvergne-Rhône-Alpes"
expect_rc "init --region" 0
expect_contains "init --region dit que c'est une base régionale" "$out" "base régionale"
on "$REG" init --structure X --region Y
expect_rc "--structure et --region ensemble : refusé" 64
on "$REG" patient add sexe=F annee_naissance=1980
expect_rc "une base régionale n'a pas de patients à elle" 64
expect_true "… et le dit en une ligne" one_line "$err"
expect_contains "… en disant pourquoi" "$err" "base régionale"
P=$(RECUEIL_DB="$S" "$RECUEIL" patient list 2>/dev/null | head -n 1 | cut -f 1)
on "$REG" entry add "$P" audit q1=0
expect_rc "ni de saisies à elle" 64
on "$REG" structure key
expect_rc "la région a aussi sa clé de signature (exports vers le national)" 0
expect_contains "… présentée comme celle de la région" "$out" "Région ARA"

run keygen --out "$tmp/region.key"
expect_rc "recueil keygen" 0
PUB=$(printf '%s\n' "$out" | tail -n 1)
expect_eq "keygen : la dernière ligne est la clé publique que age-keygen -y lit dans le fichier" \
	"$PUB" "$(age-keygen -y "$tmp/region.key")"
expect_eq "keygen : clé privée en mode 0600" "$(stat -c %a "$tmp/region.key")" 600
expect_lacks "keygen : la clé privée n'est pas affichée" "$out$err" "AGE-SECRET-KEY"
cp "$tmp/region.key" "$tmp/region.key.orig"
run keygen --out "$tmp/region.key"
expect_rc "keygen n'écrase jamais une clé" 73
expect_true "… la clé est intacte" cmp -s "$tmp/region.key" "$tmp/region.key.orig"

# ---------------------------------------------------------------- enrolment
on "$REG" user add coord --role coordination
RECUEIL_AS_USER=coord on "$REG" structure enrol MS-EST "$KEY"
expect_rc "inscrire une structure est réservé aux administrateurs" 77
on "$S" structure enrol MS-EST "$KEY"
expect_rc "une base de structure n'inscrit pas de structures" 64
on "$REG" structure enrol MS-EST "RWQn'importe quoi"
expect_rc "une clé illisible est refusée" 64
on "$REG" structure enrol MS-EST "$tmp/est.pub"
expect_rc "inscription depuis le fichier de la clé publique" 0
expect_contains "l'inscription montre l'empreinte à comparer, la même que chez la structure" "$out" "$FP"
on "$REG" structure enrol MS-EST "$KEY"
expect_rc "inscrire de nouveau avec la même clé" 0
expect_contains "… ne change rien" "$out" "rien à faire"

# ---------------------------------------------------------------- an export for the region's key
on "$S" export --period "$PERIOD" --out "$tmp/est.zip.age" --recipient "$PUB" --accept-issues test
expect_rc "export --recipient" 0
expect_contains "l'export dit pour quelle clé il est chiffré" "$out" "chiffré pour 1 clé(s) publique(s) age"
expect_eq "c'est un fichier age" "$(head -c 21 "$tmp/est.zip.age")" "age-encryption.org/v1"
age -d -i "$tmp/region.key" -o "$tmp/est.zip" "$tmp/est.zip.age" 2>"$tmp/age.err"
expect_eq "age -d -i ouvre l'archive" "$?" 0
expect_contains "dans l'archive : la signature du manifeste" "$(unzip -Z1 "$tmp/est.zip")" "manifest.txt.minisig"
mkdir "$tmp/x" && (cd "$tmp/x" && unzip -q ../est.zip)
expect_eq "le zip dans le fichier age n'est pas chiffré une seconde fois" "$?" 0
minisign -Vm "$tmp/x/manifest.txt" -P "$KEY" >"$tmp/minisign.out" 2>&1
expect_eq "minisign -V vérifie le manifeste avec la clé de la structure" "$?" 0
expect_contains "le commentaire signé nomme la structure et l'export" "$(cat "$tmp/minisign.out")" \
	"structure:MS-EST	export_id:$(sed -n 's/^export_id: //p' "$tmp/x/manifest.txt")"
expect_eq "le manifeste dit le chiffrement age" "$(sed -n 's/^encryption: //p' "$tmp/x/manifest.txt")" \
	"age (1 recipient(s), X25519)"
age-keygen -o "$tmp/autre.key" 2>/dev/null
if age -d -i "$tmp/autre.key" "$tmp/est.zip.age" >/dev/null 2>&1; then
	fail "une autre clé privée ouvre l'archive"
else
	pass
fi

# verify: encryption, signer, with and without the public key.
run verify "$tmp/est.zip.age"
expect_rc "verify d'un fichier age sans clé privée" 64
expect_contains "… dit de donner --identity" "$err" "--identity"
run verify "$tmp/est.zip.age" --identity "$tmp/region.key"
expect_rc "verify --identity" 0
expect_contains "verify : chiffrement age" "$out" "Chiffrement : age"
expect_contains "verify : signature présente, non vérifiée, sa clé nommée" "$out" "présente (clé $KEYID), non vérifiée"
run verify "$tmp/est.zip.age" --identity "$tmp/region.key" --pubkey "$KEY"
expect_rc "verify --pubkey" 0
expect_contains "verify --pubkey : signature valide, empreinte" "$out" "Signature : valide, clé $KEYID (empreinte $FP)"
on "$REG" structure key
REGKEY=$(printf '%s\n' "$out" | tail -n 1)
run verify "$tmp/est.zip.age" --identity "$tmp/region.key" --pubkey "$REGKEY"
expect_rc "verify avec la clé d'un autre : refusé" 65
expect_contains "… signée par une autre clé" "$err" "autre clé ($KEYID)"
run verify "$tmp/est.zip.age" --identity "$tmp/autre.key"
expect_rc "verify avec une clé privée qui ne l'ouvre pas" 65

# The identity file holds a secret: private, and never quoted.
cp "$tmp/region.key" "$tmp/ouverte.key"
chmod 644 "$tmp/ouverte.key"
run verify "$tmp/est.zip.age" --identity "$tmp/ouverte.key"
expect_rc "clé privée lisible par d'autres : refusée" 77
expect_contains "… avec le chmod à faire" "$err" "chmod 600"
printf 'AGE-SECRET-KEY-1PASUNECLE\n' >"$tmp/faux.key"
chmod 600 "$tmp/faux.key"
run verify "$tmp/est.zip.age" --identity "$tmp/faux.key"
expect_rc "fichier qui n'est pas une clé age : refusé" 65
expect_lacks "… sans répéter son contenu" "$err" "PASUNECLE"
run verify "$tmp/est.zip.age" --ident "$tmp/region.key"
expect_rc "--ident (abréviation) refusé" 64

# ---------------------------------------------------------------- the region imports
on "$REG" import "$tmp/est.zip.age"
expect_rc "import d'un fichier age sans --identity" 64
on "$REG" import "$tmp/est.zip.age" --identity "$tmp/region.key"
expect_rc "import --identity" 0
expect_contains "import : l'archive arrive" "$out" "structure MS-EST, export n° 1"
expect_lacks "import : elle n'est pas dite non chiffrée" "$out" "NON chiffrée"
expect_eq "la région a les saisies de la structure (sauf celles des patients opposés)" \
	"$(sqlite3 "$REG" "SELECT count(*) FROM entries")" "$(sqlite3 "$S" "SELECT count(*) FROM entries e LEFT JOIN patients p ON p.id = e.patient_id WHERE e.status <> 'draft' AND p.opposed_on IS NULL")"

# A regional database's export (to the national level) is signed by the region's key.
on "$REG" export --period "$PERIOD" --out "$tmp/region.zip" --no-encrypt --accept-issues test
expect_rc "export de la base régionale" 0
unzip -p "$tmp/region.zip" manifest.txt >"$tmp/region-manifest.txt"
unzip -p "$tmp/region.zip" manifest.txt.minisig >"$tmp/region-manifest.txt.minisig"
minisign -Vm "$tmp/region-manifest.txt" -P "$REGKEY" >/dev/null 2>&1
expect_eq "minisign vérifie l'export régional avec la clé de la région" "$?" 0

# A zip re-encrypted with the real age -r (by the structure, or by anyone it went through)
# imports into another region that enrolled the structure.
age -r "$PUB" -o "$tmp/refait.age" "$tmp/est.zip"
R2="$tmp/region2.db"
on "$R2" init --region ARA2
on "$R2" structure enrol MS-EST "$KEY"
on "$R2" import "$tmp/refait.age" --identity "$tmp/region.key"
expect_rc "un zip chiffré par age -r s'importe" 0
expect_contains "… avec toutes ses saisies" "$out" "ajoutée(s)"

# ---------------------------------------------------------------- reporting.yaml recipients
forms="$tmp/forms"
mkdir "$forms"
cp "$SRC"/forms/*.yaml "$forms/"
printf '\nrecipients: [%s]\n' "$PUB" >>"$forms/reporting.yaml"
RECUEIL_FORMS="$forms" on "$S" export --period "$PERIOD" --out "$tmp/defaut.age" --accept-issues test
expect_rc "sans option, l'export chiffre pour les clés de reporting.yaml (sans terminal)" 0
expect_contains "… et le dit" "$out" "de forms/reporting.yaml"
age -d -i "$tmp/region.key" -o /dev/null "$tmp/defaut.age" 2>/dev/null
expect_eq "… age -d l'ouvre" "$?" 0
cp "$SRC"/forms/reporting.yaml "$forms/"
printf '\nrecipients: [age1pasuneclepublique]\n' >>"$forms/reporting.yaml"
RECUEIL_FORMS="$forms" run forms check
expect_rc "une clé illisible dans reporting.yaml est refusée au chargement" 65
expect_contains "… à sa place" "$err" "reporting.yaml:"

# ---------------------------------------------------------------- a structure changes machine
N="$tmp/nouvelle.db"
on "$N" init --structure MS-EST
on "$N" demo --patients 3 --seed 22
on "$N" structure key
NEWKEY=$(printf '%s\n' "$out" | tail -n 1)
on "$REG" structure enrol MS-EST "$NEWKEY"
expect_rc "une autre clé pour une structure inscrite, sans --replace : refusé" 65
expect_contains "… le message dit --replace" "$err" "--replace"
on "$REG" structure enrol MS-EST "$NEWKEY" --replace
expect_rc "--replace" 0
expect_contains "… l'ancienne clé est nommée" "$out" "à la place de $KEYID"
expect_contains "le remplacement est au journal" "$(RECUEIL_DB="$REG" "$RECUEIL" log 2>/dev/null)" \
	"structure MS-EST : clé $KEYID → clé"
expect_eq "… et daté dans la table des structures" \
	"$(sqlite3 "$REG" "SELECT replaced_at IS NOT NULL FROM enrolled_structures WHERE code = 'MS-EST'")" 1

# A regional database of an older version (imports, no patient of its own) stays regional.
sqlite3 "$R2" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
cp "$R2" "$tmp/old-region.db"
sqlite3 "$tmp/old-region.db" "DROP TABLE signing_key; DROP TABLE enrolled_structures;
	ALTER TABLE structure DROP COLUMN kind; $after_trust PRAGMA user_version = 9;"
on "$tmp/old-region.db" check
expect_eq "base régionale d'une version précédente : reconnue comme régionale" \
	"$(sqlite3 "$tmp/old-region.db" "SELECT kind FROM structure")" region

finish
