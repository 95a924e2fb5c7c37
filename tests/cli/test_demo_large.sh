#!/bin/sh
# recueil demo at a size a real structure reaches: 2000 patients, tens of thousands of entries.
# No time is asserted (CTest's limit applies); the database must be complete and usable.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$TESTS/cli/lib.sh"

export RECUEIL_AS_USER=chef
big="$tmp/big.db"
RECUEIL_DB=$big run demo --patients 2000 --seed 3
expect_rc "demo --patients 2000 exits 0" 0
expect_contains "and reports 2000 patients" "$err" "2000 patients"
RECUEIL_DB=$big run patient list
expect_eq "2000 patients listed" "$(printf '%s\n' "$out" | grep -c .)" 2000
p=$(printf '%s\n' "$out" | tail -n 1 | cut -f1)
RECUEIL_DB=$big run entry list "$p"
expect_contains "the last patient has a patient entry" "$out" "	patient	"

RECUEIL_DB=$big run entry show "$(printf '%s\n' "$out" | awk -F '\t' '$3 == "patient" { print $1 }')"
expect_contains "whose values can be read" "$out" "annee_naissance="

finish
