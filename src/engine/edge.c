/* edge.c -- a call edge's mechanisms, set up per caller instance.
 *
 * A caller instance is a client instance (clients.X.instances) or a replica
 * of the calling service.  Budgets, breakers and pools keep state per
 * instance, as each process of a real fleet does; a budget may instead be
 * shared by every instance (scope: shared).  Mechanisms cost nothing on an
 * edge that does not configure them: their arrays stay NULL. */
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "../core/xalloc.h"

void edge_init(edge_rt *e, const char *name, long ninst)
{
    const call_spec *sp = e->spec;
    e->name = xstrdup(name);
    e->ninst = ninst;
    if (sp->retry.budget.kind != BUDGET_NONE) {
        e->nbudgets = sp->retry.budget.scope == SCOPE_SHARED ? 1 : ninst;
        e->budgets = xcalloc((size_t)e->nbudgets, sizeof *e->budgets);
        for (long i = 0; i < e->nbudgets; i++)
            budget_init(&e->budgets[i], &sp->retry.budget);
    }
    if (sp->breaker.on) {
        e->breakers = xcalloc((size_t)ninst, sizeof *e->breakers);
        for (long i = 0; i < ninst; i++)
            breaker_init(&e->breakers[i], &sp->breaker);
    }
    if (sp->pool.on) {
        e->pools = xcalloc((size_t)ninst, sizeof *e->pools);
        for (long i = 0; i < ninst; i++) {
            e->pools[i].spec = &sp->pool;
            e->pools[i].edge = e;
        }
    }
    hedge_init(e, ninst);
    bulkhead_init(e, ninst);
    e->gated = e->pools || e->bulkheads;
}

void edge_free(edge_rt *e)
{
    for (long i = 0; e->budgets && i < e->nbudgets; i++)
        budget_free(&e->budgets[i]);
    for (long i = 0; e->breakers && i < e->ninst; i++)
        breaker_free(&e->breakers[i]);
    free(e->budgets);
    free(e->breakers);
    free(e->pools);
    free(e->hedge_out);
    free(e->bulkheads);
    free(e->name);
}

/* Pool occupancy is reported as a time average, like a service's queue. */
void edge_gauge(sim *s, edge_rt *e)
{
    double dt = (double)(s->now - e->pool_last);
    if (dt > 0) {
        e->area_pool_busy += dt * (double)e->pool_busy;
        e->area_pool_wait += dt * (double)e->pool_wait;
        e->pool_last = s->now;
    }
}

