/* age.c — the age v1 format for X25519 recipients (see age.h), written from the C2SP
 * specification (c2sp.org/age). Secrets that live as long as a stream (the payload key) and the
 * temporaries of key wrapping sit in locked memory (core/keymem.h) and are wiped with it. */
#include "core/age.h"

#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/bech32.h"
#include "core/keymem.h"
#include "core/util.h"

#define FILE_KEY_SIZE  16
#define NONCE_SIZE     16
#define TAG_SIZE       crypto_aead_chacha20poly1305_ietf_ABYTES
#define ENC_CHUNK_SIZE (AGE_CHUNK_SIZE + TAG_SIZE)
/* The specification sets no limit; an X25519 stanza takes 98 bytes, a post-quantum one about 1.5 KB. */
#define HEADER_MAX   (1 << 20)
#define VERSION_LINE "age-encryption.org/v1"
#define X25519_INFO  "age-encryption.org/v1/X25519"
#define SECRET_HRP   "AGE-SECRET-KEY-"
/* Room to decode a Bech32 key into, so that a key of the wrong length is told as such. */
#define KEY_ROOM 64
/* Base64 columns of a full stanza body line. */
#define BODY_COLUMNS 64

struct age_identity {
	unsigned char secret[32];
	unsigned char public[32]; /* X25519(secret, basepoint): the recipient, part of the wrap salt */
};

/* Short-lived secrets of key wrapping, together in one block of locked memory. */
typedef struct {
	unsigned char file_key[FILE_KEY_SIZE];
	unsigned char ephemeral[32];
	unsigned char shared[32];
	unsigned char wrap[32];
	unsigned char mac_key[32];
} wrap_secrets;

static const unsigned char ZERO_NONCE[crypto_aead_chacha20poly1305_ietf_NPUBBYTES];

/* HKDF-SHA-256 (RFC 5869) with 32 bytes of output, as age always uses it: Extract, then one
 * block of Expand, T(1) = HMAC(PRK, info || 0x01). An empty salt is an HMAC key of zero length,
 * which HMAC pads exactly as the RFC's string of HashLen zeros. */
static void hkdf_sha256(unsigned char out[32], const unsigned char *ikm, size_t ikm_len,
                        const unsigned char *salt, size_t salt_len, const char *info)
{
	static const unsigned char counter = 1;
	unsigned char prk[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, salt_len ? salt : &counter, salt_len);
	crypto_auth_hmacsha256_update(&st, ikm, ikm_len);
	crypto_auth_hmacsha256_final(&st, prk);
	crypto_auth_hmacsha256_init(&st, prk, sizeof prk);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)info, strlen(info));
	crypto_auth_hmacsha256_update(&st, &counter, 1);
	crypto_auth_hmacsha256_final(&st, out);
	sodium_memzero(prk, sizeof prk);
	sodium_memzero(&st, sizeof st);
}

/* ------------------------------------------------------------------ base64, canonical, unpadded */

/* Length of the unpadded base64 of n bytes. */
static size_t b64_len(size_t n)
{
	return (n * 4 + 2) / 3;
}

/* Append the unpadded base64 of n <= 32 bytes. */
static void b64_append(strbuf *sb, const unsigned char *p, size_t n)
{
	char text[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL_NO_PADDING)];
	sodium_bin2base64(text, sizeof text, p, n, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	strbuf_puts(sb, text);
}

/* Decode s (len characters) when it is the canonical unpadded base64 of exactly want bytes
 * (libsodium refuses non-zero leftover bits; the length check refuses everything else). */
static bool b64_exact(const char *s, size_t len, unsigned char *out, size_t want)
{
	size_t got = 0;
	return len == b64_len(want) &&
	       sodium_base642bin(out, want, s, len, NULL, &got, NULL,
	                         sodium_base64_VARIANT_ORIGINAL_NO_PADDING) == 0 &&
	       got == want;
}

/* Whether s (len characters) is canonical unpadded base64 of any length. */
static bool b64_canonical(const char *s, size_t len)
{
	if (len % 4 == 1)
		return false;
	size_t want = len * 3 / 4;
	unsigned char *scratch = xmalloc(want);
	bool ok = b64_exact(s, len, scratch, want);
	free(scratch);
	return ok;
}

static bool is_b64_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
	       c == '/';
}

/* ------------------------------------------------------------------ keys */

static void trim_span(const char **s, size_t *len)
{
	while (*len && ((*s)[0] == ' ' || (*s)[0] == '\t')) {
		(*s)++;
		(*len)--;
	}
	while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t' || (*s)[*len - 1] == '\r' ||
	                (*s)[*len - 1] == '\n'))
		(*len)--;
}

bool age_recipient_parse(const char *text, age_recipient *out, char **why)
{
	size_t len = strlen(text);
	trim_span(&text, &len);
	if (len >= 7 && memcmp(text, "age1pq1", 7) == 0) {
		set_why(why, "destinataire age post-quantique (age1pq1…) non pris en charge : une clé X25519 "
		             "est attendue");
		return false;
	}
	if (len >= 15 && strncasecmp(text, "AGE-SECRET-KEY-", 15) == 0) {
		set_why(why, "c'est une clé secrète age, pas un destinataire (age1…) : ne la diffusez pas");
		return false;
	}
	if (len >= 4 && memcmp(text, "ssh-", 4) == 0) {
		set_why(why, "clé SSH non prise en charge : un destinataire age (age1…) est attendu");
		return false;
	}
	if (len < 4 || memcmp(text, "age1", 4) != 0) {
		set_why(why, "un destinataire age commence par « age1 »");
		return false;
	}
	if (memchr(text + 4, '1', len - 4)) {
		/* Another separator further on: "age1<plugin>1…", a plugin's recipient. */
		set_why(why, "destinataire de greffon age non pris en charge : une clé X25519 est attendue");
		return false;
	}
	char *err = NULL;
	unsigned char key[KEY_ROOM];
	size_t n;
	if (!bech32_decode(text, len, "age", key, sizeof key, &n, &err) || n != sizeof out->key) {
		set_why(why, "destinataire age invalide : %s", err ? err : "longueur de clé incorrecte");
		free(err);
		return false;
	}
	memcpy(out->key, key, sizeof out->key);
	return true;
}

void age_recipient_format(const age_recipient *r, char out[AGE_RECIPIENT_LEN + 1])
{
	bech32_encode(out, AGE_RECIPIENT_LEN + 1, "age", r->key, sizeof r->key);
}

age_identity *age_identity_parse(const char *text, char **why)
{
	if (!keymem_ready(why))
		return NULL;
	const char *key = NULL;
	size_t key_len = 0;
	int keys = 0, line = 0, key_line = 0;
	for (const char *p = text; *p;) {
		const char *end = strchr(p, '\n');
		if (!end)
			end = p + strlen(p);
		const char *s = p;
		size_t len = (size_t)(end - p);
		line++;
		trim_span(&s, &len);
		if (len && s[0] != '#' && ++keys == 1) {
			key = s;
			key_len = len;
			key_line = line;
		}
		p = *end ? end + 1 : end;
	}
	if (keys == 0) {
		set_why(why, "aucune clé secrète age (AGE-SECRET-KEY-1…) dans le texte");
		return NULL;
	}
	if (keys > 1) {
		set_why(why, "%d lignes de clé : une seule clé secrète age attendue", keys);
		return NULL;
	}
	if (key_len >= 18 && memcmp(key, "AGE-SECRET-KEY-PQ-", 18) == 0) {
		set_why(why,
		        "clé secrète age post-quantique non prise en charge : une clé X25519 est attendue");
		return NULL;
	}
	if (key_len >= 11 && memcmp(key, "AGE-PLUGIN-", 11) == 0) {
		set_why(why, "clé de greffon age non prise en charge : une clé X25519 est attendue");
		return NULL;
	}
	if (key_len >= 4 && memcmp(key, "age1", 4) == 0) {
		set_why(why, "c'est un destinataire (clé publique age1…), pas une clé secrète");
		return NULL;
	}
	if (key_len < 16 || memcmp(key, SECRET_HRP "1", 16) != 0) {
		set_why(why, "ligne %d : pas une clé secrète age (AGE-SECRET-KEY-1… attendu)", key_line);
		return NULL;
	}
	/* Decoded into locked memory with room for a key too long, to say so. */
	unsigned char *secret = keymem_new(KEY_ROOM);
	age_identity *id = keymem_new(sizeof *id);
	char *err = NULL;
	size_t n;
	bool ok =
	    bech32_decode(key, key_len, SECRET_HRP, secret, KEY_ROOM, &n, &err) && n == sizeof id->secret;
	memcpy(id->secret, secret, sizeof id->secret);
	keymem_free(secret);
	if (!ok) {
		set_why(why, "clé secrète age invalide (ligne %d) : %s", key_line,
		        err ? err : "longueur de clé incorrecte");
		free(err);
		keymem_free(id);
		return NULL;
	}
	crypto_scalarmult_base(id->public, id->secret);
	return id;
}

void age_identity_free(age_identity *id)
{
	keymem_free(id);
}

void age_identity_to_recipient(const age_identity *id, age_recipient *out)
{
	memcpy(out->key, id->public, sizeof out->key);
}

bool age_keygen(char *buf, size_t size, time_t created, age_recipient *out, char **why)
{
	if (!keymem_ready(why))
		return false;
	if (size < AGE_KEYFILE_MAX) {
		set_why(why, "place insuffisante pour une clé age (%zu octets au lieu de %d)", size,
		        AGE_KEYFILE_MAX);
		return false;
	}
	age_identity *id = keymem_new(sizeof *id);
	randombytes_buf(id->secret, sizeof id->secret);
	crypto_scalarmult_base(id->public, id->secret);
	/* age-keygen writes Go's RFC 3339 time: local time, "Z" for a zero offset, else ±hh:mm. */
	struct tm tm;
	localtime_r(&created, &tm);
	char date[32], zone[8] = "Z";
	strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
	if (tm.tm_gmtoff != 0) {
		long off = tm.tm_gmtoff < 0 ? -tm.tm_gmtoff : tm.tm_gmtoff;
		snprintf(zone, sizeof zone, "%c%02ld:%02ld", tm.tm_gmtoff < 0 ? '-' : '+', off / 3600 % 100,
		         off / 60 % 60);
	}
	age_recipient r;
	age_identity_to_recipient(id, &r);
	char public[AGE_RECIPIENT_LEN + 1];
	age_recipient_format(&r, public);
	int head = snprintf(buf, size, "# created: %s%s\n# public key: %s\n", date, zone, public);
	size_t at = (size_t)head;
	bool ok = bech32_encode(buf + at, size - at - 1, SECRET_HRP, id->secret, sizeof id->secret);
	keymem_free(id);
	if (!ok) {
		sodium_memzero(buf, size);
		set_why(why, "clé age impossible à écrire");
		return false;
	}
	at += strlen(buf + at);
	buf[at++] = '\n';
	buf[at] = '\0';
	if (out)
		*out = r;
	return true;
}

/* ------------------------------------------------------------------ STREAM */

/* The 12-byte nonce of chunk counter: an 11-byte big-endian counter, then the last-chunk flag. */
static void chunk_nonce(unsigned char nonce[12], uint64_t counter, bool last)
{
	memset(nonce, 0, 12);
	for (int i = 0; i < 8; i++)
		nonce[10 - i] = (unsigned char)(counter >> (8 * i));
	nonce[11] = last ? 1 : 0;
}

struct age_writer {
	age_write_fn write;
	void *ctx;
	unsigned char *key;   /* payload key, locked memory */
	unsigned char *plain; /* the chunk being filled, AGE_CHUNK_SIZE bytes */
	size_t fill;
	unsigned char *out; /* its ciphertext, ENC_CHUNK_SIZE bytes */
	uint64_t counter;
	bool failed;
};

/* Wrap the file key for recipient r into an X25519 stanza appended to h. */
static bool wrap_x25519(strbuf *h, wrap_secrets *s, const age_recipient *r)
{
	unsigned char share[32], salt[64], body[FILE_KEY_SIZE + TAG_SIZE];
	randombytes_buf(s->ephemeral, sizeof s->ephemeral);
	crypto_scalarmult_base(share, s->ephemeral);
	/* libsodium refuses a point of small order, whose shared secret would be all zeros. */
	if (crypto_scalarmult(s->shared, s->ephemeral, r->key) != 0)
		return false;
	memcpy(salt, share, 32);
	memcpy(salt + 32, r->key, 32);
	hkdf_sha256(s->wrap, s->shared, sizeof s->shared, salt, sizeof salt, X25519_INFO);
	crypto_aead_chacha20poly1305_ietf_encrypt(body, NULL, s->file_key, FILE_KEY_SIZE, NULL, 0, NULL,
	                                          ZERO_NONCE, s->wrap);
	strbuf_puts(h, "-> X25519 ");
	b64_append(h, share, sizeof share);
	strbuf_putc(h, '\n');
	b64_append(h, body, sizeof body); /* 43 columns: a body of one short line */
	strbuf_putc(h, '\n');
	return true;
}

static void write_failed(char **why)
{
	set_why(why, "écriture du fichier chiffré impossible : %s", strerror(errno));
}

age_writer *age_writer_new(age_write_fn write_fn, void *ctx, const age_recipient *recipients, size_t n,
                           char **why)
{
	if (!keymem_ready(why))
		return NULL;
	if (n == 0) {
		set_why(why, "aucun destinataire pour le chiffrement age");
		return NULL;
	}
	wrap_secrets *s = keymem_new(sizeof *s);
	strbuf h = STRBUF_INIT;
	strbuf_puts(&h, VERSION_LINE "\n");
	randombytes_buf(s->file_key, sizeof s->file_key);
	for (size_t i = 0; i < n; i++) {
		if (!wrap_x25519(&h, s, &recipients[i])) {
			set_why(why, "destinataire age n° %zu : clé X25519 invalide (point d'ordre faible)",
			        i + 1);
			keymem_free(s);
			strbuf_done(&h);
			return NULL;
		}
	}
	/* The MAC covers the header up to and including "---", not the space after it. */
	unsigned char mac[crypto_auth_hmacsha256_BYTES], nonce[NONCE_SIZE];
	strbuf_puts(&h, "---");
	hkdf_sha256(s->mac_key, s->file_key, sizeof s->file_key, NULL, 0, "header");
	crypto_auth_hmacsha256(mac, (const unsigned char *)h.s, h.len, s->mac_key);
	strbuf_putc(&h, ' ');
	b64_append(&h, mac, sizeof mac);
	strbuf_putc(&h, '\n');
	randombytes_buf(nonce, sizeof nonce);
	strbuf_add(&h, (const char *)nonce, sizeof nonce);

	age_writer *w = xcalloc(1, sizeof *w);
	w->write = write_fn;
	w->ctx = ctx;
	w->key = keymem_new(32);
	hkdf_sha256(w->key, s->file_key, sizeof s->file_key, nonce, sizeof nonce, "payload");
	keymem_free(s);
	w->plain = xmalloc(AGE_CHUNK_SIZE);
	w->out = xmalloc(ENC_CHUNK_SIZE);
	if (write_fn(ctx, h.s, h.len) != 0) {
		write_failed(why);
		strbuf_done(&h);
		age_writer_free(w);
		return NULL;
	}
	strbuf_done(&h);
	return w;
}

/* Encrypt and write the chunk in w->plain, flagged as the last one or not. */
static int flush_chunk(age_writer *w, bool last, char **why)
{
	unsigned char nonce[12];
	unsigned long long clen;
	chunk_nonce(nonce, w->counter, last);
	crypto_aead_chacha20poly1305_ietf_encrypt(w->out, &clen, w->plain, w->fill, NULL, 0, NULL, nonce,
	                                          w->key);
	if (w->write(w->ctx, w->out, (size_t)clen) != 0) {
		w->failed = true;
		write_failed(why);
		return -1;
	}
	w->counter++;
	w->fill = 0;
	return 0;
}

int age_writer_write(age_writer *w, const void *buf, size_t n, char **why)
{
	if (w->failed) {
		set_why(why, "écriture du fichier chiffré interrompue par une erreur précédente");
		return -1;
	}
	const unsigned char *p = buf;
	while (n > 0) {
		/* A full chunk is written only once more data comes: the last chunk, full or not, must
		 * carry the last-chunk flag, and it must not be empty unless the whole file is. */
		if (w->fill == AGE_CHUNK_SIZE && flush_chunk(w, false, why) != 0)
			return -1;
		size_t take = AGE_CHUNK_SIZE - w->fill < n ? AGE_CHUNK_SIZE - w->fill : n;
		memcpy(w->plain + w->fill, p, take);
		w->fill += take;
		p += take;
		n -= take;
	}
	return 0;
}

int age_writer_close(age_writer *w, char **why)
{
	int rc = -1;
	if (w->failed)
		set_why(why, "écriture du fichier chiffré interrompue par une erreur précédente");
	else
		rc = flush_chunk(w, true, why);
	age_writer_free(w);
	return rc;
}

void age_writer_free(age_writer *w)
{
	if (!w)
		return;
	keymem_free(w->key);
	sodium_memzero(w->plain, AGE_CHUNK_SIZE);
	free(w->plain);
	free(w->out);
	free(w);
}

/* ------------------------------------------------------------------ reading */

struct age_reader {
	age_read_fn read;
	void *ctx;
	unsigned char *key; /* payload key, locked memory */
	unsigned char *in;  /* ciphertext read ahead: one encrypted chunk and one byte more */
	size_t in_len;
	bool in_eof;
	unsigned char *plain; /* the last chunk decrypted and authenticated */
	size_t plain_pos, plain_len;
	uint64_t counter;
	bool done;     /* the final chunk has been authenticated, and nothing follows it */
	bool trailing; /* the final chunk has been authenticated, and data follows it */
	char *error;   /* the first error, repeated by every later read */
};

/* Read until r->in holds want bytes or the input ends. */
static bool fill_input(age_reader *r, size_t want, char **why)
{
	while (r->in_len < want && !r->in_eof) {
		ssize_t got = r->read(r->ctx, r->in + r->in_len, want - r->in_len);
		if (got < 0) {
			set_why(why, "lecture du fichier chiffré impossible : %s", strerror(errno));
			return false;
		}
		if (got == 0)
			r->in_eof = true;
		r->in_len += (size_t)got;
	}
	return true;
}

/* The header as read: every byte from the start of the file (the MAC covers them), the position
 * of the next line, and its number. */
typedef struct {
	age_reader *r;
	char *buf;
	size_t len, cap, pos;
	int line;
	bool eof;
} header_in;

/* Read more of the file into the header buffer. */
static bool header_more(header_in *h, char **why)
{
	if (h->len >= HEADER_MAX) {
		set_why(why, "en-tête age de plus de %d Mio : refusé", HEADER_MAX >> 20);
		return false;
	}
	if (h->cap - h->len < 4096) {
		h->cap = h->cap ? h->cap * 2 : 8192;
		h->buf = xrealloc(h->buf, h->cap);
	}
	ssize_t got = h->r->read(h->r->ctx, h->buf + h->len, 4096);
	if (got < 0) {
		set_why(why, "lecture du fichier chiffré impossible : %s", strerror(errno));
		return false;
	}
	if (got == 0)
		h->eof = true;
	h->len += (size_t)got;
	return true;
}

/* The next line of the header, without its LF; *line is valid until the next call. */
static bool header_line(header_in *h, const char **line, size_t *len, char **why)
{
	for (;;) {
		char *nl = memchr(h->buf + h->pos, '\n', h->len - h->pos);
		if (nl) {
			*line = h->buf + h->pos;
			*len = (size_t)(nl - *line);
			h->pos += *len + 1;
			h->line++;
			return true;
		}
		if (h->eof) {
			set_why(why, "en-tête age incomplet (fichier tronqué ?)");
			return false;
		}
		if (!header_more(h, why))
			return false;
	}
}

typedef struct {
	unsigned char share[32];
	unsigned char body[FILE_KEY_SIZE + TAG_SIZE];
} x25519_stanza;

typedef struct {
	x25519_stanza *x25519;
	size_t n_x25519;
	int others, scrypt;
	size_t mac_end; /* length of the header that the MAC covers */
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
} header_parsed;

/* Split the arguments of a stanza line "-> a b c" (the text after "-> ") in place; each one is one
 * or more visible ASCII characters, separated by single spaces. args has room for one more
 * argument than text has spaces. Returns their number, or -1. */
static int stanza_args(char *text, char *args[])
{
	int n = 0;
	for (char *p = text;;) {
		char *end = strchr(p, ' ');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == 0)
			return -1;
		for (size_t i = 0; i < len; i++)
			if (p[i] < 0x21 || p[i] > 0x7e)
				return -1;
		args[n++] = p;
		if (!end)
			return n;
		*end = '\0';
		p = end + 1;
	}
}

/* Read one stanza whose first line (after "-> ") is text; its body lines follow. */
static bool read_stanza(header_in *h, const char *text, size_t text_len, header_parsed *hp, char **why)
{
	int first_line = h->line;
	char *argline = xstrndup(text, text_len);
	size_t spaces = 0;
	for (size_t i = 0; i < text_len; i++)
		spaces += text[i] == ' ';
	char **args = xmalloc((spaces + 1) * sizeof *args);
	int nargs = stanza_args(argline, args);
	strbuf body = STRBUF_INIT;
	bool ok = nargs > 0 && !memchr(text, '\0', text_len);
	if (!ok)
		set_why(why, "en-tête age, ligne %d : arguments de bloc mal formés", first_line);
	/* The body: lines of 64 base64 columns, ended by one shorter line (which may be empty). */
	for (bool more = ok; more;) {
		const char *line;
		size_t len;
		if (!header_line(h, &line, &len, why)) {
			ok = false;
			break;
		}
		bool chars = true;
		for (size_t i = 0; i < len && chars; i++)
			chars = is_b64_char(line[i]);
		if (len > BODY_COLUMNS || !chars) {
			set_why(why, "en-tête age, ligne %d : ligne de bloc mal formée", h->line);
			ok = false;
			break;
		}
		strbuf_add(&body, line, len);
		more = len == BODY_COLUMNS;
	}
	if (ok && strcmp(args[0], "X25519") == 0) {
		hp->x25519 = xrealloc(hp->x25519, (hp->n_x25519 + 1) * sizeof *hp->x25519);
		x25519_stanza *s = &hp->x25519[hp->n_x25519];
		if (nargs != 2 || !b64_exact(args[1], strlen(args[1]), s->share, sizeof s->share) ||
		    !b64_exact(strbuf_str(&body), body.len, s->body, sizeof s->body)) {
			set_why(why, "en-tête age, ligne %d : bloc X25519 mal formé", first_line);
			ok = false;
		} else {
			hp->n_x25519++;
		}
	} else if (ok) {
		if (!b64_canonical(strbuf_str(&body), body.len)) {
			set_why(why, "en-tête age, ligne %d : corps de bloc mal encodé", first_line);
			ok = false;
		}
		hp->others++;
		hp->scrypt += strcmp(args[0], "scrypt") == 0;
	}
	free(args);
	free(argline);
	strbuf_done(&body);
	return ok;
}

/* Read and parse the header up to its MAC line (checked for form only). */
static bool parse_header(header_in *h, header_parsed *hp, char **why)
{
	static const char prefix[] = "age-encryption.org/";
	while (h->len < sizeof prefix - 1 && !h->eof)
		if (!header_more(h, why))
			return false;
	if (h->len < sizeof prefix - 1 || memcmp(h->buf, prefix, sizeof prefix - 1) != 0) {
		if (h->len >= 10 && memcmp(h->buf, "-----BEGIN", 10) == 0)
			set_why(
			    why,
			    "fichier age en armure ASCII (age -a) : non pris en charge, chiffrer sans -a");
		else
			set_why(why, "pas un fichier age (« age-encryption.org/v1 » absent au début)");
		return false;
	}
	const char *line;
	size_t len;
	if (!header_line(h, &line, &len, why))
		return false;
	if (len != strlen(VERSION_LINE) || memcmp(line, VERSION_LINE, len) != 0) {
		set_why(why, "version du format age non prise en charge (seule la v1 est connue)");
		return false;
	}
	for (;;) {
		if (!header_line(h, &line, &len, why))
			return false;
		if (len >= 3 && memcmp(line, "---", 3) == 0) {
			hp->mac_end = h->pos - len - 1 + 3;
			if (len != 4 + b64_len(sizeof hp->mac) || line[3] != ' ' ||
			    !b64_exact(line + 4, len - 4, hp->mac, sizeof hp->mac)) {
				set_why(why, "en-tête age, ligne %d : ligne de MAC mal formée", h->line);
				return false;
			}
			break;
		}
		if (len < 3 || memcmp(line, "-> ", 3) != 0) {
			set_why(why, "en-tête age, ligne %d : « -> » ou « --- » attendu", h->line);
			return false;
		}
		if (!read_stanza(h, line + 3, len - 3, hp, why))
			return false;
	}
	if (hp->n_x25519 + (size_t)hp->others == 0) {
		set_why(why, "en-tête age sans aucun destinataire");
		return false;
	}
	return true;
}

/* Find the file key in a stanza that one of the identities opens. Returns 1 when found, 0 when
 * none matches, -1 when a stanza makes X25519 give the all-zero secret (the file is refused). */
static int unwrap(const header_parsed *hp, const age_identity *const ids[], size_t n, wrap_secrets *s)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < hp->n_x25519; j++) {
			const x25519_stanza *st = &hp->x25519[j];
			unsigned char salt[64];
			unsigned long long len = 0;
			if (crypto_scalarmult(s->shared, ids[i]->secret, st->share) != 0)
				return -1;
			memcpy(salt, st->share, 32);
			memcpy(salt + 32, ids[i]->public, 32);
			hkdf_sha256(s->wrap, s->shared, sizeof s->shared, salt, sizeof salt, X25519_INFO);
			if (crypto_aead_chacha20poly1305_ietf_decrypt(s->file_key, &len, NULL, st->body,
			                                              sizeof st->body, NULL, 0, ZERO_NONCE,
			                                              s->wrap) == 0 &&
			    len == FILE_KEY_SIZE)
				return 1;
		}
	}
	return 0;
}

/* Open the header: file key, MAC. On success the payload key is in r->key and what was read past
 * the header is in r->in. */
static bool open_header(age_reader *r, const age_identity *const ids[], size_t n, char **why)
{
	header_in h = {.r = r};
	header_parsed hp = {0};
	wrap_secrets *s = keymem_new(sizeof *s);
	bool ok = parse_header(&h, &hp, why);
	if (ok) {
		int found = unwrap(&hp, ids, n, s);
		if (found < 0)
			set_why(why, "en-tête age : bloc X25519 invalide (point d'ordre faible)");
		else if (found == 0 && hp.n_x25519 == 0 && hp.scrypt)
			set_why(why, "fichier age chiffré par phrase de passe (age -p) : non pris en charge");
		else if (found == 0 && hp.n_x25519 == 0)
			set_why(why, "aucun destinataire X25519 (clé age1…) dans ce fichier age");
		else if (found == 0)
			set_why(why, "aucune des clés fournies n'ouvre ce fichier age (chiffré pour un autre "
			             "destinataire)");
		ok = found == 1;
	}
	if (ok) {
		unsigned char mac[crypto_auth_hmacsha256_BYTES];
		hkdf_sha256(s->mac_key, s->file_key, sizeof s->file_key, NULL, 0, "header");
		crypto_auth_hmacsha256(mac, (const unsigned char *)h.buf, hp.mac_end, s->mac_key);
		ok = crypto_verify_32(mac, hp.mac) == 0;
		if (!ok)
			set_why(why, "en-tête age altéré (son code d'authentification ne correspond pas)");
	}
	if (ok) {
		/* What follows the header, read with it, is the start of the payload. */
		memcpy(r->in, h.buf + h.pos, h.len - h.pos);
		r->in_len = h.len - h.pos;
		r->in_eof = h.eof;
		ok = fill_input(r, NONCE_SIZE, why);
		if (ok && r->in_len < NONCE_SIZE) {
			set_why(why, "fichier age tronqué juste après l'en-tête");
			ok = false;
		}
	}
	if (ok) {
		hkdf_sha256(r->key, s->file_key, sizeof s->file_key, r->in, NONCE_SIZE, "payload");
		r->in_len -= NONCE_SIZE;
		memmove(r->in, r->in + NONCE_SIZE, r->in_len);
	}
	keymem_free(s);
	free(hp.x25519);
	free(h.buf);
	return ok;
}

age_reader *age_reader_new(age_read_fn read_fn, void *ctx, const age_identity *const identities[], size_t n,
                           char **why)
{
	if (!keymem_ready(why))
		return NULL;
	age_reader *r = xcalloc(1, sizeof *r);
	r->read = read_fn;
	r->ctx = ctx;
	r->key = keymem_new(32);
	/* The header is read 4 KiB at a time: at most that much of the payload comes with it. */
	r->in = xmalloc(ENC_CHUNK_SIZE + 1);
	r->plain = xmalloc(AGE_CHUNK_SIZE);
	if (!open_header(r, identities, n, why)) {
		age_reader_free(r);
		return NULL;
	}
	return r;
}

/* Decrypt and authenticate the clen bytes at r->in into r->plain as chunk r->counter. */
static bool open_chunk(age_reader *r, size_t clen, bool last, unsigned long long *plen)
{
	unsigned char nonce[12];
	chunk_nonce(nonce, r->counter, last);
	return crypto_aead_chacha20poly1305_ietf_decrypt(r->plain, plen, NULL, r->in, clen, NULL, 0, nonce,
	                                                 r->key) == 0;
}

/* Decrypt the next chunk into r->plain. One byte is read ahead: a chunk followed by more data is a
 * middle one, a chunk at the end of the input the last one. A full chunk that fails so is tried
 * the other way, so that an authenticated chunk is given out before the error that follows it (a
 * full middle chunk at the end: the last one is missing; a full last chunk followed by more
 * data), as the reference implementation and the C2SP test vectors have it. */
static bool next_chunk(age_reader *r, char **why)
{
	unsigned long long chunk = (unsigned long long)r->counter + 1;
	if (r->trailing) {
		set_why(why, "fichier age altéré : des données suivent le dernier bloc");
		return false;
	}
	if (!fill_input(r, ENC_CHUNK_SIZE + 1, why))
		return false;
	bool more = r->in_len > ENC_CHUNK_SIZE;
	size_t clen = more ? ENC_CHUNK_SIZE : r->in_len;
	if (clen == 0) {
		set_why(why, r->counter == 0 ? "fichier age tronqué : aucun bloc de données"
		                             : "fichier age tronqué : le dernier bloc manque");
		return false;
	}
	if (clen < TAG_SIZE) {
		set_why(why, "fichier age tronqué : bloc %llu incomplet", chunk);
		return false;
	}
	bool last = !more;
	unsigned long long plen = 0;
	bool ok = open_chunk(r, clen, last, &plen);
	if (!ok && clen == ENC_CHUNK_SIZE) {
		last = !last;
		ok = open_chunk(r, clen, last, &plen);
	}
	if (!ok) {
		set_why(why, "fichier age altéré%s : le bloc %llu ne s'authentifie pas",
		        more ? "" : " ou tronqué", chunk);
		return false;
	}
	if (last && plen == 0 && r->counter > 0) {
		set_why(why, "fichier age mal formé : dernier bloc vide");
		return false;
	}
	r->in_len -= clen;
	memmove(r->in, r->in + clen, r->in_len);
	r->plain_pos = 0;
	r->plain_len = (size_t)plen;
	r->counter++;
	r->done = last && !more;
	r->trailing = last && more;
	return true;
}

ssize_t age_reader_read(age_reader *r, void *buf, size_t n, char **why)
{
	if (r->error) {
		set_why(why, "%s", r->error);
		return -1;
	}
	if (n > SSIZE_MAX)
		n = SSIZE_MAX;
	unsigned char *out = buf;
	size_t got = 0;
	while (got < n) {
		if (r->plain_pos == r->plain_len) {
			if (r->done)
				break;
			char *err = NULL;
			if (!next_chunk(r, &err)) {
				/* Bytes already copied were authenticated: give them; the error comes next.
				 */
				r->error = err;
				if (got > 0)
					break;
				set_why(why, "%s", err);
				return -1;
			}
			continue;
		}
		size_t take = r->plain_len - r->plain_pos < n - got ? r->plain_len - r->plain_pos : n - got;
		memcpy(out + got, r->plain + r->plain_pos, take);
		r->plain_pos += take;
		got += take;
	}
	return (ssize_t)got;
}

void age_reader_free(age_reader *r)
{
	if (!r)
		return;
	keymem_free(r->key);
	sodium_memzero(r->plain, AGE_CHUNK_SIZE);
	free(r->plain);
	free(r->in);
	free(r->error);
	free(r);
}
