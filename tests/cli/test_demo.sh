#!/bin/sh
# recueil demo: a synthetic database where every patient has a patient entry, every form has
# entries, statuses are valid, scores agree with the answers, and the same seed gives the same
# database. The large demo (2000 patients) is test_demo_large.sh, with its own time limit.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$TESTS/cli/lib.sh"

export RECUEIL_AS_USER=chef

# every_entry DB — "pseudonym<TAB>entry list line" for every entry of every patient of DB.
every_entry() {
	RECUEIL_DB=$1 "$RECUEIL" patient list | cut -f1 | while read -r p; do
		RECUEIL_DB=$1 "$RECUEIL" entry list "$p" | sed "s/^/$p	/"
	done
}

# the_data ENTRIES — the entries without what is random by design (pseudonyms, entry ids):
# date, form, status and summary, sorted.
the_data() {
	cut -f3- "$1" | LC_ALL=C sort
}

a="$tmp/a.db"
RECUEIL_DB=$a run demo --patients 30 --seed 7
expect_rc "demo --patients 30 --seed 7 exits 0" 0
expect_contains "it says what it built" "$err" "30 patients"
a_report=$(printf '%s' "$err" | sed "s#$a#DB#")
expect_eq "one line of report, on stderr" "$out" ""
mode=$(ls -l "$a" | cut -c1-10)
expect_eq "the demo database is private too (0600)" "$mode" "-rw-------"

RECUEIL_DB=$a run patient list
expect_rc "patient list" 0
n=$(printf '%s\n' "$out" | grep -c .)
expect_eq "30 patients" "$n" 30
bad_pseudo=0
for p in $(printf '%s\n' "$out" | cut -f1); do
	pseudonym_valid "$p" || bad_pseudo=$((bad_pseudo + 1))
done
expect_eq "every pseudonym is valid" "$bad_pseudo" 0
badsex=$(printf '%s\n' "$out" | awk -F '\t' '$2 != "F" && $2 != "M" && $2 != "X" && $2 != ""' | grep -c .)
expect_eq "every sex is F, M or X (or a typed missing answer)" "$badsex" 0
known=$(printf '%s\n' "$out" | awk -F '\t' '$2 != "" && $3 ~ /^(19|20)[0-9][0-9]$/' | grep -c .)
expect_true "nearly every patient has a sex and a year of birth ($known of 30)" test "$known" -ge 25

every_entry "$a" >"$tmp/a.entries"
total=$(grep -c . "$tmp/a.entries")
expect_true "the patients have entries ($total)" test "$total" -gt 60

# Every patient has exactly one patient entry.
with_patient=$(awk -F '\t' '$4 == "patient"' "$tmp/a.entries" | cut -f1 | sort -u | grep -c .)
patient_entries=$(awk -F '\t' '$4 == "patient"' "$tmp/a.entries" | grep -c .)
expect_eq "every patient has a patient entry" "$with_patient" 30
expect_eq "and only one" "$patient_entries" 30

# Entries of each form exist.
RECUEIL_DB=$a run forms list
for form in $(printf '%s\n' "$out" | awk '{ print $1 }'); do
	# The patients' entries, or those of the structure itself (the team meetings).
	k=$(awk -F '\t' -v f="$form" '$4 == f' "$tmp/a.entries" | grep -c .)
	[ "$k" -gt 0 ] || k=$(RECUEIL_DB=$a $RECUEIL entry list --form "$form" | grep -c .)
	expect_true "entries of the form $form exist ($k)" test "$k" -gt 0
done
# The repeated forms have several entries per patient over the follow-up.
k=$(awk -F '\t' '$4 == "contact"' "$tmp/a.entries" | grep -c .)
expect_true "several contacts per patient ($k for 30)" test "$k" -ge 90

# Statuses are valid, dates are real and not in the future (RECUEIL_TODAY=2026-11-22).
badstatus=$(awk -F '\t' '$5 != "complete" && $5 != "incomplete" && $5 != "draft"' "$tmp/a.entries" | grep -c .)
expect_eq "every status is complete, incomplete or draft" "$badstatus" 0
baddate=$(awk -F '\t' '$3 !~ /^20[0-9][0-9]-[01][0-9]-[0-3][0-9]$/ || $3 > "2026-11-22"' "$tmp/a.entries" | grep -c .)
expect_eq "every date is a past YYYY-MM-DD" "$baddate" 0

# The scores of the demo agree with its answers: AUDIT total = sum of the ten items (a hidden
# item counts 0, an empty total only when an item is missing).
checked=0
wrong=0
for e in $(awk -F '\t' '$4 == "audit" { print $2 }' "$tmp/a.entries" | head -n 8); do
	show=$(RECUEIL_DB=$a "$RECUEIL" entry show "$e")
	verdict=$(printf '%s\n' "$show" | awk -F '=' '
		/^q([1-9]|10)=/ { if ($2 ~ /^[0-4]$/) sum += $2; else if ($2 != "" || $1 == "q1" || $1 == "q9" || $1 == "q10") miss = 1; if ($1 == "q1" && $2 == "0") skip = 1 }
		/^q[2-8]=$/ { if (!skip) miss = 1 }
		/^total=/ { total = $2 }
		END { want = miss ? "" : sum; print (total == want "") ? "ok" : "total " total " for " want }')
	checked=$((checked + 1))
	if [ "$verdict" != ok ]; then
		wrong=$((wrong + 1))
		fail "AUDIT $e: $verdict" "$show"
	fi
done
expect_true "AUDIT totals checked against the answers ($checked)" test "$checked" -gt 0
expect_eq "no wrong AUDIT total" "$wrong" 0
# EPICES: two decimals whenever there is a score.
badepices=$(for e in $(awk -F '\t' '$4 == "precarite" { print $2 }' "$tmp/a.entries" | head -n 4); do
	RECUEIL_DB=$a "$RECUEIL" entry show "$e" | grep '^epices_score=' | grep -v -E '^epices_score=([0-9]+\.[0-9][0-9])?$'
done | grep -c .)
expect_eq "EPICES scores have two decimals" "$badepices" 0

# Same seed, same database (the pseudonyms and ids apart, which come from the system's
# randomness on purpose).
b="$tmp/b.db"
RECUEIL_DB=$b run demo --patients 30 --seed 7
expect_rc "the same demo again, in another file" 0
expect_eq "it reports the same numbers" "$(printf '%s' "$err" | sed "s#$b#DB#")" "$a_report"
every_entry "$b" >"$tmp/b.entries"
expect_eq "the same seed gives the same number of entries" "$(grep -c . "$tmp/b.entries")" "$total"
the_data "$tmp/a.entries" >"$tmp/a.data"
the_data "$tmp/b.entries" >"$tmp/b.data"
if cmp -s "$tmp/a.data" "$tmp/b.data"; then
	pass
else
	fail "the same seed gives the same entries (dates, forms, statuses, summaries)" \
		"$(diff "$tmp/a.data" "$tmp/b.data" | head -n 10)"
fi
c="$tmp/c.db"
RECUEIL_DB=$c run demo --patients 30 --seed 8
expect_rc "another seed" 0
case "$err" in
*" $total entrées"*) fail "another seed gives another database" "$err" ;;
*) pass ;;
esac

# demo on an existing database adds to it, as a registered user.
RECUEIL_DB=$a run demo --patients 5 --seed 9
expect_rc "demo adds patients to an existing database" 0
RECUEIL_DB=$a run patient list
expect_eq "35 patients now" "$(printf '%s\n' "$out" | grep -c .)" 35
RECUEIL_DB=$a RECUEIL_AS_USER=someone run demo --patients 5
expect_rc "an unregistered login cannot add demo patients (77)" 77
run demo --patients abc
expect_rc "--patients must be a number (64)" 64
run demo --patients -3
expect_rc "--patients cannot be negative (64)" 64

finish
