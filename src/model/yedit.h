/* yedit.h -- edits to a parsed YAML document before the model is read from
 * it: set one value by its path, or merge a patch document in.
 *
 * The counterfactual commands change a model in ways the user names (`eddy
 * basin --x services.db.workers=10..40`, `eddy fix --patch bigger-pool.yaml`).
 * Editing the document, not the model structs, means every edit goes
 * through the same validation as the user's own file, and an error in an
 * edit points at the file and line the edit came from. */
#ifndef EDDY_YEDIT_H
#define EDDY_YEDIT_H

#include <yaml.h>

#include "../core/err.h"

/* Set the value at a dotted path ("services.db.workers", "faults.0.for",
 * list items by index) to a value: a plain scalar, or a flow list or mapping
 * ("[error, reject]", "{}").  Missing mapping keys on the way
 * are created.  Returns 0, or -1 with err set (path names no such list
 * item, or runs through a scalar). */
int yedit_set(yaml_document_t *doc, const char *path, const char *value, const char *what, eddy_error *err);

/* Merge node `patch_node` of `patch` (a mapping) into the root of `doc`, as
 * a JSON Merge Patch (RFC 7386): mappings merge key by key, `null` deletes
 * a key, anything else (scalars, lists) replaces.  The copied nodes keep
 * their positions in the patch file.  Returns 0, or -1 with err set. */
int yedit_merge(yaml_document_t *doc, yaml_document_t *patch, int patch_node, const char *patch_file,
                eddy_error *err);

#endif
