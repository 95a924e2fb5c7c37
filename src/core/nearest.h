/* nearest.h — the nearest of a few known words to a word typed wrong, for the "vouliez-vous
 * dire" of messages: an edit distance counted after accents and case are folded, so that
 * « realisé » finds « realise » and « iv » finds « IV ». */
#ifndef RECUEIL_NEAREST_H
#define RECUEIL_NEAREST_H

#include <stddef.h>

/* A copy of the UTF-8 text s with the accents of Latin letters removed (é → e, œ → oe,
 * ß → ss) and ASCII letters in lower case; other characters are kept as they are. Caller frees. */
char *text_fold(const char *s);

/* The index in words[0..n) of the word nearest to typed, or -1 when none is close. Distance:
 * insertions, deletions and substitutions of characters between the folded texts; close: at
 * most a third of the longer one's length (so a word of one or two letters must be the same
 * once folded: « H » is not close to « F »). Ties go to the first word. */
long nearest_word(const char *typed, const char *const *words, size_t n);

#endif
