# test_bad_forms.sh — the corpus of malformed form files (tests/data/bad_forms/): each file,
# checked alone in a fresh directory, is refused with exit 65 and exactly one line on stderr, the
# one its sibling X.expected gives (BAD/ stands for the directory). Cases that cannot live in git
# (a file over 1 MiB, a NUL byte, broken UTF-8 at the very end, very deep nesting) are generated
# here. Then: the real forms pass, and a command refuses to run on a broken forms directory.
#
# CTest sets RECUEIL (the binary), SRC (the source tree) and TESTS (the tests directory). POSIX sh.
set -u
: "${RECUEIL:?RECUEIL must name the recueil binary}" "${SRC:?SRC must name the source tree}"
: "${TESTS:=$SRC/tests}"
export LC_ALL=C.UTF-8
unset RECUEIL_FORMS RECUEIL_DB RECUEIL_AS_USER

corpus="$TESTS/data/bad_forms"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/recueil-bad.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
passed=0
failed=0
n=0

fail() {
	failed=$((failed + 1))
	printf 'ÉCHEC : %s\n' "$1" >&2
	shift
	for line in "$@"; do
		printf '  %s\n' "$line" >&2
	done
}

# run ARGS… — the binary, stdout in $tmp/out, stderr in $tmp/err, exit code in $rc; a sanitizer
# report or a crash is a failure by itself.
run() {
	"$RECUEIL" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if grep -q -e 'Sanitizer' -e 'runtime error:' "$tmp/err"; then
		fail "rapport de sanitizer pour « recueil $* »" "$(head -n 20 "$tmp/err")"
	elif [ "$rc" -ge 128 ]; then
		fail "plantage de « recueil $* » (code $rc)" "$(head -n 5 "$tmp/err")"
	fi
}

# check_file FILE WANT — FILE (already alone in its directory) is refused by `forms check` with
# exit 65, nothing on stdout, and exactly one stderr line: WANT, with BAD/ for the directory.
check_file() {
	file=$1
	want=$2
	dir=${file%/*}
	name=${file##*/}
	run forms check "$file"
	lines=$(wc -l <"$tmp/err" | tr -d ' ')
	first=$(head -n 1 "$tmp/err")
	case $first in
	"$dir/"*) got="BAD/${first#"$dir/"}" ;;
	*) got=$first ;;
	esac
	ok=1
	if [ "$rc" -ne 65 ]; then
		fail "$name : code de sortie $rc (attendu : 65)" "stderr : $first"
		ok=0
	fi
	if [ -s "$tmp/out" ]; then
		fail "$name : stdout devrait être vide" "$(head -n 3 "$tmp/out")"
		ok=0
	fi
	if [ "$got" != "$want" ]; then
		fail "$name : message" "obtenu  : $got" "attendu : $want"
		ok=0
	elif [ "$lines" != 1 ]; then
		fail "$name : une seule ligne attendue sur stderr, $lines obtenues" "$(cat "$tmp/err")"
		ok=0
	fi
	[ "$ok" = 1 ] && passed=$((passed + 1))
}

# fresh_dir — a new empty directory; its path in $dir.
fresh_dir() {
	n=$((n + 1))
	dir="$tmp/case$n"
	mkdir "$dir"
}

# ---------------------------------------------------------------- the committed corpus

count=0
for yaml in "$corpus"/*.yaml; do
	[ -f "$yaml" ] || continue
	count=$((count + 1))
	base=${yaml##*/}
	expected="${yaml%.yaml}.expected"
	if [ ! -f "$expected" ]; then
		fail "$base : pas de fichier ${expected##*/}"
		continue
	fi
	fresh_dir
	cp "$yaml" "$dir/"
	check_file "$dir/$base" "$(cat "$expected")"
done
for expected in "$corpus"/*.expected; do
	[ -f "${expected%.expected}.yaml" ] || fail "${expected##*/} : pas de fichier .yaml correspondant"
done
if [ "$count" -ge 40 ]; then
	passed=$((passed + 1))
else
	fail "le corpus devrait compter au moins 40 fichiers, il en a $count"
fi

# ---------------------------------------------------------------- generated cases

# A valid form, to which each case adds one defect.
good_form() {
	printf 'form: essai\nversion: 1\ntitle: {fr: "Essai"}\nsections:\n  - title: {fr: "Section"}\n'
	printf '    fields:\n      - id: q1\n        type: integer\n        label: {fr: "Question 1"}\n'
}

# Over 1 MiB: refused before parsing, with the file's real size.
fresh_dir
{
	good_form
	i=0
	while [ "$i" -lt 1100 ]; do
		printf '# %01020d\n' 0
		i=$((i + 1))
	done
} >"$dir/huge.yaml"
size=$(wc -c <"$dir/huge.yaml" | tr -d ' ')
check_file "$dir/huge.yaml" "BAD/huge.yaml:1:1: fichier trop grand ($size octets, au plus 1048576)"

# Exactly 1 MiB is still read (and here refused for its content only).
fresh_dir
{
	printf 'form: essai\nversion: 1\ntitle: {fr: "Essai"}\nsections: []\n'
	i=0
	while [ "$i" -lt 1023 ]; do
		printf '# %01020d\n' 0
		i=$((i + 1))
	done
} >"$dir/at_cap.yaml"
size=$(wc -c <"$dir/at_cap.yaml" | tr -d ' ')
awk -v n=$((1048576 - size)) 'BEGIN { s = "#"; while (length(s) < n - 1) s = s "0"; print s }' >>"$dir/at_cap.yaml"
size=$(wc -c <"$dir/at_cap.yaml" | tr -d ' ')
if [ "$size" = 1048576 ]; then
	check_file "$dir/at_cap.yaml" "BAD/at_cap.yaml:4:11: sections: est vide"
else
	fail "at_cap.yaml : taille $size, 1048576 attendue (erreur du test)"
fi

# A NUL byte in the middle of a value.
fresh_dir
{
	printf 'form: essai\nversion: 1\ntitle: {fr: "Es'
	printf 'sai\000"}\n'
} >"$dir/nul.yaml"
check_file "$dir/nul.yaml" "BAD/nul.yaml:3:19: caractère nul dans le fichier"

# Broken UTF-8: a multi-byte sequence cut by the end of the file, an overlong encoding of « / »,
# a UTF-16 surrogate written in UTF-8, and a byte-order mark of UTF-16.
fresh_dir
printf 'form: essai\nversion: 1\ntitle: {fr: "Essai"}\nreference: "R\303' >"$dir/utf8_truncated.yaml"
check_file "$dir/utf8_truncated.yaml" "BAD/utf8_truncated.yaml:4:14: encodage invalide : le fichier doit être en UTF-8"
fresh_dir
printf 'form: essai\nversion: 1\ntitle: {fr: "\300\257"}\n' >"$dir/utf8_overlong.yaml"
check_file "$dir/utf8_overlong.yaml" "BAD/utf8_overlong.yaml:3:14: encodage invalide : le fichier doit être en UTF-8"
fresh_dir
printf 'form: essai\nversion: 1\ntitle: {fr: "\355\240\200"}\n' >"$dir/utf8_surrogate.yaml"
check_file "$dir/utf8_surrogate.yaml" "BAD/utf8_surrogate.yaml:3:14: encodage invalide : le fichier doit être en UTF-8"
fresh_dir
{
	printf '\377\376'
	good_form
} >"$dir/utf16_bom.yaml"
check_file "$dir/utf16_bom.yaml" "BAD/utf16_bom.yaml:1:1: encodage invalide : le fichier doit être en UTF-8"

# Nesting: 200,000 opening brackets (stopped at level 33, no stack exhaustion), 40 levels of
# indented maps, 40 levels of "- - - …".
fresh_dir
{
	printf 'form: essai\nextra: '
	i=0
	while [ "$i" -lt 2000 ]; do
		printf '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[['
		i=$((i + 1))
	done
	printf '\n'
} >"$dir/deep_flow.yaml"
check_file "$dir/deep_flow.yaml" "BAD/deep_flow.yaml:2:39: imbrication trop profonde (plus de 32 niveaux)"
fresh_dir
{
	printf 'form: essai\n'
	i=0
	ind=
	while [ "$i" -lt 40 ]; do
		printf '%sa%d:\n' "$ind" "$i"
		ind="$ind  "
		i=$((i + 1))
	done
	printf '%sfin: 1\n' "$ind"
} >"$dir/deep_block.yaml"
check_file "$dir/deep_block.yaml" "BAD/deep_block.yaml:34:65: imbrication trop profonde (plus de 32 niveaux)"
fresh_dir
{
	i=0
	while [ "$i" -lt 40 ]; do
		printf -- '- '
		i=$((i + 1))
	done
	printf 'x\n'
} >"$dir/deep_seq.yaml"
check_file "$dir/deep_seq.yaml" "BAD/deep_seq.yaml:1:65: imbrication trop profonde (plus de 32 niveaux)"

# A quote left open on the last line, with no final newline.
fresh_dir
{
	good_form
	printf '        help: "Une aide'
} >"$dir/open_quote.yaml"
check_file "$dir/open_quote.yaml" "BAD/open_quote.yaml:10:15: syntaxe YAML : guillemet ouvert ici et jamais refermé (fin du fichier atteinte)"

# A map of 60,000 keys with a duplicate at the end: found, and quickly (no quadratic check).
fresh_dir
{
	good_form
	printf 'extra:\n'
	i=0
	while [ "$i" -lt 60000 ]; do
		printf '  k%d: 1\n' "$i"
		i=$((i + 1))
	done
	printf '  k0: 2\n'
} >"$dir/many_keys.yaml"
start=$(date +%s)
check_file "$dir/many_keys.yaml" "BAD/many_keys.yaml:60011:3: clé « k0 » en double (déjà ligne 11)"
elapsed=$(($(date +%s) - start))
if [ "$elapsed" -le 60 ]; then
	passed=$((passed + 1))
else
	fail "many_keys.yaml : $elapsed s pour 60 000 clés (la recherche des doublons est-elle quadratique ?)"
fi

# ---------------------------------------------------------------- the real forms

run forms check "$SRC/forms"
if [ "$rc" -eq 0 ] && [ ! -s "$tmp/err" ]; then
	passed=$((passed + 1))
else
	fail "forms check $SRC/forms : code $rc (attendu : 0)" "$(head -n 10 "$tmp/err")"
fi

# A real form checked alone: the files beside it resolve patient.* and seuil.*.
run forms check "$SRC/forms/audit.yaml"
if [ "$rc" -eq 0 ]; then
	passed=$((passed + 1))
else
	fail "forms check audit.yaml : code $rc (attendu : 0)" "$(head -n 5 "$tmp/err")"
fi

# ---------------------------------------------------------------- a broken forms directory

# The real forms plus one broken file: nothing runs, every command says where the problem is.
broken="$tmp/broken"
mkdir "$broken"
cp "$SRC"/forms/*.yaml "$broken/"
cp "$corpus/unknown_key_top.yaml" "$broken/zz_casse.yaml"
want="$broken/zz_casse.yaml:4:1: clé inconnue « auteur » dans un formulaire"

run --forms "$broken" --db "$tmp/x.db" patient list
if [ "$rc" -eq 65 ]; then
	passed=$((passed + 1))
else
	fail "patient list avec des formulaires cassés : code $rc (attendu : 65)" "$(head -n 5 "$tmp/err")"
fi
case $(head -n 1 "$tmp/err") in
"$want"*) passed=$((passed + 1)) ;;
*) fail "patient list avec des formulaires cassés : FICHIER:LIGNE:COLONNE attendu" \
	"obtenu  : $(head -n 1 "$tmp/err")" "attendu : $want…" ;;
esac
if [ -e "$tmp/x.db" ]; then
	fail "patient list avec des formulaires cassés : la base a été créée"
else
	passed=$((passed + 1))
fi

# The same through RECUEIL_FORMS, for another command.
export RECUEIL_FORMS="$broken"
run --db "$tmp/x.db" forms list
unset RECUEIL_FORMS
first=$(head -n 1 "$tmp/err")
case "$rc:$first" in
"65:$want"*) passed=$((passed + 1)) ;;
*) fail "RECUEIL_FORMS cassé : code 65 et FICHIER:LIGNE:COLONNE attendus" "code : $rc" "stderr : $first" ;;
esac

# forms check on the directory names the same problem, and only it.
run forms check "$broken"
first=$(head -n 1 "$tmp/err")
lines=$(wc -l <"$tmp/err" | tr -d ' ')
case "$rc:$lines:$first" in
"65:1:$want"*) passed=$((passed + 1)) ;;
*) fail "forms check sur un dossier cassé : code 65 et une ligne attendus" "code : $rc" \
	"stderr : $(head -n 5 "$tmp/err")" ;;
esac

# A directory without any form file, and one that does not exist.
mkdir "$tmp/vide"
run --forms "$tmp/vide" --db "$tmp/x.db" patient list
case "$rc:$(head -n 1 "$tmp/err")" in
"65:$tmp/vide:1:1: aucun fichier .yaml dans ce dossier") passed=$((passed + 1)) ;;
*) fail "dossier de formulaires vide : code 65 et message attendus" "code : $rc" "stderr : $(head -n 1 "$tmp/err")" ;;
esac
run --forms "$tmp/absent" --db "$tmp/x.db" patient list
case "$rc:$(head -n 1 "$tmp/err")" in
"65:$tmp/absent:1:1: dossier de formulaires introuvable") passed=$((passed + 1)) ;;
*) fail "dossier de formulaires absent : code 65 et message attendus" "code : $rc" "stderr : $(head -n 1 "$tmp/err")" ;;
esac

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
