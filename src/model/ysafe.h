/* ysafe.h -- parsing a YAML document from untrusted text, within limits,
 * with libyaml's errors put in plain words.
 *
 * libyaml parses what it is given however large it grows: a "billion laughs"
 * of aliases expands exponentially in any walk of the tree, a document
 * nested 100,000 deep keeps its scanner busy for half a minute, and a
 * second document after `---` is silently dropped by yaml_parser_load.
 * ysafe_load first reads the text's events (cheap, and stopped at the first
 * limit passed) and only then builds the document.  The limits are in
 * docs/model.md §11. */
#ifndef EDDY_YSAFE_H
#define EDDY_YSAFE_H

#include <stddef.h>

#include <yaml.h>

#include "../core/err.h"

#define YSAFE_MAX_BYTES (64L << 20)   /* the whole file */
#define YSAFE_MAX_DEPTH 64            /* mappings and lists inside each other */
#define YSAFE_MAX_SCALAR (64L << 10)  /* one key or value, in bytes */
#define YSAFE_MAX_NODES 4000000L      /* nodes, with every alias expanded */

/* Parse text into *doc (yaml_document_delete it after); 0, or -1 with err
 * naming file, line and column.  An empty text gives an empty document. */
int ysafe_load(const char *text, size_t len, const char *file, yaml_document_t *doc, eddy_error *err);

/* Read a whole file into a NUL-terminated buffer (free it); NULL with err
 * set if it cannot be read or is larger than YSAFE_MAX_BYTES. */
char *ysafe_read_file(const char *path, size_t *len, eddy_error *err);

/* The length of the line break at p, counted as libyaml counts them (\r\n,
 * \r, \n, and the Unicode NEL, LS and PS); 0 if none starts there. */
size_t ysafe_break_len(const char *p, const char *end);

#endif
