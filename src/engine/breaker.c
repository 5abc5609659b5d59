/* breaker.c -- a circuit breaker with resilience4j's state machine.
 *
 *   CLOSED     calls pass; each attempt's outcome goes into a sliding
 *              window (the last `size` calls, or the last `size` seconds).
 *              Once the window holds at least min_calls, the breaker opens
 *              if the failure rate or the slow-call rate reaches its
 *              threshold.
 *   OPEN       calls are not permitted (they fail fast, or get the fallback)
 *              for open_for; the first call after that moves to HALF_OPEN.
 *   HALF_OPEN  half_open_calls probes are permitted, no more.  When all of
 *              them have finished, the breaker opens again if their failure
 *              or slow rate reaches the threshold, else it closes with an
 *              empty window.
 *
 * Failures are the outcomes listed in `record` (timeout, error, reject);
 * a call is slow when it took longer than slow_duration.  This is the
 * balancing loop failures -> breaker open -> load (-) of DESIGN.md 6. */
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "../core/xalloc.h"

enum { OUT_FAIL = 1, OUT_SLOW = 2 };

void breaker_init(breaker_rt *b, const breaker_spec *spec)
{
    memset(b, 0, sizeof *b);
    b->spec = spec;
    b->state = BREAKER_CLOSED;
    size_t n = (size_t)spec->size;
    if (spec->window == WINDOW_COUNT) {
        b->ring = xcalloc(n, 1);
    } else {
        b->bcalls = xcalloc(n, sizeof *b->bcalls);
        b->bfails = xcalloc(n, sizeof *b->bfails);
        b->bslows = xcalloc(n, sizeof *b->bslows);
        b->bsec = xcalloc(n, sizeof *b->bsec);
        for (size_t i = 0; i < n; i++)
            b->bsec[i] = -1;
    }
}

void breaker_free(breaker_rt *b)
{
    free(b->ring);
    free(b->bcalls);
    free(b->bfails);
    free(b->bslows);
    free(b->bsec);
}

static void reset_window(breaker_rt *b)
{
    long n = b->spec->size;
    if (b->ring)
        memset(b->ring, 0, (size_t)n);
    if (b->bcalls) {
        memset(b->bcalls, 0, (size_t)n * sizeof *b->bcalls);
        memset(b->bfails, 0, (size_t)n * sizeof *b->bfails);
        memset(b->bslows, 0, (size_t)n * sizeof *b->bslows);
        for (long i = 0; i < n; i++)
            b->bsec[i] = -1;
    }
    b->head = b->n = 0;
    b->calls = b->fails = b->slows = 0;
}

/* Time window: drop the buckets older than `size` seconds. */
static void expire(breaker_rt *b, simtime now)
{
    int64_t sec = now / T_SEC;
    for (long i = 0; i < b->spec->size; i++) {
        if (b->bsec[i] >= 0 && b->bsec[i] <= sec - b->spec->size) {
            b->calls -= b->bcalls[i];
            b->fails -= b->bfails[i];
            b->slows -= b->bslows[i];
            b->bcalls[i] = b->bfails[i] = b->bslows[i] = 0;
            b->bsec[i] = -1;
        }
    }
}

static void open_now(breaker_rt *b, simtime now)
{
    b->state = BREAKER_OPEN;
    b->opened_at = now;
}

bool breaker_permit(breaker_rt *b, simtime now)
{
    if (b->state == BREAKER_OPEN) {
        if (now - b->opened_at < b->spec->open_for)
            return false;
        b->state = BREAKER_HALF_OPEN;
        b->half_permitted = b->half_done = b->half_fails = b->half_slows = 0;
    }
    if (b->state == BREAKER_HALF_OPEN) {
        if (b->half_permitted >= b->spec->half_open_calls)
            return false;
        b->half_permitted++;
    }
    return true;
}

static bool over(const breaker_spec *sp, long calls, long fails, long slows)
{
    return (double)fails >= sp->failure_rate * (double)calls || (double)slows >= sp->slow_rate * (double)calls;
}

/* A probe's outcome; once every probe has reported, open again or close. */
static void half_open_result(breaker_rt *b, simtime now, int out)
{
    const breaker_spec *sp = b->spec;
    b->half_done++;
    b->half_fails += (out & OUT_FAIL) != 0;
    b->half_slows += (out & OUT_SLOW) != 0;
    if (b->half_done >= sp->half_open_calls) {
        if (over(sp, b->half_done, b->half_fails, b->half_slows)) {
            open_now(b, now);
        } else {
            b->state = BREAKER_CLOSED;
            reset_window(b);
        }
    }
}

/* A permitted call that will never report: its owner gave up on it (a
 * deadline) or died (a crash).  In half-open it was a probe, and the
 * breaker decides only once every probe has reported, so it is counted as
 * a failure: without an answer the callee has not shown it is healthy.
 * In the other states nothing waits for it, and nothing is recorded. */
void breaker_abandon(breaker_rt *b, simtime now)
{
    if (b->state == BREAKER_HALF_OPEN)
        half_open_result(b, now, OUT_FAIL);
}

/* A permitted call that was not made after all (the caller's bulkhead
 * refused it): give a half-open probe permit back. */
void breaker_release(breaker_rt *b)
{
    if (b->state == BREAKER_HALF_OPEN && b->half_permitted > b->half_done)
        b->half_permitted--;
}

void breaker_record(breaker_rt *b, simtime now, status st, simtime took)
{
    const breaker_spec *sp = b->spec;
    unsigned bit = st == ST_TIMEOUT ? RETRY_ON_TIMEOUT
                   : st == ST_ERROR ? RETRY_ON_ERROR
                   : st == ST_REJECT ? RETRY_ON_REJECT
                                     : 0;
    int out = ((sp->record & bit) ? OUT_FAIL : 0) | (took > sp->slow_duration ? OUT_SLOW : 0);

    if (b->state == BREAKER_HALF_OPEN) {
        half_open_result(b, now, out);
        return;
    }
    if (b->state == BREAKER_OPEN)
        return; /* a call that started before the breaker opened */

    if (sp->window == WINDOW_COUNT) {
        if (b->n == sp->size) { /* the oldest outcome leaves the window */
            uint8_t old = b->ring[b->head];
            b->fails -= (old & OUT_FAIL) != 0;
            b->slows -= (old & OUT_SLOW) != 0;
        } else {
            b->n++;
        }
        b->ring[b->head] = (uint8_t)out;
        b->head = (b->head + 1) % sp->size;
        b->calls = b->n;
    } else {
        expire(b, now);
        int64_t sec = now / T_SEC;
        long i = (long)(sec % sp->size);
        if (b->bsec[i] != sec) {
            b->bsec[i] = sec;
            b->bcalls[i] = b->bfails[i] = b->bslows[i] = 0;
        }
        b->bcalls[i]++;
        b->calls++;
        if (out & OUT_FAIL) {
            b->bfails[i]++;
        }
        if (out & OUT_SLOW) {
            b->bslows[i]++;
        }
    }
    b->fails += (out & OUT_FAIL) != 0;
    b->slows += (out & OUT_SLOW) != 0;
    if (b->calls >= sp->min_calls && over(sp, b->calls, b->fails, b->slows)) {
        open_now(b, now);
        reset_window(b);
    }
}

/* For the `breaker_open` column: 1 open, 0.5 half-open, 0 closed. */
double breaker_level(const breaker_rt *b)
{
    return b->state == BREAKER_OPEN ? 1.0 : b->state == BREAKER_HALF_OPEN ? 0.5 : 0.0;
}
