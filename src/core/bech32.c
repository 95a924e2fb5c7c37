/* bech32.c — Bech32 text of binary data (see bech32.h), written from BIP 173. The data is
 * converted between 8-bit bytes and 5-bit symbols on the fly and the checksum is computed as the
 * symbols go by, so that no copy of a secret key is left in a buffer of ours. */
#include "core/bech32.h"

#include <stdint.h>
#include <string.h>

#include "core/util.h"

static const char CHARSET[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/* One step of the BCH checksum of BIP 173 over the 5-bit value v. */
static uint32_t polymod_step(uint32_t chk, unsigned v)
{
	static const uint32_t gen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
	uint32_t top = chk >> 25;
	chk = ((chk & 0x1ffffff) << 5) ^ v;
	for (int i = 0; i < 5; i++)
		if ((top >> i) & 1)
			chk ^= gen[i];
	return chk;
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* The checksum state after the expanded prefix: high bits of each character, 0, low bits. */
static uint32_t polymod_hrp(const char *hrp, size_t len)
{
	uint32_t chk = 1;
	for (size_t i = 0; i < len; i++)
		chk = polymod_step(chk, (unsigned char)lower(hrp[i]) >> 5);
	chk = polymod_step(chk, 0);
	for (size_t i = 0; i < len; i++)
		chk = polymod_step(chk, (unsigned char)lower(hrp[i]) & 31);
	return chk;
}

/* Whether s (len characters) is printable ASCII without blanks; *upper tells whether it has
 * uppercase letters; false as well when it mixes both cases. */
static bool one_case(const char *s, size_t len, bool *upper)
{
	bool lo = false, up = false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < 33 || s[i] > 126)
			return false;
		lo |= s[i] >= 'a' && s[i] <= 'z';
		up |= s[i] >= 'A' && s[i] <= 'Z';
	}
	*upper = up;
	return !(lo && up);
}

bool bech32_encode(char *out, size_t size, const char *hrp, const unsigned char *data, size_t n)
{
	size_t hl = strlen(hrp);
	bool upper;
	if (hl == 0 || !one_case(hrp, hl, &upper) || size < BECH32_ENCODED_LEN(hl, n) + 1)
		return false;
	char *o = out;
	memcpy(o, hrp, hl);
	o += hl;
	*o++ = '1';
	uint32_t chk = polymod_hrp(hrp, hl);
	const char *set = upper ? "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L" : CHARSET;
	uint32_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		acc = (acc << 8) | data[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			unsigned v = (acc >> bits) & 31;
			chk = polymod_step(chk, v);
			*o++ = set[v];
		}
	}
	if (bits > 0) {
		unsigned v = (acc << (5 - bits)) & 31;
		chk = polymod_step(chk, v);
		*o++ = set[v];
	}
	for (int i = 0; i < 6; i++)
		chk = polymod_step(chk, 0);
	chk ^= 1;
	for (int i = 0; i < 6; i++)
		*o++ = set[(chk >> (5 * (5 - i))) & 31];
	*o = '\0';
	explicit_bzero(&acc, sizeof acc);
	return true;
}

bool bech32_decode(const char *s, size_t len, const char *hrp, unsigned char *data, size_t size, size_t *n,
                   char **why)
{
	*n = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < 33 || s[i] > 126) {
			set_why(why, "caractère invalide en position %zu", i + 1);
			return false;
		}
	}
	bool upper;
	if (!one_case(s, len, &upper)) {
		set_why(why, "majuscules et minuscules mélangées");
		return false;
	}
	/* The separator is the last "1" (BIP 173); the data symbols have none. With the expected
	 * prefix in front, a later "1" is a bad data symbol, reported below as such. */
	size_t hl = strlen(hrp);
	size_t pos = hl;
	if (len <= hl || memcmp(s, hrp, hl) != 0 || s[hl] != '1') {
		const char *sep = memchr(s, '1', len);
		if (!sep) {
			set_why(why, "séparateur « 1 » absent");
			return false;
		}
		for (pos = len; s[pos - 1] != '1'; pos--)
			;
		set_why(why, "préfixe « %.*s1 » au lieu de « %s1 »", pos > 21 ? 20 : (int)pos - 1, s, hrp);
		return false;
	}
	if (len - pos - 1 < 6) {
		set_why(why, "trop court pour sa somme de contrôle");
		return false;
	}
	uint32_t chk = polymod_hrp(s, pos);
	uint32_t acc = 0;
	int bits = 0;
	bool ok = true;
	for (size_t i = pos + 1; i < len; i++) {
		const char *at = strchr(CHARSET, lower(s[i]));
		if (!at) {
			set_why(why, "caractère « %c » invalide en position %zu", s[i], i + 1);
			ok = false;
			break;
		}
		unsigned v = (unsigned)(at - CHARSET);
		chk = polymod_step(chk, v);
		if (i >= len - 6)
			continue; /* the checksum */
		acc = (acc << 5) | v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			if (*n >= size) {
				set_why(why, "données trop longues (plus de %zu octets)", size);
				ok = false;
				break;
			}
			data[(*n)++] = (unsigned char)(acc >> bits);
		}
	}
	if (ok && chk != 1) {
		set_why(why, "somme de contrôle incorrecte (faute de frappe ou clé incomplète ?)");
		ok = false;
	}
	if (ok && (bits >= 5 || (acc & ((1u << bits) - 1)) != 0)) {
		set_why(why, "bits de bourrage invalides");
		ok = false;
	}
	explicit_bzero(&acc, sizeof acc);
	return ok;
}
