/* avail_load.h -- the checks of the availability sections that need the
 * whole model (docs/model.md, §10), and freeing them.  The keys themselves
 * (`infra:`, `ccf:`, a service's `failures:`, `zones:`, `depends_on:`) are
 * schema tables in schema_model.c, read by the walker like every other
 * key; what is left here relates entries to each other.  Called from
 * load.c; errors go through the loader's yamldoc, with file:line:col. */
#ifndef EDDY_AVAIL_LOAD_H
#define EDDY_AVAIL_LOAD_H

#include "model.h"
#include "yamldoc.h"

/* A dependency listed twice, common-cause members (a service or an infra
 * entry, with a "did you mean"), their failure probabilities, group names. */
int avail_load_check(const yamldoc *y, model *m);
void avail_load_free_service(service_spec *s);
void avail_load_free(model *m);

#endif
