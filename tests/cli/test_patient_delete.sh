#!/bin/sh
# test_patient_delete.sh — the right to erasure: « recueil patient delete ». A patient with a
# distinctive identity, entries (one raising an alert, one edited), a draft and an audit line of
# an older kind that still held a name is erased; afterwards no table has a row of theirs, the
# database file and its WAL no longer contain the identity (also when another connection was
# reading at the moment of the erasure: the purge is owed, then completed by a later process),
# the audit trail says who erased whom and when without the identity, the other patient is
# untouched, integrity holds. Only an admin may erase (refusals logged); --yes is needed
# without a terminal, the pseudonym must be typed on one. A regional database does not get the
# patient back from a later archive, and a structure's erasure reaches the region.
#
# Environment (from CTest): RECUEIL, SRC, TESTS. Needs sqlite3; `script` (util-linux) for the
# terminal confirmation, skipped without it.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$TESTS/cli/lib.sh"

need sqlite3
DB=$RECUEIL_DB
sql() { sqlite3 "$DB" "$1"; }
# found FILE — how many times the identity marker occurs in FILE's bytes (0 when absent).
ID=XQZWIDENTITE
found() {
	if [ -f "$1" ]; then grep -a -c "$ID" "$1"; else echo 0; fi
}
in_files() { echo $(($(found "$DB") + $(found "$DB-wal"))); }
# wal_size — the WAL's length in bytes (0 when the last connection to close removed it).
wal_size() {
	if [ -f "$DB-wal" ]; then wc -c <"$DB-wal" | tr -d ' '; else echo 0; fi
}

export RECUEIL_AS_USER=chef
run init --structure MS-TEST-01
expect_rc "init" 0
run user add soignante --role saisie
run user add coord --role coordination

# ---------------------------------------------------------------- the patient and their data
# A long note (overflow pages) holding the marker, besides the name fields.
long=$(printf '%0300d' 0 | sed "s/0/ligne $ID /g" | cut -c1-3500)
run patient add sexe=F annee_naissance=1979 origine_orientation=.nsp "nom=${ID}NOM" "prenom=${ID}PRENOM" "telephone=06 12 34 56 78" \
	"notes=$long"
expect_rc "patient add" 0
P=$out
run patient add sexe=M annee_naissance=1960 nom=GARDEKEEPNOM prenom=Autre
K=$out
PID=$(sql "SELECT id FROM patients WHERE pseudonym = '$P'")
PFORM=$(sql "SELECT uuid FROM entries WHERE patient_id = $PID AND form = 'patient'")
# A name change: the older row version of the identity goes through free space and the WAL.
run entry edit "$PFORM" "nom=${ID}NOM2"
expect_rc "identity changed" 0
run entry add "$P" audit --date 2026-10-01 q1=4 q2=4 q3=4 q4=4 q5=4 q6=4 q7=4 q8=4 q9=4 q10=4
expect_rc "AUDIT zone IV (raises an alert)" 0
EA=$out
run entry edit "$EA" q10=2
run entry add "$P" contact --date 2026-10-02 intervenant=psychologue type_contact=cabinet statut=realise \
	duree_min=200 "notes=suivi $ID contact"
expect_rc "contact with a note and a soft warning" 0
run entry add "$K" audit --date 2026-10-03 q1=0 q9=0 q10=0
expect_rc "the other patient's AUDIT" 0
EK=$out
# A draft somebody keeps for the patient, and an audit line of an older kind that still held a
# name (written before values of identity fields were masked).
sql "INSERT INTO drafts(login, patient_id, form, date, content, saved_at)
     VALUES ('soignante', $PID, 'contact', '2026-11-22', 'notes	brouillon $ID', '2026-11-22T10:00:00Z');
     INSERT INTO audit_log(at, login, action, entry_uuid, pseudonym, form, field, old_value, new_value)
     VALUES ('2020-01-01T00:00:00Z', 'ancien', 'update', '$PFORM', '$P', 'patient', 'nom',
             '${ID}ANCIEN', '${ID}NOUVEAU')"
IDS=$(sql "SELECT group_concat(id) FROM entries WHERE patient_id = $PID")
n_entries=$(sql "SELECT count(*) FROM entries WHERE patient_id = $PID")
expect_eq "three entries for the patient" "$n_entries" 3
expect_eq "an alert raised" "$(sql "SELECT count(*) FROM alerts WHERE entry_id IN ($IDS)")" 1
expect_true "the identity is in the files before the erasure" test "$(in_files)" -gt 0
expect_eq "a typed missing answer" "$(sql "SELECT count(*) FROM entry_missing WHERE entry_id IN ($IDS)")" 1
expect_eq "a soft warning" "$(sql "SELECT count(*) FROM entry_confirmations WHERE entry_id IN ($IDS)")" 1

# ---------------------------------------------------------------- refusals
run patient delete "$P" </dev/null
expect_rc "without a terminal, --yes is needed (64)" 64
expect_contains "the message names --yes" "$err" "--yes"
RECUEIL_AS_USER=soignante run patient delete "$P" --yes
expect_rc "role saisie refused (77)" 77
RECUEIL_AS_USER=coord run patient delete "$P" --yes
expect_rc "role coordination refused (77)" 77
run log
expect_contains "the refusal is in the audit trail" "$out" "REFUSÉ « patient delete » réservé au rôle admin (rôle saisie)"
run patient delete ZZZZZZZZ --yes
expect_rc "unknown patient (66)" 66
expect_eq "nothing erased by the refusals" "$(sql "SELECT count(*) FROM entries WHERE patient_id = $PID")" 3
if command -v script >/dev/null 2>&1; then
	printf 'PAS-LUI\n' | script -qec "$RECUEIL patient delete $P" /dev/null >"$tmp/tty.out" 2>&1
	rc=$?
	out=$(cat "$tmp/tty.out")
	expect_rc "on a terminal, a wrong pseudonym cancels (64)" 64
	expect_contains "the terminal asks for the pseudonym" "$out" "Taper le pseudonyme $P"
	expect_contains "and says nothing was erased" "$out" "rien n'a été effacé"
	expect_eq "the patient is still here" "$(sql "SELECT count(*) FROM patients WHERE id = $PID")" 1
else
	skip "script absent : confirmation sur terminal"
fi

# ---------------------------------------------------------------- erasure while someone reads
# Another connection holds a read transaction (its snapshot needs the old frames of the WAL):
# the erasure is committed, the WAL purge is owed and said so.
mkfifo "$tmp/reader.in"
sqlite3 "$DB" <"$tmp/reader.in" >"$tmp/reader.out" 2>&1 &
reader=$!
exec 3>"$tmp/reader.in"
printf 'BEGIN;\nSELECT count(*) FROM patients;\n' >&3
wait_until 30 test -s "$tmp/reader.out" || fail "the reader never answered"
run patient delete "$P" --yes
expect_rc "erasure with a reader open" 0
expect_contains "what was erased" "$out" "patient $P effacé : 3 entrée(s), 1 alerte(s), 1 brouillon(s)"
expect_contains "the purge waits for the reader, and the user is told" "$err" "purge physique"
expect_eq "the purge is owed" "$(sql "SELECT count(*) FROM purge_pending")" 1
expect_eq "the patient is gone for every connection but the old reader" \
	"$(sql "SELECT count(*) FROM patients WHERE id = $PID")" 0
# The reader ends its transaction but stays connected: the WAL is not deleted by its close. It
# says when its COMMIT is done.
printf "COMMIT;\nSELECT 'lecture finie';\n" >&3
wait_until 30 grep -q "lecture finie" "$tmp/reader.out" || fail "the reader never ended its transaction"
run patient list
expect_rc "a later process" 0
expect_eq "completes the owed purge" "$(sql "SELECT count(*) FROM purge_pending")" 0
expect_eq "the WAL is empty" "$(wal_size)" 0
expect_eq "the identity is in neither the database file nor the WAL" "$(in_files)" 0
exec 3>&-
wait "$reader"

# ---------------------------------------------------------------- nothing of theirs is left
expect_eq "no patient row" "$(sql "SELECT count(*) FROM patients WHERE pseudonym = '$P'")" 0
expect_eq "no entry" "$(sql "SELECT count(*) FROM entries WHERE patient_id = $PID OR id IN ($IDS)")" 0
for t in $(sql "SELECT 'form_' || form FROM form_versions"); do
	expect_eq "no row in $t" "$(sql "SELECT count(*) FROM \"$t\" WHERE entry_id IN ($IDS)")" 0
done
for t in alerts entry_missing entry_confirmations; do
	expect_eq "no row in $t" "$(sql "SELECT count(*) FROM $t WHERE entry_id IN ($IDS)")" 0
done
expect_eq "no draft" "$(sql "SELECT count(*) FROM drafts WHERE patient_id = $PID")" 0
sqlite3 "$DB" .dump >"$tmp/dump.sql"
expect_eq "no value of theirs anywhere in the database" "$(found "$tmp/dump.sql")" 0
expect_eq "their pseudonym only in the audit trail" \
	"$(grep -c "$P" "$tmp/dump.sql")" "$(sql "SELECT count(*) FROM audit_log WHERE pseudonym = '$P'")"
expect_eq "no audit value of theirs left but deletion dates and the erasure line" \
	"$(sql "SELECT count(*) FROM audit_log WHERE pseudonym = '$P' AND action IN ('create', 'update', 'delete')
	        AND field IS NOT NULL AND coalesce(old_value, '(effacé)') <> '(effacé)'")" 0

run log
expect_contains "the audit trail records the erasure" "$out" "chef  patient  patient $P effacement (droit à l'effacement) : 3 entrée(s), 1 alerte(s), 1 brouillon(s)"
expect_contains "and each entry's deletion" "$out" "suppression  audit ${EA%%-*}  patient $P 2026-10-01"
expect_contains "earlier lines keep who and what, not the values" "$out" "ancien  modification  patient ${PFORM%%-*}  patient $P  nom : (effacé) → (effacé)"
expect_lacks "never the identity" "$out" "$ID"

# ---------------------------------------------------------------- the others are untouched
run patient list
expect_contains "the other patient is listed" "$out" "$K"
expect_contains "with their name" "$out" "GARDEKEEPNOM"
expect_lacks "the erased one is not" "$out" "$P"
run entry show "$EK"
expect_rc "the other patient's entry is intact" 0
expect_contains "the other patient's audit values stay" "$(sql "SELECT new_value FROM audit_log WHERE entry_uuid = '$EK' AND action = 'create'")" "q1=0"
run check
expect_rc "recueil check after the erasure" 0
expect_eq "integrity_check" "$(sql "PRAGMA integrity_check")" ok
expect_eq "foreign_key_check" "$(sql "PRAGMA foreign_key_check")" ""
run patient delete "$P" --yes
expect_rc "erasing twice: not found (66)" 66

# ---------------------------------------------------------------- without a reader: purged at once
run patient add sexe=F annee_naissance=1990 "nom=${ID}BIS"
P3=$out
run entry add "$P3" audit --date 2026-10-05 q1=0 q9=0 q10=0
run patient delete "$P3" --yes
expect_rc "erasure without a reader" 0
expect_eq "no warning" "$err" ""
expect_eq "nothing owed" "$(sql "SELECT count(*) FROM purge_pending")" 0
expect_eq "the WAL is empty at once" "$(wal_size)" 0
expect_eq "the identity is gone from both files at once" "$(in_files)" 0

# ---------------------------------------------------------------- a regional database
# The structure exports a patient; the region imports them, erases them, then imports a newer
# archive that still holds them: they do not come back. A structure's own erasure reaches a
# region at its next export (the manifest's deletions). The archives are plain (--no-encrypt,
# then --allow-plain) and signed by the structure, which both regions enrol.
REG="$tmp/region.db"
REG2="$tmp/region2.db"
PERIOD=2000-01-01..2026-12-31
run patient add sexe=M annee_naissance=1985 nom=RegionNom
R1=$out
run entry add "$R1" audit --date 2026-10-06 q1=2 q2=1 q3=1 q9=0 q10=0
RE=$out
run export --period "$PERIOD" --out "$tmp/a1.zip" --no-encrypt --accept-issues test
expect_rc "export 1 of the structure" 0
KEY=$("$RECUEIL" structure key 2>/dev/null | tail -n 1)
RECUEIL_DB=$REG run init --region REGION
RECUEIL_DB=$REG run structure enrol MS-TEST-01 "$KEY"
expect_rc "the region enrols the structure" 0
RECUEIL_DB=$REG run import "$tmp/a1.zip" --allow-plain
expect_rc "region imports export 1" 0
RECUEIL_DB=$REG2 run init --region REGION2
RECUEIL_DB=$REG2 run structure enrol MS-TEST-01 "$KEY"
RECUEIL_DB=$REG2 run import "$tmp/a1.zip" --allow-plain
expect_rc "second region imports export 1" 0
expect_eq "the patient is in the region" \
	"$(sqlite3 "$REG" "SELECT count(*) FROM patients WHERE pseudonym = '$R1'")" 1
RECUEIL_DB=$REG run patient delete "$R1" --yes
expect_rc "the region erases the imported patient" 0
expect_eq "their entries are remembered as deleted" \
	"$(sqlite3 "$REG" "SELECT count(*) FROM import_deleted WHERE structure = 'MS-TEST-01'")" 2
run entry edit "$RE" q10=4
run export --period "$PERIOD" --out "$tmp/a2.zip" --no-encrypt --accept-issues test
expect_rc "export 2 of the structure, still with the patient" 0
RECUEIL_DB=$REG run import "$tmp/a2.zip" --allow-plain
expect_rc "region imports export 2" 0
expect_eq "the erased patient does not come back" \
	"$(sqlite3 "$REG" "SELECT count(*) FROM patients WHERE pseudonym = '$R1'")" 0
expect_eq "nor their entries" "$(sqlite3 "$REG" "SELECT count(*) FROM entries WHERE uuid = '$RE'")" 0
run patient delete "$R1" --yes
expect_rc "the structure erases the patient too" 0
run export --period "$PERIOD" --out "$tmp/a3.zip" --no-encrypt --accept-issues test
expect_rc "export 3 of the structure" 0
RECUEIL_DB=$REG2 run import "$tmp/a2.zip" "$tmp/a3.zip" --allow-plain
expect_rc "second region imports exports 2 and 3" 0
expect_eq "the structure's erasure removed the entries from the region" \
	"$(sqlite3 "$REG2" "SELECT count(*) FROM entries e JOIN patients p ON p.id = e.patient_id WHERE p.pseudonym = '$R1'")" 0
RECUEIL_DB=$REG run check
expect_rc "regional database check" 0

finish
