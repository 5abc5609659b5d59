/* review_out.c -- the arrow review as a table, or as JSON. */
#include "review_out.h"

#include <stdlib.h>
#include <string.h>

#include "../model/todo.h"
#include "../loops/describe.h"
#include "../loops/util.h"
#include "../core/xalloc.h"

/* Does a budget bound lower the worst case?  (Products of the same
 * factors may differ in the last bit.) */
static bool bounded_below(double bounded, double worst) { return bounded < worst * (1 - 1e-9); }

/* One cell per column, so widths can be measured before printing. */
#define NCOL 6
#define CELL 512
static const char *const heads[NCOL] = {"edge", "timeout", "retry", "when slow", "amplifying", "worst case"};

static void cells(const review *r, size_t i, char c[NCOL][CELL])
{
    const review_edge *e = &r->edges[i];
    snprintf(c[0], CELL, "%s", e->name);
    if (e->spec->timeout > 0)
        desc_duration(e->spec->timeout, c[1], CELL);
    else
        snprintf(c[1], CELL, "none");
    if (e->spec->retry.attempts > 1) {
        char rd[160], on[64];
        desc_retry(&e->spec->retry, rd, sizeof rd);
        desc_retry_on(e->spec->retry.on, on, sizeof on);
        if (e->budget[0])
            snprintf(c[2], CELL, "%s, on %s, budget (%s)", rd, on, e->budget);
        else
            snprintf(c[2], CELL, "%s, on %s", rd, on);
    } else {
        snprintf(c[2], CELL, "none");
    }
    snprintf(c[3], CELL, "%s", review_action_name(e->when_slow));
    snprintf(c[4], CELL, "%s", e->amplifying ? "yes" : "no");
    /* the worst case stays the product of attempts; a budget's bound is
     * said beside it */
    if (e->budget[0] && e->budget_amp == 0)
        snprintf(c[5], CELL, "%gx; budget %s", e->worst_amp, e->budget_short);
    else if (e->budget[0])
        snprintf(c[5], CELL, "%gx; \xe2\x89\xa4%gx by budget %s", e->worst_amp, e->bounded_amp, e->budget_short);
    else if (bounded_below(e->bounded_amp, e->worst_amp))
        snprintf(c[5], CELL, "%gx; \xe2\x89\xa4%gx by budgets upstream", e->worst_amp, e->bounded_amp);
    else
        snprintf(c[5], CELL, "%gx", e->worst_amp);
}

static void path_text(FILE *f, const review *r, const review_path *p)
{
    const model *m = r->m;
    const review_edge *first = &r->edges[p->edges[0]];
    fprintf(f, "%s", first->client >= 0 ? m->clients[first->client].name : m->services[first->service].name);
    for (size_t j = 0; j < p->n; j++)
        fprintf(f, "\xe2\x86\x92%s", m->services[r->edges[p->edges[j]].callee].name);
}

void reviewout_text(FILE *f, const review *r)
{
    const model *m = r->m;
    fprintf(f, "%s: %zu call edge%s, worst-case amplification %gx", m->file, r->nedges, r->nedges == 1 ? "" : "s",
            r->worst_amp);
    if (r->amp_saturated)
        fprintf(f, " (saturated: the product of attempts along some path is above %gx, too large to count; every "
                   "figure at %gx is at least that)",
                REVIEW_AMP_MAX, REVIEW_AMP_MAX);
    if (bounded_below(r->worst_bounded, r->worst_amp))
        fprintf(f, " (\xe2\x89\xa4%gx with the retry budgets' bounds)", r->worst_bounded);
    fprintf(f, "\n\n");
    size_t w[NCOL];
    for (int k = 0; k < NCOL; k++)
        w[k] = lu_width(heads[k]);
    char c[NCOL][CELL];
    for (size_t i = 0; i < r->nedges; i++) {
        cells(r, i, c);
        for (int k = 0; k < NCOL; k++)
            if (lu_width(c[k]) > w[k])
                w[k] = lu_width(c[k]);
    }
    for (int k = 0; k < NCOL; k++)
        fprintf(f, "%s%-*s", k ? "  " : "", k + 1 < NCOL ? (int)w[k] : 0, heads[k]);
    fprintf(f, "\n");
    for (size_t i = 0; i < r->nedges; i++) {
        cells(r, i, c);
        for (int k = 0; k < NCOL; k++) {
            fprintf(f, "%s%s", k ? "  " : "", c[k]);
            if (k + 1 < NCOL)
                for (size_t x = lu_width(c[k]); x < w[k]; x++)
                    fputc(' ', f);
        }
        fprintf(f, "\n");
    }

    fprintf(f, "(worst case: attempts reaching the callee per user request, on the worst path through the edge)\n");
    if (m->platform.has) {
        size_t inh = 0, over = 0;
        for (size_t i = 0; i < r->nedges; i++) {
            inh += r->edges[i].spec->inherited != 0;
            over += (r->edges[i].spec->written & m->platform.has) != 0;
        }
        fprintf(f, "platform: %zu of %zu edges inherit some of its defaults; %zu override some (weakening overrides are "
                   "flagged weakens-platform)\n",
                inh, r->nedges, over);
    }
    fprintf(f, "\nCall paths (worst-case amplification is the product of attempts along the path):\n");
    size_t pw = 0;
    char **ptext = xcalloc(r->npaths, sizeof *ptext);
    for (size_t i = 0; i < r->npaths; i++) {
        size_t n = 0;
        FILE *m = xopen_memstream(&ptext[i], &n);
        path_text(m, r, &r->paths[i]);
        fclose(m);
        if (lu_width(ptext[i]) > pw)
            pw = lu_width(ptext[i]);
    }
    for (size_t i = 0; i < r->npaths; i++) {
        const review_path *p = &r->paths[i];
        fprintf(f, "  %s", ptext[i]);
        for (size_t x = lu_width(ptext[i]); x < pw + 3; x++)
            fputc(' ', f);
        free(ptext[i]);
        for (size_t j = 0; j < p->n; j++)
            fprintf(f, "%s%d", j ? " x " : "", r->edges[p->edges[j]].spec->retry.attempts);
        fprintf(f, " = %gx", p->amp);
        if (bounded_below(p->bounded_amp, p->amp))
            fprintf(f, " (\xe2\x89\xa4%gx with budgets)", p->bounded_amp);
        fprintf(f, "\n");
    }
    free(ptext);
    if (r->paths_capped)
        fprintf(f, "  ... more than %d paths; the list stops here\n", REVIEW_MAX_PATHS);

    fprintf(f, "\nWhen slow, amplifying:\n");
    for (size_t i = 0; i < r->nedges; i++)
        fprintf(f, "  %s: %s; %s\n", r->edges[i].name, review_action_name(r->edges[i].when_slow), r->edges[i].why);

    bool budgets = false, pools = false;
    for (size_t i = 0; i < r->nedges; i++) {
        budgets = budgets || r->edges[i].budget[0];
        pools = pools || r->edges[i].spec->pool.on;
    }
    if (budgets) {
        fprintf(f, "\nRetry budgets (the worst case above is still the product of attempts; the bound is what the "
                   "budget lets through):\n");
        for (size_t i = 0; i < r->nedges; i++)
            if (r->edges[i].budget[0])
                fprintf(f, "  %s: %s\n", r->edges[i].name, r->edges[i].bound);
    }
    if (pools) {
        fprintf(f, "\nConnection pools (each caps the concurrency its caller puts on the callee):\n");
        for (size_t i = 0; i < r->nedges; i++) {
            const review_edge *e = &r->edges[i];
            if (!e->spec->pool.on)
                continue;
            const service_spec *t = &m->services[e->callee];
            char pd[128];
            desc_pool(&e->spec->pool, pd, sizeof pd);
            long inst = e->spec->pool.size ? e->pool_conns / e->spec->pool.size : 0;
            fprintf(f, "  %s: %s, x %ld %s%s = %ld connections; ", e->name, pd, inst,
                    e->client >= 0 ? "instance" : "replica", inst == 1 ? "" : "s", e->pool_conns);
            if (e->peak > 0)
                fprintf(f, "%s's USL peak N* = %.0f\n", t->name, e->peak);
            else
                fprintf(f, "%s's throughput does not fall with concurrency (kappa 0)\n", t->name);
        }
    }

    fprintf(f, "\nFlags (%zu):\n", r->nflags);
    if (r->nflags == 0)
        fprintf(f, "  none\n");
    for (size_t i = 0; i < r->nflags; i++) {
        const review_flag *fl = &r->flags[i];
        fprintf(f, "  %s:%d:%d: %s: %s: %s\n", m->file, fl->pos.line, fl->pos.col, review_severity_name(fl->severity),
                fl->code, fl->msg);
    }
    fprintf(f, "\nnote: %s\n", review_not_covered);
}

json_t *reviewout_json(const review *r)
{
    const model *m = r->m;
    json_t *root = json_object();
    json_object_set_new(root, "model", json_string(m->file));
    json_object_set_new(root, "worst_amplification", json_real(r->worst_amp));
    json_object_set_new(root, "worst_bounded_amplification", json_real(r->worst_bounded));
    json_object_set_new(root, "amplification_saturated", json_boolean(r->amp_saturated));
    json_t *edges = json_array();
    for (size_t i = 0; i < r->nedges; i++) {
        const review_edge *e = &r->edges[i];
        const call_spec *c = e->spec;
        json_t *o = json_object();
        json_object_set_new(o, "edge", json_string(e->name));
        if (m->platform.has) { /* which settings came from the platform, which the edge overrode */
            static const char *const what[] = {"timeout", "retry", "breaker"};
            json_t *pl = json_object(), *inh = json_array(), *ov = json_array();
            for (int k = 0; k < 3; k++) {
                if (c->inherited & (1u << k))
                    json_array_append_new(inh, json_string(what[k]));
                if (c->written & m->platform.has & (1u << k))
                    json_array_append_new(ov, json_string(what[k]));
            }
            json_object_set_new(pl, "inherited", inh);
            json_object_set_new(pl, "overridden", ov);
            json_object_set_new(o, "platform", pl);
        }
        json_object_set_new(o, "caller",
                            json_string(e->client >= 0 ? m->clients[e->client].name : m->services[e->service].name));
        json_object_set_new(o, "caller_kind", json_string(e->client >= 0 ? "client" : "service"));
        json_object_set_new(o, "callee", json_string(m->services[e->callee].name));
        json_object_set_new(o, "timeout_s", c->timeout > 0 ? json_real(t_sec(c->timeout)) : json_null());
        json_t *rt = json_object();
        json_object_set_new(rt, "attempts", json_integer(c->retry.attempts));
        json_object_set_new(rt, "backoff", json_string(backoff_name(c->retry.backoff)));
        json_object_set_new(rt, "jitter", json_string(jitter_name(c->retry.jitter)));
        json_t *on = json_array();
        if (c->retry.on & RETRY_ON_TIMEOUT)
            json_array_append_new(on, json_string("timeout"));
        if (c->retry.on & RETRY_ON_ERROR)
            json_array_append_new(on, json_string("error"));
        if (c->retry.on & RETRY_ON_REJECT)
            json_array_append_new(on, json_string("reject"));
        json_object_set_new(rt, "on", on);
        char rd[160];
        desc_retry(&c->retry, rd, sizeof rd);
        json_object_set_new(rt, "text", json_string(rd));
        if (e->budget[0]) {
            const budget_spec *b = &c->retry.budget;
            static const char *const kinds[] = {"none", "grpc", "finagle", "envoy", "aws"};
            json_t *bj = json_object();
            json_object_set_new(bj, "type", json_string(kinds[b->kind]));
            json_object_set_new(bj, "scope", json_string(b->scope == SCOPE_SHARED ? "shared" : "instance"));
            json_object_set_new(bj, "text", json_string(e->budget));
            json_object_set_new(bj, "bound", json_string(e->bound));
            json_object_set_new(bj, "bound_amplification", e->budget_amp > 0 ? json_real(e->budget_amp) : json_null());
            json_object_set_new(rt, "budget", bj);
        } else {
            json_object_set_new(rt, "budget", json_null());
        }
        json_object_set_new(o, "retry", rt);
        if (c->breaker.on) {
            const breaker_spec *b = &c->breaker;
            char bd[160];
            desc_breaker(b, bd, sizeof bd);
            json_t *bj = json_object();
            json_object_set_new(bj, "text", json_string(bd));
            json_object_set_new(bj, "window", json_string(b->window == WINDOW_TIME ? "time" : "count"));
            json_object_set_new(bj, "size", json_integer(b->size));
            json_object_set_new(bj, "min_calls", json_integer(b->min_calls));
            json_object_set_new(bj, "failure_rate", json_real(b->failure_rate));
            json_object_set_new(bj, "slow_rate", json_real(b->slow_rate));
            json_object_set_new(bj, "slow_duration_s", json_real(t_sec(b->slow_duration)));
            json_object_set_new(bj, "open_for_s", json_real(t_sec(b->open_for)));
            json_object_set_new(bj, "half_open_calls", json_integer(b->half_open_calls));
            json_object_set_new(bj, "fallback", json_string(b->fallback == FALLBACK_DEFAULT ? "default" : "none"));
            json_object_set_new(o, "breaker", bj);
        } else {
            json_object_set_new(o, "breaker", json_null());
        }
        if (c->pool.on) {
            char pd[128];
            desc_pool(&c->pool, pd, sizeof pd);
            json_t *pj = json_object();
            json_object_set_new(pj, "text", json_string(pd));
            json_object_set_new(pj, "size", json_integer(c->pool.size));
            json_object_set_new(pj, "wait", json_boolean(c->pool.wait));
            json_object_set_new(pj, "wait_timeout_s",
                                c->pool.wait && c->pool.wait_timeout > 0 ? json_real(t_sec(c->pool.wait_timeout))
                                                                         : json_null());
            json_object_set_new(pj, "connections", json_integer(e->pool_conns));
            json_object_set_new(pj, "callee_peak", e->peak > 0 ? json_real(e->peak) : json_null());
            json_object_set_new(o, "pool", pj);
        } else {
            json_object_set_new(o, "pool", json_null());
        }
        json_object_set_new(o, "when_slow", json_string(review_action_name(e->when_slow)));
        json_object_set_new(o, "amplifying", json_boolean(e->amplifying));
        json_object_set_new(o, "why", json_string(e->why));
        json_object_set_new(o, "worst_amplification", json_real(e->worst_amp));
        json_object_set_new(o, "bounded_amplification", json_real(e->bounded_amp));
        json_object_set_new(o, "line", json_integer(c->pos.line));
        json_object_set_new(o, "col", json_integer(c->pos.col));
        json_array_append_new(edges, o);
    }
    json_object_set_new(root, "edges", edges);
    json_t *paths = json_array();
    for (size_t i = 0; i < r->npaths; i++) {
        const review_path *p = &r->paths[i];
        json_t *o = json_object(), *hops = json_array(), *att = json_array();
        const review_edge *first = &r->edges[p->edges[0]];
        json_array_append_new(
            hops, json_string(first->client >= 0 ? m->clients[first->client].name : m->services[first->service].name));
        for (size_t j = 0; j < p->n; j++) {
            json_array_append_new(hops, json_string(m->services[r->edges[p->edges[j]].callee].name));
            json_array_append_new(att, json_integer(r->edges[p->edges[j]].spec->retry.attempts));
        }
        json_object_set_new(o, "path", hops);
        json_object_set_new(o, "attempts", att);
        json_object_set_new(o, "amplification", json_real(p->amp));
        json_object_set_new(o, "bounded_amplification", json_real(p->bounded_amp));
        json_array_append_new(paths, o);
    }
    json_object_set_new(root, "paths", paths);
    json_object_set_new(root, "paths_capped", json_boolean(r->paths_capped));
    json_t *flags = json_array();
    for (size_t i = 0; i < r->nflags; i++) {
        const review_flag *fl = &r->flags[i];
        json_t *o = json_object();
        json_object_set_new(o, "code", json_string(fl->code));
        json_object_set_new(o, "severity", json_string(review_severity_name(fl->severity)));
        json_object_set_new(o, "edge", fl->edge >= 0 ? json_string(r->edges[fl->edge].name) : json_null());
        json_object_set_new(o, "service", fl->service >= 0 ? json_string(m->services[fl->service].name) : json_null());
        json_object_set_new(o, "message", json_string(fl->msg));
        json_object_set_new(o, "line", json_integer(fl->pos.line));
        json_object_set_new(o, "col", json_integer(fl->pos.col));
        json_array_append_new(flags, o);
    }
    json_object_set_new(root, "flags", flags);
    json_object_set_new(root, "not_covered", json_string(review_not_covered));
    if (todo_assumed_line()) /* a model read under --assume says so in its JSON */
        json_object_set_new(root, "assumed", json_string(todo_assumed_line()));
    return root;
}

void reviewout_json_print(FILE *f, const review *r)
{
    json_t *j = reviewout_json(r);
    json_dumpf(j, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', f);
    json_decref(j);
}

void reviewout_cells(const review *r, size_t i, char c[REVIEWOUT_NCOL][REVIEWOUT_CELL]) { cells(r, i, c); }

const char *reviewout_head(int k) { return heads[k]; }
