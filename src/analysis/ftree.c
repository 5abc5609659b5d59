/* ftree.c -- building a fault tree, and the repair-time arithmetic of its
 * basic events (see ftree.h for what the structure means). */
#include "ftree.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/dist.h"

static void *ft_xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        abort();
    return p;
}

static char *ft_xstrdup(const char *s)
{
    char *p = strdup(s ? s : "");
    if (!p)
        abort();
    return p;
}

/* ---- repair distributions ------------------------------------------------ */

ft_repair ft_repair_exponential(double mean) { return (ft_repair){FT_REPAIR_EXPONENTIAL, mean, 0}; }
ft_repair ft_repair_constant(double value) { return (ft_repair){FT_REPAIR_CONSTANT, value, 0}; }
ft_repair ft_repair_lognormal(double mu, double sigma) { return (ft_repair){FT_REPAIR_LOGNORMAL, mu, sigma}; }
ft_repair ft_repair_weibull(double shape, double scale) { return (ft_repair){FT_REPAIR_WEIBULL, shape, scale}; }

ft_repair ft_repair_lognormal_mean_cv(double mean, double cv)
{
    double s2 = log1p(cv * cv);
    return ft_repair_lognormal(log(mean) - s2 / 2, sqrt(s2));
}

const char *ft_repair_kind_name(ft_repair_kind k)
{
    static const char *const n[] = {"constant", "exponential", "lognormal", "weibull"};
    return n[k];
}

double ft_repair_mean(const ft_repair *r)
{
    switch (r->kind) {
    case FT_REPAIR_CONSTANT:
    case FT_REPAIR_EXPONENTIAL:
        return r->a;
    case FT_REPAIR_LOGNORMAL:
        return exp(r->a + r->b * r->b / 2);
    case FT_REPAIR_WEIBULL:
        return r->b * tgamma(1 + 1 / r->a);
    }
    return 0;
}

static double ft_phi(double x) { return 0.5 * erfc(-x / sqrt(2.0)); }

/* The regularised upper incomplete gamma function Q(s, x), by its series
 * (x < s + 1) or its continued fraction (Lentz), as in Press et al.,
 * Numerical Recipes, section 6.2.  C99 has tgamma but not this. */
static double ft_gamma_q(double s, double x)
{
    if (x <= 0)
        return 1;
    double lg = lgamma(s);
    if (x < s + 1) {
        double ap = s, sum = 1 / s, del = sum;
        for (int n = 0; n < 1000; n++) {
            ap += 1;
            del *= x / ap;
            sum += del;
            if (fabs(del) < fabs(sum) * 1e-16)
                break;
        }
        return 1 - sum * exp(-x + s * log(x) - lg);
    }
    double b = x + 1 - s, c = 1 / 1e-300, d = 1 / b, h = d;
    for (int i = 1; i < 1000; i++) {
        double an = -i * (i - s);
        b += 2;
        d = an * d + b;
        if (fabs(d) < 1e-300)
            d = 1e-300;
        c = b + an / c;
        if (fabs(c) < 1e-300)
            c = 1e-300;
        d = 1 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1) < 1e-16)
            break;
    }
    return exp(-x + s * log(x) - lg) * h;
}

double ft_repair_beyond(const ft_repair *r, double g)
{
    double m = ft_repair_mean(r);
    if (g <= 0 || m <= 0)
        return 1;
    double partial = 0; /* E[(R - g)+] = integral from g of the survival function */
    switch (r->kind) {
    case FT_REPAIR_CONSTANT:
        partial = r->a > g ? r->a - g : 0;
        break;
    case FT_REPAIR_EXPONENTIAL:
        partial = m * exp(-g / m);
        break;
    case FT_REPAIR_LOGNORMAL: {
        double mu = r->a, s = r->b, lg = log(g);
        partial = m * ft_phi((mu + s * s - lg) / s) - g * ft_phi((mu - lg) / s);
        break;
    }
    case FT_REPAIR_WEIBULL: {
        double k = r->a, lam = r->b, x = pow(g / lam, k);
        /* integral_g^inf exp(-(a/lam)^k) da = (lam/k) Gamma(1/k) Q(1/k, x) */
        partial = lam / k * tgamma(1 / k) * ft_gamma_q(1 / k, x);
        break;
    }
    }
    double b = partial / m;
    return b < 0 ? 0 : b > 1 ? 1 : b;
}

/* Gamma(shape >= 1, 1): Marsaglia and Tsang (2000). */
static double ft_gamma_sample(double shape, rng *g)
{
    double d = shape - 1.0 / 3, c = 1 / sqrt(9 * d);
    for (;;) {
        double x = dist_std_normal(g), v = 1 + c * x;
        if (v <= 0)
            continue;
        v = v * v * v;
        double u = rng_unif_pos(g);
        if (log(u) < 0.5 * x * x + d - d * v + d * log(v))
            return d * v;
    }
}

double ft_repair_sample(const ft_repair *r, rng *g)
{
    switch (r->kind) {
    case FT_REPAIR_CONSTANT:
        return r->a;
    case FT_REPAIR_EXPONENTIAL:
        return -r->a * log(rng_unif_pos(g));
    case FT_REPAIR_LOGNORMAL:
        return exp(r->a + r->b * dist_std_normal(g));
    case FT_REPAIR_WEIBULL:
        return r->b * pow(-log(rng_unif_pos(g)), 1 / r->a);
    }
    return 0;
}

double ft_repair_sample_age(const ft_repair *r, rng *g)
{
    /* The outage in progress at a random instant is length-biased (density
     * x f(x) / E[R]); its age is a uniform fraction of it. */
    switch (r->kind) {
    case FT_REPAIR_CONSTANT:
        return rng_unif(g) * r->a;
    case FT_REPAIR_EXPONENTIAL:
        return -r->a * log(rng_unif_pos(g)); /* memoryless */
    case FT_REPAIR_LOGNORMAL: /* length-biased lognormal(mu, s) is lognormal(mu + s^2, s) */
        return rng_unif(g) * exp(r->a + r->b * r->b + r->b * dist_std_normal(g));
    case FT_REPAIR_WEIBULL: /* (L/lambda)^k of the length-biased Weibull is Gamma(1 + 1/k) */
        return rng_unif(g) * r->b * pow(ft_gamma_sample(1 + 1 / r->a, g), 1 / r->a);
    }
    return 0;
}

/* ---- building ------------------------------------------------------------ */

fault_tree *ft_new(void)
{
    fault_tree *t = calloc(1, sizeof *t);
    if (!t)
        abort();
    return t;
}

void ft_free(fault_tree *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nevents; i++) {
        free(t->events[i].name);
        free(t->events[i].what);
    }
    for (size_t i = 0; i < t->ngates; i++) {
        free(t->gates[i].name);
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
    free(t);
}

static int ft_new_event(fault_tree *t, const char *name, const char *what)
{
    if (t->nevents == t->cap_events) {
        t->cap_events = t->cap_events ? 2 * t->cap_events : 16;
        t->events = ft_xrealloc(t->events, t->cap_events * sizeof *t->events);
    }
    ft_event *e = &t->events[t->nevents];
    memset(e, 0, sizeof *e);
    e->name = ft_xstrdup(name);
    ft_sanitize_name(e->name);
    e->what = ft_xstrdup(what ? what : name);
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

int ft_add_process(fault_tree *t, const char *name, const char *what, double mtbf, ft_repair mttr)
{
    int i = ft_new_event(t, name, what);
    ft_event *e = &t->events[i];
    e->kind = FT_EVENT_PROCESS;
    e->mtbf = mtbf;
    e->mttr = mttr;
    double m = ft_repair_mean(&mttr);
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
    e->q = ft_repair_beyond(&t->events[parent].mttr, grace);
    return i;
}

int ft_add_gate(fault_tree *t, const char *name, const char *what, ft_gate_kind kind, int k)
{
    if (t->ngates == t->cap_gates) {
        t->cap_gates = t->cap_gates ? 2 * t->cap_gates : 16;
        t->gates = ft_xrealloc(t->gates, t->cap_gates * sizeof *t->gates);
    }
    ft_gate *g = &t->gates[t->ngates];
    memset(g, 0, sizeof *g);
    g->name = ft_xstrdup(name);
    ft_sanitize_name(g->name);
    g->what = ft_xstrdup(what ? what : name);
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
        g->args = ft_xrealloc(g->args, g->cap * sizeof *g->args);
    }
    g->args[g->nargs++] = ref;
}

void ft_add_top(fault_tree *t, int gate)
{
    t->tops = ft_xrealloc(t->tops, (t->ntops + 1) * sizeof *t->tops);
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
    t->ccfs = ft_xrealloc(t->ccfs, (t->nccfs + 1) * sizeof *t->ccfs);
    ft_ccf *c = &t->ccfs[t->nccfs];
    c->name = ft_xstrdup(name);
    ft_sanitize_name(c->name);
    c->what = ft_xstrdup(what ? what : name);
    c->beta = beta;
    c->nmembers = n;
    c->members = ft_xrealloc(NULL, n * sizeof *c->members);
    memcpy(c->members, members, n * sizeof *members);
    for (size_t i = 0; i < n; i++)
        t->events[members[i]].ccf = (int)t->nccfs;
    return (int)t->nccfs++;
}

int ft_find_event(const fault_tree *t, const char *name)
{
    for (size_t i = 0; i < t->nevents; i++)
        if (strcmp(t->events[i].name, name) == 0)
            return (int)i;
    return -1;
}

int ft_find_gate(const fault_tree *t, const char *name)
{
    for (size_t i = 0; i < t->ngates; i++)
        if (strcmp(t->gates[i].name, name) == 0)
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
    char *mark = calloc(t->ngates ? t->ngates : 1, 1);
    if (!mark)
        abort();
    size_t n = 0;
    for (size_t i = 0; i < t->ntops; i++)
        ft_topo_visit(t, t->tops[i], mark, order, &n);
    free(mark);
    return n;
}

void ft_sanitize_name(char *s)
{
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_')
            *s = '_';
}
