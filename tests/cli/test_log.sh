#!/bin/sh
# recueil log: who created, changed and deleted what, field by field with old → new values;
# identity fields never show their values; --since keeps the later lines.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$TESTS/cli/lib.sh"

export RECUEIL_AS_USER=chef
export RECUEIL_NOW=2026-11-02T09:00:00Z
run init --structure MS-TEST-01
run user add alice --role saisie
run patient add sexe=F annee_naissance=1981 nom=Dupont prenom=Jeanne "telephone=06 11 22 33 44"
expect_rc "a patient with identity fields" 0
P=$out
RECUEIL_AS_USER=alice run entry add "$P" audit --date 2026-11-01 q1=3 q2=2 q3=2 q4=1 q5=1 q6=0 q7=2 q8=1 q9=2 q10=4
expect_rc "alice adds an AUDIT" 0
E=$out
e8=$(printf '%s' "$E" | cut -c1-8)
run entry list "$P"
PE=$(printf '%s\n' "$out" | awk -F '\t' '$3 == "patient" { print $1 }')
pe8=$(printf '%s' "$PE" | cut -c1-8)

# Later changes, by other people.
export RECUEIL_NOW=2026-11-20T10:00:00Z
run entry edit "$E" q10=0 q2=.nsp
expect_rc "chef edits the AUDIT" 0
RECUEIL_AS_USER=alice run entry edit "$PE" nom=Durand annee_naissance=1980 notes=
expect_rc "alice edits the patient" 0
RECUEIL_NOW=2026-11-21T08:30:00Z run entry delete "$E"
expect_rc "chef deletes the AUDIT" 0

run log
expect_rc "log exits 0" 0
log=$out
expect_contains "the creation of the database" "$log" "2026-11-02T09:00:00Z  chef  initialisation MS-TEST-01"
expect_contains "the user added" "$log" "alice"
expect_contains "the creation of the patient" "$log" "2026-11-02T09:00:00Z  chef  patient  patient $P création"
expect_contains "the creation of the entry, by its author" "$log" \
	"2026-11-02T09:00:00Z  alice  création  audit $e8  patient $P complete"
expect_contains "a changed value: old → new, with the login" "$log" \
	"2026-11-20T10:00:00Z  chef  modification  audit $e8  patient $P  q10 : 4 → 0"
expect_contains "a value replaced by a missing code" "$log" \
	"2026-11-20T10:00:00Z  chef  modification  audit $e8  patient $P  q2 : 2 → .nsp"
expect_contains "a change by another login" "$log" \
	"2026-11-20T10:00:00Z  alice  modification  patient $pe8  patient $P  annee_naissance : 1981 → 1980"
expect_contains "the deletion" "$log" "2026-11-21T08:30:00Z  chef  suppression  audit $e8  patient $P"
expect_contains "the deleted values are kept in the trail" "$log" \
	"2026-11-21T08:30:00Z  chef  suppression  audit $e8  patient $P  q1 : 3 → (vide)"
changes=$(printf '%s\n' "$log" | grep "modification  audit $e8" | sed 's/.*patient [^ ]*  //')
expect_eq "only the changed fields are logged, not the unchanged nor the calculated ones" "$changes" "q2 : 2 → .nsp
q10 : 4 → 0"
expect_contains "a missing code is kept in the deletion trail" "$log" \
	"2026-11-21T08:30:00Z  chef  suppression  audit $e8  patient $P  q2 : .nsp → (vide)"

# Identity fields: the change is logged, never the value.
expect_contains "a change of name is logged" "$log" "modification  patient $pe8  patient $P  nom :"
expect_lacks "the creation of the patient does not show the old name" "$log" "Dupont"
expect_lacks "the edit does not show the new name" "$log" "Durand"
expect_lacks "nor the first name" "$log" "Jeanne"
expect_lacks "nor the telephone" "$log" "06 11 22 33 44"
nom_line=$(printf '%s\n' "$log" | grep "patient $P  nom :")
expect_lacks "the masked name is not said to have been empty" "$nom_line" "(vide)"
if have_sqlite3; then
	leaks=$(sqlite3 "$RECUEIL_DB" "SELECT count(*) FROM audit_log WHERE coalesce(old_value, '') || coalesce(new_value, '') GLOB '*[DJ][ue][pra][on]*'")
	expect_eq "no identity value anywhere in the stored trail" "$leaks" 0
else
	skip "sqlite3 absent : identité absente du journal en base"
fi

# --since keeps what happened that day and later.
run log --since 2026-11-20
expect_rc "log --since exits 0" 0
expect_contains "--since keeps the later changes" "$out" "q10 : 4 → 0"
expect_contains "including the day itself" "$out" "2026-11-20T10:00:00Z"
expect_lacks "--since drops the earlier creation" "$out" "création"
expect_lacks "--since drops earlier days" "$out" "2026-11-02"
run log --since 2026-11-21
expect_contains "a later day keeps only the deletion" "$out" "suppression"
expect_lacks "and nothing before it" "$out" "modification"
run log --since 2026-12-01
expect_rc "a day after everything" 0
expect_eq "prints nothing" "$out" ""
run log --since 21/11/2026
expect_rc "an invalid --since is a usage error (64)" 64
expect_contains "the message names the option" "$err" "--since"

# Everyone registered can read the log; others cannot.
RECUEIL_AS_USER=alice run log
expect_rc "a saisie user can read the log" 0
RECUEIL_AS_USER=someone run log
expect_rc "an unregistered login cannot (77)" 77

finish
