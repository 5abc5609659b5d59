/* variant.c -- changing a loaded model for a counterfactual run. */
#include "variant.h"

#include "../model/cond.h"
#include "burst.h"
#include "../core/xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void variant_scale_load(model *m, double x)
{
    for (size_t i = 0; i < m->nclients; i++) {
        client_spec *c = &m->clients[i];
        if (c->closed) {
            long u = lround((double)c->users * x);
            c->users = u < 1 ? 1 : u;
        } else {
            for (size_t k = 0; k < c->nsteps; k++)
                c->steps[k].rate *= x;
        }
    }
}

void variant_drop_faults(model *m)
{
    m->nfaults = 0;
    burst_flatten(m); /* a burst written as rate steps is a trigger too */
}

size_t variant_drop_responses(model *m)
{
    size_t k = 0, dropped = 0;
    for (size_t i = 0; i < m->nactions; i++) {
        if (m->actions[i].when) {
            cond_free(m->actions[i].when);
            free(m->actions[i].when);
            dropped++;
            continue;
        }
        m->actions[k++] = m->actions[i];
    }
    m->nactions = k;
    return dropped;
}

bool variant_has_trigger(const model *m) { return m->nfaults > 0 || burst_any(m); }

simtime variant_fault_end(const model *m)
{
    simtime e = 0;
    for (size_t i = 0; i < m->nfaults; i++)
        if (m->faults[i].at + m->faults[i].dur > e)
            e = m->faults[i].at + m->faults[i].dur;
    burst b[64];
    size_t nb = burst_find(m, b, 64);
    for (size_t i = 0; i < nb && i < 64; i++)
        if (b[i].at + b[i].dur > e)
            e = b[i].at + b[i].dur;
    return e > m->duration ? m->duration : e;
}

simtime variant_fault_start(const model *m)
{
    simtime s = m->duration;
    for (size_t i = 0; i < m->nfaults; i++)
        if (m->faults[i].at < s)
            s = m->faults[i].at;
    burst b[64];
    size_t nb = burst_find(m, b, 64);
    for (size_t i = 0; i < nb && i < 64; i++)
        if (b[i].at < s)
            s = b[i].at;
    return s;
}

void variant_drop_autoscaler(model *m, size_t i)
{
    if (i >= m->nautoscalers)
        return;
    free(m->autoscalers[i].name);
    memmove(&m->autoscalers[i], &m->autoscalers[i + 1], (m->nautoscalers - i - 1) * sizeof *m->autoscalers);
    m->nautoscalers--;
}

void variant_add_action(model *m, action_spec a)
{
    action_spec *v = xrealloc(m->actions, (m->nactions + 1) * sizeof *v);
    m->actions = v;
    m->actions[m->nactions++] = a;
}
