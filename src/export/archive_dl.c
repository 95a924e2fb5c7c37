/* archive_dl.c — the libarchive functions recueil uses, forwarding to the shared library loaded
 * with dlopen on the first call (archive_dl.h says why).
 *
 * Every function is one line of ARCHIVE_FUNCTIONS below: its return type, name, parameters
 * (named), the arguments to forward, and what it returns when the library is missing. Its
 * definition is checked against the prototype of <archive.h> or <archive_entry.h>, so a wrong
 * line does not compile. The executable is linked without --export-dynamic, so these
 * definitions are not seen by the loaded library, whose own calls stay inside it. */
#include "export/archive_dl.h"

#include <archive.h>
#include <archive_entry.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include "core/privilege.h"

/* The file dlopen loads: the SONAME of the libarchive found at configure time (CMakeLists.txt),
 * else the one libarchive 3 has kept for more than a decade. */
#define LIBARCHIVE_FALLBACK_SONAME "libarchive.so.13"
#ifndef RECUEIL_LIBARCHIVE_SONAME
#define RECUEIL_LIBARCHIVE_SONAME LIBARCHIVE_FALLBACK_SONAME
#endif

/* R(type, name, (parameters), (arguments), value when missing) for a function with a result,
 * V(name, (parameters), (arguments)) for one without. Keep the list sorted by name. */
#define ARCHIVE_FUNCTIONS(R, V)                                                                              \
	V(archive_entry_free, (struct archive_entry * e), (e))                                               \
	R(int, archive_entry_is_encrypted, (struct archive_entry * e), (e), 0)                               \
	R(struct archive_entry *, archive_entry_new, (void), (), NULL)                                       \
	R(const char *, archive_entry_pathname, (struct archive_entry * e), (e), NULL)                       \
	V(archive_entry_set_filetype, (struct archive_entry * e, unsigned int type), (e, type))              \
	V(archive_entry_set_mtime, (struct archive_entry * e, time_t t, long ns), (e, t, ns))                \
	V(archive_entry_set_pathname, (struct archive_entry * e, const char *name), (e, name))               \
	V(archive_entry_set_perm, (struct archive_entry * e, __LA_MODE_T perm), (e, perm))                   \
	V(archive_entry_set_size, (struct archive_entry * e, la_int64_t size), (e, size))                    \
	R(la_int64_t, archive_entry_size, (struct archive_entry * e), (e), 0)                                \
	R(int, archive_entry_size_is_set, (struct archive_entry * e), (e), 0)                                \
	R(int, archive_errno, (struct archive * a), (a), 0)                                                  \
	R(const char *, archive_error_string, (struct archive * a), (a), archive_dl_error())                 \
	R(la_int64_t, archive_filter_bytes, (struct archive * a, int n), (a, n), -1)                         \
	R(int, archive_read_add_passphrase, (struct archive * a, const char *p), (a, p), ARCHIVE_FATAL)      \
	R(la_ssize_t, archive_read_data, (struct archive * a, void *buf, size_t n), (a, buf, n),             \
	  ARCHIVE_FATAL)                                                                                     \
	R(int, archive_read_free, (struct archive * a), (a), a ? ARCHIVE_FATAL : ARCHIVE_OK)                 \
	R(struct archive *, archive_read_new, (void), (), NULL)                                              \
	R(int, archive_read_next_header, (struct archive * a, struct archive_entry * *e), (a, e),            \
	  ARCHIVE_FATAL)                                                                                     \
	R(int, archive_read_open_fd, (struct archive * a, int fd, size_t block), (a, fd, block),             \
	  ARCHIVE_FATAL)                                                                                     \
	R(int, archive_read_set_passphrase_callback,                                                         \
	  (struct archive * a, void *ctx, archive_passphrase_callback *cb), (a, ctx, cb), ARCHIVE_FATAL)     \
	R(int, archive_read_support_format_zip, (struct archive * a), (a), ARCHIVE_FATAL)                    \
	R(int, archive_write_close, (struct archive * a), (a), ARCHIVE_FATAL)                                \
	R(la_ssize_t, archive_write_data, (struct archive * a, const void *buf, size_t n), (a, buf, n),      \
	  ARCHIVE_FATAL)                                                                                     \
	R(int, archive_write_free, (struct archive * a), (a), a ? ARCHIVE_FATAL : ARCHIVE_OK)                \
	R(int, archive_write_header, (struct archive * a, struct archive_entry * e), (a, e), ARCHIVE_FATAL)  \
	R(struct archive *, archive_write_new, (void), (), NULL)                                             \
	R(int, archive_write_open,                                                                           \
	  (struct archive * a, void *ctx, archive_open_callback *open, archive_write_callback *write,        \
	   archive_close_callback *close),                                                                   \
	  (a, ctx, open, write, close), ARCHIVE_FATAL)                                                       \
	R(int, archive_write_set_bytes_in_last_block, (struct archive * a, int n), (a, n), ARCHIVE_FATAL)    \
	R(int, archive_write_set_format_zip, (struct archive * a), (a), ARCHIVE_FATAL)                       \
	R(int, archive_write_set_options, (struct archive * a, const char *opts), (a, opts), ARCHIVE_FATAL)  \
	R(int, archive_write_set_passphrase, (struct archive * a, const char *p), (a, p), ARCHIVE_FATAL)

static once_flag load_once = ONCE_FLAG_INIT;
static bool loaded; /* written once under load_once, read after call_once */
static char load_error[512];

/* The pointers into the loaded library, one per function. (A macro argument that is a type or a
 * parameter list cannot be put in parentheses.) */
/* NOLINTBEGIN(bugprone-macro-parentheses) */
#define POINTER_R(type, name, params, args, missing) static type(*p_##name) params;
#define POINTER_V(name, params, args)                static void(*p_##name) params;
/* NOLINTEND(bugprone-macro-parentheses) */
ARCHIVE_FUNCTIONS(POINTER_R, POINTER_V)

static void *open_library(void)
{
	const char *name = RECUEIL_LIBARCHIVE_SONAME;
	/* Test seam: load another file (a missing one tests the error path). */
	const char *forced = test_seam("RECUEIL_LIBARCHIVE");
	if (forced)
		name = forced;
	else {
		void *h = dlopen(name, RTLD_NOW | RTLD_LOCAL);
		if (h || strcmp(name, LIBARCHIVE_FALLBACK_SONAME) == 0)
			return h;
		name = LIBARCHIVE_FALLBACK_SONAME;
	}
	return dlopen(name, RTLD_NOW | RTLD_LOCAL);
}

static void load(void)
{
	void *h = open_library();
	if (!h) {
		const char *e = dlerror();
		snprintf(load_error, sizeof load_error,
		         "bibliothèque libarchive introuvable (%s) : l'export, la vérification et l'import "
		         "d'archives sont impossibles ; installer le paquet libarchive13",
		         e ? e : RECUEIL_LIBARCHIVE_SONAME);
		return;
	}
	const char *missing = NULL;
	void *sym;
	/* memcpy: POSIX guarantees a dlsym result converts to a function pointer; ISO C has no cast. */
#define RESOLVE(name)                                                                                        \
	if ((sym = dlsym(h, #name)) != NULL)                                                                 \
		memcpy(&p_##name, &sym, sizeof sym);                                                         \
	else if (!missing)                                                                                   \
		missing = #name;
#define RESOLVE_R(type, name, params, args, fail) RESOLVE(name)
#define RESOLVE_V(name, params, args)             RESOLVE(name)
	ARCHIVE_FUNCTIONS(RESOLVE_R, RESOLVE_V)
	if (missing) {
		snprintf(load_error, sizeof load_error,
		         "libarchive trop ancienne : la fonction %s manque ; l'export, la vérification et "
		         "l'import d'archives sont impossibles (installer libarchive 3.6 ou plus récente)",
		         missing);
		return;
	}
	loaded = true;
}

bool archive_dl_load(void)
{
	call_once(&load_once, load);
	return loaded;
}

const char *archive_dl_error(void)
{
	return load_error[0] ? load_error : NULL;
}

/* The functions themselves, each forwarding to the library or returning its "missing" value. */
#define DEFINE_R(type, name, params, args, fail)                                                             \
	type name params                                                                                     \
	{                                                                                                    \
		if (!archive_dl_load())                                                                      \
			return fail;                                                                         \
		return p_##name args;                                                                        \
	}
#define DEFINE_V(name, params, args)                                                                         \
	void name params                                                                                     \
	{                                                                                                    \
		if (archive_dl_load())                                                                       \
			p_##name args;                                                                       \
	}
ARCHIVE_FUNCTIONS(DEFINE_R, DEFINE_V)
