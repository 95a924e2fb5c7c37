#!/bin/sh
# test_forgery.sh — archives forged as an attacker would, with the real tools (age, 7zz,
# minisign), each refused by `recueil import` with one line, the refusal in the audit trail and
# the region's data unchanged (its report and its counts compared before and after):
#   - a genuine export decrypted, one CSV changed, checksums and manifest fixed, re-encrypted to
#     the region's public key (age -r): the signature no longer verifies;
#   - the same without its signature; the same signed by another key (minisign);
#   - a genuine AES export whose entries were replaced by plain ones (7zz d, 7zz a): mixed;
#   - a plain archive (refused without --allow-plain; with it, accepted only when signed by an
#     enrolled structure);
#   - a forged "correction: deleted" that would delete rows of the region;
#   - an archive of a structure that is not enrolled, or enrolled with another key (a structure
#     that changed machine: accepted once enrolled again with --replace);
#   - another structure's archive imported into a practice's own database.
#
# Environment (from CTest): RECUEIL, SRC, TESTS. Needs age, age-keygen, 7zz (or 7z), minisign,
# python3, sqlite3 and unzip: exits 77 (skipped) without them.
. "$TESTS/cli/lib.sh"
need age age-keygen minisign python3 sqlite3 unzip
SEVENZ=$(command -v 7zz || command -v 7z || true)
[ -n "$SEVENZ" ] || { echo "7-Zip absent : test ignoré"; exit 77; }
umask 077
cd "$tmp" || exit 1

PERIOD=2000-01-01..2026-12-31
NORD="$tmp/nord.db"
SUD="$tmp/sud.db"
OUEST="$tmp/ouest.db"
REG="$tmp/region.db"
printf 'Phrase-De-Passe-Nord-2026-XK\n' >"$tmp/pass"
chmod 600 "$tmp/pass"

# ---------------------------------------------------------------- the region and its structures
on "$REG" init --region ARA
run keygen --out "$tmp/region.key"
PUB=$(printf '%s\n' "$out" | tail -n 1)
for s in NORD SUD OUEST; do
	eval "db=\$$s"
	on "$db" init --structure "MS-$s"
	on "$db" demo --patients 15 --seed "$(printf '%s' "$s" | wc -c)"
done
key_of() { RECUEIL_DB="$1" "$RECUEIL" structure key 2>/dev/null | tail -n 1; }
on "$REG" structure enrol MS-NORD "$(key_of "$NORD")"
on "$REG" structure enrol MS-SUD "$(key_of "$SUD")"
expect_rc "la région inscrit MS-NORD et MS-SUD (pas MS-OUEST)" 0

on "$NORD" export --period "$PERIOD" --out "$tmp/nord.age" --recipient "$PUB" --accept-issues test
expect_rc "export age de MS-NORD" 0
on "$NORD" export --period "$PERIOD" --out "$tmp/nord-aes.zip" --passphrase-file "$tmp/pass" --accept-issues test
expect_rc "export AES de MS-NORD" 0
on "$NORD" export --period "$PERIOD" --out "$tmp/nord-clair.zip" --no-encrypt --accept-issues test
expect_rc "export non chiffré de MS-NORD" 0
on "$SUD" export --period "$PERIOD" --out "$tmp/sud.age" --recipient "$PUB" --accept-issues test
on "$OUEST" export --period "$PERIOD" --out "$tmp/ouest.age" --recipient "$PUB" --accept-issues test
on "$REG" import "$tmp/nord.age" "$tmp/sud.age" --identity "$tmp/region.key"
expect_rc "la région importe les deux archives authentiques" 0

# state — what the region's users see: its report and its counts.
state() {
	RECUEIL_DB="$REG" "$RECUEIL" report --period 2026 --format csv --no-mask 2>/dev/null
	sqlite3 "$REG" "SELECT (SELECT count(*) FROM patients), (SELECT count(*) FROM entries),
		(SELECT total(row_version) FROM entries), (SELECT count(*) FROM import_log)"
}
refusals() { sqlite3 "$REG" "SELECT count(*) FROM audit_log WHERE action = 'refused'"; }
state >"$tmp/state.ref"
expect_true "l'état de la région a des chiffres" test "$(wc -l <"$tmp/state.ref")" -gt 20

# refused DESC WORD ARGS… — `recueil import ARGS…` on the region is refused: exit 65, one line
# that says WORD, the refusal logged, the region unchanged.
refused() {
	desc=$1 word=$2
	shift 2
	before=$(refusals)
	on "$REG" import "$@"
	expect_rc "$desc : refusée" 65
	if one_line "$err"; then pass; else fail "$desc : une seule ligne d'erreur" "$err"; fi
	expect_contains "$desc : la raison" "$err" "$word"
	expect_eq "$desc : le refus est au journal" "$(refusals)" $((before + 1))
	state >"$tmp/state.now"
	if cmp -s "$tmp/state.ref" "$tmp/state.now"; then pass; else
		fail "$desc : la région a changé" "$(diff "$tmp/state.ref" "$tmp/state.now" | head -5)"
	fi
}

# ---------------------------------------------------------------- forged from a genuine export
age -d -i "$tmp/region.key" -o "$tmp/nord.zip" "$tmp/nord.age"
mkdir "$tmp/n" && (cd "$tmp/n" && unzip -q ../nord.zip)
VICTIM=$(sqlite3 "$REG" "SELECT e.uuid FROM entries e JOIN patients p ON p.id = e.patient_id
	WHERE p.structure = 'MS-NORD' AND e.form = 'contact' ORDER BY e.id LIMIT 1")
# forge DIR — in a copy of the extracted export: the first contact lasts 999 minutes, and the
# manifest's line for contact.csv gets the new size and SHA-256.
forge() {
	rm -rf "$1" && cp -r "$tmp/n" "$1"
	python3 - "$1" <<'PYEOF'
import csv, hashlib, io, sys
d = sys.argv[1]
rows = list(csv.reader(open(d + "/contact.csv", encoding="utf-8", newline="")))
rows[1][rows[0].index("duree_min")] = "999"
out = io.StringIO(newline="")
csv.writer(out, lineterminator="\r\n").writerows(rows)
data = out.getvalue().encode()
open(d + "/contact.csv", "wb").write(data)
m = open(d + "/manifest.txt", encoding="utf-8").read().split("\n")
m = ["file: contact.csv rows=%s bytes=%d sha256=%s" % (l.split("rows=")[1].split()[0], len(data),
     hashlib.sha256(data).hexdigest()) if l.startswith("file: contact.csv ") else l for l in m]
open(d + "/manifest.txt", "w", encoding="utf-8").write("\n".join(m))
PYEOF
}
# zip_age DIR OUT — zip DIR's files (7-Zip) and encrypt the zip to the region's key (age -r).
zip_age() {
	rm -f "$tmp/forged.zip"
	(cd "$1" && "$SEVENZ" a -tzip "$tmp/forged.zip" ./* >/dev/null)
	age -r "$PUB" -o "$2" "$tmp/forged.zip"
}

forge "$tmp/f1"
zip_age "$tmp/f1" "$tmp/modifiee.age"
run verify "$tmp/modifiee.age" --identity "$tmp/region.key"
expect_rc "la falsification passe les contrôles d'empreintes (verify sans clé publique)" 0
refused "CSV modifié, empreintes et manifeste refaits, rechiffrée pour la région" "signature" \
	"$tmp/modifiee.age" --identity "$tmp/region.key"

forge "$tmp/f2"
rm "$tmp/f2/manifest.txt.minisig"
zip_age "$tmp/f2" "$tmp/sans-signature.age"
refused "la même sans signature" "non signée" "$tmp/sans-signature.age" --identity "$tmp/region.key"

forge "$tmp/f3"
minisign -G -W -p "$tmp/autre.pub" -s "$tmp/autre.sec" >/dev/null 2>&1
rm "$tmp/f3/manifest.txt.minisig"
export_id=$(sed -n 's/^export_id: //p' "$tmp/f3/manifest.txt")
minisign -S -s "$tmp/autre.sec" -m "$tmp/f3/manifest.txt" -x "$tmp/f3/manifest.txt.minisig" \
	-t "timestamp:0	structure:MS-NORD	export_id:$export_id	sequence:1" >/dev/null 2>&1
expect_true "minisign a signé le manifeste falsifié avec une autre clé" test -s "$tmp/f3/manifest.txt.minisig"
zip_age "$tmp/f3" "$tmp/autre-cle.age"
refused "la même signée par une autre clé" "autre clé" "$tmp/autre-cle.age" --identity "$tmp/region.key"

# A forged deletion: the manifest lists one of the region's entries as deleted at the structure.
rm -rf "$tmp/f4" && cp -r "$tmp/n" "$tmp/f4"
printf 'correction: deleted entry=%s form=contact pseudonym=X date=2026-01-01\n' "$VICTIM" >>"$tmp/f4/manifest.txt"
zip_age "$tmp/f4" "$tmp/suppression.age"
refused "correction « deleted » ajoutée au manifeste" "signature" "$tmp/suppression.age" --identity "$tmp/region.key"
expect_eq "l'entrée visée est toujours dans la région" \
	"$(sqlite3 "$REG" "SELECT count(*) FROM entries WHERE uuid = '$VICTIM'")" 1

# ---------------------------------------------------------------- mixed plain and AES entries
cp "$tmp/nord-aes.zip" "$tmp/melangee.zip"
"$SEVENZ" d "$tmp/melangee.zip" contact.csv manifest.txt >/dev/null
(cd "$tmp/f1" && "$SEVENZ" a -tzip "$tmp/melangee.zip" contact.csv manifest.txt >/dev/null)
expect_eq "7-Zip a remplacé deux entrées sans la phrase de passe" \
	"$(unzip -Z1 "$tmp/melangee.zip" | grep -c -e '^contact.csv$' -e '^manifest.txt$')" 2
run verify "$tmp/melangee.zip" --passphrase-file "$tmp/pass"
expect_rc "verify refuse l'archive aux entrées mêlées" 65
expect_lacks "verify ne la dit pas chiffrée AES-256 authentifiée" "$out" "AES-256 authentifié"
expect_contains "verify dit pourquoi" "$err" "chiffrées et en clair mêlées"
refused "entrées en clair parmi des entrées AES" "mêlées" "$tmp/melangee.zip" --passphrase-file "$tmp/pass"

# ---------------------------------------------------------------- plain archives
refused "archive non chiffrée, sans --allow-plain" "NON chiffrée" "$tmp/nord-clair.zip"
rm -f "$tmp/f1.zip"
(cd "$tmp/f1" && "$SEVENZ" a -tzip "$tmp/f1.zip" ./* >/dev/null)
refused "archive non chiffrée falsifiée, avec --allow-plain" "signature" "$tmp/f1.zip" --allow-plain
on "$OUEST" export --period "$PERIOD" --out "$tmp/ouest-clair.zip" --no-encrypt --accept-issues test
refused "archive non chiffrée d'une structure non inscrite, avec --allow-plain" "non inscrite" \
	"$tmp/ouest-clair.zip" --allow-plain

# ---------------------------------------------------------------- who sends
refused "structure non inscrite" "recueil structure enrol MS-OUEST" "$tmp/ouest.age" --identity "$tmp/region.key"
# MS-SUD on a new machine: a new database, the same code, a new key.
NEUF="$tmp/sud-neuf.db"
on "$NEUF" init --structure MS-SUD
on "$NEUF" demo --patients 4 --seed 31
on "$NEUF" export --period "$PERIOD" --out "$tmp/sud-neuf.age" --recipient "$PUB" --accept-issues test
refused "structure inscrite avec une autre clé" "--replace" "$tmp/sud-neuf.age" --identity "$tmp/region.key"

# Another structure's archive into a practice's own database.
before=$(sqlite3 "$NORD" "SELECT count(*) FROM entries")
on "$NORD" import "$tmp/sud.age" --identity "$tmp/region.key"
expect_rc "archive d'une autre structure dans la base d'une structure : refusée" 64
expect_true "… en une ligne" one_line "$err"
expect_contains "… qui dit où importer" "$err" "init --region"
expect_eq "… la base de la structure est inchangée" "$(sqlite3 "$NORD" "SELECT count(*) FROM entries")" "$before"
expect_eq "… le refus est à son journal" \
	"$(sqlite3 "$NORD" "SELECT count(*) FROM audit_log WHERE action = 'refused' AND new_value LIKE '%pas une base régionale%'")" 1

# ---------------------------------------------------------------- and what is accepted
on "$REG" import "$tmp/nord-clair.zip" --allow-plain
expect_rc "archive non chiffrée authentique, signée, structure inscrite, --allow-plain : acceptée" 0
on "$REG" structure enrol MS-SUD "$(key_of "$NEUF")" --replace
on "$REG" import "$tmp/sud-neuf.age" --identity "$tmp/region.key"
expect_rc "après --replace, l'archive de la nouvelle machine est acceptée" 0

finish
