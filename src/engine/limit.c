/* limit.c -- concurrency limits on what a replica admits.
 *
 * In the manner of Netflix's concurrency-limits library, used server-side:
 * a replica refuses a request at once when the requests it has admitted and
 * not yet answered (queued + in service) reach the limit.  The limit is
 *
 *   fixed      a constant;
 *   aimd       AIMDLimit: on each response, if it was slower than `timeout`
 *              the limit is multiplied by `backoff` (0.9), otherwise, if at
 *              least half the limit was in use, it grows by one;
 *   gradient2  Gradient2Limit: the limit follows the ratio of the long-term
 *              average response time to the latest one, so it shrinks as
 *              queueing delay builds and grows back when it drains.
 *
 * Both adaptive limits stay within [min, max] and start at `initial`; their
 * defaults are the library's. */
#include <math.h>

#include "sim.h"

void limit_init(limiter_rt *l, const limit_spec *spec)
{
    l->spec = spec;
    l->limit = spec->initial;
    l->long_rtt = 0;
    l->samples = 0;
}

static double clamp(double x, double lo, double hi) { return x < lo ? lo : x > hi ? hi : x; }

/* Gradient2Limit's long-term RTT is an ExpAvgMeasurement(window, warmup 10):
 * a plain mean over the first ten samples, an exponential average after. */
static double long_rtt_add(limiter_rt *l, double rtt)
{
    const long warmup = 10;
    if (l->samples < warmup) {
        l->samples++;
        l->long_rtt += (rtt - l->long_rtt) / (double)l->samples;
    } else {
        double f = 2.0 / ((double)l->spec->long_window + 1);
        l->long_rtt = l->long_rtt * (1 - f) + rtt * f;
    }
    return l->long_rtt;
}

void limit_on_done(limiter_rt *l, simtime rtt, long inflight)
{
    const limit_spec *sp = l->spec;
    switch (sp->kind) {
    case LIMIT_AIMD:
        if (rtt > sp->timeout)
            l->limit = fmax(sp->min, floor(l->limit * sp->backoff));
        else if ((double)inflight * 2 >= l->limit)
            l->limit = fmin(sp->max, l->limit + 1);
        break;
    case LIMIT_GRADIENT2: {
        double s = rtt > 0 ? (double)rtt : 1;
        double lg = long_rtt_add(l, s);
        /* After a long overload the long average lags far behind: pull it
         * down faster so the limit can recover. */
        if (lg / s > 2)
            l->long_rtt *= 0.95;
        if ((double)inflight < l->limit / 2)
            break; /* app-limited: no evidence either way */
        double gradient = clamp(sp->tolerance * lg / s, 0.5, 1.0);
        double next = l->limit * gradient + sp->queue_size;
        next = l->limit * (1 - sp->smoothing) + next * sp->smoothing;
        l->limit = clamp(next, sp->min, sp->max);
        break;
    }
    default:
        break;
    }
}
