#!/bin/sh
# recueil backup --rotate, night after night on a fixed clock: each night's backup is written
# and checked, and the directory keeps exactly the newest backup of each of the last 7 days and
# of the last 4 weeks (Monday to Sunday) that have one; a missed night is not a gap in the
# count; a second run the same day replaces that day's backup; other files are left alone.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$TESTS/cli/lib.sh"

export RECUEIL_AS_USER=chef
run init --structure ROTATE-01
run patient add sexe=F annee_naissance=1980
dir="$tmp/sauvegardes"

run backup --rotate --out "$tmp/x.gz"
expect_rc "--rotate and --out together: usage" 64
RECUEIL_AS_USER=saisie run backup --rotate
expect_rc "an unregistered login may not" 77

# 2026-01-01 (a Thursday) to 2026-02-15 (a Sunday), the machine off on 2026-02-11.
day=2026-01-01
while :; do
	if [ "$day" != 2026-02-11 ]; then
		RECUEIL_TODAY=$day run backup --rotate
		[ "$rc" -eq 0 ] || fail "backup --rotate on $day" "$err"
	fi
	[ "$day" = 2026-02-15 ] && break
	day=$(date -d "$day + 1 day" +%F)
done
expect_contains "the last night says what it wrote" "$out" "Sauvegarde vérifiée écrite : $dir/recueil-2026-02-15.db.gz"
expect_contains "and what it kept" "$out" "9 gardée(s), 1 supprimée(s)"
kept=$(ls "$dir" | tr '\n' ' ')
expect_eq "the last 7 days that have a backup, and the newest of each of the last 4 weeks" "$kept" \
	"recueil-2026-01-25.db.gz recueil-2026-02-01.db.gz recueil-2026-02-08.db.gz recueil-2026-02-09.db.gz recueil-2026-02-10.db.gz recueil-2026-02-12.db.gz recueil-2026-02-13.db.gz recueil-2026-02-14.db.gz recueil-2026-02-15.db.gz "
expect_eq "each backup is private" "$(stat -c %a "$dir/recueil-2026-02-15.db.gz")" 600

# The backup holds the database: restored, it has the patient.
run restore "$dir/recueil-2026-02-15.db.gz" --out "$tmp/restored.db"
expect_rc "a rotated backup restores" 0
expect_eq "with the patient" "$("$RECUEIL" --db "$tmp/restored.db" patient list | wc -l)" 1

# The same day again: the backup of the day is replaced by a newer one.
run patient add sexe=M annee_naissance=1990
touch "$dir/notes.txt" "$dir/recueil-autre.db.gz"
RECUEIL_TODAY=2026-02-15 run backup --rotate
expect_rc "a second run the same day" 0
rm -f "$tmp/restored.db"
run restore "$dir/recueil-2026-02-15.db.gz" --out "$tmp/restored.db"
expect_eq "replaces that day's backup with the newer state" \
	"$("$RECUEIL" --db "$tmp/restored.db" patient list | wc -l)" 2
expect_true "other files are left alone" test -e "$dir/notes.txt" -a -e "$dir/recueil-autre.db.gz"

# A Monday: a new week begins; the week of 2026-01-19 (its newest, 2026-01-25) is no longer
# one of the last 4.
RECUEIL_TODAY=2026-02-16 run backup --rotate
kept=$(ls "$dir" | grep '^recueil-20' | tr '\n' ' ')
expect_eq "the window moves with the days" "$kept" \
	"recueil-2026-02-01.db.gz recueil-2026-02-08.db.gz recueil-2026-02-09.db.gz recueil-2026-02-10.db.gz recueil-2026-02-12.db.gz recueil-2026-02-13.db.gz recueil-2026-02-14.db.gz recueil-2026-02-15.db.gz recueil-2026-02-16.db.gz "

run backup --rotate --dir "$tmp/ailleurs"
expect_rc "--dir chooses the directory" 0
expect_true "which is created" test -d "$tmp/ailleurs"
finish
