/* patchfile.h -- user interventions for `eddy fix`, read from a YAML file.
 *
 *     interventions:
 *       - name: bigger db
 *         leverage: 12            # Meadows level, 1-12, or its name
 *         patch:                  # merged into the model (RFC 7386)
 *           services: {db: {workers: 40}}
 *
 * A file may also hold one intervention as its top-level mapping.  The
 * patches stay as parsed YAML, merged into the model when it is loaded
 * (model_load_edited), so an error in one points at this file. */
#ifndef EDDY_PATCHFILE_H
#define EDDY_PATCHFILE_H

#include <stddef.h>

#include <yaml.h>

#include "../core/err.h"

typedef struct user_patch {
    char *name;
    int level;      /* Meadows leverage level, 1 (strongest) to 12 */
    int patch_node; /* in the file's document */
} user_patch;

typedef struct patch_file {
    char *path;
    yaml_document_t doc;
    user_patch *v;
    size_t n;
} patch_file;

/* Returns 0, or -1 with err naming the file, line and column. */
int patchfile_load(const char *path, patch_file *out, eddy_error *err);
/* The same from text (len bytes); path names it in errors.  Free *out with
 * patchfile_free whatever the result. */
int patchfile_parse(const char *text, size_t len, const char *path, patch_file *out, eddy_error *err);
void patchfile_free(patch_file *pf);

/* "parameters", "buffers", ... for a level 1-12 (DESIGN.md section 8). */
const char *leverage_name(int level);

#endif
