/* test_minisign.c — minisign signatures (src/core/minisign.c): a key and a signature made by
 * minisign 0.11 are read and verified; our signatures of data and of files verify, and fail when
 * the data, the signature, the trusted comment or the key changes; the secret key survives its
 * blob and minisign's own unencrypted key file is read; key ids print as minisign prints them;
 * fingerprints are stable and tell keys apart. (tests/cli/test_crypto_interop.sh checks both ways
 * against the real minisign.) */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/minisign.h"
#include "core/util.h"
#include "harness.h"

/* Made by minisign 0.11: `minisign -G -W`, then `minisign -S -m data -t 'manifeste de test'` over
 * the 8 bytes "recueil\n", then the same with -l (legacy, not prehashed). */
static const char THEIR_PUB[] = "untrusted comment: minisign public key 7EFAC180FA802B36\n"
                                "RWQ2K4D6gMH6fjk+rUWsaCFtzsG1c5gN/kjI7zJXu/5n6x/4rqerwjjd\n";
static const char THEIR_SIG[] =
    "untrusted comment: signature from minisign secret key\n"
    "RUQ2K4D6gMH6fp3Qte39SGQuj+09oGiHVV91CauT9f94L1YLeR7xWLA29HbMdfSib+cCnJ0mXVSxV2AqCUwGuhU9TwmRF4GFbww=\n"
    "trusted comment: manifeste de test\n"
    "XKkpjgaQyBM8Th5mh7CRao+7tgZYztumD4sYlmzG0z2dETjippYuHkATQEk4AA/RCYsB7WotnUvUnNmPbodECA==\n";
static const char THEIR_LEGACY_SIG[] =
    "untrusted comment: signature from minisign secret key\n"
    "RWQ2K4D6gMH6fkI4/m26cS8rLZRlUDIeXvEqvnkyfvS1E4ZD/MeuNNxFeRcq6vkPPoDEP34uTAn3r3k2c0iH0H7YuHumYGaiCAM=\n"
    "trusted comment: legacy\n"
    "48+D8dj5d5ktJFcF8RFoDfC8bMzyrZh3krlH93UALwsgUjAq/Ik6d8IREku2JinkKQwTgnLpvUtiJ385nl7bDA==\n";
static const char THEIR_DATA[] = "recueil\n";

static char dir[] = "/tmp/recueil-test-minisign-XXXXXX";

/* Replace the first occurrence of from by to in a copy of s (caller frees). */
static char *replaced(const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);
	if (!at)
		return xstrdup(s);
	return xasprintf("%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
}

static void test_their_signature(void)
{
	minisign_pubkey pk;
	char *why = NULL, *comment = NULL;
	CHECK(minisign_pubkey_parse(THEIR_PUB, &pk, &why));
	char hex[MINISIGN_KEYID_HEX_LEN + 1];
	minisign_keyid_hex(pk.keyid, hex);
	CHECK_STR(hex, "7EFAC180FA802B36");
	CHECK(minisign_verify(&pk, THEIR_DATA, strlen(THEIR_DATA), THEIR_SIG, &comment, &why));
	CHECK_STR(comment, "manifeste de test");
	free(comment);
	/* The key as its base64 line alone, and as minisign -P takes it. */
	minisign_pubkey line;
	CHECK(minisign_pubkey_parse("RWQ2K4D6gMH6fjk+rUWsaCFtzsG1c5gN/kjI7zJXu/5n6x/4rqerwjjd", &line, &why));
	CHECK(memcmp(&line, &pk, sizeof pk) == 0);
	char b64[MINISIGN_PUBKEY_B64_LEN + 1];
	minisign_pubkey_base64(&pk, b64);
	CHECK_STR(b64, "RWQ2K4D6gMH6fjk+rUWsaCFtzsG1c5gN/kjI7zJXu/5n6x/4rqerwjjd");
	char *text = minisign_pubkey_text(&pk);
	CHECK_STR(text, THEIR_PUB);
	free(text);
	/* Data changed by one byte; the legacy format. */
	CHECK(!minisign_verify(&pk, "recueiL\n", 8, THEIR_SIG, NULL, &why));
	CHECK(why && strstr(why, "le contenu signé a changé"));
	CHECK(!minisign_verify(&pk, THEIR_DATA, strlen(THEIR_DATA), THEIR_LEGACY_SIG, NULL, &why));
	CHECK(why && strstr(why, "ancien format"));
	/* A signature text from Windows (CR LF) and with blank lines after it still verifies. */
	strbuf crlf = STRBUF_INIT;
	for (const char *p = THEIR_SIG; *p; p++)
		strbuf_puts(&crlf, *p == '\n' ? "\r\n" : (char[]){*p, '\0'});
	strbuf_puts(&crlf, "\n\n");
	CHECK(minisign_verify(&pk, THEIR_DATA, strlen(THEIR_DATA), strbuf_str(&crlf), NULL, &why));
	strbuf_done(&crlf);
	free(why);
}

/* Our key pair: the public key text has minisign's shape, and our signatures verify. */
static void test_sign_and_verify(void)
{
	char *why = NULL, *comment = NULL;
	minisign_seckey *sk = minisign_keygen(&why);
	CHECK(sk != NULL);
	minisign_pubkey pk, parsed;
	minisign_seckey_pubkey(sk, &pk);
	char *text = minisign_pubkey_text(&pk);
	char hex[MINISIGN_KEYID_HEX_LEN + 1], b64[MINISIGN_PUBKEY_B64_LEN + 1];
	minisign_keyid_hex(pk.keyid, hex);
	minisign_pubkey_base64(&pk, b64);
	char *want = xasprintf("untrusted comment: minisign public key %s\n%s\n", hex, b64);
	CHECK_STR(text, want);
	CHECK(strlen(b64) == MINISIGN_PUBKEY_B64_LEN && str_starts(b64, "RW"));
	CHECK(minisign_pubkey_parse(text, &parsed, &why) && memcmp(&parsed, &pk, sizeof pk) == 0);
	free(want);
	free(text);

	const char data[] = "structure,période\nMS-GE-01,2026-T3\n";
	char *sig = minisign_sign(sk, data, strlen(data), "structure MS-GE-01\tpériode 2026-T3", &why);
	CHECK(sig != NULL);
	if (!sig) { /* everything below reads the signature */
		minisign_seckey_free(sk);
		free(why);
		return;
	}
	CHECK(str_starts(sig, "untrusted comment: "));
	CHECK(strstr(sig, "\ntrusted comment: structure MS-GE-01\tpériode 2026-T3\n"));
	CHECK(minisign_verify(&pk, data, strlen(data), sig, &comment, &why));
	CHECK_STR(comment, "structure MS-GE-01\tpériode 2026-T3");
	free(comment);
	comment = NULL;
	/* Prehashed: the signature line decodes to "ED" ("RU…"; "Ed" would be "RW…"). */
	CHECK(str_starts(strchr(sig, '\n') + 1, "RU"));

	/* Anything changed is refused, each with its reason. */
	char *other_comment = replaced(sig, "MS-GE-01\t", "MS-GE-02\t");
	CHECK(!minisign_verify(&pk, data, strlen(data), other_comment, NULL, &why));
	CHECK(why && strstr(why, "commentaire de confiance a été modifié"));
	free(other_comment);
	CHECK(!minisign_verify(&pk, data, strlen(data) - 1, sig, NULL, &why));
	CHECK(why && strstr(why, "contenu signé a changé"));
	char *lines[4], *copy = xstrdup(sig);
	lines[0] = copy;
	for (int i = 1; i < 4; i++) {
		char *eol = strchr(lines[i - 1], '\n');
		*eol = '\0';
		lines[i] = eol + 1;
	}
	lines[1][20] = lines[1][20] == 'A' ? 'B' : 'A'; /* a byte of the signature */
	char *bad = xasprintf("%s\n%s\n%s\n%s", lines[0], lines[1], lines[2], lines[3]);
	CHECK(!minisign_verify(&pk, data, strlen(data), bad, NULL, &why));
	free(bad);
	bad = xasprintf("%s\n%s\n%s\n", lines[0], lines[1], lines[2]);
	CHECK(!minisign_verify(&pk, data, strlen(data), bad, NULL, &why));
	CHECK(why && strstr(why, "mal formée"));
	free(bad);
	free(copy);

	/* Another key: another key id, named. The same key id on another key: the signature fails. */
	minisign_seckey *sk2 = minisign_keygen(NULL);
	minisign_pubkey pk2;
	minisign_seckey_pubkey(sk2, &pk2);
	char hex2[MINISIGN_KEYID_HEX_LEN + 1];
	minisign_keyid_hex(pk2.keyid, hex2);
	CHECK(!minisign_verify(&pk2, data, strlen(data), sig, NULL, &why));
	CHECK(why && strstr(why, hex) && strstr(why, hex2));
	memcpy(pk2.keyid, pk.keyid, sizeof pk.keyid);
	CHECK(!minisign_verify(&pk2, data, strlen(data), sig, NULL, &why));
	CHECK(why && strstr(why, "signature est fausse"));
	free(sig);

	/* The default trusted comment: a timestamp, and "hashed" as minisign writes it. */
	sig = minisign_sign(sk, "", 0, NULL, &why);
	CHECK(sig && minisign_verify(&pk, "", 0, sig, &comment, &why));
	CHECK(comment && str_starts(comment, "timestamp:") && strstr(comment, "\thashed"));
	free(comment);
	free(sig);
	/* A comment minisign could not read back is refused. */
	CHECK(minisign_sign(sk, data, 3, "deux\nlignes", &why) == NULL && why && strstr(why, "commentaire"));
	char *long_comment = xcalloc(1, MINISIGN_COMMENT_MAX + 2);
	memset(long_comment, 'c', MINISIGN_COMMENT_MAX + 1);
	CHECK(minisign_sign(sk, data, 3, long_comment, &why) == NULL);
	long_comment[MINISIGN_COMMENT_MAX] = '\0';
	sig = minisign_sign(sk, data, 3, long_comment, &why);
	CHECK(sig && minisign_verify(&pk, data, 3, sig, NULL, &why));
	free(sig);
	free(long_comment);
	CHECK(minisign_sign(sk, data, 3, "\xff\xfe", &why) == NULL);
	minisign_seckey_free(sk2);
	minisign_seckey_free(sk);
	free(why);
}

static void test_files(void)
{
	char *why = NULL, *comment = NULL;
	minisign_seckey *sk = minisign_keygen(&why);
	minisign_pubkey pk;
	minisign_seckey_pubkey(sk, &pk);
	char *path = xasprintf("%s/manifest.txt", dir);
	FILE *f = fopen(path, "wb");
	unsigned char *big = xmalloc(300000);
	randombytes_buf(big, 300000);
	CHECK(f && fwrite(big, 1, 300000, f) == 300000 && fclose(f) == 0);
	char *sig = minisign_sign_file(sk, path, NULL, &why);
	CHECK(sig && minisign_verify_file(&pk, path, sig, &comment, &why));
	CHECK(comment && strstr(comment, "\tfile:manifest.txt\thashed"));
	/* The file and the buffer of the same bytes have the same signature (prehashed). */
	CHECK(sig && minisign_verify(&pk, big, 300000, sig, NULL, &why));
	big[123456] ^= 1;
	CHECK(sig && !minisign_verify(&pk, big, 300000, sig, NULL, &why));
	char *missing = xasprintf("%s/absent", dir);
	CHECK(minisign_sign_file(sk, missing, NULL, &why) == NULL && why && strstr(why, "absent"));
	CHECK(!minisign_verify_file(&pk, missing, sig, NULL, &why) && why && strstr(why, "absent"));
	unlink(path);
	free(missing);
	free(comment);
	free(sig);
	free(big);
	free(path);
	free(why);
	minisign_seckey_free(sk);
}

/* Whether sk is the secret half of pk: same public key, and what it signs pk verifies. */
static bool pair_of(const minisign_seckey *sk, const minisign_pubkey *pk)
{
	minisign_pubkey mine;
	minisign_seckey_pubkey(sk, &mine);
	char *sig = minisign_sign(sk, "abc", 3, "t", NULL);
	bool ok =
	    memcmp(&mine, pk, sizeof mine) == 0 && sig && minisign_verify(pk, "abc", 3, sig, NULL, NULL);
	free(sig);
	return ok;
}

/* The blob the database keeps: same key back, and corruption refused. */
static void test_blob(void)
{
	char *why = NULL;
	minisign_seckey *sk = minisign_keygen(&why);
	minisign_pubkey pk;
	minisign_seckey_pubkey(sk, &pk);
	unsigned char blob[MINISIGN_SECKEY_BLOB_SIZE], bad[MINISIGN_SECKEY_BLOB_SIZE];
	minisign_seckey_blob(sk, blob);
	CHECK(memcmp(blob, "Ed\0\0B2", 6) == 0);
	minisign_seckey *back = minisign_seckey_from_blob(blob, sizeof blob, &why);
	CHECK(back && pair_of(back, &pk));
	minisign_seckey_free(back);
	/* Any byte of the key id, the key or the checksum changed is caught. */
	int refused = 0;
	for (size_t i = 54; i < sizeof blob; i++) {
		memcpy(bad, blob, sizeof blob);
		bad[i] ^= 0x10;
		back = minisign_seckey_from_blob(bad, sizeof bad, NULL);
		refused += back == NULL;
		minisign_seckey_free(back);
	}
	CHECK(refused == (int)sizeof blob - 54);
	/* minisign -G -W leaves the checksum at zero: accepted. */
	memcpy(bad, blob, sizeof blob);
	memset(bad + 126, 0, 32);
	back = minisign_seckey_from_blob(bad, sizeof bad, &why);
	CHECK(back != NULL);
	minisign_seckey_free(back);
	memcpy(bad, blob, sizeof blob);
	memcpy(bad + 2, "Sc", 2);
	CHECK(minisign_seckey_from_blob(bad, sizeof bad, &why) == NULL && why && strstr(why, "mot de passe"));
	CHECK(minisign_seckey_from_blob(blob, sizeof blob - 1, &why) == NULL && why && strstr(why, "157"));
	/* The key file text, as minisign -S reads it, and back. */
	char text[MINISIGN_SECKEY_TEXT_MAX];
	CHECK(minisign_seckey_text(sk, text, sizeof text));
	CHECK(str_starts(text, "untrusted comment: ") && text[strlen(text) - 1] == '\n');
	back = minisign_seckey_parse(text, &why);
	CHECK(back && pair_of(back, &pk));
	minisign_seckey_free(back);
	CHECK(!minisign_seckey_text(sk, text, 100));
	CHECK(minisign_seckey_parse("untrusted comment: x\nRWQ=\n", &why) == NULL && why &&
	      strstr(why, "encod"));
	minisign_seckey_free(sk);
	free(why);
}

/* A secret key file of minisign -G -W (0.11) signs what its public key verifies. */
static void test_their_secret_key(void)
{
	static const char sec[] =
	    "untrusted comment: minisign encrypted secret key\n"
	    "RWQAAEIyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAnCaTxbtpzhuTpPQfLOOddtxe"
	    "SB9lal6U"
	    "4K59APVxGFJaIksViHBiBD+iX6f8do/"
	    "guxgUNcG3jnayi2wgJwtgDNKzmljFFpbcAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
	static const char pub[] = "RWScJpPFu2nOGz+iX6f8do/guxgUNcG3jnayi2wgJwtgDNKzmljFFpbc";
	char *why = NULL;
	minisign_seckey *sk = minisign_seckey_parse(sec, &why);
	minisign_pubkey pk;
	CHECK(minisign_pubkey_parse(pub, &pk, &why));
	char hex[MINISIGN_KEYID_HEX_LEN + 1];
	minisign_keyid_hex(pk.keyid, hex);
	CHECK_STR(hex, "1BCE69BBC593269C"); /* as minisign printed it */
	CHECK(sk && pair_of(sk, &pk));
	minisign_seckey_free(sk);
	free(why);
}

static void test_pubkey_texts(void)
{
	static const struct {
		const char *text;
		bool ok;
	} cases[] = {
	    {"RWQ2K4D6gMH6fjk+rUWsaCFtzsG1c5gN/kjI7zJXu/5n6x/4rqerwjjd", true},
	    {"  RWQ2K4D6gMH6fjk+rUWsaCFtzsG1c5gN/kjI7zJXu/5n6x/4rqerwjjd\r\n\n", true},
	    {"untrusted comment: minisign public key 7EFAC180FA802B36\r\n"
	     "RWQ2K4D6gMH6fjk+rUWsaCFtzsG1c5gN/kjI7zJXu/5n6x/4rqerwjjd\r\n",
	     true},
	    {"", false},
	    {"RWQ2K4D6gMH6fjk+rUWsaCFtzsG1c5gN/kjI7zJXu/5n6x/4rqerwjj", false},
	    {"RWQ2K4D6gMH6fjk+rUWsaCFtzsG1c5gN/kjI7zJXu/5n6x/4rqerwjjd=", false},
	    {"RUQ2K4D6gMH6fjk+rUWsaCFtzsG1c5gN/kjI7zJXu/5n6x/4rqerwjjd", false}, /* "ED" is no key */
	    {"comment\nRWQ2K4D6gMH6fjk+rUWsaCFtzsG1c5gN/kjI7zJXu/5n6x/4rqerwjjd\n", false},
	    {"untrusted comment: a\nRWQ2K4D6gMH6fjk+rUWsaCFtzsG1c5gN/kjI7zJXu/5n6x/4rqerwjjd\nthird\n",
	     false},
	    {"age1cgl76g870u77cha9w4ugk70x9j3pjf95lcddxh3stj25x8rzl3ksumywlz", false},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		minisign_pubkey pk;
		char *why = NULL;
		bool ok = minisign_pubkey_parse(cases[i].text, &pk, &why);
		CHECK(ok == cases[i].ok);
		CHECK(ok || (why && strstr(why, "clé publique minisign")));
		if (ok != cases[i].ok)
			fprintf(stderr, "  clé publique %zu : %s\n", i, why ? why : "acceptée");
		free(why);
	}
}

/* Fingerprints: the announced shape, the same for the same key, different for another key or
 * another key id, and fixed for a given key (what the region noted down stays valid). */
static void test_fingerprint(void)
{
	static const char ALPHABET[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	minisign_pubkey pk;
	minisign_pubkey_parse(THEIR_PUB, &pk, NULL);
	char fp[MINISIGN_FINGERPRINT_LEN + 1], again[MINISIGN_FINGERPRINT_LEN + 1];
	minisign_pubkey_fingerprint(&pk, fp);
	bool shape = strlen(fp) == MINISIGN_FINGERPRINT_LEN;
	for (int i = 0; i < MINISIGN_FINGERPRINT_LEN && shape; i++)
		shape = i % 5 == 4 ? fp[i] == '-' : fp[i] && strchr(ALPHABET, fp[i]) != NULL;
	CHECK(shape);
	/* BLAKE2b-256 of "Ed" || 362B80FA80C1FA7E || key: 100 bits, four by four. */
	CHECK_STR(fp, "0FVT-Y73A-B9HD-G2HB-J42R"); /* computed apart, with Python's hashlib */
	minisign_pubkey_fingerprint(&pk, again);
	CHECK_STR(again, fp);
	pk.keyid[0] ^= 1;
	minisign_pubkey_fingerprint(&pk, again);
	CHECK(strcmp(again, fp) != 0);
	pk.keyid[0] ^= 1;
	pk.key[31] ^= 1;
	minisign_pubkey_fingerprint(&pk, again);
	CHECK(strcmp(again, fp) != 0);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror(dir);
		return 1;
	}
	RUN(test_their_signature);
	RUN(test_sign_and_verify);
	RUN(test_files);
	RUN(test_blob);
	RUN(test_their_secret_key);
	RUN(test_pubkey_texts);
	RUN(test_fingerprint);
	rmdir(dir);
	return harness_report();
}
