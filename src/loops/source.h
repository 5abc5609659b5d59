/* source.h -- reading whatever file `eddy loops` is given.
 *
 * The kind of input is decided by the file's name and, for YAML, its top
 * level keys:
 *   *.yaml, *.yml with a top-level `links`      the YAML diagram form
 *   *.yaml, *.yml with `services` or `clients`  a service model: derived
 *   *.md, *.markdown                            the ```mermaid blocks in it
 *   anything else (*.mmd, *.mermaid, ...)       a Mermaid flowchart */
#ifndef EDDY_LOOPS_SOURCE_H
#define EDDY_LOOPS_SOURCE_H

#include "../core/err.h"
#include "../model/model.h"
#include "graph.h"

typedef enum source_kind { SOURCE_MERMAID, SOURCE_MARKDOWN, SOURCE_CLD_YAML, SOURCE_MODEL } source_kind;

typedef struct loops_source {
    source_kind kind;
    cld_graph *g;
    model *m; /* SOURCE_MODEL only */
} loops_source;

/* block picks one ```mermaid block of a Markdown file (0: all). */
int source_load(const char *path, int block, loops_source *out, eddy_error *err);
void source_free(loops_source *s);
const char *source_kind_name(source_kind k);

/* Read a whole file (NUL-terminated; *len excludes the NUL). */
char *source_read_file(const char *path, size_t *len, eddy_error *err);

#endif
