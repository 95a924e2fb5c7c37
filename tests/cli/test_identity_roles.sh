#!/bin/sh
# Who sees and does what, by role, on the command line: the coordination never sees an identity
# field (identifier: true) in patient list, its search, entry show, entry list (even when a
# form's summary names such a field) or log; saisie and admin see them. Deleting an entry is for
# admin only.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$TESTS/cli/lib.sh"

run init --structure MS-TEST-01
expect_rc "init" 0
run user add coord --role coordination
expect_rc "a coordination user" 0
run user add soignante --role saisie
expect_rc "a saisie user" 0
run patient add sexe=F annee_naissance=1970 nom=Dupont prenom=Léa "telephone=06 12 34 56 78" \
	"notes=Suivie aussi par le Dr Garnier"
expect_rc "a patient with identity fields" 0
P=$out
run entry add "$P" contact --date 2026-11-20 intervenant=psychologue type_contact=cabinet \
	statut=realise duree_min=45 "notes=Parle de son frère Marcel"
expect_rc "a contact with notes" 0
C=$out
run entry list "$P"
PE=$(printf '%s\n' "$out" | awk -F '\t' '$3 == "patient" { print $1 }')

# A form whose summary shows a field of identity: the contact's notes.
cp -R "$SRC/forms" "$tmp/forms"
sed 's/^summary: .*/summary: "{type_contact:label} — {notes}"/' "$SRC/forms/contact.yaml" >"$tmp/forms/contact.yaml"

# no_identity DESC TEXT: none of the identity values is in TEXT.
no_identity() {
	for value in Dupont Léa "06 12 34 56 78" Garnier Marcel; do
		expect_lacks "$1 : pas de « $value »" "$2" "$value"
	done
}

# ---- the coordination
export RECUEIL_AS_USER=coord
run patient list
expect_rc "coordination: patient list" 0
expect_contains "coordination: the patient is listed by pseudonym" "$out" "$P	F	1970"
no_identity "coordination: patient list" "$out$err"
run patient list --search Dupont
expect_rc "coordination: patient list --search" 0
expect_eq "coordination: a search does not look into names" "$out" ""
run patient list --search "$P"
expect_contains "coordination: a search by pseudonym finds the patient" "$out" "$P"
run entry show "$PE"
expect_rc "coordination: entry show of the inclusion" 0
expect_contains "coordination: the name is masked" "$out" "nom=(masqué)"
expect_contains "coordination: the notes are masked" "$out" "notes=(masqué)"
expect_contains "coordination: the rest is shown" "$out" "annee_naissance=1970"
no_identity "coordination: entry show of the inclusion" "$out$err"
run entry show "$C"
expect_contains "coordination: a contact's notes are masked" "$out" "notes=(masqué)"
no_identity "coordination: entry show of a contact" "$out$err"
run --forms "$tmp/forms" entry list "$P"
expect_rc "coordination: entry list with a summary naming the notes" 0
expect_contains "coordination: the summary masks the notes" "$out" "Consultation au cabinet — …"
no_identity "coordination: entry list" "$out$err"
run log
expect_rc "coordination: log" 0
no_identity "coordination: log" "$out$err"
run entry delete "$C"
expect_rc "coordination: entry delete refused" 77
expect_contains "coordination: the refusal names the role needed" "$err" "admin"

# ---- saisie sees the identity, and may not delete
export RECUEIL_AS_USER=soignante
run patient list --search Dupont
expect_contains "saisie: a search by name finds the patient" "$out" "Dupont Léa"
run entry show "$PE"
expect_contains "saisie: entry show of the inclusion shows the name" "$out" "nom=Dupont"
run --forms "$tmp/forms" entry list "$P"
expect_contains "saisie: the summary shows the notes" "$out" "Consultation au cabinet — Parle de son frère Marcel"
run entry delete "$C"
expect_rc "saisie: entry delete refused" 77
run log
expect_contains "the refusals are in the audit trail" "$out" "REFUSÉ « entry delete » réservé au rôle admin (rôle saisie)"

# ---- admin
unset RECUEIL_AS_USER
run entry show "$C"
expect_contains "admin: a contact's notes are shown" "$out" "notes=Parle de son frère Marcel"
run entry delete "$C"
expect_rc "admin: entry delete" 0

finish
