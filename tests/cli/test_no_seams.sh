#!/bin/sh
# The program users run has no test seams: RECUEIL_AS_USER does not change who acts,
# RECUEIL_NOW and RECUEIL_TODAY do not move the clock of the audit trail or of a new entry,
# RECUEIL_RANDOM_SEED does not fix the random draws (pseudonyms, passphrases), a key
# script does not drive the interface and no screen dump is written. RECUEIL_SHIPPED names that
# program (CTest: build/recueil; the package test: /usr/bin/recueil); recueil-test ($RECUEIL),
# which honours the seams, shows that each check would see them.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$TESTS/cli/lib.sh"
: "${RECUEIL_SHIPPED:?RECUEIL_SHIPPED must name the program users run}"
if [ "${RECUEIL_SHIPPED_SEAMS:-OFF}" = ON ]; then
	echo "ignoré : construit avec -DRECUEIL_TEST_SEAMS=ON (le programme honore les seams)"
	exit 77
fi

me=$(id -un)
today=$(date +%F)
# ship ARGS…: the shipped program, with every seam set to something it must ignore.
ship() {
	env RECUEIL_AS_USER=intrus RECUEIL_NOW=n-importe-quoi RECUEIL_TODAY=2001-01-01 RECUEIL_RANDOM_SEED=1 \
		RECUEIL_KEYS="$tmp/keys" RECUEIL_SCREEN_DUMP="$tmp/dump" RECUEIL_SCREEN_OUTPUT="$tmp/screen" \
		"$RECUEIL_SHIPPED" "$@" >"$tmp/.out" 2>"$tmp/.err" </dev/null
	rc=$?
	out=$(cat "$tmp/.out")
	err=$(cat "$tmp/.err")
}
printf 'p<Dump><F10>' >"$tmp/keys"

ship init --structure SEAMS-01
expect_rc "init" 0
expect_contains "the admin is the real login, not RECUEIL_AS_USER" "$out" "Administrateur : $me"
ship user list
expect_eq "only the real login is registered" "$(printf '%s\n' "$out" | cut -f1,2)" "$me	admin"
ship user add complice --role admin
expect_rc "the real login (admin) adds a user" 0
ship log
expect_lacks "RECUEIL_AS_USER is in no line of the audit trail" "$out" "intrus"
expect_lacks "RECUEIL_NOW is in no line of the audit trail" "$out" "n-importe-quoi"
stamp=$(printf '%s\n' "$out" | head -1 | cut -d' ' -f1)
case "$stamp" in
"$today"T??:??:??Z) pass ;;
*) fail "the audit trail has the real time" "obtenu : $stamp (attendu : ${today}T…Z)" ;;
esac

ship patient add sexe=F annee_naissance=1980
expect_rc "patient add" 0
P=$out
ship entry add "$P" contact intervenant=medecin type_contact=cabinet duree_min=20 statut=realise
expect_rc "entry add without --date" 0
ship entry list "$P"
expect_contains "the entry is dated today, not RECUEIL_TODAY" "$out" "$today"
expect_lacks "nothing is dated RECUEIL_TODAY" "$out" "2001-01-01"

# RECUEIL_RANDOM_SEED would make pseudonyms and passphrases a fixed sequence: two databases
# would draw the same first pseudonym.
ship --db "$tmp/a.db" init --structure SEAMS-02
ship --db "$tmp/a.db" patient add sexe=M annee_naissance=1990
first=$out
ship --db "$tmp/b.db" init --structure SEAMS-02
ship --db "$tmp/b.db" patient add sexe=M annee_naissance=1990
expect_true "RECUEIL_RANDOM_SEED does not fix the random draws" test -n "$first" -a "$first" != "$out"

ship
expect_rc "without a terminal, no key script runs the interface" 64
expect_contains "and it says a terminal is needed" "$err" "terminal"
expect_true "no screen dump is written" test ! -e "$tmp/dump"

# The same seams in recueil-test: each check above would have seen them.
for db in c d; do
	RECUEIL_RANDOM_SEED=1 run --db "$tmp/$db.db" init --structure SEAMS-03
	RECUEIL_RANDOM_SEED=1 run --db "$tmp/$db.db" patient add sexe=M annee_naissance=1990
	eval "seeded_$db=\$out"
done
# shellcheck disable=SC2154
expect_eq "recueil-test draws the same pseudonym from the same seed" "$seeded_c" "$seeded_d"
RECUEIL_AS_USER=intrus run patient list
expect_rc "recueil-test does act as RECUEIL_AS_USER (an unregistered login)" 77
RECUEIL_KEYS="$tmp/keys" RECUEIL_SCREEN_DUMP="$tmp/dump" RECUEIL_SCREEN_OUTPUT=/dev/null run
expect_rc "recueil-test runs the key script" 0
expect_true "and writes the screen dump" test -s "$tmp/dump"
finish
