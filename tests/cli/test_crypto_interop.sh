#!/bin/sh
# test_crypto_interop.sh — the age and minisign modules of the core (through tests/tools/cryptotool)
# against the real programs, both ways: what we encrypt opens with `age -d -i`, what `age -r`
# encrypts opens with ours, each with the other's keys; what we sign `minisign -V` verifies, and we
# verify what minisign signs; tampered files, signatures and comments and wrong keys are refused.
# Sizes around the 64 KiB chunk of age: empty, 1 byte, 64 KiB, 64 KiB + 1, 3 MiB.
#
# Environment (from CTest): RECUEIL, SRC, TESTS and CRYPTOTOOL. Needs age and age-keygen (Debian
# package age, 1.1) and minisign (0.11): exits 77 (skipped) without them.
set -u
: "${CRYPTOTOOL:?CRYPTOTOOL must name the cryptotool binary}"
. "$TESTS/cli/lib.sh"
for tool in age age-keygen minisign; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "$tool absent (paquets Debian age et minisign) : test ignoré"
		exit 77
	fi
done
T=$CRYPTOTOOL
cd "$tmp" || exit 1
umask 022
echo "age $(age --version), $(minisign -v)"

# flip FILE OFFSET — invert the lowest bit of the byte at OFFSET (from 0), in place.
flip() {
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	# shellcheck disable=SC2059 # the format is the octal escape of the new byte
	printf "$(printf '\\%03o' $((b ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

# try DESC COMMAND… — run a command, keeping its status in $rc and its stderr in $err.
try() {
	"$@" 2>"$tmp/.err" >"$tmp/.out"
	rc=$?
	err=$(cat "$tmp/.err")
	out=$(cat "$tmp/.out")
}

size() { wc -c <"$1" | tr -d ' '; }

# ------------------------------------------------------------------ age keys

try "$T" age-keygen -o ours.key
expect_rc "our age-keygen" 0
expect_eq "our secret key file is private" "$(stat -c %a ours.key)" 600
ours=$(age-keygen -y ours.key)
expect_eq "age-keygen -y reads our key file and finds its public key line" \
	"$(sed -n 's/^# public key: //p' ours.key)" "$ours"
expect_eq "and it is the key we print on stderr, as age-keygen" "$err" "Public key: $ours"
age-keygen -o theirs.key 2>/dev/null
theirs=$(age-keygen -y theirs.key)
try "$T" age-recipient theirs.key
expect_eq "we read age-keygen's key file and derive its public key" "$out" "$theirs"
try "$T" age-recipient ours.key
expect_eq "the same for ours" "$out" "$ours"
shape() { sed -e 's/age1[0-9a-z]*/age1…/' -e 's/AGE-SECRET-KEY-1[0-9A-Z]*/AGE-SECRET-KEY-1…/' \
	-e 's/^\(# created: \)[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\(Z\|[+-][0-9][0-9]:[0-9][0-9]\)$/\1DATE/' "$1"; }
expect_eq "our key file has the shape of age-keygen's, line for line" "$(shape ours.key)" "$(shape theirs.key)"
expect_eq "… which is three lines, a date first" "$(shape ours.key | head -1)" "# created: DATE"
expect_eq "our key file is as long as age-keygen's" "$(size ours.key)" "$(size theirs.key)"

# ------------------------------------------------------------------ age files, both ways

: >empty
printf 'x' >one
head -c 65536 /dev/urandom >chunk
head -c 65537 /dev/urandom >chunk1
head -c 3145728 /dev/urandom >big
for f in empty one chunk chunk1 big; do
	try "$T" encrypt -r "$theirs" -o "$f.ours.age" "$f"
	expect_rc "we encrypt $f" 0
	try sh -c "age -d -i theirs.key '$f.ours.age' >'$f.back'"
	expect_rc "age -d opens our encryption of $f" 0
	expect_true "… and gives $f back" cmp -s "$f" "$f.back"
	age -r "$ours" -o "$f.theirs.age" "$f"
	try "$T" decrypt -i ours.key -o "$f.back2" "$f.theirs.age"
	expect_rc "we open age -r's encryption of $f" 0
	expect_true "… and get $f back" cmp -s "$f" "$f.back2"
	expect_eq "same format, same size as age's for $f" "$(size "$f.ours.age")" "$(size "$f.theirs.age")"
done
expect_eq "exactly 64 KiB: one chunk (header, nonce, 65536 + 16)" \
	"$(($(size chunk.ours.age) - $(size empty.ours.age)))" 65536
expect_eq "64 KiB + 1: two chunks" "$(($(size chunk1.ours.age) - $(size empty.ours.age)))" $((65537 + 16))

# Pipes, and several recipients each way.
try sh -c "'$T' encrypt -r '$ours' -r '$theirs' <big | age -d -i theirs.key | cmp -s - big"
expect_rc "our file for two recipients, through pipes, opens with the second key in age" 0
age -r "$theirs" -r "$ours" -o two.age one
try "$T" decrypt -i theirs.key -i ours.key -o two.back two.age
expect_true "age's file for two recipients opens with ours, given two keys" cmp -s one two.back
try "$T" decrypt -i ours.key -o two.back2 two.age
expect_true "… or our key alone" cmp -s one two.back2

# ------------------------------------------------------------------ age refusals

# wrong key
try "$T" decrypt -i theirs.key -o wrong.out big.theirs.age
expect_rc "a file for another key is refused" 65
expect_contains "… saying so" "$err" "aucune des clés"
expect_true "… and nothing is written" test ! -s wrong.out

# one byte of the header: the X25519 share, then the MAC
cp big.theirs.age h1.age
flip h1.age 30
try "$T" decrypt -i ours.key -o h1.out h1.age
expect_rc "a byte changed in the stanza is refused" 65
expect_true "… before any plaintext" test ! -s h1.out
cp big.theirs.age h2.age
header=$(head -c 300 big.theirs.age | grep -a -b -o -- '--- ' | cut -d: -f1)
flip h2.age $((header + 10))
try "$T" decrypt -i ours.key -o h2.out h2.age
expect_rc "a byte changed in the header MAC is refused" 65
try age -d -i ours.key -o /dev/null h2.age
expect_rc "(age refuses it too)" 1

# one byte of the body, in the 19th chunk: the 18 before it come out, nothing after
cp big.theirs.age b.age
flip b.age $(($(size big.theirs.age) - 30 * 65552))
try "$T" decrypt -i ours.key -o b.out b.age
expect_rc "a byte changed in the body is refused" 65
expect_contains "… naming the chunk" "$err" "bloc 19 ne s'authentifie pas"
expect_eq "… after the chunks before it only" "$(size b.out)" $((18 * 65536))
expect_true "… which are the file's own" cmp -s -n $((18 * 65536)) b.out big
try age -d -i ours.key -o /dev/null b.age
expect_rc "(age refuses it too)" 1

# last chunk dropped (3 MiB: 48 full chunks), cut by one byte, data appended
head -c $(($(size big.theirs.age) - 65552)) big.theirs.age >drop.age
try "$T" decrypt -i ours.key -o drop.out drop.age
expect_rc "the last chunk dropped is refused" 65
expect_contains "… as a truncated file" "$err" "le dernier bloc manque"
head -c $(($(size big.theirs.age) - 1)) big.theirs.age >cut.age
try "$T" decrypt -i ours.key -o /dev/null cut.age
expect_rc "a file cut by one byte is refused" 65
cp one.theirs.age more.age
printf 'x' >>more.age
try "$T" decrypt -i ours.key -o /dev/null more.age
expect_rc "a byte appended is refused" 65
try age -d -i ours.key -o /dev/null drop.age
expect_rc "(age refuses the dropped chunk too)" 1

# the same tampering of our own file is refused by age
cp big.ours.age ob.age
flip ob.age 3000000
try age -d -i theirs.key -o /dev/null ob.age
expect_rc "age refuses our file with a byte changed" 1

# ------------------------------------------------------------------ minisign

printf 'structure: MS-GE-01\nperiode: 2026-T3\n' >manifest.txt
try "$T" sign-keygen our.sec our.pub
expect_rc "our minisign key pair" 0
expect_eq "our secret key file is private" "$(stat -c %a our.sec)" 600
expect_contains "our public key file is minisign's" "$(head -1 our.pub)" "untrusted comment: minisign public key "
try "$T" sign -s our.sec -t "structure MS-GE-01" manifest.txt
expect_rc "we sign the manifest" 0
try minisign -Vm manifest.txt -p our.pub
expect_rc "minisign -V verifies our signature with our public key file" 0
expect_contains "… and our trusted comment" "$out" "Trusted comment: structure MS-GE-01"
try minisign -Vm manifest.txt -P "$(sed -n 2p our.pub)"
expect_rc "minisign -V -P verifies it with the base64 line" 0
try minisign -H -Vm manifest.txt -p our.pub
expect_rc "it is prehashed (minisign -H requires it)" 0
try "$T" sign -s our.sec big
try minisign -Vm big -p our.pub
expect_rc "minisign verifies our signature of a 3 MiB file" 0
expect_contains "… with minisign's default trusted comment" "$out" "file:big	hashed"
try minisign -S -s our.sec -m chunk -x chunk.theirs.minisig
expect_rc "minisign signs with our secret key file" 0
try "$T" verify -p our.pub -x chunk.theirs.minisig chunk
expect_rc "… and we verify that" 0

minisign -G -W -p their.pub -s their.sec >/dev/null 2>&1
try minisign -S -s their.sec -m manifest.txt -x their.minisig -t "par minisign"
try "$T" verify -p their.pub -x their.minisig manifest.txt
expect_rc "we verify minisign's signature with its public key file" 0
expect_contains "… and read its trusted comment" "$out" "par minisign"
try "$T" verify -P "$(sed -n 2p their.pub)" -x their.minisig manifest.txt
expect_rc "… or with the base64 line" 0
try "$T" sign -s their.sec -x ours-by-their-key.minisig big
try minisign -Vm big -p their.pub -x ours-by-their-key.minisig
expect_rc "we sign with minisign's secret key file, minisign verifies" 0
try "$T" fingerprint -p their.pub
expect_eq "the key id we print is minisign's" "${out%% *}" "$(sed -n 's/^untrusted comment: minisign public key //p' their.pub)"

# refusals
cp manifest.txt m2.txt
cp manifest.txt.minisig m2.txt.minisig
printf 'correction: deleted entry=1\n' >>m2.txt
try "$T" verify -p our.pub m2.txt
expect_rc "a line added to the signed manifest is refused" 65
expect_contains "… as changed content" "$err" "contenu signé a changé"
try minisign -Vm m2.txt -p our.pub
expect_rc "(minisign refuses it too)" 1

cp manifest.txt.minisig tc.minisig
sed -i 's/^trusted comment: structure MS-GE-01$/trusted comment: structure MS-GE-02/' tc.minisig
try "$T" verify -p our.pub -x tc.minisig manifest.txt
expect_rc "a trusted comment changed is refused" 65
expect_contains "… as such" "$err" "commentaire de confiance"
try minisign -Vm manifest.txt -p our.pub -x tc.minisig
expect_rc "(minisign refuses it too)" 1

cp manifest.txt.minisig sg.minisig
sig=$(sed -n 2p sg.minisig)
c=$(printf '%s' "$sig" | cut -c40)
[ "$c" = A ] && n=B || n=A
sed -i "2s/^\(.\{39\}\)./\1$n/" sg.minisig
try "$T" verify -p our.pub -x sg.minisig manifest.txt
expect_rc "a character of the signature changed is refused" 65

try "$T" verify -p their.pub manifest.txt
expect_rc "our signature checked with another key is refused" 65
expect_contains "… naming both key ids" "$err" "pas avec la clé attendue"

minisign -S -l -s their.sec -m manifest.txt -x legacy.minisig >/dev/null
try "$T" verify -p their.pub -x legacy.minisig manifest.txt
expect_rc "a legacy (not prehashed) signature is refused" 65

# ------------------------------------------------------------------ throughput

try "$T" bench 8
expect_rc "the benchmark runs" 0
expect_contains "… and prints the encryption throughput" "$out" "age encrypt 8 MiB:"
echo "$out"

finish
