/* test_reserved.c — the one list of reserved names (src/core/reserved.c) agrees with the table
 * of docs/forms.md, covers every table of schema/ (as a form id: a form's table is form_<id>)
 * and every column of the form_* tables of schema/ (as a field id), the columns every CSV of an
 * export begins with and the files of the archive. */
#include <ctype.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/reserved.h"
#include "core/util.h"
#include "export/export.h"
#include "harness.h"

/* The source tree: the parent of TEST_FORMS_DIR. */
static char *source_path(const char *rel)
{
	char *root = xstrdup(TEST_FORMS_DIR);
	char *slash = strrchr(root, '/');
	if (slash)
		*slash = '\0';
	char *p = xasprintf("%s/%s", root, rel);
	free(root);
	return p;
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		exit(2);
	}
	strbuf sb = STRBUF_INIT;
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		strbuf_add(&sb, buf, n);
	fclose(f);
	return strbuf_take(&sb);
}

/* "form", "field" or "form, field" as the docs write them. */
static unsigned uses_of(const char *text)
{
	return (strstr(text, "form") ? RESERVED_FORM : 0u) | (strstr(text, "field") ? RESERVED_FIELD : 0u);
}

/* Every row of the docs' table is an entry of the list with the same uses and reason, and
 * every entry of the list has its row. */
static void test_docs_agree(void)
{
	char *path = source_path("docs/forms.md");
	char *text = read_all(path);
	const char *begin = strstr(text, "<!-- reserved:begin -->"),
	           *end = strstr(text, "<!-- reserved:end -->");
	CHECK(begin && end && begin < end);
	if (!begin || !end) {
		free(text);
		free(path);
		return;
	}
	size_t rows = 0;
	bool *seen = calloc(reserved_count, sizeof *seen);
	for (const char *line = begin; line < end; line = strchr(line, '\n') + 1) {
		char name[64], uses[32], why[256];
		if (sscanf(line, "| `%63[a-z_]` | %31[a-z, ] | %255[^|\n]|", name, uses, why) != 3)
			continue;
		rows++;
		str_trim(uses);
		str_trim(why);
		const reserved_name *r = NULL;
		for (size_t i = 0; i < reserved_count; i++)
			if (strcmp(reserved_names[i].name, name) == 0) {
				r = &reserved_names[i];
				seen[i] = true;
			}
		if (!r) {
			fprintf(stderr, "docs/forms.md nomme « %s », absent de src/core/reserved.c\n", name);
			CHECK(r != NULL);
			continue;
		}
		if (r->uses != uses_of(uses) || strcmp(r->why, why) != 0)
			fprintf(stderr, "« %s » : docs « %s » / « %s », code %u / « %s »\n", name, uses, why,
			        r->uses, r->why);
		CHECK(r->uses == uses_of(uses));
		CHECK_STR(why, r->why);
	}
	for (size_t i = 0; i < reserved_count; i++) {
		if (!seen[i])
			fprintf(stderr, "« %s » manque au tableau de docs/forms.md\n",
			        reserved_names[i].name);
		CHECK(seen[i]);
	}
	CHECK(rows == reserved_count);
	free(seen);
	free(text);
	free(path);
}

/* The list is sorted, without duplicates, each name a valid id. */
static void test_list_sorted(void)
{
	for (size_t i = 1; i < reserved_count; i++)
		CHECK(strcmp(reserved_names[i - 1].name, reserved_names[i].name) < 0);
	for (size_t i = 0; i < reserved_count; i++)
		CHECK(reserved_names[i].uses != 0 && reserved_names[i].why[0]);
}

/* The identifier that starts at p (letters, digits, _), into out. */
static const char *word(const char *p, char *out, size_t size)
{
	size_t n = 0;
	while (*p && (isalnum((unsigned char)*p) || *p == '_')) {
		if (n + 1 < size)
			out[n++] = (char)tolower((unsigned char)*p);
		p++;
	}
	out[n] = '\0';
	return p;
}

static void check_table(const char *file, const char *table)
{
	const char *as_form = str_starts(table, "form_") ? table + 5 : table;
	if (!reserved_lookup(as_form, RESERVED_FORM))
		fprintf(stderr, "%s : table « %s » : « %s » devrait être un nom de formulaire réservé\n",
		        file, table, as_form);
	CHECK(reserved_lookup(as_form, RESERVED_FORM) != NULL);
}

static void check_column(const char *file, const char *table, const char *column)
{
	if (!reserved_lookup(column, RESERVED_FIELD))
		fprintf(stderr, "%s : colonne « %s.%s » devrait être un nom de champ réservé\n", file, table,
		        column);
	CHECK(reserved_lookup(column, RESERVED_FIELD) != NULL);
}

/* The columns of a CREATE TABLE form_… (…) body: the first word of each definition. */
static void check_columns(const char *file, const char *table, const char *body)
{
	int depth = 0;
	bool at_start = true;
	for (const char *p = body; *p && depth >= 0; p++) {
		if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
		else if (*p == ',' && depth == 0)
			at_start = true;
		else if (at_start && isalpha((unsigned char)*p) && depth == 0) {
			char col[64];
			p = word(p, col, sizeof col) - 1;
			at_start = false;
			static const char *const constraints[] = {"primary", "unique", "check", "foreign",
			                                          "constraint"};
			bool constraint = false;
			for (size_t i = 0; i < 5; i++)
				constraint |= strcmp(col, constraints[i]) == 0;
			if (!constraint)
				check_column(file, table, col);
		} else if (*p == '-' && p[1] == '-') {
			while (*p && *p != '\n')
				p++;
			if (!*p)
				break;
		}
	}
}

/* Every table that schema/ creates, and every column of its form_* tables. */
static void test_schema_covered(void)
{
	char *dir = source_path("schema");
	DIR *d = opendir(dir);
	CHECK(d != NULL);
	size_t tables = 0;
	struct dirent *de;
	while (d && (de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (len < 5 || strcmp(de->d_name + len - 4, ".sql") != 0)
			continue;
		char *path = xasprintf("%s/%s", dir, de->d_name);
		char *sql = read_all(path);
		for (char *p = sql; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		for (const char *p = sql; (p = strstr(p, "create table "));) {
			p += 13;
			if (str_starts(p, "if not exists "))
				p += 14;
			char table[64];
			p = word(p, table, sizeof table);
			tables++;
			check_table(de->d_name, table);
			if (str_starts(table, "form_"))
				check_columns(de->d_name, table, strchr(p, '(') + 1);
		}
		for (const char *p = sql; (p = strstr(p, "alter table "));) {
			char table[64], col[64];
			p = word(p + 12, table, sizeof table);
			if (!str_starts(table, "form_") || !str_starts(p, " add column "))
				continue;
			word(p + 12, col, sizeof col);
			check_column(de->d_name, table, col);
		}
		free(sql);
		free(path);
	}
	if (d)
		closedir(d);
	CHECK(tables >= 10);
	free(dir);
}

/* The columns every CSV begins with, and the files of the archive (without their extension). */
static void test_export_names(void)
{
	static const char *const meta[] = {EXPORT_META_COLUMNS};
	for (size_t i = 0; i < EXPORT_N_META_COLUMNS; i++)
		CHECK(reserved_lookup(meta[i], RESERVED_FIELD) != NULL);
	static const char *const files[] = {EXPORT_MANIFEST, EXPORT_CODEBOOK, EXPORT_README, EXPORT_R_SCRIPT,
	                                    EXPORT_STATA_DO};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char base[64];
		word(files[i], base, sizeof base);
		if (!reserved_lookup(base, RESERVED_FORM))
			fprintf(stderr, "fichier %s : « %s » devrait être un nom de formulaire réservé\n",
			        files[i], base);
		CHECK(reserved_lookup(base, RESERVED_FORM) != NULL);
	}
	CHECK(reserved_lookup("entry_id", RESERVED_FORM) == NULL);
	CHECK(reserved_lookup("columns", RESERVED_FIELD) == NULL);
}

int main(void)
{
	RUN(test_docs_agree);
	RUN(test_list_sorted);
	RUN(test_schema_covered);
	RUN(test_export_names);
	return harness_report();
}
