#!/bin/sh
# A database file recueil must not use: not SQLite at all, another application's SQLite file, a
# database from a newer recueil, a read-only file, a read-only directory (no room for -wal and
# -shm), a read-only file system. Each command gives one French line naming the file and what
# to do, the sysexits code of « recueil --help », and leaves the file as it was.
. "$TESTS/cli/lib.sh"

$RECUEIL init --structure ERR01 >/dev/null
P=$($RECUEIL patient add sexe=F annee_naissance=1980)

one_line() { [ "$(printf '%s\n' "$1" | wc -l)" -eq 1 ]; }
# sums DB: the file and its WAL when it has one (SQLite may add an empty -wal and an -shm index
# when it reads a WAL-mode file; what they hold must not change).
sums() {
	cksum "$1"
	[ ! -s "$1-wal" ] || cksum "$1-wal"
}
# refused DESC CODE PART DB [RUNNER…]: reading, writing and checking DB all exit with CODE and
# one line naming DB and holding PART; DB is unchanged.
refused() {
	desc=$1 code=$2 part=$3 db=$4
	shift 4
	before=$(sums "$db")
	for cmd in "patient list" "entry add $P contact intervenant=medecin type_contact=cabinet statut=realise" "check"; do
		# shellcheck disable=SC2086
		run_as "$@" -- --db "$db" $cmd
		expect_rc "$desc ($cmd) : code" "$code"
		expect_true "$desc ($cmd) : une seule ligne" one_line "$err"
		expect_contains "$desc ($cmd) : le fichier est nommé" "$err" "recueil: $db : "
		expect_contains "$desc ($cmd) : ce qui se passe" "$err" "$part"
		expect_eq "$desc ($cmd) : rien sur la sortie" "$out" ""
	done
	expect_eq "$desc : fichier inchangé" "$(sums "$db")" "$before"
}
# run_as [RUNNER…] -- ARGS…: run recueil with ARGS under RUNNER (e.g. another user).
run_as() {
	n=0
	for a in "$@"; do
		[ "$a" = -- ] && break
		n=$((n + 1))
	done
	runner=
	i=0
	while [ $i -lt $n ]; do
		runner="$runner $1"
		shift
		i=$((i + 1))
	done
	shift
	$runner "$RECUEIL" "$@" >"$tmp/.out" 2>"$tmp/.err"
	rc=$?
	out=$(cat "$tmp/.out")
	err=$(cat "$tmp/.err")
	case "$err" in *Sanitizer* | *"runtime error:"*) fail "rapport de sanitizer" "$err" ;; esac
}

printf 'Compte rendu de réunion\nnon, ce n est pas une base\n' >"$tmp/notes.txt"
refused "fichier texte" 65 "n'est pas une base SQLite, donc pas une base recueil : vérifier le chemin" "$tmp/notes.txt"
head -c 8192 /dev/urandom >"$tmp/random.db"
refused "octets au hasard" 65 "n'est pas une base SQLite" "$tmp/random.db"

if have_sqlite3; then
	sqlite3 "$tmp/other.db" "PRAGMA application_id=1179076932; PRAGMA journal_mode=WAL; CREATE TABLE notes(x); INSERT INTO notes VALUES ('à garder')" >/dev/null
	refused "SQLite d'une autre application" 65 "base SQLite d'une autre application (application_id 1179076932), pas une base recueil" "$tmp/other.db"
	sqlite3 "$tmp/plain.db" "CREATE TABLE t(x); INSERT INTO t VALUES (1)"
	refused "SQLite sans application_id" 65 "d'une autre application" "$tmp/plain.db"
	for f in "$RECUEIL_DB" "$RECUEIL_DB-wal"; do [ ! -e "$f" ] || cp "$f" "$tmp/newer.db${f#"$RECUEIL_DB"}"; done
	sqlite3 "$tmp/newer.db" "PRAGMA user_version=99"
	refused "base d'une version plus récente" 65 "version plus récente de recueil (schéma 99, ce programme connaît" "$tmp/newer.db"
	expect_contains "version plus récente : que faire" "$err" "mettre recueil à jour"
else
	skip "sqlite3 absent : bases d'une autre application ou d'une version plus récente"
fi

# Read-only file and directory. Root ignores file modes: run as an unprivileged user then.
if [ "$(id -u)" -eq 0 ]; then
	if command -v setpriv >/dev/null; then
		as="setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=$tmp"
		owner=65534
	else
		as=
	fi
else
	as=env
	owner=$(id -u)
fi
if [ -n "$as" ] && have_sqlite3; then
	chmod 755 "$tmp"
	me=$($as id -un)
	[ "$me" = "$(id -un)" ] || $RECUEIL user add "$me" --role saisie >/dev/null
	for d in rofile rodir; do
		mkdir "$tmp/$d"
		sqlite3 "$RECUEIL_DB" "VACUUM INTO '$tmp/$d/recueil.db'"
		sqlite3 "$tmp/$d/recueil.db" "PRAGMA journal_mode=WAL" >/dev/null
		chown "$owner" "$tmp/$d/recueil.db"
	done
	chmod 777 "$tmp/rofile" && chmod 444 "$tmp/rofile/recueil.db"
	refused "base en lecture seule" 77 "base en lecture seule pour cet utilisateur (droits 444) : demander à l'administrateur" "$tmp/rofile/recueil.db" $as
	expect_eq "base en lecture seule : rien créé à côté" "$(ls "$tmp/rofile")" "recueil.db"
	chmod 555 "$tmp/rodir" && chmod 600 "$tmp/rodir/recueil.db"
	refused "dossier en lecture seule" 77 "le dossier $tmp/rodir est en lecture seule pour cet utilisateur : SQLite doit pouvoir y créer les fichiers -wal et -shm" "$tmp/rodir/recueil.db" $as
	expect_eq "dossier en lecture seule : rien créé" "$(ls "$tmp/rodir")" "recueil.db"
	# and once allowed, the same files work
	chmod 644 "$tmp/rofile/recueil.db"
	run_as $as -- --db "$tmp/rofile/recueil.db" patient list
	expect_rc "la même base, rendue accessible en écriture, s'ouvre" 0
else
	skip "lecture seule (ni utilisateur sans privilège ni sqlite3)"
fi

# A read-only file system (root only: a tmpfs remounted read-only).
if [ "$(id -u)" -eq 0 ] && have_sqlite3 && mkdir "$tmp/rofs" && mount -t tmpfs -o size=4m tmpfs "$tmp/rofs" 2>/dev/null; then
	sqlite3 "$RECUEIL_DB" "VACUUM INTO '$tmp/rofs/recueil.db'"
	sqlite3 "$tmp/rofs/recueil.db" "PRAGMA journal_mode=WAL" >/dev/null
	if mount -o remount,ro "$tmp/rofs"; then
		refused "disque en lecture seule" 77 "la base est sur un disque monté en lecture seule" "$tmp/rofs/recueil.db"
	else
		skip "système de fichiers en lecture seule (remontage refusé)"
	fi
	umount "$tmp/rofs"
else
	skip "système de fichiers en lecture seule (root et mount nécessaires)"
fi

# An empty file is not refused as foreign: it says how to create the base.
: >"$tmp/empty.db"
run --db "$tmp/empty.db" check
expect_rc "fichier vide : code" 66
expect_contains "fichier vide : que faire" "$err" "recueil init --structure CODE"

finish
