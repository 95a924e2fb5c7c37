#!/bin/sh
# test_purge_expired.sh — the retention period: « recueil purge --expired ». With a fixed clock
# (RECUEIL_TODAY) and reporting.yaml's 20 years, the patients whose last entry is older than
# 20 years are listed (pseudonym and last entry, never the identity) and, with --yes and the
# admin role only, erased exactly as « patient delete » erases: every row of theirs, the WAL
# purged; the others are left whole, entry for entry. The erasures are in the audit trail with
# the reason and without identity; saisie and coordination are refused (and the refusal
# logged); without retention: in reporting.yaml the command says so.
#
# Environment (from CTest): RECUEIL, SRC, TESTS. The checks inside the database files need
# sqlite3 (skipped without it).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$TESTS/cli/lib.sh"

export RECUEIL_AS_USER=chef
run init --structure MS-TEST-01
expect_rc "init" 0
run user add soignante --role saisie
run user add coord --role coordination

ID=XQZWPURGE
# add DAY FIELDS… — a patient created on DAY (their own record is dated then); prints the pseudonym.
add() {
	day=$1
	shift
	RECUEIL_TODAY=$day "$RECUEIL" patient add sexe=F annee_naissance=1950 "$@"
}
contact() {
	run entry add "$1" contact --date "$2" intervenant=medecin type_contact=cabinet statut=realise
	expect_rc "contact of $1 on $2" 0
}
# Today is 2026-11-22 (lib.sh): the last day kept is 2006-11-22.
OLD=$(add 2001-03-01 "nom=${ID}UN")             # last entry 2005-06-01: past
contact "$OLD" 2005-06-01
run entry add "$OLD" audit --date 2004-01-01 q1=4 q2=4 q3=4 q4=4 q5=4 q6=4 q7=4 q8=4 q9=4 q10=4
expect_rc "an AUDIT raising an alert" 0
EDGE=$(add 2001-03-01 "nom=${ID}DEUX")          # last entry 2006-11-21: past, by one day
contact "$EDGE" 2006-11-21
KEPT_EDGE=$(add 2001-03-01 nom=GARDEUN)         # last entry exactly 20 years ago: kept
contact "$KEPT_EDGE" 2006-11-22
BACK=$(add 2001-03-01 nom=GARDEDEUX)            # an old patient seen again: kept
contact "$BACK" 2002-01-01
contact "$BACK" 2025-02-01
NOW=$(add 2026-10-01 nom=GARDETROIS)            # a recent patient: kept
contact "$NOW" 2026-10-02
count_entries() { "$RECUEIL" entry list "$1" | wc -l | tr -d ' '; }
kept_before="$(count_entries "$KEPT_EDGE") $(count_entries "$BACK") $(count_entries "$NOW")"

# ---------------------------------------------------------------- the list
run purge --expired
expect_rc "list" 0
expect_eq "exactly the patients past the period, oldest first, with their last entry" "$out" \
	"$(printf '%s\t2005-06-01\n%s\t2006-11-21' "$OLD" "$EDGE")"
expect_contains "the period and its reference" "$err" "2 patient(s) dépassent la durée de conservation de 20 ans (dernière entrée avant le 2006-11-22 ; Code de la santé publique, art. R1112-7"
expect_contains "how to erase them" "$err" "recueil purge --expired --yes"
expect_lacks "never the identity" "$out$err" "$ID"
RECUEIL_AS_USER=coord run purge --expired
expect_rc "coordination may list" 0
expect_contains "the same list" "$out" "$OLD"

# ---------------------------------------------------------------- refusals
RECUEIL_AS_USER=soignante run purge --expired --yes
expect_rc "saisie may not erase (77)" 77
RECUEIL_AS_USER=coord run purge --expired --yes
expect_rc "coordination may not erase (77)" 77
run log
expect_contains "the refusal is logged" "$out" "REFUSÉ « purge --expired » réservé au rôle admin (rôle coord"
run purge
expect_rc "purge needs --expired (64)" 64
run purge --expired extra
expect_rc "no operand (64)" 64
run patient list
expect_contains "nothing erased by the refusals" "$out" "$OLD"

mkdir "$tmp/forms"
cp "$SRC"/forms/*.yaml "$tmp/forms/"
awk '/^retention:/ { skip = 1; next } skip && /^[^ ]/ { skip = 0 } !skip' "$SRC/forms/reporting.yaml" \
	>"$tmp/forms/reporting.yaml"
run --forms "$tmp/forms" purge --expired
expect_rc "reporting.yaml without retention: (65)" 65
expect_contains "names the key" "$err" "retention:"

# ---------------------------------------------------------------- the erasure
OLD_IDS=
if have_sqlite3; then
	OLD_IDS=$(sqlite3 "$RECUEIL_DB" "SELECT group_concat(e.id) FROM entries e JOIN patients p
		ON p.id = e.patient_id WHERE p.pseudonym IN ('$OLD', '$EDGE')")
fi
run purge --expired --yes
expect_rc "admin erases" 0
expect_contains "the first one" "$out" "$OLD	2005-06-01	effacé : 3 entrée(s), 1 alerte(s), 0 brouillon(s)"
expect_contains "the second one" "$out" "$EDGE	2006-11-21	effacé : 2 entrée(s)"
expect_contains "the count" "$err" "2 patient(s) effacé(s)"
run patient list
expect_lacks "the first is gone" "$out" "$OLD"
expect_lacks "the second is gone" "$out" "$EDGE"
expect_eq "the others are whole" \
	"$(count_entries "$KEPT_EDGE") $(count_entries "$BACK") $(count_entries "$NOW")" "$kept_before"
run entry list "$OLD"
expect_rc "no entry list for an erased patient (66)" 66
run purge --expired
expect_eq "nothing past the period any more" "$out" ""
expect_contains "and says so" "$err" "0 patient(s) dépassent"

run log
expect_contains "each erasure is logged with its reason" "$out" \
	"chef  patient  patient $OLD effacement (durée de conservation dépassée, dernière entrée le 2005-06-01) : 3 entrée(s), 1 alerte(s)"
expect_contains "and the purge" "$out" "purge des dossiers dont la durée de conservation (20 ans) est dépassée (dernière entrée avant le 2006-11-22) : 2 patient(s) effacé(s)"
expect_lacks "without identity" "$out" "$ID"

if have_sqlite3; then
	sql() { sqlite3 "$RECUEIL_DB" "$1"; }
	expect_eq "no patient row" "$(sql "SELECT count(*) FROM patients WHERE pseudonym IN ('$OLD', '$EDGE')")" 0
	expect_eq "no entry row" "$(sql "SELECT count(*) FROM entries WHERE id IN ($OLD_IDS)")" 0
	for t in $(sql "SELECT 'form_' || form FROM form_versions") alerts entry_missing entry_confirmations; do
		expect_eq "no row in $t" "$(sql "SELECT count(*) FROM \"$t\" WHERE entry_id IN ($OLD_IDS)")" 0
	done
	expect_eq "the WAL purged: no purge owed" "$(sql "SELECT count(*) FROM purge_pending")" 0
	found=0
	for f in "$RECUEIL_DB" "$RECUEIL_DB-wal"; do
		[ -f "$f" ] && found=$((found + $(grep -a -c "$ID" "$f")))
	done
	expect_eq "the identity is in neither the database file nor the WAL" "$found" 0
	run check
	expect_rc "integrity holds" 0
else
	skip "sqlite3 absent : contenu des fichiers après effacement"
fi

finish
