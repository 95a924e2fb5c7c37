# The period prompt the export and the report share: with no deadline in reporting.yaml it opens
# at once and says so; a wrong period is said in the prompt, under the screen's own question, with
# what was typed kept to be corrected; a right one is taken; F11 offers the period shown, and Esc
# keeps it.
. "$TESTS/ui/lib.sh"
cp -r "$SRC/forms" "$T/forms"
awk '/^deadlines:/ { print "deadlines: []"; skip = 1; next } skip && /^  - / { next } { skip = 0; print }' \
	"$SRC/forms/reporting.yaml" >"$T/forms/reporting.yaml"
export RECUEIL_FORMS="$T/forms"
"$RECUEIL" forms check >/dev/null || fail "calendrier sans échéance refusé"
init_db
"$RECUEIL" user add coord --role coordination >/dev/null

for screen_key in "e:Période à exporter:Période : 2026-T1 (du 2026-01-01 au 2026-03-31)" \
	"r:Période du rapport:Période 2026-T1 (du 2026-01-01 au 2026-03-31)"; do
	key=${screen_key%%:*}
	rest=${screen_key#*:}
	question=${rest%%:*}
	shown=${rest#*:}
	rm -f "$T/screens"
	printf '%s<Dump>2026-T9<Enter><Dump><BS>1<Enter><Dump><F11><Dump><C-u>2026<Esc><Dump><F10>' "$key" >"$T/keys"
	RECUEIL_AS_USER=coord tui "$T/keys"
	expect 1 "reporting.yaml ne donne aucune échéance : choisir la période."
	expect 1 "$question : 2026, 2026-S1, 2026-T3, 2026-11 ou"
	expect 2 "période « 2026-T9 » invalide"
	expect 2 "$question : 2026, 2026-S1, 2026-T3, 2026-11 ou"
	screen 2 | grep -q " 2026-T9$" || { screen 2 >&2; fail "$key : « 2026-T9 » gardé dans la saisie"; }
	expect 3 "$shown"
	expect_not 3 "invalide"
	screen 4 | grep -q " 2026-T1$" || { screen 4 >&2; fail "$key : F11 propose la période affichée"; }
	expect 5 "$shown"
done
