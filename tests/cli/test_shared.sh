#!/bin/sh
# Shared deployment with real Unix users: a group-owned setgid directory, a 0660 database whose
# -wal and -shm files get the same group and mode, a second user of the group who saves
# entries, and a user outside the group who gets a clear message. Needs root (to create the
# users); otherwise it exits 77, which CTest reports as skipped.
. "$TESTS/cli/lib.sh"

if [ "$(id -u)" -ne 0 ] || ! command -v useradd >/dev/null || ! command -v runuser >/dev/null; then
	echo "non exécuté : il faut être root (useradd, runuser) pour créer les utilisateurs du test" >&2
	exit 77
fi

suffix=$$
grp="rcl_g$suffix"
alice="rcl_a$suffix"
bob="rcl_b$suffix"
carol="rcl_c$suffix"
cleanup() {
	for u in "$alice" "$bob" "$carol"; do userdel "$u" 2>/dev/null; done
	groupdel "$grp" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
groupadd "$grp"
for u in "$alice" "$bob"; do useradd -M -N -g "$grp" -s /bin/sh "$u"; done
useradd -M -N -s /bin/sh "$carol"

# The program and the forms must be readable by the test users.
bin="$tmp/bin"
mkdir -p "$bin"
cp "$RECUEIL" "$bin/recueil"
cp -r "$SRC/forms" "$tmp/forms"
chmod -R a+rX "$tmp/bin" "$tmp/forms"
chmod 755 "$tmp"
shared="$tmp/shared"
db="$shared/recueil.db"

as() {
	who=$1
	shift
	runuser -u "$who" -- env -u RECUEIL_AS_USER RECUEIL_TODAY=2026-11-22 RECUEIL_FORMS="$tmp/forms" \
		RECUEIL_DB="$db" HOME="$tmp" "$bin/recueil" "$@"
}

# What the README says an administrator runs: the directory is created with the group.
mkdir "$shared" && chgrp "$grp" "$shared" && chmod 2770 "$shared"
out=$(as "$alice" init --structure PARTAGE --shared "$grp")
expect_eq "init --shared succeeds" "$?" 0
expect_contains "init says the base is shared" "$out" "Base partagée créée"
expect_eq "the database is 0660 and belongs to the group" "$(stat -c '%a %G' "$db")" "660 $grp"
expect_eq "the directory stays setgid 2770" "$(stat -c '%a %G' "$shared")" "2770 $grp"

as "$alice" user add "$bob" --role saisie >/dev/null
P=$(as "$bob" patient add sexe=M annee_naissance=1970)
expect_eq "a second user of the group saves a patient" "$?" 0
E=$(as "$bob" entry add "$P" contact intervenant=medecin type_contact=cabinet duree_min=20 statut=realise)
expect_eq "the second user saves an entry" "$?" 0

# While a reader of the group holds the database open, -wal and -shm exist: they must have
# the group and mode of the database, or the next user could not open it.
if command -v sqlite3 >/dev/null; then
	# The reader reads, then waits on a FIFO: opening its other end returns once the reader is
	# there with the database open, and closing it lets the reader go (no sleeps: a loaded
	# machine may take seconds to start a process).
	hold="$tmp/hold"
	mkfifo -m 0666 "$hold"
	printf 'SELECT count(*) FROM entries;\n.shell cat %s\n' "$hold" |
		runuser -u "$bob" -- sqlite3 "$db" >/dev/null 2>&1 &
	reader=$!
	exec 3>"$hold"
	as "$alice" entry edit "$E" duree_min=25 >/dev/null
	for f in "$db-wal" "$db-shm"; do
		expect_eq "$(basename "$f") has the group and mode of the database" "$(stat -c '%a %G' "$f" 2>&1)" "660 $grp"
	done
	exec 3>&-
	wait "$reader"
else
	skip "sqlite3 absent : groupe et droits des fichiers -wal et -shm"
fi
expect_eq "the first user reads what the second saved" "$(as "$alice" entry show "$E" | grep statut)" "statut=realise"

err=$(as "$carol" patient list 2>&1 >/dev/null)
rc=$?
expect_eq "a user outside the group is refused with exit 77" "$rc" 77
expect_contains "and is told why, not 'unable to open database file'" "$err" "groupe"

err=$(as "$alice" user add "$carol" --role saisie 2>&1 >/dev/null; as "$carol" patient list 2>&1 >/dev/null)
expect_contains "registration alone does not open the file to a user outside the group" "$err" "groupe"

finish
