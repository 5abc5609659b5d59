/* review.h -- a design-time dynamics review of every call edge.
 *
 * Each arrow of the call graph (a client's call, or a service's downstream
 * call) gets a row: its timeout, its retry policy, what the caller does
 * when the callee is slow, whether that adds load to the slow callee
 * (amplifying), and the worst-case amplification reaching the callee
 * through it: the product of attempts along the worst call path (three
 * layers with three attempts each is 27x).  Then the flags:
 *
 *   naked-retry             retries with no backoff and no budget
 *   no-timeout              a call that waits as long as the callee takes
 *   timeout-exceeds-caller  a timeout longer than the caller's own caller's
 *                           timeout (or the client's deadline): when the
 *                           callee is slow, the work is always wasted
 *   retries-outlast-caller  each attempt fits, but all of them do not
 *   shared-dependency       a service called by several callers, so those
 *                           "independent" callers fail together
 *   pool-above-peak         a pool whose connections (size x caller
 *                           instances, per callee replica) exceed the USL
 *                           peak N* = sqrt((1 - sigma) / kappa) of a callee
 *                           with contention: it lets concurrency climb past
 *                           the point where throughput falls (the contention
 *                           spiral)
 *   fighting-autoscalers    two autoscalers on one service with different
 *                           metrics: two balancing loops with different goals
 *                           on one replica count, which oscillates
 *   conway                  (review_teams.c) a call between two teams whose
 *                           contract is inconsistent (a note where the teams
 *                           talk, a warning where they do not)
 *   unowned                 (review_teams.c) a component on a reinforcing loop
 *                           that no team owns
 *   weakens-platform        (review_teams.c) an override of a `platform:`
 *                           default that gives up its guarantee
 *   synchronized-expiry     a warm cache with one ttl and neither ttl_jitter
 *                           nor coalesce: every key expires at once, and
 *                           each expiry is a burst of misses at the origin
 *   retried-write-without-dedupe
 *                           a write that can arrive twice (a retried or
 *                           hedged call, a retried publish, a redelivered
 *                           message) at a service whose dedupe key does not
 *                           catch the copy (docs/messaging.md)
 *   ack-before-write        a consumer group that acks a write on receipt:
 *                           a failure or a crash loses it
 *   at-most-once-write      an at_most_once queue carrying writes
 *
 * Each flag has a severity, by its code (review_severity_of), so that CI
 * can fail a build on the flags that matter (`eddy review --strict`):
 *   error    a mechanism known to start or sustain a failure on its own:
 *            naked-retry, timeout-exceeds-caller, pool-above-peak,
 *            fighting-autoscalers; and a delivery contract that corrupts
 *            data whenever its trigger (a lost ack, a crash) happens:
 *            retried-write-without-dedupe, ack-before-write,
 *            at-most-once-write
 *   warning  a gap that makes one worse: no-timeout, retries-outlast-caller,
 *            uncapped-hedge, synchronized-expiry; and the organisation's:
 *            conway, unowned, weakens-platform
 *   note     a structural fact worth knowing, often by design:
 *            shared-dependency, correlated-coupling; and conway where the
 *            teams talk (the one code whose severity depends on the model:
 *            review_severity_of gives its warning)
 *
 * The edge's mechanisms change what the caller does when the callee is
 * slow: with a circuit breaker that sees the slowness, it fails fast (or
 * serves a fallback) once the breaker opens.  A retry budget bounds the
 * amplification: the product of attempts stays the worst case, and beside
 * it is the bound the budget keeps (Finagle: 1 + percent plus a reserve;
 * gRPC and AWS: what their tokens allow; Envoy: none per request, since its
 * cap is relative to attempts in flight).
 *
 * The review reads only the model, never runs it: it is for the design
 * review, before anything ships. */
#ifndef EDDY_LOOPS_REVIEW_H
#define EDDY_LOOPS_REVIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "../model/model.h"

typedef enum slow_action { SLOW_WAIT, SLOW_TIME_OUT, SLOW_RETRY, SLOW_FAIL_FAST, SLOW_FALLBACK } slow_action;

typedef struct review_edge {
    int client;        /* the calling client, or -1 */
    int service, call; /* else the calling service and its call index */
    int callee;
    char name[256]; /* "shoppers→checkout" */
    const call_spec *spec;
    slow_action when_slow;
    bool amplifying;
    char why[768];    /* why it amplifies or not, and what the breaker and pool do */
    double worst_amp; /* attempts reaching the callee per user request, worst path */
    /* the retry budget, if any */
    char budget[192];   /* "finagle, percent 20%, min_per_s 10, ttl 10s", or "" */
    double budget_amp;  /* the attempts per call it lets through, at most (0: no bound per request) */
    char budget_short[64]; /* that bound for a table cell: "1.2x + reserve", "in-flight" */
    char bound[640];    /* the bound in words, or "" */
    double bounded_amp; /* worst_amp with every budget on the worst path held to its bound */
    /* a pool in front of a callee with contention */
    long pool_conns;  /* size x caller instances, or 0 without a pool */
    double peak;      /* the callee's USL peak N*, or 0 when kappa is 0 */
} review_edge;

typedef struct review_path {
    int *edges; /* indexes into review.edges, from the client down */
    size_t n;
    double amp;         /* product of attempts */
    double bounded_amp; /* the same with each retry budget held to its bound */
} review_path;

/* Ordered: a flag is "at or above" a level when its severity >= it. */
typedef enum review_severity { REVIEW_NOTE, REVIEW_WARNING, REVIEW_ERROR } review_severity;

typedef struct review_flag {
    const char *code; /* "naked-retry", ... */
    review_severity severity;
    int edge;         /* the edge it concerns, or -1 */
    int service;      /* for shared-dependency */
    char *msg;
    model_pos pos;
} review_flag;

typedef struct review {
    const model *m;
    review_edge *edges;
    size_t nedges;
    review_path *paths;
    size_t npaths;
    bool paths_capped; /* more than REVIEW_MAX_PATHS paths: list cut */
    review_flag *flags;
    size_t nflags, capflags;
    double worst_amp;     /* over all paths */
    double worst_bounded; /* over all paths, with retry budgets held to their bounds */
    /* Some product of attempts passed REVIEW_AMP_MAX and was held there: a
     * chain thousands of calls deep overflows a double (to "inf"), which
     * is no figure to print, and JSON has no infinity. */
    bool amp_saturated;
} review;

/* The largest amplification reported; anything above is "saturated". */
#define REVIEW_AMP_MAX 1e15

#define REVIEW_MAX_PATHS 1000

review *review_model(const model *m);
/* Add a flag (for the checks in other files). */
void review_flag_add(review *r, const char *code, int edge, int service, model_pos pos, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* The checks of teams and platform (review_teams.c): conway, unowned
 * (with `teams:`), weakens-platform (with `platform:`). */
void review_teams(review *r);
void review_free(review *r);
const char *review_action_name(slow_action a);
/* "note", "warning", "error"; and back (-1 for any other name). */
const char *review_severity_name(review_severity s);
int review_severity_parse(const char *name, review_severity *out);
/* The severity of a flag code (every code the review emits has one). */
review_severity review_severity_of(const char *code);
/* How many of the review's flags are at or above `s`. */
size_t review_count_at_least(const review *r, review_severity s);
/* The sentence saying what the review cannot see yet. */
extern const char *const review_not_covered;

#endif
