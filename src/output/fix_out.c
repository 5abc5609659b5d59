/* fix_out.c -- writing the measured interventions. */
#include "fix_out.h"
#include "json_num.h"

#include <math.h>
#include <string.h>

#include "../model/patchfile.h"
#include "../model/todo.h"

/* "12.3 ± 0.4" or "-" */
static void ci_str(char *buf, size_t n, ci c, double scale, int prec, const char *unit)
{
    if (!isfinite(c.mean))
        snprintf(buf, n, "-");
    else if (!isfinite(c.half))
        snprintf(buf, n, "%.*f%s", prec, c.mean * scale, unit);
    else
        snprintf(buf, n, "%.*f ± %.*f%s", prec, c.mean * scale, prec, c.half * scale, unit);
}

/* Print s left-aligned in `width` columns: "±" is two bytes but one column. */
static void cell(FILE *fp, const char *s, int width)
{
    int cols = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        cols += (*p & 0xC0) != 0x80;
    fprintf(fp, "%s%*s  ", s, width > cols ? width - cols : 0, "");
}

void fix_capacity_str(char *buf, size_t n, const fix_report *r, const fix_outcome *o, bool as_written)
{
    double w = o->steady_workers.mean, b = r->as_written.steady_workers.mean;
    if (!isfinite(w))
        snprintf(buf, n, "-");
    else if (as_written)
        snprintf(buf, n, "%.4g workers", w);
    else if (fabs(w - b) < 0.05)
        snprintf(buf, n, "same");
    else if (b > 0)
        snprintf(buf, n, "%+.4g workers (%+.0f%%)", w - b, 100 * (w - b) / b);
    else
        snprintf(buf, n, "%+.4g workers", w - b);
}

static void row(FILE *fp, const fix_report *r, const char *level, const char *name, const fix_outcome *o,
                bool as_written, int namew)
{
    char rec[32], rt[48], lost[48], cost[96], cap[64];
    fix_capacity_str(cap, sizeof cap, r, o, as_written);
    snprintf(rec, sizeof rec, "%zu/%u", o->recovered, r->seeds);
    ci_str(rt, sizeof rt, o->recovery_time, 1, 1, " s");
    ci_str(lost, sizeof lost, o->goodput_lost, 100, 1, "%");
    if (as_written)
        snprintf(cost, sizeof cost, "p99 %.0f ms", r->baseline_p99.mean * 1e3);
    else {
        double dp = (o->steady_p99.mean - r->baseline_p99.mean) * 1e3;
        double shed = (1 - o->steady_goodput.mean) * 100;
        snprintf(cost, sizeof cost, "p99 %+.0f ms, goodput %+.1f%%", isfinite(dp) ? dp : 0, isfinite(shed) ? -shed : 0);
    }
    cell(fp, level, 5);
    cell(fp, name, namew);
    cell(fp, rec, 9);
    cell(fp, rt, 16);
    cell(fp, lost, 16);
    cell(fp, cap, 22);
    if (o->writes) {
        char d[48], l[48], g[48];
        ci_str(d, sizeof d, o->duplicated, 1, 0, "");
        ci_str(l, sizeof l, o->lost, 1, 0, "");
        ci_str(g, sizeof g, o->ghost, 1, 0, "");
        cell(fp, d, 14);
        cell(fp, l, 12);
        cell(fp, g, 12);
    }
    fprintf(fp, "%s\n", cost);
}

void fix_text(FILE *fp, const fix_report *r, const char *path)
{
    fprintf(fp, "eddy fix %s  (%u seeds from %llu, %zu runs)\n", path, r->seeds, (unsigned long long)r->seed, r->runs);
    if (todo_assumed_line())
        fprintf(fp, "%s\n", todo_assumed_line());
    fprintf(fp, "Each intervention runs on the same seeds as the model as written: with its faults\n"
                "(recovered, time to recover after the trigger ends, goodput lost from the trigger\n"
                "on, vs the baseline without faults) and without them (steady-state cost).  ±: 95%%\n"
                "confidence interval over seeds.\n\n");
    int namew = 44; /* as wide as the longest name */
    for (size_t i = 0; i < r->n; i++)
        if ((int)strlen(r->v[i].name) > namew)
            namew = (int)strlen(r->v[i].name);
    if (r->as_written.writes) /* the integrity ledger's counts, with the faults */
        fprintf(fp, "%-5s  %-*s  %-9s  %-16s  %-16s  %-22s  %-14s  %-12s  %-12s  %s\n", "level", namew, "intervention",
                "recovered", "time to recover", "goodput lost", "capacity", "duplicated", "lost", "ghost",
                "steady-state cost");
    else
        fprintf(fp, "%-5s  %-*s  %-9s  %-16s  %-16s  %-22s  %s\n", "level", namew, "intervention", "recovered",
                "time to recover", "goodput lost", "capacity", "steady-state cost");
    row(fp, r, "-", "(as written)", &r->as_written, true, namew);
    for (size_t i = 0; i < r->n; i++) {
        char lv[16];
        snprintf(lv, sizeof lv, "%d", r->v[i].level);
        row(fp, r, lv, r->v[i].name, &r->out[i], false, namew);
    }
    fprintf(fp, "\n%s\n", r->summary);
    if (r->platform_summary[0])
        fprintf(fp, "%s\n", r->platform_summary);
    if (r->response_summary[0])
        fprintf(fp, "%s\n", r->response_summary);
    if (r->noops[0])
        fprintf(fp, "\nleft out, no effect on this model (every run identical to the model as written): %s\n",
                r->noops);
    fprintf(fp, "\nwhat each changes:\n");
    for (size_t i = 0; i < r->n; i++)
        fprintf(fp, "  %-*s  [%s] %s\n", namew, r->v[i].name, leverage_name(r->v[i].level), r->v[i].change);
}

static json_t *ci_json(ci c)
{
    json_t *o = json_object();
    json_object_set_new(o, "mean", json_num(c.mean));
    json_object_set_new(o, "ci95", json_num(c.half));
    return o;
}

static json_t *outcome_json(const fix_report *r, const fix_outcome *o)
{
    json_t *x = json_object();
    json_object_set_new(x, "recovered", json_boolean(fix_recovers(r, o)));
    json_object_set_new(x, "recovered_seeds", json_integer((json_int_t)o->recovered));
    json_object_set_new(x, "recovery_time", ci_json(o->recovery_time));
    json_object_set_new(x, "goodput_lost", ci_json(o->goodput_lost));
    json_object_set_new(x, "steady_p99", ci_json(o->steady_p99));
    json_object_set_new(x, "steady_goodput", ci_json(o->steady_goodput));
    json_object_set_new(x, "steady_workers", ci_json(o->steady_workers));
    if (o->writes) {
        json_object_set_new(x, "writes_duplicated", ci_json(o->duplicated));
        json_object_set_new(x, "writes_lost", ci_json(o->lost));
        json_object_set_new(x, "writes_ghost", ci_json(o->ghost));
    }
    return x;
}

json_t *fix_json(const fix_report *r, const char *path)
{
    json_t *o = json_object();
    json_object_set_new(o, "model", json_string(path));
    json_object_set_new(o, "seeds", json_integer(r->seeds));
    json_object_set_new(o, "seed", json_integer((json_int_t)r->seed));
    json_object_set_new(o, "runs", json_integer((json_int_t)r->runs));
    json_object_set_new(o, "as_written", outcome_json(r, &r->as_written));
    json_t *arr = json_array();
    for (size_t i = 0; i < r->n; i++) {
        json_t *x = outcome_json(r, &r->out[i]);
        json_object_set_new(x, "name", json_string(r->v[i].name));
        json_object_set_new(x, "level", json_integer(r->v[i].level));
        json_object_set_new(x, "leverage", json_string(leverage_name(r->v[i].level)));
        json_object_set_new(x, "change", json_string(r->v[i].change));
        json_object_set_new(x, "user", json_boolean(r->v[i].user));
        json_array_append_new(arr, x);
    }
    json_object_set_new(o, "interventions", arr);
    json_object_set_new(o, "summary", json_string(r->summary));
    json_object_set_new(o, "platform_summary", r->platform_summary[0] ? json_string(r->platform_summary) : json_null());
    json_object_set_new(o, "response_summary", r->response_summary[0] ? json_string(r->response_summary) : json_null());
    json_object_set_new(o, "left_out", json_string(r->noops));
    return o;
}
