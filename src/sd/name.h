/* name.h -- XMILE identifiers: one canonical spelling for comparison.
 *
 * XMILE (OASIS XMILE 1.0, section 3.2.2) treats names case-insensitively
 * and makes a space and an underscore the same character; equations may
 * quote a name ("Flow w/ division") to use any character.  Every lookup in
 * this layer goes through sdn_canon, so "Stock A", stock_a and "STOCK  A"
 * are one variable. */
#ifndef EDDY_SD_NAME_H
#define EDDY_SD_NAME_H

#include <stddef.h>

/* A newly allocated canonical form of s: quotes dropped, letters folded to
 * lower case, each run of spaces, underscores, tabs and newlines (also the
 * two characters "\n" that Stella writes for a line break) made one '_',
 * none at either end. */
char *sdn_canon(const char *s);

/* Levenshtein distance, for "did you mean" suggestions. */
size_t sdn_distance(const char *a, const char *b);

#endif
