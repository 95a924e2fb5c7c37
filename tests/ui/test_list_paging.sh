# Lists page by what they show: in the patient list, PgDn and PgUp move the selection by exactly
# the number of rows on screen, Home and End go to the first and the last patient, and the
# selected patient is always on screen, at 80×24, at 100×30 and at the smallest size (60×16).
# A patient's timeline, the alerts, the export's problems, the help and the drafts page the same
# way: the page after PgDn starts with the row after the last one shown, none skipped, none shown
# twice, and the last page is a full one.
. "$TESTS/ui/lib.sh"
init_db
"$RECUEIL" user add coord --role coordination >/dev/null
i=0
while [ $i -lt 60 ]; do
	"$RECUEIL" patient add sexe=F annee_naissance=1980 date_inclusion=2026-01-05 >/dev/null
	i=$((i + 1))
done
"$RECUEIL" patient list | cut -f1 >"$T/order"
[ "$(wc -l <"$T/order")" = 60 ] || fail "60 patients attendus"

# rows N [MARK]: the pseudonyms listed on screen N, top to bottom (with MARK: only on the rows
# that show it).
rows() {
	screen "$1" | awk -v mark="${2:-}" 'NR == FNR { known[$1] = 1; next }
		FNR > 1 && index($0, mark) { for (i = 1; i <= NF; i++) if ($i in known) { print $i; break } }' \
		"$T/order" -
}
# index PSEUDO: its 1-based rank in the list.
index() {
	grep -nx -- "$1" "$T/order" | cut -d: -f1
}
# opened N: the pseudonym of the patient file on screen N.
opened() {
	screen "$1" | sed -n '1s/.*recueil — dossier \([0-9A-Z]*\).*/\1/p'
}

# move KEY SHOWN COUNT: where KEY takes the selection $sel (1-based) in a list of COUNT items with
# SHOWN on screen; other keys (a new size) leave it.
move() {
	case $1 in
	PgDn) sel=$((sel + $2 > $3 ? $3 : sel + $2)) ;;
	PgUp) sel=$((sel - $2 < 1 ? 1 : sel - $2)) ;;
	Home) sel=1 ;;
	End) sel=$3 ;;
	Down) sel=$((sel + 1)) ;;
	Up) sel=$((sel - 1)) ;;
	esac
}

# ---------------------------------------------------------------- the patient list
# Each step: a key (or a new size), the list dumped, Enter opens the selected patient's file
# (its title names them), Esc comes back to the list.
steps="PgDn PgDn PgUp End PgUp Home Down PgDn 100x30 PgDn PgDn PgDn PgUp Home End 60x16 PgUp PgUp \
Home PgDn Down End"
{
	echo "p<Dump><Enter><Dump><Esc>"
	for s in $steps; do
		case $s in
		*x*) echo "<Resize $s><Dump><Enter><Dump><Esc>" ;;
		*) echo "<$s><Dump><Enter><Dump><Esc>" ;;
		esac
	done
	echo "<F10>"
} >"$T/keys"
tui "$T/keys"

n=1   # the list screen of the step
sel=1 # where the selection must be (1-based)
check_step() { # check_step WHAT: the list on screen n shows the patient opened on screen n+1
	got=$(opened $((n + 1)))
	[ -n "$got" ] || { screen $((n + 1)) >&2; fail "$1 : aucun dossier ouvert"; }
	at=$(index "$got")
	[ "$at" = "$sel" ] || fail "$1 : patient n° $at sélectionné, n° $sel attendu"
	rows $n | grep -qx -- "$got" || {
		screen $n >&2
		fail "$1 : le patient sélectionné ($got) n'est pas à l'écran"
	}
}
check_step "au départ"
for s in $steps; do
	shown=$(rows $n | wc -l)
	n=$((n + 2))
	move "$s" "$shown" 60
	check_step "$s (après $shown lignes à l'écran)"
	size=$(sed -n "/^--- écran $n /s/.* \([0-9]*x[0-9]*\) .*/\1/p" "$T/screens")
	case $size in
	80x24) want=16 ;;
	100x30) want=22 ;;
	60x16) want=8 ;;
	esac
	# a full page whenever the list is longer than the screen
	[ "$(rows $n | wc -l)" = "$want" ] || {
		screen $n >&2
		fail "$s : $want patients attendus à l'écran en $size"
	}
done

# ---------------------------------------------------------------- a patient's file
# 30 contacts, one a day in January, under the inclusion: the timeline, newest first, runs to
# 2026-01-01 in row 31. Enter opens the selected entry, whose form shows its date.
P=$(tail -n 1 "$T/order")
d=1
while [ $d -le 30 ]; do
	printf '%s contact --date 2026-01-%02d intervenant=medecin type_contact=cabinet statut=realise\n' "$P" $d
	d=$((d + 1))
done | "$RECUEIL" entry add --batch - >/dev/null
rm -f "$T/screens"
steps="Down PgDn End PgUp Up Home Down"
{
	echo "p$P<Enter><Dump>"
	for s in $steps; do echo "<$s><Dump><Enter><Dump><Esc>"; done
	echo "<F10>"
} >"$T/keys"
tui "$T/keys"
# screens: 1 the file; then for step i, 2i the file after the key, 2i+1 the entry opened
i=0 sel=1
for s in $steps; do
	shown=$(screen $((i ? 2 * i : 1)) | grep -c '^ 2026-' || true)
	i=$((i + 1))
	move "$s" "$shown" 31
	[ "$sel" -gt 1 ] || continue # the inclusion, first, has no entry date
	date=$(printf '2026-01-%02d' $((32 - sel)))
	screen $((2 * i + 1)) | grep -q "^. Date de l'entrée *$date" || {
		screen $((2 * i + 1)) >&2
		fail "dossier, $s : l'entrée n° $sel ($date) attendue à l'ouverture"
	}
	expect $((2 * i)) " $date  "
done

# ---------------------------------------------------------------- the clinical alerts
# One alert per patient for the first 20 patients (an AUDIT in zone IV): more than a page.
head -n 20 "$T/order" | while read -r p; do
	echo "$p audit q1=4 q2=4 q3=4 q4=4 q5=4 q6=4 q7=4 q8=4 q9=4 q10=4"
done | "$RECUEIL" entry add --batch - >/dev/null
rm -f "$T/screens"
# all of them on a tall terminal first: the order of the list
cat >"$T/keys" <<'KEYS'
<Resize 80x40>a<Dump>
<Resize 80x24><Dump>
<PgDn><Dump>
<PgDn><Dump>
<PgUp><Dump>
<End><Dump>
<Home><Dump>
<F10>
KEYS
tui "$T/keys"
rows 1 >"$T/alerts"
[ "$(wc -l <"$T/alerts")" = 20 ] || { screen 1 >&2; fail "20 alertes attendues"; }
# rank: the rank of the alert of the pseudonym read, in the list; at N: of the alert marked
# selected (▸) on screen N; first N, last N: of the first and the last alert shown.
rank() { read -r p && grep -nx -- "$p" "$T/alerts" | cut -d: -f1; }
at() { rows "$1" ▸ | rank; }
first() { rows "$1" | head -n 1 | rank; }
last() { rows "$1" | tail -n 1 | rank; }
alerts_at() { # alerts_at N SELECTED FIRST LAST WHAT
	[ "$(at "$1")" = "$2" ] && [ "$(first "$1")" = "$3" ] && [ "$(last "$1")" = "$4" ] || {
		screen "$1" >&2
		fail "alertes, $5 : alerte $2 choisie et alertes $3 à $4 à l'écran attendues"
	}
}
# The selection moves by the r rows on screen and the view with it, the last page kept full.
r=$(rows 2 | wc -l) # 13 at 80×24
alerts_at 2 1 1 "$r" "au départ"
alerts_at 3 $((1 + r)) $((21 - r)) 20 "PgDn"
alerts_at 4 20 $((21 - r)) 20 "PgDn à la fin"
alerts_at 5 $((20 - r)) 1 "$r" "PgUp"
alerts_at 6 20 $((21 - r)) 20 "Fin"
alerts_at 7 1 1 "$r" "Début"

# ---------------------------------------------------------------- the export's problems
# 14 incomplete contacts in the period of the next deadline: two rows each, several pages.
P=$(head -n 1 "$T/order")
i=0
while [ $i -lt 14 ]; do
	echo "$P contact --date 2026-02-12 intervenant=psychologue"
	i=$((i + 1))
done | "$RECUEIL" entry add --batch - >/dev/null 2>&1 || true
rm -f "$T/screens"
printf 'e<Dump><PgDn><Dump><PgDn><Dump><PgUp><Dump><End><Dump><Home><Dump><F10>' >"$T/keys"
RECUEIL_AS_USER=coord tui "$T/keys"
# points N: "A B TOTAL" of "points A à B sur TOTAL" on screen N
points() { screen "$1" | sed -n 's/.*points \([0-9]*\) à \([0-9]*\) sur \([0-9]*\).*/\1 \2 \3/p'; }
set -- $(points 1)
[ "$1" = 1 ] && [ "$3" -ge 14 ] || { screen 1 >&2; fail "export : points 1 à … sur 14 ou plus attendus"; }
page=$2 total=$3
# from N: "points F à L sur TOTAL" for the page that starts with point N, or the last page
from() {
	f=$(($1 + page - 1 > total ? total - page + 1 : $1))
	echo "points $f à $((f + page - 1)) sur $total"
}
expect 2 "$(from $((page + 1)))"
expect 3 "$(from $((2 * page + 1)))"
expect 4 "$(from $(($(points 3 | cut -d' ' -f1) - page)))"
expect 5 "$(from "$total")"
expect 6 "$(from 1)"

# ---------------------------------------------------------------- the help
# The whole help on a terminal tall enough, then page by page at 80×24: each page starts with the
# line after the last one of the page before, the last page ends with the help. The help is short:
# more than one page at 80×24, three at most.
rm -f "$T/screens"
printf '<Resize 80x400><F1><Dump><Resize 80x24><Dump><PgDn><Dump><PgDn><Dump><PgUp><Dump><End><Dump><Home><Dump><F10>' >"$T/keys"
tui "$T/keys"
# body N: the rows of the help on screen N (between the title bar and the message line)
body() { screen "$1" | awk -v last="$(($2 - 2))" 'NR >= 2 && NR <= last'; }
body 1 400 | awk 'NF { last = NR } { line[NR] = $0 } END { for (i = 1; i <= last; i++) print line[i] }' \
	>"$T/help"
total=$(wc -l <"$T/help")
hrows=$((24 - 3))
[ "$total" -gt "$hrows" ] || fail "aide : plus d'une page attendue ($total lignes)"
[ "$total" -le $((3 * hrows)) ] || fail "aide : trois pages au plus à 80×24 attendues ($total lignes)"
last_page=$((total - hrows + 1))
min() { if [ "$1" -lt "$2" ]; then echo "$1"; else echo "$2"; fi; }
page2=$(min $((1 + hrows)) $last_page)
page3=$(min $((1 + 2 * hrows)) $last_page)
back=$((page3 - hrows < 1 ? 1 : page3 - hrows))
help_at() { # help_at N FROM WHAT: screen N shows the help from its line FROM
	sed -n "$2,$(($2 + hrows - 1))p" "$T/help" >"$T/want"
	body "$1" 24 | head -n "$(wc -l <"$T/want")" >"$T/got"
	cmp -s "$T/want" "$T/got" || {
		diff "$T/want" "$T/got" >&2 || true
		fail "aide, $3 : lignes $2 et suivantes attendues"
	}
}
help_at 2 1 "au départ"
help_at 3 "$page2" "PgDn"
help_at 4 "$page3" "PgDn"
help_at 5 "$back" "PgUp"
help_at 6 "$last_page" "Fin"
help_at 7 1 "Début"

# ---------------------------------------------------------------- the drafts
# A contact begun for each of 20 patients, the terminal hung up: 20 drafts, more than a page.
# Each run: the drafts in order on a tall terminal, then at 80×24 the keys, the list dumped, Enter
# resumes the selected draft (the form's title names the patient).
nth() { patient_forms "$SRC/forms" | grep -n "^$1\.yaml" | cut -d: -f1; }
esc=
for p in $(sed -n 21,40p "$T/order"); do
	printf '%sp%s<Enter>n%sx<Hangup>' "$esc" "$p" "$(nth contact)" >"$T/keys"
	tui "$T/keys" >/dev/null 2>&1 || true
	esc="<Esc>" # from the second start on, the drafts screen comes first
done
for run in "End:20" "PgDn:18" "PgDn PgUp:1" "End PgUp:3" "PgDn Down Down Down:20"; do
	rm -f "$T/screens"
	{
		echo "<Resize 80x40><Dump><Resize 80x24>"
		for k in ${run%:*}; do echo "<$k>"; done
		echo "<Dump><Enter><Dump><F10>"
	} >"$T/keys"
	tui "$T/keys"
	rows 1 >"$T/drafts"
	[ "$(wc -l <"$T/drafts")" = 20 ] || { screen 1 >&2; fail "20 brouillons attendus"; }
	want=$(sed -n "${run#*:}p" "$T/drafts")
	screen 3 | grep -q "^ Contact — $want " || {
		screen 3 >&2
		fail "brouillons, ${run%:*} : le brouillon n° ${run#*:} ($want) attendu"
	}
	rows 2 | grep -qx -- "$want" || { screen 2 >&2; fail "brouillons, ${run%:*} : $want hors de l'écran"; }
done
