/* sd_trace.c -- a stock-and-flow run's summary and plot rows, and the
 * plots drawn from them (stocks one panel per unit, flows beside). */
#include "sd_trace.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "../core/err.h"
#include "csv.h"
#include "svg.h"
#include "../core/xalloc.h"

void sd_trace_init(sd_trace *tr, const sd_model *m, bool keep_rows)
{
    memset(tr, 0, sizeof *tr);
    size_t n = sd_ncols(m);
    tr->m = m;
    tr->ncols = n;
    tr->min = xcalloc(1, (n + 1) * sizeof(double));
    tr->max = xcalloc(1, (n + 1) * sizeof(double));
    tr->first = xcalloc(1, (n + 1) * sizeof(double));
    tr->last = xcalloc(1, (n + 1) * sizeof(double));
    tr->keep = keep_rows;
    tr->stride = 1;
    if (keep_rows) {
        tr->kt = xcalloc(1, SD_TRACE_ROWS * sizeof(double));
        tr->kv = xcalloc(1, SD_TRACE_ROWS * (n + 1) * sizeof(double));
    }
}

void sd_trace_free(sd_trace *tr)
{
    free(tr->min);
    free(tr->max);
    free(tr->first);
    free(tr->last);
    free(tr->kt);
    free(tr->kv);
    memset(tr, 0, sizeof *tr);
}

void sd_trace_row(double t, const double *cols, size_t n, void *ud)
{
    sd_trace *k = ud;
    if (k->csv) {
        fprintf(k->csv, "%.10g", t);
        for (size_t i = 0; i < n; i++)
            csv_num(k->csv, cols[i]);
        fputc('\n', k->csv);
    }
    for (size_t i = 0; i < n; i++) {
        if (k->rows == 0)
            k->min[i] = k->max[i] = k->first[i] = cols[i];
        if (cols[i] < k->min[i])
            k->min[i] = cols[i];
        if (cols[i] > k->max[i])
            k->max[i] = cols[i];
        k->last[i] = cols[i];
    }
    k->rows++;
    if (k->keep && k->seen++ % k->stride == 0) {
        if (k->nkept == SD_TRACE_ROWS) {
            /* keep every other row and double the stride */
            for (size_t r = 0; r < SD_TRACE_ROWS / 2; r++) {
                k->kt[r] = k->kt[2 * r];
                memcpy(k->kv + r * n, k->kv + 2 * r * n, n * sizeof *k->kv);
            }
            k->nkept = SD_TRACE_ROWS / 2;
            k->stride *= 2;
        }
        k->kt[k->nkept] = t;
        memcpy(k->kv + k->nkept * n, cols, n * sizeof *cols);
        k->nkept++;
    }
}

/* One panel: the columns of this kind and unit, from column c on, not yet
 * drawn (at most 12).  Marks them done; returns how many series. */
static size_t tr_panel(const sd_trace *k, int kind, const char *unit, size_t c, char *done, const double *ys,
                       svg_series *ser)
{
    const sd_model *m = k->m;
    size_t ns = 0;
    for (size_t d = c; d < k->ncols && ns < 12; d++)
        if (!done[d] && sd_col_kind(m, d) == kind && strcasecmp(sd_col_units(m, d), unit) == 0) {
            done[d] = 1;
            ser[ns++] = (svg_series){.label = sd_col_name(m, d), .x = k->kt, .y = ys + d * k->nkept, .n = k->nkept};
        }
    return ns;
}

static void tr_draw(const sd_trace *k, FILE *f, int kind, const char *unit, const svg_series *ser, size_t ns,
                    const char *cls)
{
    const sd_model *m = k->m;
    char title[256], ylabel[256], xlabel[256];
    snprintf(title, sizeof title, "%s%s%s", kind == SD_STOCK ? "Stocks" : "Flows", *unit ? " in " : "", unit);
    snprintf(ylabel, sizeof ylabel, "%s", *unit ? unit : kind == SD_STOCK ? "stock" : "flow");
    snprintf(xlabel, sizeof xlabel, "time%s%s%s", *sd_time_units(m) ? " (" : "", sd_time_units(m),
             *sd_time_units(m) ? ")" : "");
    svg_plot p = svg_plot_init();
    p.title = title;
    p.xlabel = xlabel;
    p.ylabel = ylabel;
    p.series = ser;
    p.nseries = ns;
    p.legend = true;
    p.cls = cls;
    svg_plot_write(f, &p);
}

/* Columns as series: ys[c * nkept + r]. */
static double *tr_columns(const sd_trace *k)
{
    double *ys = xcalloc(1, (k->nkept + 1) * (k->ncols + 1) * sizeof *ys);
    for (size_t c = 0; c < k->ncols; c++)
        for (size_t r = 0; r < k->nkept; r++)
            ys[c * k->nkept + r] = k->kv[r * k->ncols + c];
    return ys;
}

int sd_trace_plots_dir(const sd_trace *k, const char *dir, eddy_error *err)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return err_set(err, dir, 0, 0, "cannot make the directory: %s", strerror(errno));
    size_t n = k->ncols;
    char *done = xcalloc(1, n + 1);
    double *ys = tr_columns(k);
    svg_series *ser = xcalloc(1, (n + 1) * sizeof *ser);
    int panel = 0, rc = 0;
    for (int kind = SD_STOCK; kind <= SD_FLOW && !rc; kind++)
        for (size_t c = 0; c < n && !rc; c++) {
            if (done[c] || sd_col_kind(k->m, c) != kind)
                continue;
            const char *unit = sd_col_units(k->m, c);
            size_t ns = tr_panel(k, kind, unit, c, done, ys, ser);
            char path[4096];
            snprintf(path, sizeof path, "%s/%s-%d.svg", dir, kind == SD_STOCK ? "stocks" : "flows", ++panel);
            FILE *f = fopen(path, "w");
            if (!f) {
                rc = err_set(err, path, 0, 0, "cannot write: %s", strerror(errno));
                break;
            }
            svg_prolog(f);
            tr_draw(k, f, kind, unit, ser, ns, NULL);
            if (fclose(f) != 0)
                rc = err_set(err, path, 0, 0, "cannot write: %s", strerror(errno));
        }
    free(done);
    free(ys);
    free(ser);
    return rc;
}

void sd_trace_plots_html(const sd_trace *k, FILE *f)
{
    size_t n = k->ncols;
    char *done = xcalloc(1, n + 1);
    double *ys = tr_columns(k);
    svg_series *ser = xcalloc(1, (n + 1) * sizeof *ser);
    /* each unit's stocks, with the flows of the same unit beside them */
    for (size_t c = 0; c < n; c++) {
        if (done[c] || sd_col_kind(k->m, c) != SD_STOCK)
            continue;
        const char *unit = sd_col_units(k->m, c);
        fputs("<div class=\"pair\">\n", f);
        size_t ns = tr_panel(k, SD_STOCK, unit, c, done, ys, ser);
        tr_draw(k, f, SD_STOCK, unit, ser, ns, "narrow");
        for (size_t d = 0; d < n; d++)
            if (!done[d] && sd_col_kind(k->m, d) == SD_FLOW) {
                /* flows whose unit is this unit per time unit, or the same unit */
                const char *fu = sd_col_units(k->m, d);
                size_t ul = strlen(unit);
                if (*unit && strncasecmp(fu, unit, ul) == 0 && (fu[ul] == '/' || fu[ul] == 0)) {
                    ns = tr_panel(k, SD_FLOW, fu, d, done, ys, ser);
                    tr_draw(k, f, SD_FLOW, fu, ser, ns, "narrow");
                    break;
                }
            }
        fputs("</div>\n", f);
    }
    /* the flows left: one panel per unit */
    for (size_t c = 0; c < n; c++) {
        if (done[c] || sd_col_kind(k->m, c) != SD_FLOW)
            continue;
        const char *unit = sd_col_units(k->m, c);
        size_t ns = tr_panel(k, SD_FLOW, unit, c, done, ys, ser);
        tr_draw(k, f, SD_FLOW, unit, ser, ns, "narrow");
    }
    free(done);
    free(ys);
    free(ser);
}
