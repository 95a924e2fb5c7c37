/* patient.c — patients: random pseudonyms with a check character, created and found as a
 * person types them (case, I/L for 1, O for 0, dashes). */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "store/store_internal.h"

static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static int crockford_value(char c)
{
	if (c >= 'a' && c <= 'z')
		c = (char)(c - 'a' + 'A');
	if (c == 'O')
		c = '0';
	if (c == 'I' || c == 'L')
		c = '1';
	const char *p = c ? strchr(crockford, c) : NULL;
	return p ? (int)(p - crockford) : -1;
}

/* Pseudonyms: 7 random Crockford base32 symbols (35 bits) and a check symbol, so that a typo
 * in a pseudonym read over the phone is caught. */
static char check_symbol(const int v[7])
{
	int sum = 0;
	for (int i = 0; i < 7; i++)
		sum += (i + 1) * v[i];
	return crockford[sum % 31];
}

bool pseudonym_valid(const char *p)
{
	if (strlen(p) != 8)
		return false;
	int v[7];
	for (int i = 0; i < 7; i++)
		if ((v[i] = crockford_value(p[i])) < 0 || crockford[v[i]] != p[i])
			return false;
	return p[7] == check_symbol(v);
}

static void pseudonym_new(char out[16])
{
	unsigned char b[7];
	int v[7];
	util_random_bytes(b, sizeof b);
	for (int i = 0; i < 7; i++) {
		v[i] = b[i] & 31;
		out[i] = crockford[v[i]];
	}
	out[7] = check_symbol(v);
	out[8] = '\0';
}

int store_patient_create(store *s, const char *login, char pseudo[16], int64_t *id, char **why)
{
	int refused = store_refuse_in_region(s, "création d'un patient", why);
	if (refused)
		return refused;
	char code[64] = "";
	char now[32];
	store_structure(s, code, NULL);
	time_now_iso(now, sizeof now);
	sqlite3_stmt *stmt = st_prepare(
	    s, "INSERT INTO patients(pseudonym, structure, created_at, created_by) VALUES (?, ?, ?, ?)");
	for (int attempt = 0; attempt < 20; attempt++) {
		pseudonym_new(pseudo);
		sqlite3_reset(stmt);
		sqlite3_bind_text(stmt, 1, pseudo, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, code, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 3, now, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 4, login, -1, SQLITE_STATIC);
		int rc = sqlite3_step(stmt);
		if (rc == SQLITE_DONE) {
			*id = sqlite3_last_insert_rowid(st_db_handle(s));
			sqlite3_reset(stmt);
			return st_audit(s, login, "patient", NULL, pseudo, NULL, NULL, NULL, "création", why);
		}
		if ((sqlite3_extended_errcode(st_db_handle(s))) != SQLITE_CONSTRAINT_UNIQUE) {
			int code2 = st_fail(s, why, "création du patient");
			sqlite3_reset(stmt);
			return code2;
		}
	}
	sqlite3_reset(stmt);
	set_why(why, "impossible de tirer un pseudonyme libre");
	return EXIT_SOFTWARE;
}

/* Normalise a typed pseudonym into norm (upper case, I/L→1, O→0, no dashes or blanks);
 * false if it has a character outside the alphabet. */
static bool pseudonym_normalise(const char *typed, char norm[16])
{
	size_t n = 0;
	for (const char *p = typed; *p && n < 15; p++) {
		if (*p == '-' || *p == ' ')
			continue;
		int v = crockford_value(*p);
		if (v < 0)
			return false;
		norm[n++] = crockford[v];
	}
	norm[n] = '\0';
	return true;
}

bool pseudonym_plausible(const char *typed)
{
	char norm[16];
	return pseudonym_normalise(typed, norm) && pseudonym_valid(norm);
}

int64_t store_patient_find(store *s, const char *typed, char pseudo[16])
{
	char norm[16];
	if (!pseudonym_normalise(typed, norm))
		return 0;
	sqlite3_stmt *stmt = st_prepare(s, "SELECT id, pseudonym FROM patients WHERE pseudonym = ?");
	sqlite3_bind_text(stmt, 1, norm, -1, SQLITE_STATIC);
	int64_t id = 0;
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		id = sqlite3_column_int64(stmt, 0);
		if (pseudo)
			snprintf(pseudo, 16, "%s", (const char *)sqlite3_column_text(stmt, 1));
	}
	sqlite3_reset(stmt);
	return id;
}
