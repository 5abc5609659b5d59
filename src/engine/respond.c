/* respond.c -- conditional actions: responses, not moments.
 *
 * An action with `when:` (model/cond.h) is judged at the end of every
 * sample interval, on the row just closed: its metric (a column, or a
 * client's success or amplification from two) against its threshold, or
 * against a fraction of its baseline, the metric's mean over the intervals
 * that ended before the first fault started.  Once it has held for its
 * duration (counted from the start of the first interval of an unbroken
 * run of intervals in which it held), the responding team is paged: the
 * action takes effect that team's `oncall` delay later (at once when
 * automatic), through the same code as an action at a time (fault.c).  It
 * fires once: a response is a decision, not a controller.  A metric with
 * no value in an interval (a latency with no sample) does not hold. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "../model/cond.h"
#include "sim.h"
#include "../core/xalloc.h"

struct respond_rt {
    action_rt *action;
    const cond_spec *c;
    int col[2];      /* the column read, or for a derived metric the two it is made of */
    simtime first;   /* the first fault's start: the baseline is measured before it */
    double base_sum; /* the metric over the intervals before it */
    size_t base_n;
    simtime since; /* start of the unbroken run of intervals it held in; T_NEVER: not holding */
    bool fired;
};

static int respond_col(sim *s, const char *entity, const char *metric)
{
    char name[512];
    snprintf(name, sizeof name, "%s.%s", entity, metric);
    int c = eddy_series_column(s->series, name);
    if (c < 0) { /* cond_check accepted a metric the engine does not write: a bug */
        fprintf(stderr, "eddy: internal error: a condition reads %s, a column the engine does not write\n", name);
        abort();
    }
    return c;
}

void respond_init(sim *s)
{
    const model *m = s->m;
    simtime first = T_NEVER;
    for (size_t i = 0; i < m->nfaults; i++)
        if (m->faults[i].at < first)
            first = m->faults[i].at;
    for (size_t i = 0; i < m->nactions; i++)
        s->nresponds += m->actions[i].when != NULL;
    s->responds = xcalloc(s->nresponds ? s->nresponds : 1, sizeof *s->responds);
    size_t k = 0;
    for (size_t i = 0; i < m->nactions; i++) {
        const cond_spec *c = m->actions[i].when;
        if (!c)
            continue;
        respond_rt *r = &s->responds[k++];
        r->action = &s->actions[i];
        r->c = c;
        r->first = first;
        r->since = T_NEVER;
        switch (c->derived) {
        case HD_NONE:
            r->col[0] = r->col[1] = respond_col(s, c->entity, c->metric);
            break;
        case HD_SUCCESS: /* goodput / (goodput + failed) */
            r->col[0] = respond_col(s, c->entity, "goodput");
            r->col[1] = respond_col(s, c->entity, "failed");
            break;
        case HD_AMPLIFICATION: /* (offered + retries) / offered */
            r->col[0] = respond_col(s, c->entity, "offered");
            r->col[1] = respond_col(s, c->entity, "retries");
            break;
        }
    }
}

static double respond_value(const respond_rt *r, const double *row)
{
    double a = row[r->col[0]], b = row[r->col[1]];
    switch (r->c->derived) {
    case HD_SUCCESS:
        return a + b > 0 ? a / (a + b) : NAN;
    case HD_AMPLIFICATION:
        return a > 0 ? (a + b) / a : NAN;
    case HD_NONE:
        break;
    }
    return a;
}

void respond_sample(sim *s, const double *row, simtime start, simtime end)
{
    for (size_t i = 0; i < s->nresponds; i++) {
        respond_rt *r = &s->responds[i];
        if (r->fired)
            continue;
        double v = respond_value(r, row);
        if (end <= r->first && !isnan(v)) { /* still before the trigger: the baseline */
            r->base_sum += v;
            r->base_n++;
        }
        double t = r->c->threshold;
        if (r->c->relative) /* no baseline (no faults, or none measured yet): it cannot hold */
            t = end > r->first && r->base_n ? t * r->base_sum / (double)r->base_n : NAN;
        if (!hyp_holds(r->c->cmp, v, t)) {
            r->since = T_NEVER;
            continue;
        }
        if (r->since == T_NEVER)
            r->since = start;
        if (end - r->since < r->c->hold)
            continue;
        r->fired = true;
        const action_spec *a = r->action->spec;
        simtime delay = a->by >= 0 ? s->m->teams[a->by].oncall : 0;
        sim_at(s, &r->action->ev, EV_ACTION, end + delay);
    }
}

void respond_free(sim *s)
{
    free(s->responds);
    s->responds = NULL;
    s->nresponds = 0;
}
