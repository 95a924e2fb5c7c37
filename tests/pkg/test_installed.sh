#!/bin/sh
# tests/pkg/test_installed.sh DEB — the package installed as a practice installs it, tried by its
# own users as a careful attacker among them would.
#
# As root on a machine without recueil: installs DEB with apt-get, then with three real Unix
# users (an administrator, a saisie and a coordination, none of them in the group recueil)
# checks that the installation is what the README says; that none of them can open the shared
# database with sqlite3 nor reach it with --db; that RECUEIL_AS_USER and the other test seams
# change nothing; that the coordination sees no identity in any command nor on any screen of the
# interface (tmux), with the installed forms and with a copy whose identifier flags are removed;
# that the nightly backup runs; that the .db file alone is current after everyone left; and that
# `apt-get remove recueil` leaves the data. Removes what it made (package, users, group,
# /var/lib/recueil) at the end. Exits 77 when it cannot run (not root, no apt-get or runuser,
# recueil already installed: a real installation is never touched).
# shellcheck disable=SC2016
set -u
deb=${1:?usage: tests/pkg/test_installed.sh recueil_VERSION_ARCH.deb}
case "$deb" in /*) ;; *) deb="$(pwd)/$deb" ;; esac
SRC=$(cd "$(dirname "$0")/../.." && pwd)
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null || ! command -v runuser >/dev/null ||
	! command -v useradd >/dev/null; then
	echo "ignoré : il faut être root avec apt-get, runuser et useradd"
	exit 77
fi
if dpkg-query -W -f='${Status}' recueil 2>/dev/null | grep -q installed || [ -e /var/lib/recueil ] ||
	getent group recueil >/dev/null; then
	echo "ignoré : recueil est déjà installé sur cette machine (ou /var/lib/recueil existe) : pas touché"
	exit 77
fi

RECUEIL=/usr/bin/recueil TESTS="$SRC/tests"
export RECUEIL SRC TESTS
# shellcheck source=../cli/lib.sh
. "$SRC/tests/cli/lib.sh"
unset RECUEIL_DB RECUEIL_TODAY # the shared database; the installed program has no clock seam

suffix=$$
admin="rcl_adm$suffix" saisie="rcl_sai$suffix" coord="rcl_coo$suffix"
tmux_sock="recueil-pkg-$suffix"
cleanup() {
	for u in "$admin" "$saisie" "$coord"; do
		runuser -u "$u" -- tmux -L "$tmux_sock" kill-server 2>/dev/null
		pkill -u "$u" 2>/dev/null
		userdel "$u" 2>/dev/null
	done
	DEBIAN_FRONTEND=noninteractive apt-get purge -y -q recueil >/dev/null 2>&1
	rm -rf /var/lib/recueil
	groupdel recueil 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
chmod 755 "$tmp"
for u in "$admin" "$saisie" "$coord"; do
	useradd -M -N -s /bin/sh "$u"
	mkdir -p "$tmp/home/$u"
	chown "$u" "$tmp/home/$u"
done
chmod 755 "$tmp/home"

# as USER ARGS…: the installed program run by USER, its output in $rc, $out, $err.
as() {
	who=$1
	shift
	runuser -u "$who" -- env HOME="$tmp/home/$who" LANG=C.UTF-8 "$RECUEIL" "$@" \
		>"$tmp/.out" 2>"$tmp/.err" </dev/null
	rc=$?
	out=$(cat "$tmp/.out")
	err=$(cat "$tmp/.err")
}
# as_env USER VAR=VALUE… -- ARGS…: the same with more environment.
as_env() {
	who=$1
	shift
	vars=""
	while [ "$1" != -- ]; do
		vars="$vars $1"
		shift
	done
	shift
	# shellcheck disable=SC2086
	runuser -u "$who" -- env HOME="$tmp/home/$who" LANG=C.UTF-8 $vars "$RECUEIL" "$@" \
		>"$tmp/.out" 2>"$tmp/.err" </dev/null
	rc=$?
	out=$(cat "$tmp/.out")
	err=$(cat "$tmp/.err")
}
identity="Quenouillard|Léonie|06 12 34 56 78|Garnier|Marcel"
# no_identity DESC TEXT: TEXT shows none of the identity of the test patient.
no_identity() {
	if printf '%s\n' "$2" | grep -qE "$identity"; then
		fail "$1" "$2"
	else
		pass
	fi
}

# ------------------------------------------------------------------ installation
DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$deb" >"$tmp/apt.log" 2>&1
expect_eq "apt-get install of the package" "$?" 0
expect_eq "the program is setgid recueil" "$(stat -c '%a %U %G' "$RECUEIL")" "2755 root recueil"
expect_eq "the shared directory: root:recueil 2770" "$(stat -c '%a %U %G' /var/lib/recueil)" "2770 root recueil"
expect_eq "the backups' directory too" "$(stat -c '%a %U %G' /var/lib/recueil/sauvegardes)" "2770 root recueil"
expect_true "the forms are installed" test -f /usr/share/recueil/forms/patient.yaml
expect_true "the man page" test -f /usr/share/man/man1/recueil.1.gz
expect_true "the English translation" test -f /usr/share/locale/en/LC_MESSAGES/recueil.mo
expect_true "the backup timer is enabled" test -L /etc/systemd/system/timers.target.wants/recueil-backup.timer
for u in "$admin" "$saisie" "$coord"; do
	id -nG "$u" | grep -qw recueil && fail "$u must not be in the group recueil" || pass
done
if command -v systemd-analyze >/dev/null; then
	systemd-analyze verify /lib/systemd/system/recueil-backup.timer /lib/systemd/system/recueil-backup.service \
		>"$tmp/verify" 2>&1
	expect_eq "the installed units pass systemd-analyze verify" "$?:$(cat "$tmp/verify")" "0:"
fi

# The program users run ignores every test seam (the same script as for build/recueil).
RECUEIL_SHIPPED=$RECUEIL RECUEIL="${RECUEIL_TEST_BINARY:-$SRC/build/recueil-test}" \
	sh "$SRC/tests/cli/test_no_seams.sh" >"$tmp/seams.log" 2>&1
seams=$?
[ "$seams" -eq 0 ] && pass || fail "the installed program honours a test seam (tests/cli/test_no_seams.sh)" \
	"$(cat "$tmp/seams.log")"

# ------------------------------------------------------------------ the shared database
as "$admin" init --shared --structure PKG-01
expect_rc "a user may not create the shared database (they would make themselves its admin)" 77
expect_contains "and is told who does" "$err" "sudo recueil init --shared"
out=$(env SUDO_USER="$admin" "$RECUEIL" init --shared --structure PKG-01 --name "Microstructure du paquet" 2>&1)
expect_eq "root creates it (sudo recueil init --shared)" "$?" 0
expect_contains "the one who ran sudo is its admin" "$out" "Administrateur : $admin"
expect_eq "the database: 0660, group recueil" "$(stat -c '%a %G' /var/lib/recueil/recueil.db)" "660 recueil"
as "$admin" user add "$saisie" --role saisie
expect_rc "the admin adds the saisie" 0
as "$admin" user add "$coord" --role coordination
expect_rc "the admin adds the coordination" 0

as "$saisie" patient add sexe=F annee_naissance=1970 nom=Quenouillard prenom=Léonie \
	"telephone=06 12 34 56 78" "notes=Suivie par le Dr Garnier"
expect_rc "the saisie creates a patient" 0
P=$out
as "$saisie" entry add "$P" contact intervenant=psychologue type_contact=cabinet statut=realise duree_min=45 \
	"notes=Parle de son frère Marcel"
expect_rc "and a contact" 0
for year in 1961 1983; do
	as "$saisie" patient add sexe=M annee_naissance=$year >/dev/null
done

# Nobody reaches the file but through the program.
for u in "$admin" "$saisie" "$coord"; do
	runuser -u "$u" -- sqlite3 /var/lib/recueil/recueil.db "SELECT * FROM users" >"$tmp/.out" 2>&1
	got=$?
	[ "$got" -ne 0 ] && pass || fail "$u opens the database with sqlite3" "$(cat "$tmp/.out")"
	runuser -u "$u" -- sqlite3 /var/lib/recueil/recueil.db "UPDATE users SET role='admin'" >/dev/null 2>&1 &&
		fail "$u changes a role with sqlite3" || pass
	runuser -u "$u" -- cat /var/lib/recueil/recueil.db >/dev/null 2>&1 && fail "$u reads the file" || pass
done
ln -s /var/lib/recueil/recueil.db "$tmp/home/$coord/lien.db"
as "$coord" --db "$tmp/home/$coord/lien.db" entry list "$P"
expect_rc "another path to the shared database gives up the group: refused" 77
as "$coord" --db /var/lib/recueil/recueil.db --forms /usr/share/recueil/forms patient list
expect_rc "--forms is refused for the shared database" 77
expect_contains "with a message that says why" "$err" "--forms refusé pour la base partagée"

# RECUEIL_AS_USER, the attack of the issue: the saisie makes itself admin in the admin's name.
as_env "$saisie" RECUEIL_AS_USER="$admin" RECUEIL_NOW=garbage -- user add "$saisie" --role admin
expect_rc "RECUEIL_AS_USER does not make the saisie an admin" 77
as "$admin" user list
expect_contains "the saisie is still saisie" "$out" "$saisie	saisie"
as "$admin" log
expect_contains "the refusal is the saisie's in the audit trail" "$out" "$saisie  REFUSÉ « user add »"
expect_lacks "and no line is dated RECUEIL_NOW" "$out" "garbage"

# ------------------------------------------------------------------ coordination: commands
cp -r /usr/share/recueil/forms "$tmp/forms-trafiques"
sed -i -e '/identifier: true/d' -e '/export: false/d' "$tmp/forms-trafiques"/*.yaml
chmod -R a+rX "$tmp/forms-trafiques"
PE=""
for forms in installed tampered; do
	env=""
	[ "$forms" = tampered ] && env="RECUEIL_FORMS=$tmp/forms-trafiques"
	as_env "$coord" $env -- patient list
	expect_contains "coordination ($forms forms): patient list" "$out" "$P"
	no_identity "coordination ($forms forms): no name in patient list" "$out"
	as_env "$coord" $env -- patient list --search Quenouillard
	expect_lacks "coordination ($forms forms): no search by name" "$out" "$P"
	as_env "$coord" $env -- entry list "$P"
	no_identity "coordination ($forms forms): entry list" "$out"
	[ -n "$PE" ] || PE=$(printf '%s\n' "$out" | awk -F '\t' '$3 == "patient" { print $1 }')
	CE=$(printf '%s\n' "$out" | awk -F '\t' '$3 == "contact" { print $1 }')
	as_env "$coord" $env -- entry show "$PE"
	expect_contains "coordination ($forms forms): the name is masked" "$out" "nom=(masqué)"
	no_identity "coordination ($forms forms): entry show of the inclusion" "$out"
	as_env "$coord" $env -- entry show "$CE"
	no_identity "coordination ($forms forms): entry show of the contact" "$out"
	as_env "$coord" $env -- log
	no_identity "coordination ($forms forms): log" "$out"
	as_env "$coord" $env -- report --period 2026
	no_identity "coordination ($forms forms): report" "$out"
	as_env "$coord" $env -- alert list --all
	no_identity "coordination ($forms forms): alert list" "$out"
	as_env "$coord" $env -- export --period 2026 --out "$tmp/home/$coord/$forms.zip" --no-encrypt \
		--accept-issues "test"
	expect_rc "coordination ($forms forms): export" 0
	if command -v unzip >/dev/null; then
		all=$(unzip -p "$tmp/home/$coord/$forms.zip")
		expect_contains "coordination ($forms forms): the export holds the patient" "$all" "$P"
		no_identity "coordination ($forms forms): no identity in the export" "$all"
	fi
done
as "$saisie" entry show "$PE"
expect_contains "the saisie sees the name (the commands above were the right ones)" "$out" "nom=Quenouillard"

# ------------------------------------------------------------------ coordination: screens
# tmux_as USER ARGS…: tmux of USER on a private server.
tmux_as() {
	who=$1
	shift
	runuser -u "$who" -- tmux -L "$tmux_sock" "$@"
}
# wait_for USER TEXT: until the pane of USER shows TEXT (20 s at most).
wait_for() {
	i=0
	while ! tmux_as "$1" capture-pane -p -t t | grep -qF -- "$2"; do
		i=$((i + 1))
		if [ $i -gt 400 ]; then
			fail "tmux ($1) : « $2 » jamais affiché" "$(tmux_as "$1" capture-pane -p -t t)"
			return 1
		fi
		sleep 0.05
	done
}
# screens USER ENV: walk the screens that show a patient, appending each to $tmp/screens.
screens() {
	who=$1
	tmux_as "$who" new-session -d -s t -x 80 -y 24 \
		"env HOME=$tmp/home/$who LANG=C.UTF-8 TERM=xterm $2 $RECUEIL; sleep 60"
	wait_for "$who" "Patients suivis" || return
	# The interface holds the database open: its -wal and -shm files are there.
	for f in /var/lib/recueil/recueil.db-wal /var/lib/recueil/recueil.db-shm; do
		expect_eq "$(basename "$f") is the group's, 0660, while $who works" "$(stat -c '%a %G' "$f" 2>&1)" \
			"660 recueil"
	done
	step() {
		tmux_as "$who" send-keys -t t "$@"
	}
	grab() {
		wait_for "$who" "$1" && tmux_as "$who" capture-pane -p -t t >>"$tmp/screens"
	}
	grab "Patients suivis"
	step p
	grab "$P"
	step D u p
	grab ": Dup"
	step BSpace BSpace BSpace
	step Escape
	wait_for "$who" "Patients suivis"
	step p
	wait_for "$who" "$P"
	step -l "$P"
	step Enter
	grab "Patient $P"
	# its two entries, the contact and the inclusion (the same day: in either order)
	step Enter
	grab "Section "
	step Escape
	wait_for "$who" "Patient $P"
	step Down Enter
	grab "Section "
	step Escape
	wait_for "$who" "Patient $P"
	step Escape Escape
	wait_for "$who" "Patients suivis"
	step F10
	tmux_as "$who" kill-server 2>/dev/null
}
if command -v tmux >/dev/null; then
	for forms in installed tampered; do
		env=""
		[ "$forms" = tampered ] && env="RECUEIL_FORMS=$tmp/forms-trafiques"
		rm -f "$tmp/screens"
		screens "$coord" "$env"
		expect_contains "coordination ($forms forms): the inclusion entry was shown" \
			"$(cat "$tmp/screens" 2>/dev/null)" "Données administratives"
		expect_contains "coordination ($forms forms): and the contact" "$(cat "$tmp/screens" 2>/dev/null)" \
			"Psychologue"
		no_identity "coordination ($forms forms): no identity on any screen" "$(cat "$tmp/screens" 2>/dev/null)"
	done
	rm -f "$tmp/screens"
	screens "$saisie" ""
	expect_contains "the saisie sees the name on the same screens" "$(cat "$tmp/screens")" "Quenouillard"
	expect_contains "and the contact's notes" "$(cat "$tmp/screens")" "Marcel"
fi

# ------------------------------------------------------------------ backups, WAL, removal
as "$saisie" backup --rotate
expect_rc "the saisie may not make a backup" 77
as "$admin" backup --rotate
expect_rc "the admin makes tonight's backup" 0
"$RECUEIL" --db /var/lib/recueil/recueil.db backup --rotate >"$tmp/.out" 2>&1
expect_eq "root too (what the timer runs), unregistered" "$?" 0
today=$(date +%F)
expect_eq "into the backups' directory, private" \
	"$(stat -c '%a' "/var/lib/recueil/sauvegardes/recueil-$today.db.gz" 2>&1)" 600

expect_true "everyone left: no -wal file" test ! -e /var/lib/recueil/recueil.db-wal
cp /var/lib/recueil/recueil.db "$tmp/copie.db"
chmod 600 "$tmp/copie.db"
n=$(sqlite3 "$tmp/copie.db" "SELECT count(*) FROM patients" 2>&1)
expect_eq "a plain copy of recueil.db holds every patient" "$n" 3

DEBIAN_FRONTEND=noninteractive apt-get remove -y -q recueil >"$tmp/apt.log" 2>&1
expect_eq "apt-get remove recueil" "$?" 0
expect_true "the program is gone" test ! -e "$RECUEIL"
expect_true "the database stays" test -f /var/lib/recueil/recueil.db
expect_eq "with every patient" "$(sqlite3 /var/lib/recueil/recueil.db 'SELECT count(*) FROM patients')" 3
expect_true "and the backups" test -f "/var/lib/recueil/sauvegardes/recueil-$today.db.gz"
finish
