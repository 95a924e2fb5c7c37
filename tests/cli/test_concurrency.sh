#!/bin/sh
# Several people on one file: two writers saving entries, a reader listing them and the
# coordinator exporting, all at the same time; nobody sees "database is locked", every acknowledged save is there, and the file is
# whole afterwards.
. "$TESTS/cli/lib.sh"

$RECUEIL init --structure CONC01 >/dev/null
$RECUEIL user add worker2 --role saisie >/dev/null
P=$($RECUEIL patient add sexe=F annee_naissance=1985)
n=40

writer() { # $1: login, $2: output file of acknowledged ids
	i=0
	while [ $i -lt $n ]; do
		RECUEIL_AS_USER=$1 $RECUEIL entry add "$P" contact intervenant=psychologue type_contact=cabinet \
			duree_min=$((10 + i)) statut=realise >>"$2" 2>>"$tmp/errors" || echo "exit $?" >>"$tmp/errors"
		i=$((i + 1))
	done
}

reader() {
	i=0
	while [ $i -lt $n ]; do
		$RECUEIL entry list "$P" >/dev/null 2>>"$tmp/errors" || echo "reader exit $?" >>"$tmp/errors"
		i=$((i + 1))
	done
}

(umask 077 && echo "phrase de passe du test de concurrence" >"$tmp/pass")
exporter() {
	i=0
	while [ $i -lt 4 ]; do
		$RECUEIL export --period 2026 --out "$tmp/export$i.zip" --passphrase-file "$tmp/pass" \
			--accept-issues "test de concurrence" >/dev/null 2>>"$tmp/export-errors" ||
			echo "export exit $?" >>"$tmp/errors"
		i=$((i + 1))
	done
}

writer "$(id -un)" "$tmp/ids1" &
w1=$!
RECUEIL_AS_USER=worker2 writer worker2 "$tmp/ids2" &
w2=$!
reader &
r=$!
exporter &
x=$!
wait $w1 $w2 $r $x

touch "$tmp/errors"
expect_eq "no error reached any user" "$(cat "$tmp/errors")" ""
expect_eq "the four exports written during the saves are there" "$(ls "$tmp"/export*.zip | wc -l)" 4
$RECUEIL verify "$tmp/export3.zip" --passphrase-file "$tmp/pass" >/dev/null
expect_eq "an export made during the saves verifies" "$?" 0
expect_eq "every save of the first writer was acknowledged" "$(wc -l <"$tmp/ids1")" "$n"
expect_eq "every save of the second writer was acknowledged" "$(wc -l <"$tmp/ids2")" "$n"
listed=$($RECUEIL entry list "$P" | grep -c contact)
expect_eq "every acknowledged save is in the database" "$listed" "$((2 * n))"
missing=0
for id in $(cat "$tmp/ids1" "$tmp/ids2"); do
	$RECUEIL entry show "$id" >/dev/null 2>&1 || missing=$((missing + 1))
done
expect_eq "each acknowledged id can be read back" "$missing" 0
$RECUEIL check >/dev/null
expect_eq "recueil check finds the file whole" "$?" 0

finish
