/* cld_yaml.h -- causal loop diagrams in a small YAML form.
 *
 *   name: retry storm            # optional
 *   links:
 *     - {from: Load, to: Latency, polarity: +}
 *     - {from: Retries, to: Load, polarity: -, delay: true, note: backoff}
 *
 * polarity is + or - (also positive/negative); in block style write a
 * negative polarity quoted, `polarity: "-"`, since a bare "- " starts a
 * YAML list.  delay (default false) and note (default empty) are optional;
 * origin may name what creates the link.  Variables are declared by their
 * first appearance, in link order. */
#ifndef EDDY_LOOPS_CLD_YAML_H
#define EDDY_LOOPS_CLD_YAML_H

#include <stddef.h>
#include <yaml.h>

#include "../core/err.h"
#include "graph.h"

/* Read the form from a loaded libyaml document. */
int cldyaml_from_document(cld_graph *g, yaml_document_t *doc, const char *file, eddy_error *err);
/* Parse text (a whole file) in the form. */
int cldyaml_parse(cld_graph *g, const char *text, size_t len, const char *file, eddy_error *err);

/* Load one YAML document from text, with libyaml's error turned into an
 * eddy_error at file:line:col.  On success the caller deletes *doc. */
int cldyaml_load_document(const char *text, size_t len, const char *file, yaml_document_t *doc, eddy_error *err);

#endif
