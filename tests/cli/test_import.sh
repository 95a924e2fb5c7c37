#!/bin/sh
# test_import.sh — recueil import as the regional coordinator meets it: two structures export,
# the region imports both archives and its report counts each structure; a second import
# changes nothing; a correction at a structure reaches the region and nothing else moves; and
# every hostile archive (wrong passphrase, truncated, tampered, path traversal, absolute name,
# decompression bomb, too many entries, unexpected file, unknown column, invalid code, an
# exclusive answer ("aucune") with another, unknown
# form, newer schema or format, forged manifest, an entry of another structure) is refused with
# exit 65, one line naming the file, the refusal in the audit trail and the regional data
# unchanged. The region enrols both structures' keys; the crafted archives are re-signed with
# the structure's own key, so that only the import's checks of their content can refuse them
# (signatures, keys and encryption: test_forgery.sh).
#
# Environment (from CTest): RECUEIL, SRC, TESTS, CRYPTOTOOL. POSIX sh; needs sqlite3 (exit 77
# without it) and uses python3 (zipfile, csv) to craft archives: without it those checks are
# skipped and said so, and the test exits 77 (CTest: skipped) if nothing failed.
. "$TESTS/cli/lib.sh"
R=$RECUEIL
umask 077

ok() { pass; }
have() { command -v "$1" >/dev/null 2>&1; }

# run DB ARGS… — recueil on database DB; sets rc, out, err. A sanitizer report is a failure.
run() {
	db=$1
	shift
	RECUEIL_DB="$db" "$R" "$@" >"$tmp/.out" 2>"$tmp/.err" </dev/null
	rc=$?
	out=$(cat "$tmp/.out")
	err=$(cat "$tmp/.err")
	case "$err" in
	*Sanitizer* | *"runtime error:"*) fail "rapport de sanitizer pour « recueil $* »" "$err" ;;
	esac
}

need sqlite3
PY=$(command -v python3 || true)

S1="$tmp/s1.db"
S2="$tmp/s2.db"
REG="$tmp/region.db"
A="$tmp/archives"
mkdir "$A"
printf 'Phrase-De-Passe-Regionale-2026\n' >"$tmp/pass"
printf 'AAAA-BBBB-CCCC-DDDD\n' >"$tmp/badpass"
chmod 600 "$tmp/pass" "$tmp/badpass"
PERIOD=2000-01-01..2026-12-31

# dump DB — the whole database as SQL text, to compare before and after; the audit trail
# aside (a refusal is written there).
dump() { sqlite3 "$1" .dump | grep -v '^INSERT INTO audit_log '; }
refusals() { sqlite3 "$1" "SELECT count(*) FROM audit_log WHERE action = 'refused'"; }
# enrol DB — the region DB enrols both structures with their public keys.
enrol() {
	for s in "$S1" "$S2"; do
		RECUEIL_DB="$s" "$R" structure key >"$tmp/key.txt" 2>/dev/null
		run "$1" structure enrol "$(sqlite3 "$s" "SELECT code FROM structure")" "$tmp/key.txt"
		expect_rc "$(basename "$1") inscrit $(sqlite3 "$s" "SELECT code FROM structure")" 0
	done
}
count() { sqlite3 "$REG" "$1"; }

# ---------------------------------------------------------------- two structures
run "$S1" init --structure MS-NORD --name "Microstructure du Nord"
expect_rc "init de la structure MS-NORD" 0
run "$S1" demo --patients 20 --seed 11
expect_rc "20 patients fictifs à MS-NORD" 0
run "$S2" init --structure MS-SUD --name "Microstructure du Sud"
expect_rc "init de la structure MS-SUD" 0
run "$S2" demo --patients 20 --seed 12
expect_rc "20 patients fictifs à MS-SUD" 0
# The same pseudonym drawn by both structures: two people, never merged.
same=$(sqlite3 "$S1" "SELECT pseudonym FROM patients ORDER BY id LIMIT 1")
sqlite3 "$S2" "UPDATE patients SET pseudonym = '$same' WHERE id = (SELECT min(id) FROM patients)"
expect_eq "MS-SUD a un patient au même pseudonyme que MS-NORD" \
	"$(sqlite3 "$S2" "SELECT count(*) FROM patients WHERE pseudonym = '$same'")" 1

run "$S1" export --period "$PERIOD" --out "$A/nord1.zip" --passphrase-file "$tmp/pass" --accept-issues test
expect_rc "export de MS-NORD" 0
run "$S2" export --period "$PERIOD" --out "$A/sud1.zip" --passphrase-file "$tmp/pass" --accept-issues test
expect_rc "export de MS-SUD" 0

# ---------------------------------------------------------------- the region imports both
run "$REG" init --region REGION --name "Coordination régionale"
expect_rc "init de la base régionale" 0
enrol "$REG"
run "$REG" import "$A/nord1.zip" "$A/sud1.zip" --passphrase-file "$tmp/pass"
expect_rc "import des deux archives" 0
expect_contains "compte rendu de MS-NORD" "$out" "nord1.zip : structure MS-NORD, export n° 1"
expect_contains "compte rendu de MS-SUD" "$out" "sud1.zip : structure MS-SUD, export n° 1"
expect_contains "bilan des deux archives" "$out" "2 archive(s) importée(s), 0 refusée(s)"

expect_true "MS-NORD a des patients opposés (démo)" test "$(sqlite3 "$S1" "SELECT count(*) FROM patients WHERE opposed_on IS NOT NULL")" -gt 0
for s in 1 2; do
	eval "src=\$S$s"
	code=$(sqlite3 "$src" "SELECT code FROM structure")
	# Patients opposed to the evaluation (the demo makes a few) are never exported.
	kept="coalesce(patient_id, 0) NOT IN (SELECT id FROM patients WHERE opposed_on IS NOT NULL)"
	kept_e="coalesce(e.patient_id, 0) NOT IN (SELECT id FROM patients WHERE opposed_on IS NOT NULL)"
	expect_eq "$code : autant de patients dans la région qu'à la source, hors opposés" \
		"$(count "SELECT count(*) FROM patients WHERE structure = '$code'")" \
		"$(sqlite3 "$src" "SELECT count(*) FROM patients WHERE opposed_on IS NULL")"
	expect_eq "$code : autant de saisies dans la région qu'exportées (hors brouillons)" \
		"$(count "SELECT count(*) FROM entries e LEFT JOIN patients p ON p.id = e.patient_id WHERE coalesce(p.structure, e.structure) = '$code'")" \
		"$(sqlite3 "$src" "SELECT count(*) FROM entries WHERE status <> 'draft' AND $kept")"
	# Every entry keeps its uuid, date, status, row version and values (identity fields aside).
	expect_eq "$code : mêmes uuid, dates, statuts et versions" \
		"$(count "SELECT e.uuid, e.date, e.status, e.row_version FROM entries e LEFT JOIN patients p ON p.id = e.patient_id WHERE coalesce(p.structure, e.structure) = '$code' ORDER BY e.uuid" | md5sum)" \
		"$(sqlite3 "$src" "SELECT uuid, date, status, row_version FROM entries WHERE status <> 'draft' AND $kept ORDER BY uuid" | md5sum)"
	# Identity fields (nom, prenom, telephone, notes) never leave the structure.
	cols="e.uuid, f.intervenant, f.type_contact, f.statut, f.duree_min, f.themes_sociaux"
	expect_eq "$code : mêmes valeurs du formulaire contact" \
		"$(count "SELECT $cols FROM entries e JOIN patients p ON p.id = e.patient_id JOIN form_contact f ON f.entry_id = e.id WHERE p.structure = '$code' ORDER BY e.uuid" | md5sum)" \
		"$(sqlite3 "$src" "SELECT $cols FROM entries e JOIN form_contact f ON f.entry_id = e.id WHERE e.status <> 'draft' AND $kept_e ORDER BY e.uuid" | md5sum)"
	cols="e.uuid, f.q1, f.q10, f.total, f.zone_oms, f.classe_fr"
	expect_eq "$code : mêmes valeurs et scores de l'AUDIT" \
		"$(count "SELECT $cols FROM entries e JOIN patients p ON p.id = e.patient_id JOIN form_audit f ON f.entry_id = e.id WHERE p.structure = '$code' ORDER BY e.uuid" | md5sum)" \
		"$(sqlite3 "$src" "SELECT $cols FROM entries e JOIN form_audit f ON f.entry_id = e.id WHERE e.status <> 'draft' AND $kept_e ORDER BY e.uuid" | md5sum)"
	identity="('nom', 'prenom', 'telephone', 'notes')"
	expect_eq "$code : mêmes codes manquants (.refus, .nsp…)" \
		"$(count "SELECT e.uuid, m.field, m.code FROM entry_missing m JOIN entries e ON e.id = m.entry_id JOIN patients p ON p.id = e.patient_id WHERE p.structure = '$code' ORDER BY 1, 2" | md5sum)" \
		"$(sqlite3 "$src" "SELECT e.uuid, m.field, m.code FROM entry_missing m JOIN entries e ON e.id = m.entry_id WHERE e.status <> 'draft' AND $kept_e AND m.field NOT IN $identity ORDER BY 1, 2" | md5sum)"
	expect_eq "$code : aucune donnée d'identité dans la région" \
		"$(count "SELECT count(*) FROM form_patient f JOIN entries e ON e.id = f.entry_id JOIN patients p ON p.id = e.patient_id WHERE p.structure = '$code' AND (f.nom IS NOT NULL OR f.prenom IS NOT NULL OR f.telephone IS NOT NULL)")" 0
	# The report of the region, structure by structure, is the structure's own report, clinical
	# alerts included.
	for p in 2025 2026; do
		RECUEIL_DB="$src" "$R" report --period "$p" --format csv --no-mask 2>/dev/null |
			tail -n +2 | tr -d '\r' >"$tmp/own.csv"
		RECUEIL_DB="$REG" "$R" report --period "$p" --format csv --no-mask 2>/dev/null |
			grep "^$code," | tr -d '\r' | cut -d, -f1-6 >"$tmp/reg.csv"
		expect_eq "$code : le rapport $p de la structure a des chiffres" "$(($(grep -c . "$tmp/own.csv") > 20))" 1
		if cmp -s "$tmp/reg.csv" "$tmp/own.csv"; then ok; else
			fail "$code : le rapport régional de $p diffère de celui de la structure" \
				"$(diff "$tmp/own.csv" "$tmp/reg.csv" | head -6)"
		fi
	done
done
expect_eq "le pseudonyme partagé désigne deux patients, un par structure" \
	"$(count "SELECT group_concat(structure, ' ') FROM (SELECT structure FROM patients WHERE pseudonym = '$same' ORDER BY structure)")" \
	"MS-NORD MS-SUD"
# The total counts the structures whose data covers the whole period (statut complet; the
# others are left out and say why, tests/cli/test_report_regional.sh).
RECUEIL_DB="$REG" "$R" report --period 2025 --format csv --no-mask >"$tmp/total.csv" 2>/dev/null
want=$(tr -d '\r' <"$tmp/total.csv" | awk -F, '$3 == "patients_suivis" && $7 == "complet" { n += $5; k++ } END { print k ? n : "" }')
nt=$(grep '^ensemble,2025,patients_suivis,' "$tmp/total.csv" | cut -d, -f5)
expect_eq "le total régional des patients suivis est la somme des structures complètes" "$nt" "$want"
expect_eq "journal des imports : une ligne par archive" \
	"$(count "SELECT structure || ' ' || sequence || ' ' || file_name FROM import_log ORDER BY id")" \
	"MS-NORD 1 nord1.zip
MS-SUD 1 sud1.zip"
expect_contains "journal des modifications : l'import est noté" "$(RECUEIL_DB="$REG" "$R" log 2>/dev/null)" \
	"import structure MS-NORD, export n° 1"
run "$REG" check
expect_rc "la base régionale passe « recueil check »" 0

# ---------------------------------------------------------------- idempotent
dump "$REG" >"$tmp/before.sql"
run "$REG" import "$A/nord1.zip" "$A/sud1.zip" --passphrase-file "$tmp/pass"
expect_rc "second import des mêmes archives" 0
expect_contains "le second import dit qu'il n'y a rien à faire" "$out" "déjà importé"
dump "$REG" >"$tmp/after.sql"
if cmp -s "$tmp/before.sql" "$tmp/after.sql"; then ok; else
	fail "le second import a changé la base" "$(diff "$tmp/before.sql" "$tmp/after.sql" | head -5)"
fi

# ---------------------------------------------------------------- a correction at the source
E=$(sqlite3 "$S1" "SELECT e.uuid FROM entries e JOIN form_contact f ON f.entry_id = e.id WHERE e.status = 'complete' AND f.statut = 'realise' ORDER BY e.id LIMIT 1")
D=$(sqlite3 "$S1" "SELECT uuid FROM entries WHERE form = 'audit' ORDER BY id LIMIT 1")
old=$(count "SELECT duree_min FROM form_contact f JOIN entries e ON e.id = f.entry_id WHERE e.uuid = '$E'")
new=$((${old:-10} % 200 + 7))
run "$S1" entry edit "$E" duree_min="$new"
expect_rc "correction d'un contact à MS-NORD" 0
run "$S1" entry delete "$D"
expect_rc "suppression d'un AUDIT à MS-NORD" 0
run "$S1" export --period "$PERIOD" --out "$A/nord2.zip" --passphrase-file "$tmp/pass" --accept-issues test
expect_rc "nouvel export de MS-NORD" 0
Did=$(count "SELECT id FROM entries WHERE uuid = '$D'")
dump "$REG" >"$tmp/before.sql"
run "$REG" import "$A/nord2.zip" --passphrase-file "$tmp/pass"
expect_rc "import de l'export corrigé" 0
expect_contains "une mise à jour, une suppression, le reste inchangé" "$out" "0 ajoutée(s), 1 mise(s) à jour, 1 supprimée(s)"
expect_eq "la valeur corrigée l'emporte" \
	"$(count "SELECT f.duree_min || ' v' || e.row_version FROM form_contact f JOIN entries e ON e.id = f.entry_id WHERE e.uuid = '$E'")" \
	"$new v2"
expect_eq "l'AUDIT supprimé à la source l'est dans la région" "$(count "SELECT count(*) FROM entries WHERE uuid = '$D'")" 0
dump "$REG" >"$tmp/after.sql"
# Only that entry, the deleted one and the logs changed: compare the dumps line by line.
changed=$(diff "$tmp/before.sql" "$tmp/after.sql" | grep '^[<>]' |
	grep -v -e 'INTO import_log ' -e 'INTO audit_log ' -e "'$E'" -e "'$D'" |
	grep -v -e "^[<>] INSERT INTO form_contact VALUES($(count "SELECT id FROM entries WHERE uuid = '$E'")," |
	grep -v -e "^< INSERT INTO alerts VALUES([0-9]*,$Did," |
	grep -v -e '^[<>] INSERT INTO form_audit VALUES(' -e '^[<>] INSERT INTO entry_missing VALUES(' || true)
expect_eq "rien d'autre n'a changé dans la base régionale" "$changed" ""
expect_eq "le form_audit retiré est bien celui de l'entrée supprimée" \
	"$(diff "$tmp/before.sql" "$tmp/after.sql" | grep -c '^[<>] INSERT INTO form_audit VALUES(')" 1
expect_eq "l'audit garde la mise à jour et la suppression" \
	"$(count "SELECT count(*) FROM audit_log WHERE action = 'import' AND entry_uuid IN ('$E', '$D')")" 2
# An older archive imported after a newer one changes nothing, and says which newer export is
# held: the newer version stays, and the deleted entry does not come back.
R2="$tmp/region2.db"
run "$R2" init --region REGION2
enrol "$R2"
run "$R2" import "$A/nord2.zip" --passphrase-file "$tmp/pass"
dump "$R2" >"$tmp/before.sql"
run "$R2" import "$A/nord1.zip" --passphrase-file "$tmp/pass"
expect_rc "archive plus ancienne importée après la plus récente : rien à faire (0)" 0
expect_contains "l'archive plus ancienne ne remplace rien, et le dit" "$out" \
	"nord1.zip : structure MS-NORD : export n° 2 du "
expect_contains "l'archive plus ancienne : son numéro" "$out" "celui-ci (n° 1) est plus ancien : rien n'a changé"
dump "$R2" >"$tmp/after.sql"
if cmp -s "$tmp/before.sql" "$tmp/after.sql"; then ok; else
	fail "l'archive plus ancienne a changé la base" "$(diff "$tmp/before.sql" "$tmp/after.sql" | head -5)"
fi
expect_eq "dans le désordre : la version la plus récente reste" \
	"$(sqlite3 "$R2" "SELECT f.duree_min FROM form_contact f JOIN entries e ON e.id = f.entry_id WHERE e.uuid = '$E'")" "$new"
expect_eq "dans le désordre : l'entrée supprimée ne revient pas" \
	"$(sqlite3 "$R2" "SELECT count(*) FROM entries WHERE uuid = '$D'")" 0

# ---------------------------------------------------------------- roles and passphrases
run "$REG" user add agent --role saisie
RECUEIL_AS_USER=agent run "$REG" import "$A/nord1.zip" --passphrase-file "$tmp/pass"
expect_rc "import réservé à la coordination" 77
run "$REG" import "$A/nord1.zip"
expect_rc "archive chiffrée sans phrase de passe ni terminal" 64
expect_contains "le message dit comment donner la phrase de passe" "$err" "--passphrase-file"
run "$REG" import --passphrase-file "$tmp/pass"
expect_rc "sans archive" 64

# ---------------------------------------------------------------- hostile archives
# refused DESC ARCHIVE [PASSFILE] [WORD] — import is refused with 65, one line on stderr that
# names the archive (and WORD), and the regional database does not change.
refused() {
	desc=$1 file=$2 pf=${3:-$tmp/pass} word=${4:-}
	dump "$REG" >"$tmp/before.sql"
	n_refusals=$(refusals "$REG")
	run "$REG" import "$file" --passphrase-file "$pf" --allow-plain
	expect_rc "$desc : refusée (65)" 65
	expect_eq "$desc : le refus est noté au journal" "$(refusals "$REG")" $((n_refusals + 1))
	if one_line "$err"; then ok; else fail "$desc : une seule ligne d'erreur" "$err"; fi
	expect_contains "$desc : le message nomme l'archive" "$err" "$(basename "$file")"
	[ -n "$word" ] && expect_contains "$desc : la raison" "$err" "$word"
	dump "$REG" >"$tmp/after.sql"
	if cmp -s "$tmp/before.sql" "$tmp/after.sql"; then ok; else
		fail "$desc : la base régionale a changé" "$(diff "$tmp/before.sql" "$tmp/after.sql" | head -5)"
	fi
}

refused "phrase de passe fausse" "$A/nord1.zip" "$tmp/badpass" "phrase de passe incorrecte"
size=$(wc -c <"$A/sud1.zip")
head -c $((size * 2 / 3)) "$A/sud1.zip" >"$A/tronquee.zip"
refused "archive tronquée" "$A/tronquee.zip"
head -c $((size - 30)) "$A/sud1.zip" >"$A/fin-coupee.zip"
refused "archive sans sa fin" "$A/fin-coupee.zip"
for at in $(data_offsets "$A/sud1.zip"); do
	cp "$A/sud1.zip" "$A/octet$at.zip"
	b=$(od -An -tu1 -j "$at" -N1 "$A/sud1.zip" | tr -d ' ')
	printf "$(printf '\\%03o' $(((b + 1) % 256)))" | dd of="$A/octet$at.zip" bs=1 seek="$at" conv=notrunc 2>/dev/null
	refused "un octet modifié à la position $at" "$A/octet$at.zip"
done
: >"$A/vide.zip"
refused "fichier vide" "$A/vide.zip"

# A multi-archive run: the bad one is refused, the good one still goes in, exit code non-zero.
R3="$tmp/region3.db"
run "$R3" init --region REGION3
enrol "$R3"
run "$R3" import "$A/tronquee.zip" "$A/sud1.zip" --passphrase-file "$tmp/pass"
expect_rc "une archive refusée parmi deux : code non nul" 65
expect_contains "l'archive valide est importée malgré tout" "$out" "sud1.zip : structure MS-SUD"
expect_contains "l'archive refusée est nommée" "$err" "tronquee.zip"
expect_eq "une ligne d'erreur pour l'archive refusée" "$(printf '%s\n' "$err" | grep -c .)" 1
expect_eq "rien de l'archive refusée, tout de la bonne" \
	"$(sqlite3 "$R3" "SELECT group_concat(DISTINCT structure) FROM patients")" "MS-SUD"

if [ -z "$PY" ]; then
	skip "python3 absent : archives fabriquées (chemins, bombe, en-têtes, codes)"
else
	# Plain archives (python's zipfile cannot write AES), rebuilt with a consistent manifest and
	# signed again with MS-NORD's key (taken from its database, signed by tests/tools/cryptotool)
	# so that only the import's own checks can refuse them.
	sqlite3 "$S1" "SELECT hex(secret_key) FROM signing_key" >"$tmp/nord.hex"
	run "$S1" export --period "$PERIOD" --out "$A/nord-clair.zip" --no-encrypt --accept-issues test
	run "$S2" export --period "$PERIOD" --out "$A/sud-clair.zip" --no-encrypt --accept-issues test
	cat >"$tmp/craft.py" <<'PYEOF'
import base64, csv, hashlib, io, os, subprocess, sys, zipfile

def sign(manifest):
    """The .minisig of manifest (bytes) by the structure's key, as recueil writes it."""
    tmp = os.path.dirname(sys.argv[2])
    key = os.path.join(tmp, "nord.key")
    if not os.path.exists(key):
        blob = bytes.fromhex(open(os.path.join(tmp, "nord.hex")).read().strip())
        with open(key, "w") as k:
            k.write("untrusted comment: test\n" + base64.b64encode(blob).decode() + "\n")
    text = manifest.decode()
    val = lambda k: next((l.split(": ", 1)[1] for l in text.split("\n") if l.startswith(k + ": ")), "")
    comment = "timestamp:0\tstructure:%s\texport_id:%s\tsequence:%s" % (
        val("structure_code"), val("export_id"), val("export_sequence"))
    path = os.path.join(tmp, "craft-manifest.txt")
    open(path, "wb").write(manifest)
    subprocess.run([os.environ["CRYPTOTOOL"], "sign", "-s", key, "-t", comment, path], check=True)
    return open(path + ".minisig", "rb").read()

def craft(src, dst, action, args):
    zin = zipfile.ZipFile(src)
    names = [i.filename for i in zin.infolist()]
    data = {n: zin.read(n) for n in names}
    extra = []          # (name, bytes) written as they are, not in the manifest

    def rows(b):
        return list(csv.reader(io.StringIO(b.decode("utf-8"), newline="")))

    def write_rows(rs):
        out = io.StringIO(newline="")
        w = csv.writer(out, lineterminator="\r\n")
        w.writerows(rs)
        return out.getvalue().encode("utf-8")

    def set_manifest(key, value):
        lines = data["manifest.txt"].decode().split("\n")
        data["manifest.txt"] = "\n".join(key + ": " + value if l.startswith(key + ": ") else l for l in lines).encode()

    def add_manifest(line):
        m = data["manifest.txt"].decode()
        i = m.index("\nfile: ")
        data["manifest.txt"] = (m[:i] + "\n" + line + m[i:]).encode()

    if action == "header-extra":          # FORM: a column the codebook does not describe
        rs = rows(data[args[0] + ".csv"])
        rs = [r + (["colonne_inconnue"] if i == 0 else [""]) for i, r in enumerate(rs)]
        data[args[0] + ".csv"] = write_rows(rs)
    elif action == "codebook-extra":      # FORM FIELD TYPE: a field in the codebook and the CSV
        rs = rows(data[args[0] + ".csv"])
        rs = [r + ([args[1]] if i == 0 else [""]) for i, r in enumerate(rs)]
        data[args[0] + ".csv"] = write_rows(rs)
        cb = rows(data["codebook.csv"])
        version = next(r[1] for r in cb[1:] if r[0] == args[0])
        row = {"form": args[0], "form_version": version, "field": args[1], "label": "champ ajouté",
               "type": args[2], "value_type": "text"}
        cb.append([row.get(h, "") for h in cb[0]])
        data["codebook.csv"] = write_rows(cb)
    elif action == "value":               # FORM FIELD VALUE: the first row's value of FIELD
        rs = rows(data[args[0] + ".csv"])
        rs[1][rs[0].index(args[1])] = args[2]
        data[args[0] + ".csv"] = write_rows(rs)
    elif action == "option-flip":         # FORM MULTI: the first answered option column of MULTI flipped
        rs = rows(data[args[0] + ".csv"])
        col = rs[0].index(args[1])
        r = next(r for r in rs[1:] if r[col] and not r[col].startswith("."))
        r[col + 1] = "0" if r[col + 1] == "1" else "1"
        data[args[0] + ".csv"] = write_rows(rs)
    elif action == "v1":                  # the archive as before the 0/1 columns: first codebook
        cb = rows(data["codebook.csv"])
        h = cb[0]
        old = ["form", "form_version", "field", "label", "type", "value_type", "unit", "decimals",
               "choices", "missing_codes", "expression", "show_if"]
        common = {"structure", "entry_id", "pseudonym", "entry_date", "form_version", "entry_status",
                  "row_version", "updated_at"}
        derived = {(r[0], r[2]) for r in cb[1:] if r[h.index("derived_from")]}
        keep = [r for r in cb[1:] if r[2] not in common and (r[0], r[2]) not in derived and r[0] != "alerts"]
        data["codebook.csv"] = write_rows([old] + [[r[h.index(c)] for c in old] for r in keep])
        for n in names:
            if n.endswith(".csv") and n != "codebook.csv" and n[:-4] in {r[0] for r in cb[1:]}:
                rs = rows(data[n])
                cols = [i for i, c in enumerate(rs[0]) if (n[:-4], c) not in derived]
                data[n] = write_rows([[r[i] for i in cols] for r in rs])
    elif action == "raw":                 # NAME: an entry outside the manifest, any name
        extra.append((args[0], b"entry_id\r\n"))
    elif action == "listed":              # NAME: a file listed in the manifest
        data[args[0]] = b"du texte\r\n"
        names.insert(0, args[0])
    elif action == "manifest":            # KEY VALUE
        set_manifest(args[0], args[1])
    elif action == "form":                # ID: a form unknown to the region, with its CSV
        add_manifest("form: %s version=1" % args[0])
        data[args[0] + ".csv"] = b"entry_id,pseudonym,entry_date,form_version,entry_status,row_version,updated_at\r\n"
        names.insert(0, args[0] + ".csv")
    elif action == "old":                 # an archive of an older version: a slice, no structure
        for n in names:                   # column, no alerts.csv, no content: line
            if n.endswith(".csv") and n not in ("codebook.csv", "alerts.csv"):
                data[n] = write_rows([r[1:] for r in rows(data[n])])
        names.remove("alerts.csv")
        lines = data["manifest.txt"].decode().split("\n")
        data["manifest.txt"] = "\n".join(l for l in lines if not l.startswith("content: ")).encode()
    elif action == "drop-first":          # FORM: the CSV without its first column (structure)
        data[args[0] + ".csv"] = write_rows([r[1:] for r in rows(data[args[0] + ".csv"])])
    elif action == "bomb":                # NAME MIB: megabytes of zeros
        extra.append((args[0], b"0" * (int(args[1]) << 20)))
    elif action == "many":                # N tiny entries
        for i in range(int(args[0])):
            extra.append(("f%04d.txt" % i, b"x"))
    else:
        raise SystemExit("action inconnue " + action)

    # The manifest's file lines follow the files as they now are.
    out = []
    for l in data["manifest.txt"].decode().split("\n"):
        if l.startswith("file: "):
            continue
        out.append(l)
    while out and out[-1] == "":
        out.pop()
    for n in names:
        if n in ("manifest.txt", "manifest.txt.minisig"):
            continue
        b = data[n]
        r = str(len(rows(b)) - 1) if n.endswith(".csv") else "-"
        out.append("file: %s rows=%s bytes=%d sha256=%s" % (n, r, len(b), hashlib.sha256(b).hexdigest()))
    data["manifest.txt"] = ("\n".join(out) + "\n").encode()
    data["manifest.txt.minisig"] = sign(data["manifest.txt"])
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        for name, b in extra:
            z.writestr(zipfile.ZipInfo(name), b, zipfile.ZIP_DEFLATED)
        for n in names:
            z.writestr(n, data[n])

# One job per line: DESTINATION ACTION ARGS… (tab-separated), all from the same plain archive.
src = sys.argv[1]
for line in open(sys.argv[2], encoding="utf-8"):
    job = line.rstrip("\n").split("\t")
    craft(src, job[0], job[1], job[2:])
PYEOF
	# job DEST ACTION ARGS… — one archive to make (python starts once for all of them).
	: >"$tmp/jobs"
	job() {
		dest=$1
		shift
		printf '%s' "$A/$dest" >>"$tmp/jobs"
		for a in "$@"; do printf '\t%s' "$a" >>"$tmp/jobs"; done
		printf '\n' >>"$tmp/jobs"
	}
	other=$(count "SELECT e.uuid FROM entries e JOIN patients p ON p.id = e.patient_id WHERE p.structure = 'MS-SUD' AND e.form = 'contact' LIMIT 1")
	job temoin.zip value contact duree_min 30
	job traversee.zip raw "../../tmp/recueil-evasion.csv"
	job absolu.zip raw "/tmp/recueil-absolu.csv"
	job dossier.zip raw "sous/dossier.csv"
	job bombe.zip bomb audit2.csv 64
	job nombreuses.zip many 300
	job liste.zip listed notes.txt
	job colonne.zip header-extra contact
	job champ.zip codebook-extra contact champ_inconnu text
	job identite.zip codebook-extra patient nom text
	job ancien.zip v1
	job option.zip value patient motif_inclusion___precarite 7
	job coche.zip option-flip patient motif_inclusion
	job code.zip value contact statut zzz
	job nombre.zip value contact duree_min douze
	job borne.zip value contact duree_min 100000
	job manquant.zip value contact statut .nsp
	job exclusif.zip value precarite ressources "salaire aucune"
	job calcul.zip value audit total abc
	job pseudo.zip value contact pseudonym ABCDEFGH
	job statut.zip value contact entry_status draft
	job version.zip value contact row_version -3
	job formulaire.zip form inconnu
	job schema.zip manifest schema_version 99
	job format.zip manifest format "recueil-export 2"
	job structure.zip manifest structure_code "../REGION"
	job usurpation.zip value contact entry_id "$other"
	job faux.zip manifest structure_name "Microstructure contrefaite"
	job ancienne.zip old
	job sans-structure.zip drop-first contact
	job autre-structure.zip value contact structure MS-AUTRE
	job alerte.zip value alerts level grave
	"$PY" "$tmp/craft.py" "$A/nord-clair.zip" "$tmp/jobs" 2>"$tmp/craft.err" ||
		fail "fabrication des archives hostiles" "$(cat "$tmp/craft.err")"

	# a control: a rebuilt archive is accepted by verify
	run "$REG" verify "$A/temoin.zip"
	expect_rc "l'archive refaite par python passe verify (témoin)" 0

	refused "chemin qui remonte (../)" "$A/traversee.zip" "$tmp/pass" "remonte"
	refused "chemin absolu" "$A/absolu.zip" "$tmp/pass" "chemin absolu"
	refused "entrée dans un sous-dossier" "$A/dossier.zip" "$tmp/pass" "entrée inattendue"
	expect_eq "la bombe fait moins de 1 Mo compressée" "$(($(wc -c <"$A/bombe.zip") < 1048576))" 1
	refused "bombe de décompression (64 Mio de zéros)" "$A/bombe.zip" "$tmp/pass" "bombe de décompression"
	refused "trop d'entrées (300)" "$A/nombreuses.zip" "$tmp/pass" "entrées"
	run "$REG" verify "$A/liste.zip"
	expect_rc "un fichier en plus listé au manifeste passe verify" 0
	refused "fichier inattendu, même listé au manifeste" "$A/liste.zip" "$tmp/pass" "notes.txt"
	refused "colonne inconnue du codebook dans l'en-tête" "$A/colonne.zip" "$tmp/pass" "colonne_inconnue"
	refused "champ inconnu des formulaires régionaux" "$A/champ.zip" "$tmp/pass" "champ_inconnu"
	refused "donnée d'identité dans l'archive" "$A/identite.zip" "$tmp/pass" "identité"
	refused "colonne 0/1 d'un choix multiple qui n'est ni 0 ni 1" "$A/option.zip" "$tmp/pass" "motif_inclusion___precarite"
	refused "colonne 0/1 contraire au choix multiple" "$A/coche.zip" "$tmp/pass" "alors que motif_inclusion vaut"
	# An archive of the version before the 0/1 columns (first codebook) is still imported, and
	# gives the region what the current one gives.
	for v in ancien nord-clair; do
		run "$tmp/region-$v.db" init --region REGION
		enrol "$tmp/region-$v.db"
		run "$tmp/region-$v.db" import "$A/$v.zip" --allow-plain
		expect_rc "import de $v.zip dans une région neuve" 0
	done
	expect_eq "archive au premier codebook : mêmes entrées et mêmes choix multiples qu'avec l'actuel" \
		"$(sqlite3 "$tmp/region-ancien.db" "SELECT count(*), group_concat(motif_inclusion, '/') FROM form_patient")" \
		"$(sqlite3 "$tmp/region-nord-clair.db" "SELECT count(*), group_concat(motif_inclusion, '/') FROM form_patient")"
	refused "valeur qui n'est pas un code du champ" "$A/code.zip" "$tmp/pass" "zzz"
	refused "texte dans un champ entier" "$A/nombre.zip" "$tmp/pass" "duree_min"
	refused "valeur hors des bornes du champ" "$A/borne.zip" "$tmp/pass" "duree_min"
	refused "code manquant non proposé pour le champ" "$A/manquant.zip" "$tmp/pass" ".nsp"
	refused "réponse exclusive avec une autre (aucune et salaire)" "$A/exclusif.zip" "$tmp/pass" "exclut toute autre"
	refused "valeur calculée qui n'est pas un nombre" "$A/calcul.zip" "$tmp/pass" "total"
	refused "pseudonyme à la clé de contrôle fausse" "$A/pseudo.zip" "$tmp/pass" "pseudonym"
	refused "statut de saisie inattendu" "$A/statut.zip" "$tmp/pass" "entry_status"
	refused "version de ligne négative" "$A/version.zip" "$tmp/pass" "row_version"
	refused "formulaire inconnu des formulaires régionaux" "$A/formulaire.zip" "$tmp/pass" "inconnu"
	refused "schéma plus récent" "$A/schema.zip" "$tmp/pass" "schéma 99"
	refused "format d'archive inconnu" "$A/format.zip" "$tmp/pass" "recueil-export 2"
	refused "code de structure invalide" "$A/structure.zip" "$tmp/pass" "structure"
	# An entry of MS-SUD presented as MS-NORD's: it keeps its structure, the archive is refused.
	refused "entrée d'une autre structure" "$A/usurpation.zip" "$tmp/pass" "MS-SUD"
	refused "CSV sans la colonne structure" "$A/sans-structure.zip" "$tmp/pass" "structure"
	refused "ligne d'une structure absente du manifeste" "$A/autre-structure.zip" "$tmp/pass" "MS-AUTRE"
	refused "niveau d'alerte inconnu" "$A/alerte.zip" "$tmp/pass" "grave"
	# An archive of an older version (a slice of its period, without the structure column nor
	# alerts.csv) still imports: merged by row version, its rows under its manifest's structure.
	R4="$tmp/region4.db"
	run "$R4" init --region REGION4
	enrol "$R4"
	run "$R4" import "$A/ancienne.zip" --allow-plain
	expect_rc "archive d'une version antérieure importée" 0
	expect_contains "archive antérieure : compte rendu" "$out" "ancienne.zip : structure MS-NORD, export n°"
	expect_eq "archive antérieure : toutes ses saisies, sous sa structure" \
		"$(sqlite3 "$R4" "SELECT count(*) FROM entries e LEFT JOIN patients p ON p.id = e.patient_id WHERE coalesce(p.structure, e.structure) = 'MS-NORD'")" \
		"$(sqlite3 "$S1" "SELECT count(*) FROM entries WHERE status <> 'draft' AND coalesce(patient_id, 0) NOT IN (SELECT id FROM patients WHERE opposed_on IS NOT NULL)")"
	expect_eq "archive antérieure : notée comme une tranche, sans alertes" \
		"$(sqlite3 "$R4" "SELECT content || ' ' || (SELECT count(*) FROM alerts) FROM import_log")" "slice 0"
	# An export already imported, presented again with another manifest.
	run "$REG" import "$A/nord-clair.zip"
	expect_rc "archive non chiffrée refusée sans --allow-plain" 65
	run "$REG" import "$A/nord-clair.zip" --allow-plain
	expect_rc "import de l'archive non chiffrée avec --allow-plain" 0
	expect_contains "l'archive non chiffrée est signalée" "$out" "NON chiffrée"
	refused "même export, autre manifeste" "$A/faux.zip" "$tmp/pass" "autre manifeste"
	expect_true() { if "$@"; then ok; else fail "fichier créé hors du dossier : $*"; fi; }
	expect_true [ ! -e /tmp/recueil-evasion.csv ]
	expect_true [ ! -e /tmp/recueil-absolu.csv ]
fi

n=$(ls "$A"/*.zip | wc -l)
expect_eq "au moins 20 archives fabriquées par ce test" "$((n >= 20))" 1
finish
