/* ts_plots.c -- building the time-series plots of a run (ts_plots.h). */
#include "ts_plots.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../analysis/measure.h"
#include "../analysis/phases.h"
#include "../model/units.h"
#include "../core/xalloc.h"

static char *keep_str(char ***v, size_t *n, const char *s)
{
    *v = xrealloc(*v, (*n + 1) * sizeof **v);
    return (*v)[(*n)++] = xstrdup(s ? s : "");
}

static double *times(const eddy_result *r)
{
    double *t = xcalloc(r->series.nrows, sizeof *t);
    for (size_t i = 0; i < r->series.nrows; i++)
        t[i] = measure_row_t(r, i);
    return t;
}

/* ---- one plot under construction ---------------------------------------------------- */

typedef struct builder {
    ts_plots *P;
    ts_plot *cur;
    const model *m;
    const eddy_result *obs, *base;
    int panel; /* the panel the next series go in */
} builder;

static ts_plot *begin(builder *B, const char *name, const char *title, const char *ylabel, const char *caption)
{
    ts_plots *P = B->P;
    P->v = xrealloc(P->v, (P->n + 1) * sizeof *P->v);
    ts_plot *t = &P->v[P->n++];
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", name);
    snprintf(t->caption, sizeof t->caption, "%s", caption);
    t->p = svg_plot_init();
    t->p.id = keep_str(&t->strings, &t->nstrings, name);
    t->p.title = keep_str(&t->strings, &t->nstrings, title);
    t->p.ylabel = keep_str(&t->strings, &t->nstrings, ylabel);
    t->p.xlabel = "time (s)";
    t->p.xmin = 0;
    t->p.xmax = B->obs->duration;
    t->p.legend = true;
    t->p.bands = P->bands;
    t->p.nbands = P->nbands;
    t->p.marks = P->marks;
    t->p.nmarks = P->nmarks;
    B->cur = t;
    B->panel = 0;
    return t;
}

/* Add a series: y values for each row of run r (obs or base). */
static void add(builder *B, const eddy_result *r, double *y, const char *label, const char *color, bool dashed,
                bool step)
{
    ts_plot *t = B->cur;
    t->ys = xrealloc(t->ys, (t->nys + 1) * sizeof *t->ys);
    t->series = xrealloc(t->series, (t->p.nseries + 1) * sizeof *t->series);
    t->ys[t->nys++] = y;
    svg_series s = {0};
    s.label = keep_str(&t->strings, &t->nstrings, label);
    s.x = r == B->obs ? B->P->t_obs : B->P->t_base;
    s.y = y;
    s.n = r->series.nrows;
    s.color = color;
    s.faint = r != B->obs;
    s.dashed = dashed;
    s.step = step;
    s.panel = B->panel;
    t->series[t->p.nseries++] = s;
    t->p.series = t->series;
}

/* A column's values, times `scale`, or NULL if the run has no such column. */
static double *column(const eddy_result *r, const char *name, double scale)
{
    int c = eddy_series_column(&r->series, name);
    if (c < 0)
        return NULL;
    double *y = xcalloc(r->series.nrows, sizeof *y);
    for (size_t i = 0; i < r->series.nrows; i++)
        y[i] = eddy_series_at(&r->series, i, (size_t)c) * scale;
    return y;
}

/* The column in the observed run, and the same column faint from the baseline. */
static void add_col(builder *B, const char *col, const char *label, const char *color, double scale, bool step)
{
    double *y = column(B->obs, col, scale);
    if (!y)
        return;
    add(B, B->obs, y, label, color, false, step);
    if (B->base && (y = column(B->base, col, scale))) {
        char lb[300];
        snprintf(lb, sizeof lb, "%s (baseline)", label);
        add(B, B->base, y, lb, color, false, step);
    }
}

static double *per_row(const eddy_result *r, const model *m, double (*f)(const model *, const eddy_result *, size_t))
{
    double *y = xcalloc(r->series.nrows, sizeof *y);
    for (size_t i = 0; i < r->series.nrows; i++)
        y[i] = f(m, r, i);
    return y;
}

/* A file-name-safe stem from a user's name. */
static void stem(char *buf, size_t size, const char *prefix, size_t index, const char *name)
{
    int n = snprintf(buf, size, "%s-%zu-", prefix, index);
    size_t k = n > 0 ? (size_t)n : 0;
    for (const char *s = name; *s && k + 1 < size && k < 80; s++)
        buf[k++] = ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_' ||
                    *s == '-')
                       ? *s
                       : '_';
    buf[k] = 0;
}

/* Columns whose name ends with ".suffix", in series order. */
static size_t suffix_cols(const eddy_result *r, const char *suffix, int *out, size_t max)
{
    size_t n = 0, ls = strlen(suffix);
    for (size_t c = 0; c < r->series.ncols && n < max; c++) {
        const char *name = r->series.names[c];
        size_t ln = strlen(name);
        if (ln > ls && !strcmp(name + ln - ls, suffix) && name[ln - ls - 1] == '.')
            out[n++] = (int)c;
    }
    return n;
}

static void entity_of(const char *col, char *buf, size_t size)
{
    const char *dot = strrchr(col, '.');
    snprintf(buf, size, "%.*s", dot ? (int)(dot - col) : (int)strlen(col), col);
}

static void suffix_plot(builder *B, const char *suffix, const char *name, const char *title, const char *ylabel,
                        const char *caption, double scale, bool step, double ymax)
{
    int cols[64];
    size_t n = suffix_cols(B->obs, suffix, cols, 64);
    if (!n)
        return;
    ts_plot *t = begin(B, name, title, ylabel, caption);
    if (isfinite(ymax))
        t->p.ymax = ymax;
    for (size_t k = 0; k < n; k++) {
        const char *col = B->obs->series.names[cols[k]];
        char ent[256];
        entity_of(col, ent, sizeof ent);
        add_col(B, col, ent, svg_color(k), scale, step);
    }
}

/* ---- the set ----------------------------------------------------------------------------- */

int ts_plots_build(ts_plots *P, const model *m, const eddy_result *obs, const eddy_result *base)
{
    memset(P, 0, sizeof *P);
    if (!obs->series.nrows)
        return -1;
    if (base && !base->series.nrows)
        base = NULL;
    P->t_obs = times(obs);
    P->t_base = base ? times(base) : NULL;
    P->bands = xcalloc(m->nfaults, sizeof *P->bands);
    P->marks = xcalloc(m->nactions + m->nfaults, sizeof *P->marks);
    for (size_t i = 0; i < m->nfaults; i++) {
        const fault_spec *f = &m->faults[i];
        char d[192];
        phases_describe_fault(m, f, d, sizeof d);
        if (f->dur > 0) /* a window: shaded */
            P->bands[P->nbands++] = (svg_band){t_sec(f->at), t_sec(f->at + f->dur), keep_str(&P->labels, &P->nlabels, d)};
        else /* an instant (a flush, a restart): marked like an action */
            P->marks[P->nmarks++] = (svg_mark){t_sec(f->at), keep_str(&P->labels, &P->nlabels, d)};
    }
    for (size_t i = 0; i < m->nactions; i++) {
        const action_spec *a = &m->actions[i];
        if (a->when)
            continue; /* a response: when it fires is in the run, not the model */
        const char *who = a->client >= 0 ? m->clients[a->client].name : a->service >= 0 ? m->services[a->service].name : "";
        char d[256];
        if (a->kind == ACTION_RETRY)
            snprintf(d, sizeof d, "%s: retries %s", who, a->retry_on ? "on" : "off");
        else if (a->kind == ACTION_SHED)
            snprintf(d, sizeof d, "%s: shed %.0f%%", who, a->shed * 100);
        else if (a->kind == ACTION_DRAIN)
            snprintf(d, sizeof d, "%s: drain", who);
        else if (a->kind == ACTION_SCALE)
            snprintf(d, sizeof d, "%s: scale to %ld", who, a->replicas);
        else if (a->kind == ACTION_FLUSH && a->cache >= 0 && (size_t)a->cache < m->ncaches)
            snprintf(d, sizeof d, "flush %s", m->caches[a->cache].name);
        else
            snprintf(d, sizeof d, "%s%saction", who, who[0] ? ": " : ""); /* a kind added after this was written */
        P->marks[P->nmarks++] = (svg_mark){t_sec(a->at), keep_str(&P->labels, &P->nlabels, d)};
    }
    builder B = {.P = P, .m = m, .obs = obs, .base = base};
    char name[96], title[300], cap[256], col[300];

    /* goodput against offered load, every client summed; offered dark and
     * dashed, drawn over the rest (svg.h), so that it shows where the
     * baseline's goodput runs along it */
    begin(&B, "goodput", "Goodput and offered load", "user requests/s",
          "User requests offered (dashed) and succeeded per second, every client summed; the faint line is the "
          "baseline's goodput, without the faults.");
    add(&B, obs, per_row(obs, m, measure_demand), "offered", "#555555", true, false);
    add(&B, obs, per_row(obs, m, measure_goodput), "goodput", "#1f77b4", false, false);
    if (base)
        add(&B, base, per_row(base, m, measure_goodput), "goodput (baseline)", "#1f77b4", false, false);

    /* retries */
    begin(&B, "retries", "Retries", "retries/s",
          "Attempts after the first, per second, for each client; faint: the baseline.");
    for (size_t c = 0; c < m->nclients; c++) {
        snprintf(col, sizeof col, "%s.retries", m->clients[c].name);
        add_col(&B, col, m->clients[c].name, svg_color(c), 1, false);
    }

    /* queue and busy workers per service, each on its own axis: a queue
     * of a thousand would flatten twenty busy workers to a line */
    for (size_t s = 0; s < m->nservices; s++) {
        const char *sn = m->services[s].name;
        stem(name, sizeof name, "service", s + 1, sn);
        snprintf(title, sizeof title, "%s: queue and busy workers", sn);
        snprintf(cap, sizeof cap,
                 "Requests waiting in %s's queue (upper panel) and workers busy (lower panel), time-averaged per "
                 "interval.",
                 sn);
        ts_plot *t = begin(&B, name, title, "queue", cap);
        t->p.height = 340;
        t->p.ylabel2 = "busy workers";
        snprintf(col, sizeof col, "%s.queue", sn);
        add_col(&B, col, "queue", "#d62728", 1, false);
        B.panel = 1;
        snprintf(col, sizeof col, "%s.busy", sn);
        add_col(&B, col, "busy workers", "#2ca02c", 1, false);
    }

    /* p99 latency of the clients: ms when it stays under a second */
    double top = 0;
    bool gaps = false;
    for (size_t c = 0; c < m->nclients; c++) {
        int k = measure_col(obs, m->clients[c].name, "latency_p99");
        for (size_t i = 0; k >= 0 && i < obs->series.nrows; i++) {
            double v = eddy_series_at(&obs->series, i, (size_t)k);
            if (isfinite(v) && v > top)
                top = v;
            gaps |= !isfinite(v);
        }
    }
    bool ms = top < 1;
    ts_plot *lt = begin(&B, "latency", "p99 latency", ms ? "p99 latency (ms)" : "p99 latency (s)",
                        "The 99th percentile of successful user requests' latency in each interval, per client (gaps: "
                        "no request succeeded); faint: the baseline.");
    /* the standalone file has no caption: it says why its line breaks */
    if (gaps)
        lt->p.note = "gaps: intervals in which no request succeeded";
    for (size_t c = 0; c < m->nclients; c++) {
        snprintf(col, sizeof col, "%s.latency_p99", m->clients[c].name);
        add_col(&B, col, m->clients[c].name, svg_color(c), ms ? 1000 : 1, false);
    }

    suffix_plot(&B, "replicas", "replicas", "Replicas", "replicas",
                "Replicas of each autoscaled service; faint: the baseline.", 1, true, NAN);
    suffix_plot(&B, "hit_ratio", "hit-ratio", "Cache hit ratio", "hit ratio (%)",
                "The fraction of lookups each cache answered; faint: the baseline.", 100, false, 100);
    suffix_plot(&B, "breaker_open", "breakers", "Circuit breakers", "state (1 open, 0.5 half-open, 0 closed)",
                "Each breaker's state at the end of the interval, averaged over caller instances.", 1, true, 1);
    return 0;
}

void ts_plots_events(const ts_plots *P, svg_plot *into)
{
    if (!P->n)
        return;
    into->bands = P->v[0].p.bands;
    into->nbands = P->v[0].p.nbands;
    into->marks = P->v[0].p.marks;
    into->nmarks = P->v[0].p.nmarks;
}

void ts_plots_free(ts_plots *P)
{
    for (size_t i = 0; i < P->n; i++) {
        ts_plot *t = &P->v[i];
        for (size_t k = 0; k < t->nys; k++)
            free(t->ys[k]);
        for (size_t k = 0; k < t->nstrings; k++)
            free(t->strings[k]);
        free(t->ys);
        free(t->strings);
        free(t->series);
    }
    for (size_t k = 0; k < P->nlabels; k++)
        free(P->labels[k]);
    free(P->labels);
    free(P->v);
    free(P->t_obs);
    free(P->t_base);
    free(P->bands);
    free(P->marks);
    memset(P, 0, sizeof *P);
}

int ts_plots_write_dir(const ts_plots *P, const char *dir, char *failed, size_t failed_size)
{
    int n = 0;
    for (size_t i = 0; i < P->n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.svg", dir, P->v[i].name);
        FILE *f = fopen(path, "w");
        if (!f) {
            snprintf(failed, failed_size, "%s", path);
            return -1;
        }
        svg_prolog(f);
        svg_plot_write(f, &P->v[i].p);
        int bad = ferror(f);
        if (fclose(f) != 0 || bad) {
            if (!errno)
                errno = EIO;
            snprintf(failed, failed_size, "%s", path);
            return -1;
        }
        n++;
    }
    return n;
}
