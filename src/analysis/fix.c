/* fix.c -- the intervention catalogue, and measuring it on the same seeds. */
#include "fix.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../loops/analyze.h"
#include "../loops/derive.h"
#include "../model/units.h"
#include "batch.h"
#include "burst.h"
#include "measure.h"
#include "variant.h"
#include "../core/xalloc.h"

/* ---- building interventions --------------------------------------------------- */

static char *keep(intervention *iv, const char *s)
{
    iv->strings = xrealloc(iv->strings, (iv->nstrings + 1) * sizeof *iv->strings);
    char *c = xstrdup(s);
    iv->strings[iv->nstrings++] = c;
    return c;
}

/* Add "path = value" to the intervention, and to its description. */
static void set(intervention *iv, const char *path, const char *value)
{
    for (size_t i = 0; i < iv->nedits; i++)
        if (iv->edits[i].set_path && !strcmp(iv->edits[i].set_path, path))
            return; /* edges inheriting one platform setting share its path */
    iv->edits = xrealloc(iv->edits, (iv->nedits + 1) * sizeof *iv->edits);
    iv->edits[iv->nedits++] = (model_edit){.set_path = keep(iv, path), .set_value = keep(iv, value),
                                           .origin = iv->name};
    size_t len = strlen(iv->change);
    snprintf(iv->change + len, sizeof iv->change - len, "%s%s: %s", len ? "; " : "", path, value);
}

/* A call edge and the YAML path of its mapping. */
typedef struct edge_ref {
    const call_spec *call;
    const char *caller;
    char path[256];
    /* where its retry policy is written: the edge's own `retry`, or the
     * platform's when the edge inherits it (an edit there changes every
     * edge that inherits it, as a change to the shared library would) */
    char rpath[280];
} edge_ref;

static size_t edges_of(const model *m, edge_ref **out)
{
    size_t n = m->nclients;
    for (size_t s = 0; s < m->nservices; s++)
        n += m->services[s].ncalls + m->services[s].npublishes;
    edge_ref *e = xcalloc(n ? n : 1, sizeof *e);
    size_t k = 0;
    for (size_t c = 0; c < m->nclients; c++) {
        e[k].call = &m->clients[c].call;
        e[k].caller = m->clients[c].name;
        snprintf(e[k].path, sizeof e[k].path, "clients.%s", m->clients[c].name);
        k++;
    }
    /* a service's publishes are edges too (to the broker), with their own
     * timeout, retry, pool, breaker and bulkhead; both are entries of its
     * `calls:` list, named by their index there */
    for (int pub = 0; pub < 2; pub++)
        for (size_t s = 0; s < m->nservices; s++) {
            const service_spec *S = &m->services[s];
            size_t n = pub ? S->npublishes : S->ncalls;
            for (size_t j = 0; j < n; j++) {
                e[k].call = pub ? &S->publishes[j] : &S->calls[j];
                e[k].caller = S->name;
                snprintf(e[k].path, sizeof e[k].path, "services.%s.calls.%zu", S->name, e[k].call->index);
                k++;
            }
        }
    for (size_t i = 0; i < n; i++)
        snprintf(e[i].rpath, sizeof e[i].rpath, "%s.retry",
                 e[i].call->inherited & PLATFORM_RETRY ? "platform" : e[i].path);
    *out = e;
    return n;
}

typedef struct catalogue {
    intervention *v;
    size_t n;
} catalogue;

static intervention *begin(catalogue *c, int level, const char *name)
{
    c->v = xrealloc(c->v, (c->n + 1) * sizeof *c->v);
    intervention *iv = &c->v[c->n++];
    memset(iv, 0, sizeof *iv);
    iv->level = level;
    snprintf(iv->name, sizeof iv->name, "%s", name);
    return iv;
}

static void iv_free(intervention *iv)
{
    for (size_t i = 0; i < iv->nstrings; i++)
        free(iv->strings[i]);
    free(iv->strings);
    free(iv->edits);
}

/* Drop the intervention begun last if it changed nothing: it does not
 * apply to this model. */
static void end(catalogue *c)
{
    intervention *iv = &c->v[c->n - 1];
    if (!iv->nedits && iv->glass == GLASS_NONE && !iv->user) {
        iv_free(iv);
        c->n--;
    }
}

static void fmt_dur(simtime t, char *buf, int size) { units_format_duration(t, buf, size); }

/* Whether the client or service that owns cut k's arrow is `client`/`service`. */
static bool retry_owner_cut(const cut_set *cs, int client, int service)
{
    for (size_t k = 0; k < cs->n; k++)
        if (cs->v[k].kind == CUT_RETRIES && cs->v[k].client == client && cs->v[k].service == service)
            return true;
    return false;
}

/* A retry budget and exponential backoff with jitter on a retrying edge
 * that lacks them: the platform's budget when it has one, else Finagle's
 * defaults. */
static void budget_and_backoff(const model *m, intervention *iv, const edge_ref *e, bool own_only)
{
    char p[320];
    const retry_policy *r = &e->call->retry;
    if (r->attempts < 2 || (own_only && (e->call->inherited & PLATFORM_RETRY)))
        return; /* a team changes its own policy, not the platform's */
    if (r->budget.kind == BUDGET_NONE) {
        static const char *const kinds[] = {"none", "grpc", "finagle", "envoy", "aws"};
        const budget_spec *pb = &m->platform.retry.budget;
        char v[64];
        snprintf(v, sizeof v, "{type: %s}",
                 (m->platform.has & PLATFORM_RETRY) && pb->kind != BUDGET_NONE ? kinds[pb->kind] : "finagle");
        snprintf(p, sizeof p, "%s.budget", e->rpath);
        set(iv, p, v);
    }
    if (r->backoff == BACKOFF_NONE) {
        snprintf(p, sizeof p, "%s.backoff", e->rpath);
        set(iv, p, "exponential");
        snprintf(p, sizeof p, "%s.jitter", e->rpath);
        set(iv, p, "full");
    }
}

/* The rules a platform can set for everyone (Meadows 5), and, with teams,
 * each team's own fix of the same kind on its own edges: the comparison
 * that says whether a per-team fix can end a storm no team sees whole. */
static void platform_catalogue(const model *m, catalogue *c, const edge_ref *e, size_t ne)
{
    intervention *iv = begin(c, 5, "platform default: retry budget and backoff on every edge");
    iv->family = FIX_PLATFORM;
    for (size_t i = 0; i < ne; i++)
        budget_and_backoff(m, iv, &e[i], false);
    end(c);

    char p[320];
    iv = begin(c, 5, "platform default: admission control at every service");
    iv->family = FIX_PLATFORM;
    for (size_t s = 0; s < m->nservices; s++) {
        const service_spec *sv = &m->services[s];
        if (sv->workers == MODEL_UNLIMITED || sv->queue == 0 || (sv->shed.codel && sv->shed.priority))
            continue;
        snprintf(p, sizeof p, "services.%s.shed.codel", sv->name);
        set(iv, p, "true");
        snprintf(p, sizeof p, "services.%s.shed.priority", sv->name);
        set(iv, p, "retries_first");
    }
    end(c);

    /* per team: only when two or more teams own retrying edges (with one,
     * the team's fix is the platform's) */
    size_t owning = 0;
    for (size_t t = 0; t < m->nteams; t++) {
        bool any = false;
        for (size_t i = 0; i < ne && !any; i++)
            any = e[i].call->retry.attempts > 1 && model_owner(m, e[i].caller) == (int)t;
        owning += any;
    }
    for (size_t t = 0; owning >= 2 && t < m->nteams; t++) {
        char nm[200];
        snprintf(nm, sizeof nm, "team %s alone: retry budget and backoff on its own edges", m->teams[t].name);
        iv = begin(c, 7, nm);
        iv->family = FIX_TEAM;
        for (size_t i = 0; i < ne; i++)
            if (model_owner(m, e[i].caller) == (int)t)
                budget_and_backoff(m, iv, &e[i], true);
        end(c);
    }
}

/* A response's delay is a delay in the human loop (Meadows 9): the same
 * conditional actions, taken by teams whose page-response delay is long,
 * short, or nothing at all (automatic, pre-authorised). */
static void response_catalogue(const model *m, catalogue *c)
{
    static const struct {
        simtime delay;
        const char *name;
    } delays[] = {
        {10 * 60 * T_SEC, "response after 10m (a human paged, long delay)"},
        {60 * T_SEC, "response after 1m (a human paged, short delay)"},
        {0, "automatic response (no human in the loop)"},
    };
    bool *responds = xcalloc(m->nteams + 1, sizeof *responds);
    bool any = false;
    for (size_t i = 0; i < m->nactions; i++)
        if (m->actions[i].when && m->actions[i].by >= 0)
            any = responds[m->actions[i].by] = true;
    for (size_t k = 0; any && k < sizeof delays / sizeof delays[0]; k++) {
        intervention *iv = begin(c, 9, delays[k].name);
        iv->family = FIX_RESPONSE;
        iv->delay = delays[k].delay;
        char p[256], v[32];
        units_format_duration(delays[k].delay, v, sizeof v);
        for (size_t t = 0; t < m->nteams; t++)
            if (responds[t] && m->teams[t].oncall != delays[k].delay) {
                snprintf(p, sizeof p, "teams.%s.oncall", m->teams[t].name);
                set(iv, p, v);
            }
        end(c);
    }
    free(responds);
}

static void build_catalogue(const model *m, catalogue *c, simtime lift_after, const cut_set *cuts)
{
    edge_ref *e;
    size_t ne = edges_of(m, &e);
    char v[64], p[320];
    intervention *iv;

    iv = begin(c, 12, "timeouts x2");
    for (size_t i = 0; i < ne; i++)
        if (e[i].call->timeout > 0) {
            fmt_dur(2 * e[i].call->timeout, v, sizeof v);
            snprintf(p, sizeof p, "%s.timeout", e[i].path);
            set(iv, p, v);
        }
    end(c);

    iv = begin(c, 12, "connection pools x2");
    for (size_t i = 0; i < ne; i++)
        if (e[i].call->pool.on) {
            snprintf(v, sizeof v, "%ld", 2 * e[i].call->pool.size);
            snprintf(p, sizeof p, "%s.pool.size", e[i].path);
            set(iv, p, v);
        }
    end(c);

    iv = begin(c, 12, "fewer retries (2 attempts)");
    for (size_t i = 0; i < ne; i++)
        if (e[i].call->retry.attempts > 2) {
            snprintf(p, sizeof p, "%s.attempts", e[i].rpath);
            set(iv, p, "2");
        }
    end(c);

    iv = begin(c, 12, "workers x2");
    for (size_t s = 0; s < m->nservices; s++)
        if (m->services[s].workers != MODEL_UNLIMITED) {
            snprintf(v, sizeof v, "%ld", 2 * m->services[s].workers);
            snprintf(p, sizeof p, "services.%s.workers", m->services[s].name);
            set(iv, p, v);
        }
    for (size_t g = 0; g < m->nconsumers; g++) { /* a consumer group's slots are its workers */
        snprintf(v, sizeof v, "%ld", 2 * m->consumers[g].concurrency);
        snprintf(p, sizeof p, "consumers.%s.concurrency", m->consumers[g].name);
        set(iv, p, v);
    }
    end(c);

    iv = begin(c, 11, "queues x2");
    for (size_t s = 0; s < m->nservices; s++)
        if (m->services[s].queue > 0) {
            snprintf(v, sizeof v, "%ld", 2 * m->services[s].queue);
            snprintf(p, sizeof p, "services.%s.queue", m->services[s].name);
            set(iv, p, v);
        }
    for (size_t q = 0; q < m->nqueues; q++) /* a bounded broker queue rejects publishes when full */
        if (m->queues[q].capacity != MODEL_UNLIMITED) {
            snprintf(v, sizeof v, "%ld", 2 * m->queues[q].capacity);
            snprintf(p, sizeof p, "queues.%s.capacity", m->queues[q].name);
            set(iv, p, v);
        }
    end(c);

    iv = begin(c, 9, "faster autoscalers (half the delays)");
    for (size_t a = 0; a < m->nautoscalers; a++) {
        const autoscaler_spec *as = &m->autoscalers[a];
        simtime sync = as->sync / 2 > T_SEC ? as->sync / 2 : T_SEC;
        if (sync < as->sync) {
            fmt_dur(sync, v, sizeof v);
            snprintf(p, sizeof p, "autoscalers.%s.sync", as->name);
            set(iv, p, v);
        }
        if (as->up.stabilization > 0) {
            fmt_dur(as->up.stabilization / 2, v, sizeof v);
            snprintf(p, sizeof p, "autoscalers.%s.scale_up.stabilization", as->name);
            set(iv, p, v);
        }
        if (as->down.stabilization > 0) {
            fmt_dur(as->down.stabilization / 2, v, sizeof v);
            snprintf(p, sizeof p, "autoscalers.%s.scale_down.stabilization", as->name);
            set(iv, p, v);
        }
    }
    end(c);

    iv = begin(c, 7, "retry budget (Finagle, 20%)");
    for (size_t i = 0; i < ne; i++)
        if (e[i].call->retry.attempts > 1 && e[i].call->retry.budget.kind == BUDGET_NONE) {
            snprintf(p, sizeof p, "%s.budget", e[i].rpath);
            set(iv, p, "{type: finagle}");
        }
    end(c);

    iv = begin(c, 7, "exponential backoff with full jitter");
    for (size_t i = 0; i < ne; i++)
        if (e[i].call->retry.attempts > 1 && e[i].call->retry.backoff != BACKOFF_EXPONENTIAL) {
            snprintf(p, sizeof p, "%s.backoff", e[i].rpath);
            set(iv, p, "exponential");
            snprintf(p, sizeof p, "%s.jitter", e[i].rpath);
            set(iv, p, "full");
        }
    end(c);

    iv = begin(c, 7, "cap on hedges (max_outstanding 5)");
    for (size_t i = 0; i < ne; i++)
        if (e[i].call->hedge.on && (e[i].call->hedge.max_outstanding == MODEL_UNLIMITED ||
                                    e[i].call->hedge.max_outstanding > 5)) {
            snprintf(p, sizeof p, "%s.hedge.max_outstanding", e[i].path);
            set(iv, p, "5");
        }
    end(c);

    iv = begin(c, 7, "per-dependency bulkheads");
    for (size_t s = 0; s < m->nservices; s++) {
        const service_spec *sv = &m->services[s];
        if (sv->workers == MODEL_UNLIMITED || sv->ncalls + sv->npublishes < 2)
            continue; /* one dependency: a bulkhead would only cap the workers again */
        for (size_t j = 0; j < sv->ncalls + sv->npublishes; j++) {
            const call_spec *cj = j < sv->ncalls ? &sv->calls[j] : &sv->publishes[j - sv->ncalls];
            if (!cj->bulkhead.on) {
                snprintf(v, sizeof v, "{max_concurrent: %ld}", sv->workers / 2 > 1 ? sv->workers / 2 : 1);
                snprintf(p, sizeof p, "services.%s.calls.%zu.bulkhead", sv->name, cj->index);
                set(iv, p, v);
            }
        }
    }
    end(c);

    iv = begin(c, 7, "circuit breakers");
    for (size_t i = 0; i < ne; i++)
        if (!e[i].call->breaker.on) {
            snprintf(p, sizeof p, "%s.breaker", e[i].path);
            set(iv, p, "{}");
        }
    end(c);

    /* Retries off everywhere: only where something retries (else a no-op),
     * and not when one owner retries and diagnose's cut of it (below) is
     * the same intervention. */
    int owners = 0, oc = -1, os = -1;
    for (size_t k = 0; k < m->nclients; k++)
        if (m->clients[k].call.retry.attempts > 1)
            owners++, oc = (int)k, os = -1;
    for (size_t s = 0; s < m->nservices; s++) {
        const service_spec *sv = &m->services[s];
        for (size_t j = 0; j < sv->ncalls + sv->npublishes; j++)
            if ((j < sv->ncalls ? &sv->calls[j] : &sv->publishes[j - sv->ncalls])->retry.attempts > 1) {
                owners++, oc = -1, os = (int)s;
                break;
            }
    }
    if (owners > 1 || (owners == 1 && !retry_owner_cut(cuts, oc, os))) {
        iv = begin(c, 7, "break-glass: retries off at the incident");
        iv->glass = GLASS_RETRIES_OFF;
        fmt_dur(lift_after, v, sizeof v);
        snprintf(iv->change, sizeof iv->change,
                 "action retry: off on every client and service when the trigger starts; back on %s after it ends", v);
        end(c);
    }

    /* Every cut `eddy diagnose` makes of a reinforcing loop, as break-glass
     * at the incident, so a cut that diagnose credits is measured here. */
    for (size_t k = 0; cuts && k < cuts->n; k++) {
        const cut *ct = &cuts->v[k];
        if (ct->kind == CUT_LOAD_DROP)
            continue; /* not a loop's arrow: the shed below is the load-side lever */
        if (ct->kind == CUT_CONTENTION)
            continue; /* a what-if no operator has: the pool and limit levers act on that loop */
        char nm[200];
        snprintf(nm, sizeof nm, "break-glass: %s", ct->label);
        iv = begin(c, 7, nm);
        iv->glass = GLASS_CUT;
        iv->glass_cut = *ct;
        iv->glass_cut.loops = NULL;
        iv->glass_cut.nloops = 0;
        fmt_dur(lift_after, v, sizeof v);
        const char *who = ct->client >= 0 ? m->clients[ct->client].name
                          : ct->service >= 0 ? m->services[ct->service].name
                          : ct->cache >= 0   ? m->caches[ct->cache].name
                                             : "?";
        if (ct->kind == CUT_RETRIES)
            snprintf(iv->change, sizeof iv->change,
                     "action retry: off at %s when the trigger starts; back on %s after it ends", who, v);
        else if (ct->kind == CUT_HEDGES)
            snprintf(iv->change, sizeof iv->change,
                     "action hedge: off at %s when the trigger starts; back on %s after it ends", who, v);
        else
            snprintf(iv->change, sizeof iv->change,
                     "actions coalesce: on and stale_while_revalidate (for the rest of the run) at cache %s when "
                     "the trigger starts",
                     who);
        end(c);
    }

    iv = begin(c, 6, "deadline propagation");
    bool deadlines = false; /* cancelling at the services does nothing without one */
    for (size_t k = 0; k < m->nclients; k++) {
        const client_spec *cl = &m->clients[k];
        deadlines |= cl->deadline > 0 || cl->call.timeout > 0;
        if (!cl->deadline && cl->call.timeout > 0) {
            fmt_dur(cl->call.timeout * (cl->call.retry.attempts > 1 ? cl->call.retry.attempts : 1), v, sizeof v);
            snprintf(p, sizeof p, "clients.%s.deadline", cl->name);
            set(iv, p, v);
        }
    }
    for (size_t s = 0; deadlines && s < m->nservices; s++)
        if (m->services[s].deadlines != DEADLINES_CANCEL) {
            snprintf(p, sizeof p, "services.%s.deadlines", m->services[s].name);
            set(iv, p, "cancel");
        }
    end(c);

    iv = begin(c, 5, "admission control (CoDel + adaptive LIFO)");
    for (size_t s = 0; s < m->nservices; s++) {
        const service_spec *sv = &m->services[s];
        if (sv->workers == MODEL_UNLIMITED || sv->queue == 0 || sv->shed.codel)
            continue;
        snprintf(p, sizeof p, "services.%s.shed.codel", sv->name);
        set(iv, p, "true");
        snprintf(p, sizeof p, "services.%s.discipline", sv->name);
        set(iv, p, "adaptive_lifo");
    }
    end(c);

    iv = begin(c, 5, "no retries on timeout");
    for (size_t i = 0; i < ne; i++) {
        const retry_policy *r = &e[i].call->retry;
        if (r->attempts > 1 && (r->on & RETRY_ON_TIMEOUT)) {
            snprintf(v, sizeof v, "[%s%s%s]", r->on & RETRY_ON_ERROR ? "error" : "",
                     (r->on & RETRY_ON_ERROR) && (r->on & RETRY_ON_REJECT) ? ", " : "",
                     r->on & RETRY_ON_REJECT ? "reject" : "");
            snprintf(p, sizeof p, "%s.on", e[i].rpath);
            set(iv, p, v);
        }
    }
    end(c);

    if (m->platform.has || m->nteams) /* the organisation is in the model: compare its levers */
        platform_catalogue(m, c, e, ne);
    response_catalogue(m, c);
    /* the delivery contract of writes (docs/messaging.md): the idempotency
     * key must be carried from the user request and checked by the service
     * that applies the write -- in the model, one key: dedupe by request */
    iv = begin(c, 6, "idempotency key from the request (dedupe by request)");
    for (size_t s = 0; s < m->nservices; s++)
        if (model_service_applies(m, (int)s) && m->services[s].dedupe.key != DEDUPE_REQUEST) {
            snprintf(p, sizeof p, "services.%s.dedupe.key", m->services[s].name);
            set(iv, p, "request");
        }
    end(c);
    for (int both = 0; both < 2; both++) {
        iv = begin(c, 5, both ? "ack after processing + dedupe by request" : "ack after processing");
        for (size_t g = 0; g < m->nconsumers; g++)
            if (m->consumers[g].effect == EFFECT_WRITE && m->consumers[g].ack == ACK_BEFORE_PROCESSING) {
                snprintf(p, sizeof p, "consumers.%s.ack", m->consumers[g].name);
                set(iv, p, "after_processing");
            }
        for (size_t s = 0; both && iv->nedits && s < m->nservices; s++)
            if (model_service_applies(m, (int)s) && m->services[s].dedupe.key != DEDUPE_REQUEST) {
                snprintf(p, sizeof p, "services.%s.dedupe.key", m->services[s].name);
                set(iv, p, "request");
            }
        end(c);
    }

    iv = begin(c, 12, "break-glass: shed 40% at the incident");
    iv->glass = GLASS_SHED;
    fmt_dur(lift_after, v, sizeof v);
    snprintf(iv->change, sizeof iv->change,
             "action shed: 40%% on every client when the trigger starts; shed: 0 %s after it ends", v);
    end(c);
    free(e);
}

static void add_user(catalogue *c, const patch_file *pf)
{
    for (size_t i = 0; i < pf->n; i++) {
        intervention *iv = begin(c, pf->v[i].level, pf->v[i].name);
        iv->user = true;
        iv->edits = xcalloc(1, sizeof *iv->edits);
        iv->edits[0] = (model_edit){.patch = (struct yaml_document_s *)&pf->doc, .patch_node = pf->v[i].patch_node,
                                    .origin = pf->path};
        iv->nedits = 1;
        snprintf(iv->change, sizeof iv->change, "patch from %s", pf->path);
    }
}

static void add_glass(model *m, glass_kind g, simtime start, simtime lift)
{
    for (size_t c = 0; c < m->nclients; c++) {
        action_spec on = {.at = start, .client = (int)c, .service = -1, .cache = -1};
        action_spec off = on;
        off.at = lift;
        if (g == GLASS_SHED) {
            on.kind = off.kind = ACTION_SHED;
            on.shed = 0.4;
            off.shed = 0;
        } else {
            on.kind = off.kind = ACTION_RETRY;
            on.retry_on = false;
            off.retry_on = true;
        }
        variant_add_action(m, on);
        if (lift < m->duration)
            variant_add_action(m, off);
    }
    if (g != GLASS_RETRIES_OFF)
        return;
    for (size_t s = 0; s < m->nservices; s++) {
        if (!m->services[s].ncalls && !m->services[s].npublishes)
            continue;
        variant_add_action(m, (action_spec){.at = start, .client = -1, .service = (int)s, .cache = -1, .kind = ACTION_RETRY,
                                            .retry_on = false});
        if (lift < m->duration)
            variant_add_action(m, (action_spec){.at = lift, .client = -1, .service = (int)s, .cache = -1, .kind = ACTION_RETRY,
                                                .retry_on = true});
    }
}

/* One of diagnose's cuts from the start of the incident; retries and
 * hedges come back `lift` (coalescing and serving stale are kept on). */
static void add_cut(model *m, const cut *c, simtime start, simtime lift)
{
    knockout_apply(m, c, start, 0);
    if (lift >= m->duration)
        return;
    if (c->kind == CUT_RETRIES)
        variant_add_action(m, (action_spec){.at = lift, .client = c->client, .service = c->service, .cache = -1,
                                            .kind = ACTION_RETRY, .retry_on = true});
    else if (c->kind == CUT_HEDGES)
        variant_add_action(m, (action_spec){.at = lift, .client = c->client, .service = c->service, .cache = -1,
                                            .kind = ACTION_HEDGE, .hedge_on = true});
}

/* Workers provisioned over a run: workers x replicas (the series' mean
 * when replicas change), summed over services with a bound. */
static double workers_of(const model *m, const eddy_result *r, double end)
{
    double w = 0;
    for (size_t s = 0; s < m->nservices; s++) {
        const service_spec *sv = &m->services[s];
        if (sv->workers == MODEL_UNLIMITED)
            continue;
        double reps = measure_col(r, sv->name, "replicas") >= 0 ? measure_mean(r, sv->name, "replicas", 0, end)
                                                                  : (double)(sv->replicas > 0 ? sv->replicas : 1);
        w += (double)sv->workers * reps;
    }
    return w;
}

/* Whether two runs on one seed did exactly the same: the same columns and
 * every value of every row (an intervention that only changed goodput's
 * neighbours, such as retries, is not a no-op). */
static bool same_run(const eddy_result *a, const eddy_result *b)
{
    const eddy_series *x = &a->series, *y = &b->series;
    if (x->nrows != y->nrows || x->ncols != y->ncols)
        return false;
    for (size_t c = 0; c < x->ncols; c++)
        if (strcmp(x->names[c], y->names[c]))
            return false;
    for (size_t i = 0; i < x->nrows * x->ncols; i++)
        if (x->values[i] != y->values[i] && !(isnan(x->values[i]) && isnan(y->values[i])))
            return false;
    return true;
}

/* ---- statistics ----------------------------------------------------------------- */

/* Student's t, 97.5th percentile, for 1..30 degrees of freedom. */
static double t975(size_t df)
{
    static const double t[] = {0,     12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                               2.201, 2.179,  2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080,
                               2.074, 2.069,  2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
    return df >= 1 && df <= 30 ? t[df] : 1.96;
}

static ci ci_of(const double *x, size_t n)
{
    ci r = {NAN, NAN};
    double s = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i])) {
            s += x[i];
            k++;
        }
    if (!k)
        return r;
    r.mean = s / (double)k;
    if (k < 2) {
        r.half = NAN;
        return r;
    }
    double v = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i]))
            v += (x[i] - r.mean) * (x[i] - r.mean);
    r.half = t975(k - 1) * sqrt(v / (double)(k - 1) / (double)k);
    return r;
}

/* ---- running ------------------------------------------------------------------------ */

typedef struct jobs {
    model **models; /* [0] as written, [1] baseline, then per intervention: with faults, without */
    eddy_result *res;
    int *rc;
    eddy_error *errs;
    unsigned seeds;
    uint64_t seed;
} jobs;

static void run_one(size_t i, void *ud)
{
    jobs *J = ud;
    size_t v = i / J->seeds;
    unsigned r = (unsigned)(i % J->seeds);
    eddy_options o = eddy_options_default();
    o.seed = batch_seed(J->seed, r);
    o.use_seed = true;
    J->rc[i] = eddy_run(J->models[v], &o, &J->res[i], &J->errs[i]);
}

/* A job's slot as bytes, for eddy-mpi (batch.h). */
static void pack_one(size_t i, void *ud, wire_buf *out)
{
    jobs *J = ud;
    wire_put_run(out, J->rc[i], &J->errs[i], &J->res[i]);
}

static int unpack_one(size_t i, void *ud, wire_rd *in)
{
    jobs *J = ud;
    return wire_get_run(in, J->models[i / J->seeds], &J->rc[i], &J->errs[i], &J->res[i]);
}

static const batch_io one_io = {pack_one, unpack_one};

static void outcome(const fix_report *F, const jobs *J, size_t vf, size_t vc, fix_outcome *o)
{
    const model *m = F->m;
    unsigned R = J->seeds;
    double *rt = xcalloc(R, sizeof *rt), *lost = xcalloc(R, sizeof *lost), *p99 = xcalloc(R, sizeof *p99),
           *good = xcalloc(R, sizeof *good), *wk = xcalloc(R, sizeof *wk);
    double *dup = xcalloc(R, sizeof *dup), *wlost = xcalloc(R, sizeof *wlost), *ghost = xcalloc(R, sizeof *ghost);
    memset(o, 0, sizeof *o);
    for (unsigned r = 0; r < R; r++) {
        const eddy_result *b = &J->res[1 * R + r], *f = &J->res[vf * R + r];
        /* the integrity ledger, with the faults: writes counted over the run */
        o->writes |= f->nintegrity > 0;
        for (size_t k = 0; k < f->nintegrity; k++) {
            dup[r] += (double)f->integrity[k].duplicated;
            wlost[r] += (double)f->integrity[k].lost;
            ghost[r] += (double)f->integrity[k].ghost;
        }
        double t = measure_recovery(m, f, b, F->fault_end);
        rt[r] = isnan(t) ? NAN : t - F->fault_end;
        if (!isnan(t))
            o->recovered++;
        double gb = measure_window(m, b, F->fault_start, F->end, measure_goodput);
        double gf = measure_window(m, f, F->fault_start, F->end, measure_goodput);
        lost[r] = gb > 0 ? 1 - gf / gb : 0;
        if (F->bursts) /* a bursting client's extra goodput is not a gain */
            lost[r] = 1 - measure_capped_ratio(m, f, b, F->fault_start, F->end);
        if (vc) {
            const eddy_result *c = &J->res[vc * R + r];
            p99[r] = measure_p99(c);
            double g0 = measure_window(m, b, 0, F->end, measure_goodput);
            good[r] = g0 > 0 ? measure_window(m, c, 0, F->end, measure_goodput) / g0 : 1;
            wk[r] = workers_of(J->models[vc], c, F->end);
        } else {
            p99[r] = measure_p99(b);
            good[r] = 1;
            wk[r] = workers_of(J->models[1], b, F->end);
        }
    }
    o->recovery_time = ci_of(rt, R);
    o->goodput_lost = ci_of(lost, R);
    o->steady_p99 = ci_of(p99, R);
    o->steady_goodput = ci_of(good, R);
    o->steady_workers = ci_of(wk, R);
    o->duplicated = ci_of(dup, R);
    o->lost = ci_of(wlost, R);
    o->ghost = ci_of(ghost, R);
    free(dup);
    free(wlost);
    free(ghost);
    free(wk);
    free(rt);
    free(lost);
    free(p99);
    free(good);
}

bool fix_recovers(const fix_report *r, const fix_outcome *o) { return o->recovered * 2 > r->seeds; }

static int by_level(const void *a, const void *b)
{
    const intervention *x = a, *y = b;
    return x->level != y->level ? y->level - x->level : 0;
}

/* Platform defaults against the per-team fixes of the same kind. */
static void summarise_platform(fix_report *F)
{
    char *out = F->platform_summary;
    size_t size = sizeof F->platform_summary, len = 0;
    out[0] = 0;
    size_t nt = 0, nt_ok = 0;
    int best = -1;
    for (size_t i = 0; i < F->n; i++) {
        const fix_outcome *o = &F->out[i];
        if (F->v[i].family == FIX_PLATFORM) {
            int k = snprintf(out + len, size - len, "%s'%s' %s on %zu of %u seeds, goodput lost %.0f%%",
                             len ? "; " : "Platform defaults (level 5): ", F->v[i].name,
                             fix_recovers(F, o) ? "recovers" : "does not recover", o->recovered, F->seeds,
                             100 * o->goodput_lost.mean);
            if (k > 0 && (size_t)k < size - len)
                len += (size_t)k;
        } else if (F->v[i].family == FIX_TEAM) {
            nt++;
            nt_ok += fix_recovers(F, o);
            if (best < 0 || o->goodput_lost.mean < F->out[best].goodput_lost.mean)
                best = (int)i;
        }
    }
    if (len && nt) {
        snprintf(out + len, size - len,
                 ". Per-team fixes of the same kind (each team on its own edges): %zu of %zu recover; the best, '%s', "
                 "loses %.0f%%.",
                 nt_ok, nt, F->v[best].name, 100 * F->out[best].goodput_lost.mean);
    } else if (len) {
        snprintf(out + len, size - len, ".");
    }
}

/* Goodput lost against the response delay: as written, then each delay. */
static void summarise_response(fix_report *F)
{
    const model *m = F->m;
    char *out = F->response_summary;
    size_t size = sizeof F->response_summary, len = 0;
    out[0] = 0;
    char written[256] = "";
    for (size_t i = 0; i < m->nactions; i++) {
        const action_spec *a = &m->actions[i];
        if (!a->when || a->by < 0 || strstr(written, m->teams[a->by].name))
            continue;
        char d[32];
        units_format_duration(m->teams[a->by].oncall, d, sizeof d);
        size_t wl = strlen(written);
        snprintf(written + wl, sizeof written - wl, "%s%s %s", wl ? ", " : "", m->teams[a->by].name, d);
    }
    if (!written[0])
        return;
    int k = snprintf(out, size, "Response delay against goodput lost: as written (%s) %.0f%%", written,
                     100 * F->as_written.goodput_lost.mean);
    if (k > 0 && (size_t)k < size)
        len = (size_t)k;
    for (size_t i = 0; i < F->n; i++) {
        if (F->v[i].family != FIX_RESPONSE)
            continue;
        char d[32];
        units_format_duration(F->v[i].delay, d, sizeof d);
        k = snprintf(out + len, size - len, "; %s %.0f%%%s", F->v[i].delay ? d : "automatic",
                     100 * F->out[i].goodput_lost.mean, fix_recovers(F, &F->out[i]) ? "" : " (not recovered)");
        if (k > 0 && (size_t)k < size - len)
            len += (size_t)k;
    }
    snprintf(out + len, size - len, ".");
}

static void summarise(fix_report *F)
{
    summarise_platform(F);
    summarise_response(F);
    size_t lo = 0, lo_ok = 0, hi = 0, hi_ok = 0;
    double lo_lost = 0, hi_lost = 0;
    char agree[512] = "";
    for (size_t i = 0; i < F->n; i++) {
        bool ok = fix_recovers(F, &F->out[i]);
        if (F->v[i].level >= 11) {
            lo++;
            lo_ok += ok;
            lo_lost += F->out[i].goodput_lost.mean;
            if (ok) {
                size_t len = strlen(agree);
                snprintf(agree + len, sizeof agree - len, "%s'%s' (level %d)", len ? ", " : "", F->v[i].name,
                         F->v[i].level);
            }
        } else if (F->v[i].level <= 7) {
            hi++;
            hi_ok += ok;
            hi_lost += F->out[i].goodput_lost.mean;
        }
    }
    int n = snprintf(F->summary, sizeof F->summary,
                     "low leverage (levels 11-12): %zu of %zu recover, mean goodput lost %.0f%%; high leverage "
                     "(levels 5-7): %zu of %zu recover, mean goodput lost %.0f%%.",
                     lo_ok, lo, lo ? 100 * lo_lost / (double)lo : 0, hi_ok, hi, hi ? 100 * hi_lost / (double)hi : 0);
    if (n < 0 || (size_t)n >= sizeof F->summary)
        return;
    double flo = lo ? (double)lo_ok / (double)lo : 0, fhi = hi ? (double)hi_ok / (double)hi : 0;
    if (fix_recovers(F, &F->as_written)) {
        snprintf(F->summary + n, sizeof F->summary - (size_t)n,
                 " The model as written already recovers, so this table compares costs, not rescues.");
        return;
    }
    if (!fix_recovers(F, &F->as_written) && lo && hi && fhi > flo && !lo_ok)
        snprintf(F->summary + n, sizeof F->summary - (size_t)n,
                 " The measurement agrees with Meadows' ranking of leverage points: the parameters a responder reaches for "
                 "first are the weakest fixes.");
    else if (lo && hi && flo >= fhi)
        snprintf(F->summary + n, sizeof F->summary - (size_t)n,
                 " Here the measurement disagrees with Meadows' ranking of leverage points: low-leverage fixes do as well "
                 "(%s).",
                 agree[0] ? agree : "none recover");
    else if (lo_ok)
        snprintf(F->summary + n, sizeof F->summary - (size_t)n,
                 " Mostly as Meadows' ranking of leverage points predicts, but some low-leverage fixes recover too: %s.", agree);
}

/* Replication 0's goodput, row by row, for the small multiples of a report.
 * Runs of one model have the same rows; a shorter one is padded with NaN. */
static void keep_goodput(fix_report *F, const jobs *J, const size_t *kept)
{
    unsigned R = J->seeds;
    size_t rows = J->res[0].series.nrows, nv = 2 + F->n;
    F->goodput_rows = rows;
    F->goodput = xmalloc((rows ? nv * rows : 1) * sizeof *F->goodput);
    F->goodput_t = xmalloc((rows ? rows : 1) * sizeof *F->goodput_t);
    for (size_t i = 0; i < rows; i++)
        F->goodput_t[i] = measure_row_t(&J->res[0], i);
    for (size_t v = 0; v < nv; v++) {
        size_t slot = (v < 2 ? v : 2 + 2 * kept[v - 2]) * R; /* interventions: the run with the faults */
        const eddy_result *r = &J->res[slot];
        for (size_t i = 0; i < rows; i++)
            F->goodput[v * rows + i] = i < r->series.nrows ? measure_goodput(F->m, r, i) : NAN;
    }
}

int fix_run(const char *path, const fix_opts *opt, fix_report *F, eddy_error *err)
{
    memset(F, 0, sizeof *F);
    model *m = model_load(path, err);
    if (!m)
        return -1;
    F->m = m;
    if (!variant_has_trigger(m)) {
        err_set(err, path, 0, 0, "the model has no faults: `eddy fix` measures interventions against an incident, "
                                 "so add a fault (see docs/model.md, Faults)");
        return -1;
    }
    F->seeds = opt->seeds ? opt->seeds : 5;
    F->seed = opt->seed;
    F->end = t_sec(m->duration);
    F->fault_start = t_sec(variant_fault_start(m));
    F->fault_end = t_sec(variant_fault_end(m));
    F->bursts = burst_any(m);
    simtime lift = variant_fault_end(m) + (opt->lift_after > 0 ? opt->lift_after : 60 * T_SEC);

    catalogue c = {0};
    if (!opt->only_patches) {
        /* the cuts `eddy diagnose` would make of this model's loops */
        cld_graph *g = derive_graph(m);
        loop_analysis *la = loops_analyze(g, 500);
        cut_set cuts = {0};
        if (knockout_find(m, g, la, &cuts, err) < 0) {
            if (err)
            snprintf(err->file, sizeof err->file, "%s", path);
            loops_free(la);
            cld_free(g);
            return -1;
        }
        build_catalogue(m, &c, opt->lift_after > 0 ? opt->lift_after : 60 * T_SEC, &cuts);
        knockout_free(&cuts);
        loops_free(la);
        cld_free(g);
    }
    for (size_t i = 0; i < opt->npatches; i++)
        add_user(&c, &opt->patches[i]);
    /* Level 12 first, keeping the catalogue's order within a level (an
     * insertion sort, because qsort is not stable). */
    for (size_t i = 1; i < c.n; i++)
        for (size_t j = i; j > 0 && by_level(&c.v[j - 1], &c.v[j]) > 0; j--) {
            intervention t = c.v[j];
            c.v[j] = c.v[j - 1];
            c.v[j - 1] = t;
        }
    F->v = c.v;
    F->n = c.n;
    F->out = xcalloc(F->n ? F->n : 1, sizeof *F->out);

    size_t nv = 2 + 2 * F->n;
    unsigned R = F->seeds;
    jobs J = {.seeds = R, .seed = F->seed};
    J.models = xcalloc(nv, sizeof *J.models);
    J.res = xcalloc(nv * R, sizeof *J.res);
    J.rc = xcalloc(nv * R, sizeof *J.rc);
    J.errs = xcalloc(nv * R, sizeof *J.errs);
    int rc = -1;
    size_t *kept = NULL;
    J.models[0] = m;
    if (!(J.models[1] = model_load(path, err)))
        goto out;
    variant_drop_faults(J.models[1]);
    for (size_t i = 0; i < F->n; i++) {
        const intervention *iv = &F->v[i];
        for (int k = 0; k < 2; k++) {
            model *x = model_load_edited(path, iv->edits, iv->nedits, err);
            if (!x)
                goto out;
            if (iv->glass == GLASS_CUT)
                add_cut(x, &iv->glass_cut, variant_fault_start(m), lift);
            else if (iv->glass != GLASS_NONE)
                add_glass(x, iv->glass, variant_fault_start(m), lift);
            if (k == 1)
                variant_drop_faults(x);
            J.models[2 + 2 * i + (size_t)k] = x;
        }
    }
    batch_run(nv * R, opt->threads, run_one, &J, &one_io, opt->progress, opt->progress_ud);
    F->runs = nv * R;
    for (size_t i = 0; i < nv * R; i++)
        if (J.rc[i] < 0) {
            *err = J.errs[i];
            goto out;
        }
    outcome(F, &J, 0, 0, &F->as_written);
    F->baseline_p99 = F->as_written.steady_p99;
    for (size_t i = 0; i < F->n; i++)
        outcome(F, &J, 2 + 2 * i, 3 + 2 * i, &F->out[i]);
    /* A catalogue entry whose runs, with and without the faults, are the
     * model as written's on every seed changed nothing here: left out, and
     * named (a user's patch always stays). */
    kept = xcalloc(F->n ? F->n : 1, sizeof *kept);
    size_t nk = 0;
    for (size_t i = 0; i < F->n; i++) {
        bool same = !F->v[i].user;
        for (unsigned r = 0; same && r < R; r++)
            same = same_run(&J.res[(2 + 2 * i) * R + r], &J.res[r]) &&
                   same_run(&J.res[(3 + 2 * i) * R + r], &J.res[R + r]);
        if (same) {
            size_t len = strlen(F->noops);
            snprintf(F->noops + len, sizeof F->noops - len, "%s'%s'", len ? ", " : "", F->v[i].name);
            iv_free(&F->v[i]);
            continue;
        }
        F->v[nk] = F->v[i];
        F->out[nk] = F->out[i];
        kept[nk++] = i;
    }
    F->n = nk;
    summarise(F);
    if (opt->keep_goodput)
        keep_goodput(F, &J, kept);
    rc = 0;
out:
    for (size_t i = 0; i < nv * R; i++)
        if (J.rc[i] == 0 && J.res[i].series.names)
            eddy_result_free(&J.res[i]);
    for (size_t v = 1; v < nv; v++)
        model_free(J.models[v]);
    free(kept);
    free(J.models);
    free(J.res);
    free(J.rc);
    free(J.errs);
    return rc;
}

void fix_report_free(fix_report *F)
{
    for (size_t i = 0; i < F->n; i++)
        iv_free(&F->v[i]);
    free(F->v);
    free(F->out);
    free(F->goodput);
    free(F->goodput_t);
    model_free((model *)F->m);
    memset(F, 0, sizeof *F);
}
