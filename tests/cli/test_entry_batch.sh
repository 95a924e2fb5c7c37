#!/bin/sh
# entry add --batch FILE|-: one save per line in the syntax of entry add's arguments, quoting
# ("…" with \" and \\, '…', backslash), blank and # lines skipped; one id per saved line; a
# refused line reported as "ligne N : <the message entry add gives>" while the others are saved,
# exit 65 at the end; standard input; the same entries and audit lines as entry add one by one.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$TESTS/cli/lib.sh"

export RECUEIL_AS_USER=chef RECUEIL_NOW=2026-11-22T10:00:00Z
run init --structure MS-TEST-01
expect_rc "init" 0
run patient add sexe=F annee_naissance=1981 nom=Exemple prenom=Anne
P=$out
run patient add sexe=M annee_naissance=1962
P2=$out

lines() { printf '%s\n' "$1" | grep -c .; }

# ---- several saves, quoting, comments, blank lines
# Line 5 holds a value with spaces, accents and escaped double quotes; line 6 single quotes;
# line 3 is indented; line 7 ends in CRLF, with a backslash in single quotes and an escaped blank.
cat >"$tmp/ok.txt" <<EOF
# saisies du 22 novembre
$P audit --date 2026-10-01 q1=3 q2=2 q3=2 q4=1 q5=1 q6=0 q7=2 q8=1 q9=2 q10=4
	$P2 audit q1=0 q9=2 q10=4

$P contact --date 2026-11-02 intervenant=medecin type_contact=cabinet statut=realise notes="Revu à domicile : \"très\" fatigué, sœur présente"
$P2 contact intervenant=psychologue type_contact=telephone statut=realise duree_min=20 notes='un   deux'
EOF
printf '%s contact intervenant=infirmier type_contact=domicile statut=realise %s\r\n' "$P" \
	"'notes=d\\après'\\ lui" >>"$tmp/ok.txt"
run entry add --batch "$tmp/ok.txt"
expect_rc "a clean batch exits 0" 0
expect_eq "nothing on stderr" "$err" ""
expect_eq "one id per saved line" "$(lines "$out")" 5
ids=$out
for id in $ids; do
	case "$id" in
	[0-9a-f]*-*-*-*-*) pass ;;
	*) fail "each stdout line is an entry id" "$id" ;;
	esac
done
id() { printf '%s\n' "$ids" | sed -n "${1}p"; }
run entry show "$(id 3)"
expect_contains "a double-quoted value keeps its spaces, accents and escaped quotes" "$out" \
	'notes=Revu à domicile : "très" fatigué, sœur présente'
run entry show "$(id 4)"
expect_contains "in single quotes, blanks are kept as typed" "$out" "notes=un   deux"
run entry show "$(id 1)"
expect_contains "--date in a line" "$out" "total=18"
run entry list "$P"
expect_contains "the entry is dated by its line" "$out" "$(printf '%s\t2026-10-01\taudit' "$(id 1)")"
run entry show "$(id 5)"
expect_contains "a backslash kept in single quotes, one escaping a blank outside" "$out" "notes=d\\après lui"
expect_lacks "the CR of a CRLF line end is no part of the last value" "$out" "$(printf '\r')"

# ---- the same saves one by one give the same entries and the same audit lines
run entry add "$P" audit --date 2026-10-01 q1=3 q2=2 q3=2 q4=1 q5=1 q6=0 q7=2 q8=1 q9=2 q10=4
s1=$out
run entry add "$P2" audit q1=0 q9=2 q10=4
s2=$out
run entry add "$P" contact --date 2026-11-02 intervenant=medecin type_contact=cabinet statut=realise \
	'notes=Revu à domicile : "très" fatigué, sœur présente'
s3=$out
run entry add "$P2" contact intervenant=psychologue type_contact=telephone statut=realise duree_min=20 \
	'notes=un   deux'
s4=$out
run entry add "$P" contact intervenant=infirmier type_contact=domicile statut=realise 'notes=d\après lui'
s5=$out
k=0
for s in "$s1" "$s2" "$s3" "$s4" "$s5"; do
	k=$((k + 1))
	b=$(id $k)
	run entry show "$b"
	shown_b=$out
	run entry show "$s"
	expect_eq "line $k: entry show of the batch entry = that of entry add" "$shown_b" "$out"
done
run log
log=$out
k=0
for s in "$s1" "$s2" "$s3" "$s4" "$s5"; do
	k=$((k + 1))
	b=$(id $k | cut -c1-8)
	s8=$(printf '%s' "$s" | cut -c1-8)
	lb=$(printf '%s\n' "$log" | grep " $b " | sed "s/$b/ID/")
	ls=$(printf '%s\n' "$log" | grep " $s8 " | sed "s/$s8/ID/")
	expect_eq "line $k: one audit line, as entry add writes it" "$(lines "$lb")" 1
	expect_eq "line $k: the batch's audit line = entry add's" "$lb" "$ls"
done

# ---- a refused line in the middle: named by number, with entry add's own message; the other
# lines are saved; exit 65
run entry add "$P" audit q1=9
single_err=$(printf '%s' "$err" | sed 's/^recueil: //')
before=$("$RECUEIL" entry list "$P" | wc -l)
cat >"$tmp/bad.txt" <<EOF
$P contact intervenant=medecin type_contact=cabinet statut=realise

$P audit q1=9
$P contact intervenant=medecin type_contact=cabinet statut=annule
EOF
run entry add --batch "$tmp/bad.txt"
expect_rc "a batch with a refused line exits 65" 65
expect_eq "the two good lines are saved and printed" "$(lines "$out")" 2
expect_contains "the refused line is named by its number, with entry add's message" "$err" \
	"recueil: ligne 3 : $single_err"
expect_contains "and a count at the end" "$err" "1 ligne(s) refusée(s), 2 entrée(s) enregistrée(s)"
after=$("$RECUEIL" entry list "$P" | wc -l)
expect_eq "the lines before and after it are stored" "$after" "$((before + 2))"

# other refusals, each on its own line; the batch goes on
cat >"$tmp/bad2.txt" <<EOF
$P contact intervenant=medecin type_contact=cabinet statut=realise notes="pas fermé
$P
ZZZZZZZZ audit q1=0
$P inconnu x=1
$P contact --bogus intervenant=medecin
$P contact --batch x
$P audit --date 2030-01-01 q1=0 q9=0 q10=0
$P patient sexe=F
$P contact intervenant=medecin type_contact=cabinet statut=realise notes=fin\\
$P contact intervenant=medecin type_contact=cabinet statut=realise
EOF
run entry add --batch "$tmp/bad2.txt"
expect_rc "exit 65 when lines were refused" 65
expect_eq "only the last line is saved" "$(lines "$out")" 1
expect_contains "unclosed quote" "$err" 'recueil: ligne 1 : guillemet " non fermé'
expect_contains "no form" "$err" "recueil: ligne 2 : PATIENT FORMULAIRE"
expect_contains "unknown patient" "$err" "recueil: ligne 3 : « ZZZZZZZZ »"
expect_contains "unknown form" "$err" "recueil: ligne 4 : formulaire inconnu « inconnu »"
expect_contains "unknown option" "$err" "recueil: ligne 5 : option « --bogus » inconnue"
expect_contains "no batch in a batch" "$err" "recueil: ligne 6 : --batch"
expect_contains "a date in the future" "$err" "recueil: ligne 7 : --date : 2030-01-01 est dans le futur"
expect_contains "a once-only form" "$err" "recueil: ligne 8 : le formulaire patient se remplit une seule fois"
expect_contains "a final backslash" "$err" "recueil: ligne 9 : barre oblique inverse en fin de ligne"
expect_contains "9 lines refused" "$err" "9 ligne(s) refusée(s), 1 entrée(s) enregistrée(s)"

# warnings of a saved line carry its number too
printf '%s audit q1=1\n' "$P" >"$tmp/warn.txt"
run entry add --batch "$tmp/warn.txt"
expect_rc "an incomplete entry is saved (0)" 0
expect_contains "its warning is numbered" "$err" "recueil: ligne 1 : entrée incomplète"

# ---- standard input
n0=$("$RECUEIL" entry list "$P2" | wc -l)
printf '%s audit q1=0 q9=2 q10=0\n%s audit q1=0 q9=0 q10=0\n' "$P2" "$P2" >"$tmp/in.txt"
run entry add --batch - <"$tmp/in.txt"
expect_rc "from standard input" 0
expect_eq "two ids" "$(lines "$out")" 2
expect_eq "two entries more" "$("$RECUEIL" entry list "$P2" | wc -l)" "$((n0 + 2))"
run entry add --batch - </dev/null
expect_rc "an empty input is not an error" 0
expect_eq "and prints nothing" "$out$err" ""

# ---- the command line itself
run entry add --batch "$tmp/absent.txt"
expect_rc "a missing file (66)" 66
expect_contains "named" "$err" "absent.txt"
run entry add --batch "$tmp/ok.txt" "$P" audit
expect_rc "--batch with other arguments is a usage error (64)" 64
run entry add --batch "$tmp/ok.txt" --date 2026-01-01
expect_rc "--batch with other options is a usage error (64)" 64
run entry add --help
expect_contains "the usage shows --batch" "$out" "entry add --batch FICHIER|-"
RECUEIL_AS_USER=intrus run entry add --batch "$tmp/ok.txt"
expect_rc "an unregistered user saves nothing (77)" 77
expect_eq "and prints no id" "$out" ""

finish
