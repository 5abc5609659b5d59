/* hypotheses.c -- reading and validating `hypotheses:` (hypotheses.h).
 *
 * A hypothesis names a metric the run will have as a CSV column, so the
 * checks here mirror which columns the engine writes (engine/stats.c): an
 * entity of each kind has a fixed set, and some exist only with a mechanism
 * configured (a service's `shed` column with shedding, an edge's `budget`
 * with a retry budget).  A metric that will not exist is an error here,
 * before any run, with a "did you mean" for a near miss.
 *
 * The keys are in the schema tables (schema_model.c: hypothesis_table and
 * hyp_range_table), so the walker does unknown and duplicate keys, "did
 * you mean", required keys, durations and words; this file has the readers
 * that need the model (the metric, the window, the threshold in the
 * metric's unit) and the rule across keys.  load.c reads the list last,
 * once every entity and fault is known. */
#include "hypotheses.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "units.h"
#include "../core/xalloc.h"

/* ---- the metrics ---------------------------------------------------------- */

typedef enum hyp_kind { HK_CLIENT, HK_SERVICE, HK_EDGE, HK_AUTOSCALER, HK_CACHE, HK_QUEUE, HK_CONSUMER, HK_NKINDS } hyp_kind;

static const char *const kind_names[HK_NKINDS] = {"client", "service", "call edge", "autoscaler", "cache",
                                                  "queue", "consumer group"};

/* What a column needs to exist (engine/stats.c writes it only then). */
typedef enum hyp_need {
    HN_ALWAYS,
    HN_SHED,      /* service: shed configured, or a shed/drain action on it */
    HN_LIMIT,     /* service: shed.limit */
    HN_DEADLINES, /* service: deadlines drop|cancel */
    HN_SCALED,    /* service: an autoscaler, a scale action or a startup */
    HN_RETRY,     /* edge: a retry policy of 2 or more attempts */
    HN_BUDGET,    /* edge: retry.budget */
    HN_BREAKER,
    HN_POOL,
    HN_HEDGE,
    HN_BULKHEAD,
    HN_WRITES, /* service: it applies writes (the integrity ledger's columns) */
    HN_SUBSCRIPTION, /* consumer group: on a topic (its subscription's columns) */
} hyp_need;

typedef struct hyp_metric {
    hyp_kind kind;
    const char *name;
    hyp_unit unit;
    hyp_need need;
    hyp_derived derived;
} hyp_metric;

static const hyp_metric metrics[] = {
    {HK_CLIENT, "offered", HU_RATE, HN_ALWAYS, HD_NONE},
    {HK_CLIENT, "retries", HU_RATE, HN_ALWAYS, HD_NONE},
    {HK_CLIENT, "goodput", HU_RATE, HN_ALWAYS, HD_NONE},
    {HK_CLIENT, "failed", HU_RATE, HN_ALWAYS, HD_NONE},
    {HK_CLIENT, "timeouts", HU_RATE, HN_ALWAYS, HD_NONE},
    {HK_CLIENT, "shed", HU_RATE, HN_ALWAYS, HD_NONE},
    {HK_CLIENT, "latency_p50", HU_SECONDS, HN_ALWAYS, HD_NONE},
    {HK_CLIENT, "latency_p99", HU_SECONDS, HN_ALWAYS, HD_NONE},
    {HK_CLIENT, "success", HU_FRACTION, HN_ALWAYS, HD_SUCCESS},
    {HK_CLIENT, "amplification", HU_FACTOR, HN_ALWAYS, HD_AMPLIFICATION},
    {HK_SERVICE, "arrivals", HU_RATE, HN_ALWAYS, HD_NONE},
    {HK_SERVICE, "rejected", HU_RATE, HN_ALWAYS, HD_NONE},
    {HK_SERVICE, "completed", HU_RATE, HN_ALWAYS, HD_NONE},
    {HK_SERVICE, "wasted", HU_RATE, HN_ALWAYS, HD_NONE},
    {HK_SERVICE, "errors", HU_RATE, HN_ALWAYS, HD_NONE},
    {HK_SERVICE, "queue", HU_NUMBER, HN_ALWAYS, HD_NONE},
    {HK_SERVICE, "busy", HU_NUMBER, HN_ALWAYS, HD_NONE},
    {HK_SERVICE, "latency_p50", HU_SECONDS, HN_ALWAYS, HD_NONE},
    {HK_SERVICE, "latency_p99", HU_SECONDS, HN_ALWAYS, HD_NONE},
    {HK_SERVICE, "shed", HU_RATE, HN_SHED, HD_NONE},
    {HK_SERVICE, "limit", HU_NUMBER, HN_LIMIT, HD_NONE},
    {HK_SERVICE, "expired", HU_RATE, HN_DEADLINES, HD_NONE},
    {HK_SERVICE, "cancelled", HU_RATE, HN_DEADLINES, HD_NONE},
    {HK_SERVICE, "replicas", HU_NUMBER, HN_SCALED, HD_NONE},
    {HK_SERVICE, "desired", HU_NUMBER, HN_SCALED, HD_NONE},
    {HK_EDGE, "retries", HU_RATE, HN_RETRY, HD_NONE},
    {HK_EDGE, "budget", HU_NUMBER, HN_BUDGET, HD_NONE},
    {HK_EDGE, "retries_denied", HU_RATE, HN_BUDGET, HD_NONE},
    {HK_EDGE, "breaker_open", HU_FRACTION, HN_BREAKER, HD_NONE},
    {HK_EDGE, "short_circuited", HU_RATE, HN_BREAKER, HD_NONE},
    {HK_EDGE, "fallbacks", HU_RATE, HN_BREAKER, HD_NONE},
    {HK_EDGE, "pool_busy", HU_NUMBER, HN_POOL, HD_NONE},
    {HK_EDGE, "pool_waiters", HU_NUMBER, HN_POOL, HD_NONE},
    {HK_EDGE, "pool_timeouts", HU_RATE, HN_POOL, HD_NONE},
    {HK_EDGE, "hedges", HU_RATE, HN_HEDGE, HD_NONE},
    {HK_EDGE, "hedge_wins", HU_RATE, HN_HEDGE, HD_NONE},
    {HK_EDGE, "hedges_denied", HU_RATE, HN_HEDGE, HD_NONE},
    {HK_EDGE, "bulkhead_busy", HU_NUMBER, HN_BULKHEAD, HD_NONE},
    {HK_EDGE, "bulkhead_rejected", HU_RATE, HN_BULKHEAD, HD_NONE},
    {HK_AUTOSCALER, "metric", HU_NUMBER, HN_ALWAYS, HD_NONE},
    {HK_AUTOSCALER, "desired", HU_NUMBER, HN_ALWAYS, HD_NONE},
    {HK_CACHE, "hits", HU_RATE, HN_ALWAYS, HD_NONE},
    {HK_CACHE, "misses", HU_RATE, HN_ALWAYS, HD_NONE},
    {HK_CACHE, "hit_ratio", HU_FRACTION, HN_ALWAYS, HD_NONE},
    {HK_CACHE, "stale", HU_RATE, HN_ALWAYS, HD_NONE},
    {HK_CACHE, "coalesced", HU_RATE, HN_ALWAYS, HD_NONE},
    {HK_CACHE, "refreshes", HU_RATE, HN_ALWAYS, HD_NONE},
    {HK_CACHE, "fills", HU_RATE, HN_ALWAYS, HD_NONE},
    {HK_CACHE, "evictions", HU_RATE, HN_ALWAYS, HD_NONE},
    {HK_CACHE, "entries", HU_NUMBER, HN_ALWAYS, HD_NONE},
    {HK_QUEUE, "depth", HU_NUMBER, HN_ALWAYS, HD_NONE},
    {HK_QUEUE, "age_p99", HU_SECONDS, HN_ALWAYS, HD_NONE},
    {HK_QUEUE, "published", HU_RATE, HN_ALWAYS, HD_NONE},
    {HK_QUEUE, "rejected", HU_RATE, HN_ALWAYS, HD_NONE},
    {HK_QUEUE, "delivered", HU_RATE, HN_ALWAYS, HD_NONE},
    {HK_QUEUE, "redelivered", HU_RATE, HN_ALWAYS, HD_NONE},
    {HK_QUEUE, "expired", HU_RATE, HN_ALWAYS, HD_NONE},
    {HK_QUEUE, "dead_lettered", HU_RATE, HN_ALWAYS, HD_NONE},
    {HK_CONSUMER, "processed", HU_RATE, HN_ALWAYS, HD_NONE},
    {HK_CONSUMER, "failed", HU_RATE, HN_ALWAYS, HD_NONE},
    {HK_CONSUMER, "in_flight", HU_NUMBER, HN_ALWAYS, HD_NONE},
    {HK_CONSUMER, "depth", HU_NUMBER, HN_SUBSCRIPTION, HD_NONE},
    {HK_CONSUMER, "age_p99", HU_SECONDS, HN_SUBSCRIPTION, HD_NONE},
    {HK_CONSUMER, "delivered", HU_RATE, HN_SUBSCRIPTION, HD_NONE},
    {HK_CONSUMER, "redelivered", HU_RATE, HN_SUBSCRIPTION, HD_NONE},
    {HK_CONSUMER, "expired", HU_RATE, HN_SUBSCRIPTION, HD_NONE},
    {HK_CONSUMER, "dead_lettered", HU_RATE, HN_SUBSCRIPTION, HD_NONE},
    {HK_SERVICE, "exactly_once", HU_RATE, HN_WRITES, HD_NONE},
    {HK_SERVICE, "duplicated", HU_RATE, HN_WRITES, HD_NONE},
    {HK_SERVICE, "lost", HU_RATE, HN_WRITES, HD_NONE},
    {HK_SERVICE, "ghost", HU_RATE, HN_WRITES, HD_NONE},
    {HK_SERVICE, "deduped", HU_RATE, HN_WRITES, HD_NONE},
};
#define NMETRICS (sizeof metrics / sizeof metrics[0])

/* ---- entities ----------------------------------------------------------------- */

/* The column prefix of edge k of the model: clients' calls first, then each
 * service's calls, as engine/client.c and engine/service.c name them. */
static size_t hyp_nedges(const model *m)
{
    size_t n = m->nclients;
    for (size_t s = 0; s < m->nservices; s++)
        n += m->services[s].ncalls;
    return n;
}

static const call_spec *hyp_edge(const model *m, size_t k, char *name, size_t size)
{
    if (k < m->nclients) {
        const client_spec *c = &m->clients[k];
        snprintf(name, size, "%s->%s", c->name, call_target_name(m, &c->call));
        return &c->call;
    }
    k -= m->nclients;
    for (size_t s = 0; s < m->nservices; s++) {
        const service_spec *sp = &m->services[s];
        if (k >= sp->ncalls) {
            k -= sp->ncalls;
            continue;
        }
        size_t same = 0;
        for (size_t j = 0; j < k; j++)
            same += sp->calls[j].to == sp->calls[k].to;
        const char *callee = m->services[sp->calls[k].to].name;
        if (same)
            snprintf(name, size, "%s->%s#%zu", sp->name, callee, same + 1);
        else
            snprintf(name, size, "%s->%s", sp->name, callee);
        return &sp->calls[k];
    }
    return NULL;
}

/* Find entity `name`: its kind and index (for an edge, its call). */
static int hyp_find_entity(const model *m, const char *name, hyp_kind *kind, int *index, const call_spec **call)
{
    int i;
    if ((i = model_find_client(m, name)) >= 0)
        *kind = HK_CLIENT;
    else if ((i = model_find_service(m, name)) >= 0)
        *kind = HK_SERVICE;
    else if ((i = model_find_cache(m, name)) >= 0)
        *kind = HK_CACHE;
    else if ((i = model_find_queue(m, name)) >= 0)
        *kind = HK_QUEUE;
    else {
        for (size_t g = 0; g < m->nconsumers; g++)
            if (!strcmp(m->consumers[g].name, name)) {
                *kind = HK_CONSUMER;
                *index = (int)g;
                return 0;
            }
        for (size_t a = 0; a < m->nautoscalers; a++)
            if (!strcmp(m->autoscalers[a].name, name)) {
                *kind = HK_AUTOSCALER;
                *index = (int)a;
                return 0;
            }
        char en[300];
        for (size_t k = 0, n = hyp_nedges(m); k < n; k++) {
            const call_spec *c = hyp_edge(m, k, en, sizeof en);
            if (!strcmp(en, name)) {
                *kind = HK_EDGE;
                *index = (int)k;
                *call = c;
                return 0;
            }
        }
        return -1;
    }
    *index = i;
    return 0;
}

/* Every entity name of the model, edges included, for a "did you mean"
 * (free them with hyp_names_free). */
static size_t hyp_names(const model *m, char ***out)
{
    size_t n = m->nclients + m->nservices + m->ncaches + m->nautoscalers + hyp_nedges(m) + m->nqueues +
               m->nconsumers,
           k = 0;
    char **v = xcalloc(n ? n : 1, sizeof *v);
    for (size_t i = 0; i < m->nclients; i++)
        v[k++] = xstrdup(m->clients[i].name);
    for (size_t i = 0; i < m->nservices; i++)
        v[k++] = xstrdup(m->services[i].name);
    for (size_t i = 0; i < m->ncaches; i++)
        v[k++] = xstrdup(m->caches[i].name);
    for (size_t i = 0; i < m->nautoscalers; i++)
        v[k++] = xstrdup(m->autoscalers[i].name);
    for (size_t i = 0; i < m->nqueues; i++)
        v[k++] = xstrdup(m->queues[i].name);
    for (size_t i = 0; i < m->nconsumers; i++)
        v[k++] = xstrdup(m->consumers[i].name);
    char en[300];
    for (size_t e = 0, ne = hyp_nedges(m); e < ne; e++) {
        hyp_edge(m, e, en, sizeof en);
        v[k++] = xstrdup(en);
    }
    *out = v;
    return k;
}

static void hyp_names_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* Does column `mt` exist for this entity?  If not, *why says what it needs. */
static bool hyp_column_exists(const model *m, const hyp_metric *mt, int index, const call_spec *c, const char **why)
{
    const service_spec *sp = mt->kind == HK_SERVICE ? &m->services[index] : NULL;
    switch (mt->need) {
    case HN_ALWAYS:
        return true;
    case HN_SHED: {
        *why = "only a service with `shed` configured, or a shed or drain action on it, has it";
        if (sp->shed.queue_timeout || sp->shed.codel || sp->shed.limit.kind != LIMIT_NONE || sp->shed.priority)
            return true;
        for (size_t a = 0; a < m->nactions; a++)
            if (m->actions[a].service == index &&
                (m->actions[a].kind == ACTION_SHED || m->actions[a].kind == ACTION_DRAIN))
                return true;
        return false;
    }
    case HN_LIMIT:
        *why = "only a service with `shed.limit` has it";
        return sp->shed.limit.kind != LIMIT_NONE;
    case HN_DEADLINES:
        *why = "only a service with `deadlines: drop` or `cancel` has it";
        return sp->deadlines != DEADLINES_IGNORE;
    case HN_SCALED:
        *why = "only a service whose replica count changes (an autoscaler, a scale action or a startup) has it";
        return sp->scaled;
    case HN_RETRY:
        *why = "only an edge with a `retry` of 2 or more `attempts` has it";
        return c->retry.attempts > 1;
    case HN_BUDGET:
        *why = "only an edge with a `retry.budget` has it";
        return c->retry.budget.kind != BUDGET_NONE;
    case HN_BREAKER:
        *why = "only an edge with a `breaker` has it";
        return c->breaker.on;
    case HN_POOL:
        *why = "only an edge with a `pool` has it";
        return c->pool.on;
    case HN_HEDGE:
        *why = "only an edge with a `hedge` has it";
        return c->hedge.on;
    case HN_BULKHEAD:
        *why = "only an edge with a `bulkhead` has it";
        return c->bulkhead.on;
    case HN_WRITES:
        *why = "only a service that applies writes (a call or consumer group with `effect: write` to it) has it";
        return model_service_applies(m, index);
    case HN_SUBSCRIPTION:
        *why = "only a consumer group on a topic (`kind: topic`) has its own subscription's columns; a queue's are "
               "the queue's";
        return m->queues[m->consumers[index].queue].topic;
    }
    return false;
}

/* ---- windows ------------------------------------------------------------------- */

static double hyp_sec(simtime t) { return (double)t / (double)T_SEC; }

size_t hyp_window_intervals(const model *m, const hypothesis *h, hyp_window w, double *a, double *b, size_t cap)
{
    double end = hyp_sec(m->duration), first = end, last = 0;
    for (size_t i = 0; i < m->nfaults; i++) {
        double s = hyp_sec(m->faults[i].at), e = hyp_sec(m->faults[i].at + m->faults[i].dur);
        first = s < first ? s : first;
        last = e > last ? e : last;
    }
    last = last > end ? end : last;
    double within = h ? hyp_sec(h->within) : 0;
    size_t n = 0;
    switch (w) {
    case HW_BEFORE:
        if (m->nfaults && first > 0)
            a[n] = 0, b[n++] = first;
        break;
    case HW_AFTER:
        if (m->nfaults && last + within < end)
            a[n] = last + within, b[n++] = end;
        break;
    case HW_RUN:
        a[n] = 0, b[n++] = end;
        break;
    case HW_RANGE: {
        double lo = hyp_sec(h->from), hi = h->to ? hyp_sec(h->to) : end;
        hi = hi > end ? end : hi;
        if (lo < hi)
            a[n] = lo, b[n++] = hi;
        break;
    }
    case HW_DURING: {
        /* the union of the fault windows (instants have none), in time order */
        double lo[HYP_MAX_INTERVALS], hi[HYP_MAX_INTERVALS];
        size_t k = 0;
        for (size_t i = 0; i < m->nfaults; i++) {
            if (m->faults[i].dur <= 0)
                continue;
            double s = hyp_sec(m->faults[i].at), e = hyp_sec(m->faults[i].at + m->faults[i].dur);
            e = e > end ? end : e;
            if (s >= e)
                continue;
            /* insert [s, e), merging every stretch it overlaps or touches */
            size_t j = 0;
            while (j < k) {
                if (hi[j] < s || lo[j] > e) {
                    j++;
                    continue;
                }
                s = lo[j] < s ? lo[j] : s;
                e = hi[j] > e ? hi[j] : e;
                lo[j] = lo[k - 1], hi[j] = hi[k - 1];
                k--;
            }
            if (k < HYP_MAX_INTERVALS)
                lo[k] = s, hi[k++] = e;
        }
        for (size_t i = 1; i < k; i++) /* insertion sort: a handful of stretches */
            for (size_t j = i; j > 0 && lo[j] < lo[j - 1]; j--) {
                double t = lo[j];
                lo[j] = lo[j - 1], lo[j - 1] = t;
                t = hi[j];
                hi[j] = hi[j - 1], hi[j - 1] = t;
            }
        for (size_t i = 0; i < k && n < cap; i++)
            if (lo[i] + within < hi[i])
                a[n] = lo[i] + within, b[n++] = hi[i];
        break;
    }
    }
    return n;
}

/* ---- names ------------------------------------------------------------------------ */

static const char *const window_words[] = {"before", "during", "after", "run", NULL};
static const char *const stat_words[] = {"mean", "max", "min", NULL};
static const char *const cmp_words[] = {"below", "at_most", "above", "at_least", NULL};

const char *hyp_window_name(hyp_window w) { return w == HW_RANGE ? "range" : window_words[w]; }
const char *hyp_stat_name(hyp_stat s) { return stat_words[s]; }
const char *hyp_cmp_name(hyp_cmp c) { return cmp_words[c]; }

const char *hyp_cmp_symbol(hyp_cmp c)
{
    static const char *const sym[] = {"<", "<=", ">", ">="};
    return sym[c];
}

bool hyp_holds(hyp_cmp c, double v, double t)
{
    if (isnan(v) || isnan(t))
        return false;
    switch (c) {
    case HC_BELOW:
        return v < t;
    case HC_AT_MOST:
        return v <= t;
    case HC_ABOVE:
        return v > t;
    case HC_AT_LEAST:
        return v >= t;
    }
    return false;
}

void hyp_format(hyp_unit u, double v, char *buf, size_t size)
{
    if (isnan(v)) {
        snprintf(buf, size, "-");
        return;
    }
    switch (u) {
    case HU_SECONDS:
        if (fabs(v) < 1e-3)
            snprintf(buf, size, "%.3gus", v * 1e6);
        else if (fabs(v) < 1)
            snprintf(buf, size, "%.3gms", v * 1e3);
        else
            snprintf(buf, size, "%.3gs", v);
        break;
    /* %f writes every digit of 1e100: past 1e15 a cut buffer would drop
     * the unit (found by tests/fuzz/fuzz_cond.c) */
    case HU_RATE:
        snprintf(buf, size, fabs(v) >= 10 && fabs(v) < 1e15 ? "%.1f/s" : "%.3g/s", v);
        break;
    case HU_FRACTION:
        snprintf(buf, size, "%.2f%%", v * 100);
        break;
    case HU_FACTOR:
        snprintf(buf, size, fabs(v) < 1e15 ? "%.2fx" : "%.3gx", v);
        break;
    case HU_NUMBER:
        snprintf(buf, size, fabs(v) >= 10 && fabs(v) < 1e15 ? "%.1f" : "%.3g", v);
        break;
    }
}

/* ---- reading ------------------------------------------------------------------------ */

int hypotheses_metric(const model *m, const char *entity, const char *metric, hyp_unit *unit, hyp_derived *derived,
                      char *why, size_t size)
{
    hyp_kind kind;
    int index = -1;
    const call_spec *call = NULL;
    if (hyp_find_entity(m, entity, &kind, &index, &call) < 0) {
        char **names, hint[400] = "";
        size_t nn = hyp_names(m, &names);
        const char *near = schema_suggest(entity, (const char *const *)names, nn);
        if (near)
            snprintf(hint, sizeof hint, " (did you mean '%s'?)", near);
        hyp_names_free(names, nn);
        snprintf(why, size, "no client, service, call edge, autoscaler or cache named '%s'%s", entity, hint);
        return -1;
    }
    const char *cands[NMETRICS];
    size_t nc = 0;
    char list[512] = "";
    for (size_t i = 0; i < NMETRICS; i++) {
        const hyp_metric *mt = &metrics[i];
        if (mt->kind != kind)
            continue;
        if (!strcmp(mt->name, metric)) {
            const char *w = "";
            if (!hyp_column_exists(m, mt, index, call, &w)) {
                snprintf(why, size, "%s '%s' has no column '%s': %s", kind_names[kind], entity, metric, w);
                return -1;
            }
            *unit = mt->unit;
            *derived = mt->derived;
            return 0;
        }
        cands[nc++] = mt->name;
        if (*list)
            strncat(list, ", ", sizeof list - strlen(list) - 1);
        strncat(list, mt->name, sizeof list - strlen(list) - 1);
    }
    const char *near = schema_suggest(metric, cands, nc);
    char hint[96] = "";
    if (near)
        snprintf(hint, sizeof hint, " (did you mean '%s'?)", near);
    snprintf(why, size, "a %s has no metric '%s'%s; expected one of: %s", kind_names[kind], metric, hint, list);
    return -1;
}

int hyp_read_metric(schema_ctx *S, const schema_key *k, yaml_node_t *n, const char *path, void *obj)
{
    (void)k;
    hypothesis *h = obj;
    const model *m = S->m;
    const char *s = yd_scalar(&S->y, n, path, "entity.metric, such as shoppers.latency_p99");
    if (!s)
        return -1;
    const char *dot = strrchr(s, '.');
    if (!dot || dot == s || !dot[1])
        return sk_fail(S, n, "%s: expected entity.metric (a CSV column of `eddy run -o`), such as shoppers.latency_p99; "
                             "got '%s'",
                       path, s);
    h->entity = xstrndup(s, (size_t)(dot - s));
    h->metric = xstrdup(dot + 1);
    char why[1024];
    if (hypotheses_metric(m, h->entity, h->metric, &h->unit, &h->derived, why, sizeof why) < 0)
        return sk_fail(S, n, "%s: %s", path, why);
    return 0;
}

/* `window:` before|during|after|run, or {from: DUR, to: DUR} (read against
 * hyp_range_table). */
int hyp_read_window(schema_ctx *S, const schema_key *k, yaml_node_t *n, const char *path, void *obj)
{
    (void)k;
    hypothesis *h = obj;
    const model *m = S->m;
    if (n->type == YAML_MAPPING_NODE) {
        h->window = HW_RANGE;
        hyp_range r = {0};
        if (schema_read(S, &hyp_range_table, n, n, path, &r) < 0)
            return -1;
        h->from = r.from;
        h->to = r.to;
        yaml_node_t *from = sk_get(S, n, "from", NULL), *to = sk_get(S, n, "to", NULL);
        if (to && h->to <= h->from)
            return sk_fail(S, to, "%s.to: the window must end after it starts (from %s)", path, yd_text(from));
        if (h->from >= m->duration)
            return sk_fail(S, from, "%s.from: the run lasts only %gs", path, hyp_sec(m->duration));
        return 0;
    }
    static const schema_key words = {.name = "window", .type = SK_ENUM, .words = window_words};
    int w;
    if (schema_conv(S, &words, n, path, &w) < 0)
        return -1;
    h->window = (hyp_window)w;
    if (w != HW_RUN && m->nfaults == 0)
        return sk_fail(S, n, "%s: '%s' is relative to the faults, and this model has none; use run or {from: 60s, to: "
                             "120s}",
                       path, window_words[w]);
    return 0;
}

/* below, at_most, above, at_least: a threshold in the metric's unit (read
 * first, in an earlier pass), or "N% of baseline". */
int hyp_read_threshold(schema_ctx *S, const schema_key *k, yaml_node_t *n, const char *path, void *obj)
{
    hypothesis *h = obj;
    int c = 0;
    while (cmp_words[c] && strcmp(cmp_words[c], k->name))
        c++;
    if (h->cmp_pos.line)
        return sk_fail(S, n, "%s: a hypothesis has one comparison; '%s' and '%s' are both given", path,
                       cmp_words[h->cmp], k->name);
    h->cmp = (hyp_cmp)c;
    h->cmp_pos = (model_pos){yd_line(n), yd_col(n)};
    static const char *const forms[] = {
        [HU_RATE] = "a rate such as 400/s",
        [HU_SECONDS] = "a duration such as 200ms",
        [HU_FRACTION] = "a fraction such as 99% or 0.99",
        [HU_NUMBER] = "a number",
        [HU_FACTOR] = "a factor such as 2 or 2x",
    };
    char expected[160];
    snprintf(expected, sizeof expected, "%s, or a percentage of the baseline such as '95%% of baseline'", forms[h->unit]);
    const char *s = yd_scalar(&S->y, n, path, expected);
    if (!s)
        return -1;
    const char *of = strstr(s, "% of baseline");
    if (of && !of[strlen("% of baseline")]) {
        char num[64];
        size_t len = (size_t)(of - s);
        double v;
        if (len == 0 || len >= sizeof num)
            return sk_fail(S, n, "%s: expected %s; got '%s'", path, expected, s);
        memcpy(num, s, len);
        num[len] = 0;
        if (units_number(num, &v) < 0 || v < 0)
            return sk_fail(S, n, "%s: expected a percentage >= 0 before '%% of baseline', such as 95%%; got '%s'", path,
                           s);
        h->relative = true;
        h->threshold = v / 100;
        return 0;
    }
    int rc = -1;
    simtime t;
    switch (h->unit) {
    case HU_RATE:
        rc = units_rate(s, &h->threshold);
        break;
    case HU_SECONDS:
        rc = units_duration(s, &t);
        h->threshold = hyp_sec(t);
        break;
    case HU_FRACTION:
        rc = units_fraction(s, &h->threshold);
        break;
    case HU_NUMBER:
        rc = units_number(s, &h->threshold);
        break;
    case HU_FACTOR:
        rc = units_factor(s, &h->threshold);
        break;
    }
    if (rc < 0)
        return sk_fail(S, n, "%s: %s.%s is %s; expected %s, got '%s'", path, h->entity, h->metric,
                       h->unit == HU_RATE       ? "a rate per second"
                       : h->unit == HU_SECONDS  ? "a latency"
                       : h->unit == HU_FRACTION ? "a fraction"
                       : h->unit == HU_FACTOR   ? "attempts per request"
                                                : "a plain number",
                       expected, s);
    return 0;
}

/* What involves several keys, or the other hypotheses. */
int hyp_rule(schema_ctx *S, void *obj, const sk_field *f, yaml_node_t *map, const char *path)
{
    const schema_table *self = &hypothesis_table;
    hypothesis *h = obj;
    const model *m = S->m;
    const sk_field *name = sk_field_of(self, f, "name"), *within = sk_field_of(self, f, "within"),
                   *window = sk_field_of(self, f, "window"), *baseline = sk_field_of(self, f, "baseline");
    if (!*h->name)
        return sk_fail(S, name->val, "%s.name: a name must not be empty", path);
    for (const hypothesis *o = m->hypotheses; o < h; o++)
        if (!strcmp(o->name, h->name))
            return sk_fail(S, name->val, "%s.name: another hypothesis is named '%s' (at line %d); names must differ",
                           path, h->name, o->pos.line);
    if (within->key && h->window != HW_DURING && h->window != HW_AFTER)
        return sk_fail(S, within->key, "%s.within: 'within' delays the start of a during or after window; this window "
                                       "is %s",
                       path, hyp_window_name(h->window));
    double a[HYP_MAX_INTERVALS], b[HYP_MAX_INTERVALS];
    if (hyp_window_intervals(m, h, h->window, a, b, HYP_MAX_INTERVALS) == 0)
        return sk_fail(S, within->val ? within->val : window->val, "%s.window: this window is empty in a %gs run (%s)",
                       path, hyp_sec(m->duration),
                       h->window == HW_BEFORE   ? "the first fault starts at 0s"
                       : h->window == HW_DURING ? "no fault window overlaps the run, or 'within' is as long as each one"
                       : h->window == HW_AFTER  ? "the last fault ends with the run, or 'within' reaches the end"
                                                : "it lies outside the run");
    if (!h->cmp_pos.line)
        return sk_fail(S, map, "%s: missing a comparison: below, at_most, above or at_least (e.g. at_most: 200ms)", path);
    const sk_field *tf = sk_field_of(self, f, cmp_words[h->cmp]);
    char p[SK_PATH];
    sk_join(p, path, cmp_words[h->cmp]);
    if (baseline->key && !h->relative)
        return sk_fail(S, baseline->key, "%s.baseline: 'baseline' is for a threshold such as '95%% of baseline'; this "
                                         "one is absolute",
                       path);
    if (h->relative && m->nfaults == 0)
        return sk_fail(S, tf->val, "%s: a baseline is the run before or without the faults, and this model has none", p);
    if (h->relative && h->baseline == HB_BEFORE) {
        if (h->window == HW_BEFORE)
            return sk_fail(S, tf->val, "%s: the window is the baseline itself (before); use another window, or "
                                       "baseline: no_faults",
                           p);
        if (hyp_window_intervals(m, h, HW_BEFORE, a, b, HYP_MAX_INTERVALS) == 0)
            return sk_fail(S, tf->val, "%s: the first fault starts at 0s, so there is no 'before' to be the baseline; "
                                       "use baseline: no_faults",
                           p);
    }
    return 0;
}

int hypotheses_read(schema_ctx *S, yaml_node_t *n)
{
    model *m = S->m;
    if (n->type != YAML_SEQUENCE_NODE)
        return sk_fail(S, n, "hypotheses: expected a list of hypotheses, got %s", yd_type_name(n));
    size_t cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    m->hypotheses = xcalloc(cnt ? cnt : 1, sizeof *m->hypotheses);
    m->nhypotheses = cnt;
    char p[64];
    for (size_t i = 0; i < cnt; i++) {
        snprintf(p, sizeof p, "hypotheses[%zu]", i);
        yaml_node_t *item = sk_node(S, n->data.sequence.items.start[i]);
        if (schema_read(S, &hypothesis_table, item, item, p, &m->hypotheses[i]) < 0)
            return -1;
    }
    return 0;
}

void hypotheses_free(model *m)
{
    for (size_t i = 0; i < m->nhypotheses; i++) {
        free(m->hypotheses[i].name);
        free(m->hypotheses[i].entity);
        free(m->hypotheses[i].metric);
    }
    free(m->hypotheses);
    m->hypotheses = NULL;
    m->nhypotheses = 0;
}
