/* avail_out.c -- `eddy avail` as text, JSON and an indented tree. */
#include "avail_out.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json_num.h"
#include "../core/xalloc.h"

/* An availability as a percentage with as many digits as it has nines. */
static void ao_percent(double avail, char *out, size_t n)
{
    /* 9 nines print as 99.9999999%, 2.3 nines as 99.496% */
    double u = 1 - avail, nines = u > 0 ? -log10(u) : 9;
    int d = fabs(nines - round(nines)) < 1e-6 ? (int)round(nines) - 2 : (int)ceil(nines);
    if (d < 2)
        d = 2;
    if (d > 12)
        d = 12;
    snprintf(out, n, "%.*f%%", d, 100 * avail);
}

static double ao_nines(double avail) { return avail < 1 ? -log10(1 - avail) : INFINITY; }

static void ao_line(FILE *f, const char *label, double avail)
{
    char pc[64], nn[32];
    ao_percent(avail, pc, sizeof pc);
    if (avail < 1)
        snprintf(nn, sizeof nn, "%.2f nines", ao_nines(avail));
    else
        snprintf(nn, sizeof nn, "never down");
    fprintf(f, "  %-24s %-16s %-12s %10.4g min/year down\n", label, pc, nn, (1 - avail) * AVAIL_MINUTES_PER_YEAR);
}

/* Importance rows sorted by Fussell-Vesely (DIF), descending. */
static const ft_importance *ao_sort_imp;
static int ao_cmp_imp(const void *a, const void *b)
{
    const ft_importance *x = &ao_sort_imp[*(const size_t *)a], *y = &ao_sort_imp[*(const size_t *)b];
    if (x->dif != y->dif)
        return x->dif > y->dif ? -1 : 1;
    return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

static size_t ao_imp_order(const ft_exact *x, const ft_top_result *tr, size_t *idx)
{
    size_t n = 0;
    for (size_t v = 0; v < x->nvars; v++)
        if (tr->imp && tr->imp[v].in_tree)
            idx[n++] = v;
    ao_sort_imp = tr->imp;
    qsort(idx, n, sizeof *idx, ao_cmp_imp);
    return n;
}

static void ao_callee(const model *m, const client_spec *c, char *out, size_t n)
{
    snprintf(out, n, "%s", call_target_name(m, &c->call));
}

static void ao_dur(double s, char *out, size_t n)
{
    if (s < 120)
        snprintf(out, n, "%.0f s", s);
    else if (s < 7200)
        snprintf(out, n, "%.1f min", s / 60);
    else
        snprintf(out, n, "%.1f h", s / 3600);
}

static void ao_dyn_text(FILE *f, const avail_dyn *d)
{
    if (d->ncases == d->ncutsets)
        fprintf(f, "\ndynamic: every minimal cut set of order 1 or 2 (%zu) simulated request by request, %zu draws of "
                   "its repair time each\n",
                d->ncases, d->draws);
    else
        fprintf(f, "\ndynamic: the %zu most frequent of %zu minimal cut sets of order 1 or 2 simulated request by "
                   "request, %zu draws of its repair time each\n",
                d->ncases, d->ncutsets, d->draws);
    fprintf(f, "  %-30s %8s %10s %-26s %14s %14s\n", "cut set", "per year", "repair", "  user-visible outage",
            "expected", "structural");
    for (size_t c = 0; c < d->ncases; c++) {
        const avail_dyn_case *C = &d->cases[c];
        char name[256] = "", rw[32], ow[64];
        for (size_t i = 0; i < C->order; i++) {
            if (i)
                strncat(name, " + ", sizeof name - strlen(name) - 1);
            strncat(name, C->names[i], sizeof name - strlen(name) - 1);
        }
        ao_dur(C->mean_repair, rw, sizeof rw);
        ao_dur(C->mean_outage, ow, sizeof ow);
        if (C->unrecovered)
            snprintf(ow + strlen(ow), sizeof ow - strlen(ow), " (%zu/%zu not over)", C->unrecovered, d->draws);
        fprintf(f, "  %-30s %8.3g %10s   %-24s %9.4g min/y %9.4g min/y\n", name, C->freq_per_year, rw, ow,
                C->expected_min_per_year, C->structural_min_per_year);
    }
    fprintf(f, "  over these cut sets: %.4g min/year of user-visible outage expected, against %.4g min/year "
               "structural\n",
            d->expected_min_per_year, d->structural_min_per_year);
    if (d->failed)
        fprintf(f, "  note: %d runs could not be made and count as no outage\n", d->failed);
}

/* What the system does, judged by what it does (Beer's POSIWID), in one
 * line from the measurements: for the client whose requests fail most
 * often, the availability its boxes promise, the one it delivers, and its
 * most probable outage.  "" when nothing in the model can fail. */
static void ao_purpose(const avail_report *r, char *out, size_t size)
{
    const avail_model *a = r->a;
    const model *m = a->m;
    const ft_exact *x = r->x;
    int worst = -1;
    double ws = 2;
    for (size_t c = 0; c < m->nclients; c++) {
        int k = a->client_top[c];
        double st = k >= 0 ? 1 - x->tops[k].p : 1;
        if (k >= 0 && st < ws)
            ws = st, worst = (int)c;
    }
    out[0] = 0;
    /* One revealed purpose per report: when the outages were simulated,
     * what users really saw outranks what the structure promises. */
    static const char dyn_prefix[] = "what this system does: ";
    if (r->dyn && r->dyn->purpose[0]) {
        const char *p = r->dyn->purpose;
        if (!strncmp(p, dyn_prefix, sizeof dyn_prefix - 1))
            p += sizeof dyn_prefix - 1;
        snprintf(out, size, "%s", p);
        return;
    }
    if (worst < 0)
        return;
    const ft_top_result *tr = &x->tops[a->client_top[worst]];
    char paper[64], delivered[64], top[1024] = "";
    ao_percent(a->paper[worst], paper, sizeof paper);
    ao_percent(ws, delivered, sizeof delivered);
    double minutes = (1 - ws) * AVAIL_MINUTES_PER_YEAR;
    if (tr->ncutsets) { /* the first cut set is the most probable */
        const ft_cutset *cs = &tr->cutsets[0];
        for (size_t j = 0; j < cs->order; j++) {
            if (j)
                strncat(top, " + ", sizeof top - strlen(top) - 1);
            strncat(top, ft_var_what(a->t, cs->vars[j]), sizeof top - strlen(top) - 1);
        }
    }
    if (ws < a->paper[worst] * (1 - 1e-12))
        snprintf(out, size,
                 "it turns boxes that promise %s to %s into %s (%.4g min of failed requests a year)%s%s",
                 paper, m->clients[worst].name, delivered, minutes, top[0] ? "; its likeliest outage: " : "", top);
    else
        snprintf(out, size, "it delivers the %s its boxes promise to %s (%.4g min of failed requests a year)%s%s",
                 delivered, m->clients[worst].name, minutes, top[0] ? "; its likeliest outage: " : "", top);
}

void availout_text(FILE *f, const avail_report *r)
{
    const avail_model *a = r->a;
    const model *m = a->m;
    const ft_exact *x = r->x;
    fprintf(f, "%s: %zu basic events (%zu replicas and infra, %zu common-cause groups), %zu gates; BDD of %zu nodes\n",
            m->name ? m->name : m->file, ft_nvars(a->t), a->t->nevents, a->t->nccfs, a->t->ngates, x->bdd_nodes);
    for (size_t s = 0; s < m->nservices; s++)
        if (a->services[s].overloaded)
            fprintf(f, "note: %s cannot carry its load (%.4g/s) even with all %ld replicas up; the analysis needs all "
                       "of them\n",
                    m->services[s].name, a->services[s].load, m->services[s].replicas);
    size_t *idx = xcalloc(x->nvars ? x->nvars : 1, sizeof *idx);
    for (size_t c = 0; c < m->nclients; c++) {
        const client_spec *C = &m->clients[c];
        char callee[256], buf[2048];
        ao_callee(m, C, callee, sizeof callee);
        fprintf(f, "\nclient %s -> %s\n", C->name, callee);
        int k = a->client_top[c];
        double structural = k >= 0 ? 1 - x->tops[k].p : 1;
        ao_line(f, "paper availability", a->paper[c]);
        ao_line(f, "structural availability", structural);
        double lost = (a->paper[c] - structural) * AVAIL_MINUTES_PER_YEAR;
        if (structural < a->paper[c])
            fprintf(f, "  %-24s %.2f nines, %.4g min/year\n", "the correlation costs",
                    ao_nines(a->paper[c]) - ao_nines(structural), lost);
        if (k < 0) {
            fprintf(f, "  nothing in the model can fail %s's requests (no failures:, zones: or depends_on: on its "
                       "path)\n",
                    C->name);
            continue;
        }
        const ft_top_result *tr = &x->tops[k];
        if (r->mc) {
            char p1[64], p2[64], p3[64];
            ao_percent(1 - r->mc[k].p, p1, sizeof p1);
            ao_percent(1 - r->mc[k].hi, p2, sizeof p2);
            ao_percent(1 - r->mc[k].lo, p3, sizeof p3);
            fprintf(f, "  %-24s %s (95%%: %s to %s, %llu trials)\n", "Monte Carlo", p1, p2, p3,
                    (unsigned long long)r->mc_trials);
        }
        if (r->hist) {
            char p1[64], p2[64], p3[64];
            ao_percent(1 - r->hist[k].p, p1, sizeof p1);
            ao_percent(1 - r->hist[k].hi, p2, sizeof p2);
            ao_percent(1 - r->hist[k].lo, p3, sizeof p3);
            fprintf(f, "  %-24s %s (95%%: %s to %s, %zu histories of %.3g years)\n", "outage histories", p1, p2, p3,
                    r->hist_reps, r->hist_horizon / AVAIL_SECONDS_PER_YEAR);
        }
        size_t nspof = 0;
        for (size_t i = 0; i < tr->ncutsets; i++)
            if (avail_cutset_order(a, &tr->cutsets[i]) == 1) {
                if (!nspof++)
                    fprintf(f, "  single points of failure:\n");
                avail_cutset_words(a, &tr->cutsets[i], buf, sizeof buf);
                fprintf(f, "    %s\n", buf);
            }
        if (!nspof)
            fprintf(f, "  no single point of failure\n");
        fprintf(f, "  minimal cut sets: %zu", tr->ncutsets);
        if (tr->truncated)
            fprintf(f, " (and more below the cut-off %g%s)", r->cutoff,
                    r->limit_order ? " or the order limit" : "");
        size_t show = tr->ncutsets < r->show ? tr->ncutsets : r->show;
        fprintf(f, "%s\n", show < tr->ncutsets ? ", the most probable:" : ", by probability:");
        fprintf(f, "    %-12s %-6s %s\n", "probability", "order", "events");
        for (size_t i = 0; i < show; i++) {
            const ft_cutset *cs = &tr->cutsets[i];
            buf[0] = 0;
            for (size_t j = 0; j < cs->order; j++) {
                if (j)
                    strncat(buf, " + ", sizeof buf - strlen(buf) - 1);
                strncat(buf, ft_var_what(a->t, cs->vars[j]), sizeof buf - strlen(buf) - 1);
            }
            fprintf(f, "    %-12.4g %-6zu %s\n", cs->p, avail_cutset_order(a, cs), buf);
        }
        if (tr->imp) {
            size_t n = ao_imp_order(x, tr, idx), sh = n < r->show ? n : r->show;
            fprintf(f, "  importance (SCRAM's measures), by Fussell-Vesely:\n");
            fprintf(f, "    %-28s %-10s %-10s %-10s %-10s %-10s %-10s\n", "event", "p", "Birnbaum", "criticality",
                    "F-V", "RAW", "RRW");
            for (size_t i = 0; i < sh; i++) {
                const ft_importance *im = &tr->imp[idx[i]];
                fprintf(f, "    %-28s %-10.3g %-10.3g %-10.3g %-10.3g %-10.4g %-10.4g\n", ft_var_name(a->t, idx[i]),
                        im->p, im->mif, im->cif, im->dif, im->raw, im->rrw);
            }
        }
    }
    free(idx);
    if (r->dyn)
        ao_dyn_text(f, r->dyn);
    char purpose[1536];
    ao_purpose(r, purpose, sizeof purpose);
    if (purpose[0])
        fprintf(f, "\nWhat this system does: %s.\n", purpose);
}

json_t *availout_json(const avail_report *r)
{
    const avail_model *a = r->a;
    const model *m = a->m;
    const ft_exact *x = r->x;
    json_t *root = json_object();
    json_object_set_new(root, "model", json_string(m->name ? m->name : m->file));
    json_object_set_new(root, "basic_events", json_integer((json_int_t)ft_nvars(a->t)));
    json_object_set_new(root, "gates", json_integer((json_int_t)a->t->ngates));
    json_object_set_new(root, "bdd_nodes", json_integer((json_int_t)x->bdd_nodes));
    json_object_set_new(root, "cutoff", json_real(r->cutoff));
    json_t *svcs = json_array();
    for (size_t s = 0; s < m->nservices; s++) {
        json_t *o = json_object();
        json_object_set_new(o, "service", json_string(m->services[s].name));
        json_object_set_new(o, "replicas", json_integer(m->services[s].replicas));
        json_object_set_new(o, "needed", json_integer(a->services[s].needed));
        json_object_set_new(o, "load", json_num(a->services[s].load));
        json_object_set_new(o, "overloaded", json_boolean(a->services[s].overloaded));
        json_array_append_new(svcs, o);
    }
    json_object_set_new(root, "services", svcs);
    json_t *clients = json_array();
    size_t *idx = xcalloc(x->nvars ? x->nvars : 1, sizeof *idx);
    for (size_t c = 0; c < m->nclients; c++) {
        json_t *o = json_object();
        int k = a->client_top[c];
        double structural = k >= 0 ? 1 - x->tops[k].p : 1;
        json_object_set_new(o, "client", json_string(m->clients[c].name));
        json_object_set_new(o, "calls", json_string(call_target_name(m, &m->clients[c].call)));
        json_object_set_new(o, "paper", json_num(a->paper[c]));
        json_object_set_new(o, "structural", json_num(structural));
        json_object_set_new(o, "paper_nines", json_num(ao_nines(a->paper[c])));
        json_object_set_new(o, "structural_nines", json_num(ao_nines(structural)));
        json_object_set_new(o, "paper_downtime_min_per_year", json_num((1 - a->paper[c]) * AVAIL_MINUTES_PER_YEAR));
        json_object_set_new(o, "structural_downtime_min_per_year",
                            json_num((1 - structural) * AVAIL_MINUTES_PER_YEAR));
        json_t *cs = json_array(), *imp = json_array();
        if (k >= 0) {
            const ft_top_result *tr = &x->tops[k];
            json_object_set_new(o, "top_event", json_string(a->t->gates[a->t->tops[k]].name));
            json_object_set_new(o, "cutsets_truncated", json_boolean(tr->truncated));
            for (size_t i = 0; i < tr->ncutsets; i++) {
                const ft_cutset *c0 = &tr->cutsets[i];
                json_t *e = json_object(), *ev = json_array();
                for (size_t j = 0; j < c0->order; j++)
                    json_array_append_new(ev, json_string(ft_var_name(a->t, c0->vars[j])));
                char buf[2048];
                avail_cutset_words(a, c0, buf, sizeof buf);
                json_object_set_new(e, "events", ev);
                json_object_set_new(e, "order", json_integer((json_int_t)avail_cutset_order(a, c0)));
                json_object_set_new(e, "probability", json_num(c0->p));
                json_object_set_new(e, "single_point_of_failure", json_boolean(avail_cutset_order(a, c0) == 1));
                json_object_set_new(e, "what", json_string(buf));
                json_array_append_new(cs, e);
            }
            size_t n = ao_imp_order(x, tr, idx);
            for (size_t i = 0; i < n; i++) {
                const ft_importance *im = &tr->imp[idx[i]];
                json_t *e = json_object();
                json_object_set_new(e, "event", json_string(ft_var_name(a->t, idx[i])));
                json_object_set_new(e, "what", json_string(ft_var_what(a->t, idx[i])));
                json_object_set_new(e, "probability", json_num(im->p));
                json_object_set_new(e, "birnbaum", json_num(im->mif));
                json_object_set_new(e, "criticality", json_num(im->cif));
                json_object_set_new(e, "fussell_vesely", json_num(im->dif));
                json_object_set_new(e, "raw", json_num(im->raw));
                json_object_set_new(e, "rrw", json_num(im->rrw));
                json_array_append_new(imp, e);
            }
            if (r->mc) {
                json_t *mc = json_object();
                json_object_set_new(mc, "trials", json_integer((json_int_t)r->mc_trials));
                json_object_set_new(mc, "availability", json_num(1 - r->mc[k].p));
                json_object_set_new(mc, "low", json_num(1 - r->mc[k].hi));
                json_object_set_new(mc, "high", json_num(1 - r->mc[k].lo));
                json_object_set_new(o, "monte_carlo", mc);
            }
            if (r->hist) {
                json_t *h = json_object();
                json_object_set_new(h, "histories", json_integer((json_int_t)r->hist_reps));
                json_object_set_new(h, "horizon_years", json_num(r->hist_horizon / AVAIL_SECONDS_PER_YEAR));
                json_object_set_new(h, "state_changes", json_integer((json_int_t)r->hist_changes));
                json_object_set_new(h, "availability", json_num(1 - r->hist[k].p));
                json_object_set_new(h, "low", json_num(1 - r->hist[k].hi));
                json_object_set_new(h, "high", json_num(1 - r->hist[k].lo));
                json_object_set_new(o, "histories", h);
            }
        }
        json_object_set_new(o, "cutsets", cs);
        json_object_set_new(o, "importance", imp);
        json_array_append_new(clients, o);
    }
    free(idx);
    json_object_set_new(root, "clients", clients);
    char purpose[1536];
    ao_purpose(r, purpose, sizeof purpose);
    json_object_set_new(root, "purpose", purpose[0] ? json_string(purpose) : json_null());
    if (r->dyn) {
        const avail_dyn *d = r->dyn;
        json_t *o = json_object(), *cases = json_array();
        for (size_t c = 0; c < d->ncases; c++) {
            const avail_dyn_case *C = &d->cases[c];
            json_t *e = json_object(), *ev = json_array(), *rep = json_array(), *out = json_array();
            for (size_t i = 0; i < C->order; i++)
                json_array_append_new(ev, json_string(C->names[i]));
            for (size_t k = 0; k < d->draws; k++) {
                json_array_append_new(rep, json_num(C->repair[k]));
                json_array_append_new(out, json_num(C->outage[k]));
            }
            json_object_set_new(e, "events", ev);
            json_object_set_new(e, "what", json_string(C->what));
            json_object_set_new(e, "per_year", json_num(C->freq_per_year));
            json_object_set_new(e, "repair_s", rep);
            json_object_set_new(e, "outage_s", out);
            json_object_set_new(e, "mean_repair_s", json_num(C->mean_repair));
            json_object_set_new(e, "mean_outage_s", json_num(C->mean_outage));
            json_object_set_new(e, "unrecovered", json_integer((json_int_t)C->unrecovered));
            json_object_set_new(e, "expected_min_per_year", json_num(C->expected_min_per_year));
            json_object_set_new(e, "structural_min_per_year", json_num(C->structural_min_per_year));
            json_array_append_new(cases, e);
        }
        json_object_set_new(o, "draws", json_integer((json_int_t)d->draws));
        json_object_set_new(o, "cutsets_order_1_2", json_integer((json_int_t)d->ncutsets));
        json_object_set_new(o, "cases", cases);
        json_object_set_new(o, "expected_min_per_year", json_num(d->expected_min_per_year));
        json_object_set_new(o, "structural_min_per_year", json_num(d->structural_min_per_year));
        json_object_set_new(o, "failed_runs", json_integer(d->failed));
        json_object_set_new(o, "what_this_system_does", json_string(d->purpose));
        json_object_set_new(root, "dynamic", o);
    }
    return root;
}

static void ao_tree_ref(FILE *f, const avail_model *a, int ref, int depth, char *seen)
{
    const fault_tree *t = a->t;
    fprintf(f, "%*s", 2 * depth, "");
    if (!FT_IS_GATE(ref)) {
        const ft_event *e = &t->events[ref];
        fprintf(f, "%s  [%s, p=%.4g", e->what, e->name, e->q);
        if (e->kind == FT_EVENT_PROCESS)
            fprintf(f, ", mtbf %.4gh, mttr %s mean %.4gm", e->mtbf / 3600, repair_kind_name(e->mttr.kind),
                    repair_mean(&e->mttr) / 60);
        if (e->ccf >= 0)
            fprintf(f, ", in common-cause group %s", t->ccfs[e->ccf].name);
        fprintf(f, "]\n");
        return;
    }
    int g = FT_GATE_INDEX(ref);
    const ft_gate *G = &t->gates[g];
    if (seen[g]) {
        fprintf(f, "%s  (see above)\n", G->what);
        return;
    }
    seen[g] = 1;
    if (G->kind == FT_ATLEAST)
        fprintf(f, "%s: at least %d of\n", G->what, G->k);
    else
        fprintf(f, "%s: %s\n", G->what, G->kind == FT_AND ? "all of" : "any of");
    for (size_t i = 0; i < G->nargs; i++)
        ao_tree_ref(f, a, G->args[i], depth + 1, seen);
}

void availout_tree(FILE *f, const avail_model *a)
{
    char *seen = xcalloc(a->t->ngates ? a->t->ngates : 1, 1);
    for (size_t k = 0; k < a->t->ntops; k++) {
        ao_tree_ref(f, a, FT_GATE(a->t->tops[k]), 0, seen);
        fputc('\n', f);
    }
    for (size_t c = 0; c < a->t->nccfs; c++)
        fprintf(f, "common-cause group %s: %s\n", a->t->ccfs[c].name, a->t->ccfs[c].what);
    free(seen);
}
