/* term.c — the one owner of the terminal: starting and ending curses, reading keys (from the
 * keyboard or from a key script), resize, the screen dump and the stop signals.
 *
 * Test seams (style.md §10), honoured by recueil-test only (core/privilege.h):
 *   RECUEIL_KEYS=FILE           read keys from FILE instead of the keyboard (see below);
 *   RECUEIL_SCREEN_OUTPUT=FILE  where curses writes in script mode (default /dev/null);
 *   RECUEIL_SCREEN_DUMP=FILE    append the screen as text at each <Dump> and at the end.
 * Key script: text is typed as is, line breaks are ignored, "#" at the start of a line begins a
 * comment, and <Name> tokens are keys: <Enter> <Tab> <BTab> <Esc> <Up> <Down> <Left> <Right>
 * <PgUp> <PgDn> <Home> <End> <BS> <Del> <Space> <F1>…<F12> <C-a>…<C-z> <lt> (a "<"),
 * <Dump> (screen dump), <Resize COLSxLINES>, <Idle> (a pause: drafts are written), <Hangup>
 * (behave as on SIGHUP). */
#define _XOPEN_SOURCE_EXTENDED 1
#include <curses.h>
#include <errno.h>
#include <langinfo.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/privilege.h"
#include "core/util.h"
#include "ui/ui.h"

static SCREEN *term_screen;
static FILE *term_out, *term_in;
static bool term_active;
static bool utf8_terminal;
static volatile sig_atomic_t stop_signal;

/* The key script, when one is given: the whole file and a read position. */
static char *script;
static size_t script_pos, script_len;
static int dump_count;

static void on_stop(int sig)
{
	stop_signal = sig;
}

int term_signal(void)
{
	return stop_signal;
}

bool term_utf8(void)
{
	return utf8_terminal;
}

static bool load_script(const char *path, char **why)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		set_why(why, "%s : %s", path, strerror(errno));
		return false;
	}
	strbuf sb = STRBUF_INIT;
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		strbuf_add(&sb, buf, n);
	fclose(f);
	strbuf_add(&sb, "", 0);
	script_len = sb.len;
	script = strbuf_take(&sb);
	return true;
}

/* ncurses reads terminal descriptions from the places these name ($HOME/.terminfo too), and its
 * parser is no place for a file of the caller's in a setgid run: that uses the system's only.
 * TERM stays, a name that ncurses looks up in the system's directories. */
static void forget_terminfo_paths(void)
{
	static const char *const names[] = {"TERMINFO", "TERMINFO_DIRS", "TERMCAP", "TERMPATH", "HOME"};
	if (priv_held())
		for (size_t i = 0; i < sizeof names / sizeof *names; i++)
			unsetenv(names[i]);
}

bool term_begin(char **why)
{
	forget_terminfo_paths();
	const char *keys = test_seam("RECUEIL_KEYS");
	const char *term = getenv("TERM");
	if (keys) {
		if (!load_script(keys, why))
			return false;
		const char *out = test_seam("RECUEIL_SCREEN_OUTPUT");
		term_out = fopen(out ? out : "/dev/null", "w");
		term_in = fopen("/dev/null", "r");
		if (!term || !*term || strcmp(term, "dumb") == 0)
			term = "xterm";
	} else {
		if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
			set_why(why, "%s",
			        _("pas de terminal : l'interface plein écran demande un terminal "
			          "(voir « recueil --help » pour les commandes)"));
			return false;
		}
		term_out = fdopen(dup(STDOUT_FILENO), "w");
		term_in = fdopen(dup(STDIN_FILENO), "r");
	}
	if (!term_out || !term_in) {
		set_why(why, "%s", _("ouverture du terminal impossible"));
		return false;
	}
	term_screen = newterm(term, term_out, term_in);
	if (!term_screen) {
		set_why(why, _("terminal « %s » inconnu : essayer TERM=xterm ou TERM=vt100"),
		        term ? term : "");
		return false;
	}
	term_active = true;
	const char *cs = nl_langinfo(CODESET);
	utf8_terminal = cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
	raw(); /* Ctrl-S, Ctrl-Q and Ctrl-C arrive as keys, never as flow control or signals */
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(50); /* Esc must feel immediate; the default waits a whole second */
	curs_set(0);
	/* No SIGWINCH handler of ours: ncurses' own gives KEY_RESIZE. Stop signals do not restart
	 * the read, so that the key loop sees them at once and keeps the open draft. */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	atexit(term_end);
	/* A fatal error (memory exhausted) gives the terminal back before its message. */
	util_set_fatal_hook(term_end);
	return true;
}

void term_end(void)
{
	if (!term_active)
		return;
	if (script)
		term_dump("fin");
	term_active = false;
	curs_set(1);
	endwin();
	delscreen(term_screen);
	term_screen = NULL;
	fclose(term_out);
	fclose(term_in);
	free(script);
	script = NULL;
}

/* The cursor's visibility is applied once per refresh, and only when it changes: toggling it
 * at each keystroke would cost a dozen bytes per key on a slow link. */
static int cursor_want, cursor_now = -1;

void term_cursor(bool visible)
{
	cursor_want = visible;
}

void term_refresh(void)
{
	if (cursor_want != cursor_now) {
		curs_set(cursor_want);
		cursor_now = cursor_want;
	}
	refresh();
}

bool term_big_enough(void)
{
	return COLS >= UI_MIN_COLS && LINES >= UI_MIN_LINES;
}

/* ---- screen dump */

static void put_utf8(FILE *f, wchar_t c)
{
	unsigned u = (unsigned)c;
	if (u < 0x80) {
		fputc((int)u, f);
	} else if (u < 0x800) {
		fputc((int)(0xC0 | (u >> 6)), f);
		fputc((int)(0x80 | (u & 0x3F)), f);
	} else if (u < 0x10000) {
		fputc((int)(0xE0 | (u >> 12)), f);
		fputc((int)(0x80 | ((u >> 6) & 0x3F)), f);
		fputc((int)(0x80 | (u & 0x3F)), f);
	} else {
		fputc((int)(0xF0 | (u >> 18)), f);
		fputc((int)(0x80 | ((u >> 12) & 0x3F)), f);
		fputc((int)(0x80 | ((u >> 6) & 0x3F)), f);
		fputc((int)(0x80 | (u & 0x3F)), f);
	}
}

void term_dump(const char *why)
{
	const char *path = test_seam("RECUEIL_SCREEN_DUMP");
	if (!path || !term_active)
		return;
	FILE *f = fopen(path, "a");
	if (!f)
		return;
	/* How many bytes curses has sent so far: tests measure the cost of a keystroke. */
	fflush(term_out);
	long sent = ftell(term_out);
	fprintf(f, "--- écran %d (%s) %dx%d octets=%ld\n", ++dump_count, why, COLS, LINES, sent);
	for (int y = 0; y < LINES; y++) {
		int last = -1;
		wchar_t row[1024];
		int n = 0;
		for (int x = 0; x < COLS && n < 1023; x++) {
			cchar_t cc;
			wchar_t wc[CCHARW_MAX + 1] = {0};
			attr_t at;
			short pair;
			if (mvwin_wch(stdscr, y, x, &cc) == ERR || getcchar(&cc, wc, &at, &pair, NULL) == ERR)
				wc[0] = L' ';
			if (wc[0] == 0)
				continue; /* the second column of a wide character */
			row[n] = wc[0];
			if (wc[0] != L' ')
				last = n;
			n++;
		}
		for (int i = 0; i <= last; i++)
			put_utf8(f, row[i]);
		fputc('\n', f);
	}
	fclose(f);
}

/* ---- keys */

static const struct {
	const char *name;
	int code; /* KEY_* code, or a character when chr is set */
	bool chr;
} named_keys[] = {
    {"Enter", '\r', true},        {"Tab", '\t', true},
    {"BTab", KEY_BTAB, false},    {"Esc", 27, true},
    {"Up", KEY_UP, false},        {"Down", KEY_DOWN, false},
    {"Left", KEY_LEFT, false},    {"Right", KEY_RIGHT, false},
    {"PgUp", KEY_PPAGE, false},   {"PgDn", KEY_NPAGE, false},
    {"Home", KEY_HOME, false},    {"End", KEY_END, false},
    {"BS", KEY_BACKSPACE, false}, {"Del", KEY_DC, false},
    {"Space", ' ', true},         {"lt", '<', true},
};

/* The next key of the script: *is_code and *k as get_wch gives them; returns false at the end.
 * Markers (<Dump>, <Resize>, <Hangup>) are acted upon here. */
static bool script_key(int *is_code, wint_t *k, bool *resize)
{
	*resize = false;
	while (script_pos < script_len) {
		const char *p = script + script_pos;
		if (*p == '\n' || *p == '\r') {
			script_pos++;
			if (script_pos < script_len && script[script_pos] == '#')
				script_pos += strcspn(script + script_pos, "\n");
			continue;
		}
		if (script_pos == 0 && *p == '#') {
			script_pos += strcspn(p, "\n");
			continue;
		}
		if (*p == '<') {
			const char *end = strchr(p, '>');
			if (end) {
				char name[64];
				snprintf(name, sizeof name, "%.*s", (int)(end - p - 1), p + 1);
				script_pos = (size_t)(end - script) + 1;
				int w, h;
				if (strcmp(name, "Dump") == 0) {
					term_dump("repère");
					continue;
				}
				if (sscanf(name, "Resize %dx%d", &w, &h) == 2) {
					resize_term(h, w);
					*resize = true;
					return true;
				}
				if (strcmp(name, "Idle") == 0) {
					*resize = false;
					*k = 0;
					*is_code = ERR;
					return true;
				}
				if (strcmp(name, "Hangup") == 0) {
					stop_signal = SIGHUP;
					return false;
				}
				if (name[0] == 'F' && atoi(name + 1) >= 1 && atoi(name + 1) <= 12) {
					*is_code = KEY_CODE_YES;
					*k = (wint_t)KEY_F(atoi(name + 1));
					return true;
				}
				if (strncmp(name, "C-", 2) == 0 && name[2] >= 'a' && name[2] <= 'z' &&
				    !name[3]) {
					*is_code = OK;
					*k = (wint_t)(name[2] - 'a' + 1);
					return true;
				}
				for (size_t i = 0; i < sizeof named_keys / sizeof *named_keys; i++)
					if (strcmp(name, named_keys[i].name) == 0) {
						*is_code = named_keys[i].chr ? OK : KEY_CODE_YES;
						*k = (wint_t)named_keys[i].code;
						return true;
					}
				continue; /* unknown token: ignored */
			}
		}
		wchar_t wc;
		script_pos += draw_utf8_decode(p, &wc);
		*is_code = OK;
		*k = (wint_t)wc;
		return true;
	}
	return false;
}

ui_key term_read(unsigned ctx, int timeout_ms)
{
	ui_key key = {0};
	int is_code = OK;
	wint_t k = 0;
	if (stop_signal) {
		key.end = true;
		return key;
	}
	if (script) {
		doupdate();
		if (!script_key(&is_code, &k, &key.resize))
			key.end = true;
		if (key.resize || key.end)
			return key;
		if (is_code == ERR) {
			key.timeout = true;
			return key;
		}
	} else {
		timeout(timeout_ms);
		is_code = get_wch(&k);
		if (is_code == ERR) {
			if (stop_signal)
				key.end = true;
			else if (timeout_ms >= 0)
				key.timeout = true;
			else if (errno != EINTR)
				key.end = true; /* the terminal is gone: read gives nothing any more */
			return key;
		}
		if (is_code == KEY_CODE_YES && k == KEY_RESIZE) {
			key.resize = true;
			return key;
		}
	}
	key.act = keys_action(ctx, is_code == KEY_CODE_YES, k);
	if (key.act == ACT_NONE && is_code != KEY_CODE_YES && k >= 0x20 && k != 0x7F)
		key.ch = k;
	return key;
}
