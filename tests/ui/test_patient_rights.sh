# The patient's information and opposition in the patient file: the line under the summary says
# "Jamais informé"; f asks, n changes nothing, o records "Informé le" today; o asks for the
# opposition and records it "(par LOGIN)"; o again offers to withdraw it, and n keeps it. Both acts
# are in the audit trail, and the opposed patient has no row in the next export (which the
# check no longer holds back for them).
. "$TESTS/ui/lib.sh"
init_db
"$RECUEIL" user add coord --role coordination >/dev/null
P=$("$RECUEIL" patient add sexe=F annee_naissance=1980 date_inclusion=2026-01-05)
"$RECUEIL" entry add "$P" contact --date 2026-02-10 intervenant=medecin type_contact=cabinet statut=realise \
	duree_min=30 >/dev/null

cat >"$T/keys" <<KEYS
p$P<Enter><Dump>
f<Dump>
n<Dump>
f<Dump>
o<Dump>
o<Dump>
o<Dump>
o<Dump>
n<Dump>
<F10>
KEYS
tui "$T/keys"
me=$(id -un)
expect 1 "Jamais informé (f : informé, o : opposition)"
expect 2 "Information du patient"
expect 2 "Noter que le patient $P a été informé aujourd'hui"
expect 2 "(2026-03-02) de l'usage de ses données pour l'évaluation"
expect 3 "Jamais informé"
expect 4 "Information du patient"
expect 5 "Informé le 2026-03-02"
expect 5 "Patient $P : informé le 2026-03-02."
expect 6 "Opposition du patient"
expect 6 "ne seront plus exportées"
expect 7 "Informé le 2026-03-02 · opposé le 2026-03-02 (par $me) : non exporté (f, o)"
expect 8 "s'est opposé le 2026-03-02. Retirer son"
expect 9 "opposé le 2026-03-02 (par $me)"

log=$("$RECUEIL" log)
printf '%s\n' "$log" | grep -qF "patient $P information du patient sur l'usage de ses données, le 2026-03-02" ||
	fail "information attendue au journal : $log"
printf '%s\n' "$log" | grep -qF "patient $P opposition du patient à l'usage de ses données pour l'évaluation, le 2026-03-02" ||
	fail "opposition attendue au journal : $log"
"$RECUEIL" export --period 2026-T1 --out "$T/t1.zip" --no-encrypt >/dev/null 2>&1 || fail "export après l'opposition"
need unzip
unzip -l "$T/t1.zip" | grep -qF contact.csv || fail "contact.csv attendu dans l'export"
unzip -p "$T/t1.zip" patient.csv contact.csv | grep -qF "$P" && fail "le patient opposé est dans l'export"

exit 0
