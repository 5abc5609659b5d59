/* describe.h -- model elements in words, for link origins and reviews.
 *
 * One wording for one element everywhere it is shown, e.g. a retry policy
 * is always "attempts 4, no backoff" and a timeout "timeout 2s", so a
 * reader can match an arrow in `eddy loops` to a row in `eddy review`. */
#ifndef EDDY_LOOPS_DESCRIBE_H
#define EDDY_LOOPS_DESCRIBE_H

#include "../model/model.h"

/* "2s", "250ms" */
void desc_duration(simtime t, char *buf, int size);
/* "attempts 4, no backoff" / "attempts 3, exponential backoff 100ms..10s x2,
 * full jitter"; "no retries" for attempts 1. */
void desc_retry(const retry_policy *r, char *buf, int size);
/* "timeout, error, reject" */
void desc_retry_on(unsigned on, char *buf, int size);
/* "shoppers" for a client's call, "checkout→db" for a service's call. */
void desc_edge(const model *m, int client, int service, int call, char *buf, int size);

#endif
