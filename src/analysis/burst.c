/* burst.c -- finding and flattening load bursts in rate schedules (burst.h). */
#include "burst.h"

#include <stdio.h>

static double base_rate(const client_spec *c) { return c->nsteps ? c->steps[0].rate : 0; }

static bool is_high(const client_spec *c, size_t k)
{
    double b = base_rate(c);
    return c->steps[k].rate > BURST_LEVEL * b && c->steps[k].rate > 0;
}

size_t burst_find(const model *m, burst *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < m->nclients; i++) {
        const client_spec *c = &m->clients[i];
        if (c->closed || c->nsteps < 2)
            continue;
        for (size_t k = 1; k < c->nsteps; k++) {
            if (!is_high(c, k) || is_high(c, k - 1))
                continue;
            burst b = {.client = (int)i, .at = c->steps[k].at, .base = base_rate(c), .rate = c->steps[k].rate};
            size_t j = k + 1;
            for (; j < c->nsteps && is_high(c, j); j++)
                if (c->steps[j].rate > b.rate)
                    b.rate = c->steps[j].rate;
            simtime end = j < c->nsteps ? c->steps[j].at : m->duration;
            if (end > m->duration)
                end = m->duration;
            if (b.at >= m->duration)
                continue;
            b.dur = end - b.at;
            if (n < max)
                out[n] = b;
            n++;
        }
    }
    return n;
}

bool burst_any(const model *m) { return burst_find(m, NULL, 0) > 0; }

void burst_flatten(model *m)
{
    for (size_t i = 0; i < m->nclients; i++) {
        client_spec *c = &m->clients[i];
        if (c->closed || c->nsteps < 2)
            continue;
        double b = base_rate(c);
        for (size_t k = 1; k < c->nsteps; k++)
            if (c->steps[k].rate > BURST_LEVEL * b && c->steps[k].rate > 0)
                c->steps[k].rate = b;
    }
}

void burst_describe(const model *m, const burst *b, char *buf, size_t size)
{
    if (b->base > 0)
        snprintf(buf, size, "%s bursts to %g/s (%.3gx its %g/s)", m->clients[b->client].name, b->rate,
                 b->rate / b->base, b->base);
    else
        snprintf(buf, size, "%s bursts to %g/s (from %g/s)", m->clients[b->client].name, b->rate, b->base);
}
