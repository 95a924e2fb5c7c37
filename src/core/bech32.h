/* bech32.h — the Bech32 encoding of BIP 173 (a human-readable prefix, the separator "1", base32
 * data and a six-symbol checksum), as age writes its keys: no limit on the length of the data. */
#ifndef RECUEIL_BECH32_H
#define RECUEIL_BECH32_H

#include <stdbool.h>
#include <stddef.h>

/* Length of the text that encodes n bytes under a prefix of hrp_len characters (NUL excluded). */
#define BECH32_ENCODED_LEN(hrp_len, n) ((hrp_len) + 1 + ((n)*8 + 4) / 5 + 6)

/* Write the Bech32 text of data (n bytes) under the prefix hrp into out (size bytes, NUL
 * included). hrp is one or more characters from '!' to '~', all lowercase or all uppercase; the
 * text has the case of hrp (the checksum is always computed over the lowercase form). No
 * intermediate copy of data is left in memory, so that out may be the only place a secret key is
 * written to. Returns false, out untouched, when hrp is not acceptable or out is too small. */
bool bech32_encode(char *out, size_t size, const char *hrp, const unsigned char *data, size_t n);

/* Decode the Bech32 text s (len characters, no NUL needed) whose prefix must be exactly hrp
 * (case included, as age compares it) into data (at most size bytes); *n receives the number of
 * bytes. The text must be all lowercase or all uppercase, its checksum must hold and its padding
 * bits must be zero. On failure returns false and *why says what is wrong, in French, with the
 * position of a bad character counted from 1 (caller frees); data may hold garbage then. */
bool bech32_decode(const char *s, size_t len, const char *hrp, unsigned char *data, size_t size, size_t *n,
                   char **why);

#endif
