/* ltm_out.c -- text, CSV and JSON forms of a Loops That Matter analysis. */
#include "ltm_out.h"

#include <math.h>
#include <stdlib.h>

#include "csv.h"
#include "json_num.h"

#define DASH "\xe2\x80\x93" /* – */

static void loop_set(FILE *f, const loop_analysis *a, const ltm_phase *p)
{
    for (size_t j = 0; j < p->n; j++)
        fprintf(f, "%s%s", j == 0 ? "" : j + 1 == p->n ? " and " : ", ", a->loops[p->loops[j]].name);
}

/* Each loop's largest |relative score| and its mean over the scored rows. */
static void loop_stats(const ltm_result *r, size_t i, double *peak, double *mean)
{
    double pk = 0, sum = 0;
    size_t n = 0;
    for (size_t row = 0; row < r->nrows; row++) {
        double x = r->rel[row * r->nloops + i];
        if (fabs(x) > fabs(pk))
            pk = x;
        sum += x;
        n++;
    }
    *peak = pk;
    *mean = n ? sum / (double)n : 0;
}

void ltmout_text(FILE *f, const loop_analysis *a, const ltm_result *r, const char *units)
{
    const char *sp = units && *units ? " " : "";
    if (!units)
        units = "";
    if (a->n == 0) {
        fprintf(f, "\nLoop dominance: no loops, so none dominates\n");
        return;
    }
    fprintf(f, "\nLoop dominance (Loops That Matter, %s: relative loop scores; a loop, or the fewest loops, with at "
               "least half of the total dominates):\n", ltm_formula_cite(r->formula));
    for (size_t part = 0; part < r->npartitions; part++) {
        if (r->npartitions > 1) {
            fprintf(f, "  loops ");
            bool first = true;
            for (size_t i = 0; i < a->n; i++)
                if (r->partition[i] == part) {
                    fprintf(f, "%s%s", first ? "" : ", ", a->loops[i].name);
                    first = false;
                }
            fprintf(f, ":\n");
        }
        ltm_phase *ph;
        size_t n = ltm_phases(r, part, &ph);
        for (size_t k = 0; k < n; k++) {
            fprintf(f, "  %s%g" DASH "%g%s%s: ", r->npartitions > 1 ? "  " : "", ph[k].from, ph[k].to, sp, units);
            if (ph[k].n == 0) {
                /* 2023 scores a stock's loops by the change of its net
                 * flow: a stock moving at a constant rate scores none */
                fprintf(f, "no loop is active (%s)\n",
                        r->formula == LTM_2020 ? "nothing changes" : "no net flow changes");
                continue;
            }
            loop_set(f, a, &ph[k]);
            fprintf(f, " %s (mean |relative score| %.2f)\n", ph[k].n == 1 ? "dominates" : "together dominate",
                    ph[k].mean);
        }
        ltm_phases_free(ph, n);
    }
    fprintf(f, "\n  %-8s %-12s %9s %9s\n", "loop", "", "peak", "mean");
    for (size_t i = 0; i < a->n; i++) {
        double peak, mean;
        loop_stats(r, i, &peak, &mean);
        fprintf(f, "  %-8s %-12s %9.3f %9.3f\n", a->loops[i].name,
                a->loops[i].type == 'R' ? "reinforcing" : a->loops[i].type == 'B' ? "balancing" : "changing", peak,
                mean);
    }
}

int ltmout_csv(FILE *f, const loop_analysis *a, const ltm_result *r)
{
    fputs("time", f);
    for (size_t i = 0; i < a->n; i++)
        fprintf(f, ",%s.relative_score", a->loops[i].name);
    for (size_t i = 0; i < a->n; i++)
        fprintf(f, ",%s.score", a->loops[i].name);
    fputc('\n', f);
    for (size_t row = 0; row < r->nrows; row++) {
        fprintf(f, "%.10g", r->t[row]);
        for (size_t i = 0; i < a->n; i++)
            csv_num(f, r->rel[row * r->nloops + i]);
        for (size_t i = 0; i < a->n; i++)
            csv_num(f, r->score[row * r->nloops + i]);
        fputc('\n', f);
    }
    return ferror(f) ? -1 : 0;
}

json_t *ltmout_json(const loop_analysis *a, const ltm_result *r, const char *units)
{
    json_t *root = json_object();
    char method[128];
    snprintf(method, sizeof method, "loops that matter (%s)", ltm_formula_cite(r->formula));
    json_object_set_new(root, "method", json_string(method));
    json_object_set_new(root, "ltm", json_string(ltm_formula_name(r->formula)));
    json_object_set_new(root, "time_units", json_string(units ? units : ""));
    json_t *phases = json_array();
    for (size_t part = 0; part < r->npartitions; part++) {
        ltm_phase *ph;
        size_t n = ltm_phases(r, part, &ph);
        for (size_t k = 0; k < n; k++) {
            json_t *o = json_object();
            json_object_set_new(o, "partition", json_integer((json_int_t)part));
            json_object_set_new(o, "from", json_num(ph[k].from));
            json_object_set_new(o, "to", json_num(ph[k].to));
            json_t *ls = json_array();
            for (size_t j = 0; j < ph[k].n; j++)
                json_array_append_new(ls, json_string(a->loops[ph[k].loops[j]].name));
            json_object_set_new(o, "dominant", ls);
            json_object_set_new(o, "mean_share", json_num(ph[k].mean));
            json_array_append_new(phases, o);
        }
        ltm_phases_free(ph, n);
    }
    json_object_set_new(root, "phases", phases);
    json_t *loops = json_array();
    for (size_t i = 0; i < a->n; i++) {
        double peak, mean;
        loop_stats(r, i, &peak, &mean);
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(a->loops[i].name));
        json_object_set_new(o, "partition", json_integer((json_int_t)r->partition[i]));
        json_object_set_new(o, "peak_relative_score", json_num(peak));
        json_object_set_new(o, "mean_relative_score", json_num(mean));
        json_array_append_new(loops, o);
    }
    json_object_set_new(root, "loops", loops);
    return root;
}
