# Whole-screen references for the main screens at 80×24: home, patient list, patient file (with
# the scores' course), AUDIT page 1 and its scores, export, report, the impact page and the first
# question of the self-assessment. A demo database is built the same at each run (fixed clock,
# demo seed, random seed for pseudonyms and entry ids, login), each screen is dumped over the key
# script seam and compared whole with
# tests/ui/screens/NAME.txt: a layout change shows as a diff.
#
# After a deliberate change of the screens, rewrite the references in one command, then review
# them (git diff tests/ui/screens) before committing:
#   RECUEIL_UPDATE_SCREENS=1 ctest --test-dir build -R ui/test_screens
. "$TESTS/ui/lib.sh"
export RECUEIL_AS_USER=martine HOME="$T"
REF="$SRC/tests/ui/screens"
RECUEIL_RANDOM_SEED=1 "$RECUEIL" demo --patients 12 --seed 3 >/dev/null 2>&1 || fail "recueil demo"
audit=$(patient_forms "$SRC/forms" | grep -n '^audit\.yaml' | cut -d: -f1)

differ=0
# check NAME KEYS: from the home screen, type KEYS then dump; the screen must be REF/NAME.txt.
check() {
	printf '%s<Dump>' "$2" >"$T/keys"
	rm -f "$T/screens"
	tui "$T/keys" || fail "$1 : l'interface a échoué"
	head -n 1 "$T/screens" | grep -q ' 80x24 ' || fail "$1 : écran de $(head -n 1 "$T/screens" | cut -d' ' -f5) au lieu de 80x24"
	screen 1 >"$T/$1.txt"
	if [ -n "${RECUEIL_UPDATE_SCREENS:-}" ]; then
		mkdir -p "$REF"
		cp "$T/$1.txt" "$REF/$1.txt"
		echo "référence réécrite : tests/ui/screens/$1.txt"
	elif [ ! -f "$REF/$1.txt" ]; then
		echo "ÉCHEC : $1 : pas de référence tests/ui/screens/$1.txt (RECUEIL_UPDATE_SCREENS=1 pour l'écrire)" >&2
		differ=$((differ + 1))
	elif ! diff -u --label "tests/ui/screens/$1.txt (référence)" --label "$1 (obtenu)" \
		"$REF/$1.txt" "$T/$1.txt" >&2; then
		echo "ÉCHEC : l'écran $1 diffère de sa référence (ci-dessus)" >&2
		differ=$((differ + 1))
	fi
}

check home ''
check patients 'p'
check patient 'p<Enter>'
check audit "p<Enter>n$audit"
check export 'e'
check report 'r'
check impact 'ri'
# the self-assessment: AUDIT's first question, as the patient sees it
check self 'p<Enter>c1'
# last: what is typed is kept as a draft, which the next start would offer first
check audit_scores "p<Enter>n${audit}2111111124"

[ "$differ" -eq 0 ] || fail "$differ écran(s) différent(s) ; après un changement voulu : RECUEIL_UPDATE_SCREENS=1 ctest --test-dir build -R ui/test_screens"
echo "9 écrans conformes à leur référence"
