# The export screen (issue 4, issue 5 item 2): a coordination user exports the period of the next
# deadline from the terminal interface. The pre-export check lists the incomplete entry, which
# Enter opens (issue 15), the export
# needs a reason to accept it, a bad output path is said and asked again, the archive is written
# (mode 0600) and the passphrase shown once in a frame is the one `recueil verify` accepts. A
# simulated full disk is said clearly and leaves no file. With the coordination's public key in
# reporting.yaml, the archive is encrypted to it (age) and no passphrase is shown. A saisie user is
# refused, and the refusal is in the audit trail.
. "$TESTS/ui/lib.sh"
init_db
"$RECUEIL" user add coord --role coordination >/dev/null
"$RECUEIL" user add infirmiere --role saisie >/dev/null
P=$("$RECUEIL" patient add sexe=F annee_naissance=1980 date_inclusion=2026-01-05)
"$RECUEIL" patient inform "$P" >/dev/null
"$RECUEIL" entry add "$P" contact --date 2026-02-10 intervenant=medecin type_contact=cabinet statut=realise \
	duree_min=30 >/dev/null
# an incomplete contact of the period: the check lists it
INC=$("$RECUEIL" entry add "$P" contact --date 2026-02-12 intervenant=psychologue 2>/dev/null)
export HOME="$T/home"
mkdir -p "$HOME"
OUT="$HOME/recueil-TEST01-2026-T1.zip"

cat > "$T/keys" <<'KEYS'
<Dump>
# e: the export screen, the period of the next deadline proposed, the check listed
e<Dump>
# F11: another period; a wrong one is said in the dialog; back to 2026-T1
<F11><C-u>2026-T9<Enter><Dump>
<C-u>2026-T1<Enter><Dump>
# Enter opens the entry of the problem chosen; Esc comes back to the check
<Enter><Dump>
<Esc><Dump>
# F2: a reason is asked for; an empty one cancels
<F2><Dump>
<Enter><Dump>
<F2>relance faite, envoi avant l'échéance<Enter><Dump>
# a directory that does not exist: said, the path asked again
<C-u>/nonexistent/dir/x.zip<Enter><Dump>
# the default path
<C-u>~/recueil-TEST01-2026-T1.zip<Enter><Dump>
# Esc asks first; n (or Enter) stays; Esc then o leaves and the passphrase is gone
<Esc><Dump>
n<Dump>
<Esc>o<Dump>
<F10>
KEYS
RECUEIL_AS_USER=coord tui "$T/keys"

expect 1 "5  Export de la période à envoyer (e)"
expect 2 "recueil — export d'une période"
expect 2 "Période : 2026-T1 (du 2026-01-01 au 2026-03-31)"
expect 2 "Celle de la prochaine échéance : le 2026-04-30 (dans 59 jours)"
expect 2 "Période pas terminée (jusqu'au 2026-03-31) : l'export sera partiel."
expect 2 "Vérification avant export : 1 point(s) à revoir"
expect 2 "incomplète   $P  2026-02-12  Contact"
expect 2 "entrée $(printf %.8s "$INC")"
expect 2 "réponses obligatoires manquantes : « Type de contact »"
expect_not 2 "type_contact"
expect 2 "▸ incomplète   $P"
expect 2 "Entrée : ouvrir le point ; F2 : exporter malgré eux (raison demandée)."
expect 2 "F2 ^S Exporter  F11 ^T Période"
expect 5 "Contact — $P"
expect 6 "Vérification avant export : 1 point(s) à revoir"
expect 3 "période « 2026-T9 » invalide"
expect 4 "Période : 2026-T1"
expect 7 "Accepter les points à revoir"
expect 8 "Export annulé : une raison est nécessaire"
expect 9 "Fichier de l'archive"
expect 9 "~/recueil-TEST01-2026-T1.zip"
expect 10 "/nonexistent/dir"
expect 10 "Fichier de l'archive"
# written: the path, and the passphrase once, in a frame, with how to send it
expect 11 "Export n° 1 de la période 2026-T1 écrit"
expect 11 "$OUT"
expect 11 "Phrase de passe de l'archive (affichée une seule fois)"
expect 11 "par SMS ou par téléphone, jamais"
expect 11 "┌────"
expect 11 "└────"
expect_not 11 "Entrée Exporter"
PASS=$(screen 11 | grep -o '[0-9A-HJKMNP-TV-Z]\{4\}-[0-9A-HJKMNP-TV-Z]\{4\}-[0-9A-HJKMNP-TV-Z]\{4\}-[0-9A-HJKMNP-TV-Z]\{4\}' | head -1)
[ -n "$PASS" ] || fail "phrase de passe absente de l'écran"
expect 12 "La phrase de passe ne pourra plus être affichée"
expect 13 "$PASS"
expect 14 "recueil — TEST01"
expect_not 14 "$PASS"

# the archive: there, private, accepted by verify with the passphrase read on the screen
[ -f "$OUT" ] || fail "archive absente : $OUT"
[ "$(stat -c %a "$OUT")" = 600 ] || fail "archive en mode $(stat -c %a "$OUT"), 600 attendu"
umask 077
printf '%s\n' "$PASS" > "$T/pass"
"$RECUEIL" verify "$OUT" --passphrase-file "$T/pass" > "$T/verify" 2>&1 || {
	cat "$T/verify" >&2
	fail "verify refuse l'archive écrite par l'écran d'export"
}
grep -q "period: 2026-T1" "$T/verify" || fail "manifeste : période 2026-T1 attendue"
grep -q "accepted_reason: relance faite" "$T/verify" || fail "manifeste : raison de l'acceptation attendue"
printf 'XXXX-XXXX-XXXX-XXXX\n' > "$T/badpass"
if "$RECUEIL" verify "$OUT" --passphrase-file "$T/badpass" >/dev/null 2>&1; then
	fail "verify accepte une phrase de passe fausse"
fi
# the passphrase is nowhere on disk but in the dump of the screen
if grep -rqF -- "$PASS" "$RECUEIL_DB" "$HOME" 2>/dev/null; then
	fail "la phrase de passe est écrite sur le disque"
fi

# a full disk: said clearly, no file under the final name, nothing shown as a passphrase
: > "$T/screens"
printf 'e<F2>idem<Enter><C-u>~/plein.zip<Enter><Dump><Enter><Dump><Esc><F10>' > "$T/keys2"
RECUEIL_FAULT_DISK_FULL_AFTER=2000 RECUEIL_AS_USER=coord tui "$T/keys2"
expect 1 "Export impossible"
expect 1 "disque plein"
expect 1 "aucun fichier"
expect_not 1 "Phrase de passe de l'archive"
expect 2 "Vérification avant export : 1 point(s) à revoir"
[ ! -e "$HOME/plein.zip" ] || fail "archive partielle laissée sous le nom final"
[ -z "$(ls -A "$HOME" | grep -v '^recueil-TEST01-2026-T1.zip$')" ] || fail "fichier temporaire laissé : $(ls -A "$HOME")"

# a saisie user: the item says it is reserved, the keys are refused with a message, and logged
: > "$T/screens"
printf '<Dump>e<Dump>5<Dump>e<Dump>5<Dump><F10>' > "$T/keys3"
RECUEIL_AS_USER=infirmiere tui "$T/keys3"
expect 1 "Export de la période (réservé à la coordination)"
for n in 2 3 4 5; do
	expect $n "Export : réservé au rôle coordination ou plus (vous : saisie)."
	expect_not $n "recueil — export d'une période"
done
"$RECUEIL" log | grep "infirmiere" | grep -q "interface : export.*réservé au rôle coordination" ||
	fail "refus de l'export au journal attendu : $("$RECUEIL" log | tail -3)"

# with the coordination's public key in reporting.yaml (recipients:): the archive is encrypted to
# it (age), nothing secret is shown, and only the region's private key opens it
"$RECUEIL" keygen --out "$T/region.key" >"$T/keygen.out" 2>&1 || fail "keygen"
mkdir "$T/forms-age"
cp "$RECUEIL_FORMS"/*.yaml "$T/forms-age/"
printf 'recipients: [%s]\n' "$(tail -n 1 "$T/keygen.out")" >>"$T/forms-age/reporting.yaml"
: > "$T/screens"
printf 'e<F2>relance faite<Enter><Dump><Enter><Dump><Esc><Dump><F10>' > "$T/keys5"
RECUEIL_FORMS="$T/forms-age" RECUEIL_AS_USER=coord tui "$T/keys5"
expect 1 "~/recueil-TEST01-2026-T1.zip.age"
expect 2 "chiffré pour la clé de la coordination"
expect 2 "Aucune phrase de passe à transmettre"
expect_not 2 "Phrase de passe de l'archive"
expect 3 "Structure : TEST01 — Structure de test"
expect_not 3 "recueil — export d'une période"
AGE_OUT="$HOME/recueil-TEST01-2026-T1.zip.age"
[ -f "$AGE_OUT" ] || fail "archive age attendue : $AGE_OUT"
RECUEIL_FORMS="$T/forms-age" "$RECUEIL" verify "$AGE_OUT" --identity "$T/region.key" >"$T/verify-age" 2>&1 ||
	fail "verify --identity refuse l'archive age : $(tail -2 "$T/verify-age")"
if command -v age >/dev/null 2>&1 && command -v unzip >/dev/null 2>&1; then
	age -d -i "$T/region.key" -o "$T/from-age.zip" "$AGE_OUT" || fail "age -d n'ouvre pas l'archive"
	unzip -l "$T/from-age.zip" | grep -q 'manifest.txt' || fail "le zip déchiffré par age n'a pas de manifeste"
fi

# in English
: > "$T/screens"
printf 'e<Dump><F10>' > "$T/keys4"
LANGUAGE=en RECUEIL_AS_USER=coord tui "$T/keys4"
expect 1 "recueil — export of a period"
expect 1 "Period: 2026-T1 (from 2026-01-01 to 2026-03-31)"
