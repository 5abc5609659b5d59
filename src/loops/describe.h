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
/* A retry budget by its type and keys: "finagle, percent 20%, min_per_s 10,
 * ttl 10s" (", shared" when one budget serves every caller instance). */
void desc_budget(const budget_spec *b, char *buf, int size);
/* A circuit breaker: "time window 10s, failure 50%, open 5s" or "count
 * window 100 calls, failure 50%, open 60s" (", fallback default"). */
void desc_breaker(const breaker_spec *b, char *buf, int size);
/* A connection pool: "size 200, wait_timeout 500ms", "size 50, wait:
 * false", "size 50, no wait_timeout". */
void desc_pool(const pool_spec *p, char *buf, int size);

/* The instances a caller runs as, each with its own pool, breaker and
 * (scope: instance) budget: a client's `instances`, a service's replicas. */
long desc_caller_instances(const model *m, int client, int service);
/* The concurrency at which a service's throughput peaks under the Universal
 * Scalability Law, N* = sqrt((1 - sigma) / kappa) (at least 1); 0 when
 * kappa is 0 (throughput never falls). */
double desc_usl_peak(const service_spec *s);

#endif
