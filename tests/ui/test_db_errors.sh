# The database goes wrong under the interface. Deleted while a form is being filled: the save
# is refused with a message naming the file, nothing is acknowledged, and what was typed is
# kept in a private rescue file beside it. At start, a file that is not recueil's (not SQLite,
# another application's SQLite, a newer schema) or that this user cannot write (read-only
# file, read-only directory): one French line naming the file and what to do, the sysexits code,
# the terminal untouched and the file unchanged.
. "$TESTS/ui/lib.sh"
need sqlite3
start_tmux
init_db
pseudo=$("$RECUEIL" patient add sexe=F annee_naissance=1990)
nth() { patient_forms "$SRC/forms" | grep -n "^$1\.yaml" | cut -d: -f1; }

# ---- deleted under a running interface
tmux -L "$TMUX_SOCK" new-session -d -s t -x 100 -y 30 \
	"env RECUEIL_DB='$RECUEIL_DB' RECUEIL_FORMS='$RECUEIL_FORMS' RECUEIL_TODAY=$RECUEIL_TODAY HOME='$T' '$RECUEIL'; echo \"fin rc=\$?\"; sleep 60"
wait_pane t "Patients suivis"
tmux -L "$TMUX_SOCK" send-keys -t t p
wait_pane t "Chercher"
tmux -L "$TMUX_SOCK" send-keys -t t "$pseudo" Enter
wait_pane t "Suivi ("
tmux -L "$TMUX_SOCK" send-keys -t t n
wait_pane t "quel formulaire"
tmux -L "$TMUX_SOCK" send-keys -t t "$(nth contact)" 1 1 1
wait_pane t "▸ Durée"
tmux -L "$TMUX_SOCK" send-keys -t t 25 Tab Tab "note-perdue-42"
wait_pane t "note-perdue-42"
rm -f "$RECUEIL_DB"
tmux -L "$TMUX_SOCK" send-keys -t t F2
wait_pane t "NON enregistrée"
pane=$(tmux -L "$TMUX_SOCK" capture-pane -p -J -t t)
for part in "$RECUEIL_DB" "supprimée" "copié dans"; do
	echo "$pane" | tr -d '\n' | grep -qF -- "$part" || { echo "$pane" >&2; fail "message : « $part » attendu"; }
done
echo "$pane" | grep -q "enregistrée (" && { echo "$pane" >&2; fail "aucune sauvegarde ne doit être annoncée"; }
rescue=$(ls "$RECUEIL_DB".sauvetage-* 2>/dev/null | head -1)
[ -n "$rescue" ] || fail "fichier de sauvetage attendu à côté de la base"
[ "$(stat -c %a "$rescue")" = 600 ] || fail "le fichier de sauvetage doit être privé (0600)"
grep -qx "notes=note-perdue-42" "$rescue" || { cat "$rescue" >&2; fail "la note tapée doit être dans le sauvetage"; }
grep -qx "duree_min=25" "$rescue" || { cat "$rescue" >&2; fail "la durée tapée doit être dans le sauvetage"; }
grep -qx "patient=$pseudo" "$rescue" || fail "le patient doit être nommé dans le sauvetage"
# the values stay on screen; leaving writes no draft into a ghost and says nothing is lost
tmux -L "$TMUX_SOCK" send-keys -t t Enter
wait_pane t "note-perdue-42"
tmux -L "$TMUX_SOCK" send-keys -t t F10
wait_pane t "Quitter recueil"
tmux -L "$TMUX_SOCK" send-keys -t t o
wait_pane t "fin rc="
[ ! -e "$RECUEIL_DB" ] || fail "la base supprimée ne doit pas être recréée en douce"
grep -qx "notes=note-perdue-42" "$rescue" || fail "le sauvetage doit rester après la sortie"
tmux -L "$TMUX_SOCK" kill-session -t t

# ---- files refused at start: the interface never starts, the file is left as it was
init_db
printf '<Dump><F10>' >"$T/keys"
# sums DB: the checksums of the file and of its WAL, when there is one (SQLite may add an empty
# -wal and an -shm index when it reads a WAL-mode file; what they hold must not change).
sums() {
	cksum "$1"
	[ ! -s "$1-wal" ] || cksum "$1-wal"
}
# start_refused DESC CODE PART DB [RUNNER…]: the interface on DB exits with CODE, one stderr line
# naming DB and holding PART, no screen, the file unchanged.
start_refused() {
	desc=$1 code=$2 part=$3 db=$4
	shift 4
	before=$(sums "$db")
	rm -f "$T/screens"
	rc=0
	"$@" env RECUEIL_DB="$db" RECUEIL_KEYS="$T/keys" RECUEIL_SCREEN_DUMP="$T/screens" HOME="$T" \
		"$RECUEIL" 2>"$T/err" || rc=$?
	[ "$rc" -eq "$code" ] || { cat "$T/err" >&2; fail "$desc : code $rc, attendu $code"; }
	[ "$(wc -l <"$T/err")" -eq 1 ] || { cat "$T/err" >&2; fail "$desc : une seule ligne attendue"; }
	grep -qF -- "$db :" "$T/err" || { cat "$T/err" >&2; fail "$desc : le fichier doit être nommé"; }
	grep -qF -- "$part" "$T/err" || { cat "$T/err" >&2; fail "$desc : « $part » attendu"; }
	[ ! -e "$T/screens" ] || fail "$desc : l'interface ne doit pas démarrer"
	[ "$(sums "$db")" = "$before" ] || fail "$desc : fichier modifié"
}
printf 'ceci est un compte rendu, pas une base\n' >"$T/notes.txt"
start_refused "pas SQLite" 65 "pas une base SQLite" "$T/notes.txt"
sqlite3 "$T/autre.db" "PRAGMA application_id=1179076932; CREATE TABLE t(x); INSERT INTO t VALUES (1)"
start_refused "SQLite d'une autre application" 65 "autre application" "$T/autre.db"
cp "$RECUEIL_DB" "$T/futur.db"
[ -e "$RECUEIL_DB-wal" ] && cp "$RECUEIL_DB-wal" "$T/futur.db-wal"
sqlite3 "$T/futur.db" "PRAGMA user_version=99"
start_refused "version plus récente" 65 "version plus récente" "$T/futur.db"

# Read-only cases: root ignores file modes, so they run as an unprivileged user when root.
if [ "$(id -u)" -eq 0 ]; then
	command -v setpriv >/dev/null || { echo "setpriv absent : cas en lecture seule non vérifiés" >&2; exit 77; }
	as_user() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
	owner=65534
else
	as_user() { "$@"; }
	owner=$(id -u)
fi
chmod 755 "$T"
mkdir "$T/ro" "$T/rodir"
for d in ro rodir; do
	for f in "$RECUEIL_DB" "$RECUEIL_DB-wal"; do [ ! -e "$f" ] || cp "$f" "$T/$d/"; done
	sqlite3 "$T/$d/recueil.db" "INSERT INTO users(login, role, created_at, created_by) SELECT '$(as_user id -un)', 'saisie', created_at, login FROM users LIMIT 1; PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
	rm -f "$T/$d/recueil.db-wal" "$T/$d/recueil.db-shm"
	chown "$owner" "$T/$d/recueil.db"
done
chmod 777 "$T/ro" && chmod 400 "$T/ro/recueil.db"
chmod 555 "$T/rodir" && chmod 600 "$T/rodir/recueil.db"
start_refused "base en lecture seule" 77 "lecture seule" "$T/ro/recueil.db" as_user
[ -z "$(ls "$T/ro" | grep -v '^recueil.db$')" ] || fail "rien ne doit être créé à côté de la base en lecture seule"
start_refused "dossier en lecture seule" 77 "dossier $T/rodir est en lecture seule" "$T/rodir/recueil.db" as_user
echo "ok"
