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
 * (behave as on SIGHUP), and <Seq BYTES>: BYTES ("\e" for Esc, "\xHH" for any byte) sent as a
 * terminal sends them, decoded by curses and by the fallback below exactly as typed keys are.
 *
 * Key decoding: the terminfo entry of $TERM first; then, for what it lacks, the sequences the
 * terminals of the field send (PuTTY's default ESC [11~…ESC [14~ for F1–F4, the Linux console's
 * ESC [[A…, xterm's and vt100's SS3 keys, Home and End in their four spellings, modified arrows).
 * The numeric keypad types its digits even in application mode. Any other escape sequence is
 * read to its final byte and dropped: it never reaches a field, and never means Esc. */
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
static int script_pipe = -1; /* script mode: where <Seq> writes the bytes curses reads */
static bool script_bytes;    /* script mode: bytes of a <Seq> may still be waiting */
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

/* ---- key decoding: what terminfo lacks */

/* Private key codes for the numeric keypad in application mode: its digits and signs. */
enum { KEY_KEYPAD = KEY_MAX + 1 };

/* Sequences the terminals of the field send, defined only where the terminfo entry of $TERM has
 * nothing for them (define_fallback_keys). */
static const struct {
	const char *seq;
	int code;
} fallback_keys[] = {
    /* F1–F4: xterm and vt100 (SS3), PuTTY's default and rxvt (ESC [11~), the Linux console */
    {"\033OP", KEY_F(1)},
    {"\033OQ", KEY_F(2)},
    {"\033OR", KEY_F(3)},
    {"\033OS", KEY_F(4)},
    {"\033[11~", KEY_F(1)},
    {"\033[12~", KEY_F(2)},
    {"\033[13~", KEY_F(3)},
    {"\033[14~", KEY_F(4)},
    {"\033[[A", KEY_F(1)},
    {"\033[[B", KEY_F(2)},
    {"\033[[C", KEY_F(3)},
    {"\033[[D", KEY_F(4)},
    {"\033[[E", KEY_F(5)},
    {"\033[15~", KEY_F(5)},
    {"\033[17~", KEY_F(6)},
    {"\033[18~", KEY_F(7)},
    {"\033[19~", KEY_F(8)},
    {"\033[20~", KEY_F(9)},
    {"\033[21~", KEY_F(10)},
    {"\033[23~", KEY_F(11)},
    {"\033[24~", KEY_F(12)},
    /* Home and End: VT220 and PuTTY, rxvt, xterm's two modes */
    {"\033[1~", KEY_HOME},
    {"\033[7~", KEY_HOME},
    {"\033[H", KEY_HOME},
    {"\033OH", KEY_HOME},
    {"\033[4~", KEY_END},
    {"\033[8~", KEY_END},
    {"\033[F", KEY_END},
    {"\033OF", KEY_END},
    /* editing and paging keys, arrows in both cursor modes, Shift-Tab */
    {"\033[2~", KEY_IC},
    {"\033[3~", KEY_DC},
    {"\033[5~", KEY_PPAGE},
    {"\033[6~", KEY_NPAGE},
    {"\033[A", KEY_UP},
    {"\033[B", KEY_DOWN},
    {"\033[C", KEY_RIGHT},
    {"\033[D", KEY_LEFT},
    {"\033OA", KEY_UP},
    {"\033OB", KEY_DOWN},
    {"\033OC", KEY_RIGHT},
    {"\033OD", KEY_LEFT},
    {"\033[Z", KEY_BTAB},
    {"\033OM", KEY_ENTER},
    /* Ctrl-arrows as rxvt (SS3 lower case) and PuTTY in its other mode send them */
    {"\033Oa", KEY_UP},
    {"\033Ob", KEY_DOWN},
    {"\033Oc", KEY_RIGHT},
    {"\033Od", KEY_LEFT},
};

/* The keypad in application mode (ESC O p … ESC O y and its signs) types characters: the vt100
 * entry calls some of them F5–F10 and xterm's calls others A1…C3, which would make a digit typed
 * on the keypad save, quit or vanish. */
static const char keypad_finals[] = "pqrstuvwxynlkmjoX";
static const char keypad_chars[] = "0123456789.,+-*/=";

/* xterm's modifiers (2 Shift … 8 Ctrl-Alt-Shift) on arrows, Home, End, paging and Delete. */
static void define_modified_keys(void)
{
	static const struct {
		const char *fmt;
		int code;
	} mods[] = {
	    {"\033[1;%dA", KEY_UP},    {"\033[1;%dB", KEY_DOWN},  {"\033[1;%dC", KEY_RIGHT},
	    {"\033[1;%dD", KEY_LEFT},  {"\033[1;%dH", KEY_HOME},  {"\033[1;%dF", KEY_END},
	    {"\033[5;%d~", KEY_PPAGE}, {"\033[6;%d~", KEY_NPAGE}, {"\033[3;%d~", KEY_DC},
	    {"\033[1;%d~", KEY_HOME},  {"\033[4;%d~", KEY_END},
	};
	for (size_t i = 0; i < sizeof mods / sizeof *mods; i++)
		for (int m = 2; m <= 8; m++) {
			char seq[16];
			snprintf(seq, sizeof seq, mods[i].fmt, m);
			if (key_defined(seq) == 0)
				define_key(seq, mods[i].code);
		}
}

static void define_fallback_keys(void)
{
	for (size_t i = 0; i < sizeof fallback_keys / sizeof *fallback_keys; i++)
		if (key_defined(fallback_keys[i].seq) == 0)
			define_key(fallback_keys[i].seq, fallback_keys[i].code);
	for (size_t i = 0; keypad_finals[i]; i++) {
		char seq[4] = {'\033', 'O', keypad_finals[i], 0};
		define_key(seq, KEY_KEYPAD + (int)i);
	}
	define_modified_keys();
}

/* A key code that stands for another: a keypad character, or a key with modifiers that xterm's
 * terminfo names (kLFT5: Ctrl-Left) and that acts as the key itself. Sets *is_code to OK when
 * the key is a character. */
static wint_t plain_key(int *is_code, wint_t k)
{
	if (k >= (wint_t)KEY_KEYPAD && k < (wint_t)KEY_KEYPAD + sizeof keypad_chars - 1) {
		*is_code = OK;
		return (wint_t)keypad_chars[k - KEY_KEYPAD];
	}
	const char *name = keyname((int)k);
	static const struct {
		const char *prefix;
		int code;
	} named[] = {{"kUP", KEY_UP},     {"kDN", KEY_DOWN},   {"kLFT", KEY_LEFT},
	             {"kRIT", KEY_RIGHT}, {"kHOM", KEY_HOME},  {"kEND", KEY_END},
	             {"kPRV", KEY_PPAGE}, {"kNXT", KEY_NPAGE}, {"kDC", KEY_DC}};
	for (size_t i = 0; name && i < sizeof named / sizeof *named; i++) {
		size_t n = strlen(named[i].prefix);
		if (strncmp(name, named[i].prefix, n) == 0 && name[n] >= '2' && name[n] <= '8' &&
		    !name[n + 1])
			return (wint_t)named[i].code;
	}
	return k;
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
		/* curses reads the bytes of <Seq> tokens from a pipe, as it would from a terminal. */
		int fds[2];
		if (pipe(fds) == 0) {
			term_in = fdopen(fds[0], "r");
			script_pipe = fds[1];
		}
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
	define_fallback_keys();
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
	if (script_pipe >= 0)
		close(script_pipe);
	script_pipe = -1;
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

/* What the script gives next. */
typedef enum { SK_KEY, SK_END, SK_RESIZE, SK_IDLE, SK_BYTES } script_item;

/* Write the bytes of a <Seq> token (C-like escapes: \e, \xHH, \\) to the pipe curses reads. */
static void send_bytes(const char *s, size_t n)
{
	char out[64];
	size_t k = 0;
	for (size_t i = 0; i < n && k < sizeof out; i++) {
		if (s[i] != '\\' || i + 1 >= n) {
			out[k++] = s[i];
		} else if (s[i + 1] == 'e') {
			out[k++] = '\033', i++;
		} else if (s[i + 1] == 'x' && i + 3 < n) {
			char hex[3] = {s[i + 2], s[i + 3], 0};
			out[k++] = (char)strtol(hex, NULL, 16), i += 3;
		} else {
			out[k++] = s[++i];
		}
	}
	if (script_pipe >= 0 && write(script_pipe, out, k) == (ssize_t)k)
		script_bytes = true;
}

/* The next item of the script; for SK_KEY, *is_code and *k as get_wch gives them. Markers
 * (<Dump>, <Hangup>) are acted upon here. */
static script_item script_key(int *is_code, wint_t *k)
{
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
				if (strncmp(name, "Seq ", 4) == 0) {
					send_bytes(p + 5, (size_t)(end - p - 5));
					return SK_BYTES;
				}
				if (sscanf(name, "Resize %dx%d", &w, &h) == 2) {
					resize_term(h, w);
					return SK_RESIZE;
				}
				if (strcmp(name, "Idle") == 0)
					return SK_IDLE;
				if (strcmp(name, "Hangup") == 0) {
					stop_signal = SIGHUP;
					return SK_END;
				}
				if (name[0] == 'F' && atoi(name + 1) >= 1 && atoi(name + 1) <= 12) {
					*is_code = KEY_CODE_YES;
					*k = (wint_t)KEY_F(atoi(name + 1));
					return SK_KEY;
				}
				if (strncmp(name, "C-", 2) == 0 && name[2] >= 'a' && name[2] <= 'z' &&
				    !name[3]) {
					*is_code = OK;
					*k = (wint_t)(name[2] - 'a' + 1);
					return SK_KEY;
				}
				for (size_t i = 0; i < sizeof named_keys / sizeof *named_keys; i++)
					if (strcmp(name, named_keys[i].name) == 0) {
						*is_code = named_keys[i].chr ? OK : KEY_CODE_YES;
						*k = (wint_t)named_keys[i].code;
						return SK_KEY;
					}
				continue; /* unknown token: ignored */
			}
		}
		wchar_t wc;
		script_pos += draw_utf8_decode(p, &wc);
		*is_code = OK;
		*k = (wint_t)wc;
		return SK_KEY;
	}
	return SK_END;
}

/* How long the rest of an escape sequence may take to arrive once its Esc is read. */
enum { SEQ_WAIT_MS = 30 };

/* Read the rest of an escape sequence curses did not know, up to its final byte, and drop it: a
 * CSI (ESC [ parameters final, and the Linux console's ESC [ [ letter), an SS3 (ESC O letter),
 * or Alt with a key (ESC key). Returns false when the Esc was the Esc key: nothing followed it,
 * or another Esc (left to be read next). */
static bool drop_sequence(void)
{
	wint_t c;
	timeout(SEQ_WAIT_MS);
	int r = get_wch(&c);
	if (r == ERR)
		return false;
	if (r == OK && c == 27) {
		unget_wch(c); /* Esc pressed twice: two Esc keys */
		return false;
	}
	if (r == OK && c == '[') {
		for (bool first = true; get_wch(&c) == OK; first = false)
			if (c == '[' && first)
				continue; /* ESC [ [ A: one more letter follows */
			else if (c >= 0x40 && c <= 0x7E)
				break;
			else if (c < 0x20 || c > 0x3F)
				break; /* not a sequence after all: drop what was read */
	} else if (r == OK && c == 'O') {
		get_wch(&c);
	}
	return true;
}

/* One key from curses (the terminal, or the bytes of a script's <Seq>), with the sequences it did
 * not decode dropped; false when nothing came within timeout_ms. */
static bool curses_key(int timeout_ms, int *is_code, wint_t *k)
{
	for (;;) {
		timeout(timeout_ms);
		*is_code = get_wch(k);
		if (*is_code == ERR)
			return false;
		if (*is_code == KEY_CODE_YES) {
			*k = plain_key(is_code, *k);
			return true;
		}
		if (*k != 27 || !drop_sequence())
			return true;
	}
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
		for (;;) {
			/* The bytes of a <Seq> are in the pipe already: read them as a terminal's, with
			 * no wait but the one that tells a lone Esc from a sequence. */
			if (script_bytes && curses_key(0, &is_code, &k))
				break;
			script_bytes = false;
			script_item it = script_key(&is_code, &k);
			if (it == SK_BYTES)
				continue;
			key.end = it == SK_END;
			key.resize = it == SK_RESIZE;
			key.timeout = it == SK_IDLE;
			if (it != SK_KEY)
				return key;
			break;
		}
	} else {
		if (!curses_key(timeout_ms, &is_code, &k)) {
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
