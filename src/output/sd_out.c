/* sd_out.c -- tables, CSV, JSON and the HTML page for stock-and-flow
 * sweeps, basins and reports. */
#include "sd_out.h"
#include "xml_text.h"

#include <math.h>
#include <string.h>

#include "csv.h"
#include "json_num.h"
#include "svg.h"

/* The method's name as eddy run --json spells it. */
static const char *out_method_key(int m) { return m == SD_RK4 ? "rk4" : m == SD_RK2 ? "rk2" : "euler"; }

/* What every run shared: the method and dt used, and the --set values. */
static void out_runspec(json_t *j, const sd_runspec *spec, int method, double dt)
{
    json_object_set_new(j, "method", json_string(out_method_key(method)));
    json_object_set_new(j, "dt", json_num(dt));
    json_t *set = json_object();
    for (size_t i = 0; i < spec->nov; i++)
        json_object_set_new(set, spec->ov[i].name, json_num(spec->ov[i].value));
    json_object_set_new(j, "set", set);
}

/* The same, as the text tables' second line. */
static void out_runspec_text(FILE *f, const sd_runspec *spec, int method, double dt)
{
    fprintf(f, "(every run: %s, dt %g", out_method_key(method), dt);
    for (size_t i = 0; i < spec->nov; i++)
        fprintf(f, ", %s=%g", spec->ov[i].name, spec->ov[i].value);
    fputs(")\n", f);
}

void sd_sweep_text(FILE *f, const char *path, const sd_sweep *s)
{
    fprintf(f, "%s: %s from %g to %g, %zu runs; each stock's final value (min..max over the run)\n", path,
            s->x.name, s->x.lo, s->x.hi, s->npoints);
    out_runspec_text(f, &s->spec, s->method, s->dt);
    fprintf(f, "%-14s", s->x.name);
    for (size_t i = 0; i < s->nstocks; i++)
        fprintf(f, " %28.28s", s->names[i]);
    fputc('\n', f);
    for (size_t p = 0; p < s->npoints; p++) {
        fprintf(f, "%-14.6g", s->xs[p]);
        for (size_t i = 0; i < s->nstocks; i++) {
            char cell[64];
            size_t k = p * s->nstocks + i;
            snprintf(cell, sizeof cell, "%.4g (%.3g..%.3g)", s->final[k], s->min[k], s->max[k]);
            fprintf(f, " %28s", cell);
        }
        fputc('\n', f);
    }
}

static void out_csv_name(FILE *f, const char *name, const char *suffix)
{
    if (strpbrk(name, ",\"\n")) {
        fputc('"', f);
        for (const char *p = name; *p; p++) {
            if (*p == '"')
                fputc('"', f);
            fputc(*p, f);
        }
        fprintf(f, "%s\"", suffix);
    } else
        fprintf(f, "%s%s", name, suffix);
}

int sd_sweep_csv(FILE *f, const void *sweep)
{
    const sd_sweep *s = sweep;
    fprintf(f, "# eddy sweep, constant: %s\n", s->x.name);
    out_csv_name(f, s->x.name, "");
    static const char *const what[3] = {".final", ".min", ".max"};
    for (size_t i = 0; i < s->nstocks; i++)
        for (int w = 0; w < 3; w++) {
            fputc(',', f);
            out_csv_name(f, s->names[i], what[w]);
        }
    fputc('\n', f);
    for (size_t p = 0; p < s->npoints; p++) {
        fprintf(f, "%.10g", s->xs[p]);
        for (size_t i = 0; i < s->nstocks; i++) {
            size_t k = p * s->nstocks + i;
            csv_num(f, s->final[k]);
            csv_num(f, s->min[k]);
            csv_num(f, s->max[k]);
        }
        fputc('\n', f);
    }
    return ferror(f) ? -1 : 0;
}

json_t *sd_sweep_json(const char *path, const sd_sweep *s)
{
    json_t *j = json_object();
    json_object_set_new(j, "model", json_string(path));
    out_runspec(j, &s->spec, s->method, s->dt);
    json_t *x = json_object();
    json_object_set_new(x, "name", json_string(s->x.name));
    json_object_set_new(x, "lo", json_num(s->x.lo));
    json_object_set_new(x, "hi", json_num(s->x.hi));
    json_object_set_new(j, "x", x);
    json_t *pts = json_array();
    for (size_t p = 0; p < s->npoints; p++) {
        json_t *o = json_object();
        json_object_set_new(o, s->x.name, json_num(s->xs[p]));
        json_t *st = json_object();
        for (size_t i = 0; i < s->nstocks; i++) {
            size_t k = p * s->nstocks + i;
            json_t *v = json_object();
            json_object_set_new(v, "final", json_num(s->final[k]));
            json_object_set_new(v, "min", json_num(s->min[k]));
            json_object_set_new(v, "max", json_num(s->max[k]));
            json_object_set_new(st, s->names[i], v);
        }
        json_object_set_new(o, "stocks", st);
        json_array_append_new(pts, o);
    }
    json_object_set_new(j, "points", pts);
    return j;
}

void sd_basin_text(FILE *f, const char *path, const sd_basin *b)
{
    const sd_basin_opts *o = &b->o;
    fprintf(f, "%s: where the model tips, along %s from %g to %g\n", path, o->x.name, o->x.lo, o->x.hi);
    fprintf(f, "(a run tips when a stock%s ends more than %g%% away from the run at %s = %g; %zu runs)\n",
            o->njudge ? " judged" : "", o->tolerance * 100, o->x.name, o->x.lo, b->npoints);
    out_runspec_text(f, &b->spec, b->method, b->dt);
    if (o->has_y)
        fprintf(f, "%-14s ", o->y.name);
    fprintf(f, "%s\n", "tips from");
    for (size_t r = 0; r < b->nrows; r++) {
        const sd_basin_row *row = &b->rows[r];
        if (o->has_y)
            fprintf(f, "%-14.6g ", row->y);
        if (row->tips)
            fprintf(f, "%s in (%.6g, %.6g]\n", o->x.name, row->below, row->above);
        else
            fprintf(f, "does not tip up to %s = %g\n", o->x.name, o->x.hi);
    }
}

int sd_basin_csv(FILE *f, const void *basin)
{
    const sd_basin *b = basin;
    if (b->o.has_y) {
        out_csv_name(f, b->o.y.name, "");
        fputc(',', f);
    }
    out_csv_name(f, b->o.x.name, "");
    fputs(",basin.tipped\n", f);
    for (size_t i = 0; i < b->npoints; i++) {
        if (b->o.has_y)
            fprintf(f, "%.10g,", b->points[i].y);
        fprintf(f, "%.10g,%d\n", b->points[i].x, b->points[i].tipped ? 1 : 0);
    }
    return ferror(f) ? -1 : 0;
}

static json_t *out_axis(const sd_axis *a)
{
    json_t *x = json_object();
    json_object_set_new(x, "name", json_string(a->name));
    json_object_set_new(x, "lo", json_num(a->lo));
    json_object_set_new(x, "hi", json_num(a->hi));
    return x;
}

json_t *sd_basin_json(const char *path, const sd_basin *b)
{
    json_t *j = json_object();
    json_object_set_new(j, "model", json_string(path));
    out_runspec(j, &b->spec, b->method, b->dt);
    json_object_set_new(j, "x", out_axis(&b->o.x));
    if (b->o.has_y)
        json_object_set_new(j, "y", out_axis(&b->o.y));
    json_object_set_new(j, "tolerance", json_num(b->o.tolerance));
    json_t *judge = json_array();
    for (size_t i = 0; i < b->o.njudge; i++)
        json_array_append_new(judge, json_string(b->o.judge[i]));
    json_object_set_new(j, "judge", judge);
    json_t *rows = json_array();
    for (size_t r = 0; r < b->nrows; r++) {
        const sd_basin_row *row = &b->rows[r];
        json_t *o = json_object();
        if (b->o.has_y)
            json_object_set_new(o, b->o.y.name, json_num(row->y));
        json_object_set_new(o, "tips", json_boolean(row->tips));
        json_object_set_new(o, "boundary_below", row->tips ? json_num(row->below) : json_null());
        json_object_set_new(o, "boundary_above", row->tips ? json_num(row->above) : json_null());
        json_array_append_new(rows, o);
    }
    json_object_set_new(j, "rows", rows);
    json_t *pts = json_array();
    for (size_t i = 0; i < b->npoints; i++) {
        json_t *o = json_object();
        if (b->o.has_y)
            json_object_set_new(o, b->o.y.name, json_num(b->points[i].y));
        json_object_set_new(o, b->o.x.name, json_num(b->points[i].x));
        json_object_set_new(o, "tipped", json_boolean(b->points[i].tipped));
        json_array_append_new(pts, o);
    }
    json_object_set_new(j, "runs", pts);
    return j;
}

static const char *out_method(int m) { return m == SD_RK4 ? "RK4" : m == SD_RK2 ? "RK2" : "Euler"; }

void sd_report_html(FILE *f, const char *path, const sd_trace *tr, size_t steps, const char *loops, const char *why)
{
    const sd_model *m = tr->m;
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>", f);
    xml_text(f, path);
    fputs("</title>\n<style>\n"
          "body{font-family:system-ui,sans-serif;max-width:1500px;margin:1em auto;padding:0 1em;color:#222}\n"
          "table{border-collapse:collapse;margin:1em 0}td,th{padding:.2em .7em;border-bottom:1px solid #ddd;"
          "text-align:right}td:first-child,th:first-child{text-align:left}\n"
          ".pair{display:flex;flex-wrap:wrap;gap:1em}svg.plot{max-width:100%;height:auto}\n"
          "</style></head><body>\n<h1>",
          f);
    xml_text(f, path);
    fputs("</h1>\n<p>Stock-and-flow model (XMILE), ", f);
    fprintf(f, "%g to %g ", sd_start(m), sd_stop(m));
    xml_text(f, sd_time_units(m));
    fprintf(f, ", dt %g (%s), %zu steps, %zu saved rows.</p>\n", sd_dt(m), out_method(sd_method(m)), steps,
            tr->rows);
    fputs("<h2>Stocks</h2>\n<table><tr><th>stock</th><th>units</th><th>initial</th><th>final</th><th>min</th>"
          "<th>max</th></tr>\n",
          f);
    for (size_t i = 0; i < tr->ncols; i++) {
        if (sd_col_kind(m, i) != SD_STOCK)
            continue;
        fputs("<tr><td>", f);
        xml_text(f, sd_col_name(m, i));
        fputs("</td><td>", f);
        xml_text(f, sd_col_units(m, i));
        fprintf(f, "</td><td>%.6g</td><td>%.6g</td><td>%.6g</td><td>%.6g</td></tr>\n", tr->first[i], tr->last[i],
                tr->min[i], tr->max[i]);
    }
    fputs("</table>\n<h2>Plots</h2>\n<p>Each unit's stocks, with the flows in and out of them beside.</p>\n", f);
    sd_trace_plots_html(tr, f);
    fputs("<h2>Loops</h2>\n<p>The feedback loops of the equations and which dominates when (Loops That Matter;"
          " as <code>eddy loops --dominance</code> prints them).</p>\n",
          f);
    if (loops) {
        fputs("<pre>", f);
        xml_text(f, loops);
        fputs("</pre>\n", f);
    } else {
        fputs("<p>No loops: ", f);
        xml_text(f, why && *why ? why : "none found");
        fputs("</p>\n", f);
    }
    fputs("</body></html>\n", f);
}
