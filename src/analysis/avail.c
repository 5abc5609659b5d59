/* avail.c -- deriving the fault tree from a model (the rules in avail.h). */
#include "avail.h"
#include "../core/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct av_build {
    avail_model *a;
    const model *m;
    int *infra_event;   /* per infra entry, or -1 */
    int *replica_event; /* per service: the first of its replicas' events, or -1 */
    int *gate_state;    /* per service: -2 not built yet */
    char *err;
    size_t errlen;
    size_t cap_origin;
} av_build;

static void av_origin(av_build *b, int ev, avail_origin o)
{
    if ((size_t)ev >= b->cap_origin) {
        size_t nc = b->cap_origin ? 2 * b->cap_origin : 16;
        while (nc <= (size_t)ev)
            nc *= 2;
        b->a->origin = xrealloc(b->a->origin, nc * sizeof *b->a->origin);
        b->cap_origin = nc;
    }
    b->a->origin[ev] = o;
}

static int av_infra(av_build *b, int i)
{
    if (b->infra_event[i] >= 0)
        return b->infra_event[i];
    const infra_spec *I = &b->m->infra[i];
    int ev = ft_add_process(b->a->t, I->name, I->name, I->failures.mtbf, I->failures.mttr);
    av_origin(b, ev, (avail_origin){ORIGIN_INFRA, -1, -1, i});
    return b->infra_event[i] = ev;
}

/* Every replica of s gets its failure event at once (CCF groups name them). */
static int av_replicas(av_build *b, int s)
{
    const service_spec *S = &b->m->services[s];
    if (!S->failures.on)
        return -1;
    if (b->replica_event[s] >= 0)
        return b->replica_event[s];
    for (long i = 0; i < S->replicas; i++) {
        char name[256], what[256];
        snprintf(name, sizeof name, "%s_%ld", S->name, i + 1);
        snprintf(what, sizeof what, "%s replica %ld", S->name, i + 1);
        int ev = ft_add_process(b->a->t, name, what, S->failures.mtbf, S->failures.mttr);
        av_origin(b, ev, (avail_origin){ORIGIN_REPLICA, s, (int)i, -1});
        if (i == 0)
            b->replica_event[s] = ev;
    }
    return b->replica_event[s];
}

static void av_words(double s, char *out, size_t n)
{
    if (s >= 3600 && fmod(s, 3600) == 0)
        snprintf(out, n, "%.0fh", s / 3600);
    else if (s >= 60 && fmod(s, 60) == 0)
        snprintf(out, n, "%.0fm", s / 60);
    else
        snprintf(out, n, "%gs", s);
}

/* A call is covered when its callee's outage does not reach the caller: a
 * cache that serves stale entries, or a fallback answer. */
static bool av_covered(const model *m, const call_spec *c)
{
    if (c->has_cache && m->caches[c->cache].swr > 0)
        return true;
    if (c->breaker.on && c->breaker.fallback == FALLBACK_DEFAULT)
        return true;
    if (c->bulkhead.on && c->bulkhead.fallback == FALLBACK_DEFAULT)
        return true;
    return false;
}

static int av_service(av_build *b, int s);

static int av_new_gate(av_build *b, const char *name, const char *what, ft_gate_kind kind, int k)
{
    return ft_add_gate(b->a->t, name, what, kind, k);
}

static int av_service(av_build *b, int s)
{
    if (b->gate_state[s] != -2)
        return b->gate_state[s];
    b->gate_state[s] = -1;
    const model *m = b->m;
    const service_spec *S = &m->services[s];
    fault_tree *t = b->a->t;
    avail_service *info = &b->a->services[s];
    int *in = xcalloc((size_t)S->replicas + S->ndepends + S->ncalls + 1, sizeof *in);
    size_t nin = 0;
    char name[300], what[400];

    /* Replicas: each down by itself or with its zone. */
    int first = av_replicas(b, s);
    if (first >= 0 || S->nzones) {
        int *rep = xcalloc((size_t)S->replicas, sizeof *rep);
        for (long i = 0; i < S->replicas; i++) {
            int zone = S->nzones ? av_infra(b, S->zones[(size_t)i % S->nzones].infra) : -1;
            if (first >= 0 && zone >= 0) {
                snprintf(name, sizeof name, "%s_%ld_down", S->name, i + 1);
                snprintf(what, sizeof what, "%s replica %ld is down, or its zone %s", S->name, i + 1,
                         m->infra[S->zones[(size_t)i % S->nzones].infra].name);
                int g = av_new_gate(b, name, what, FT_OR, 0);
                ft_gate_add(t, g, first + (int)i);
                ft_gate_add(t, g, zone);
                rep[i] = FT_GATE(g);
            } else {
                rep[i] = first >= 0 ? first + (int)i : zone;
            }
        }
        long down = S->replicas - info->needed + 1; /* this many down and the rest cannot carry the load */
        snprintf(name, sizeof name, "%s_replicas", S->name);
        snprintf(what, sizeof what, "too few %s replicas up (%ld of %ld needed)", S->name, info->needed, S->replicas);
        ft_gate_kind kind = down == 1 ? FT_OR : down == S->replicas ? FT_AND : FT_ATLEAST;
        int g = av_new_gate(b, name, what, kind, (int)down);
        for (long i = 0; i < S->replicas; i++)
            ft_gate_add(t, g, rep[i]);
        /* Replicas that share one zone collapse to fewer inputs. */
        if (t->gates[g].kind == FT_ATLEAST && t->gates[g].k > (int)t->gates[g].nargs)
            t->gates[g].k = (int)t->gates[g].nargs;
        if (t->gates[g].nargs == 1)
            t->gates[g].kind = FT_OR;
        in[nin++] = FT_GATE(g);
        free(rep);
    }
    /* Infra dependencies: an outage fails the service, or does after the
     * stale grace. */
    for (size_t d = 0; d < S->ndepends; d++) {
        const depends_spec *D = &S->depends_on[d];
        int ev = av_infra(b, D->on.infra);
        if (!D->stale) {
            in[nin++] = ev;
            continue;
        }
        double g = (double)D->stale / T_SEC;
        int beyond = ft_add_beyond(t, ev, g);
        if (beyond < 0) {
            snprintf(b->err, b->errlen, "services.%s.depends_on: %s cannot have a stale grace here", S->name,
                     D->on.name);
            free(in);
            return -1;
        }
        av_origin(b, beyond, (avail_origin){ORIGIN_BEYOND, -1, -1, D->on.infra});
        char gw[32];
        av_words(g, gw, sizeof gw);
        snprintf(name, sizeof name, "%s_down_over_%s", m->infra[D->on.infra].name, gw);
        int gate = ft_find_gate(t, name);
        if (gate < 0) {
            snprintf(what, sizeof what, "%s is down for longer than %s (the stale grace runs out)",
                     m->infra[D->on.infra].name, gw);
            gate = av_new_gate(b, name, what, FT_AND, 0);
            ft_gate_add(t, gate, ev);
            ft_gate_add(t, gate, beyond);
        }
        in[nin++] = FT_GATE(gate);
    }
    /* Synchronous callees. */
    for (size_t c = 0; c < S->ncalls; c++) {
        if (av_covered(m, &S->calls[c]))
            continue;
        int g = av_service(b, S->calls[c].to);
        if (g >= 0)
            in[nin++] = FT_GATE(g);
    }
    if (nin) {
        snprintf(name, sizeof name, "%s_down", S->name);
        snprintf(what, sizeof what, "%s cannot serve", S->name);
        int g = av_new_gate(b, name, what, FT_OR, 0);
        for (size_t i = 0; i < nin; i++)
            ft_gate_add(t, g, in[i]);
        b->gate_state[s] = g;
    }
    free(in);
    info->gate = b->gate_state[s];
    return b->gate_state[s];
}

/* Requests a second a client sends (open loop: its peak rate; closed
 * loop: users over think time, an upper bound). */
static double av_client_rate(const client_spec *c)
{
    if (c->closed) {
        double th = dist_mean(&c->think) / T_SEC;
        return th > 0 ? (double)c->users / th : 0;
    }
    double r = 0;
    for (size_t i = 0; i < c->nsteps; i++)
        if (c->steps[i].rate > r)
            r = c->steps[i].rate;
    return r;
}

/* The rate a call passes on to its callee: all of it, or through a cache
 * its steady-state misses, at most one per key per time to live (none for
 * entries that never expire). */
static double av_passed(const model *m, const call_spec *c, double rate)
{
    if (!c->has_cache)
        return rate;
    const cache_spec *C = &m->caches[c->cache];
    double life = (double)(C->ttl + C->ttl_jitter / 2) / T_SEC;
    double misses = C->ttl > 0 && life > 0 ? (double)C->keys / life : 0;
    return misses < rate ? misses : rate;
}

/* Add `rate` to s and, through its calls, to every service below. */
static void av_add_load(const model *m, avail_model *a, int s, double rate)
{
    a->services[s].load += rate;
    for (size_t c = 0; c < m->services[s].ncalls; c++)
        av_add_load(m, a, m->services[s].calls[c].to, av_passed(m, &m->services[s].calls[c], rate));
}

/* The box diagram's availability of the services under s. */
static double av_paper(const model *m, int s, char *seen)
{
    if (seen[s])
        return 1;
    seen[s] = 1;
    const service_spec *S = &m->services[s];
    double a = 1;
    if (S->failures.on) {
        double mr = repair_mean(&S->failures.mttr), q = mr / (S->failures.mtbf + mr);
        a = 1 - pow(q, (double)S->replicas);
    }
    for (size_t c = 0; c < S->ncalls; c++)
        if (!av_covered(m, &S->calls[c]))
            a *= av_paper(m, S->calls[c].to, seen);
    return a;
}

avail_model *avail_derive(const model *m, char *err, size_t errlen)
{
    avail_model *a = xcalloc(1, sizeof *a);
    a->m = m;
    a->t = ft_new();
    a->services = xcalloc(m->nservices, sizeof *a->services);
    a->client_top = xcalloc(m->nclients, sizeof *a->client_top);
    a->paper = xcalloc(m->nclients, sizeof *a->paper);
    av_build b = {.a = a, .m = m, .err = err, .errlen = errlen};
    b.infra_event = xcalloc(m->ninfra, sizeof *b.infra_event);
    b.replica_event = xcalloc(m->nservices, sizeof *b.replica_event);
    b.gate_state = xcalloc(m->nservices, sizeof *b.gate_state);
    for (size_t i = 0; i < m->ninfra; i++)
        b.infra_event[i] = -1;
    for (size_t s = 0; s < m->nservices; s++) {
        b.replica_event[s] = -1;
        b.gate_state[s] = -2;
        a->services[s].gate = -1;
    }
    /* k for every service, from the load all clients put on it. */
    for (size_t c = 0; c < m->nclients; c++)
        if (m->clients[c].call.to >= 0) /* a publish loads a broker queue, not a service */
            av_add_load(m, a, m->clients[c].call.to, av_passed(m, &m->clients[c].call, av_client_rate(&m->clients[c])));
    for (size_t s = 0; s < m->nservices; s++) {
        const service_spec *S = &m->services[s];
        avail_service *v = &a->services[s];
        double st = dist_mean(&S->service_time) / T_SEC;
        v->capacity = S->workers == MODEL_UNLIMITED || st <= 0 ? 0 : (double)S->workers / st;
        /* compared as a double first: a load far beyond every replica
         * (a rate of 1e70/s is a valid model) must not overflow a long */
        double need = v->capacity > 0 ? ceil(v->load / v->capacity - 1e-9) : 1;
        long k;
        if (!(need <= (double)S->replicas)) {
            v->overloaded = true;
            k = S->replicas;
        } else
            k = need < 1 ? 1 : (long)need;
        v->needed = k;
    }
    int rc = 0;
    for (size_t c = 0; c < m->nclients && rc == 0; c++) {
        const client_spec *C = &m->clients[c];
        a->client_top[c] = -1;
        if (C->call.to < 0) { /* a publish needs only its broker, which eddy avail does not fail */
            a->paper[c] = 1;
            continue;
        }
        char *seen = xcalloc(m->nservices, 1);
        a->paper[c] = av_covered(m, &C->call) ? 1 : av_paper(m, C->call.to, seen);
        free(seen);
        if (av_covered(m, &C->call))
            continue;
        err[0] = 0;
        int g = av_service(&b, C->call.to);
        if (err[0]) {
            rc = -1;
            break;
        }
        if (g < 0)
            continue;
        char name[300], what[300];
        snprintf(name, sizeof name, "%s_fails", C->name);
        snprintf(what, sizeof what, "%s's requests fail", C->name);
        int top = ft_add_gate(a->t, name, what, FT_OR, 0);
        ft_gate_add(a->t, top, FT_GATE(g));
        a->client_top[c] = (int)a->t->ntops;
        ft_add_top(a->t, top);
    }
    /* Common-cause groups, over replicas and infra entries. */
    for (size_t i = 0; i < m->nccf && rc == 0; i++) {
        const ccf_spec *C = &m->ccf[i];
        size_t cap = 0;
        for (size_t j = 0; j < C->nmembers; j++)
            cap += C->members[j].service >= 0 ? (size_t)m->services[C->members[j].service].replicas : 1;
        int *ev = xcalloc(cap, sizeof *ev);
        size_t n = 0;
        char what[512] = "";
        for (size_t j = 0; j < C->nmembers; j++) {
            const ccf_member *M = &C->members[j];
            if (M->service >= 0) {
                int f = av_replicas(&b, M->service);
                for (long r = 0; r < m->services[M->service].replicas; r++)
                    ev[n++] = f + (int)r;
            } else {
                ev[n++] = av_infra(&b, M->infra);
            }
            strncat(what, j ? ", " : "", sizeof what - strlen(what) - 1);
            strncat(what, M->name, sizeof what - strlen(what) - 1);
        }
        char w[600];
        snprintf(w, sizeof w, "%s (common cause over %s, beta %g%%)", C->name, what, 100 * C->beta);
        char why[512];
        if (ft_add_ccf(a->t, C->name, w, C->beta, ev, n, why, sizeof why) < 0) {
            snprintf(err, errlen, "ccf[%zu]: %s", i, why);
            rc = -1;
        }
        free(ev);
    }
    free(b.infra_event);
    free(b.replica_event);
    free(b.gate_state);
    if (rc < 0) {
        avail_free(a);
        return NULL;
    }
    return a;
}

void avail_free(avail_model *a)
{
    if (!a)
        return;
    ft_free(a->t);
    free(a->origin);
    free(a->services);
    free(a->client_top);
    free(a->paper);
    free(a);
}

size_t avail_cutset_order(const avail_model *a, const ft_cutset *c)
{
    size_t n = 0;
    for (size_t i = 0; i < c->order; i++)
        if (c->vars[i] >= a->t->nevents || a->t->events[c->vars[i]].kind != FT_EVENT_BEYOND)
            n++;
    return n;
}

static void av_cat(char *out, size_t n, const char *s) { strncat(out, s, n - strlen(out) - 1); }

/* "api's 3 replicas", or "api's replica" for one. */
static void av_replicas_words(const service_spec *S, char *out, size_t n)
{
    if (S->replicas == 1)
        snprintf(out, n, "%s's only replica", S->name);
    else
        snprintf(out, n, "%s's %ld replicas", S->name, S->replicas);
}

void avail_cutset_words(const avail_model *a, const ft_cutset *c, char *out, size_t n)
{
    const fault_tree *t = a->t;
    const model *m = a->m;
    out[0] = 0;
    if (avail_cutset_order(a, c) != 1) {
        for (size_t i = 0; i < c->order; i++) {
            if (i)
                av_cat(out, n, " + ");
            av_cat(out, n, ft_var_what(t, c->vars[i]));
        }
        return;
    }
    uint32_t v = UINT32_MAX;
    double grace = 0;
    for (size_t i = 0; i < c->order; i++) {
        uint32_t x = c->vars[i];
        if (x < t->nevents && t->events[x].kind == FT_EVENT_BEYOND)
            grace = t->events[x].grace;
        else
            v = x;
    }
    char buf[512], gw[32];
    if (v >= t->nevents) { /* a common-cause group */
        const ccf_spec *C = &m->ccf[v - t->nevents];
        for (size_t j = 0; j < C->nmembers; j++) {
            if (j)
                av_cat(out, n, " and ");
            if (C->members[j].service >= 0)
                av_replicas_words(&m->services[C->members[j].service], buf, sizeof buf);
            else
                snprintf(buf, sizeof buf, "%s", C->members[j].name);
            av_cat(out, n, buf);
        }
        snprintf(buf, sizeof buf, " fail together when %s strikes (a common cause, beta %g%%): %s is a cut set of order 1",
                 C->name, 100 * C->beta, C->name);
        av_cat(out, n, buf);
        return;
    }
    const avail_origin *o = &a->origin[v];
    if (o->kind == ORIGIN_REPLICA) {
        const service_spec *S = &m->services[o->service];
        if (S->replicas == 1)
            snprintf(out, n, "%s has one replica: %s replica 1 is a cut set of order 1", S->name, S->name);
        else
            snprintf(out, n,
                     "%s needs all %ld replicas to carry its load: losing replica %d alone is a cut set of order 1",
                     S->name, S->replicas, o->replica + 1);
        return;
    }
    /* An infra entry: who it takes down with it. */
    const char *X = m->infra[o->infra].name;
    size_t said = 0;
    for (size_t s = 0; s < m->nservices; s++) {
        const service_spec *S = &m->services[s];
        if (a->services[s].gate < 0)
            continue;
        bool dep = false, zone = false;
        for (size_t d = 0; d < S->ndepends; d++)
            if (S->depends_on[d].on.infra == o->infra && (double)S->depends_on[d].stale / T_SEC == grace)
                dep = true;
        for (size_t z = 0; z < S->nzones; z++)
            if (S->zones[z].infra == o->infra)
                zone = true;
        if (!dep && !zone)
            continue;
        if (said++)
            av_cat(out, n, " and ");
        av_replicas_words(S, buf, sizeof buf);
        av_cat(out, n, buf);
    }
    if (grace > 0) {
        av_words(grace, gw, sizeof gw);
        snprintf(buf, sizeof buf, "%s when %s is down for longer than %s: %s down over %s is a cut set of order 1",
                 said > 1 || !strstr(out, "only") ? " fail together" : " fails", X, gw, X, gw);
    } else {
        snprintf(buf, sizeof buf, "%s when %s is down: %s is a cut set of order 1",
                 said > 1 || !strstr(out, "only") ? " fail together" : " fails", X, X);
    }
    if (!said)
        snprintf(out, n, "%s is down: %s is a cut set of order 1", X, X);
    else
        av_cat(out, n, buf);
}
