#!/bin/sh
# test_forms_bundle.sh — one version of the forms for the network: the coordination publishes its
# forms as a signed bundle (minisign verifies the signature), a structure records the
# coordination's key, refuses a bundle signed by another key, installs a newer bundle after
# showing its changes (as admin, with --yes off a terminal), refuses an older one, and rolls back:
# entries and exported data are then what they were before the install. The export names the
# forms it was made with, and the region flags an archive made with other forms. `forms diff`
# shows the same report between two directories.
#
# Needs minisign (for the keys, and to check the signature as a recipient would) and unzip (to
# compare the exported CSVs); exits 77 without minisign.
. "$TESTS/cli/lib.sh"

command -v minisign >/dev/null 2>&1 || {
	echo "minisign absent : test sauté"
	exit 77
}
minisign -G -W -p "$tmp/coord.pub" -s "$tmp/coord.key" >/dev/null 2>&1
minisign -G -W -p "$tmp/other.pub" -s "$tmp/other.key" >/dev/null 2>&1

coord="$tmp/coord"
site="$tmp/site"
mkdir -p "$coord/forms" "$site/forms" "$tmp/out"
cp "$SRC"/forms/*.yaml "$coord/forms/"
cp "$SRC"/forms/*.yaml "$site/forms/"

as_coord() {
	export RECUEIL_DB="$coord/recueil.db" RECUEIL_FORMS="$coord/forms"
}
as_site() {
	export RECUEIL_DB="$site/recueil.db" RECUEIL_FORMS="$site/forms"
}
# run_as LOGIN ARGS… — run as another login.
run_as() {
	export RECUEIL_AS_USER="$1"
	shift
	run "$@"
	unset RECUEIL_AS_USER
}

# same_files A B — the *.yaml of the two directories are the same files, byte for byte.
same_files() {
	[ "$(cd "$1" && ls ./*.yaml)" = "$(cd "$2" && ls ./*.yaml)" ] || return 1
	for f in "$1"/*.yaml; do
		cmp -s "$f" "$2/${f##*/}" || return 1
	done
}

# csv_of ARCHIVE — the data CSVs of an unencrypted export, concatenated (empty without unzip).
csv_of() {
	command -v unzip >/dev/null 2>&1 || return 0
	for name in $(unzip -Z1 "$1" | grep -v -e codebook.csv | grep '\.csv$' | sort); do
		printf '== %s\n' "$name"
		unzip -p "$1" "$name"
	done
}

# ---------------------------------------------------------------- the coordination publishes

as_coord
run init --region ARS-GE --name "Coordination Grand Est"
expect_rc "the coordination's database is created" 0

# Version 2 of AUDIT: a new question, an answer relabelled, a new answer to a choice of contact.
sed -e '0,/^version: 1$/s//version: 2/' \
	-e 's/      - id: q10$/      - id: q11\n        type: integer\n        label: {fr: "Verres bus la veille"}\n        min: 0\n      - id: q10/' \
	-e 's/"2 à 4 fois par mois", en/"De 2 à 4 fois par mois", en/' \
	"$SRC/forms/audit.yaml" >"$coord/forms/audit.yaml"
run forms diff "$SRC/forms" "$coord/forms"
expect_rc "forms diff between two directories" 0
expect_contains "it names the version change" "$out" "audit : version 1 → 2"
expect_contains "the new question, a new column for stored data and exports" "$out" \
	"+ q11 (integer) : nouvelle question ; nouvelle colonne, vide pour les saisies déjà faites ; nouvelle colonne des exports"
expect_contains "the relabelled answer" "$out" "~ q1 : réponses (libellés)"

run forms publish --out "$tmp/out/v1.zip"
expect_rc "publish needs a key" 64
run forms publish --out "$tmp/out/v1.zip" --key "$tmp/coord.key"
expect_rc "the coordination publishes its forms" 0
expect_contains "as version 1, every file of the forms directory" "$out" \
	"Formulaires publiés : version 1, $(ls "$RECUEIL_FORMS"/*.yaml | grep -c .) fichier(s)"
expect_contains "and gives the key to record" "$out" "recueil forms trust $(tail -n 1 "$tmp/coord.pub")"
if command -v unzip >/dev/null 2>&1; then
	mkdir "$tmp/v1"
	(cd "$tmp/v1" && unzip -q "$tmp/out/v1.zip")
	expect_true "minisign verifies the bundle's manifest" \
		minisign -Vq -m "$tmp/v1/bundle.txt" -x "$tmp/v1/bundle.txt.minisig" -p "$tmp/coord.pub"
	expect_true "the bundle holds the coordination's forms" same_files "$tmp/v1" "$coord/forms"
fi
run forms publish --out "$tmp/out/v1.zip" --key "$tmp/coord.key"
expect_rc "an existing file is not overwritten" 73

# A form whose example fails is not published.
cp "$coord/forms/precarite.yaml" "$tmp/precarite.yaml"
sed -i 's/- 9\.47\*epices9 /- 9.48*epices9 /' "$coord/forms/precarite.yaml"
run forms publish --out "$tmp/out/bad.zip" --key "$tmp/coord.key"
expect_rc "a failing example stops the publication" 65
expect_contains "naming the example" "$err" "exemple 3 : epices_score vaut 90.52, attendu 90.53"
expect_true "no bundle was written" test ! -e "$tmp/out/bad.zip"
cp "$tmp/precarite.yaml" "$coord/forms/precarite.yaml"

# The same forms signed with another key.
RECUEIL_DB="$tmp/other.db" "$RECUEIL" init --structure AUTRE >/dev/null
RECUEIL_DB="$tmp/other.db" "$RECUEIL" forms publish --out "$tmp/out/other.zip" --key "$tmp/other.key" >/dev/null

# ---------------------------------------------------------------- a structure installs

as_site
run init --structure MS-GE-01 --name "Microstructure du Parc"
P=$("$RECUEIL" patient add sexe=F annee_naissance=1975)
"$RECUEIL" patient inform "$P" >/dev/null
A=$("$RECUEIL" entry add "$P" audit q1=2 q2=1 q3=1 q4=0 q5=0 q6=0 q7=1 q8=0 q9=0 q10=2)
E=$("$RECUEIL" entry add "$P" precarite logement=squat epices1=1 epices2=0 epices3=0 epices4=0 epices5=1 \
	epices6=0 epices7=0 epices8=0 epices9=1 epices10=0 epices11=0)
before_audit=$("$RECUEIL" entry show "$A")
before_epices=$("$RECUEIL" entry show "$E")
"$RECUEIL" export --period 2026 --out "$tmp/out/before.zip" --no-encrypt >/dev/null 2>&1
cp -r "$site/forms" "$tmp/forms_before"
run verify "$tmp/out/before.zip"
expect_contains "an export names the forms it was made with" "$out" "forms_bundle: version=none digest="

run forms install "$tmp/out/v1.zip" --yes
expect_rc "no install before the coordination's key is recorded" 78
expect_contains "saying how to record it" "$err" "recueil forms trust"
run_as bob forms trust "$tmp/coord.pub"
expect_rc "an unknown login may not record the key" 77
run forms trust "$tmp/coord.pub"
expect_rc "the admin records the coordination's key" 0
expect_contains "with its fingerprint to check aloud" "$out" "Empreinte : "

run forms install "$tmp/out/other.zip" --yes
expect_rc "a bundle signed by another key is refused" 65
expect_contains "saying so" "$err" "paquet refusé : signature faite avec la clé"
expect_true "the forms did not change" same_files "$site/forms" "$tmp/forms_before"

"$RECUEIL" user add bob --role saisie >/dev/null
run_as bob forms install "$tmp/out/v1.zip" --yes
expect_rc "installing is for admin" 77

run forms install "$tmp/out/v1.zip" </dev/null
expect_rc "without a terminal, --yes is needed" 64
expect_contains "the changes are shown first" "$out" "+ q11 (integer)"
expect_true "nothing changed" same_files "$site/forms" "$tmp/forms_before"

run forms install "$tmp/out/v1.zip" --yes
expect_rc "the bundle is installed" 0
expect_contains "the changes for stored data and exports are shown" "$out" "audit : version 1 → 2"
expect_contains "and where it went" "$out" "Formulaires version 1 installés dans $site/forms"
expect_true "the forms are the coordination's" same_files "$site/forms" "$coord/forms"
run entry show "$A"
expect_contains "the new question is there" "$out" "q11="
"$RECUEIL" export --period 2026 --out "$tmp/out/during.zip" --no-encrypt >/dev/null 2>&1
run verify "$tmp/out/during.zip"
expect_contains "the export names the bundle's version" "$out" "forms_bundle: version=1 digest="
run forms install "$tmp/out/v1.zip" --yes
expect_rc "installing the same bundle again does nothing" 0
expect_contains "and says so" "$out" "déjà ceux de"

# An entry made with the new version: going back would lose it.
N=$("$RECUEIL" entry add "$P" audit q1=0 q9=0 q10=0 q11=3)
run forms rollback --yes
expect_rc "no rollback over an entry of the new version" 65
expect_contains "saying which form" "$err" "saisie(s) de « audit » faite(s) avec une version plus récente que la 1"
expect_true "the forms stayed" same_files "$site/forms" "$coord/forms"
"$RECUEIL" entry delete "$N" >/dev/null

run forms rollback --yes
expect_rc "the install is rolled back" 0
expect_contains "showing what changes back" "$out" "- q11 : n'est plus posée ni exportée ; sa colonne et ses valeurs restent dans la base"
expect_true "the forms are those from before, byte for byte" same_files "$site/forms" "$tmp/forms_before"
expect_eq "the AUDIT entry is intact" "$("$RECUEIL" entry show "$A")" "$before_audit"
expect_eq "the EPICES entry is intact" "$("$RECUEIL" entry show "$E")" "$before_epices"
run check
expect_rc "the database is whole" 0
"$RECUEIL" export --period 2026 --out "$tmp/out/after.zip" --no-encrypt >/dev/null 2>&1
expect_eq "the exported data are those from before the install" "$(csv_of "$tmp/out/after.zip")" \
	"$(csv_of "$tmp/out/before.zip")"
run forms rollback --yes
expect_rc "nothing more to roll back" 66

# A structure whose forms were copied by hand from the coordination: the signed bundle says
# which version they are, and its exports then name it.
mkdir -p "$tmp/copy/forms"
cp "$tmp/v1"/*.yaml "$tmp/copy/forms/" 2>/dev/null || cp "$coord/forms"/*.yaml "$tmp/copy/forms/"
export RECUEIL_DB="$tmp/copy/recueil.db" RECUEIL_FORMS="$tmp/copy/forms"
"$RECUEIL" init --structure MS-GE-02 >/dev/null
"$RECUEIL" forms trust "$tmp/coord.pub" >/dev/null
run forms install "$tmp/out/v1.zip" --yes
expect_rc "a bundle already in place by hand" 0
expect_contains "is recorded as its version" "$out" "enregistrés comme cette version"
"$RECUEIL" export --period 2026 --out "$tmp/out/copy.zip" --no-encrypt >/dev/null 2>&1
run verify "$tmp/out/copy.zip"
expect_contains "and its export names that version" "$out" "forms_bundle: version=1 digest="

# ---------------------------------------------------------------- versions

as_coord
sed -i 's/"Verres bus la veille"/"Verres standard bus la veille"/' "$coord/forms/audit.yaml"
run forms publish --out "$tmp/out/v2.zip" --key "$tmp/coord.key"
expect_contains "the next publication is version 2" "$out" "version 2"
as_site
run forms install "$tmp/out/v2.zip" --yes
expect_rc "version 2 installs over the local forms" 0
run forms install "$tmp/out/v1.zip" --yes
expect_rc "an older version is refused" 65
expect_contains "pointing to rollback" "$err" "version 1, mais la version 2 est déjà installée"
"$RECUEIL" export --period 2026 --out "$tmp/out/v2export.zip" --no-encrypt >/dev/null 2>&1

# ---------------------------------------------------------------- the region's view

"$RECUEIL" structure key >"$tmp/site.pub" 2>/dev/null
as_coord
"$RECUEIL" structure enrol MS-GE-01 "$tmp/site.pub" >/dev/null
# In the order they were made: each export is a snapshot, and an older one changes nothing.
run import "$tmp/out/after.zip" --allow-plain
expect_rc "the region imports one made with forms edited on site" 0
expect_contains "flagged" "$out" "attention : structure MS-GE-01 : formulaires modifiés sur place, autres que la version 2 publiée"
run import "$tmp/out/v2export.zip" --allow-plain
expect_rc "and one made with the published forms" 0
expect_lacks "without a warning" "$out" "attention"
if have_sqlite3; then
	expect_eq "the import log keeps which forms each archive was made with" \
		"$(sqlite3 "$coord/recueil.db" "SELECT count(*) FROM import_log WHERE forms_bundle LIKE 'version=2 digest=%'")" 1
fi

finish
