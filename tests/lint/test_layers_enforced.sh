#!/bin/sh
# The build refuses an #include the layer table of docs/architecture.md does not allow. Each line
# of PROBES is "TARGET builds|fails HEADER": a scratch target of BUILD that compiles one include
# of HEADER with a layer's include root. "fails" must fail, and on that header (not found);
# "builds" (the layer's own header) must build, so that the failures mean what they say.
# Usage: test_layers_enforced.sh BUILD PROBES
set -u
build=$1 probes=$2
[ -r "$probes" ] || {
	echo "$probes : liste des essais absente (reconfigurer)" >&2
	exit 1
}
bad=0 n=0
while read -r target expect header; do
	[ -n "$target" ] || continue
	n=$((n + 1))
	out=$(cmake --build "$build" --target "$target" 2>&1)
	rc=$?
	if [ "$expect" = builds ] && [ $rc -ne 0 ]; then
		printf 'ÉCHEC : %s devrait compiler (%s)\n%s\n' "$target" "$header" "$out" >&2
		bad=1
	elif [ "$expect" = fails ] && [ $rc -eq 0 ]; then
		printf 'ÉCHEC : %s compile : « #include \"%s\" » devrait être refusé\n' "$target" "$header" >&2
		bad=1
	elif [ "$expect" = fails ] && ! printf '%s\n' "$out" | grep -q "$header.*\(No such file\|not found\)"; then
		printf 'ÉCHEC : %s échoue, mais pas sur « %s » introuvable :\n%s\n' "$target" "$header" "$out" >&2
		bad=1
	fi
done <"$probes"
echo "$n essais de couches"
[ "$n" -gt 0 ] || bad=1
exit $bad
