/* basin_out.c -- the basin map as a table, JSON and CSV. */
#include "basin_out.h"
#include "json_num.h"

#include <math.h>
#include <string.h>

#include "csv.h"

static const char *status_name(basin_status s)
{
    switch (s) {
    case BASIN_CROSSES:
        return "crosses";
    case BASIN_NEVER:
        return "never";
    case BASIN_ALWAYS:
        return "always";
    }
    return "?";
}

/* The points of row j: [*from, *to). */
static void row_points(const basin_result *r, size_t j, size_t *from, size_t *to)
{
    size_t i = 0;
    while (i < r->npoints && r->points[i].row < j)
        i++;
    *from = i;
    while (i < r->npoints && r->points[i].row == j)
        i++;
    *to = i;
}

/* One character per P: '.' never, 1-9 tenths, '#' always. */
static char p_char(double p)
{
    if (p <= 0)
        return '.';
    if (p >= 1)
        return '#';
    int d = (int)lround(p * 10);
    return (char)('0' + (d < 1 ? 1 : d > 9 ? 9 : d));
}

void basin_text(FILE *fp, const char *model_path, const basin_result *r)
{
    const basin_opts *o = &r->opts;
    char xlo[64], xhi[64], ylo[64], yhi[64];
    basin_format_value(&o->x, o->x.lo, xlo, sizeof xlo);
    basin_format_value(&o->x, o->x.hi, xhi, sizeof xhi);
    basin_format_value(&o->y, o->y.lo, ylo, sizeof ylo);
    basin_format_value(&o->y, o->y.hi, yhi, sizeof yhi);
    fprintf(fp, "eddy basin %s  (%u seed%s per point from seed %llu; ", model_path, o->seeds,
            o->seeds == 1 ? "" : "s", (unsigned long long)r->base_seed);
    if (o->grid > 0)
        fprintf(fp, "a grid of %d x values per row)\n", o->grid);
    else
        fprintf(fp, "bisection, %d steps per row)\n", o->iterations);
    fprintf(fp, "trigger: %s (faults[0]);  x: %s %s..%s;  y: %s %s..%s\n\n", r->fault, o->x.path, xlo, xhi, o->y.path,
            ylo, yhi);
    char plo_h[80], phi_h[80];
    snprintf(plo_h, sizeof plo_h, "P(%s)", xlo);
    snprintf(phi_h, sizeof phi_h, "P(%s)", xhi);
    fprintf(fp, "  %-10s %-22s %-22s %9s %9s %6s", o->y.path, "critical", "bracket", plo_h, phi_h, "runs");
    if (o->grid > 0)
        fprintf(fp, "  P over x (. 0, 1-9 tenths, # 1)");
    fputc('\n', fp);
    for (size_t j = 0; j < r->nrows; j++) {
        const basin_row *row = &r->rows[j];
        size_t from, to;
        row_points(r, j, &from, &to);
        char y[64], crit[96] = "", br[160] = "-", a[64], b[64];
        basin_format_value(&o->y, row->y, y, sizeof y);
        switch (row->status) {
        case BASIN_CROSSES:
            basin_format_value(&o->x, row->critical, a, sizeof a);
            snprintf(crit, sizeof crit, "%s %s", row->rising ? ">" : "<", a);
            basin_format_value(&o->x, fmin(row->safe, row->tips), a, sizeof a);
            basin_format_value(&o->x, fmax(row->safe, row->tips), b, sizeof b);
            snprintf(br, sizeof br, "%s..%s", a, b);
            break;
        case BASIN_NEVER:
            snprintf(crit, sizeof crit, "never tips");
            break;
        case BASIN_ALWAYS:
            snprintf(crit, sizeof crit, "always tips");
            break;
        }
        unsigned runs = 0;
        for (size_t i = from; i < to; i++)
            runs += r->points[i].n;
        double plo = to > from ? r->points[from].p : NAN, phi = to > from ? r->points[to - 1].p : NAN;
        fprintf(fp, "  %-10s %-22s %-22s %9.2f %9.2f %6u", y, crit, br, plo, phi, runs);
        if (o->grid > 0) {
            fputs("  ", fp);
            for (size_t i = from; i < to; i++)
                fputc(p_char(r->points[i].p), fp);
        }
        fputc('\n', fp);
    }
    fprintf(fp, "\ncritical: the %s at which P(metastable), the share of seeds whose failure outlives\n"
                "the trigger, crosses 1/2 (\"> v\": larger values tip it).  %u runs.\n",
            o->x.path, r->runs);
    if (r->open_runs)
        fprintf(fp, "note: %u runs ended with the fault still open; they cannot be judged and count as not "
                    "metastable.\n",
                r->open_runs);
    char line[768];
    basin_summary(r, line, sizeof line);
    fprintf(fp, "\n%s\n", line);
}

static json_t *axis_json(const basin_axis *a)
{
    json_t *o = json_object();
    json_object_set_new(o, "path", json_string(a->path));
    json_object_set_new(o, "lo", json_real(a->lo));
    json_object_set_new(o, "hi", json_real(a->hi));
    json_object_set_new(o, "unit", json_string(a->unit));
    json_object_set_new(o, "integer", json_boolean(a->integer));
    return o;
}

json_t *basin_json(const char *model_path, const basin_result *r)
{
    const basin_opts *o = &r->opts;
    json_t *root = json_object();
    json_object_set_new(root, "model", json_string(model_path));
    json_object_set_new(root, "seed", json_integer((json_int_t)r->base_seed));
    json_object_set_new(root, "seeds", json_integer(o->seeds));
    json_object_set_new(root, "method", json_string(o->grid > 0 ? "grid" : "bisection"));
    if (o->grid > 0)
        json_object_set_new(root, "grid", json_integer(o->grid));
    else
        json_object_set_new(root, "iterations", json_integer(o->iterations));
    json_object_set_new(root, "trigger", json_string(r->fault));
    json_object_set_new(root, "outcome", json_string(r->outcome));
    json_object_set_new(root, "x", axis_json(&o->x));
    json_object_set_new(root, "y", axis_json(&o->y));
    json_t *rows = json_array();
    for (size_t j = 0; j < r->nrows; j++) {
        const basin_row *row = &r->rows[j];
        json_t *ro = json_object();
        json_object_set_new(ro, "y", json_real(row->y));
        json_object_set_new(ro, "status", json_string(status_name(row->status)));
        json_object_set_new(ro, "rising", row->status == BASIN_CROSSES ? json_boolean(row->rising) : json_null());
        json_object_set_new(ro, "critical", json_num(row->critical));
        json_object_set_new(ro, "safe", json_num(row->safe));
        json_object_set_new(ro, "tips", json_num(row->tips));
        json_array_append_new(rows, ro);
    }
    json_object_set_new(root, "rows", rows);
    json_t *pts = json_array();
    for (size_t i = 0; i < r->npoints; i++) {
        const basin_point *p = &r->points[i];
        json_t *po = json_object();
        json_object_set_new(po, "x", json_real(p->x));
        json_object_set_new(po, "y", json_real(p->y));
        json_object_set_new(po, "p", json_real(p->p));
        json_object_set_new(po, "n", json_integer(p->n));
        json_object_set_new(po, "metastable", json_integer(p->metastable));
        json_object_set_new(po, "open", json_integer(p->open));
        json_object_set_new(po, "amplification_after", json_num(p->amp_after));
        json_array_append_new(pts, po);
    }
    json_object_set_new(root, "points", pts);
    json_object_set_new(root, "runs", json_integer(r->runs));
    char line[768];
    basin_summary(r, line, sizeof line);
    json_object_set_new(root, "summary", json_string(line));
    return root;
}

int basin_csv(FILE *fp, const basin_result *r)
{
    fprintf(fp, "%s,%s,basin.p_metastable,basin.runs,basin.metastable,basin.critical\n", r->opts.y.path,
            r->opts.x.path);
    for (size_t i = 0; i < r->npoints; i++) {
        const basin_point *p = &r->points[i];
        fprintf(fp, "%.10g", p->y);
        csv_num(fp, p->x);
        csv_num(fp, p->p);
        fprintf(fp, ",%u,%u", p->n, p->metastable);
        csv_num(fp, r->rows[p->row].critical);
        fputc('\n', fp);
    }
    return ferror(fp) ? -1 : 0;
}
