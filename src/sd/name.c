/* name.c -- canonical XMILE names and the edit distance for suggestions. */
#include "name.h"
#include "../core/xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static int sdn_is_gap(const char *s, size_t *skip)
{
    if (*s == ' ' || *s == '_' || *s == '\t' || *s == '\n' || *s == '\r') {
        *skip = 1;
        return 1;
    }
    if (s[0] == '\\' && s[1] == 'n') {
        *skip = 2;
        return 1;
    }
    return 0;
}

char *sdn_canon(const char *s)
{
    size_t n = strlen(s);
    char *out = xmalloc(n + 1);
    size_t o = 0;
    int gap = 0;
    while (*s) {
        size_t skip;
        if (*s == '"') {
            s++;
            continue;
        }
        if (sdn_is_gap(s, &skip)) {
            gap = 1;
            s += skip;
            continue;
        }
        if (gap && o > 0)
            out[o++] = '_';
        gap = 0;
        out[o++] = (char)tolower((unsigned char)*s++);
    }
    out[o] = 0;
    return out;
}

size_t sdn_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t *row = xmalloc((lb + 1) * sizeof *row);
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    size_t d = row[lb];
    free(row);
    return d;
}
