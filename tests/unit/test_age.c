/* test_age.c — the age format (src/core/age.c) and its Bech32 keys (src/core/bech32.c): keys made
 * by age-keygen 1.1.1 parse and give its public key; a file made by `age -r` 1.1.1 opens; files
 * of every size around the 64 KiB chunk round-trip through any pattern of writes and reads, with
 * the expected number of chunks; any byte changed in the header, the body or the order of chunks,
 * a file cut anywhere and data appended are refused, and no plaintext of a bad chunk is given out;
 * key texts that are not X25519 age keys are refused with a reason that never quotes a secret.
 * (tests/cli/test_crypto_interop.sh checks the other way against the real age.) */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/age.h"
#include "core/bech32.h"
#include "core/util.h"
#include "harness.h"

/* A key pair made by age-keygen 1.1.1; tests/data/crypto/bonjour.age was made by age 1.1.1 with
 * `age -r RECIPIENT -o bonjour.age` from the text of BONJOUR. */
static const char KEYGEN_FILE[] =
    "# created: 2026-12-03T09:27:15Z\n"
    "# public key: age1cgl76g870u77cha9w4ugk70x9j3pjf95lcddxh3stj25x8rzl3ksumywlz\n"
    "AGE-SECRET-KEY-1YKT338G5ET3QS2GEYEUPADKK7GPGX57V85FHWWTX7M66KLAES5KQX53JT8\n";
static const char KEYGEN_RECIPIENT[] = "age1cgl76g870u77cha9w4ugk70x9j3pjf95lcddxh3stj25x8rzl3ksumywlz";
static const char KEYGEN_SECRET[] =
    "AGE-SECRET-KEY-1YKT338G5ET3QS2GEYEUPADKK7GPGX57V85FHWWTX7M66KLAES5KQX53JT8";
static const char BONJOUR[] = "Bonjour de age 1.1.1 : « chiffré » pour recueil.\n";

/* ------------------------------------------------------------------ memory streams */

typedef struct {
	unsigned char *buf;
	size_t len, cap, pos;
	size_t step;      /* largest read answered at once (short reads); 0: no limit */
	size_t fail_from; /* writes fail once len would pass this; 0: never */
} stream;

static int mem_write(void *ctx, const void *p, size_t n)
{
	stream *s = ctx;
	if (s->fail_from && s->len + n > s->fail_from) {
		errno = ENOSPC;
		return -1;
	}
	if (s->cap - s->len < n) {
		s->cap = (s->len + n) * 2;
		s->buf = xrealloc(s->buf, s->cap);
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	return 0;
}

static ssize_t mem_read(void *ctx, void *p, size_t n)
{
	stream *s = ctx;
	size_t take = s->len - s->pos < n ? s->len - s->pos : n;
	if (s->step && take > s->step)
		take = s->step;
	memcpy(p, s->buf + s->pos, take);
	s->pos += take;
	return (ssize_t)take;
}

static age_identity *identity_new(age_recipient *r)
{
	char text[AGE_KEYFILE_MAX];
	CHECK(age_keygen(text, sizeof text, time(NULL), r, NULL));
	age_identity *id = age_identity_parse(text, NULL);
	CHECK(id != NULL);
	return id;
}

/* Encrypt n bytes to the recipients, written in pieces of at most piece bytes. */
static stream encrypt(const unsigned char *plain, size_t n, const age_recipient *r, size_t nr, size_t piece)
{
	stream s = {0};
	char *why = NULL;
	age_writer *w = age_writer_new(mem_write, &s, r, nr, &why);
	bool ok = w != NULL;
	for (size_t at = 0; ok && at < n; at += piece)
		ok = age_writer_write(w, plain + at, n - at < piece ? n - at : piece, &why) == 0;
	CHECK(ok && age_writer_close(w, &why) == 0);
	free(why);
	return s;
}

/* Decrypt the stream with the identities, reading at most piece bytes a call. Returns the
 * plaintext given out (caller frees) and its length in *n; *why is the error, NULL if none. */
static unsigned char *decrypt(stream *s, const age_identity *const ids[], size_t nids, size_t piece,
                              size_t *n, char **why)
{
	s->pos = 0;
	*n = 0;
	*why = NULL;
	age_reader *r = age_reader_new(mem_read, s, ids, nids, why);
	if (!r)
		return NULL;
	unsigned char *out = xmalloc(s->len + 1);
	ssize_t got;
	while ((got = age_reader_read(r, out + *n, piece, why)) > 0)
		*n += (size_t)got;
	age_reader_free(r);
	return out;
}

/* Header length: up to the end of the MAC line. */
static size_t header_len(const stream *s)
{
	const unsigned char *mac = memmem(s->buf, s->len, "\n--- ", 5);
	const unsigned char *end = mac ? memchr(mac + 1, '\n', s->len - (size_t)(mac + 1 - s->buf)) : NULL;
	return end ? (size_t)(end + 1 - s->buf) : 0;
}

/* ------------------------------------------------------------------ keys */

static void test_keys_of_age_keygen(void)
{
	char *why = NULL;
	age_identity *id = age_identity_parse(KEYGEN_FILE, &why);
	CHECK(id != NULL);
	age_recipient r, parsed;
	char text[AGE_RECIPIENT_LEN + 1];
	age_identity_to_recipient(id, &r);
	age_recipient_format(&r, text);
	CHECK_STR(text, KEYGEN_RECIPIENT);
	CHECK(age_recipient_parse(KEYGEN_RECIPIENT, &parsed, &why));
	CHECK(memcmp(parsed.key, r.key, 32) == 0);
	age_identity_free(id);
	/* The bare key line, blanks and a CR around it, is the same identity. */
	id = age_identity_parse(
	    "  AGE-SECRET-KEY-1YKT338G5ET3QS2GEYEUPADKK7GPGX57V85FHWWTX7M66KLAES5KQX53JT8\r\n", &why);
	CHECK(id != NULL);
	age_identity_to_recipient(id, &parsed);
	CHECK(memcmp(parsed.key, r.key, 32) == 0);
	age_identity_free(id);
	CHECK(age_recipient_parse(" age1cgl76g870u77cha9w4ugk70x9j3pjf95lcddxh3stj25x8rzl3ksumywlz\n",
	                          &parsed, &why));
	free(why);
}

/* The identity of KEYGEN_FILE opens the file age 1.1.1 encrypted to it; a new key does not. */
static void test_file_of_age(void)
{
	FILE *f = fopen(TEST_DATA_DIR "/crypto/bonjour.age", "rb");
	CHECK(f != NULL);
	if (!f)
		return;
	stream s = {.buf = xmalloc(4096), .cap = 4096};
	s.len = fread(s.buf, 1, s.cap, f);
	fclose(f);
	age_identity *id = age_identity_parse(KEYGEN_FILE, NULL);
	const age_identity *ids[] = {id};
	size_t n;
	char *why;
	unsigned char *out = decrypt(&s, ids, 1, 7, &n, &why);
	CHECK(out != NULL && why == NULL);
	CHECK(n == strlen(BONJOUR) && out && memcmp(out, BONJOUR, n) == 0);
	free(out);
	age_recipient r;
	age_identity *other = identity_new(&r);
	const age_identity *others[] = {other};
	CHECK(decrypt(&s, others, 1, 100, &n, &why) == NULL);
	CHECK(why && strstr(why, "aucune des clés"));
	free(why);
	age_identity_free(other);
	age_identity_free(id);
	free(s.buf);
}

static void test_keygen_text(void)
{
	char text[AGE_KEYFILE_MAX], small[100];
	age_recipient r;
	setenv("TZ", "UTC0", 1);
	tzset();
	CHECK(age_keygen(text, sizeof text, 1767225600, &r, NULL)); /* 2026-01-01 00:00:00 UTC */
	CHECK(str_starts(text, "# created: 2026-01-01T00:00:00Z\n# public key: age1"));
	/* The public key line is the recipient of the secret key line. */
	char pub[AGE_RECIPIENT_LEN + 1], line[200];
	age_recipient_format(&r, pub);
	snprintf(line, sizeof line, "# public key: %s\nAGE-SECRET-KEY-1", pub);
	CHECK(strstr(text, line) != NULL);
	CHECK(strlen(text) == 32 + 15 + AGE_RECIPIENT_LEN + 74 + 1);
	CHECK(text[strlen(text) - 1] == '\n');
	age_identity *id = age_identity_parse(text, NULL);
	age_recipient back;
	age_identity_to_recipient(id, &back);
	CHECK(memcmp(back.key, r.key, 32) == 0);
	age_identity_free(id);
	setenv("TZ", "CET-1", 1);
	tzset();
	CHECK(age_keygen(text, sizeof text, 1767225600, NULL, NULL));
	CHECK(str_starts(text, "# created: 2026-01-01T01:00:00+01:00\n# public key: age1"));
	setenv("TZ", "NST+3:30", 1);
	tzset();
	CHECK(age_keygen(text, sizeof text, 1767225600, NULL, NULL));
	CHECK(str_starts(text, "# created: 2025-12-31T20:30:00-03:30\n# public key: age1"));
	unsetenv("TZ");
	tzset();
	char *why = NULL;
	CHECK(!age_keygen(small, sizeof small, 0, NULL, &why));
	free(why);
	/* Two keys are never the same. */
	char again[AGE_KEYFILE_MAX];
	CHECK(age_keygen(again, sizeof again, 1767225600, NULL, NULL));
	CHECK(strcmp(strstr(again, "# public key:"), strstr(text, "# public key:")) != 0);
}

/* Each refusal says why, and never quotes the secret key it was given. */
static void test_bad_keys(void)
{
	static const struct {
		const char *text, *reason;
	} identities[] = {
	    {"", "aucune clé"},
	    {"# only a comment\n\n", "aucune clé"},
	    {"AGE-SECRET-KEY-1YKT338G5ET3QS2GEYEUPADKK7GPGX57V85FHWWTX7M66KLAES5KQX53JT8\n"
	     "AGE-SECRET-KEY-1YKT338G5ET3QS2GEYEUPADKK7GPGX57V85FHWWTX7M66KLAES5KQX53JT8\n",
	     "une seule"},
	    {"age1cgl76g870u77cha9w4ugk70x9j3pjf95lcddxh3stj25x8rzl3ksumywlz", "pas une clé secrète"},
	    {"age-secret-key-1ykt338g5et3qs2geyeupadkk7gpgx57v85fhwwtx7m66klaes5kqx53jt8",
	     "pas une clé secrète"},
	    {"AGE-SECRET-KEY-1YKT338G5ET3QS2GEYEUPADKK7GPGX57V85FHWWTX7M66KLAES5KQX53JT9",
	     "somme de contrôle"},
	    {"AGE-SECRET-KEY-1YKT338G5ET3QS2GEYEUPADKK7GPGX57V85FHWWTX7M66KLAES5KQX53Jt8", "mélangées"},
	    {"AGE-SECRET-KEY-1YKT338G5ET3QS2GEYEUPADKK7GPGX57V85FHWWTX7M66KLAES5KQXJT8", "somme de contrôle"},
	    {"AGE-SECRET-KEY-1YKT338G5ET3QS2GEYEUPADKK7GPGX57V85FHWWTX7M66KLAES5KQX5BJT8", "caractère « B »"},
	    {"AGE-SECRET-KEY-PQ-1XX76JRALNLXDMEW0CRK45QMCCH4X06SE84UN3VPM33W6HWDX0H3SK3ZQFR",
	     "post-quantique"},
	    {"AGE-PLUGIN-YUBIKEY-1QQQQQQ", "greffon"},
	};
	for (size_t i = 0; i < sizeof identities / sizeof identities[0]; i++) {
		char *why = NULL;
		CHECK(age_identity_parse(identities[i].text, &why) == NULL);
		CHECK(why && strstr(why, identities[i].reason));
		CHECK(why && !strstr(why, "YKT338G5") && !strstr(why, "ykt338g5"));
		if (!why || !strstr(why, identities[i].reason))
			fprintf(stderr, "  clé %zu : %s\n", i, why ? why : "(pas de message)");
		free(why);
	}
	static const struct {
		const char *text, *reason;
	} recipients[] = {
	    {"", "commence par"},
	    {"age1cgl76g870u77cha9w4ugk70x9j3pjf95lcddxh3stj25x8rzl3ksumywl", "somme de contrôle"},
	    {"age1cgl76g870u77cha9w4ugk70x9j3pjf95lcddxh3stj25x8rzl3ksumywlq", "somme de contrôle"},
	    {"AGE1CGL76G870U77CHA9W4UGK70X9J3PJF95LCDDXH3STJ25X8RZL3KSUMYWLZ", "commence par"},
	    {"age1cgl76g870u77cha9w4ugk70x9j3pjf95lcddxh3stj25x8rzl3ksuMywlz", "mélangées"},
	    {"age1pq1x34nzsvr0rxjsgdn8zgyhfe8j7ceq5r9rdelkjuh3y235jzxshfg87pzf5", "post-quantique"},
	    {"age1yubikey1qwerty", "greffon"},
	    {"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA", "SSH"},
	    {KEYGEN_SECRET, "clé secrète"},
	};
	for (size_t i = 0; i < sizeof recipients / sizeof recipients[0]; i++) {
		char *why = NULL;
		age_recipient r;
		CHECK(!age_recipient_parse(recipients[i].text, &r, &why));
		CHECK(why && strstr(why, recipients[i].reason));
		CHECK(why && !strstr(why, "YKT338G5"));
		if (!why || !strstr(why, recipients[i].reason))
			fprintf(stderr, "  destinataire %zu : %s\n", i, why ? why : "(pas de message)");
		free(why);
	}
}

/* BIP 173's checksum, computed here on its own as an oracle: the text of the 5-bit symbols syms
 * under the lowercase prefix hrp, into out. */
static void bech32_oracle(char *out, const char *hrp, const unsigned char *syms, size_t n)
{
	static const unsigned gen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
	unsigned values[200], nv = 0, chk = 1;
	for (const char *c = hrp; *c; c++)
		values[nv++] = (unsigned char)*c >> 5;
	values[nv++] = 0;
	for (const char *c = hrp; *c; c++)
		values[nv++] = (unsigned char)*c & 31;
	for (size_t i = 0; i < n; i++)
		values[nv++] = syms[i];
	for (int i = 0; i < 6; i++)
		values[nv++] = 0;
	for (unsigned i = 0; i < nv; i++) {
		unsigned top = chk >> 25;
		chk = ((chk & 0x1ffffff) << 5) ^ values[i];
		for (int j = 0; j < 5; j++)
			chk ^= (top >> j) & 1 ? gen[j] : 0;
	}
	chk ^= 1;
	int o = sprintf(out, "%s1", hrp);
	for (size_t i = 0; i < n; i++)
		out[o++] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"[syms[i]];
	for (int i = 0; i < 6; i++)
		out[o++] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"[(chk >> (5 * (5 - i))) & 31];
	out[o] = '\0';
}

/* Every single-symbol change of a recipient is caught by the checksum, and Bech32 texts of any
 * length round-trip in both cases. */
static void test_bech32(void)
{
	static const char set[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
	char text[AGE_RECIPIENT_LEN + 1];
	snprintf(text, sizeof text, "%s", KEYGEN_RECIPIENT);
	int caught = 0, tries = 0;
	for (size_t i = 4; i < AGE_RECIPIENT_LEN; i++) {
		char was = text[i];
		for (const char *c = set; *c; c++) {
			if (*c == was)
				continue;
			text[i] = *c;
			age_recipient r;
			tries++;
			caught += !age_recipient_parse(text, &r, NULL);
		}
		text[i] = was;
	}
	CHECK(tries == 58 * 31 && caught == tries);

	unsigned char data[80], back[80];
	randombytes_buf(data, sizeof data);
	for (size_t n = 0; n <= sizeof data; n++) {
		char enc[200];
		size_t got = 999;
		CHECK(bech32_encode(enc, sizeof enc, "test", data, n));
		CHECK(strlen(enc) == BECH32_ENCODED_LEN(4, n));
		CHECK(bech32_decode(enc, strlen(enc), "test", back, sizeof back, &got, NULL));
		CHECK(got == n && memcmp(back, data, n) == 0);
		CHECK(bech32_encode(enc, sizeof enc, "TEST", data, n));
		CHECK(bech32_decode(enc, strlen(enc), "TEST", back, sizeof back, &got, NULL) && got == n);
		CHECK(!bech32_decode(enc, strlen(enc), "test", back, sizeof back, &got, NULL));
	}
	char enc[200], *why = NULL;
	size_t got;
	/* A recipient is 32 bytes, not one more or less. */
	for (size_t n = 31; n <= 33; n += 2) {
		age_recipient r;
		CHECK(bech32_encode(enc, sizeof enc, "age", data, n));
		CHECK(!age_recipient_parse(enc, &r, &why) && why && strstr(why, "longueur"));
		free(why);
		why = NULL;
	}
	CHECK(!bech32_encode(enc, sizeof enc, "MiXed", data, 4));
	CHECK(!bech32_encode(enc, sizeof enc, "", data, 4));
	CHECK(!bech32_encode(enc, BECH32_ENCODED_LEN(3, 32), "age", data, 32)); /* no room for the NUL */
	CHECK(bech32_encode(enc, sizeof enc, "age", data, 32));
	CHECK(!bech32_decode(enc, strlen(enc), "age", back, 31, &got, &why)); /* too long for the room */
	CHECK(why && strstr(why, "trop longues"));
	free(why);
	why = NULL;
	/* Padding: 32 bytes leave 4 bits in the last symbol, which must be zero; 5 bytes fill eight
	 * symbols exactly, and a ninth would be padding only. Both with a valid checksum. */
	unsigned char syms[60];
	size_t nsyms = 0;
	CHECK(bech32_encode(enc, sizeof enc, "age", data, 32));
	for (const char *c = enc + 4; c < enc + strlen(enc) - 6; c++)
		syms[nsyms++] = (unsigned char)(strchr(set, *c) - set);
	syms[nsyms - 1] |= 1;
	bech32_oracle(enc, "age", syms, nsyms);
	CHECK(!bech32_decode(enc, strlen(enc), "age", back, sizeof back, &got, &why));
	CHECK(why && strstr(why, "bourrage"));
	free(why);
	why = NULL;
	syms[nsyms - 1] &= 0x10;
	bech32_oracle(enc, "age", syms, nsyms);
	CHECK(bech32_decode(enc, strlen(enc), "age", back, sizeof back, &got, NULL) && got == 32);
	CHECK(memcmp(back, data, 32) == 0);
	CHECK(bech32_encode(enc, sizeof enc, "age", data, 5));
	nsyms = 0;
	for (const char *c = enc + 4; c < enc + strlen(enc) - 6; c++)
		syms[nsyms++] = (unsigned char)(strchr(set, *c) - set);
	CHECK(nsyms == 8);
	syms[nsyms++] = 0;
	bech32_oracle(enc, "age", syms, nsyms);
	CHECK(!bech32_decode(enc, strlen(enc), "age", back, sizeof back, &got, &why));
	CHECK(why && strstr(why, "bourrage"));
	free(why);
}

/* ------------------------------------------------------------------ streams */

/* Sizes around the chunk: the ciphertext has exactly the announced chunks, and plaintext comes
 * back whatever the sizes of writes and reads. */
static void test_round_trips(void)
{
	static const size_t sizes[] = {0,     1,      100,    65535,          65536,
	                               65537, 131072, 131073, 3 * 65536 + 17, 1 << 21};
	static const size_t pieces[] = {1, 4096, 65536, 65537, 1 << 22};
	size_t max = 1 << 21;
	unsigned char *plain = xmalloc(max);
	randombytes_buf(plain, max);
	age_recipient r;
	age_identity *id = identity_new(&r);
	const age_identity *ids[] = {id};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		size_t n = sizes[i];
		for (size_t j = 0; j < sizeof pieces / sizeof pieces[0]; j++) {
			size_t piece = pieces[j];
			if (piece == 1 && n > 70000)
				continue;
			stream s = encrypt(plain, n, &r, 1, piece);
			size_t chunks = n == 0 ? 1 : (n + 65535) / 65536;
			CHECK(s.len == header_len(&s) + 16 + chunks * 16 + n);
			size_t got;
			char *why;
			s.step = piece == 1 ? 1 : 1000; /* the header and the chunks in short reads too */
			unsigned char *out = decrypt(&s, ids, 1, piece, &got, &why);
			CHECK(out && why == NULL && got == n && memcmp(out, plain, n) == 0);
			if (why)
				fprintf(stderr, "  %zu octets par %zu : %s\n", n, piece, why);
			free(out);
			free(why);
			free(s.buf);
		}
	}
	age_identity_free(id);
	free(plain);
}

/* A file for three recipients opens with each key, and with a list of keys where one fits. */
static void test_several_recipients(void)
{
	age_recipient r[4];
	age_identity *id[4];
	for (int i = 0; i < 4; i++)
		id[i] = identity_new(&r[i]);
	const unsigned char text[] = "pour trois destinataires";
	stream s = encrypt(text, sizeof text, r, 3, 5);
	for (int i = 0; i < 3; i++) {
		const age_identity *one[] = {id[i]};
		size_t n;
		char *why;
		unsigned char *out = decrypt(&s, one, 1, 64, &n, &why);
		CHECK(out && n == sizeof text && memcmp(out, text, n) == 0);
		free(out);
	}
	const age_identity *outsider[] = {id[3]};
	const age_identity *list[] = {id[3], id[1]};
	size_t n;
	char *why;
	CHECK(decrypt(&s, outsider, 1, 64, &n, &why) == NULL);
	free(why);
	unsigned char *out = decrypt(&s, list, 2, 64, &n, &why);
	CHECK(out && n == sizeof text);
	free(out);
	/* A stanza per recipient: three "-> X25519" lines. */
	size_t h = header_len(&s), stanzas = 0;
	for (const unsigned char *p = s.buf; (p = memmem(p, h - (size_t)(p - s.buf), "\n-> X25519 ", 11));
	     p++)
		stanzas++;
	CHECK(stanzas == 3);
	free(s.buf);
	for (int i = 0; i < 4; i++)
		age_identity_free(id[i]);
}

static stream copy_of(const stream *s)
{
	stream c = *s;
	c.buf = xmalloc(s->len + 100);
	memcpy(c.buf, s->buf, s->len);
	c.cap = s->len + 100;
	c.pos = 0;
	return c;
}

/* Every byte of the header changed: the file is refused before any plaintext. */
static void test_header_tampering(void)
{
	age_recipient r;
	age_identity *id = identity_new(&r);
	const age_identity *ids[] = {id};
	const unsigned char text[] = "en-tête";
	stream s = encrypt(text, sizeof text, &r, 1, 100);
	size_t h = header_len(&s);
	int refused = 0;
	for (size_t i = 0; i < h; i++) {
		for (int bit = 0; bit < 8; bit += 3) {
			stream c = copy_of(&s);
			c.buf[i] ^= (unsigned char)(1 << bit);
			size_t n;
			char *why;
			unsigned char *out = decrypt(&c, ids, 1, 64, &n, &why);
			refused += out == NULL && why != NULL;
			free(out);
			free(why);
			free(c.buf);
		}
	}
	CHECK(refused == (int)(h * 3));
	/* The payload nonce follows the header: changed, no chunk authenticates. */
	stream c = copy_of(&s);
	c.buf[h + 3] ^= 1;
	size_t n;
	char *why;
	unsigned char *out = decrypt(&c, ids, 1, 64, &n, &why);
	CHECK(out && n == 0 && why && strstr(why, "ne s'authentifie pas"));
	free(out);
	free(why);
	free(c.buf);
	/* The MAC of another file: refused. */
	stream other = encrypt(text, sizeof text, &r, 1, 100);
	c = copy_of(&s);
	memcpy(c.buf + h - 44, other.buf + header_len(&other) - 44, 43);
	CHECK(decrypt(&c, ids, 1, 64, &n, &why) == NULL && why && strstr(why, "altéré"));
	free(why);
	free(c.buf);
	free(other.buf);
	free(s.buf);
	age_identity_free(id);
}

/* Changed, reordered, dropped, cut and appended chunks: refused, and what came out before the
 * error is exactly the authenticated chunks before the bad one. */
static void test_payload_tampering(void)
{
	enum { N = 3 * 65536 + 500 };
	unsigned char *plain = xmalloc(N);
	randombytes_buf(plain, N);
	age_recipient r;
	age_identity *id = identity_new(&r);
	const age_identity *ids[] = {id};
	stream s = encrypt(plain, N, &r, 1, 10000);
	size_t body = header_len(&s) + 16, enc = 65536 + 16;
	struct {
		const char *what;
		size_t flip; /* flip the byte at body + flip - 1, if not 0 */
		bool cut;    /* keep only body + keep bytes */
		size_t keep;
		bool swap;       /* swap chunks 1 and 2 */
		size_t append;   /* random bytes appended */
		size_t released; /* plaintext given out before the error */
		const char *reason;
	} cases[] = {
	    {.what = "premier bloc altéré", .flip = 10, .released = 0, .reason = "ne s'authentifie pas"},
	    {.what = "deuxième bloc altéré", .flip = enc + 4000, .released = 65536, .reason = "bloc 2 ne s'"},
	    {.what = "étiquette du dernier bloc",
	     .flip = 3 * enc + 510,
	     .released = 3 * 65536,
	     .reason = "bloc 4"},
	    {.what = "blocs 1 et 2 inversés", .swap = true, .released = 0, .reason = "bloc 1 ne s'"},
	    {.what = "dernier bloc supprimé",
	     .cut = true,
	     .keep = 3 * enc,
	     .released = 3 * 65536,
	     .reason = "le dernier bloc manque"},
	    {.what = "coupé dans le dernier bloc",
	     .cut = true,
	     .keep = 3 * enc + 200,
	     .released = 3 * 65536,
	     .reason = "tronqué"},
	    {.what = "coupé dans le deuxième bloc",
	     .cut = true,
	     .keep = enc + 5,
	     .released = 65536,
	     .reason = "tronqué : bloc 2 incomplet"},
	    {.what = "coupé après l'en-tête", .cut = true, .keep = 0, .released = 0, .reason = "aucun bloc"},
	    {.what = "un octet ajouté", .append = 1, .released = 3 * 65536, .reason = "bloc 4"},
	    {.what = "un bloc vide ajouté", .append = 16, .released = 3 * 65536, .reason = "bloc 4"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		stream c = copy_of(&s);
		if (cases[i].flip)
			c.buf[body + cases[i].flip - 1] ^= 0x40;
		if (cases[i].cut)
			c.len = body + cases[i].keep;
		if (cases[i].swap) {
			unsigned char *tmp = xmalloc(enc);
			memcpy(tmp, c.buf + body, enc);
			memcpy(c.buf + body, c.buf + body + enc, enc);
			memcpy(c.buf + body + enc, tmp, enc);
			free(tmp);
		}
		if (cases[i].append) {
			randombytes_buf(c.buf + c.len, cases[i].append);
			c.len += cases[i].append;
		}
		size_t n;
		char *why;
		unsigned char *out = decrypt(&c, ids, 1, 3000, &n, &why);
		bool ok = out && why && strstr(why, cases[i].reason) && n == cases[i].released &&
		          memcmp(out, plain, n) == 0;
		CHECK(ok);
		if (!ok)
			fprintf(stderr, "  %s : %zu octets, %s\n", cases[i].what, n,
			        why ? why : "(pas d'erreur)");
		free(out);
		free(why);
		free(c.buf);
	}
	/* A last chunk that is full, then data: the chunk is given out, then the error. */
	stream f = encrypt(plain, 2 * 65536, &r, 1, 65536);
	f.buf = xrealloc(f.buf, f.len + 10);
	memset(f.buf + f.len, 'x', 10);
	f.len += 10;
	size_t n;
	char *why;
	unsigned char *out = decrypt(&f, ids, 1, 3000, &n, &why);
	CHECK(out && n == 2 * 65536 && memcmp(out, plain, n) == 0 && why &&
	      strstr(why, "suivent le dernier bloc"));
	free(out);
	free(why);
	free(f.buf);
	/* A file cut at every 4 KiB: never accepted whole. */
	int refused = 0, tries = 0;
	for (size_t cut = 0; cut < s.len; cut += 4096) {
		stream c = copy_of(&s);
		c.len = cut;
		out = decrypt(&c, ids, 1, 65536, &n, &why);
		tries++;
		refused += why != NULL && n < N;
		free(out);
		free(why);
		free(c.buf);
	}
	CHECK(refused == tries);
	free(s.buf);
	free(plain);
	age_identity_free(id);
}

/* After an error, the reader keeps failing the same way. */
static void test_error_is_final(void)
{
	age_recipient r;
	age_identity *id = identity_new(&r);
	const age_identity *ids[] = {id};
	const unsigned char text[] = "erreur définitive";
	stream s = encrypt(text, sizeof text, &r, 1, 100);
	s.len -= 1;
	char *why = NULL;
	unsigned char buf[64];
	age_reader *rd = age_reader_new(mem_read, &s, ids, 1, &why);
	CHECK(rd != NULL);
	CHECK(rd && age_reader_read(rd, buf, sizeof buf, &why) == -1 && why);
	char *first = why;
	why = NULL;
	CHECK(rd && age_reader_read(rd, buf, sizeof buf, &why) == -1 && why && first &&
	      strcmp(why, first) == 0);
	age_reader_free(rd);
	free(first);
	free(why);
	free(s.buf);
	age_identity_free(id);
}

/* Not age, other formats and other recipient types: refused with what they are. */
static void test_not_x25519(void)
{
	age_recipient r;
	age_identity *id = identity_new(&r);
	const age_identity *ids[] = {id};
	static const struct {
		const char *text, *reason;
	} files[] = {
	    {"PK\3\4 une archive zip", "pas un fichier age"},
	    {"", "pas un fichier age"},
	    {"-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n-----END AGE ENCRYPTED FILE-----\n", "armure"},
	    {"age-encryption.org/v2\n-> X25519 a\nb\n--- c\n", "version"},
	    {"age-encryption.org/v1\n--- 3BWmPMaKBpQ6PaTPSbDFB0JGF9mnxi6ojLjmH3wubFE\n",
	     "sans aucun destinataire"},
	    {"age-encryption.org/v1\n-> scrypt ajMFur+EJLGaohv/dLRGnw 18\n"
	     "8SHBz/ldWnjyGFQqfjat6uNBarWqqEMDS7W8X7+Xq5Q\n--- 3BWmPMaKBpQ6PaTPSbDFB0JGF9mnxi6ojLjmH3wubFE\n",
	     "phrase de passe"},
	    {"age-encryption.org/v1\n-> piv-p256 abc def\n\n--- "
	     "3BWmPMaKBpQ6PaTPSbDFB0JGF9mnxi6ojLjmH3wubFE\n",
	     "aucun destinataire X25519"},
	    {"age-encryption.org/v1\n-> X25519 abc\n\n--- 3BWmPMaKBpQ6PaTPSbDFB0JGF9mnxi6ojLjmH3wubFE\n",
	     "ligne 2 : bloc X25519 mal formé"},
	    {"age-encryption.org/v1\n-> X25519 TEiF0ypqr+bpvcqXNyCVJpL7OuwPdVwPL7KQEbFDOCc\n"
	     "hjabGXwSLQ9c3S6Lw2i+S2Tu2fiwQHHslbBN6B41FLE\n",
	     "incomplet"},
	};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		stream s = {.buf = (unsigned char *)xstrdup(files[i].text), .len = strlen(files[i].text)};
		size_t n;
		char *why;
		CHECK(decrypt(&s, ids, 1, 64, &n, &why) == NULL);
		CHECK(why && strstr(why, files[i].reason));
		if (!why || !strstr(why, files[i].reason))
			fprintf(stderr, "  fichier %zu : %s\n", i, why ? why : "(pas de message)");
		free(why);
		free(s.buf);
	}
	age_identity_free(id);
}

/* A failing output: the writer says why, and refuses to go on. A recipient of small order (no
 * key at all) is refused. */
static void test_writer_errors(void)
{
	age_recipient r;
	age_identity *id = identity_new(&r);
	char *why = NULL;
	stream s = {.fail_from = 10};
	CHECK(age_writer_new(mem_write, &s, &r, 1, &why) == NULL);
	CHECK(why && strstr(why, strerror(ENOSPC)));
	free(why);
	why = NULL;
	stream t = {.fail_from = 300};
	unsigned char *big = xcalloc(1, 200000);
	age_writer *w = age_writer_new(mem_write, &t, &r, 1, &why);
	CHECK(w != NULL);
	CHECK(w && age_writer_write(w, big, 200000, &why) == -1 && why);
	CHECK(w && age_writer_write(w, big, 1, &why) == -1);
	CHECK(w && age_writer_close(w, &why) == -1);
	free(why);
	why = NULL;
	age_recipient zero = {{0}};
	CHECK(age_writer_new(mem_write, &t, &zero, 1, &why) == NULL && why && strstr(why, "ordre faible"));
	free(why);
	why = NULL;
	CHECK(age_writer_new(mem_write, &t, &r, 0, &why) == NULL && why && strstr(why, "aucun destinataire"));
	free(why);
	/* A writer freed before its close leaves a file that no reader accepts. */
	stream u = {0};
	w = age_writer_new(mem_write, &u, &r, 1, NULL);
	CHECK(w && age_writer_write(w, big, 100000, NULL) == 0);
	age_writer_free(w);
	const age_identity *ids[] = {id};
	size_t n;
	unsigned char *out = decrypt(&u, ids, 1, 65536, &n, &why);
	CHECK(out && why && n == 65536);
	free(out);
	free(why);
	free(u.buf);
	free(t.buf);
	free(big);
	age_identity_free(id);
}

int main(void)
{
	RUN(test_keys_of_age_keygen);
	RUN(test_file_of_age);
	RUN(test_keygen_text);
	RUN(test_bad_keys);
	RUN(test_bech32);
	RUN(test_round_trips);
	RUN(test_several_recipients);
	RUN(test_header_tampering);
	RUN(test_payload_tampering);
	RUN(test_error_is_final);
	RUN(test_not_x25519);
	RUN(test_writer_errors);
	return harness_report();
}
