/* ftree.c -- building a fault tree, and the repair-time arithmetic of its
 * basic events (see ftree.h for what the structure means). */
#include "ftree.h"
#include "../core/xalloc.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* ---- names ---------------------------------------------------------------- */

char *ft_mef_id(const char *s)
{
    size_t n = strlen(s ? s : ""), k = 0;
    char *id = xrealloc(NULL, n + 2);
    if (!n || isdigit((unsigned char)s[0]))
        id[k++] = '_'; /* an XML NCName cannot start with a digit */
    for (size_t i = 0; i < n; i++)
        id[k++] = isalnum((unsigned char)s[i]) || s[i] == '_' ? s[i] : '_';
    id[k] = 0;
    return id;
}

/* Element idx of the name index: event i is 3i, gate i 3i+1, group i 3i+2. */
static const char *ft_indexed_name(const fault_tree *t, int idx)
{
    size_t i = (size_t)idx / 3;
    return idx % 3 == 0 ? t->events[i].name : idx % 3 == 1 ? t->gates[i].name : t->ccfs[i].name;
}

typedef struct ft_name_query {
    const fault_tree *t;
    const char *name;
} ft_name_query;

static bool ft_name_eq(const void *ctx, int idx)
{
    const ft_name_query *q = ctx;
    return strcmp(ft_indexed_name(q->t, idx), q->name) == 0;
}

/* An MEF name for key not yet taken in t (the caller indexes it once it is
 * stored).  Names made from different keys can meet ("a-b", "a_b"); the
 * later one gets "_2", "_3"..., so no name is defined twice in the MEF and
 * no look-up finds the wrong element. */
static char *ft_unique_name(const fault_tree *t, const char *key)
{
    char *id = ft_mef_id(key);
    size_t n = strlen(id);
    ft_name_query q = {t, id};
    for (unsigned v = 2; hidx_find(&t->names, hidx_hash_str(id), ft_name_eq, &q) >= 0; v++) {
        id = xrealloc(id, n + 16);
        q.name = id;
        snprintf(id + n, 16, "_%u", v);
    }
    return id;
}

static void ft_index_name(fault_tree *t, const char *name, int idx) { hidx_put(&t->names, hidx_hash_str(name), idx); }

/* ---- building ------------------------------------------------------------ */

fault_tree *ft_new(void)
{
    fault_tree *t = xcalloc(1, sizeof *t);
    return t;
}

void ft_free(fault_tree *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nevents; i++) {
        free(t->events[i].name);
        free(t->events[i].key);
        free(t->events[i].what);
    }
    for (size_t i = 0; i < t->ngates; i++) {
        free(t->gates[i].name);
        free(t->gates[i].key);
        free(t->gates[i].what);
        free(t->gates[i].args);
    }
    for (size_t i = 0; i < t->nccfs; i++) {
        free(t->ccfs[i].name);
        free(t->ccfs[i].what);
        free(t->ccfs[i].members);
    }
    free(t->events);
    free(t->gates);
    free(t->ccfs);
    free(t->tops);
    hidx_free(&t->names);
    free(t);
}

static int ft_new_event(fault_tree *t, const char *name, const char *what)
{
    if (t->nevents == t->cap_events) {
        t->cap_events = t->cap_events ? 2 * t->cap_events : 16;
        t->events = xrealloc(t->events, t->cap_events * sizeof *t->events);
    }
    ft_event *e = &t->events[t->nevents];
    memset(e, 0, sizeof *e);
    e->key = xstrdup(name);
    e->name = ft_unique_name(t, name);
    ft_index_name(t, e->name, 3 * (int)t->nevents);
    e->what = xstrdup(what ? what : name);
    e->parent = -1;
    e->ccf = -1;
    return (int)t->nevents++;
}

int ft_add_fixed(fault_tree *t, const char *name, const char *what, double q)
{
    int i = ft_new_event(t, name, what);
    t->events[i].kind = FT_EVENT_FIXED;
    t->events[i].q = q;
    return i;
}

int ft_add_process(fault_tree *t, const char *name, const char *what, double mtbf, repair mttr)
{
    int i = ft_new_event(t, name, what);
    ft_event *e = &t->events[i];
    e->kind = FT_EVENT_PROCESS;
    e->mtbf = mtbf;
    e->mttr = mttr;
    double m = repair_mean(&mttr);
    e->q = m / (mtbf + m);
    return i;
}

/* A duration in words for names and labels: 10m, 90s, 2h. */
static void ft_duration_words(double s, char *out, size_t n)
{
    if (s >= 3600 && fmod(s, 3600) == 0)
        snprintf(out, n, "%.0fh", s / 3600);
    else if (s >= 60 && fmod(s, 60) == 0)
        snprintf(out, n, "%.0fm", s / 60);
    else
        snprintf(out, n, "%gs", s);
}

int ft_add_beyond(fault_tree *t, int parent, double grace)
{
    if (parent < 0 || (size_t)parent >= t->nevents || t->events[parent].kind != FT_EVENT_PROCESS ||
        t->events[parent].ccf >= 0 || grace <= 0)
        return -1;
    char d[32], name[512], what[512];
    ft_duration_words(grace, d, sizeof d);
    snprintf(name, sizeof name, "%s_beyond_%s", t->events[parent].name, d);
    snprintf(what, sizeof what, "%s's outage lasts longer than %s", t->events[parent].what, d);
    int found = ft_find_event(t, name);
    if (found >= 0)
        return found;
    int i = ft_new_event(t, name, what);
    ft_event *e = &t->events[i];
    e->kind = FT_EVENT_BEYOND;
    e->parent = parent;
    e->grace = grace;
    e->q = repair_beyond(&t->events[parent].mttr, grace);
    return i;
}

int ft_add_gate(fault_tree *t, const char *name, const char *what, ft_gate_kind kind, int k)
{
    if (t->ngates == t->cap_gates) {
        t->cap_gates = t->cap_gates ? 2 * t->cap_gates : 16;
        t->gates = xrealloc(t->gates, t->cap_gates * sizeof *t->gates);
    }
    ft_gate *g = &t->gates[t->ngates];
    memset(g, 0, sizeof *g);
    g->key = xstrdup(name);
    g->name = ft_unique_name(t, name);
    ft_index_name(t, g->name, 3 * (int)t->ngates + 1);
    g->what = xstrdup(what ? what : name);
    g->kind = kind;
    g->k = kind == FT_ATLEAST ? k : 0;
    return (int)t->ngates++;
}

void ft_gate_add(fault_tree *t, int gate, int ref)
{
    ft_gate *g = &t->gates[gate];
    for (size_t i = 0; i < g->nargs; i++)
        if (g->args[i] == ref)
            return; /* x OR x is x; x AND x is x; a k-of-n counts distinct inputs */
    if (g->nargs == g->cap) {
        g->cap = g->cap ? 2 * g->cap : 4;
        g->args = xrealloc(g->args, g->cap * sizeof *g->args);
    }
    g->args[g->nargs++] = ref;
}

void ft_add_top(fault_tree *t, int gate)
{
    t->tops = xrealloc(t->tops, (t->ntops + 1) * sizeof *t->tops);
    t->tops[t->ntops++] = gate;
}

int ft_add_ccf(fault_tree *t, const char *name, const char *what, double beta, const int *members, size_t n,
               char *why, size_t whylen)
{
    for (size_t i = 0; i < n; i++) {
        const ft_event *e = &t->events[members[i]];
        if (e->ccf >= 0) {
            snprintf(why, whylen, "%s is already in common-cause group %s", e->what, t->ccfs[e->ccf].what);
            return -1;
        }
        if (e->kind == FT_EVENT_BEYOND) {
            snprintf(why, whylen, "%s is not a failure of its own", e->what);
            return -1;
        }
        if (fabs(e->q - t->events[members[0]].q) > 1e-12 * t->events[members[0]].q) {
            snprintf(why, whylen,
                     "the beta-factor model gives a group one failure probability, but %s is down %.6g of the "
                     "time and %s %.6g",
                     t->events[members[0]].what, t->events[members[0]].q, e->what, e->q);
            return -1;
        }
        for (size_t j = 0; j < t->nevents; j++)
            if (t->events[j].kind == FT_EVENT_BEYOND && t->events[j].parent == members[i]) {
                snprintf(why, whylen, "%s has a grace period timed on it, which a common-cause group would change",
                         e->what);
                return -1;
            }
    }
    t->ccfs = xrealloc(t->ccfs, (t->nccfs + 1) * sizeof *t->ccfs);
    ft_ccf *c = &t->ccfs[t->nccfs];
    c->name = ft_unique_name(t, name);
    ft_index_name(t, c->name, 3 * (int)t->nccfs + 2);
    c->what = xstrdup(what ? what : name);
    c->beta = beta;
    c->nmembers = n;
    c->members = xrealloc(NULL, n * sizeof *c->members);
    memcpy(c->members, members, n * sizeof *members);
    for (size_t i = 0; i < n; i++)
        t->events[members[i]].ccf = (int)t->nccfs;
    return (int)t->nccfs++;
}

int ft_find_event(const fault_tree *t, const char *name)
{
    for (size_t i = 0; i < t->nevents; i++)
        if (strcmp(t->events[i].key, name) == 0)
            return (int)i;
    return -1;
}

int ft_find_gate(const fault_tree *t, const char *name)
{
    for (size_t i = 0; i < t->ngates; i++)
        if (strcmp(t->gates[i].key, name) == 0)
            return (int)i;
    return -1;
}

const char *ft_var_name(const fault_tree *t, size_t v)
{
    return v < t->nevents ? t->events[v].name : t->ccfs[v - t->nevents].name;
}

const char *ft_var_what(const fault_tree *t, size_t v)
{
    return v < t->nevents ? t->events[v].what : t->ccfs[v - t->nevents].what;
}

void ft_var_probs(const fault_tree *t, double *p)
{
    for (size_t i = 0; i < t->nevents; i++) {
        const ft_event *e = &t->events[i];
        p[i] = e->ccf >= 0 ? (1 - t->ccfs[e->ccf].beta) * e->q : e->q;
    }
    for (size_t j = 0; j < t->nccfs; j++)
        p[t->nevents + j] = t->ccfs[j].beta * t->events[t->ccfs[j].members[0]].q;
}

static void ft_topo_visit(const fault_tree *t, int g, char *mark, int *order, size_t *n)
{
    if (mark[g])
        return;
    mark[g] = 1;
    const ft_gate *G = &t->gates[g];
    for (size_t i = 0; i < G->nargs; i++)
        if (FT_IS_GATE(G->args[i]))
            ft_topo_visit(t, FT_GATE_INDEX(G->args[i]), mark, order, n);
    order[(*n)++] = g;
}

size_t ft_topo_order(const fault_tree *t, int *order)
{
    char *mark = xcalloc(t->ngates ? t->ngates : 1, 1);
    size_t n = 0;
    for (size_t i = 0; i < t->ntops; i++)
        ft_topo_visit(t, t->tops[i], mark, order, &n);
    free(mark);
    return n;
}

