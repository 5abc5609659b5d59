/* check_out.c -- printing `eddy check`'s verdicts as text, JSON and JUnit. */
#include "check_out.h"
#include "xml_text.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include "../model/units.h"
#include "eddy.h"
#include "json_num.h"

static void checkout_dur(simtime t, char *buf, size_t size) { units_format_duration(t, buf, (int)size); }

void checkout_describe(const model *m, const hypothesis *h, char *buf, size_t size)
{
    char a[32], b[32], w[128];
    (void)m;
    checkout_dur(h->within, a, sizeof a);
    switch (h->window) {
    case HW_BEFORE:
        snprintf(w, sizeof w, "before the faults");
        break;
    case HW_DURING:
        if (h->within)
            snprintf(w, sizeof w, "during the faults, from %s into each", a);
        else
            snprintf(w, sizeof w, "during the faults");
        break;
    case HW_AFTER:
        if (h->within)
            snprintf(w, sizeof w, "from %s after the faults", a);
        else
            snprintf(w, sizeof w, "after the faults");
        break;
    case HW_RUN:
        snprintf(w, sizeof w, "over the run");
        break;
    case HW_RANGE:
        checkout_dur(h->from, a, sizeof a);
        checkout_dur(h->to, b, sizeof b);
        if (h->to)
            snprintf(w, sizeof w, "from %s to %s", a, b);
        else
            snprintf(w, sizeof w, "from %s to the end", a);
        break;
    }
    snprintf(buf, size, "%s of %s.%s %s", hyp_stat_name(h->stat), h->entity, h->metric, w);
}

/* "<= 200ms" or ">= 95% of baseline" */
static void checkout_threshold(const hypothesis *h, char *buf, size_t size)
{
    char t[48];
    if (h->relative) {
        snprintf(buf, size, "%s %.4g%% of baseline%s", hyp_cmp_symbol(h->cmp), h->threshold * 100,
                 h->baseline == HB_NO_FAULTS ? " (no faults)" : " (before the faults)");
        return;
    }
    hyp_format(h->unit, h->threshold, t, sizeof t);
    snprintf(buf, size, "%s %s", hyp_cmp_symbol(h->cmp), t);
}

void checkout_text(FILE *f, const check_report *r, const char *path)
{
    fprintf(f, "eddy check %s  (%u seed%s from %llu)\n", path, r->seeds, r->seeds == 1 ? "" : "s",
            (unsigned long long)r->seed);
    for (size_t k = 0; k < r->n; k++) {
        const check_verdict *v = &r->v[k];
        const hypothesis *h = v->h;
        char d[400], th[96], mean[48], lo[48], hi[48], lim[48];
        checkout_describe(r->m, h, d, sizeof d);
        checkout_threshold(h, th, sizeof th);
        hyp_format(h->unit, v->mean, mean, sizeof mean);
        hyp_format(h->unit, v->min, lo, sizeof lo);
        hyp_format(h->unit, v->max, hi, sizeof hi);
        fprintf(f, "  %s  %s\n", v->pass ? "PASS" : "FAIL", h->name);
        fprintf(f, "        %s: %s", d, mean);
        if (r->seeds > 1 && !isnan(v->mean))
            fprintf(f, " (seeds %s to %s)", lo, hi);
        fprintf(f, ", needs %s", th);
        if (h->relative) {
            hyp_format(h->unit, v->limit_mean, lim, sizeof lim);
            fprintf(f, " = %s", lim);
        }
        fprintf(f, "; held on %zu of %u seed%s", v->passed, r->seeds, r->seeds == 1 ? "" : "s");
        if (v->nodata)
            fprintf(f, "; nothing to measure on %zu (%s)", v->nodata,
                    h->unit == HU_SECONDS ? "no request succeeded in the window" : "no samples in the window");
        fputc('\n', f);
        if (!v->pass && r->seeds > 1) {
            fprintf(f, "        failed on seed%s", r->seeds - v->passed == 1 ? "" : "s");
            for (unsigned s = 0; s < r->seeds; s++)
                if (!v->seeds[s].pass) {
                    hyp_format(h->unit, v->seeds[s].value, lo, sizeof lo);
                    fprintf(f, " %llu (%s)", (unsigned long long)v->seeds[s].seed, lo);
                }
            fputc('\n', f);
        }
    }
    fprintf(f, "%zu hypothes%s: %zu passed, %zu failed\n", r->n, r->n == 1 ? "is" : "es", r->n - r->failed, r->failed);
}

json_t *checkout_json(const check_report *r, const char *path)
{
    json_t *root = json_object();
    json_object_set_new(root, "model", json_string(path));
    json_object_set_new(root, "seed", json_integer((json_int_t)r->seed));
    json_object_set_new(root, "seeds", json_integer(r->seeds));
    json_t *hs = json_array();
    for (size_t k = 0; k < r->n; k++) {
        const check_verdict *v = &r->v[k];
        const hypothesis *h = v->h;
        char col[512];
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(h->name));
        snprintf(col, sizeof col, "%s.%s", h->entity, h->metric);
        json_object_set_new(o, "metric", json_string(col));
        json_object_set_new(o, "window", json_string(hyp_window_name(h->window)));
        if (h->window == HW_RANGE) {
            json_object_set_new(o, "from", json_real((double)h->from / 1e9));
            json_object_set_new(o, "to", h->to ? json_real((double)h->to / 1e9) : json_null());
        }
        if (h->within)
            json_object_set_new(o, "within", json_real((double)h->within / 1e9));
        json_object_set_new(o, "stat", json_string(hyp_stat_name(h->stat)));
        json_object_set_new(o, "comparison", json_string(hyp_cmp_name(h->cmp)));
        json_object_set_new(o, "threshold", json_real(h->threshold));
        json_object_set_new(o, "relative", json_boolean(h->relative));
        json_object_set_new(o, "baseline", h->relative ? json_string(h->baseline == HB_BEFORE ? "before" : "no_faults")
                                                       : json_null());
        json_object_set_new(o, "line", json_integer(h->pos.line));
        json_object_set_new(o, "pass", json_boolean(v->pass));
        json_object_set_new(o, "passed_seeds", json_integer((json_int_t)v->passed));
        json_object_set_new(o, "mean", json_num(v->mean));
        json_object_set_new(o, "min", json_num(v->min));
        json_object_set_new(o, "max", json_num(v->max));
        json_t *ss = json_array();
        for (unsigned s = 0; s < r->seeds; s++) {
            const check_seed *cs = &v->seeds[s];
            json_t *so = json_object();
            json_object_set_new(so, "seed", json_integer((json_int_t)cs->seed));
            json_object_set_new(so, "value", json_num(cs->value));
            json_object_set_new(so, "limit", json_num(cs->limit));
            if (h->relative)
                json_object_set_new(so, "baseline", json_num(cs->baseline));
            json_object_set_new(so, "pass", json_boolean(cs->pass));
            json_array_append_new(ss, so);
        }
        json_object_set_new(o, "per_seed", ss);
        json_array_append_new(hs, o);
    }
    json_object_set_new(root, "hypotheses", hs);
    json_object_set_new(root, "failed", json_integer((json_int_t)r->failed));
    return root;
}

/* ---- JUnit XML ------------------------------------------------------------------ */

static void checkout_detail(const check_report *r, const check_verdict *v, char *buf, size_t size)
{
    const hypothesis *h = v->h;
    char d[400], th[96], mean[48], lim[48];
    checkout_describe(r->m, h, d, sizeof d);
    checkout_threshold(h, th, sizeof th);
    hyp_format(h->unit, v->mean, mean, sizeof mean);
    hyp_format(h->unit, v->limit_mean, lim, sizeof lim);
    snprintf(buf, size, "%s: %s, needs %s%s%s; held on %zu of %u seed%s", d, mean, th, h->relative ? " = " : "",
             h->relative ? lim : "", v->passed, r->seeds, r->seeds == 1 ? "" : "s");
}

int checkout_junit(FILE *f, const check_report *const *r, const char *const *paths, const char *const *errors,
                   size_t n)
{
    size_t tests = 0, failures = 0, nerr = 0;
    for (size_t i = 0; i < n; i++) {
        tests += r[i] ? r[i]->n : 1;
        failures += r[i] ? r[i]->failed : 0;
        nerr += !r[i];
    }
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(f, "<testsuites name=\"eddy check\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\">\n", tests, failures,
            nerr);
    for (size_t i = 0; i < n; i++) {
        const check_report *R = r[i];
        if (!R) {
            fputs("  <testsuite name=\"", f);
            xml_text(f, paths[i]);
            fputs("\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\">\n    <testcase classname=\"", f);
            xml_text(f, paths[i]);
            fputs("\" name=\"the model loads and runs\">\n      <error type=\"input\" message=\"", f);
            xml_text(f, errors[i] ? errors[i] : "");
            fputs("\"/>\n    </testcase>\n  </testsuite>\n", f);
            continue;
        }
        fputs("  <testsuite name=\"", f);
        xml_text(f, paths[i]);
        fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\">\n", R->n, R->failed);
        fprintf(f, "    <properties>\n      <property name=\"seed\" value=\"%llu\"/>\n"
                   "      <property name=\"seeds\" value=\"%u\"/>\n    </properties>\n",
                (unsigned long long)R->seed, R->seeds);
        for (size_t k = 0; k < R->n; k++) {
            const check_verdict *v = &R->v[k];
            char detail[1024];
            checkout_detail(R, v, detail, sizeof detail);
            fputs("    <testcase classname=\"", f);
            xml_text(f, paths[i]);
            fputs("\" name=\"", f);
            xml_text(f, v->h->name);
            fputs("\">\n", f);
            if (!v->pass) {
                fputs("      <failure type=\"hypothesis\" message=\"", f);
                xml_text(f, detail);
                fputs("\">", f);
                for (unsigned s = 0; s < R->seeds; s++) {
                    char val[48], lim[48], line[160];
                    hyp_format(v->h->unit, v->seeds[s].value, val, sizeof val);
                    hyp_format(v->h->unit, v->seeds[s].limit, lim, sizeof lim);
                    snprintf(line, sizeof line, "seed %llu: %s, needs %s %s: %s\n",
                             (unsigned long long)v->seeds[s].seed, val, hyp_cmp_symbol(v->h->cmp), lim,
                             v->seeds[s].pass ? "held" : "FAILED");
                    xml_text(f, line);
                }
                fputs("</failure>\n", f);
            } else {
                fputs("      <system-out>", f);
                xml_text(f, detail);
                fputs("</system-out>\n", f);
            }
            fputs("    </testcase>\n", f);
        }
        fputs("  </testsuite>\n", f);
    }
    fputs("</testsuites>\n", f);
    return ferror(f) ? -1 : 0;
}

int checkout_junit_may_overwrite(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0)
        return 1;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return 1; /* opening it for writing will say why */
    char head[512] = {0};
    size_t n = fread(head, 1, sizeof head - 1, fp);
    head[n] = 0;
    fclose(fp);
    return strstr(head, "<testsuites name=\"eddy check\"") != NULL;
}
