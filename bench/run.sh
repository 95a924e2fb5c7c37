#!/bin/sh
# run.sh — every figure of issue 7 in one command: builds a Release binary (build-bench, test seams
# on), generates the demo databases once (cached in bench/out/, gitignored), measures each figure
# with the baseline beside it in the same run, and prints a Markdown table (also written to
# bench/out/last-run.md). Not a timed test: targets are judged here, never in CTest.
#
#   bench/run.sh
#
# Environment (all optional):
#   BENCH_RUNS=20              runs per start-up timing (hyperfine, else a loop of date +%s%N)
#   BENCH_SAVES=100            `entry add` processes in the save batch (and lines of the
#                              `entry add --batch` run)
#   BENCH_SEARCH_PATIENTS=100000  patients for the incremental search (10000 for a quick run)
#   BENCH_NO_INSTALL=1         never apt-get install a missing tool
#
# Times: "CPU" is user+system time of the process, which a loaded machine does not inflate;
# "wall" is the mean (and min) elapsed time. Start-up targets are judged on CPU time, the save
# batch on wall time (fsync waits are part of it). The load average is printed with the table.
set -eu
# The whole script is one compound command: the shell reads all of it before running any of it,
# so that editing this file while a run goes on cannot break that run.
{
cd "$(dirname "$0")/.."
root=$(pwd)
out=$root/bench/out
build=$root/build-bench
bin=$build/recueil
runs=${BENCH_RUNS:-20}
saves=${BENCH_SAVES:-100}
search_n=${BENCH_SEARCH_PATIENTS:-100000}
mkdir -p "$out"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/recueil-bench.XXXXXX")
TS=recueil-bench-$$
# One tmux server per session (-L $TS-NAME): a server whose last session ends goes away, and must
# not take the next session with it.
trap 'for s in dlg rec; do
	tmux -L "$TS-$s" kill-server 2>/dev/null || true
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$TS-$s"
done
rm -rf "$tmp"' EXIT
umask 077

say() { printf '%s\n' "$*" >&2; }

# ------------------------------------------------------------------ tools

# need COMMAND PACKAGE: true when COMMAND is there, after installing PACKAGE with apt if we can.
need() {
	command -v "$1" >/dev/null 2>&1 && return 0
	if [ -z "${BENCH_NO_INSTALL:-}" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		say "installation de $2…"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null 2>&1 ||
			{ apt-get update -qq >/dev/null 2>&1 &&
				DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null 2>&1; } || true
	fi
	command -v "$1" >/dev/null 2>&1
}
need cmake cmake || { say "cmake manquant"; exit 1; }
need sqlite3 sqlite3 || { say "sqlite3 manquant"; exit 1; }
need /usr/bin/time time || { say "/usr/bin/time manquant (paquet time)"; exit 1; }
have_hf=0 have_tmux=0 have_dialog=0 have_strace=0
need hyperfine hyperfine && have_hf=1
need tmux tmux && have_tmux=1
need dialog dialog && have_dialog=1
need strace strace && have_strace=1
need gzip gzip || true

# ------------------------------------------------------------------ build

say "compilation (Release, $build)…"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DRECUEIL_TEST_SEAMS=ON >"$tmp/cmake.log" 2>&1 ||
	{ cat "$tmp/cmake.log" >&2; exit 1; }
cmake --build "$build" -j2 --target recueil >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log" >&2; exit 1; }

export RECUEIL_TODAY=2026-11-22 RECUEIL_FORMS="$root/forms" LANG=C.UTF-8 TERM=xterm
unset LC_ALL LC_MESSAGES LANGUAGE LINES COLUMNS RECUEIL_KEYS RECUEIL_SCREEN_DUMP RECUEIL_SCREEN_OUTPUT || true

# ------------------------------------------------------------------ helpers

now_ms() { echo $(($(date +%s%N) / 1000000)); }
div() { awk -v a="$1" -v b="$2" -v d="${3:-1}" 'BEGIN { if (b == 0) print "n/a"; else printf "%.*f", d, a / b }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 <= b + 0) }'; }
verdict() { # verdict VALUE OP LIMIT: "atteint" or "manqué" ("—" when VALUE is not a number)
	printf '%s' "$1" | grep -qE '^[0-9]+([.][0-9]+)?$' || { echo "—"; return; }
	case $2 in
	le) le "$1" "$3" && echo atteint || echo "**manqué**" ;;
	ge) le "$3" "$1" && echo atteint || echo "**manqué**" ;;
	esac
}

# hf NAME RUNS COMMAND…: times a command run without a shell. Sets WALL (mean ms), WMIN (min ms),
# CPU (mean user+sys ms; "~" prefix in the fallback, whose CPU has 10 ms steps).
hf() {
	hf_name=$1 hf_runs=$2
	shift 2
	if [ $have_hf = 1 ]; then
		hyperfine -N -w 2 -r "$hf_runs" -n "$hf_name" --export-csv "$tmp/hf.csv" "$*" >"$tmp/hf.log" 2>&1 ||
			{ cat "$tmp/hf.log" >&2; return 1; }
		set -- $(awk -F, 'NR == 2 { printf "%.2f %.2f %.2f", $2 * 1000, $7 * 1000, ($5 + $6) * 1000 }' "$tmp/hf.csv")
		WALL=$1 WMIN=$2 CPU=$3
	else
		i=0 tot=0 min=999999999
		: >"$tmp/cpu"
		while [ $i -lt "$hf_runs" ]; do
			t0=$(date +%s%N)
			/usr/bin/time -a -o "$tmp/cpu" -f '%U %S' "$@" >/dev/null 2>&1 || return 1
			t=$((($(date +%s%N) - t0) / 1000))
			tot=$((tot + t))
			[ $t -lt $min ] && min=$t
			i=$((i + 1))
		done
		WALL=$(div $tot $((hf_runs * 1000)) 2) WMIN=$(div $min 1000 2)
		CPU="~$(awk '{ s += ($1 + $2) * 1000 } END { printf "%.0f", s / NR }' "$tmp/cpu")"
	fi
}

rows=$tmp/rows
: >"$rows"
row() { printf '| %s | %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4" "$5" >>"$rows"; }

# demo_db N: the cached demo database of N patients (generated once, with the time it took).
demo_db() {
	db=$out/demo-$1.db
	if [ ! -s "$db" ] || [ ! -s "$out/demo-$1.ms" ]; then
		say "génération de la base de démonstration, $1 patients (une fois, gardée dans bench/out)…"
		rm -f "$db" "$db-wal" "$db-shm" "$out/demo-$1.ms"
		t0=$(now_ms)
		"$bin" --db "$db" demo --patients "$1" --seed 1 >"$out/demo-$1.log" 2>&1
		echo $(($(now_ms) - t0)) >"$out/demo-$1.ms"
		sqlite3 "$db" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
	fi
	# A draft left by an interrupted run would open the drafts screen instead of the home screen.
	sqlite3 "$db" 'DELETE FROM drafts' >/dev/null
	echo "$db"
}

# dbcopy SRC DST: a copy of a database with what its WAL holds (recueil does not checkpoint on
# close, so the main file alone may miss the last writes).
dbcopy() {
	rm -f "$2" "$2-wal" "$2-shm"
	sqlite3 "$1" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null 2>&1 || true
	cp "$1" "$2"
	if [ -s "$1-wal" ]; then cp "$1-wal" "$2-wal"; fi
}

# as_admin DB: act as the login that created the cached database (test seam RECUEIL_AS_USER).
as_admin() {
	RECUEIL_AS_USER=$(sqlite3 "$1" "SELECT login FROM users WHERE role = 'admin' ORDER BY rowid LIMIT 1")
	export RECUEIL_AS_USER
}

# ---- tmux: a real terminal, the bytes the program writes captured with pipe-pane

# tmux_run NAME COMMAND: a detached 80×24 session, on its own server, whose output is captured
# from its first byte.
tmux_run() {
	tmux -L "$TS-$1" new-session -d -x 80 -y 24 -s "$1" \
		"while [ ! -f '$tmp/go-$1' ]; do sleep 0.02; done; exec $2" ||
		{ say "tmux : session $1 impossible"; return 1; }
	tmux -L "$TS-$1" pipe-pane -o -t "$1" "cat >> '$tmp/pane-$1'" || return 1
	: >>"$tmp/pane-$1"
	touch "$tmp/go-$1"
}
pane_bytes() { wc -c <"$tmp/pane-$1" | tr -d ' '; }
wait_pane() { # wait_pane NAME TEXT: until the pane shows TEXT (20 s at most)
	i=0
	while :; do
		tmux -L "$TS-$1" capture-pane -p -t "$1" >"$tmp/capture" 2>/dev/null ||
			{ say "tmux : la session $1 s'est arrêtée"; return 1; }
		grep -qF -- "$2" "$tmp/capture" && return 0
		i=$((i + 1))
		[ $i -gt 400 ] && { say "tmux : « $2 » jamais affiché"; cat "$tmp/capture" >&2; return 1; }
		sleep 0.05
	done
}
settle() { # settle NAME: until the program has stopped writing for 0.3 s
	a=-1 b=$(pane_bytes "$1")
	while [ "$a" != "$b" ]; do
		sleep 0.3
		a=$b b=$(pane_bytes "$1")
	done
}
# tmux_type NAME TEXT: types TEXT one character at a time, each one after the previous one has
# been drawn (no burst that curses could fold into one update).
tmux_type() {
	printf '%s' "$2" | grep -o . >"$tmp/chars"
	while IFS= read -r c; do
		before=$(pane_bytes "$1")
		tmux -L "$TS-$1" send-keys -t "$1" -l "$c"
		i=0
		while [ "$(pane_bytes "$1")" = "$before" ] && [ $i -lt 100 ]; do
			sleep 0.02
			i=$((i + 1))
		done
	done <"$tmp/chars"
	settle "$1"
}

text='Dupont-Lefèvre Marie' # 20 characters, one of them accented: what is typed in the edits
nchars=20

# ------------------------------------------------------------------ databases

say "bases de démonstration…"
db10k=$(demo_db 10000)
as_admin "$db10k"
entries10k=$(sqlite3 "$db10k" 'SELECT count(*) FROM entries')
db400=$(demo_db 400)
entries400=$(sqlite3 "$db400" 'SELECT count(*) FROM entries')
dbcopy "$db10k" "$tmp/c10k.db"
"$bin" --db "$tmp/empty0.db" init --structure BENCH --name "Banc d'essai" >/dev/null 2>&1 # same admin login
# fresh_empty: a new copy of the empty database (a run that types leaves a draft behind).
fresh_empty() {
	dbcopy "$tmp/empty0.db" "$tmp/empty.db"
}
fresh_empty

# ------------------------------------------------------------------ 1. cold start

say "démarrage à froid…"
: >"$tmp/empty.keys"
export RECUEIL_KEYS="$tmp/empty.keys" RECUEIL_SCREEN_OUTPUT=/dev/null
cs_ok=0
if hf coldstart "$runs" "$bin" --db "$tmp/c10k.db"; then
	cs_cpu=$CPU cs_wall=$WALL cs_min=$WMIN cs_ok=1
fi
if hf coldstart0 "$runs" "$bin" --db "$tmp/empty.db"; then
	cs0_cpu=$CPU cs0_wall=$WALL cs0_min=$WMIN
else
	cs0_cpu=n/a cs0_wall=n/a cs0_min=n/a
fi
unset RECUEIL_KEYS RECUEIL_SCREEN_OUTPUT
hf true "$runs" /bin/true && floor_cpu=$CPU floor_wall=$WMIN || floor_cpu=n/a
hf version "$runs" "$bin" --version && ver_cpu=$CPU || ver_cpu=n/a
hf forms "$runs" "$bin" forms check && forms_cpu=$CPU || forms_cpu=n/a
if [ $cs_ok = 1 ]; then
	row "cold start of the TUI to the first complete screen, ${entries10k} entries (CPU; wall mean / min)" "≤ 20 ms" \
		"$cs_cpu ms ($cs_wall / $cs_min ms)" "—" "$(verdict "${cs_cpu#\~}" le 20)"
else
	row "cold start of the TUI to the first complete screen" "≤ 20 ms" "échec" "—" "—"
fi
row "… same, empty database (CPU; wall mean / min)" "—" "$cs0_cpu ms ($cs0_wall / $cs0_min ms)" \
	"\`/bin/true\`: $floor_cpu ms CPU" "—"
row "… of which: \`recueil --version\` (dynamic loading) / \`forms check\` (+ 9 YAML forms loaded and checked)" "—" \
	"$ver_cpu ms / $forms_cpu ms CPU" "—" "—"

# ------------------------------------------------------------------ 2-4. the terminal

say "mémoire et octets du terminal…"
printf 'p<F5>%s' "$text" >"$tmp/rss.keys"
dbcopy "$db10k" "$tmp/rss.db"
rss10k=$(RECUEIL_KEYS="$tmp/rss.keys" /usr/bin/time -f %M "$bin" --db "$tmp/rss.db" 2>&1 >/dev/null | tail -1)
fresh_empty
rss0=$(RECUEIL_KEYS="$tmp/rss.keys" /usr/bin/time -f %M \
	"$bin" --db "$tmp/empty.db" 2>&1 >/dev/null | tail -1)
rm -f "$tmp/rss.db"*

# Bytes through the seam: screen dumps carry how many bytes curses has written so far.
printf 'p<F5><Dump><C-l><Dump>%s<Dump>' "$text" >"$tmp/bytes.keys"
fresh_empty
RECUEIL_KEYS="$tmp/bytes.keys" RECUEIL_SCREEN_DUMP="$tmp/dump" \
	RECUEIL_SCREEN_OUTPUT="$tmp/term.out" "$bin" --db "$tmp/empty.db" >/dev/null 2>&1 || true
octets() { grep '^--- écran' "$tmp/dump" | sed -n "$1p" | sed 's/.*octets=//'; }
b1=$(octets 1) b2=$(octets 2) b3=$(octets 3)
per_char=$(div $((b3 - b2)) $nchars 1)
redraw=$((b2 - b1))
sed -n '/^--- écran 3/,/^--- écran 4/p' "$tmp/dump" | grep -qF "$text" || per_char="$per_char (texte absent de l'écran !)"

# The same edit in a real terminal, for recueil and for dialog: bytes written to the pty.
dlg_rss=n/a dlg_char=n/a dlg_draw=n/a tm_char=n/a tm_draw=n/a
if [ $have_tmux = 1 ] && [ $have_dialog = 1 ]; then
	cat >"$tmp/dialog.sh" <<-EOF
		#!/bin/sh
		# a 10-field form like recueil's patient page
		exec /usr/bin/time -f %M -o '$tmp/dialog.rss' dialog --form "Patient" 20 70 10 \\
		 "Nom:" 1 1 "" 1 20 40 100 "Prénom:" 2 1 "" 2 20 40 100 "Téléphone:" 3 1 "" 3 20 40 24 \\
		 "Notes:" 4 1 "" 4 20 40 4000 "Sexe:" 5 1 "" 5 20 4 1 "Naissance:" 6 1 "" 6 20 6 4 \\
		 "Inclusion:" 7 1 "" 7 20 12 10 "Orientation:" 8 1 "" 8 20 30 60 "Motif:" 9 1 "" 9 20 30 60 \\
		 "TSO:" 10 1 "" 10 20 30 60 2>'$tmp/dialog.answer'
	EOF
	chmod +x "$tmp/dialog.sh"
	if tmux_run dlg "env TERM=xterm LANG=C.UTF-8 '$tmp/dialog.sh'" && wait_pane dlg "Nom:"; then
		settle dlg
		dlg_draw=$(pane_bytes dlg)
		tmux_type dlg "$text"
		dlg_char=$(div $(($(pane_bytes dlg) - dlg_draw)) $nchars 1)
		tmux -L "$TS-dlg" send-keys -t dlg Enter
		i=0
		while [ ! -s "$tmp/dialog.rss" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
		[ -s "$tmp/dialog.rss" ] && dlg_rss=$(tail -1 "$tmp/dialog.rss")
	fi
	fresh_empty
	if tmux_run rec "env TERM=xterm LANG=C.UTF-8 RECUEIL_AS_USER='$RECUEIL_AS_USER' RECUEIL_TODAY=$RECUEIL_TODAY RECUEIL_FORMS='$RECUEIL_FORMS' '$bin' --db '$tmp/empty.db'" &&
		wait_pane rec "Patients suivis"; then
		tmux -L "$TS-rec" send-keys -t rec p
		wait_pane rec "Chercher"
		tmux -L "$TS-rec" send-keys -t rec F5
		wait_pane rec "Téléphone"
		settle rec
		b0=$(pane_bytes rec)
		tmux -L "$TS-rec" send-keys -t rec C-l
		sleep 0.3
		settle rec
		b1=$(pane_bytes rec)
		tm_draw=$((b1 - b0))
		tmux_type rec "$text"
		tm_char=$(div $(($(pane_bytes rec) - b1)) $nchars 1)
		tmux -L "$TS-rec" send-keys -t rec F10 o
	fi
fi
kib() { [ "$1" = n/a ] && echo n/a || div "$1" 1024 1; }
row "TUI peak resident memory: open the patient list, a new-patient form, type ${nchars} characters; ${entries10k} entries" \
	"≤ 5 MiB" "$(kib "$rss10k") MiB" "\`dialog --form\` 10 fields: $(kib "$dlg_rss") MiB" "$(verdict "$(kib "$rss10k")" le 5)"
row "… same, empty database" "≤ 5 MiB" "$(kib "$rss0") MiB" "—" "$(verdict "$(kib "$rss0")" le 5)"
row "bytes written to the terminal per typed character in a field (seam; tmux pty)" "≤ 40" \
	"$per_char ($tm_char)" "\`dialog --form\` same edit (tmux pty): $dlg_char" "$(verdict "${per_char%% *}" le 40)"
row "bytes to draw a form page from scratch at 80×24 (^L; seam / tmux pty)" "report" "$redraw / $tm_draw" \
	"\`dialog --form\` first draw: $dlg_draw" "—"

# ------------------------------------------------------------------ 5. incremental search

say "recherche incrémentale, $search_n patients…"
dbs=$(demo_db "$search_n")
demo_s=$(div "$(cat "$out/demo-$search_n.ms")" 1000 0)
search_row=
if [ $have_strace = 1 ]; then
	# p opens the list; then K keystrokes, each one filtering and redrawing the list. A <Dump>
	# opens the dump file: strace gives the time of each dump, so the keystrokes are timed alone.
	{
		printf '<Dump>p<Dump>'
		for w in dupont 0a1b lefevre ber dupont 0a1b lefevre ber; do
			printf '%s' "$w"
			j=0
			while [ $j -lt ${#w} ]; do printf '<BS>'; j=$((j + 1)); done
		done
		printf '<Dump>'
	} >"$tmp/search.keys"
	keys_n=80 # each word typed, then erased
	best=
	for attempt in 1; do
		rm -f "$tmp/search.dump"
		RECUEIL_KEYS="$tmp/search.keys" RECUEIL_SCREEN_DUMP="$tmp/search.dump" RECUEIL_SCREEN_OUTPUT=/dev/null \
			strace -f --seccomp-bpf -ttt -e trace=openat,execve -o "$tmp/search.trace" "$bin" --db "$dbs" >/dev/null 2>&1 ||
			continue
		set -- $(awk -v d="$tmp/search.dump" '/execve\(/ && !t0 { t0 = $2 } index($0, d) { n++; t[n] = $2 }
			END { if (n >= 3) printf "%.0f %.0f %.3f", (t[1] - t0) * 1000, (t[2] - t[1]) * 1000, (t[3] - t[2]) * 1000 }' \
			"$tmp/search.trace")
		[ $# = 3 ] || continue
		per=$(div "$3" $keys_n 2)
		if [ -z "$best" ] || le "$per" "$best"; then best=$per home_ms=$1 list_ms=$2; fi
	done
	if [ -n "$best" ]; then
		search_row=1
		row "incremental patient search, per keystroke, $search_n patients ($keys_n keystrokes; wall)" "≤ 5 ms" \
			"$best ms" "—" "$(verdict "$best" le 5)"
		row "… with it: start to home screen / opening the list (wall, $search_n patients)" "—" \
			"$home_ms ms / $list_ms ms" "\`demo --patients $search_n\`: $demo_s s (once)" "—"
	fi
fi
[ -n "$search_row" ] || row "incremental patient search, per keystroke, $search_n patients" "≤ 5 ms" "non mesuré (strace absent ou en échec)" "—" "—"

# ------------------------------------------------------------------ 6. entry add batch

say "enregistrements par la ligne de commande ($saves)…"
dbcopy "$db10k" "$tmp/add.db"
dbcopy "$db10k" "$tmp/base1.db"
dbcopy "$db10k" "$tmp/base2.db"
sqlite3 "$tmp/add.db" "SELECT pseudonym FROM patients ORDER BY id LIMIT $saves" >"$tmp/pats"
e0=$(sqlite3 "$tmp/add.db" 'SELECT coalesce(max(id), 0) FROM entries')
a0=$(sqlite3 "$tmp/add.db" 'SELECT coalesce(max(id), 0) FROM audit_log')
fields='q1=2 q2=1 q3=1 q4=0 q5=0 q6=0 q7=1 q8=0 q9=0 q10=2'
cat >"$tmp/add.sh" <<-EOF
	for p in \$(cat '$tmp/pats'); do
		'$bin' --db "\$1" entry add "\$p" audit --date "\$2" $fields >/dev/null || exit 1
	done
EOF
t0=$(date +%s%N)
/usr/bin/time -f '%U %S' -o "$tmp/add.cpu" sh "$tmp/add.sh" "$tmp/add.db" 2026-11-20
add_ms=$((($(date +%s%N) - t0) / 1000000))
add_rate=$(div $((saves * 1000)) $add_ms 0)
add_cpu=$(awk -v n=$saves '{ printf "%.1f", ($1 + $2) * 1000 / n }' "$tmp/add.cpu")
# fsyncs per save: on a fresh copy, one save to create the WAL (its first write also syncs the
# WAL header and the directory), then twenty saves counted.
fs_add=n/a
nfs=20 # saves counted (fewer when BENCH_SAVES is small)
[ "$saves" -gt 21 ] || nfs=$((saves - 1))
if [ $have_strace = 1 ] && [ $nfs -gt 0 ]; then
	sed -n "2,$((nfs + 1))p" "$tmp/pats" >"$tmp/pats20"
	sed "s#$tmp/pats#$tmp/pats20#" "$tmp/add.sh" >"$tmp/add20.sh"
	dbcopy "$db10k" "$tmp/fs.db"
	"$bin" --db "$tmp/fs.db" entry add "$(head -1 "$tmp/pats")" audit --date 2026-11-20 $fields >/dev/null
	strace -f -c -e trace=fsync,fdatasync -o "$tmp/add.strace" sh "$tmp/add20.sh" "$tmp/fs.db" 2026-11-20 >/dev/null 2>&1 &&
		fs_add=$(awk -v k=$nfs '$NF == "fsync" || $NF == "fdatasync" { n += $4 } END { printf "%.2f", n / k }' "$tmp/add.strace")
	rm -f "$tmp/fs.db"*
fi

# The same saves as one `entry add --batch` process (one line per save, the same words), on
# its own copy: forms loaded and database opened once, each save still its own transaction.
dbcopy "$db10k" "$tmp/batch.db"
sed "s/\$/ audit --date 2026-11-20 $fields/" "$tmp/pats" >"$tmp/batch.txt"
t0=$(date +%s%N)
/usr/bin/time -f '%U %S' -o "$tmp/batch.cpu" "$bin" --db "$tmp/batch.db" entry add --batch "$tmp/batch.txt" >"$tmp/batch.ids"
batch_ms=$((($(date +%s%N) - t0) / 1000000))
[ "$(wc -l <"$tmp/batch.ids")" -eq "$saves" ] || say "attention : entry add --batch n'a pas enregistré $saves entrées"
batch_rate=$(div $((saves * 1000)) $batch_ms 0)
batch_cpu=$(awk -v n=$saves '{ printf "%.2f", ($1 + $2) * 1000 / n }' "$tmp/batch.cpu")
rm -f "$tmp/batch.db"*
# fsyncs per save in the batch: after one save that creates the WAL, all the saves in one
# process (the directory sync of the connection is paid once, as in the sqlite3 baseline).
fs_batch=n/a
if [ $have_strace = 1 ]; then
	dbcopy "$db10k" "$tmp/fs.db"
	"$bin" --db "$tmp/fs.db" entry add "$(head -1 "$tmp/pats")" audit --date 2026-11-20 $fields >/dev/null
	strace -f -c -e trace=fsync,fdatasync -o "$tmp/batch.strace" \
		"$bin" --db "$tmp/fs.db" entry add --batch "$tmp/batch.txt" >/dev/null 2>&1 &&
		fs_batch=$(awk -v k=$saves '$NF == "fsync" || $NF == "fdatasync" { n += $4 } END { printf "%.2f", n / k }' "$tmp/batch.strace")
	rm -f "$tmp/fs.db"*
fi

# The baseline: the very rows recueil wrote, one transaction per save, through the sqlite3 CLI
# with the same pragmas (WAL is in the file; synchronous=FULL, foreign keys; no checkpoint on
# close, as recueil).
{
	for id in $(sqlite3 "$tmp/add.db" "SELECT id FROM entries WHERE id > $e0 ORDER BY id"); do
		echo ".print BEGIN IMMEDIATE;"
		for t in entries:id form_audit:entry_id entry_missing:entry_id entry_confirmations:entry_id alerts:entry_id; do
			echo ".mode insert ${t%%:*}"
			echo "SELECT * FROM ${t%%:*} WHERE ${t#*:} = $id;"
		done
		echo ".mode insert audit_log"
		echo "SELECT * FROM audit_log WHERE id > $a0 AND entry_uuid = (SELECT uuid FROM entries WHERE id = $id);"
		echo ".print COMMIT;"
		echo ".print -- save"
	done
} >"$tmp/gen.sql"
sqlite3 -batch -init /dev/null "$tmp/add.db" <"$tmp/gen.sql" >"$tmp/rows.sql" 2>/dev/null
mkdir -p "$tmp/saves"
printf '.dbconfig no_ckpt_on_close on\nPRAGMA foreign_keys=ON;\nPRAGMA synchronous=FULL;\nPRAGMA busy_timeout=10000;\n' >"$tmp/head.sql"
awk -v dir="$tmp/saves" -v head="$tmp/head.sql" '
	BEGIN { n = 1; while ((getline l < head) > 0) h = h l "\n" }
	!started { f = sprintf("%s/%05d.sql", dir, n); printf "%s", h > f; started = 1 }
	/^-- save$/ { close(f); n++; started = 0; next }
	{ print > f }' "$tmp/rows.sql"
nsql=$(ls "$tmp/saves" | wc -l)
cat >"$tmp/base.sh" <<-EOF
	for f in '$tmp'/saves/*.sql; do sqlite3 -batch -init /dev/null "\$1" <"\$f" >/dev/null || exit 1; done
EOF
t0=$(date +%s%N)
/usr/bin/time -f '%U %S' -o "$tmp/base.cpu" sh "$tmp/base.sh" "$tmp/base1.db"
base_ms=$((($(date +%s%N) - t0) / 1000000))
base_rate=$(div $((nsql * 1000)) $base_ms 0)
base_cpu=$(awk -v n=$nsql '{ printf "%.1f", ($1 + $2) * 1000 / n }' "$tmp/base.cpu")
# single process: every save its own transaction, one sqlite3
{
	cat "$tmp/head.sql"
	for f in "$tmp"/saves/*.sql; do grep -v -e '^\.dbconfig' -e '^PRAGMA' "$f"; done
} >"$tmp/all.sql"
t0=$(date +%s%N)
sqlite3 -batch -init /dev/null "$tmp/base2.db" <"$tmp/all.sql" >/dev/null
one_ms=$((($(date +%s%N) - t0) / 1000000))
one_rate=$(div $((nsql * 1000)) $one_ms 0)
fs_base=n/a fs_one=n/a
if [ $have_strace = 1 ] && [ $nfs -gt 0 ]; then
	dbcopy "$db10k" "$tmp/fs.db"
	sqlite3 -batch -init /dev/null "$tmp/fs.db" <"$tmp/saves/00001.sql" >/dev/null
	ls "$tmp"/saves/*.sql | sed -n "2,$((nfs + 1))p" | sed "s#.*#sqlite3 -batch -init /dev/null '$tmp/fs.db' <'&' >/dev/null#" >"$tmp/fs20.sh"
	strace -f -c -e trace=fsync,fdatasync -o "$tmp/base.strace" sh "$tmp/fs20.sh" >/dev/null 2>&1 &&
		fs_base=$(awk -v k=$nfs '$NF == "fsync" || $NF == "fdatasync" { n += $4 } END { printf "%.2f", n / k }' "$tmp/base.strace")
	rm -f "$tmp/fs.db"*
	dbcopy "$db10k" "$tmp/fs.db"
	strace -f -c -e trace=fsync,fdatasync -o "$tmp/one.strace" sqlite3 -batch -init /dev/null "$tmp/fs.db" <"$tmp/all.sql" >/dev/null 2>&1 &&
		fs_one=$(awk -v n=$nsql '$NF == "fsync" || $NF == "fdatasync" { c += $4 } END { printf "%.2f", c / n }' "$tmp/one.strace")
	rm -f "$tmp/fs.db"*
fi
[ "$nsql" = "$saves" ] || say "attention : $nsql transactions reconstituées pour $saves enregistrements"
row "\`entry add\` batch through the CLI, one process per save, synchronous=FULL (wall; CPU per save)" "≥ 200 saves/s" \
	"$add_rate saves/s ($add_cpu ms CPU)" "sqlite3 CLI, same rows, one process per save: $base_rate saves/s ($base_cpu ms CPU); one process: $one_rate saves/s" \
	"$(verdict "$add_rate" ge 200)"
row "… fsyncs per save (fsync + fdatasync, strace -f)" "≤ 2" "$fs_add" \
	"sqlite3 CLI: $fs_base per process, $fs_one in one process" "$(verdict "$fs_add" le 2)"
row "\`entry add --batch\`, the same $saves saves in one process, synchronous=FULL (wall; CPU per save)" "≥ 200 saves/s" \
	"$batch_rate saves/s ($batch_cpu ms CPU)" "sqlite3 CLI, same rows, one process: $one_rate saves/s" \
	"$(verdict "$batch_rate" ge 200)"
row "… fsyncs per save, \`entry add --batch\` (strace -f)" "≤ 2" "$fs_batch" \
	"sqlite3 CLI, one process: $fs_one" "$(verdict "$fs_batch" le 2)"

# ------------------------------------------------------------------ 7-8. export

say "export…"
printf 'BENCH-PASS-PHRASE-0000\n' >"$tmp/pass"
tables=$(sqlite3 "$tmp/c10k.db" "SELECT DISTINCT form FROM form_columns" | tr '\n' ' ')
{
	echo "for t in $tables; do"
	echo "sqlite3 -csv -header '$tmp/c10k.db' \"SELECT e.uuid, p.pseudonym, e.date, e.form_version, e.status, f.* FROM entries e"
	echo " JOIN patients p ON p.id = e.patient_id JOIN \\\"form_\$t\\\" f ON f.entry_id = e.id\""
	echo "done | gzip -6 >'$tmp/base.csv.gz'"
} >"$tmp/csvgz.sh"
exp_ok=0
if [ $have_hf = 1 ]; then
	hyperfine -w 1 -r 3 -n csvgz --export-csv "$tmp/e1.csv" "sh '$tmp/csvgz.sh'" >"$tmp/exp.log" 2>&1 &&
		hyperfine -w 1 -r 3 -N -n export --prepare "rm -f '$tmp/x.zip'" --export-csv "$tmp/e2.csv" \
			"'$bin' --db '$tmp/c10k.db' export --period 2000-01-01..2026-12-31 --out '$tmp/x.zip' --passphrase-file '$tmp/pass' --accept-issues bench" \
			>"$tmp/exp.log" 2>&1 && exp_ok=1
	if [ $exp_ok = 1 ]; then
		b=$(awk -F, 'NR == 2 { print $2 * 1000 }' "$tmp/e1.csv") bc=$(awk -F, 'NR == 2 { print ($5 + $6) * 1000 }' "$tmp/e1.csv")
		x=$(awk -F, 'NR == 2 { print $2 * 1000 }' "$tmp/e2.csv") xc=$(awk -F, 'NR == 2 { print ($5 + $6) * 1000 }' "$tmp/e2.csv")
	fi
else
	t0=$(now_ms)
	sh "$tmp/csvgz.sh" && b=$(($(now_ms) - t0)) && t0=$(now_ms) &&
		"$bin" --db "$tmp/c10k.db" export --period 2000-01-01..2026-12-31 --out "$tmp/x.zip" \
			--passphrase-file "$tmp/pass" --accept-issues bench >/dev/null 2>&1 &&
		x=$(($(now_ms) - t0)) && exp_ok=1 && bc=n/a xc=n/a
fi
if [ $exp_ok = 1 ]; then
	ratio=$(div "$x" "$b" 2)
	row "export of all entries ($entries10k), encrypted zip (wall; CPU)" "≤ 1.2×" \
		"$ratio× ($(div "$x" 1000 2) s; $(div "$xc" 1000 2) s CPU)" \
		"\`sqlite3 -csv\` \| \`gzip -6\`: $(div "$b" 1000 2) s; $(div "$bc" 1000 2) s CPU" "$(verdict "$ratio" le 1.2)"
else
	cat "$tmp/exp.log" >&2 2>/dev/null || true
	row "export of all entries, encrypted zip" "≤ 1.2×" "échec" "—" "—"
fi
rm -f "$tmp/x.zip"
rss_exp() { # rss_exp DB: peak RSS (KiB) of an encrypted export of DB
	dbcopy "$1" "$tmp/rx.db"
	# Open it once first: a cached database older than the program is migrated then (schema
	# changes are not the export's memory).
	"$bin" --db "$tmp/rx.db" check >/dev/null 2>&1 || true
	/usr/bin/time -f %M -o "$tmp/rx.rss" "$bin" --db "$tmp/rx.db" export --period 2000-01-01..2026-12-31 \
		--out "$tmp/rx.zip" --passphrase-file "$tmp/pass" --accept-issues bench >/dev/null 2>&1 &&
		tail -1 "$tmp/rx.rss"
	rm -f "$tmp/rx.db"* "$tmp/rx.zip"
}
m_small=$(rss_exp "$db400" || echo n/a)
m_big=$(rss_exp "$db10k" || echo n/a)
if [ "$m_small" != n/a ] && [ "$m_big" != n/a ]; then
	grow=$(div $((m_big - m_small)) 1024 2)
	row "export peak RSS, $entries400 vs $entries10k entries" "grows ≤ 1 MiB" \
		"$(kib "$m_small") → $(kib "$m_big") MiB (+$grow MiB)" "—" "$(verdict "$grow" le 1)"
else
	row "export peak RSS, $entries400 vs $entries10k entries" "grows ≤ 1 MiB" "échec" "—" "—"
fi

# ------------------------------------------------------------------ 9. import

# import_row EACH TARGET — bench/import_bench.sh for 150 structures of EACH patients (archives kept
# in bench/out/import-EACH/, made again when the program's version or schema changes). The figure
# is the import into an empty regional database; the baseline, 150 × `recueil verify` of the same
# archives (reading, decrypting and checking them without writing anything); the replacement of
# every snapshot by the next export is in the notes below the table.
import_row() {
	each=$1 target=$2
	label="import of 150 snapshot archives of $each patients, bench/import_bench.sh"
	say "import, 150 × $each patients (bench/import_bench.sh)…"
	imp_rc=0
	IMPORT_BENCH_DIR="$out/import-$each" sh bench/import_bench.sh "$bin" 150 "$each" >"$tmp/import-$each.out" 2>&1 ||
		imp_rc=$?
	# Its lines "import de N archives (base vide)   X.XX s   Y.YY s   M Kio" and "N × recueil
	# verify   X.XX s …" are the figures, even when a later step of that script fails.
	imp=$(awk '/^import de/ { for (i = 1; i < NF; i++) if ($(i + 1) == "s") { print $i; exit } }' "$tmp/import-$each.out" | tr ',' '.')
	ver=$(awk '/recueil verify/ { for (i = 1; i < NF; i++) if ($(i + 1) == "s") { print $i; exit } }' "$tmp/import-$each.out" | tr ',' '.')
	if [ -n "$imp" ]; then
		note=
		[ $imp_rc = 0 ] || note=" (bench/import_bench.sh a échoué ensuite, code $imp_rc)"
		row "$label" "≤ $target s" "$imp s$note" "150 × verify: ${ver:-?} s" "$(verdict "$imp" le "$target")"
	else
		row "$label" "≤ $target s" "échec de bench/import_bench.sh (code $imp_rc)" "—" "—"
	fi
}
if [ -f bench/import_bench.sh ]; then
	import_row 40 3
	import_row 300 15
else
	row "import of 150 snapshot archives" "≤ 3 s, ≤ 15 s" "non mesuré" "—" "—"
fi

# ------------------------------------------------------------------ 9c. the report

# bench/report_bench.sh: a year's report on a regional database of 150 structures (made once,
# kept in bench/out), and in the interface on the 10,000-patient database; each line is
# "label<TAB>wall<TAB>CPU<TAB>baseline", the baseline being sqlite3 reading once the index and
# the form tables the report reads.
if [ -f bench/report_bench.sh ]; then
	say "rapport (bench/report_bench.sh)…"
	if sh bench/report_bench.sh "$bin" "$db10k" >"$tmp/report.out" 2>"$tmp/report.err"; then
		while IFS='	' read -r label wall cpu base; do
			case $label in
			*regional*text*) target="≤ 1 s" v=$wall ;;
			*interface*) target="≤ 0.5 s" v=$wall ;;
			*) target="—" v= ;;
			esac
			cpu_text=
			[ "$cpu" = "—" ] || cpu_text="; $cpu s CPU"
			verdict_text="—"
			[ -z "$v" ] || verdict_text=$(verdict "$v" le "${target#≤ }")
			base_text="—"
			[ "$base" = "—" ] || base_text="sqlite3, one pass over what it reads: $base s"
			row "$label (wall$cpu_text)" "$target" "$wall s$cpu_text" "$base_text" "$verdict_text"
		done <"$tmp/report.out"
	else
		cat "$tmp/report.err" >&2
		row "a year's report (bench/report_bench.sh)" "≤ 1 s / ≤ 0.5 s" "échec" "—" "—"
	fi
fi

# ------------------------------------------------------------------ 9b. age encryption

# The format of the public-key exports (src/core/age.c), alone: 64 MiB encrypted and decrypted in
# memory by tests/tools/cryptotool. Baseline: the age program on the same amount, from a file.
say "chiffrement age…"
if cmake --build "$build" -j2 --target cryptotool >"$tmp/build-ct.log" 2>&1; then
	ct=$("$build/tests/cryptotool" bench 64 2>&1) || ct=
	enc=$(printf '%s\n' "$ct" | sed -n 's/^age encrypt 64 MiB: \([0-9.]*\) MiB\/s$/\1/p')
	dec=$(printf '%s\n' "$ct" | sed -n 's/^age decrypt 64 MiB: \([0-9.]*\) MiB\/s$/\1/p')
	base="—"
	if need age age && age-keygen -o "$tmp/age.key" 2>/dev/null; then
		head -c 67108864 /dev/urandom >"$tmp/age.in"
		recipient=$(age-keygen -y "$tmp/age.key")
		t0=$(now_ms)
		if age -r "$recipient" -o /dev/null "$tmp/age.in"; then
			base="\`age -r\` $(age --version), same 64 MiB from a file: $(div 64000 $(($(now_ms) - t0)) 0) MiB/s"
		fi
		rm -f "$tmp/age.in"
	fi
	row "age encryption throughput, 64 MiB in memory (decryption in brackets)" "report" \
		"${enc:-échec} MiB/s (${dec:-échec} MiB/s)" "$base" "—"
else
	cat "$tmp/build-ct.log" >&2
	row "age encryption throughput" "report" "échec de compilation de cryptotool" "—" "—"
fi

# ------------------------------------------------------------------ 10. size

cp "$bin" "$tmp/recueil.stripped"
strip "$tmp/recueil.stripped"
size=$(wc -c <"$tmp/recueil.stripped" | tr -d ' ')
row "stripped binary size (Release, $(uname -m))" "≤ 400 KiB" "$(div "$size" 1024 0) KiB" "—" "$(verdict "$(div "$size" 1024 1)" le 400)"

# ------------------------------------------------------------------ table

{
	echo "recueil $(git -C "$root" describe --always --dirty 2>/dev/null || echo '?'), $(date -u +%Y-%m-%dT%H:%MZ)"
	echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "databases: $entries10k entries ($(sqlite3 "$db10k" 'SELECT count(*) FROM patients') patients, \`demo --patients 10000\` took $(div "$(cat "$out/demo-10000.ms")" 1000 0) s once); search: $search_n patients"
	echo
	echo "| measure | target | recueil | baseline (same run) | verdict |"
	echo "|---|---|---|---|---|"
	cat "$rows"
	for f in "$tmp"/import-*.out; do
		[ -f "$f" ] && { echo; echo "bench/import_bench.sh ($(basename "$f" .out)):"; sed 's/^/    /' "$f"; }
	done
} | tee "$out/last-run.md"
}
