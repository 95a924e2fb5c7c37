#!/bin/sh
# Changing a form's YAML under an existing database: a field added gets a column and old values
# stay; a field removed keeps its column and data (and comes back with them); a change of
# storage type and a lower version are refused with the file, line and column.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$TESTS/cli/lib.sh"

forms="$tmp/forms"
mkdir "$forms"
cp "$SRC"/forms/*.yaml "$forms/"
export RECUEIL_FORMS="$forms"
export RECUEIL_AS_USER=chef
audit="$forms/audit.yaml"
precarite="$forms/precarite.yaml"

replace_file() {
	mv "$1.new" "$1"
}

set_version() {
	sed "s/^version: .*/version: $2/" "$1" >"$1.new" && replace_file "$1"
}

# add_after_field FILE ID TEXT_FILE — insert the lines of TEXT_FILE after the field "- id: ID"
# (before the next field, section, top-level key or blank line).
add_after_field() {
	awk -v id="$2" -v add="$3" '
		function flush() { while ((getline l < add) > 0) print l; done = 1 }
		in_f && !done && ($0 ~ /^      - / || $0 ~ /^  - / || $0 ~ /^[^ ]/ || $0 == "") { flush() }
		$0 ~ "^      - id: " id "$" { in_f = 1 }
		{ print }
		END { if (in_f && !done) flush() }
	' "$1" >"$1.new" && replace_file "$1"
}

# remove_field FILE ID — remove the field "- id: ID" and its keys.
remove_field() {
	awk -v id="$2" '
		$0 ~ "^      - id: " id "$" { skip = 1; next }
		skip && ($0 ~ /^      - / || $0 ~ /^  - / || $0 ~ /^[^ ]/ || $0 == "") { skip = 0 }
		!skip { print }
	' "$1" >"$1.new" && replace_file "$1"
}

cat >"$tmp/verres.yaml" <<'EOF'
      - id: verres_semaine
        type: integer
        label: {fr: "Verres standard par semaine"}
        min: 0
        max: 500
EOF
cat >"$tmp/contexte.yaml" <<'EOF'
      - id: contexte
        type: text
        label: {fr: "Contexte de consommation"}
        max: 200
EOF
cat >"$tmp/animaux.yaml" <<'EOF'
      - id: animaux
        type: yesno
        label: {fr: "Vit avec un animal"}
EOF

run init --structure MS-TEST-01
expect_rc "init" 0
run patient add sexe=M annee_naissance=1970
P=$out
run entry add "$P" audit --date 2026-03-01 q1=2 q2=1 q3=1 q4=0 q5=0 q6=0 q7=1 q8=0 q9=0 q10=2
expect_rc "an AUDIT entry in version 1" 0
E1=$out
expected_v1="q1=2
q2=1
q3=1
q4=0
q5=0
q6=0
q7=1
q8=0
q9=0
q10=2
saut_q2_q8=0
total=7
audit_c=4
dependance=0
dommages=3
zone_oms=I
classe_fr=mesusage
audit_c_positif=1"
run entry show "$E1"
expect_eq "the entry as stored" "$out" "$expected_v1"
run entry add "$P" precarite logement=squat enfants=2 epices1=1 epices2=0 epices3=0 epices4=0 epices5=1 \
	epices6=0 epices7=0 epices8=0 epices9=0 epices10=0 epices11=0
expect_rc "a precarity entry in version 1" 0
EP=$out

# ---- fields added (version 2): an integer and a text, after q10
add_after_field "$audit" q10 "$tmp/verres.yaml"
add_after_field "$audit" verres_semaine "$tmp/contexte.yaml"
set_version "$audit" 2
run forms check "$forms"
expect_rc "the changed form is valid" 0

run entry show "$E1"
expect_rc "the next command migrates the database" 0
expect_eq "old values are intact, the new fields empty" "$out" "$(printf '%s\n' "$expected_v1" | sed 's/^q10=2$/q10=2\
verres_semaine=\
contexte=/')"
run entry add "$P" audit --date 2026-06-01 q1=3 q2=2 q3=2 q4=0 q5=0 q6=0 q7=0 q8=0 q9=0 q10=0 \
	verres_semaine=21 "contexte=repas de famille"
expect_rc "an entry with the new fields" 0
E2=$out
run entry show "$E2"
expect_contains "the new integer is stored" "$out" "verres_semaine=21"
expect_contains "the new text is stored" "$out" "contexte=repas de famille"
expect_contains "and the score (3+2+2)" "$out" "total=7"
run entry add "$P" audit q1=0 q9=0 q10=0 verres_semaine=600
expect_rc "the new field's rules apply (65)" 65
run entry show "$E1"
expect_contains "the old entry still reads" "$out" "total=7"
run log
expect_contains "the schema change is in the audit trail" "$out" "formulaires"
if have_sqlite3; then
	cols=$(sqlite3 "$RECUEIL_DB" "SELECT group_concat(name, ' ') FROM pragma_table_info('form_audit') WHERE name IN ('verres_semaine', 'contexte')")
	expect_eq "the table has the new columns" "$cols" "verres_semaine contexte"
else
	skip "sqlite3 absent : colonnes de la table"
fi

# ---- a field removed (version 3): contexte goes; its column and data stay
remove_field "$audit" contexte
set_version "$audit" 3
run forms check "$forms"
expect_rc "the form without the field is valid" 0
run entry show "$E2"
expect_rc "the database follows the removal" 0
expect_lacks "the removed field is not shown" "$out" "contexte"
expect_contains "the other values are intact" "$out" "verres_semaine=21"
expect_contains "and the score" "$out" "total=7"
run entry add "$P" audit q1=3 contexte=soirée
expect_rc "the removed field cannot be entered any more (65)" 65
if have_sqlite3; then
	kept=$(sqlite3 "$RECUEIL_DB" "SELECT a.contexte FROM form_audit a JOIN entries e ON e.id = a.entry_id WHERE e.uuid = '$E2'")
	expect_eq "the column and its value are still in the database" "$kept" "repas de famille"
else
	skip "sqlite3 absent : colonne d'un champ retiré"
fi
run entry edit "$E2" verres_semaine=28
expect_rc "an entry can be edited while a field is gone" 0
if have_sqlite3; then
	kept=$(sqlite3 "$RECUEIL_DB" "SELECT a.contexte FROM form_audit a JOIN entries e ON e.id = a.entry_id WHERE e.uuid = '$E2'")
	expect_eq "the edit does not erase the removed field's value" "$kept" "repas de famille"
else
	skip "sqlite3 absent : valeur d'un champ retiré après modification"
fi

# ---- the field comes back (version 4): with its old value
add_after_field "$audit" verres_semaine "$tmp/contexte.yaml"
set_version "$audit" 4
run entry show "$E2"
expect_rc "the field added back" 0
expect_contains "shows the value kept all along" "$out" "contexte=repas de famille"
expect_contains "next to the edited one" "$out" "verres_semaine=28"
cp "$audit" "$tmp/audit_v4.yaml"

# ---- an incompatible change (integer → text): refused, naming FILE:LINE:COL and the field
awk '
	/^      - id: verres_semaine$/ { vs = 1 }
	vs && /^        (min|max):/ { next }
	vs && /type: integer/ { sub(/integer/, "text") }
	/^      - id: contexte$/ { vs = 0 }
	{ print }
' "$audit" >"$audit.new" && replace_file "$audit"
set_version "$audit" 5
line=$(grep -n '^      - id: verres_semaine$' "$audit" | cut -d: -f1)
run entry show "$E2"
expect_rc "a change of storage type is refused (65)" 65
case "$err" in
*"$audit:$line:"[0-9]*": "*) pass ;;
*) fail "the message gives FILE:LINE:COL of the field" "obtenu : $err" "attendu : $audit:$line:COL: …" ;;
esac
expect_contains "the message names the field" "$err" "verres_semaine"
run entry add "$P" audit q1=0 q9=0 q10=0
expect_rc "nothing can be entered with the incompatible form" 65
cp "$tmp/audit_v4.yaml" "$audit"
run entry show "$E2"
expect_rc "back to the compatible form, the database works" 0
expect_contains "and the value survived the refusal" "$out" "verres_semaine=28"

# ---- a lower version: refused
set_version "$audit" 3
run entry show "$E1"
expect_rc "a form older than the database is refused (65)" 65
expect_contains "the message names the file" "$err" "$audit"
expect_contains "and the versions" "$err" "version 3"
cp "$tmp/audit_v4.yaml" "$audit"
run entry show "$E1"
expect_rc "with the current form again, all is well" 0
expect_contains "and the first entry is intact" "$out" "classe_fr=mesusage"

# ---- a field added to another form: its entries read too
add_after_field "$precarite" enfants "$tmp/animaux.yaml"
set_version "$precarite" 2
run entry show "$EP"
expect_rc "a second form migrates too" 0
expect_contains "its values are intact, the new field empty" "$out" "enfants=2
animaux=
ressources="
expect_contains "and its score (75.14 + 10.06 + 14.80)" "$out" "epices_score=100.00"
run entry show "$E2"
expect_contains "the AUDIT entries are untouched" "$out" "contexte=repas de famille"

finish
