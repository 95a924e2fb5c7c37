# A value that does not fit a choice stays in it with its error: a date typed into the AUDIT
# (each of its choices moves on by itself after one key) no longer answers q1 with "0", q9 with
# "3" and leaves ".12.2026" in q10; it goes back whole to q1, where it was typed, with the error,
# and q9 and q10 keep their values. Answers typed one key each still move on as before.
. "$TESTS/ui/lib.sh"
init_db
P=$("$RECUEIL" patient add sexe=F annee_naissance=1984)
audit=$(ls "$SRC/forms" | grep '\.yaml$' | grep -v '^reporting' | grep -n '^audit\.yaml' | cut -d: -f1)
printf 'p%s<Enter>n%s03.12.2026<Dump><Tab><Dump><C-u>0<Dump>' "$P" "$audit" >"$T/keys"
tui "$T/keys"
screen 1 | grep -q "^▸\*1\." || { screen 1 >&2; fail "le curseur revient sur q1"; }
screen 1 | grep -A1 "9\. Vous êtes-vous blessé" | grep -q "[0-9] *$" && { screen 1 >&2; fail "q9 vide attendue"; }
screen 1 | grep -A2 "10\. Un parent" | grep -q "[0-9] *$" && { screen 1 >&2; fail "q10 vide attendue"; }
# Tab: refused, the cursor stays on q1 with the error naming the whole value
screen 2 | grep -q "^▸\*1\." || { screen 2 >&2; fail "le curseur reste sur q1"; }
expect 2 "code « 03.12.2026 » inconnu"
# the right answer: q1 = 0 moves on to q9, which is empty
expect 3 "▸*9. Vous êtes-vous blessé"
screen 3 | grep -A1 "9\. Vous êtes-vous blessé" | grep -q "[0-9] *$" && { screen 3 >&2; fail "q9 toujours vide attendue"; }
echo "ok"
