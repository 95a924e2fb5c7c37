#!/bin/sh
# The #include lines of src/ against the layer table of docs/architecture.md: a file includes
# headers of its own layer and of the layers its row names, nothing above; a *_internal.h header
# only from its own directory; curses only in src/ui/; no "../" path. Every problem is printed as
# FILE:LINE: message; the exit status is 1 if there is any. The page is kept true the other way
# too: every source file it names (`core/form_read.c`, `src/main.c`) must exist. Needs SRC (CTest
# sets it).
set -eu
: "${SRC:?SRC must name the source tree}"
cd "$SRC"
doc=docs/architecture.md
[ -r "$doc" ] || {
	echo "$doc : illisible" >&2
	exit 1
}

# "layer path deps,…" for each row of the table (path: "core/" or "main.c").
table=$(awk -F '|' '/^\| *[a-z]+ *\| *`src\// {
	layer = $2; path = $3; deps = $4
	gsub(/[ `]/, "", layer); gsub(/[ `]/, "", path); sub(/^src\//, "", path)
	gsub(/[^a-z,]/, "", deps)
	print layer, path, (deps == "" ? "-" : deps)
}' "$doc")
[ -n "$table" ] || {
	echo "$doc : pas de table des couches" >&2
	exit 1
}

stale=0
for name in $(grep -oE '`(src/)?(core|store|export|session|ui|cli)/[a-z0-9_]+\.[ch]`|`src/main\.c`' "$doc" | tr -d '`' | sort -u); do
	case $name in src/*) ;; *) name=src/$name ;; esac
	if [ ! -f "$name" ]; then
		echo "$doc : $name n'existe pas (fichier renommé ou supprimé : mettre la page à jour)"
		stale=1
	fi
done

find src -type f \( -name '*.c' -o -name '*.h' \) | sort | awk -v table="$table" -v doc="$doc" '
BEGIN {
	n = split(table, rows, "\n")
	for (i = 1; i <= n; i++) {
		split(rows[i], f, " ")
		path_layer[f[2]] = f[1]
		allowed[f[1], f[1]] = 1
		if (f[3] != "-") {
			m = split(f[3], d, ",")
			for (k = 1; k <= m; k++)
				allowed[f[1], d[k]] = 1
		}
		is_layer[f[1]] = 1
	}
	bad = 0
}
function problem(file, line, msg) {
	printf "%s:%d: %s\n", file, line, msg
	bad = 1
}
{
	file = $0
	rel = substr(file, 5) # without "src/"
	slash = index(rel, "/")
	dir = slash ? substr(rel, 1, slash - 1) : ""
	layer = slash ? path_layer[dir "/"] : path_layer[rel]
	if (layer == "") {
		problem(file, 1, "fichier hors des couches de " doc)
		next
	}
	lineno = 0
	while ((getline text < file) > 0) {
		lineno++
		if (text !~ /^[ \t]*#[ \t]*include[ \t]*[<"]/)
			continue
		name = text
		sub(/^[ \t]*#[ \t]*include[ \t]*[<"]/, "", name)
		sub(/[>"].*$/, "", name)
		if (text ~ /include[ \t]*</) {
			if (name ~ /^(n?curses(w\/)?|ncursesw\/|form\.h|menu\.h|panel\.h|term\.h)/ && layer != "ui")
				problem(file, lineno, "<" name "> : seule la couche ui inclut curses (" doc ")")
			continue
		}
		if (name ~ /(^|\/)\.\.\//) {
			problem(file, lineno, "\"" name "\" : chemin relatif interdit, écrire \"couche/fichier.h\"")
			continue
		}
		if (index(name, "/") == 0)
			continue # a header beside the file, of its own layer
		target = substr(name, 1, index(name, "/") - 1)
		if (!is_layer[target]) {
			problem(file, lineno, "\"" name "\" : " target " n'\''est pas une couche de " doc)
			continue
		}
		if (!allowed[layer, target])
			problem(file, lineno, "\"" name "\" : la couche " layer " ne peut pas inclure " target " (" doc ")")
		if (name ~ /_internal\.h$/ && target != dir)
			problem(file, lineno, "\"" name "\" : en-tête interne à src/" target "/, pas pour src/" dir "/")
	}
	close(file)
}
END { exit bad }
' || stale=1
exit $stale
