/* run_report.c -- the text and JSON summaries of `eddy run`. */
#include "run_report.h"
#include "json_num.h"

#include <math.h>
#include <string.h>

#include "../analysis/phases.h"
#include "../model/units.h"

/* ---- JSON ----------------------------------------------------------------- */

/* JSON has no NaN: a quantity that does not exist is null. */
/* Phases come precomputed (streamed runs) or from the kept series. */
static int get_phases(const model *m, const eddy_result *r, const run_meta *meta, size_t i, client_phases *ph)
{
    if (meta && meta->phases) {
        *ph = meta->phases[i];
        return 0;
    }
    return phases_compute(m, r, i, ph);
}

static void put_phases(const run_meta *meta, client_phases *ph)
{
    if (!(meta && meta->phases))
        phases_free(ph);
}

static json_t *client_json(const model *m, const eddy_result *r, const run_meta *meta, size_t i)
{
    const eddy_client_totals *t = &r->clients[i];
    json_t *o = json_object();
    json_object_set_new(o, "calls", json_string(call_target_name(m, &m->clients[i].call)));
    json_object_set_new(o, "requests", json_integer((json_int_t)t->requests));
    json_object_set_new(o, "offered", json_integer((json_int_t)t->offered));
    json_object_set_new(o, "retries", json_integer((json_int_t)t->retries));
    json_object_set_new(o, "attempts", json_integer((json_int_t)(t->offered + t->retries)));
    json_object_set_new(o, "goodput", json_integer((json_int_t)t->goodput));
    json_object_set_new(o, "failed", json_integer((json_int_t)t->failed));
    json_object_set_new(o, "timeouts", json_integer((json_int_t)t->timeouts));
    json_object_set_new(o, "shed", json_integer((json_int_t)t->shed));
    json_object_set_new(o, "amplification",
                        json_num(t->offered ? (double)(t->offered + t->retries) / (double)t->offered : NAN));
    json_object_set_new(o, "latency_mean", json_num(t->goodput ? t->latency_mean : NAN));
    json_object_set_new(o, "latency_p50", json_num(t->goodput ? t->latency_p50 : NAN));
    json_object_set_new(o, "latency_p99", json_num(t->goodput ? t->latency_p99 : NAN));

    client_phases ph;
    if (get_phases(m, r, meta, i, &ph) == 0) {
        json_t *arr = json_array();
        for (size_t k = 0; k < ph.n; k++) {
            phase *p = &ph.v[k];
            json_t *po = json_object();
            json_object_set_new(po, "phase", json_string(p->label));
            json_object_set_new(po, "start", json_real(p->start));
            json_object_set_new(po, "end", json_real(p->end));
            json_object_set_new(po, "goodput", json_num(p->goodput));
            json_object_set_new(po, "success", json_num(p->success));
            json_object_set_new(po, "amplification", json_num(p->amplification));
            json_array_append_new(arr, po);
        }
        json_object_set_new(o, "phases", arr);
        if (ph.has_faults && !ph.fault_open_at_end) {
            json_object_set_new(o, "recovered", json_boolean(ph.recovered));
            json_object_set_new(o, "recovery_time", json_num(ph.recovery_time));
        } else {
            json_object_set_new(o, "recovered", json_null());
            json_object_set_new(o, "recovery_time", json_null());
        }
        put_phases(meta, &ph);
    }
    return o;
}

/* Broker queues, consumer groups and the integrity ledger (docs/messaging.md). */
static void messaging_json(json_t *root, const eddy_result *r)
{
    if (r->nqueues) {
        json_t *qs = json_object();
        for (size_t i = 0; i < r->nqueues; i++) {
            const eddy_queue_totals *t = &r->queues[i];
            json_t *o = json_object();
            json_object_set_new(o, "published", json_integer((json_int_t)t->published));
            json_object_set_new(o, "rejected", json_integer((json_int_t)t->rejected));
            json_object_set_new(o, "delivered", json_integer((json_int_t)t->delivered));
            json_object_set_new(o, "redelivered", json_integer((json_int_t)t->redelivered));
            json_object_set_new(o, "expired", json_integer((json_int_t)t->expired));
            json_object_set_new(o, "dead_lettered", json_integer((json_int_t)t->dead_lettered));
            json_object_set_new(o, "held", json_integer((json_int_t)t->held));
            json_object_set_new(o, "depth_mean", json_num(t->depth_mean));
            json_object_set_new(o, "age_p99", json_num(t->age_p99));
            json_object_set_new(o, "age_mean", json_num(t->age_mean));
            json_object_set_new(qs, t->name, o);
        }
        json_object_set_new(root, "queues", qs);
    }
    if (r->ngroups) {
        json_t *gs = json_object();
        for (size_t i = 0; i < r->ngroups; i++) {
            const eddy_group_totals *t = &r->groups[i];
            json_t *o = json_object();
            json_object_set_new(o, "processed", json_integer((json_int_t)t->processed));
            json_object_set_new(o, "failed", json_integer((json_int_t)t->failed));
            json_object_set_new(o, "in_flight_mean", json_num(t->in_flight_mean));
            if (t->subscription) { /* on a topic: its own subscription */
                const eddy_queue_totals *u = &t->sub;
                json_t *b = json_object();
                json_object_set_new(b, "stored", json_integer((json_int_t)u->published));
                json_object_set_new(b, "delivered", json_integer((json_int_t)u->delivered));
                json_object_set_new(b, "redelivered", json_integer((json_int_t)u->redelivered));
                json_object_set_new(b, "expired", json_integer((json_int_t)u->expired));
                json_object_set_new(b, "dead_lettered", json_integer((json_int_t)u->dead_lettered));
                json_object_set_new(b, "held", json_integer((json_int_t)u->held));
                json_object_set_new(b, "depth_mean", json_num(u->depth_mean));
                json_object_set_new(b, "age_p99", json_num(u->age_p99));
                json_object_set_new(b, "age_mean", json_num(u->age_mean));
                json_object_set_new(o, "subscription", b);
            }
            json_object_set_new(gs, t->name, o);
        }
        json_object_set_new(root, "consumers", gs);
    }
    if (r->nintegrity) {
        json_t *is = json_object();
        for (size_t i = 0; i < r->nintegrity; i++) {
            const eddy_integrity_totals *t = &r->integrity[i];
            json_t *o = json_object();
            json_object_set_new(o, "exactly_once", json_integer((json_int_t)t->exactly_once));
            json_object_set_new(o, "duplicated", json_integer((json_int_t)t->duplicated));
            json_object_set_new(o, "lost", json_integer((json_int_t)t->lost));
            json_object_set_new(o, "ghost", json_integer((json_int_t)t->ghost));
            json_object_set_new(o, "deduped", json_integer((json_int_t)t->deduped));
            json_object_set_new(is, t->service, o);
        }
        json_object_set_new(root, "integrity", is);
        json_object_set_new(root, "writes_pending", json_integer((json_int_t)r->writes_pending));
    }
}

/* 1204 -> "1,204" */
static const char *thousands(char *buf, size_t n, uint64_t v)
{
    char raw[32];
    int len = snprintf(raw, sizeof raw, "%llu", (unsigned long long)v);
    size_t k = 0;
    for (int i = 0; i < len && k + 2 < n; i++) {
        if (i && (len - i) % 3 == 0)
            buf[k++] = ',';
        buf[k++] = raw[i];
    }
    buf[k] = 0;
    return buf;
}

static void fmt_latency(char *buf, size_t n, double sec);
static void messaging_text(FILE *fp, const eddy_result *r)
{
    double T = r->duration;
    if (r->nqueues) {
        fprintf(fp, "\n  %-16s %9s %11s %10s %11s %13s %9s %15s %9s %9s\n", "queue", "depth", "published/s",
                "rejected/s", "delivered/s", "redelivered/s", "expired/s", "dead_lettered/s", "age p99", "held");
        /* a topic's subscriptions follow it, each named by its group */
        for (size_t i = 0; i < r->nqueues + r->ngroups; i++) {
            bool sub = i >= r->nqueues;
            if (sub && !r->groups[i - r->nqueues].subscription)
                continue;
            const eddy_queue_totals *t = sub ? &r->groups[i - r->nqueues].sub : &r->queues[i];
            char age[32], name[64];
            fmt_latency(age, sizeof age, t->age_p99);
            snprintf(name, sizeof name, "%s%s", sub ? "group " : "", t->name);
            fprintf(fp, "  %-16s %9.1f %11.1f %10.1f %11.1f %13.1f %9.1f %15.1f %9s %9ld\n", name, t->depth_mean,
                    (double)t->published / T, (double)t->rejected / T, (double)t->delivered / T,
                    (double)t->redelivered / T, (double)t->expired / T, (double)t->dead_lettered / T, age, t->held);
        }
    }
    if (r->ngroups) {
        fprintf(fp, "\n  %-16s %12s %9s %10s\n", "consumer", "processed/s", "failed/s", "in flight");
        for (size_t i = 0; i < r->ngroups; i++) {
            const eddy_group_totals *t = &r->groups[i];
            fprintf(fp, "  %-16s %12.1f %9.1f %10.1f\n", t->name, (double)t->processed / T, (double)t->failed / T,
                    t->in_flight_mean);
        }
    }
    if (r->nintegrity) {
        fprintf(fp, "\n");
        for (size_t i = 0; i < r->nintegrity; i++) {
            const eddy_integrity_totals *t = &r->integrity[i];
            char a[32], b[32], c[32], d[32], e[32];
            fprintf(fp, "  %s: %s writes duplicated, %s lost, %s ghost (%s exactly once, %s repeats deduped)\n",
                    t->service, thousands(a, sizeof a, t->duplicated), thousands(b, sizeof b, t->lost),
                    thousands(c, sizeof c, t->ghost), thousands(d, sizeof d, t->exactly_once),
                    thousands(e, sizeof e, t->deduped));
        }
        if (r->writes_pending) {
            char a[32];
            fprintf(fp, "  (%s user requests could still have writes applied when the run ended: not counted)\n",
                    thousands(a, sizeof a, r->writes_pending));
        }
    }
}

static json_t *service_json(const eddy_service_totals *t)
{
    json_t *o = json_object();
    json_object_set_new(o, "arrivals", json_integer((json_int_t)t->arrivals));
    json_object_set_new(o, "rejected", json_integer((json_int_t)t->rejected));
    json_object_set_new(o, "completed", json_integer((json_int_t)t->completed));
    json_object_set_new(o, "wasted", json_integer((json_int_t)t->wasted));
    json_object_set_new(o, "errors", json_integer((json_int_t)t->errors));
    json_object_set_new(o, "shed", json_integer((json_int_t)t->shed));
    json_object_set_new(o, "expired", json_integer((json_int_t)t->expired));
    json_object_set_new(o, "cancelled", json_integer((json_int_t)t->cancelled));
    bool ok = t->completed > t->errors;
    json_object_set_new(o, "latency_mean", json_num(ok ? t->latency_mean : NAN));
    json_object_set_new(o, "latency_p50", json_num(ok ? t->latency_p50 : NAN));
    json_object_set_new(o, "latency_p99", json_num(ok ? t->latency_p99 : NAN));
    json_object_set_new(o, "queue_mean", json_num(t->queue_mean));
    json_object_set_new(o, "busy_mean", json_num(t->busy_mean));
    return o;
}

json_t *run_report_json(const model *m, const eddy_result *r, const run_meta *meta)
{
    json_t *root = json_object();
    json_object_set_new(root, "eddy", json_string(EDDY_VERSION));
    json_object_set_new(root, "model", json_string(meta && meta->model_path ? meta->model_path : m->file));
    if (m->name)
        json_object_set_new(root, "name", json_string(m->name));
    json_object_set_new(root, "seed", json_integer((json_int_t)r->seed));
    json_object_set_new(root, "duration", json_real(r->duration));
    json_object_set_new(root, "sample", json_real(t_sec(m->sample)));

    json_t *faults = json_array();
    for (size_t i = 0; i < m->nfaults; i++) {
        char d[128];
        phases_describe_fault(m, &m->faults[i], d, sizeof d);
        json_t *f = json_object();
        json_object_set_new(f, "fault", json_string(d));
        json_object_set_new(f, "target", json_string(fault_target_name(m, &m->faults[i])));
        json_object_set_new(f, "kind", json_string(fault_kind_name(m->faults[i].kind)));
        json_object_set_new(f, "start", json_real(t_sec(m->faults[i].at)));
        json_object_set_new(f, "end", json_real(t_sec(m->faults[i].at + m->faults[i].dur)));
        json_array_append_new(faults, f);
    }
    json_object_set_new(root, "faults", faults);

    json_t *clients = json_object();
    for (size_t i = 0; i < r->nclients; i++)
        json_object_set_new(clients, r->clients[i].name, client_json(m, r, meta, i));
    json_object_set_new(root, "clients", clients);
    json_t *services = json_object();
    for (size_t i = 0; i < r->nservices; i++)
        json_object_set_new(services, r->services[i].name, service_json(&r->services[i]));
    json_object_set_new(root, "services", services);
    json_t *edges = json_object();
    for (size_t i = 0; i < r->nedges; i++) {
        const eddy_edge_totals *t = &r->edges[i];
        json_t *o = json_object();
        json_object_set_new(o, "attempts", json_integer((json_int_t)t->attempts));
        json_object_set_new(o, "retries", json_integer((json_int_t)t->retries));
        json_object_set_new(o, "timeouts", json_integer((json_int_t)t->timeouts));
        if (t->has_budget)
            json_object_set_new(o, "retries_denied", json_integer((json_int_t)t->retries_denied));
        if (t->has_breaker) {
            json_object_set_new(o, "short_circuited", json_integer((json_int_t)t->short_circuited));
            json_object_set_new(o, "fallbacks", json_integer((json_int_t)t->fallbacks));
        }
        if (t->has_pool)
            json_object_set_new(o, "pool_timeouts", json_integer((json_int_t)t->pool_timeouts));
        if (t->has_hedge) {
            json_object_set_new(o, "hedges", json_integer((json_int_t)t->hedges));
            json_object_set_new(o, "hedge_wins", json_integer((json_int_t)t->hedge_wins));
            json_object_set_new(o, "hedges_denied", json_integer((json_int_t)t->hedges_denied));
        }
        if (t->has_bulkhead)
            json_object_set_new(o, "bulkhead_rejected", json_integer((json_int_t)t->bulkhead_rejected));
        json_object_set_new(edges, t->name, o);
    }
    json_object_set_new(root, "edges", edges);
    if (r->ncaches) {
        json_t *caches = json_object();
        for (size_t i = 0; i < r->ncaches; i++) {
            const eddy_cache_totals *t = &r->caches[i];
            json_t *o = json_object();
            json_object_set_new(o, "hits", json_integer((json_int_t)t->hits));
            json_object_set_new(o, "misses", json_integer((json_int_t)t->misses));
            json_object_set_new(o, "hit_ratio", json_num(t->hit_ratio));
            json_object_set_new(o, "stale", json_integer((json_int_t)t->stale));
            json_object_set_new(o, "coalesced", json_integer((json_int_t)t->coalesced));
            json_object_set_new(o, "refreshes", json_integer((json_int_t)t->refreshes));
            json_object_set_new(o, "fills", json_integer((json_int_t)t->fills));
            json_object_set_new(o, "evictions", json_integer((json_int_t)t->evictions));
            json_object_set_new(o, "entries", json_integer((json_int_t)t->entries));
            json_object_set_new(caches, t->name, o);
        }
        json_object_set_new(root, "caches", caches);
    }
    messaging_json(root, r);

    const eddy_engine_stats *e = &r->engine;
    json_t *eng = json_object();
    json_object_set_new(eng, "events", json_integer((json_int_t)e->events));
    json_object_set_new(eng, "attempts", json_integer((json_int_t)e->attempts));
    json_object_set_new(eng, "peak_inflight", json_integer((json_int_t)e->peak_inflight));
    json_object_set_new(eng, "wall_seconds", json_real(e->wall_seconds));
    json_object_set_new(eng, "events_per_second", json_num(e->wall_seconds > 0 ? (double)e->events / e->wall_seconds : NAN));
    json_object_set_new(eng, "attempts_per_second",
                        json_num(e->wall_seconds > 0 ? (double)e->attempts / e->wall_seconds : NAN));
    json_object_set_new(eng, "peak_rss_bytes",
                        meta && meta->peak_rss_bytes >= 0 ? json_integer(meta->peak_rss_bytes) : json_null());
    json_object_set_new(root, "engine", eng);
    return root;
}

/* ---- text ------------------------------------------------------------------- */

static void fmt_pct(char *buf, size_t n, double v)
{
    if (isfinite(v))
        snprintf(buf, n, "%.1f%%", v * 100);
    else
        snprintf(buf, n, "-");
}

static void fmt_num(char *buf, size_t n, double v, const char *f)
{
    if (isfinite(v))
        snprintf(buf, n, f, v);
    else
        snprintf(buf, n, "-");
}

static void fmt_latency(char *buf, size_t n, double sec)
{
    if (!isfinite(sec)) {
        snprintf(buf, n, "-");
        return;
    }
    units_format_duration((simtime)(sec * 1e9 + 0.5), buf, (int)n);
}

/* Both ends in one unit, so "60s-90s" rather than "1m-90s". */
static void fmt_span(char *buf, size_t n, double a, double b)
{
    if (b < 3600)
        snprintf(buf, n, "%gs-%gs", a, b);
    else
        snprintf(buf, n, "%gm-%gm", a / 60, b / 60);
}

void run_report_text(FILE *fp, const model *m, const eddy_result *r, const run_meta *meta)
{
    char dur[32];
    units_format_duration(m->duration, dur, sizeof dur);
    const eddy_engine_stats *e = &r->engine;
    fprintf(fp, "eddy run %s  (seed %llu, %s simulated in %.2f s wall, %llu events, %.2fM events/s)\n",
            meta && meta->model_path ? meta->model_path : m->file, (unsigned long long)r->seed, dur,
            e->wall_seconds, (unsigned long long)e->events,
            e->wall_seconds > 0 ? (double)e->events / e->wall_seconds / 1e6 : 0.0);
    if (m->name)
        fprintf(fp, "%s\n", m->name);

    for (size_t i = 0; i < r->nclients; i++) {
        const eddy_client_totals *t = &r->clients[i];
        fprintf(fp, "\nclient %s -> %s: %llu user requests, %llu succeeded, %llu failed, %llu attempts timed out\n",
                t->name, call_target_name(m, &m->clients[i].call), (unsigned long long)t->requests,
                (unsigned long long)t->goodput, (unsigned long long)t->failed, (unsigned long long)t->timeouts);
        client_phases ph;
        if (get_phases(m, r, meta, i, &ph) < 0)
            continue;
        int w = 34; /* as wide as the longest phase label */
        for (size_t k = 0; k < ph.n; k++)
            if ((int)strlen(ph.v[k].label) > w)
                w = (int)strlen(ph.v[k].label);
        fprintf(fp, "  %-*s %-14s %10s %9s %10s\n", w, "phase", "time", "goodput/s", "success", "attempts/req");
        for (size_t k = 0; k < ph.n; k++) {
            phase *p = &ph.v[k];
            char span[64], g[32], sc[32], a[32];
            fmt_span(span, sizeof span, p->start, p->end);
            fmt_num(g, sizeof g, p->goodput, "%.1f");
            fmt_pct(sc, sizeof sc, p->success);
            fmt_num(a, sizeof a, p->amplification, "%.2f");
            fprintf(fp, "  %-*s %-14s %10s %9s %10s\n", w, p->label, span, g, sc, a);
        }
        if (ph.fault_open_at_end) {
            fprintf(fp, "  recovered: cannot tell: a fault window is still open when the run ends\n");
        } else if (ph.has_faults) {
            char base[32], fin[32];
            fmt_pct(base, sizeof base, ph.baseline);
            fmt_pct(fin, sizeof fin, ph.final_success);
            if (ph.recovered)
                fprintf(fp, "  recovered: yes, %.0f s after the last fault ended (share of demand served back to >= %.0f%% of "
                        "%s)\n",
                        ph.recovery_time, RECOVERY_LEVEL * 100, base);
            else
                fprintf(fp,
                        "  recovered: NO. %.0f s after the last fault ended, %s of demand is served against %s before "
                        "the fault: the degradation outlived its trigger\n",
                        r->duration - ph.fault_end, fin, base);
        }
        put_phases(meta, &ph);
    }

    fprintf(fp, "\n  %-16s %10s %10s %10s %10s %8s %8s %8s %9s %9s\n", "service", "arrivals/s", "rejected/s",
            "done/s", "wasted/s", "errors/s", "queue", "busy", "p50", "p99");
    for (size_t i = 0; i < r->nservices; i++) {
        const eddy_service_totals *t = &r->services[i];
        double T = r->duration;
        char p50[32], p99[32];
        bool ok = t->completed > t->errors;
        fmt_latency(p50, sizeof p50, ok ? t->latency_p50 : NAN);
        fmt_latency(p99, sizeof p99, ok ? t->latency_p99 : NAN);
        fprintf(fp, "  %-16s %10.1f %10.1f %10.1f %10.1f %8.1f %8.1f %8.1f %9s %9s\n", t->name,
                (double)t->arrivals / T, (double)t->rejected / T, (double)t->completed / T, (double)t->wasted / T,
                (double)t->errors / T, t->queue_mean, t->busy_mean, p50, p99);
    }
    /* What shedding and deadlines did, for the services where they acted. */
    for (size_t i = 0; i < r->nservices; i++) {
        const eddy_service_totals *t = &r->services[i];
        double T = r->duration;
        if (t->shed || t->expired || t->cancelled)
            fprintf(fp, "  %-16s shed %.1f/s, expired %.1f/s, cancelled %.1f/s\n", t->name, (double)t->shed / T,
                    (double)t->expired / T, (double)t->cancelled / T);
    }
    if (r->ncaches) {
        fprintf(fp, "\n  %-16s %10s %10s %9s %8s %11s %11s %8s %10s %8s\n", "cache", "hits/s", "misses/s", "hit ratio",
                "stale/s", "coalesced/s", "refreshes/s", "fills/s", "evicted/s", "entries");
        for (size_t i = 0; i < r->ncaches; i++) {
            const eddy_cache_totals *t = &r->caches[i];
            double T = r->duration;
            char hr[32];
            fmt_pct(hr, sizeof hr, t->hit_ratio);
            fprintf(fp, "  %-16s %10.1f %10.1f %9s %8.1f %11.1f %11.1f %8.1f %10.1f %8ld\n", t->name,
                    (double)t->hits / T, (double)t->misses / T, hr, (double)t->stale / T, (double)t->coalesced / T,
                    (double)t->refreshes / T, (double)t->fills / T, (double)t->evictions / T, t->entries);
        }
    }
    messaging_text(fp, r);
}
