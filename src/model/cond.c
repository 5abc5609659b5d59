/* cond.c -- parsing and checking the conditions of conditional actions
 * (cond.h).  Kept apart from the schema tables: a condition is a small
 * language inside one YAML string, with errors pointing into the string. */
#include "cond.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "units.h"
#include "../core/xalloc.h"

typedef struct cond_tok {
    const char *s;
    size_t len, off;
} cond_tok;

#define COND_MAX_TOKENS 16

static size_t cond_tokens(const char *text, cond_tok *t, size_t cap)
{
    size_t n = 0;
    for (const char *p = text; *p;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        const char *b = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        if (n < cap)
            t[n] = (cond_tok){b, (size_t)(p - b), (size_t)(b - text)};
        n++;
    }
    return n;
}

static bool cond_is(const cond_tok *t, const char *w) { return t->len == strlen(w) && !strncmp(t->s, w, t->len); }

static char *cond_dup(const cond_tok *t)
{
    char *s = xstrndup(t->s, t->len);
    return s;
}

static int cond_fail(size_t *off, size_t at, char *msg, size_t size, const char *fmt, const char *a, const char *b)
{
    *off = at;
    snprintf(msg, size, fmt, a, b);
    return -1;
}

int cond_parse(const char *text, cond_spec *c, size_t *off, char *msg, size_t size)
{
    static const char *const ops[] = {"<", "<=", ">", ">=", NULL};
    static const char *const form = "a condition such as 'shoppers.goodput < 50% of baseline for 2m'";
    cond_tok t[COND_MAX_TOKENS];
    size_t n = cond_tokens(text, t, COND_MAX_TOKENS);
    memset(c, 0, sizeof *c);
    c->text = xstrdup(text);
    if (n == 0)
        return cond_fail(off, 0, msg, size, "expected %s%s", form, "");
    if (n > COND_MAX_TOKENS)
        return cond_fail(off, t[COND_MAX_TOKENS - 1].off, msg, size, "expected %s; this one is too long%s", form, "");
    /* the metric: entity.metric; an edge's name holds "->", which is no
     * comparison */
    for (size_t k = 0; k < t[0].len; k++)
        if (t[0].s[k] == '<' || (t[0].s[k] == '>' && (k == 0 || t[0].s[k - 1] != '-')) || t[0].s[k] == '=')
            return cond_fail(off, t[0].off + k, msg, size,
                             "a comparison needs a space on each side, as in 'shoppers.goodput < 50%% of baseline'%s%s",
                             "", "");
    const char *dot = NULL; /* the last '.': an edge's name holds none, a metric name none either */
    for (size_t k = 0; k < t[0].len; k++)
        if (t[0].s[k] == '.')
            dot = t[0].s + k;
    if (!dot || dot == t[0].s || dot == t[0].s + t[0].len - 1) {
        char *w = cond_dup(&t[0]);
        int rc = cond_fail(off, t[0].off, msg, size, "expected entity.metric first, such as shoppers.goodput; got '%s'%s",
                           w, "");
        free(w);
        return rc;
    }
    c->entity = xstrndup(t[0].s, (size_t)(dot - t[0].s));
    c->metric = xstrndup(dot + 1, (size_t)(t[0].s + t[0].len - dot - 1));
    c->metric_off = t[0].off;
    /* the comparison */
    if (n < 2)
        return cond_fail(off, strlen(text), msg, size, "expected a comparison (<, <=, >, >=) after '%s'%s", c->text, "");
    int op = -1;
    for (int i = 0; ops[i]; i++)
        if (cond_is(&t[1], ops[i]))
            op = i;
    if (op < 0) {
        char *w = cond_dup(&t[1]);
        int rc = cond_fail(off, t[1].off, msg, size,
                           "expected a comparison (<, <=, >, >=, with spaces around it), got '%s'%s", w, "");
        free(w);
        return rc;
    }
    c->cmp = (hyp_cmp)op; /* <, <=, >, >= are below, at_most, above, at_least */
    /* the threshold */
    if (n < 3)
        return cond_fail(off, strlen(text), msg, size, "expected a threshold after '%s', such as 100/s or 50%% of baseline%s",
                         ops[op], "");
    size_t i = 3;
    c->threshold_off = t[2].off;
    if (n >= 5 && cond_is(&t[3], "of") && cond_is(&t[4], "baseline")) {
        if (t[2].len < 2 || t[2].s[t[2].len - 1] != '%') {
            char *w = cond_dup(&t[2]);
            int rc = cond_fail(off, t[2].off, msg, size, "expected a percentage before 'of baseline', such as 50%%; got '%s'%s",
                               w, "");
            free(w);
            return rc;
        }
        char num[64];
        double v;
        snprintf(num, sizeof num, "%.*s", (int)(t[2].len - 1), t[2].s);
        if (units_number(num, &v) < 0 || v < 0)
            return cond_fail(off, t[2].off, msg, size, "expected a percentage >= 0 before 'of baseline', got '%s%%'%s", num, "");
        c->relative = true;
        c->threshold = v / 100;
        i = 5;
    } else if (n >= 4 && (cond_is(&t[3], "of") || cond_is(&t[3], "baseline"))) {
        return cond_fail(off, t[3].off, msg, size, "expected 'N%% of baseline' (with both words) or a plain threshold%s%s", "", "");
    } else {
        c->threshold_text = cond_dup(&t[2]);
    }
    /* how long it must hold */
    if (i < n) {
        if (!cond_is(&t[i], "for")) {
            char *w = cond_dup(&t[i]);
            int rc = cond_fail(off, t[i].off, msg, size, "expected 'for' and a duration after the threshold, got '%s'%s", w, "");
            free(w);
            return rc;
        }
        if (i + 1 >= n)
            return cond_fail(off, strlen(text), msg, size, "expected a duration after 'for', such as 2m%s%s", "", "");
        char *w = cond_dup(&t[i + 1]);
        if (units_duration(w, &c->hold) < 0) {
            int rc = cond_fail(off, t[i + 1].off, msg, size,
                               "expected a duration with a unit (ms, s, m, h) after 'for', such as 2m; got '%s'%s", w, "");
            free(w);
            return rc;
        }
        free(w);
        i += 2;
    }
    if (i < n) {
        char *w = cond_dup(&t[i]);
        int rc = cond_fail(off, t[i].off, msg, size, "unexpected '%s' after the condition; expected %s", w, form);
        free(w);
        return rc;
    }
    return 0;
}

int cond_check(const model *m, cond_spec *c, size_t *off, char *msg, size_t size)
{
    char why[1024];
    if (hypotheses_metric(m, c->entity, c->metric, &c->unit, &c->derived, why, sizeof why) < 0)
        return cond_fail(off, c->metric_off, msg, size, "%s%s", why, "");
    if (c->relative) {
        simtime first = T_NEVER;
        for (size_t i = 0; i < m->nfaults; i++)
            if (m->faults[i].at < first)
                first = m->faults[i].at;
        if (first == T_NEVER)
            return cond_fail(off, c->threshold_off, msg, size,
                             "'of baseline' is the metric's mean before the first fault, and this model has no faults; "
                             "use a plain threshold%s%s",
                             "", "");
        if (first < m->sample)
            return cond_fail(off, c->threshold_off, msg, size,
                             "'of baseline' is the metric's mean before the first fault, and the first fault starts "
                             "before one sample interval has passed%s%s",
                             "", "");
        return 0;
    }
    static const char *const forms[] = {
        [HU_RATE] = "a rate such as 400/s",     [HU_SECONDS] = "a duration such as 200ms",
        [HU_FRACTION] = "a fraction such as 99%", [HU_NUMBER] = "a number",
        [HU_FACTOR] = "a factor such as 2 or 2x",
    };
    int rc = -1;
    simtime t;
    const char *s = c->threshold_text;
    switch (c->unit) {
    case HU_RATE:
        rc = units_rate(s, &c->threshold);
        break;
    case HU_SECONDS:
        rc = units_duration(s, &t);
        c->threshold = (double)t / (double)T_SEC;
        break;
    case HU_FRACTION:
        rc = units_fraction(s, &c->threshold);
        break;
    case HU_NUMBER:
        rc = units_number(s, &c->threshold);
        break;
    case HU_FACTOR:
        rc = units_factor(s, &c->threshold);
        break;
    }
    if (rc < 0) {
        char what[160];
        snprintf(what, sizeof what, "%s.%s is measured in its own unit: expected %s or 'N%% of baseline'", c->entity,
                 c->metric, forms[c->unit]);
        return cond_fail(off, c->threshold_off, msg, size, "%s, got '%s'", what, s);
    }
    return 0;
}

void cond_free(cond_spec *c)
{
    if (!c)
        return;
    free(c->text);
    free(c->entity);
    free(c->metric);
    free(c->threshold_text);
    memset(c, 0, sizeof *c);
}

void cond_format(const cond_spec *c, char *buf, size_t size)
{
    char th[64], hold[32] = "";
    if (c->relative)
        snprintf(th, sizeof th, "%g%% of baseline", c->threshold * 100);
    else
        hyp_format(c->unit, c->threshold, th, sizeof th);
    if (c->hold > 0) {
        char d[24];
        units_format_duration(c->hold, d, sizeof d);
        snprintf(hold, sizeof hold, " for %s", d);
    }
    snprintf(buf, size, "%s.%s %s %s%s", c->entity, c->metric, hyp_cmp_symbol(c->cmp), th, hold);
}

int cond_check_actions(schema_ctx *S, model *m)
{
    for (size_t i = 0; i < m->nactions; i++) {
        cond_spec *c = m->actions[i].when;
        if (!c)
            continue;
        size_t off = 0;
        char msg[1200];
        if (cond_check(m, c, &off, msg, sizeof msg) < 0)
            return err_set(S->y.err, S->y.file, c->pos.line, c->pos.col + (int)off, "actions[%zu].when: %s", i, msg);
    }
    return 0;
}
