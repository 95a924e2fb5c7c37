#!/bin/sh
# The units of the nightly backup the package installs (debian/recueil.recueil-backup.*) pass
# systemd-analyze verify, with the program of this build in ExecStart and the man page of the
# source tree for Documentation=; skipped (77) where systemd-analyze is missing. The package
# test verifies the installed units as they are.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$TESTS/cli/lib.sh"
if ! command -v systemd-analyze >/dev/null 2>&1 || ! command -v man >/dev/null 2>&1; then
	echo "ignoré : systemd-analyze ou man absent"
	exit 77
fi
: "${RECUEIL_SHIPPED:?RECUEIL_SHIPPED must name the program users run}"

units="$tmp/units"
mkdir -p "$units" "$tmp/man/man1"
cp "$SRC/docs/recueil.1" "$tmp/man/man1/"
for kind in service timer; do
	sed "s|/usr/bin/recueil|$RECUEIL_SHIPPED|" "$SRC/debian/recueil.recueil-backup.$kind" \
		>"$units/recueil-backup.$kind"
done
grep -q '^Persistent=true$' "$units/recueil-backup.timer" && pass || fail "the timer catches up a missed night"
grep -q '^Type=oneshot$' "$units/recueil-backup.service" && pass || fail "the service is a oneshot"
grep -q 'backup --rotate$' "$units/recueil-backup.service" && pass || fail "the service runs backup --rotate"

verify() {
	MANPATH="$tmp/man" systemd-analyze verify "$units/recueil-backup.timer" "$units/recueil-backup.service" \
		>"$tmp/.out" 2>"$tmp/.err"
	rc=$?
	out=$(cat "$tmp/.out")
	err=$(cat "$tmp/.err")
}
verify
expect_rc "systemd-analyze verify accepts both units" 0
expect_eq "without a warning" "$err" ""

# The check sees a broken unit.
sed -i 's/^OnCalendar=.*/OnCalendar=chaque nuit/' "$units/recueil-backup.timer"
verify
expect_rc "a timer without a valid calendar is refused" 1
finish
