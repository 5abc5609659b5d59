/* stats.c -- telemetry: one row per sample interval, and the run totals.
 *
 * Counters are kept per interval and folded into run totals when the
 * interval closes, so the hot path increments one counter.  Each row goes to
 * the caller's on_row callback as it closes, and is kept in the result
 * unless the caller asked to drop rows (to keep memory flat in long runs). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "../core/xalloc.h"

static const char *const client_metrics[] = {"offered",  "retries", "goodput",     "failed",
                                             "timeouts", "shed",    "latency_p50", "latency_p99"};
static const char *const service_metrics[] = {"arrivals", "rejected", "completed",   "wasted",     "errors",
                                              "queue",    "busy",     "latency_p50", "latency_p99"};
#define NCM (sizeof client_metrics / sizeof client_metrics[0])
#define NSM (sizeof service_metrics / sizeof service_metrics[0])

/* An edge has columns only for the mechanisms it configures: `retries`
 * (retry attempts sent on it, per second) with a retry policy of 2 or more
 * attempts, then these. */
static const char *const budget_metrics[] = {"budget", "retries_denied"};
static const char *const breaker_metrics[] = {"breaker_open", "short_circuited", "fallbacks"};
static const char *const pool_metrics[] = {"pool_busy", "pool_waiters", "pool_timeouts"};
static const char *const hedge_metrics[] = {"hedges", "hedge_wins", "hedges_denied"};
static const char *const bulkhead_metrics[] = {"bulkhead_busy", "bulkhead_rejected"};

/* ... and a service only for the shedding and deadline handling it has. */
enum { SVC_SHED = 1, SVC_LIMIT = 2, SVC_DEADLINES = 4, SVC_SCALED = 8 };

static unsigned service_extras(const sim *s, size_t i)
{
    const service_spec *sp = &s->m->services[i];
    unsigned x = 0;
    if (sp->shed.queue_timeout || sp->shed.codel || sp->shed.limit.kind != LIMIT_NONE || sp->shed.priority)
        x |= SVC_SHED;
    for (size_t a = 0; a < s->m->nactions; a++)
        if (s->m->actions[a].service == (int)i &&
            (s->m->actions[a].kind == ACTION_SHED || s->m->actions[a].kind == ACTION_DRAIN))
            x |= SVC_SHED;
    if (sp->shed.limit.kind != LIMIT_NONE)
        x |= SVC_LIMIT;
    if (sp->deadlines != DEADLINES_IGNORE)
        x |= SVC_DEADLINES;
    if (sp->scaled)
        x |= SVC_SCALED;
    return x;
}

static size_t service_extra_ncols(unsigned x)
{
    return (x & SVC_SHED ? 1 : 0) + (x & SVC_LIMIT ? 1 : 0) + (x & SVC_DEADLINES ? 2 : 0) + (x & SVC_SCALED ? 2 : 0);
}

/* ... and a cache has these, after every edge's. */
static const char *const cache_metrics[] = {"hits",      "misses", "hit_ratio", "stale",  "coalesced",
                                            "refreshes", "fills",  "evictions", "entries"};
#define NKM (sizeof cache_metrics / sizeof cache_metrics[0])

/* ... then each broker queue's, each consumer group's, and the integrity
 * counts of each service that applies writes (docs/messaging.md). */
static const char *const queue_metrics[] = {"depth",     "age_p99",     "published", "rejected",
                                            "delivered", "redelivered", "expired",   "dead_lettered"};
static const char *const group_metrics[] = {"processed", "failed", "in_flight"};
/* a group on a topic: its own subscription's depth, lag and flows */
static const char *const sub_metrics[] = {"depth", "age_p99", "delivered", "redelivered", "expired", "dead_lettered"};
static const char *const integrity_metrics[] = {"exactly_once", "duplicated", "lost", "ghost", "deduped"};
#define NQM (sizeof queue_metrics / sizeof queue_metrics[0])
#define NGM (sizeof group_metrics / sizeof group_metrics[0])
#define NUM (sizeof sub_metrics / sizeof sub_metrics[0])
#define NIM (sizeof integrity_metrics / sizeof integrity_metrics[0])

static bool edge_retries(const edge_rt *e) { return e->spec->retry.attempts > 1; }

static size_t edge_ncols(const edge_rt *e)
{
    return (edge_retries(e) ? 1 : 0) + (e->budgets ? 2 : 0) + (e->breakers ? 3 : 0) + (e->pools ? 3 : 0) + (e->hedge_out ? 3 : 0) +
           (e->bulkheads ? 2 : 0);
}

static char *column(const char *entity, const char *metric)
{
    size_t n = strlen(entity) + strlen(metric) + 2;
    char *s = xmalloc(n);
    snprintf(s, n, "%s.%s", entity, metric);
    return s;
}

void stats_init(sim *s)
{
    const model *m = s->m;
    eddy_series *S = s->series;
    S->ncols = 1 + m->nclients * NCM + m->nservices * NSM;
    for (size_t i = 0; i < m->nservices; i++)
        S->ncols += service_extra_ncols(service_extras(s, i));
    for (size_t i = 0; i < s->nedges; i++)
        S->ncols += edge_ncols(s->edges[i]);
    S->ncols += 2 * m->nautoscalers;
    S->ncols += m->ncaches * NKM + m->nqueues * NQM + m->nconsumers * NGM;
    for (size_t i = 0; i < m->nconsumers; i++)
        S->ncols += s->groups[i].q->topic ? NUM : 0;
    for (size_t i = 0; i < m->nservices; i++)
        S->ncols += s->services[i].applies ? NIM : 0;
    S->names = xcalloc(S->ncols, sizeof *S->names);
    size_t k = 0;
    S->names[k++] = xstrdup("time");
    for (size_t i = 0; i < m->nclients; i++)
        for (size_t j = 0; j < NCM; j++)
            S->names[k++] = column(m->clients[i].name, client_metrics[j]);
    for (size_t i = 0; i < m->nservices; i++) {
        for (size_t j = 0; j < NSM; j++)
            S->names[k++] = column(m->services[i].name, service_metrics[j]);
        unsigned x = service_extras(s, i);
        if (x & SVC_SHED)
            S->names[k++] = column(m->services[i].name, "shed");
        if (x & SVC_LIMIT)
            S->names[k++] = column(m->services[i].name, "limit");
        if (x & SVC_DEADLINES) {
            S->names[k++] = column(m->services[i].name, "expired");
            S->names[k++] = column(m->services[i].name, "cancelled");
        }
        if (x & SVC_SCALED) {
            S->names[k++] = column(m->services[i].name, "replicas");
            S->names[k++] = column(m->services[i].name, "desired");
        }
    }
    for (size_t i = 0; i < s->nedges; i++) {
        edge_rt *e = s->edges[i];
        if (edge_retries(e))
            S->names[k++] = column(e->name, "retries");
        for (size_t j = 0; e->budgets && j < 2; j++)
            S->names[k++] = column(e->name, budget_metrics[j]);
        for (size_t j = 0; e->breakers && j < 3; j++)
            S->names[k++] = column(e->name, breaker_metrics[j]);
        for (size_t j = 0; e->pools && j < 3; j++)
            S->names[k++] = column(e->name, pool_metrics[j]);
        for (size_t j = 0; e->hedge_out && j < 3; j++)
            S->names[k++] = column(e->name, hedge_metrics[j]);
        for (size_t j = 0; e->bulkheads && j < 2; j++)
            S->names[k++] = column(e->name, bulkhead_metrics[j]);
    }
    for (size_t i = 0; i < m->nautoscalers; i++) {
        S->names[k++] = column(m->autoscalers[i].name, "metric");
        S->names[k++] = column(m->autoscalers[i].name, "desired");
    }
    for (size_t i = 0; i < m->ncaches; i++)
        for (size_t j = 0; j < NKM; j++)
            S->names[k++] = column(m->caches[i].name, cache_metrics[j]);
    for (size_t i = 0; i < m->nqueues; i++)
        for (size_t j = 0; j < NQM; j++)
            S->names[k++] = column(m->queues[i].name, queue_metrics[j]);
    for (size_t i = 0; i < m->nconsumers; i++) {
        for (size_t j = 0; j < NGM; j++)
            S->names[k++] = column(m->consumers[i].name, group_metrics[j]);
        for (size_t j = 0; s->groups[i].q->topic && j < NUM; j++)
            S->names[k++] = column(m->consumers[i].name, sub_metrics[j]);
    }
    for (size_t i = 0; i < m->nservices; i++)
        for (size_t j = 0; s->services[i].applies && j < NIM; j++)
            S->names[k++] = column(m->services[i].name, integrity_metrics[j]);
    S->nrows = 0;
    S->values = NULL;
    s->rows_cap = 0;
    s->row = xcalloc(S->ncols, sizeof *s->row);
}

static double quantile_sec(const hist *h, double q)
{
    return h->n ? hist_quantile(h, q) / 1e9 : NAN;
}

/* The oldest ready message's age (a topic's: over its subscriptions), or -1. */
static simtime oldest_ready(const sim *s, const bqueue_rt *q)
{
    simtime age = q->len ? s->now - q->ring[q->head]->published : -1;
    for (size_t i = 0; i < q->nsubs; i++) {
        simtime a = oldest_ready(s, q->subs[i]);
        age = a > age ? a : age;
    }
    return age;
}

/* A queue's (or a subscription's) interval into the row and the totals;
 * a subscription's row has no published/rejected (its topic's). */
static size_t sample_bqueue(sim *s, bqueue_rt *q, double *row, double dt, double span, bool sub)
{
    size_t k = 0;
    bqueue_counts *n = &q->cur;
    broker_gauge(s, q);
    row[k++] = q->area_held / span;
    /* the lag: the age of messages received, or while none were, of the oldest waiting */
    simtime oldest;
    if (q->age_cur.n)
        row[k++] = quantile_sec(&q->age_cur, 0.99);
    else
        row[k++] = (oldest = oldest_ready(s, q)) >= 0 ? t_sec(oldest) : NAN;
    if (!sub) {
        row[k++] = (double)n->published / dt;
        row[k++] = (double)n->rejected / dt;
    }
    row[k++] = (double)n->delivered / dt;
    row[k++] = (double)n->redelivered / dt;
    row[k++] = (double)n->expired / dt;
    row[k++] = (double)n->dead_lettered / dt;
    q->tot.published += n->published;
    q->tot.rejected += n->rejected;
    q->tot.delivered += n->delivered;
    q->tot.redelivered += n->redelivered;
    q->tot.expired += n->expired;
    q->tot.dead_lettered += n->dead_lettered;
    memset(n, 0, sizeof *n);
    q->tot_area_held += q->area_held;
    q->area_held = 0;
    hist_merge(&q->age_tot, &q->age_cur);
    hist_reset(&q->age_cur);
    return k;
}

/* The messaging columns of one row; the interval's counts go to the totals. */
static void sample_messaging(sim *s, double *row, double dt, double span)
{
    const model *m = s->m;
    size_t k = 0;
    for (size_t i = 0; i < m->nqueues; i++) {
        broker_expire(s, &s->queues[i]); /* a topic's: its subscriptions' */
        k += sample_bqueue(s, &s->queues[i], row + k, dt, span, false);
    }
    for (size_t i = 0; i < m->nconsumers; i++) {
        group_rt *g = &s->groups[i];
        consumer_gauge(s, g);
        row[k++] = (double)g->cur.processed / dt;
        row[k++] = (double)g->cur.failed / dt;
        row[k++] = g->area_msgs / span;
        g->tot.processed += g->cur.processed;
        g->tot.failed += g->cur.failed;
        memset(&g->cur, 0, sizeof g->cur);
        g->tot_area_msgs += g->area_msgs;
        g->area_msgs = 0;
        if (g->q->topic)
            k += sample_bqueue(s, g->q, row + k, dt, span, true);
    }
    for (size_t i = 0; i < m->nservices; i++) {
        service_rt *v = &s->services[i];
        if (!v->applies)
            continue;
        ledger_counts *n = &v->wcur;
        row[k++] = (double)n->exactly_once / dt;
        row[k++] = (double)n->duplicated / dt;
        row[k++] = (double)n->lost / dt;
        row[k++] = (double)n->ghost / dt;
        row[k++] = (double)n->deduped / dt;
        v->wtot.exactly_once += n->exactly_once;
        v->wtot.duplicated += n->duplicated;
        v->wtot.lost += n->lost;
        v->wtot.ghost += n->ghost;
        v->wtot.deduped += n->deduped;
        memset(n, 0, sizeof *n);
    }
}

static void bqueue_totals(sim *s, bqueue_rt *q, eddy_queue_totals *t, const char *name)
{
    double T = (double)s->end;
    t->name = name;
    t->published = q->tot.published;
    t->rejected = q->tot.rejected;
    t->delivered = q->tot.delivered;
    t->redelivered = q->tot.redelivered;
    t->expired = q->tot.expired;
    t->dead_lettered = q->tot.dead_lettered;
    t->held = q->held;
    t->depth_mean = q->tot_area_held / T;
    t->age_p99 = quantile_sec(&q->age_tot, 0.99);
    t->age_mean = q->age_tot.n ? hist_mean(&q->age_tot) / 1e9 : NAN;
}

static void totals_messaging(sim *s, eddy_result *out)
{
    const model *m = s->m;
    double T = (double)s->end;
    out->nqueues = m->nqueues;
    out->ngroups = m->nconsumers;
    out->queues = xcalloc(m->nqueues + 1, sizeof *out->queues);
    out->groups = xcalloc(m->nconsumers + 1, sizeof *out->groups);
    out->integrity = xcalloc(m->nservices + 1, sizeof *out->integrity);
    for (size_t i = 0; i < m->nqueues; i++)
        bqueue_totals(s, &s->queues[i], &out->queues[i], m->queues[i].name);
    for (size_t i = 0; i < m->nconsumers; i++) {
        group_rt *g = &s->groups[i];
        eddy_group_totals *t = &out->groups[i];
        t->name = m->consumers[i].name;
        t->processed = g->tot.processed;
        t->failed = g->tot.failed;
        t->in_flight_mean = g->tot_area_msgs / T;
        t->subscription = g->q->topic != NULL;
        if (t->subscription)
            bqueue_totals(s, g->q, &t->sub, t->name);
    }
    for (size_t i = 0; i < m->nservices; i++) {
        service_rt *v = &s->services[i];
        if (!v->applies)
            continue;
        eddy_integrity_totals *t = &out->integrity[out->nintegrity++];
        t->service = m->services[i].name;
        t->exactly_once = v->wtot.exactly_once;
        t->duplicated = v->wtot.duplicated;
        t->lost = v->wtot.lost;
        t->ghost = v->wtot.ghost;
        t->deduped = v->wtot.deduped;
    }
    out->writes_pending = s->wrecs.live;
}

void stats_sample(sim *s)
{
    const model *m = s->m;
    eddy_series *S = s->series;
    double dt = t_sec(s->now - s->last_sample);
    if (dt <= 0)
        return;
    double *row = s->row;
    size_t k = 0;
    row[k++] = t_sec(s->last_sample);
    for (size_t i = 0; i < m->nclients; i++) {
        client_rt *c = &s->clients[i];
        client_counts *n = &c->cur;
        row[k++] = (double)n->offered / dt;
        row[k++] = (double)n->retries / dt;
        row[k++] = (double)n->goodput / dt;
        row[k++] = (double)n->failed / dt;
        row[k++] = (double)n->timeouts / dt;
        row[k++] = (double)n->shed / dt;
        row[k++] = quantile_sec(&c->lat_cur, 0.50);
        row[k++] = quantile_sec(&c->lat_cur, 0.99);
        c->tot.requests += n->requests;
        c->tot.offered += n->offered;
        c->tot.retries += n->retries;
        c->tot.goodput += n->goodput;
        c->tot.failed += n->failed;
        c->tot.timeouts += n->timeouts;
        c->tot.shed += n->shed;
        memset(n, 0, sizeof *n);
        hist_merge(&c->lat_tot, &c->lat_cur);
        hist_reset(&c->lat_cur);
    }
    double span = (double)(s->now - s->last_sample);
    for (size_t i = 0; i < m->nservices; i++) {
        service_rt *v = &s->services[i];
        service_counts *n = &v->cur;
        service_gauge(s, v);
        row[k++] = (double)n->arrivals / dt;
        row[k++] = (double)n->rejected / dt;
        row[k++] = (double)n->completed / dt;
        row[k++] = (double)n->wasted / dt;
        row[k++] = (double)n->errors / dt;
        row[k++] = v->area_queue / span;
        row[k++] = v->area_busy / span;
        row[k++] = quantile_sec(&v->lat_cur, 0.50);
        row[k++] = quantile_sec(&v->lat_cur, 0.99);
        unsigned x = service_extras(s, i);
        if (x & SVC_SHED)
            row[k++] = (double)n->shed / dt;
        if (x & SVC_LIMIT) {
            double lim = 0;
            for (long r = 0; r < v->nreps; r++)
                lim += (double)(long)v->reps[r].limit.limit;
            row[k++] = lim / (double)v->nreps;
        }
        if (x & SVC_DEADLINES) {
            row[k++] = (double)n->expired / dt;
            row[k++] = (double)n->cancelled / dt;
        }
        if (x & SVC_SCALED) { /* serving replicas, time-averaged; the count it is set to */
            replicas_gauge(s, v);
            row[k++] = (v->area_serving - v->sample_area_serving) / span;
            row[k++] = (double)v->desired;
            v->sample_area_serving = v->area_serving;
        }
        v->tot.shed += n->shed;
        v->tot.expired += n->expired;
        v->tot.cancelled += n->cancelled;
        v->tot.arrivals += n->arrivals;
        v->tot.rejected += n->rejected;
        v->tot.completed += n->completed;
        v->tot.wasted += n->wasted;
        v->tot.errors += n->errors;
        memset(n, 0, sizeof *n);
        v->tot_area_queue += v->area_queue;
        v->tot_area_busy += v->area_busy;
        v->area_queue = v->area_busy = 0;
        hist_merge(&v->lat_tot, &v->lat_cur);
        hist_reset(&v->lat_cur);
    }
    for (size_t i = 0; i < s->nedges; i++) {
        edge_rt *e = s->edges[i];
        if (edge_retries(e)) { /* e->retries is the run total call.c counts */
            row[k++] = (double)(e->retries - e->retries_sampled) / dt;
            e->retries_sampled = e->retries;
        }
        if (e->budgets) {
            double lvl = 0;
            for (long b = 0; b < e->nbudgets; b++)
                lvl += budget_level(&e->budgets[b], s->now);
            row[k++] = lvl / (double)e->nbudgets;
            row[k++] = (double)e->denied / dt;
        }
        if (e->breakers) {
            double open = 0;
            for (long b = 0; b < e->ninst; b++)
                open += breaker_level(&e->breakers[b]);
            row[k++] = open / (double)e->ninst;
            row[k++] = (double)e->short_circuited / dt;
            row[k++] = (double)e->fallbacks / dt;
        }
        if (e->pools) {
            edge_gauge(s, e);
            row[k++] = e->area_pool_busy / span;
            row[k++] = e->area_pool_wait / span;
            row[k++] = (double)e->pool_timeouts / dt;
            e->area_pool_busy = e->area_pool_wait = 0;
        }
        if (e->hedge_out) {
            row[k++] = (double)e->hedges / dt;
            row[k++] = (double)e->hedge_wins / dt;
            row[k++] = (double)e->hedges_denied / dt;
            e->tot_hedges += e->hedges;
            e->tot_hedge_wins += e->hedge_wins;
            e->tot_hedges_denied += e->hedges_denied;
            e->hedges = e->hedge_wins = e->hedges_denied = 0;
        }
        if (e->bulkheads) {
            bulkhead_gauge(s, e);
            row[k++] = e->area_bulkhead_busy / span;
            row[k++] = (double)e->bulkhead_rejected / dt;
            e->area_bulkhead_busy = 0;
            e->tot_bulkhead_rejected += e->bulkhead_rejected;
            e->bulkhead_rejected = 0;
        }
        e->tot_denied += e->denied;
        e->tot_short_circuited += e->short_circuited;
        e->tot_fallbacks += e->fallbacks;
        e->tot_pool_timeouts += e->pool_timeouts;
        e->denied = e->short_circuited = e->fallbacks = e->pool_timeouts = 0;
    }
    for (size_t i = 0; i < m->nautoscalers; i++) { /* its last measurement and decision */
        row[k++] = s->autoscalers[i].metric;
        row[k++] = (double)s->autoscalers[i].desired;
    }
    for (size_t i = 0; i < m->ncaches; i++) {
        cache_rt *c = &s->caches[i];
        cache_counts *n = &c->cur;
        row[k++] = (double)n->hits / dt;
        row[k++] = (double)n->misses / dt;
        row[k++] = n->hits + n->misses ? (double)n->hits / (double)(n->hits + n->misses) : NAN;
        row[k++] = (double)n->stale / dt;
        row[k++] = (double)n->coalesced / dt;
        row[k++] = (double)n->refreshes / dt;
        row[k++] = (double)n->fills / dt;
        row[k++] = (double)n->evictions / dt;
        row[k++] = (double)cache_entries(c, s->now);
        c->tot.hits += n->hits;
        c->tot.misses += n->misses;
        c->tot.stale += n->stale;
        c->tot.coalesced += n->coalesced;
        c->tot.refreshes += n->refreshes;
        c->tot.fills += n->fills;
        c->tot.evictions += n->evictions;
        memset(n, 0, sizeof *n);
    }
    sample_messaging(s, row + k, dt, span);
    respond_sample(s, row, s->last_sample, s->now);
    if (s->opt->on_row)
        s->opt->on_row(S, row, s->opt->row_ud);
    if (!s->opt->drop_series) {
        if (S->nrows == s->rows_cap) {
            s->rows_cap = s->rows_cap ? s->rows_cap * 2 : 256;
            S->values = xrealloc(S->values, s->rows_cap * S->ncols * sizeof *S->values);
        }
        memcpy(S->values + S->nrows * S->ncols, row, S->ncols * sizeof *row);
        S->nrows++;
    }
    s->last_sample = s->now;
}

void stats_totals(sim *s, eddy_result *out)
{
    const model *m = s->m;
    out->nclients = m->nclients;
    out->nservices = m->nservices;
    out->clients = xcalloc(m->nclients ? m->nclients : 1, sizeof *out->clients);
    out->services = xcalloc(m->nservices ? m->nservices : 1, sizeof *out->services);
    for (size_t i = 0; i < m->nclients; i++) {
        client_rt *c = &s->clients[i];
        eddy_client_totals *t = &out->clients[i];
        t->name = m->clients[i].name;
        t->requests = c->tot.requests;
        t->offered = c->tot.offered;
        t->retries = c->tot.retries;
        t->goodput = c->tot.goodput;
        t->failed = c->tot.failed;
        t->timeouts = c->tot.timeouts;
        t->shed = c->tot.shed;
        t->latency_mean = hist_mean(&c->lat_tot) / 1e9;
        t->latency_p50 = hist_quantile(&c->lat_tot, 0.50) / 1e9;
        t->latency_p99 = hist_quantile(&c->lat_tot, 0.99) / 1e9;
    }
    double T = (double)s->end;
    for (size_t i = 0; i < m->nservices; i++) {
        service_rt *v = &s->services[i];
        eddy_service_totals *t = &out->services[i];
        t->name = m->services[i].name;
        t->arrivals = v->tot.arrivals;
        t->rejected = v->tot.rejected;
        t->completed = v->tot.completed;
        t->wasted = v->tot.wasted;
        t->errors = v->tot.errors;
        t->shed = v->tot.shed;
        t->expired = v->tot.expired;
        t->cancelled = v->tot.cancelled;
        t->latency_mean = hist_mean(&v->lat_tot) / 1e9;
        t->latency_p50 = hist_quantile(&v->lat_tot, 0.50) / 1e9;
        t->latency_p99 = hist_quantile(&v->lat_tot, 0.99) / 1e9;
        t->queue_mean = v->tot_area_queue / T;
        t->busy_mean = v->tot_area_busy / T;
    }
    out->nedges = s->nedges;
    out->edges = xcalloc(s->nedges ? s->nedges : 1, sizeof *out->edges);
    for (size_t i = 0; i < s->nedges; i++) {
        edge_rt *e = s->edges[i];
        eddy_edge_totals *t = &out->edges[i];
        t->name = xstrdup(e->name);
        t->attempts = e->attempts;
        t->retries = e->retries;
        t->timeouts = e->timeouts;
        t->retries_denied = e->tot_denied;
        t->short_circuited = e->tot_short_circuited;
        t->fallbacks = e->tot_fallbacks;
        t->pool_timeouts = e->tot_pool_timeouts;
        t->has_budget = e->budgets != NULL;
        t->has_breaker = e->breakers != NULL;
        t->has_pool = e->pools != NULL;
        t->hedges = e->tot_hedges;
        t->hedge_wins = e->tot_hedge_wins;
        t->hedges_denied = e->tot_hedges_denied;
        t->bulkhead_rejected = e->tot_bulkhead_rejected;
        t->has_hedge = e->hedge_out != NULL;
        t->has_bulkhead = e->bulkheads != NULL;
    }
    out->ncaches = m->ncaches;
    out->caches = xcalloc(m->ncaches ? m->ncaches : 1, sizeof *out->caches);
    for (size_t i = 0; i < m->ncaches; i++) {
        cache_rt *c = &s->caches[i];
        eddy_cache_totals *t = &out->caches[i];
        t->name = m->caches[i].name;
        t->hits = c->tot.hits;
        t->misses = c->tot.misses;
        t->stale = c->tot.stale;
        t->coalesced = c->tot.coalesced;
        t->refreshes = c->tot.refreshes;
        t->fills = c->tot.fills;
        t->evictions = c->tot.evictions;
        t->hit_ratio = t->hits + t->misses ? (double)t->hits / (double)(t->hits + t->misses) : NAN;
        t->entries = cache_entries(c, s->now);
    }
    totals_messaging(s, out);
}
