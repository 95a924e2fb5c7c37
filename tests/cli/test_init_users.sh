#!/bin/sh
# Creating a database and managing who may use it: init, --version/--help, exit codes, user
# add/list, refusal of unregistered logins and of non-admins.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$TESTS/cli/lib.sh"

# ---- the program answers without a database
run --version
expect_rc "--version exits 0" 0
expect_contains "--version prints the version on stdout" "$out" "recueil "
expect_eq "--version writes nothing on stderr" "$err" ""
run --help
expect_rc "--help exits 0" 0
expect_contains "--help prints the usage on stdout" "$out" "Usage"
expect_contains "--help lists the commands" "$out" "entry add"
expect_eq "--help writes nothing on stderr" "$err" ""
for cmd in init demo forms patient entry user log; do
	run "$cmd" --help
	expect_rc "$cmd --help exits 0" 0
	expect_contains "$cmd --help prints its usage on stdout" "$out" "Usage"
done

run frobnicate
expect_rc "an unknown command is a usage error (64)" 64
expect_contains "the message names the unknown command" "$err" "frobnicate"
expect_eq "nothing on stdout for an unknown command" "$out" ""
run --frobnicate
expect_rc "an unknown option is a usage error (64)" 64
run entry frobnicate
expect_rc "an unknown subcommand is a usage error (64)" 64
run init
expect_rc "init without --structure is a usage error (64)" 64
run init --structure "a b"
expect_rc "init with an invalid structure code is refused (64)" 64

run patient list
expect_rc "before init, the database is missing (66)" 66
expect_contains "and the message says how to create it" "$err" "recueil init"
expect_true "a failed command creates no database" test ! -e "$RECUEIL_DB"

# ---- init
umask 022 # the program must not rely on the caller's umask
export RECUEIL_AS_USER=chef
run init --structure MS-TEST-01 --name "Microstructure du Parc"
expect_rc "init exits 0" 0
expect_contains "init names the administrator" "$out" "chef"
expect_true "init creates the database file" test -f "$RECUEIL_DB"
mode=$(ls -l "$RECUEIL_DB" | cut -c1-10)
expect_eq "the database file is private (0600)" "$mode" "-rw-------"
for side in "$RECUEIL_DB-wal" "$RECUEIL_DB-shm"; do
	if [ -e "$side" ]; then
		mode=$(ls -l "$side" | cut -c1-10)
		expect_eq "$(basename "$side") is private too" "$mode" "-rw-------"
	fi
done

run init --structure AUTRE
expect_rc "init twice is refused (73)" 73
expect_contains "the message says the database exists, for which structure" "$err" "MS-TEST-01"
RECUEIL_AS_USER=intrus run init --structure AUTRE
expect_rc "init over an existing database by someone else is refused too" 73

run user list
expect_rc "user list exits 0" 0
expect_eq "init registered the caller as admin, and nobody else" "$out" "$(printf 'chef\tadmin\t')"

# init in a directory that does not exist yet, and --db over $RECUEIL_DB
run --db "$tmp/sous/dossier/autre.db" init --structure MS-TEST-02
expect_rc "init creates the missing directories" 0
expect_true "--db chooses the file" test -f "$tmp/sous/dossier/autre.db"
mode=$(ls -l "$tmp/sous/dossier/autre.db" | cut -c1-10)
expect_eq "that file is private too" "$mode" "-rw-------"

# Without the test seam, the caller is the Unix login.
me=$(id -un)
(unset RECUEIL_AS_USER && "$RECUEIL" --db "$tmp/moi.db" init --structure MOI >/dev/null 2>&1)
RECUEIL_DB="$tmp/moi.db" RECUEIL_AS_USER="$me" run user list
expect_eq "without RECUEIL_AS_USER, init registers the Unix login as admin" "$out" "$(printf '%s\tadmin\t' "$me")"

# A file that is not a recueil database is never touched.
printf 'pas une base\n' >"$tmp/texte.db"
run --db "$tmp/texte.db" user list
expect_rc "a file that is not a database is refused (65)" 65
expect_eq "and left as it was" "$(cat "$tmp/texte.db")" "pas une base"

# ---- users
run user add alice --role saisie
expect_rc "user add exits 0" 0
expect_contains "user add confirms" "$out" "alice"
run user add bob --role coordination --name "Bob Martin"
expect_rc "user add with a display name exits 0" 0
run user list
expect_eq "user list: login, role, name, by login" "$out" "$(printf 'alice\tsaisie\t\nbob\tcoordination\tBob Martin\nchef\tadmin\t')"

run user add carol --role chef
expect_rc "an unknown role is refused (64)" 64
expect_contains "the message lists the roles" "$err" "saisie, coordination ou admin"
run user add "carol;rm" --role saisie
expect_rc "a login that is not a Unix login is refused (64)" 64
run user add carol
expect_rc "user add without --role is a usage error" 64

# ---- refusals
RECUEIL_AS_USER=someone run patient list
expect_rc "an unregistered login is refused (77)" 77
expect_contains "the message names the login" "$err" "someone"
expect_contains "the message names who can add them" "$err" "chef"
expect_contains "the message gives the command to run" "$err" "recueil user add someone"
expect_eq "nothing on stdout when refused" "$out" ""
RECUEIL_AS_USER=someone run patient add sexe=F annee_naissance=1980
expect_rc "an unregistered login cannot add a patient" 77
run patient list
expect_eq "and no patient was created" "$out" ""

RECUEIL_AS_USER=alice run user add carol --role saisie
expect_rc "a saisie user cannot add users (77)" 77
expect_contains "the refusal names the role needed" "$err" "admin"
RECUEIL_AS_USER=bob run user add carol --role admin
expect_rc "a coordination user cannot add users either (77)" 77
run user list
expect_lacks "carol was not added" "$out" "carol"

RECUEIL_AS_USER=alice run patient list
expect_rc "a registered saisie user can work" 0
RECUEIL_AS_USER=alice run user list
expect_rc "and list the users" 0

# Roles can change: alice becomes admin and can then add users.
run user add alice --role admin
expect_rc "an admin changes a role" 0
RECUEIL_AS_USER=alice run user add carol --role saisie
expect_rc "the new admin can add users" 0
run user list
expect_contains "carol is registered" "$out" "$(printf 'carol\tsaisie')"
expect_contains "alice is admin now" "$out" "$(printf 'alice\tadmin')"
RECUEIL_AS_USER=someone run user list
expect_contains "the refusal names every admin" "$err" "alice, chef"

# The last admin cannot give up the role: nobody could manage the users any more.
run user add alice --role saisie
expect_rc "an admin is demoted while another admin remains" 0
run user add chef --role saisie
expect_rc "the only admin cannot demote themselves (65)" 65
expect_contains "the message says why" "$err" "seul administrateur"
run user list
expect_contains "chef is still admin" "$out" "$(printf 'chef\tadmin')"
run log
expect_contains "a role change is logged with the old and the new role" "$out" "alice : admin → saisie"
expect_contains "a new user is logged from nothing" "$out" "carol : (vide) → saisie"

finish
