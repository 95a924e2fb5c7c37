/* archive_dl.h — libarchive loaded on first use instead of linked into every process.
 *
 * Linking libarchive brings libxml2, ICU, libstdc++ and six compression libraries into every
 * process, about 8 ms of CPU and 2.7 MiB at each start (docs/performance.md), while only
 * export, verify and import use it. archive_dl.c defines the libarchive functions the program
 * calls, under their real names and with the prototypes of <archive.h> and <archive_entry.h>;
 * the first call loads the shared library with dlopen and each function forwards to it. The
 * callers include <archive.h> and need no change.
 *
 * When the library cannot be loaded, the functions that create an object (archive_read_new,
 * archive_write_new, archive_entry_new) return NULL, the others return ARCHIVE_FATAL (or 0,
 * NULL, nothing), and archive_error_string() returns the message of archive_dl_error(). Calling
 * a libarchive function that archive_dl.c does not list fails at link time ("undefined
 * reference to archive_…"): add it to the table there. */
#ifndef RECUEIL_ARCHIVE_DL_H
#define RECUEIL_ARCHIVE_DL_H

#include <stdbool.h>

/* Loads libarchive if that was not done yet (thread-safe, attempted once per process).
 * Returns true when every function is available. */
bool archive_dl_load(void);

/* Why libarchive could not be loaded, in French, for the person at the terminal; NULL when it
 * is loaded or was not tried yet. Static storage, valid for the life of the process. */
const char *archive_dl_error(void);

#endif
