/* describe.c -- wording model elements for origins and reviews. */
#include "describe.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../model/units.h"

void desc_duration(simtime t, char *buf, int size) { units_format_duration(t, buf, size); }

void desc_retry(const retry_policy *r, char *buf, int size)
{
    if (r->attempts <= 1) {
        snprintf(buf, size, "no retries");
        return;
    }
    char base[32], max[32], jitter[32] = "";
    desc_duration(r->base, base, sizeof base);
    desc_duration(r->max, max, sizeof max);
    if (r->jitter != JITTER_NONE)
        snprintf(jitter, sizeof jitter, ", %s jitter", jitter_name(r->jitter));
    switch (r->backoff) {
    case BACKOFF_NONE:
        snprintf(buf, size, "attempts %d, no backoff", r->attempts);
        break;
    case BACKOFF_CONSTANT:
        snprintf(buf, size, "attempts %d, constant backoff %s%s", r->attempts, base, jitter);
        break;
    case BACKOFF_EXPONENTIAL:
        snprintf(buf, size, "attempts %d, exponential backoff %s..%s x%g%s", r->attempts, base, max, r->multiplier,
                 jitter);
        break;
    }
}

void desc_retry_on(unsigned on, char *buf, int size)
{
    buf[0] = 0;
    static const struct {
        unsigned bit;
        const char *name;
    } w[] = {{RETRY_ON_TIMEOUT, "timeout"}, {RETRY_ON_ERROR, "error"}, {RETRY_ON_REJECT, "reject"}};
    for (size_t i = 0; i < 3; i++)
        if (on & w[i].bit) {
            size_t n = strlen(buf);
            snprintf(buf + n, size - (int)n, "%s%s", n ? ", " : "", w[i].name);
        }
    if (!buf[0])
        snprintf(buf, size, "nothing");
}

void desc_edge(const model *m, int client, int service, int call, char *buf, int size)
{
    if (client >= 0)
        snprintf(buf, size, "%s\xe2\x86\x92%s", m->clients[client].name, call_target_name(m, &m->clients[client].call));
    else
        snprintf(buf, size, "%s\xe2\x86\x92%s", m->services[service].name,
                 m->services[m->services[service].calls[call].to].name);
}

void desc_budget(const budget_spec *b, char *buf, int size)
{
    const char *scope = b->scope == SCOPE_SHARED ? ", shared" : "";
    char ttl[32];
    switch (b->kind) {
    case BUDGET_GRPC:
        snprintf(buf, size, "grpc, max_tokens %g, token_ratio %g%s", b->max_tokens, b->token_ratio, scope);
        break;
    case BUDGET_FINAGLE:
        desc_duration(b->ttl, ttl, sizeof ttl);
        snprintf(buf, size, "finagle, percent %g%%, min_per_s %g, ttl %s%s", b->percent * 100, b->min_per_s, ttl,
                 scope);
        break;
    case BUDGET_ENVOY:
        snprintf(buf, size, "envoy, budget_percent %g%%, min_retry_concurrency %ld%s", b->budget_percent * 100,
                 b->min_retry_concurrency, scope);
        break;
    case BUDGET_AWS:
        snprintf(buf, size, "aws, quota %ld, cost %ld, timeout_cost %ld, no_retry_increment %ld%s", b->quota, b->cost,
                 b->timeout_cost, b->no_retry_increment, scope);
        break;
    default:
        snprintf(buf, size, "no budget");
        break;
    }
}

void desc_breaker(const breaker_spec *b, char *buf, int size)
{
    char open[32], window[48];
    desc_duration(b->open_for, open, sizeof open);
    if (b->window == WINDOW_TIME)
        snprintf(window, sizeof window, "time window %lds", b->size);
    else
        snprintf(window, sizeof window, "count window %ld call%s", b->size, b->size == 1 ? "" : "s");
    snprintf(buf, size, "%s, failure %g%%, open %s%s", window, b->failure_rate * 100, open,
             b->fallback == FALLBACK_DEFAULT ? ", fallback default" : "");
}

void desc_pool(const pool_spec *p, char *buf, int size)
{
    char wt[32];
    if (!p->wait) {
        snprintf(buf, size, "size %ld, wait: false", p->size);
    } else if (p->wait_timeout == 0) {
        snprintf(buf, size, "size %ld, no wait_timeout", p->size);
    } else {
        desc_duration(p->wait_timeout, wt, sizeof wt);
        snprintf(buf, size, "size %ld, wait_timeout %s", p->size, wt);
    }
}

long desc_caller_instances(const model *m, int client, int service)
{
    return client >= 0 ? m->clients[client].instances : m->services[service].replicas;
}

double desc_usl_peak(const service_spec *s)
{
    if (s->kappa <= 0)
        return 0;
    double n = s->sigma < 1 ? sqrt((1 - s->sigma) / s->kappa) : 0;
    return n < 1 ? 1 : n;
}
