# The self-assessment (a form marked self: true, handed to the patient from the patient file):
# whatever key the patient presses — every function key, Esc, every Ctrl key — no screen dumped
# shows anything but the questionnaire: never the home screen, the patient list, a name, a
# pseudonym nor the professional's login. Each answer is kept as a draft marked as the patient's,
# which Ctrl-C and a hang-up keep; a wrong login keeps the mode (three times, and says so); the
# professional finds the answers in the form screen ("rempli par le patient le …") and validates
# them: the entry records that the patient filled it (entry show, the audit trail). The login
# typed back opens the form screen at once.
. "$TESTS/ui/lib.sh"
export RECUEIL_AS_USER=martine HOME="$T"
init_db
pseudo=$("$RECUEIL" patient add sexe=F annee_naissance=1970 nom=Dupont prenom=Léa date_inclusion=2026-01-05)
other=$("$RECUEIL" patient add sexe=M annee_naissance=1981 nom=Martin prenom=Paul date_inclusion=2026-01-06)

# The patient's file, then AUDIT handed to the patient; then every key a patient could press, a
# screen dumped after each. Those that call the professional (Esc, F9, F10, ^X) open the login
# prompt, closed again by Esc.
{
	printf 'p<Dump>Dup<Enter><Dump>c<Dump>1<Dump>\n'
	for n in 1 2 3 4 5 6 7 8 9 10 11 12; do
		printf '<F%s><Dump>' "$n"
		case $n in 9 | 10) printf '<Esc>' ;; esac
	done
	printf '\n<Esc><Dump><Esc>\n'
	for c in a b c d e f g h i j k l m n o p q r s t u v w x y z; do
		printf '<C-%s><Dump>' "$c"
		[ "$c" = x ] && printf '<Esc>'
	done
	printf '\n<Tab><Dump><BTab><Dump><PgUp><Dump><PgDn><Dump><Home><Dump><End><Dump><Del><Dump>'
	printf '<Up><Dump><Down><Dump><Right><Dump><Left><Dump><BS><Dump>q<Dump>?<Dump>n<Dump>i<Dump>9<Dump>\n'
	# The answers: 4 times a week or more, then 0 to items 2 to 8, "yes, in the last year" to 9.
	printf '5<Dump>1111111<Dump>3<Dump>1<Dump>\n'
	# Wrong logins, Ctrl-C, then the terminal hangs up.
	printf '<Enter><Dump>bob<Enter><Dump>root<Enter><Dump>Martine<Enter><Dump><C-c><Dump><Hangup>'
} >"$T/keys1"
rc=0
tui "$T/keys1" || rc=$?
[ $rc -eq 129 ] || fail "arrêt par SIGHUP attendu (code 129), obtenu $rc"
n=$(grep -c '^--- écran ' "$T/screens")
[ "$n" -ge 60 ] || fail "$n écrans seulement"
expect 1 "recueil — patients"
expect 2 "Patient $pseudo"
expect 3 "Auto-questionnaire : quel questionnaire"
# From the first question to the last screen (the end of input included), only the questionnaire.
i=4
while [ "$i" -le "$n" ]; do
	expect "$i" "Questionnaire : AUDIT"
	for word in "recueil —" "$pseudo" "$other" Dupont Léa Martin Paul martine Patients Brouillons \
		dossier Alertes Accueil Aide; do
		expect_not "$i" "$word"
	done
	i=$((i + 1))
done
expect 4 "Question 1 sur 10"
expect 4 "À quelle fréquence buvez-vous de l'alcool ?"
expect 4 "1  Jamais"
# answered: 10 questions, then the closing screen; the answer kept is marked when one comes back
expect $((n - 9)) "Question 2 sur 10"
expect $((n - 9)) "1 ou 2 verres"
expect $((n - 8)) "Question 9 sur 10"
expect $((n - 7)) "Question 10 sur 10"
expect $((n - 6)) "Merci, rendez l'écran au professionnel."
expect $((n - 5)) "Réservé au professionnel"
expect $((n - 4)) "Identifiant refusé (essai 1 sur 3)"
expect $((n - 3)) "Identifiant refusé (essai 2 sur 3)"
expect $((n - 2)) "Identifiant refusé trois fois : le questionnaire reste ouvert."
expect $((n - 2)) "Merci, rendez l'écran au professionnel."
expect $((n - 1)) "Merci, rendez l'écran au professionnel."
expect "$n" "Merci, rendez l'écran au professionnel."
# three refusals are in the audit trail
"$RECUEIL" log | grep -q "REFUSÉ.*auto-questionnaire : trois identifiants refusés" ||
	fail "le refus de sortie attendu dans le journal"

# The professional's next start: the draft is offered; it opens saying the patient filled it,
# with the answers; F2 validates it.
rm -f "$T/screens"
printf '<Dump><Enter><Dump><F2><Dump><F10>' >"$T/keys2"
tui "$T/keys2"
expect 1 "AUDIT"
expect 1 "$pseudo"
expect 1 "rempli par le patient : AUDIT"
expect 2 "Rempli par le patient le 2026-03-02 à 10:00 : relire, compléter, F2 valide."
expect 2 "4 fois ou plus par semaine"
expect 3 "enregistrée (complète)"
entry=$("$RECUEIL" entry list "$pseudo" | awk -F '\t' '$3 == "audit" {print $1}')
[ -n "$entry" ] || fail "entrée AUDIT attendue"
"$RECUEIL" entry show "$entry" >"$T/show"
grep -qx 'q1=4' "$T/show" || fail "q1=4 attendu"
grep -qx 'q9=4' "$T/show" || fail "q9=4 attendu"
grep -qx 'total=8' "$T/show" || fail "total=8 attendu"
grep -qx '# rempli par le patient le 2026-03-02T10:00:00Z' "$T/show" || {
	cat "$T/show" >&2
	fail "entry show : « rempli par le patient » attendu"
}
"$RECUEIL" log | grep -q "audit ${entry%"${entry#????????}"}.*rempli_par_le_patient : (vide) → 2026-03-02T10:00:00Z" ||
	fail "le journal doit dire que le patient a rempli l'entrée"

# The login typed back opens the answers at once, in the form screen; PHQ-9 and GAD-7 are asked
# one after the other under their instruction.
rm -f "$T/screens"
printf 'pDup<Enter>c2<Dump>0<Dump>2<Dump><Esc>martine<Enter><Dump><Esc>g<F10>' >"$T/keys3"
tui "$T/keys3"
expect 1 "Question 1 sur 16"
expect 1 "Au cours des deux dernières semaines, à quelle fréquence avez-vous été"
expect 1 "Peu d'intérêt ou de plaisir à faire les choses"
# 0: the patient may decline a question; it is kept as a refusal, not a value
expect 1 "0  Je préfère ne pas répondre"
expect 2 "Question 2 sur 16"
expect 3 "Question 3 sur 16"
expect 4 "Santé mentale — PHQ-9 et GAD-7 — $pseudo"
expect 4 "Rempli par le patient le 2026-03-02 à 10:00"
expect 4 "refus de répondre"
expect 4 "Plusieurs jours"
echo "auto-questionnaire : $n écrans sans sortie du mode, brouillon validé"
