/* test_faults.c — a SQLite VFS shim that fails the Nth write or fsync (as an I/O error or a full
 * disk): for every N, the save in progress fails with a clear message, and after reopening the
 * file is whole and holds exactly the saves that were acknowledged. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/record.h"
#include "core/util.h"
#include "harness.h"
#include "store/store.h"

/* ------------------------------------------------------------------ the shim */

static sqlite3_vfs *real_vfs;
static int writes_left = -1, syncs_left = -1; /* -1: no fault armed */
static int fault_code = SQLITE_IOERR_WRITE;
static int faults_injected;

typedef struct {
	sqlite3_file base;
	sqlite3_file *real; /* allocated right after this struct */
} shim_file;

static int countdown(int *left)
{
	if (*left < 0)
		return 0;
	if ((*left)-- == 0) {
		faults_injected++;
		return 1;
	}
	return 0;
}

static int x_close(sqlite3_file *f)
{
	return ((shim_file *)f)->real->pMethods->xClose(((shim_file *)f)->real);
}
static int x_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
	return ((shim_file *)f)->real->pMethods->xRead(((shim_file *)f)->real, p, n, off);
}
static int x_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
	if (countdown(&writes_left))
		return fault_code;
	return ((shim_file *)f)->real->pMethods->xWrite(((shim_file *)f)->real, p, n, off);
}
static int x_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	return ((shim_file *)f)->real->pMethods->xTruncate(((shim_file *)f)->real, size);
}
static int x_sync(sqlite3_file *f, int flags)
{
	if (countdown(&syncs_left))
		return SQLITE_IOERR_FSYNC;
	return ((shim_file *)f)->real->pMethods->xSync(((shim_file *)f)->real, flags);
}
static int x_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return ((shim_file *)f)->real->pMethods->xFileSize(((shim_file *)f)->real, size);
}
static int x_lock(sqlite3_file *f, int l)
{
	return ((shim_file *)f)->real->pMethods->xLock(((shim_file *)f)->real, l);
}
static int x_unlock(sqlite3_file *f, int l)
{
	return ((shim_file *)f)->real->pMethods->xUnlock(((shim_file *)f)->real, l);
}
static int x_check(sqlite3_file *f, int *out)
{
	return ((shim_file *)f)->real->pMethods->xCheckReservedLock(((shim_file *)f)->real, out);
}
static int x_fcntl(sqlite3_file *f, int op, void *arg)
{
	return ((shim_file *)f)->real->pMethods->xFileControl(((shim_file *)f)->real, op, arg);
}
static int x_sector(sqlite3_file *f)
{
	return ((shim_file *)f)->real->pMethods->xSectorSize(((shim_file *)f)->real);
}
static int x_chars(sqlite3_file *f)
{
	return ((shim_file *)f)->real->pMethods->xDeviceCharacteristics(((shim_file *)f)->real);
}
static int x_shm_map(sqlite3_file *f, int pg, int sz, int ext, void volatile **pp)
{
	return ((shim_file *)f)->real->pMethods->xShmMap(((shim_file *)f)->real, pg, sz, ext, pp);
}
static int x_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
	return ((shim_file *)f)->real->pMethods->xShmLock(((shim_file *)f)->real, off, n, flags);
}
static void x_shm_barrier(sqlite3_file *f)
{
	((shim_file *)f)->real->pMethods->xShmBarrier(((shim_file *)f)->real);
}
static int x_shm_unmap(sqlite3_file *f, int del)
{
	return ((shim_file *)f)->real->pMethods->xShmUnmap(((shim_file *)f)->real, del);
}

static const sqlite3_io_methods shim_methods = {
    2,       x_close,  x_read,  x_write,   x_truncate, x_sync,        x_size,      x_lock, x_unlock, x_check,
    x_fcntl, x_sector, x_chars, x_shm_map, x_shm_lock, x_shm_barrier, x_shm_unmap, NULL,   NULL,
};

static int shim_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out_flags)
{
	(void)vfs;
	shim_file *sf = (shim_file *)f;
	sf->real = (sqlite3_file *)(sf + 1);
	int rc = real_vfs->xOpen(real_vfs, name, sf->real, flags, out_flags);
	sf->base.pMethods = rc == SQLITE_OK ? &shim_methods : NULL;
	return rc;
}

static sqlite3_vfs shim_vfs;

static void shim_install(void)
{
	real_vfs = sqlite3_vfs_find(NULL);
	shim_vfs = *real_vfs;
	shim_vfs.zName = "faulty";
	shim_vfs.szOsFile = (int)sizeof(shim_file) + real_vfs->szOsFile;
	shim_vfs.xOpen = shim_open;
	sqlite3_vfs_register(&shim_vfs, 1);
}

/* ------------------------------------------------------------------ the test */

static char db_path[256];
static formset *fs;
static char pseudo[16];
static int64_t patient;

static store *reopen(void)
{
	char *why = NULL;
	int code;
	store *s = store_open(db_path, STORE_OPEN_EXISTING, &why, &code);
	if (!s || store_sync_forms(s, fs, "test", &why)) {
		fprintf(stderr, "réouverture : %s\n", why ? why : "?");
		exit(2);
	}
	return s;
}

static int save_one(store *s, int n, char **why)
{
	const form *f = formset_form(fs, "contact");
	record *r = record_new(fs, f, date_today());
	char dur[16];
	snprintf(dur, sizeof dur, "%d", 1 + n % 400);
	record_set(r, (size_t)form_field_index(f, "intervenant"), "psychologue", NULL);
	record_set(r, (size_t)form_field_index(f, "type_contact"), "cabinet", NULL);
	record_set(r, (size_t)form_field_index(f, "statut"), "realise", NULL);
	record_set(r, (size_t)form_field_index(f, "duree_min"), dur, NULL);
	record_compute(r);
	entry_meta m = {0};
	m.patient_id = patient;
	snprintf(m.pseudonym, sizeof m.pseudonym, "%s", pseudo);
	int rc = store_entry_save(s, r, &m, false, NULL, 0, "test", why);
	record_free(r);
	return rc;
}

static int64_t count_entries(store *s)
{
	sqlite3_stmt *st;
	sqlite3_prepare_v2(store_db(s), "SELECT count(*) FROM entries WHERE form = 'contact'", -1, &st, NULL);
	sqlite3_step(st);
	int64_t n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static bool whole(store *s)
{
	FILE *devnull = fopen("/dev/null", "w");
	bool ok = store_check(s, fs, devnull) == 0;
	fclose(devnull);
	return ok;
}

/* Arm a fault at the Nth write (or fsync) for N = 0, 1, 2, … until a save goes through. */
static void sweep(const char *what, int *left, int code, const char *expect_in_message, bool may_persist)
{
	int64_t acknowledged = 0;
	store *s = reopen();
	acknowledged = count_entries(s);
	int failures = 0, messages_ok = 0, consistent = 0;
	for (int n = 0; n < 400; n++) {
		fault_code = code;
		*left = n;
		char *why = NULL;
		int rc = save_one(s, n, &why);
		writes_left = syncs_left = -1;
		if (rc == 0) {
			acknowledged++;
			free(why);
			if (faults_injected == 0)
				break; /* N is past the last write of a save: nothing more to break */
			faults_injected = 0;
			continue;
		}
		failures++;
		faults_injected = 0;
		if (why && strstr(why, expect_in_message))
			messages_ok++;
		else
			fprintf(stderr, "%s n°%d : message inattendu : %s\n", what, n, why ? why : "(aucun)");
		free(why);
		/* The program stops here, as it would; the next run opens the file again. */
		store_close(s);
		s = reopen();
		/* Every acknowledged save is there. A save whose final fsync failed may also be there
		 * (its commit reached the WAL before the error): reported as failed, never lost. */
		int64_t now = count_entries(s);
		if (whole(s) && (now == acknowledged || (may_persist && now == acknowledged + 1)))
			consistent++;
		else
			fprintf(stderr, "%s n°%d : base incohérente après la panne\n", what, n);
		acknowledged = now;
	}
	CHECK(failures > 0);
	CHECK(messages_ok == failures);
	CHECK(consistent == failures);
	printf("%s : %d pannes injectées, %d messages clairs, %d reprises sans perte\n", what, failures,
	       messages_ok, consistent);
	store_close(s);
}

static void test_write_errors(void)
{
	sweep("écriture en erreur", &writes_left, SQLITE_IOERR_WRITE, "entrée-sortie", false);
}

static void test_disk_full(void)
{
	sweep("disque plein", &writes_left, SQLITE_FULL, "disque plein", false);
}

static void test_fsync_errors(void)
{
	sweep("fsync en erreur", &syncs_left, SQLITE_IOERR_FSYNC, "entrée-sortie", true);
}

int main(void)
{
	char dir[] = "/tmp/recueil-faults-XXXXXX";
	if (!mkdtemp(dir))
		return 2;
	snprintf(db_path, sizeof db_path, "%s/faults.db", dir);
	char *errors = NULL;
	fs = formset_load_dir(TEST_FORMS_DIR, &errors);
	if (!fs) {
		fprintf(stderr, "%s", errors);
		return 2;
	}
	shim_install();
	char *why = NULL;
	int code;
	store *s = store_open(db_path, STORE_OPEN_CREATE, &why, &code);
	if (!s || store_init_structure(s, "FAULT", "Test", "test", &why) ||
	    store_sync_forms(s, fs, "test", &why) || store_patient_create(s, "test", pseudo, &patient, &why))
		return fprintf(stderr, "préparation : %s\n", why ? why : "?"), 2;
	for (int i = 0; i < 5; i++)
		save_one(s, i, &why);
	store_close(s);
	RUN(test_write_errors);
	RUN(test_disk_full);
	RUN(test_fsync_errors);
	formset_free(fs);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "nettoyage de %s impossible\n", dir);
	return harness_report();
}
