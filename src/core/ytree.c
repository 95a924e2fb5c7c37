/* ytree.c — libyaml events to a positioned tree, refusing what form files have no use for. */
#include "core/ytree.h"

#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "core/util.h"

/* A tree's nodes, texts and child arrays come from one arena that its root owns: reading a form
 * file makes some ten thousand small objects, and allocating and freeing them one by one cost a
 * third of the time spent turning the YAML into a tree, at every start of the program. The
 * arena is a list of blocks; the first object of the first block is the root, and the header of
 * that block names it, so that ytree_free(root) finds the arena without a field in ynode. */
typedef struct yblock yblock;
struct yblock {
	yblock *next;
	const ynode *root; /* first block only: the root, whose ytree_free frees the arena */
	size_t used, cap;
	_Alignas(16) unsigned char data[];
};

enum { YBLOCK_SIZE = 16384 - 64 };

typedef struct {
	const char *name;
	const char *buf;
	size_t len;
	yaml_parser_t parser;
	char *why;
	yblock *arena; /* the block being filled; older ones follow ->next */
	yblock *first;
} reader;

/* n bytes from the reader's arena, zeroed, aligned for any ynode member. */
static void *arena_alloc(reader *r, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	yblock *b = r->arena;
	if (!b || b->cap - b->used < n) {
		size_t cap = n > YBLOCK_SIZE ? n : YBLOCK_SIZE;
		yblock *nb = xcalloc(1, sizeof *nb + cap);
		nb->cap = cap;
		if (!r->first) {
			r->first = nb;
		} else if (n > YBLOCK_SIZE && b) {
			/* A big request gets a block of its own, kept behind the current one. */
			nb->next = b->next;
			b->next = nb;
			nb->used = n;
			return nb->data;
		} else {
			/* Blocks after the first are linked behind it, in any order. */
			nb->next = r->first->next;
			r->first->next = nb;
		}
		r->arena = b = nb;
	}
	void *p = b->data + b->used;
	b->used += n;
	return p;
}

static void arena_free(yblock *first)
{
	while (first) {
		yblock *next = first->next;
		free(first);
		first = next;
	}
}

static ynode *node_new(reader *r, ynode_kind kind, yaml_mark_t mark)
{
	ynode *n = arena_alloc(r, sizeof *n);
	n->kind = kind;
	n->line = (int)mark.line + 1;
	n->col = (int)mark.column + 1;
	return n;
}

/* Frees a whole tree given its root; any other node belongs to its root and is left alone (the
 * block header in front of a node that is not a root never names it). */
void ytree_free(ynode *n)
{
	if (!n)
		return;
	yblock *b = (yblock *)(void *)((unsigned char *)n - offsetof(yblock, data));
	if (b->root == n)
		arena_free(b);
}

ynode *ytree_get(const ynode *map, const char *key)
{
	if (!map || map->kind != Y_MAP)
		return NULL;
	for (size_t i = 0; i < map->n; i++)
		if (strcmp(map->keys[i]->str, key) == 0)
			return map->items[i];
	return NULL;
}

static void fail_at(reader *r, int line, int col, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void fail_at(reader *r, int line, int col, const char *fmt, ...)
{
	if (r->why)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	r->why = xasprintf("%s:%d:%d: %s", r->name, line, col, msg);
	free(msg);
}

static void fail_mark(reader *r, yaml_mark_t m, const char *msg)
{
	fail_at(r, (int)m.line + 1, (int)m.column + 1, "%s", msg);
}

/* libyaml reports encoding errors with a byte offset only: find the line and column. */
static void offset_to_position(const reader *r, size_t offset, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < offset && i < r->len; i++) {
		if (r->buf[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)r->buf[i] & 0xC0) != 0x80) {
			(*col)++;
		}
	}
}

static const char *translate_problem(const char *p)
{
	static const struct {
		const char *en, *fr;
	} table[] = {
	    {"mapping values are not allowed in this context",
	     "« : » inattendu ici (valeur à mettre entre guillemets ?)"},
	    {"did not find expected key", "indentation incohérente (clé attendue à cette colonne)"},
	    {"did not find expected '-' indicator",
	     "indentation incohérente (ni alignée sur la ligne du dessus, ni élément de liste « - »)"},
	    {"found character that cannot start any token",
	     "caractère qui ne peut commencer aucun élément (tabulation ?)"},
	    {"found unexpected end of stream",
	     "fin de fichier inattendue (guillemet ou crochet non fermé ?)"},
	    {"did not find expected node content", "valeur attendue"},
	    {"found undefined tag handle", "étiquette YAML inconnue"},
	    {"did not find expected ',' or ']'", "« , » ou « ] » attendu"},
	    {"did not find expected ',' or '}'", "« , » ou « } » attendu"},
	    {"found unknown escape character", "séquence d'échappement inconnue"},
	    {"found a tab character that violates indentation",
	     "tabulation dans l'indentation : utiliser des espaces"},
	    {"could not find expected ':'", "« : » attendu"},
	    {"found a tab character where an indentation space is expected",
	     "tabulation dans l'indentation : utiliser des espaces"},
	};
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (strcmp(p, table[i].en) == 0)
			return table[i].fr;
	return NULL;
}

/* Byte offset of a 1-based line and column (columns count characters, like libyaml's). */
static size_t position_to_offset(const reader *r, int line, int col)
{
	size_t i = 0;
	for (int l = 1; l < line && i < r->len; i++)
		if (r->buf[i] == '\n')
			l++;
	for (int c = 1; c < col && i < r->len && r->buf[i] != '\n'; c++) {
		i++;
		while (i < r->len && ((unsigned char)r->buf[i] & 0xC0) == 0x80)
			i++;
	}
	return i;
}

/* Constructs that libyaml names as the context of a problem, when pointing at their start says
 * more than pointing at where the parser gave up (often lines later). */
static const char *translate_context(const char *ctx)
{
	if (!ctx)
		return NULL;
	if (strcmp(ctx, "while parsing a flow mapping") == 0)
		return "accolade « { » ouverte ici et jamais refermée";
	if (strcmp(ctx, "while parsing a flow sequence") == 0)
		return "crochet « [ » ouvert ici et jamais refermé";
	if (strcmp(ctx, "while scanning a quoted scalar") == 0)
		return "guillemet ouvert ici et jamais refermé";
	return NULL;
}

/* "mapping values are not allowed" on a line that holds only "key:" more indented than the
 * line above: the key was meant to be aligned with the keys above it. Returns the key's
 * 1-based column, or 0. */
static int over_indented_key(const reader *r, yaml_mark_t m)
{
	size_t at = position_to_offset(r, (int)m.line + 1, (int)m.column + 1);
	size_t start = at;
	while (start > 0 && r->buf[start - 1] != '\n')
		start--;
	size_t i = start;
	while (i < at && r->buf[i] == ' ')
		i++;
	size_t indent = i - start;
	if (i == at)
		return 0;
	for (size_t k = i; k < at; k++)
		if (r->buf[k] == ' ' || r->buf[k] == '"' || r->buf[k] == '\'' || r->buf[k] == '#')
			return 0;
	/* The previous line that is neither blank nor a comment. */
	size_t end = start;
	while (end > 0) {
		size_t ls = end - 1;
		while (ls > 0 && r->buf[ls - 1] != '\n')
			ls--;
		size_t j = ls;
		while (j < end - 1 && r->buf[j] == ' ')
			j++;
		if (j < end - 1 && r->buf[j] != '#' && r->buf[j] != '\r')
			return indent > j - ls ? (int)indent + 1 : 0;
		end = ls;
	}
	return 0;
}

static void fail_parser(reader *r)
{
	yaml_parser_t *p = &r->parser;
	const char *problem = p->problem ? p->problem : "erreur de syntaxe";
	const char *fr = translate_problem(problem);
	if (p->error == YAML_READER_ERROR) {
		int line, col;
		offset_to_position(r, p->problem_offset, &line, &col);
		fail_at(r, line, col, "encodage invalide : le fichier doit être en UTF-8");
		return;
	}
	yaml_mark_t m = p->problem_mark, cm = p->context_mark;
	const char *ctx = translate_context(p->context);
	if (ctx && (cm.line != m.line || strcmp(problem, "found unexpected end of stream") == 0)) {
		/* Where the bracket or quote opens is where the mistake is. */
		if (strcmp(problem, "found unexpected end of stream") == 0)
			fail_at(r, (int)cm.line + 1, (int)cm.column + 1,
			        "syntaxe YAML : %s (fin du fichier atteinte)", ctx);
		else
			fail_at(r, (int)cm.line + 1, (int)cm.column + 1,
			        "syntaxe YAML : %s (%s ligne %d, colonne %d)", ctx, fr ? fr : problem,
			        (int)m.line + 1, (int)m.column + 1);
		return;
	}
	int key_col;
	if (strcmp(problem, "mapping values are not allowed in this context") == 0 &&
	    (key_col = over_indented_key(r, m)) > 0) {
		fail_at(
		    r, (int)m.line + 1, key_col,
		    "syntaxe YAML : clé plus en retrait que la ligne du dessus (indentation incohérente)");
		return;
	}
	if (fr)
		fail_at(r, (int)m.line + 1, (int)m.column + 1, "syntaxe YAML : %s", fr);
	else
		fail_at(r, (int)m.line + 1, (int)m.column + 1, "syntaxe YAML : %s", problem);
}

static bool next_event(reader *r, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&r->parser, ev)) {
		fail_parser(r);
		return false;
	}
	return true;
}

static bool refuse_decorations(reader *r, const yaml_event_t *ev)
{
	const yaml_char_t *anchor = NULL, *tag = NULL;
	bool implicit_tag = true;
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		anchor = ev->data.scalar.anchor;
		tag = ev->data.scalar.tag;
		implicit_tag = ev->data.scalar.plain_implicit || ev->data.scalar.quoted_implicit;
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
		implicit_tag = ev->data.sequence_start.implicit;
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
		implicit_tag = ev->data.mapping_start.implicit;
		break;
	case YAML_ALIAS_EVENT:
		fail_mark(r, ev->start_mark,
		          "les alias YAML (*nom) ne sont pas acceptés : écrire la valeur en entier");
		return false;
	default:
		return true;
	}
	if (anchor) {
		fail_mark(r, ev->start_mark, "les ancres YAML (&nom) ne sont pas acceptées");
		return false;
	}
	if (tag && !implicit_tag) {
		fail_mark(r, ev->start_mark, "les étiquettes YAML (!!type) ne sont pas acceptées");
		return false;
	}
	return true;
}

static ynode *read_node(reader *r, yaml_event_t *ev, int depth);

static ynode *read_scalar(reader *r, yaml_event_t *ev)
{
	const char *s = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	if (memchr(s, '\0', len)) {
		fail_mark(r, ev->start_mark, "caractère nul dans une valeur");
		return NULL;
	}
	ynode *n = node_new(r, Y_SCALAR, ev->start_mark);
	n->str = arena_alloc(r, len + 1);
	memcpy(n->str, s, len);
	n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
	return n;
}

/* Room for one more child; capacities double, so that a map or list of many thousand items
 * is not copied at each one (realloc moves blocks under the sanitizers). */
static void reserve_child(reader *r, ynode *n, bool is_map, size_t *cap)
{
	if (n->n < *cap)
		return;
	size_t old = *cap;
	*cap = *cap ? *cap * 2 : 4;
	ynode **items = arena_alloc(r, *cap * sizeof *items);
	if (old)
		memcpy(items, n->items, old * sizeof *items);
	n->items = items;
	if (is_map) {
		ynode **keys = arena_alloc(r, *cap * sizeof *keys);
		if (old)
			memcpy(keys, n->keys, old * sizeof *keys);
		n->keys = keys;
	}
}

/* The keys of one map being read, hashed: a map of many thousand keys must not cost a
 * quadratic duplicate check. Slots hold key index + 1, 0 when free. */
typedef struct {
	size_t *slots;
	size_t cap; /* a power of two, or 0 */
} keyset;

static size_t hash_str(const char *s)
{
	size_t h = 14695981039346656037u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

/* Adds map->keys[i]; returns the index of an earlier equal key, or (size_t)-1. */
static size_t keyset_add(keyset *ks, const ynode *map, size_t i)
{
	if (!ks->cap && i < 8) {
		/* Most maps have a few keys: comparing them is cheaper than a table. */
		for (size_t j = 0; j < i; j++)
			if (strcmp(map->keys[j]->str, map->keys[i]->str) == 0)
				return j;
		return (size_t)-1;
	}
	if (2 * (i + 1) > ks->cap) {
		size_t cap = ks->cap ? ks->cap * 2 : 16;
		free(ks->slots);
		ks->slots = xcalloc(cap, sizeof *ks->slots);
		ks->cap = cap;
		for (size_t j = 0; j < i; j++) {
			size_t h = hash_str(map->keys[j]->str) & (cap - 1);
			while (ks->slots[h])
				h = (h + 1) & (cap - 1);
			ks->slots[h] = j + 1;
		}
	}
	size_t h = hash_str(map->keys[i]->str) & (ks->cap - 1);
	while (ks->slots[h]) {
		if (strcmp(map->keys[ks->slots[h] - 1]->str, map->keys[i]->str) == 0)
			return ks->slots[h] - 1;
		h = (h + 1) & (ks->cap - 1);
	}
	ks->slots[h] = i + 1;
	return (size_t)-1;
}

static ynode *read_collection(reader *r, yaml_event_t *start, int depth)
{
	bool is_map = start->type == YAML_MAPPING_START_EVENT;
	yaml_event_type_t end = is_map ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT;
	if (depth >= YTREE_MAX_DEPTH) {
		fail_at(r, (int)start->start_mark.line + 1, (int)start->start_mark.column + 1,
		        "imbrication trop profonde (plus de %d niveaux)", YTREE_MAX_DEPTH);
		return NULL;
	}
	ynode *n = node_new(r, is_map ? Y_MAP : Y_SEQ, start->start_mark);
	keyset ks = {0};
	size_t cap = 0;
	for (;;) {
		yaml_event_t ev;
		if (!next_event(r, &ev))
			goto fail;
		if (ev.type == end) {
			yaml_event_delete(&ev);
			free(ks.slots);
			return n;
		}
		ynode *key = NULL;
		if (is_map) {
			if (ev.type != YAML_SCALAR_EVENT) {
				if (refuse_decorations(r, &ev))
					fail_mark(r, ev.start_mark, "une clé doit être un simple mot");
				yaml_event_delete(&ev);
				goto fail;
			}
			if (!refuse_decorations(r, &ev) || !(key = read_scalar(r, &ev))) {
				yaml_event_delete(&ev);
				goto fail;
			}
			yaml_event_delete(&ev);
			/* Added now so that the key set sees it; the item follows. */
			reserve_child(r, n, true, &cap);
			n->keys[n->n] = key;
			size_t prev = keyset_add(&ks, n, n->n);
			if (prev != (size_t)-1) {
				fail_at(r, key->line, key->col, "clé « %s » en double (déjà ligne %d)",
				        key->str, n->keys[prev]->line);
				ytree_free(key);
				goto fail;
			}
			if (!next_event(r, &ev)) {
				ytree_free(key);
				goto fail;
			}
		}
		ynode *item = read_node(r, &ev, depth + 1);
		yaml_event_delete(&ev);
		if (!item) {
			ytree_free(key);
			goto fail;
		}
		reserve_child(r, n, is_map, &cap);
		if (is_map)
			n->keys[n->n] = key;
		n->items[n->n++] = item;
	}
fail:
	free(ks.slots);
	ytree_free(n);
	return NULL;
}

/* ev is the event that starts the node; the caller deletes it. */
static ynode *read_node(reader *r, yaml_event_t *ev, int depth)
{
	if (!refuse_decorations(r, ev))
		return NULL;
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		return read_scalar(r, ev);
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		return read_collection(r, ev, depth);
	default:
		fail_mark(r, ev->start_mark, "élément YAML inattendu");
		return NULL;
	}
}

static ynode *read_document(reader *r)
{
	yaml_event_t ev;
	ynode *root = NULL;
	if (!next_event(r, &ev))
		return NULL;
	if (ev.type != YAML_STREAM_START_EVENT) {
		yaml_event_delete(&ev);
		fail_at(r, 1, 1, "début de flux YAML attendu");
		return NULL;
	}
	yaml_event_delete(&ev);
	if (!next_event(r, &ev))
		return NULL;
	if (ev.type == YAML_STREAM_END_EVENT) {
		yaml_event_delete(&ev);
		fail_at(r, 1, 1, "fichier vide");
		return NULL;
	}
	yaml_event_delete(&ev); /* document start */
	if (!next_event(r, &ev))
		return NULL;
	root = read_node(r, &ev, 0);
	yaml_event_delete(&ev);
	if (!root)
		return NULL;
	if (!next_event(r, &ev))
		goto fail; /* document end */
	yaml_event_delete(&ev);
	if (!next_event(r, &ev))
		goto fail;
	if (ev.type != YAML_STREAM_END_EVENT) {
		fail_mark(r, ev.start_mark, "un seul document par fichier (« --- » en trop)");
		yaml_event_delete(&ev);
		goto fail;
	}
	yaml_event_delete(&ev);
	return root;
fail:
	ytree_free(root);
	return NULL;
}

ynode *ytree_load_buffer(const char *name, const char *buf, size_t len, char **why)
{
	reader r = {.name = name, .buf = buf, .len = len};
	if (len > YTREE_MAX_BYTES) {
		set_why(why, "%s:1:1: fichier trop grand (%zu octets, au plus %d)", name, len,
		        YTREE_MAX_BYTES);
		return NULL;
	}
	size_t valid = utf8_valid_prefix(buf, len);
	if (valid < len) {
		int line, col;
		offset_to_position(&r, valid, &line, &col);
		set_why(why, "%s:%d:%d: encodage invalide : le fichier doit être en UTF-8", name, line, col);
		return NULL;
	}
	if (memchr(buf, '\0', len)) {
		int line, col;
		offset_to_position(&r, (size_t)((const char *)memchr(buf, '\0', len) - buf), &line, &col);
		set_why(why, "%s:%d:%d: caractère nul dans le fichier", name, line, col);
		return NULL;
	}
	if (!yaml_parser_initialize(&r.parser)) {
		set_why(why, "%s:1:1: mémoire insuffisante pour lire le YAML", name);
		return NULL;
	}
	yaml_parser_set_input_string(&r.parser, (const unsigned char *)buf, len);
	yaml_parser_set_encoding(&r.parser, YAML_UTF8_ENCODING);
	ynode *root = read_document(&r);
	yaml_parser_delete(&r.parser);
	/* The root is the first node made, at the start of the first block (see ytree_free). */
	assert(!root || (void *)root == (void *)r.first->data);
	if (root)
		r.first->root = root;
	else
		arena_free(r.first);
	if (!root) {
		if (why) {
			free(*why);
			*why = r.why ? r.why : xasprintf("%s:1:1: lecture impossible", name);
		} else {
			free(r.why);
		}
		return NULL;
	}
	free(r.why);
	return root;
}

ynode *ytree_load_file(const char *path, char **why)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		set_why(why, "%s:1:1: lecture impossible : %s", path, strerror(errno));
		return NULL;
	}
	strbuf sb = STRBUF_INIT;
	char chunk[65536];
	size_t got;
	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
		strbuf_add(&sb, chunk, got);
		if (sb.len > YTREE_MAX_BYTES)
			break;
	}
	bool err = ferror(f);
	struct stat st;
	bool sized = fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode);
	fclose(f);
	if (err) {
		set_why(why, "%s:1:1: lecture impossible", path);
		strbuf_done(&sb);
		return NULL;
	}
	if (sb.len > YTREE_MAX_BYTES) {
		/* Reading stopped past the cap: the message gives the file's real size. */
		if (sized)
			set_why(why, "%s:1:1: fichier trop grand (%lld octets, au plus %d)", path,
			        (long long)st.st_size, YTREE_MAX_BYTES);
		else
			set_why(why, "%s:1:1: fichier trop grand (plus de %d octets)", path, YTREE_MAX_BYTES);
		strbuf_done(&sb);
		return NULL;
	}
	ynode *root = ytree_load_buffer(path, strbuf_str(&sb), sb.len, why);
	strbuf_done(&sb);
	return root;
}
