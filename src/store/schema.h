/* schema.h — the numbered migrations of schema/, compiled into the program (generated
 * schema_sql.c). */
#ifndef RECUEIL_SCHEMA_H
#define RECUEIL_SCHEMA_H

struct schema_migration {
	int version;      /* NNN of schema/NNN_name.sql */
	const char *name; /* file name */
	const char *sql;
};

extern const struct schema_migration schema_migrations[];
extern const int schema_migration_count;

#endif
