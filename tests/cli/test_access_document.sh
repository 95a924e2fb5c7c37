#!/bin/sh
# test_access_document.sh — the right of access: « recueil patient print ». The document of a
# demo patient (with an edit, a deleted entry, a typed missing answer, an alert and an export
# added) holds every entry of « entry list » with every answer of « entry show » in words (the
# label of each question and of each answer, never a code), every line that « log » gives about
# the patient, the exports that held their data and only those, the retention period and the
# texts of reporting.yaml; identity only for the roles that see it; A4 pages of 72 columns with
# a numbered header. The PDF (groff) holds the same text as pdftotext reads it; without groff,
# exit 69. Each print goes to the audit trail without identity.
#
# Environment (from CTest): RECUEIL, SRC, TESTS. The PDF checks need groff and pdftotext
# (poppler-utils): skipped without them.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$TESTS/cli/lib.sh"

export TZ=UTC RECUEIL_AS_USER=chef RECUEIL_NOW=2026-11-20T09:00:00Z
run init --structure MS-TEST-01 --name "Microstructure du Parc"
expect_rc "init" 0
run user add coord --role coordination
run user add soignante --role saisie --name "Anne Soignante"
run demo --patients 3 --seed 7
expect_rc "demo" 0
P=$(RECUEIL_AS_USER=chef "$RECUEIL" patient list | head -1 | cut -f1)

# ---------------------------------------------------------------- what happens to the patient
# A name to look for, an AUDIT with a known answer edited later, an entry deleted, a typed
# missing answer, an entry dated in the period exported.
PFORM=$("$RECUEIL" entry list "$P" | awk -F'\t' '$3 == "patient" { print $1 }')
RECUEIL_NOW=2026-11-20T09:10:00Z run entry edit "$PFORM" nom=XQZNOM prenom=XQZPRENOM "telephone=06 11 22 33 44" \
	origine_orientation=.nsp
expect_rc "identity added" 0
RECUEIL_NOW=2026-11-20T09:20:00Z RECUEIL_AS_USER=soignante run entry add "$P" audit --date 2026-08-01 \
	q1=4 q2=4 q3=4 q4=4 q5=4 q6=4 q7=4 q8=4 q9=4 q10=4
expect_rc "AUDIT dated in the period exported (raises an alert)" 0
EA=$out
RECUEIL_NOW=2026-11-20T09:30:00Z RECUEIL_AS_USER=soignante run entry edit "$EA" q10=2
expect_rc "AUDIT edited" 0
RECUEIL_NOW=2026-11-20T09:40:00Z run entry add "$P" contact --date 2026-10-02 intervenant=psychologue \
	type_contact=telephone statut=realise duree_min=30
expect_rc "contact with a duration" 0
RECUEIL_NOW=2026-11-20T09:45:00Z run entry add "$P" contact --date 2026-10-03 intervenant=medecin \
	type_contact=cabinet statut=annule
EDEL=$out
RECUEIL_NOW=2026-11-20T09:50:00Z run entry delete "$EDEL"
expect_rc "contact deleted" 0

# Another patient, whose only entry in the period exported is created after the export.
RECUEIL_NOW=2026-11-20T10:00:00Z run patient add sexe=M annee_naissance=1970 nom=AUTRENOM
Q=$out
RECUEIL_NOW=2026-11-21T08:00:00Z RECUEIL_AS_USER=coord run export --period 2026-T3 --out "$tmp/t3.zip" \
	--no-encrypt --accept-issues "essai"
expect_rc "export of 2026-T3" 0
RECUEIL_NOW=2026-11-21T09:00:00Z run entry add "$Q" contact --date 2026-08-02 intervenant=medecin \
	type_contact=cabinet statut=realise
expect_rc "an entry of the period, added after the export" 0

# ---------------------------------------------------------------- the text document
export RECUEIL_NOW=2026-11-22T10:00:00Z
"$RECUEIL" log | grep "  patient $P" >"$tmp/log"
run patient print "$P"
expect_rc "patient print" 0
DOC=$out
printf '%s\n' "$DOC" >"$tmp/doc.txt"

# The body without the page headers, as one line: wrapped lines joined again.
body() {
	awk '/^\f?Document d.accès à vos données — patient / { skip = 4 } skip > 0 { skip--; next } { print }' "$1" |
		tr '\n\f' '  ' | tr -s ' '
}
body "$tmp/doc.txt" >"$tmp/body.txt"
has() { grep -qF -- "$1" "$tmp/body.txt"; }
expect_has() {
	if has "$2"; then pass; else fail "$1" "absent du document : $2"; fi
}

# Layout: lines of 72 columns at most, pages of 60 lines, each numbered "page N / M".
expect_eq "no line longer than 72 columns" "$(tr -d '\f' <"$tmp/doc.txt" | LC_ALL=C.UTF-8 wc -L | tr -d ' ')" 72
pages=$(grep -c "^.\{0,1\}Document d.accès à vos données — patient $P" "$tmp/doc.txt")
expect_true "several pages" test "$pages" -gt 1
expect_eq "form feeds between the pages" "$(tr -cd '\f' <"$tmp/doc.txt" | wc -c | tr -d ' ')" $((pages - 1))
expect_contains "the first header" "$DOC" "page 1 / $pages"
expect_contains "the last header" "$DOC" "page $pages / $pages"
expect_eq "no page longer than 60 lines" \
	"$(awk 'BEGIN { RS = "\f" } { n = split($0, l, "\n"); if (n - (l[n] == "") > 60) print NR }' "$tmp/doc.txt")" ""

# Who holds the data and why: the structure, reporting.yaml's texts, the retention period.
expect_has "the structure" "Microstructure du Parc (code MS-TEST-01)"
expect_has "the purpose (reporting.yaml)" "Elles servent aussi, sans votre nom, à évaluer l'expérimentation"
expect_has "the legal basis" "Base légale : Pour vos soins"
expect_has "the rights and whom to ask" "délégué à la protection des données"
expect_has "the retention period and its reference" "Durée de conservation : 20 ans après votre dernière prise en charge (Code de la santé publique, art. R1112-7"
expect_has "the patient and who printed" "Patient : XQZPRENOM XQZNOM, pseudonyme $P"

# Every entry of « entry list », with every answer of « entry show » in words.
"$RECUEIL" entry list "$P" >"$tmp/entries"
expect_eq "one numbered entry per entry of entry list" \
	"$(grep -c '^2\.[0-9]*  ' "$tmp/doc.txt")" "$(wc -l <"$tmp/entries" | tr -d ' ')"
: >"$tmp/values"
: >"$tmp/used_forms"
while IFS="$(printf '\t')" read -r uuid date form status rest; do
	title=$("$RECUEIL" forms list | awk -v f="$form" '$1 == f { sub(/^[^ ]+ +v[0-9]+ +[a-z]+ +[0-9]+ champs +/, ""); print }')
	d=$(echo "$date" | awk -F- '{ print $3 "/" $2 "/" $1 }')
	expect_has "entry $uuid: its form and date" "$title, du $d"
	"$RECUEIL" entry show "$uuid" | awk -v f="$form" -F= '$2 != "" { v = $0; sub(/^[^=]*=/, "", v); print f "\t" $1 "\t" v }' >>"$tmp/values"
	grep -qx "$form" "$tmp/used_forms" || echo "$form" >>"$tmp/used_forms"
done <"$tmp/entries"
while read -r form; do
	"$RECUEIL" forms list "$form"
done <"$tmp/used_forms" >"$tmp/defs"
# The words expected for each value: "label : words" (or "label Réponse : words" for a
# question), several candidates separated by tabs where the type is not printed by forms list.
awk -F'\t' '
	function words(f, id, v,    n, i, parts, out, c) {
		if (v == ".refus") return "refus de répondre"
		if (v == ".nsp") return "ne sait pas"
		if (v == ".non_demande") return "non demandé"
		if (type[f, id] == "multi") {
			n = split(v, parts, " ")
			out = ""
			for (i = 1; i <= n; i++) out = out (i > 1 ? ", " : "") label_of(f, id, parts[i])
			return out
		}
		if ((f, id, v) in choice) return choice[f, id, v]
		if (type[f, id] == "yesno") return v == "1" ? "oui" : "non"
		if (v ~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]$/) return substr(v, 9, 2) "/" substr(v, 6, 2) "/" substr(v, 1, 4)
		return v
	}
	function label_of(f, id, c) { return ((f, id, c) in choice) ? choice[f, id, c] : c }
	function line(f, id, w) { return label[f, id] (label[f, id] ~ /\?$/ ? " Réponse : " : " : ") w }
	FNR == NR {
		if ($0 ~ /^[a-z_]+ \(version/) { form = $0; sub(/ .*/, "", form); next }
		if ($0 ~ /^  [a-z]/) {
			n = split($0, col, /  +/)
			id = col[2]; sub(/ .*/, "", col[3]); type[form, id] = col[3]; label[form, id] = col[n]
			next
		}
		if ($0 ~ /^ += /) next
		# The answers: "code=label, code=label", a label may hold ", ".
		n = split(substr($0, 32), parts, ", ")
		c = ""
		for (i = 1; i <= n; i++) {
			if (parts[i] ~ /^[A-Za-z0-9_.-]+=/) {
				c = parts[i]; sub(/=.*/, "", c)
				choice[form, id, c] = substr(parts[i], length(c) + 2)
			} else if (c != "") {
				choice[form, id, c] = choice[form, id, c] ", " parts[i]
			}
		}
		next
	}
	{
		f = $1; id = $2; v = $3
		if (type[f, id] == "calculated" && (v == "0" || v == "1") && !((f, id, v) in choice))
			print line(f, id, v) "\t" line(f, id, v == "1" ? "oui" : "non")
		else
			print line(f, id, words(f, id, v))
	}' "$tmp/defs" "$tmp/values" | tr -s ' ' >"$tmp/expected"
expect_true "answers to check" test "$(wc -l <"$tmp/expected")" -gt 40
missing=0
while IFS= read -r want; do
	found=0
	for candidate in $(printf '%s' "$want" | tr ' \t' '\001\n'); do
		has "$(printf '%s' "$candidate" | tr '\001' ' ')" && found=1
	done
	if [ "$found" -eq 0 ]; then
		missing=$((missing + 1))
		[ "$missing" -le 5 ] && fail "an answer of entry show in words" "absent : $want"
	fi
done <"$tmp/expected"
expect_eq "every answer of every entry is in the document, in words" "$missing" 0
expect_has "a known answer, by its label" "1. À quelle fréquence consommez-vous de l'alcool ? Réponse : 4 fois ou plus par semaine"
expect_has "a score and its meaning (band label)" "Zone de risque OMS (I à IV) : Zone IV (20 à 40) : dépendance probable"
expect_has "a typed missing answer in words" "Origine de l'orientation : ne sait pas"
expect_has "a number with its unit" "Durée : 30 min"
expect_lacks "codes, not labels, never shown" "$(cat "$tmp/body.txt")" ": dependance_probable"
expect_lacks "nor missing codes" "$(cat "$tmp/body.txt")" ".nsp"

# Every change of « log » about the patient, with who and when.
changes=$(awk '/^3\. Qui a enregistré/ { on = 1 } /^4\. Envois/ { on = 0 }
	on && /^  [0-9][0-9]\/[0-9][0-9]\/[0-9][0-9][0-9][0-9] à [0-9][0-9]:[0-9][0-9], / { n++ } END { print n + 0 }' "$tmp/doc.txt")
expect_eq "one line per line of the log about the patient" "$changes" "$(wc -l <"$tmp/log" | tr -d ' ')"
while read -r at login rest; do
	when=$(echo "$at" | awk '{ print substr($0, 9, 2) "/" substr($0, 6, 2) "/" substr($0, 1, 4) " à " substr($0, 12, 5) }')
	has "$when, $login" || fail "a line of the log in the document" "$at $login $rest"
done <"$tmp/log"
expect_has "an edit, with who and the answers in words" \
	"20/11/2026 à 09:30, soignante (Anne Soignante) : AUDIT — consommation d'alcool du 01/08/2026, « 10. Un parent, un ami, un médecin ou un autre soignant s'est-il inquiété de votre consommation ou vous a-t-il conseillé de la diminuer ? » : Oui, au cours de l'année → Oui, mais pas au cours de l'année écoulée"
expect_has "a deleted entry" "20/11/2026 à 09:50, chef : suppression de l'entrée Contact du 03/10/2026"
expect_has "an identity change, without its values" \
	"Patient du $(awk -F'\t' '$3 == "patient" { split($2, d, "-"); print d[3] "/" d[2] "/" d[1] }' "$tmp/entries"), « Nom » : (donnée d'identité : valeur non journalisée) → (donnée d'identité : valeur non journalisée)"

# The exports that held the patient's data; the alerts.
expect_has "the export of 2026-T3 and its date" "le 21/11/2026 à 08:00 : données jusqu'au 30/09/2026 (période 2026-T3), envoi n° 1"
expect_has "its recipients (reporting.yaml)" "la coordination régionale et l'équipe d'évaluation"
expect_has "the alert raised by the AUDIT" "AUDIT — consommation d'alcool du 01/08/2026, niveau"
run patient print "$Q"
expect_contains "an entry created after the export was not in it" "$out" "aucun envoi n'a encore contenu vos données."

# ---------------------------------------------------------------- identity and roles
RECUEIL_AS_USER=coord run patient print "$P"
expect_rc "coordination may print" 0
expect_lacks "no name for coordination" "$out" "XQZ"
expect_lacks "no phone for coordination" "$out" "06 11 22 33 44"
expect_contains "the identity questions say so" "$out" "Nom : (donnée d'identité, non montrée ici)"
expect_contains "the pseudonym only" "$out" "Patient : pseudonyme $P"
RECUEIL_AS_USER=soignante run patient print "$P"
expect_contains "saisie sees the name" "$out" "XQZPRENOM XQZNOM"

# The trail: who printed whose document, without identity nor file name.
run log
expect_contains "each print is in the audit trail" "$out" "coord  patient  patient $P document d'accès édité (droit d'accès, format texte)"
expect_lacks "the trail has no identity" "$(printf '%s\n' "$out" | grep "document d'accès")" "XQZ"

# ---------------------------------------------------------------- errors
run patient print ZZZZZZZZ
expect_rc "unknown patient (66)" 66
run patient print "$P" --format odt
expect_rc "unknown format (64)" 64
: >"$tmp/exists.txt"
run patient print "$P" --out "$tmp/exists.txt"
expect_rc "an existing file is not overwritten (73)" 73
expect_eq "and stays empty" "$(wc -c <"$tmp/exists.txt" | tr -d ' ')" 0
run patient print "$P" --out "$tmp/doc2.txt"
expect_rc "--out" 0
expect_eq "written private" "$(stat -c %a "$tmp/doc2.txt")" 600
expect_contains "says where" "$out" "$tmp/doc2.txt"
mkdir "$tmp/forms"
cp "$SRC"/forms/*.yaml "$tmp/forms/"
awk '/^access:/ { exit } { print }' "$SRC/forms/reporting.yaml" >"$tmp/forms/reporting.yaml"
run --forms "$tmp/forms" patient print "$P"
expect_rc "reporting.yaml without access: (65)" 65
expect_contains "names the key" "$err" "access:"

# ---------------------------------------------------------------- PDF
before=$("$RECUEIL" log | grep -c "document d'accès")
RECUEIL_GROFF=/nonexistent/groff run patient print "$P" --out "$tmp/none.pdf"
expect_rc "without groff, exit 69" 69
expect_contains "the message names the package" "$err" "groff"
expect_true "no file" test ! -e "$tmp/none.pdf"
expect_eq "nothing logged" "$("$RECUEIL" log | grep -c "document d'accès")" "$before"
if command -v groff >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1 && [ -x /usr/bin/gropdf ]; then
	# Two copies of one state of the database: the text and the PDF of the same document.
	cp "$RECUEIL_DB" "$tmp/copy.db"
	if [ -f "$RECUEIL_DB-wal" ]; then cp "$RECUEIL_DB-wal" "$tmp/copy.db-wal"; fi
	run patient print "$P" --out "$tmp/doc.pdf"
	expect_rc "PDF (from the .pdf name)" 0
	expect_eq "a PDF" "$(head -c 5 "$tmp/doc.pdf")" "%PDF-"
	expect_eq "written private" "$(stat -c %a "$tmp/doc.pdf")" 600
	run --db "$tmp/copy.db" patient print "$P" --format text
	printf '%s\n' "$out" >"$tmp/same.txt"
	pdftotext -layout "$tmp/doc.pdf" "$tmp/pdf.txt"
	norm() { tr -d '\f' <"$1" | tr -s ' ' | sed 's/^ //; s/ $//' | grep -v '^$'; }
	norm "$tmp/same.txt" >"$tmp/a"
	norm "$tmp/pdf.txt" >"$tmp/b"
	expect_eq "pdftotext finds the text of the document, line for line" "$(diff "$tmp/a" "$tmp/b" | head -5)" ""
	pdf_pages=$(pdfinfo "$tmp/doc.pdf" 2>/dev/null | awk '/^Pages:/ { print $2 }')
	if [ -n "$pdf_pages" ]; then
		expect_eq "as many pages" "$pdf_pages" "$(grep -c "page [0-9]* / " "$tmp/same.txt")"
		expect_contains "A4" "$(pdfinfo "$tmp/doc.pdf")" "595 x 842 pts (A4)"
	fi
	run patient print "$P" --format pdf
	expect_rc "PDF on standard output when it is not a terminal" 0
	expect_eq "a PDF there too" "$(head -c 5 "$tmp/.out")" "%PDF-"
	run log
	expect_contains "the PDF print is logged" "$out" "chef  patient  patient $P document d'accès édité (droit d'accès, format PDF)"
else
	skip "groff (avec gropdf) ou pdftotext absent : document PDF"
fi

finish
