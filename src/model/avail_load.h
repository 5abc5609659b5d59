/* avail_load.h -- reading the availability sections of a model: `infra:`,
 * `ccf:`, and a service's `failures:`, `zones:` and `depends_on:`
 * (docs/model.md, "Availability").  Called from load.c; errors go through
 * the loader's yamldoc, with file:line:col. */
#ifndef EDDY_AVAIL_LOAD_H
#define EDDY_AVAIL_LOAD_H

#include "model.h"
#include "yamldoc.h"

/* A service's three keys (any may be NULL); path is "services.NAME". */
int avail_load_service(const yamldoc *y, const char *path, yaml_node_t *failures, yaml_node_t *zones,
                       yaml_node_t *depends_on, service_spec *s);
/* The top-level sections; infra after services and clients (names must
 * not clash), ccf after infra. */
int avail_load_infra(const yamldoc *y, yaml_node_t *n, model *m);
int avail_load_ccf(const yamldoc *y, yaml_node_t *n, model *m);
/* Names to indexes, and the checks that need the whole model. */
int avail_load_check(const yamldoc *y, model *m);
void avail_load_free_service(service_spec *s);
void avail_load_free(model *m);

#endif
