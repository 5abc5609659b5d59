/* sweep_out.c -- the load sweep as a table, JSON and CSV. */
#include "sweep_out.h"
#include "json_num.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../model/units.h"
#include "csv.h"

static json_t *stat_json(sweep_stat s)
{
    json_t *o = json_object();
    json_object_set_new(o, "mean", json_num(s.mean));
    json_object_set_new(o, "sd", json_num(s.sd));
    return o;
}

static void fmt_latency(char *buf, size_t n, double sec)
{
    if (!isfinite(sec)) {
        snprintf(buf, n, "-");
        return;
    }
    units_format_duration((simtime)(sec * 1e9 + 0.5), buf, (int)n);
}

static void fmt_num(char *buf, size_t n, double v, const char *f)
{
    if (isfinite(v))
        snprintf(buf, n, f, v);
    else
        snprintf(buf, n, "-");
}

void sweep_summary(const sweep_result *r, char *buf, size_t size)
{
    if (r->npoints == 0) {
        snprintf(buf, size, "no points");
        return;
    }
    const sweep_point *pk = &r->points[r->peak];
    /* which curve, so the line stands alone (the report, JSON's summary) */
    const char *curve = r->opts.with_faults && (r->nfaults || r->nbursts) ? " (with the faults)" : " (steady state)";
    if (r->collapse < 0) {
        snprintf(buf, size,
                 "no congestion collapse%s: goodput peaks at %.4g/s (at %.3gx load) and does not fall past it by more "
                 "than %g%% and the noise up to %.3gx load",
                 curve, pk->goodput.mean, pk->load, r->opts.drop * 100, r->points[r->npoints - 1].load);
        return;
    }
    const sweep_point *c = &r->points[r->collapse], *last = &r->points[r->npoints - 1];
    snprintf(buf, size,
             "congestion collapse%s: goodput peaks at %.4g/s (at %.3gx load), then falls as load rises: %.4g/s at %.3gx "
             "(%.0f%% below the peak), %.4g/s at %.3gx",
             curve, pk->goodput.mean, pk->load, c->goodput.mean, c->load, 100 * (1 - c->goodput.mean / pk->goodput.mean),
             last->goodput.mean, last->load);
}

void sweep_text(FILE *fp, const char *model_path, const sweep_result *r)
{
    const sweep_opts *o = &r->opts;
    fprintf(fp, "eddy sweep %s  (load %g..%gx, %zu points, %u seed%s from seed %llu", model_path, o->lo, o->hi,
            r->npoints, o->seeds, o->seeds == 1 ? "" : "s", (unsigned long long)r->base_seed);
    if (o->warmup > 0)
        fprintf(fp, ", warmup %gs", o->warmup);
    fprintf(fp, ")\ncurve: %s\n\n", sweep_curve_label(r));
    fprintf(fp, "  %-7s %10s %12s %10s %8s %10s %12s\n", "load", "demand/s", "throughput/s", "goodput/s", "±sd",
            "p99", "attempts/req");
    for (size_t p = 0; p < r->npoints; p++) {
        const sweep_point *pt = &r->points[p];
        char load[32], dem[32], thr[32], good[32], sd[32], p99[32], amp[32];
        snprintf(load, sizeof load, "%.3gx", pt->load);
        fmt_num(dem, sizeof dem, pt->demand.mean, "%.1f");
        fmt_num(thr, sizeof thr, pt->throughput.mean, "%.1f");
        fmt_num(good, sizeof good, pt->goodput.mean, "%.1f");
        fmt_num(sd, sizeof sd, pt->goodput.sd, "%.1f");
        fmt_latency(p99, sizeof p99, pt->latency_p99.mean);
        fmt_num(amp, sizeof amp, pt->amplification.mean, "%.2f");
        const char *mark = (int)p == r->peak ? "  <- peak" : (int)p == r->collapse ? "  <- collapse" : "";
        fprintf(fp, "  %-7s %10s %12s %10s %8s %10s %12s%s\n", load, dem, thr, good, sd, p99, amp, mark);
    }
    char line[512];
    sweep_summary(r, line, sizeof line);
    fprintf(fp, "\n%s\n", line);
}

json_t *sweep_json(const char *model_path, const sweep_result *r)
{
    const sweep_opts *o = &r->opts;
    json_t *root = json_object();
    json_object_set_new(root, "model", json_string(model_path));
    json_object_set_new(root, "seed", json_integer((json_int_t)r->base_seed));
    json_object_set_new(root, "seeds", json_integer(o->seeds));
    json_object_set_new(root, "load_lo", json_real(o->lo));
    json_object_set_new(root, "load_hi", json_real(o->hi));
    json_object_set_new(root, "warmup", json_real(o->warmup));
    json_object_set_new(root, "faults", json_boolean(o->with_faults && (r->nfaults || r->nbursts)));
    json_object_set_new(root, "curve", json_string(sweep_curve_key(r)));
    json_object_set_new(root, "curve_label", json_string(sweep_curve_label(r)));
    json_object_set_new(root, "drop", json_real(o->drop));
    json_t *pts = json_array();
    for (size_t p = 0; p < r->npoints; p++) {
        const sweep_point *pt = &r->points[p];
        json_t *po = json_object();
        json_object_set_new(po, "load", json_real(pt->load));
        json_object_set_new(po, "demand", stat_json(pt->demand));
        json_object_set_new(po, "throughput", stat_json(pt->throughput));
        json_object_set_new(po, "goodput", stat_json(pt->goodput));
        json_object_set_new(po, "latency_p99", stat_json(pt->latency_p99));
        json_object_set_new(po, "amplification", stat_json(pt->amplification));
        json_t *cl = json_object();
        for (size_t k = 0; k < r->nclients; k++) {
            json_t *co = json_object();
            json_object_set_new(co, "demand", stat_json(pt->clients[k].demand));
            json_object_set_new(co, "goodput", stat_json(pt->clients[k].goodput));
            json_object_set_new(co, "latency_p99", stat_json(pt->clients[k].latency_p99));
            json_object_set_new(co, "amplification", stat_json(pt->clients[k].amplification));
            json_object_set_new(cl, r->client_names[k], co);
        }
        json_object_set_new(po, "clients", cl);
        json_t *sv = json_object();
        for (size_t e = 0; e < r->nentries; e++) {
            json_t *so = json_object();
            json_object_set_new(so, "throughput", stat_json(pt->services[e]));
            json_object_set_new(sv, r->entry_names[e], so);
        }
        json_object_set_new(po, "services", sv);
        json_array_append_new(pts, po);
    }
    json_object_set_new(root, "points", pts);
    json_object_set_new(root, "peak", json_integer(r->peak));
    json_object_set_new(root, "peak_load", r->npoints ? json_real(r->points[r->peak].load) : json_null());
    json_object_set_new(root, "collapse", r->collapse >= 0 ? json_integer(r->collapse) : json_null());
    json_object_set_new(root, "collapse_load", r->collapse >= 0 ? json_real(r->points[r->collapse].load) : json_null());
    char line[512];
    sweep_summary(r, line, sizeof line);
    json_object_set_new(root, "summary", json_string(line));
    return root;
}

int sweep_csv(FILE *fp, const sweep_result *r)
{
    /* One comment line says which curve this is (pandas: comment='#'). */
    fprintf(fp, "# eddy sweep, curve: %s\n", sweep_curve_label(r));
    fputs("load", fp);
    static const char *const cm[] = {"demand", "goodput", "goodput_sd", "latency_p99", "amplification"};
    for (size_t k = 0; k < r->nclients; k++)
        for (size_t j = 0; j < sizeof cm / sizeof cm[0]; j++)
            fprintf(fp, ",%s.%s", r->client_names[k], cm[j]);
    for (size_t e = 0; e < r->nentries; e++)
        fprintf(fp, ",%s.throughput,%s.throughput_sd", r->entry_names[e], r->entry_names[e]);
    fputc('\n', fp);
    for (size_t p = 0; p < r->npoints; p++) {
        const sweep_point *pt = &r->points[p];
        fprintf(fp, "%.10g", pt->load);
        for (size_t k = 0; k < r->nclients; k++) {
            const sweep_client *c = &pt->clients[k];
            csv_num(fp, c->demand.mean);
            csv_num(fp, c->goodput.mean);
            csv_num(fp, c->goodput.sd);
            csv_num(fp, c->latency_p99.mean);
            csv_num(fp, c->amplification.mean);
        }
        for (size_t e = 0; e < r->nentries; e++) {
            csv_num(fp, pt->services[e].mean);
            csv_num(fp, pt->services[e].sd);
        }
        fputc('\n', fp);
    }
    return ferror(fp) ? -1 : 0;
}
