#!/bin/sh
# What counts as identity is what the database recorded, not what the forms directory of the day
# says: a copy of the forms with `identifier: true` removed (RECUEIL_FORMS, in a run without the
# setgid group) shows the coordination no name and exports none, and `forms check` says the
# removal has no effect; a calculated field computed from the name is identity too; a form file
# may tighten a flag (recorded for good, in the audit trail), never loosen one.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$TESTS/cli/lib.sh"

export RECUEIL_AS_USER=chef
run init --structure FLAGS-01
run user add coord --role coordination
P=$(RECUEIL_AS_USER=chef "$RECUEIL" patient add sexe=F annee_naissance=1970 nom=Quenouillard prenom=Léa \
	"telephone=06 12 34 56 78" "notes=Suivie par le Dr Garnier")
RECUEIL_AS_USER=chef "$RECUEIL" entry add "$P" contact intervenant=psychologue type_contact=cabinet \
	statut=realise duree_min=45 "notes=Parle de son frère Marcel" >/dev/null
identity="Quenouillard|Léa|06 12 34 56 78|Garnier|Marcel"

# The tampered copy: every identifier and export flag gone, and a score that is the name.
cp -r "$SRC/forms" "$tmp/forms"
sed -i -e '/identifier: true/d' -e '/export: false/d' "$tmp/forms"/*.yaml
cat >>"$tmp/forms/patient.yaml" <<'EOF'
  - title: {fr: "Ajout"}
    fields:
      - id: fuite
        type: calculated
        label: {fr: "Fuite"}
        expr: "nom"
EOF
if grep -q "identifier: true" "$tmp/forms"/*.yaml; then
	fail "the copy still has identifier flags"
fi

export RECUEIL_FORMS="$tmp/forms" RECUEIL_AS_USER=coord
run forms check
expect_rc "forms check of the copy: valid YAML" 0
expect_contains "forms check says a recorded flag would be loosened" "$err" \
	"patient.yaml:14:9: champ « nom » : « identifier: true » est enregistré dans la base, ce fichier le retire : sans effet"
expect_contains "for export: false too" "$err" "champ « notes » : « export: false » est enregistré dans la base"

PE=$("$RECUEIL" entry list "$P" | awk -F '\t' '$3 == "patient" { print $1 }')
CE=$("$RECUEIL" entry list "$P" | awk -F '\t' '$3 == "contact" { print $1 }')
run entry show "$PE"
expect_rc "coordination shows the patient's entry with the copy" 0
expect_contains "the name stays masked" "$out" "nom=(masqué)"
expect_contains "the calculated copy of the name is masked too" "$out" "fuite=(masqué)"
printf '%s\n' "$out" | grep -qE "$identity" && fail "identity shown to the coordination" "$out" || pass
run entry show "$CE"
expect_contains "a contact's notes stay masked" "$out" "notes=(masqué)"
run patient list --search Quenouillard
expect_lacks "searching by name finds nothing for the coordination" "$out" "$P"
run patient list
printf '%s\n' "$out" | grep -qE "$identity" && fail "identity in the coordination's list" "$out" || pass

mkdir "$tmp/out"
run export --period 2026 --out "$tmp/out/plain.zip" --no-encrypt --accept-issues "test"
expect_rc "the coordination exports with the copy" 0
if command -v unzip >/dev/null; then
	all=$(unzip -p "$tmp/out/plain.zip" 2>/dev/null)
	expect_contains "the export holds the patient" "$all" "$P"
	printf '%s\n' "$all" | grep -qE "$identity" && fail "identity written into the export" || pass
	header=$(unzip -p "$tmp/out/plain.zip" patient.csv | head -1)
	expect_lacks "no name column in patient.csv" "$header" "nom"
	expect_lacks "no copy of the name either" "$header" "fuite"
fi

# Tightening: a form file may mark a field identifier; the database keeps it for good.
unset RECUEIL_FORMS
export RECUEIL_AS_USER=chef
cp -r "$SRC/forms" "$tmp/tight"
sed -i 's/^      - id: annee_naissance$/&\n        identifier: true/' "$tmp/tight/patient.yaml"
RECUEIL_FORMS="$tmp/tight" run patient list
expect_rc "a tighter copy is accepted" 0
RECUEIL_AS_USER=coord run entry show "$PE"
expect_contains "with the stock forms again, the tightened flag holds" "$out" "annee_naissance=(masqué)"
run log
expect_contains "the tightening is in the audit trail" "$out" "annee_naissance : identifier: false → identifier: true"
finish
