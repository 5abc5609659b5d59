/* platform.h -- `platform:` applied to the model (docs/teams.md).
 *
 * The platform's defaults are what an RPC library or a mesh gives every
 * caller and callee: each call edge that does not write its own timeout,
 * retry or breaker takes the platform's, and each service that does not
 * write its own deadlines or shed takes those.  Each edge and service
 * records which settings it took (`inherited`) and which it wrote itself
 * (`written`); `eddy review` lists the overrides that weaken a platform
 * guarantee. */
#ifndef EDDY_MODEL_PLATFORM_H
#define EDDY_MODEL_PLATFORM_H

#include "schema.h"

/* After the whole model is read.  0, or -1 when an inherited setting does
 * not fit a service (the error at the platform's key). */
int platform_apply(schema_ctx *S, model *m);

/* What an edge's own retry, timeout or breaker gives up of the platform's,
 * in words ("raised attempts from 3 to 5 and removed the budget"), or ""
 * when it weakens nothing.  `out` gets at most `size` bytes. */
void platform_weakened(const model *m, const call_spec *c, char *out, size_t size);
/* The same for a service's own deadlines ("turned deadline propagation off"). */
void platform_weakened_service(const model *m, const service_spec *s, char *out, size_t size);

#endif
