/* platform.c -- the platform's defaults, inherited by every call edge and
 * service that does not set its own (platform.h). */
#include "platform.h"

#include <stdio.h>
#include <string.h>

#include "units.h"

static void platform_edge(const platform_spec *p, call_spec *c)
{
    unsigned take = p->has & ~c->written & (PLATFORM_TIMEOUT | PLATFORM_RETRY | PLATFORM_BREAKER);
    if (take & PLATFORM_TIMEOUT) {
        c->timeout = p->timeout;
        c->timeout_pos = p->timeout_pos; /* flags about it point at the platform */
    }
    if (take & PLATFORM_RETRY)
        c->retry = p->retry;
    if (take & PLATFORM_BREAKER)
        c->breaker = p->breaker;
    c->inherited = take;
}

int platform_apply(schema_ctx *S, model *m)
{
    const platform_spec *p = &m->platform;
    if (!p->has)
        return 0;
    for (size_t i = 0; i < m->nclients; i++)
        platform_edge(p, &m->clients[i].call);
    for (size_t s = 0; s < m->nservices; s++) {
        service_spec *sv = &m->services[s];
        for (size_t k = 0; k < sv->ncalls; k++)
            platform_edge(p, &sv->calls[k]);
        unsigned take = p->has & ~sv->written & (PLATFORM_DEADLINES | PLATFORM_SHED);
        if (take & PLATFORM_DEADLINES)
            sv->deadlines = p->deadlines;
        if (take & PLATFORM_SHED) {
            /* the same rule as a service's own shed (schema_model.c) */
            if (p->shed.priority && sv->queue == MODEL_UNLIMITED && !p->shed.codel)
                return err_set(S->y.err, S->y.file, p->shed.pos.line, p->shed.pos.col,
                               "platform.shed: priority: retries_first needs a bounded queue or codel, and services.%s "
                               "has an unlimited queue; add codel to the platform's shed, or give %s its own shed",
                               sv->name, sv->name);
            sv->shed = p->shed;
        }
        sv->inherited = take;
    }
    return 0;
}

/* Items joined as "a, b and c": each new one is added with " and ", and
 * the " and " before it, if any, becomes ", ". */
static void platform_say(char *out, size_t size, const char *what)
{
    char *last = NULL;
    for (char *p = strstr(out, " and "); p; p = strstr(p + 1, " and "))
        last = p;
    if (last) {
        memmove(last + 2, last + 5, strlen(last + 5) + 1);
        memcpy(last, ", ", 2);
    }
    size_t len = strlen(out);
    snprintf(out + len, size - len, "%s%s", len ? " and " : "", what);
}

void platform_weakened(const model *m, const call_spec *c, char *out, size_t size)
{
    const platform_spec *p = &m->platform;
    unsigned over = p->has & c->written;
    char one[160], a[32], b[32];
    out[0] = 0;
    if (over & PLATFORM_TIMEOUT) {
        units_format_duration(p->timeout, a, sizeof a);
        if (c->timeout == 0) {
            snprintf(one, sizeof one, "removed the %s timeout", a);
            platform_say(out, size, one);
        } else if (c->timeout > p->timeout) {
            units_format_duration(c->timeout, b, sizeof b);
            snprintf(one, sizeof one, "raised the timeout from %s to %s", a, b);
            platform_say(out, size, one);
        }
    }
    if (over & PLATFORM_RETRY) {
        const retry_policy *r = &c->retry, *q = &p->retry;
        if (r->attempts > q->attempts) {
            snprintf(one, sizeof one, "raised attempts from %d to %d", q->attempts, r->attempts);
            platform_say(out, size, one);
        }
        if (r->attempts > 1 && q->budget.kind != BUDGET_NONE && r->budget.kind == BUDGET_NONE)
            platform_say(out, size, "removed the budget");
        if (r->attempts > 1 && q->backoff != BACKOFF_NONE && r->backoff == BACKOFF_NONE)
            platform_say(out, size, "removed the backoff");
    }
    if ((over & PLATFORM_BREAKER) && p->breaker.on) {
        if (!c->breaker.on)
            platform_say(out, size, "turned the breaker off");
        else if (c->breaker.failure_rate > p->breaker.failure_rate) {
            snprintf(one, sizeof one, "raised the breaker's failure_rate from %.0f%% to %.0f%%",
                     100 * p->breaker.failure_rate, 100 * c->breaker.failure_rate);
            platform_say(out, size, one);
        }
    }
}

void platform_weakened_service(const model *m, const service_spec *s, char *out, size_t size)
{
    const platform_spec *p = &m->platform;
    out[0] = 0;
    if ((p->has & s->written & PLATFORM_DEADLINES) && s->deadlines < p->deadlines) {
        static const char *const w[] = {"ignore", "drop", "cancel"};
        char one[160];
        snprintf(one, sizeof one, "set deadlines to %s (the platform's is %s)", w[s->deadlines], w[p->deadlines]);
        platform_say(out, size, one);
    }
}
