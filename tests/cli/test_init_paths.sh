#!/bin/sh
# The path of a new database: an empty --db is refused with a message (it once sent init --shared
# one byte past a buffer while it looked for the directory), and a bare file name puts a shared
# database in the current directory, made the group's setgid directory.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$TESTS/cli/lib.sh"

group=$(id -gn)
mkdir "$tmp/work"
cd "$tmp/work" || exit 1

run --db '' init --shared "$group" --structure VIDE-01
expect_rc "an empty --db is a usage error" 64
expect_contains "which says what is wrong" "$err" "--db : chemin de la base vide"
run --db '' patient list
expect_rc "for every command" 64

run --db locale.db init --structure LOCALE-01 --shared "$group"
expect_rc "a bare file name: the database goes into the current directory" 0
expect_eq "the directory becomes the group's setgid directory" "$(stat -c '%a %G' .)" "2770 $group"
expect_eq "the database is the group's, 0660" "$(stat -c '%a %G' locale.db)" "660 $group"

run --db locale2.db init --shared --structure LOCALE-02
expect_rc "--shared without a group, outside an installed recueil: a usage error" 64
expect_contains "naming what is missing" "$err" "--shared GROUPE"
finish
