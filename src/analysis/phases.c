/* phases.c -- per-phase goodput and amplification, and recovery time. */
#include "phases.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../model/units.h"

void phases_describe_fault(const model *m, const fault_spec *f, char *buf, size_t size)
{
    const char *t = m->services[f->target].name;
    char d[32];
    switch (f->kind) {
    case FAULT_SLOW:
        snprintf(buf, size, "%s slow x%g", t, f->factor);
        break;
    case FAULT_ADD_LATENCY:
        units_format_duration(f->latency, d, sizeof d);
        snprintf(buf, size, "%s +%s latency", t, d);
        break;
    case FAULT_ERRORS:
        snprintf(buf, size, "%s errors %g%%", t, f->errors * 100);
        break;
    case FAULT_DOWN:
        snprintf(buf, size, "%s down", t);
        break;
    case FAULT_LOSE_REPLICAS:
        snprintf(buf, size, "%s loses %ld replicas", t, f->replicas);
        break;
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Per-row counts of one client, recovered from the series' rates. */
typedef struct rowc {
    double t, dt, offered, retries, goodput, shed;
} rowc;

static int col(const eddy_series *s, const char *client, const char *metric)
{
    char name[256];
    snprintf(name, sizeof name, "%s.%s", client, metric);
    return eddy_series_column(s, name);
}

int phases_compute(const model *m, const eddy_result *r, size_t client, client_phases *out)
{
    memset(out, 0, sizeof *out);
    const eddy_series *s = &r->series;
    const char *name = m->clients[client].name;
    int c_off = col(s, name, "offered"), c_ret = col(s, name, "retries"), c_good = col(s, name, "goodput"),
        c_shed = col(s, name, "shed");
    if (c_off < 0 || c_ret < 0 || c_good < 0 || c_shed < 0 || s->nrows == 0)
        return -1;
    double end = r->duration;
    rowc *rows = calloc(s->nrows, sizeof *rows);
    if (!rows)
        abort();
    for (size_t i = 0; i < s->nrows; i++) {
        rowc *w = &rows[i];
        w->t = eddy_series_at(s, i, 0);
        w->dt = (i + 1 < s->nrows ? eddy_series_at(s, i + 1, 0) : end) - w->t;
        w->offered = eddy_series_at(s, i, (size_t)c_off) * w->dt;
        w->retries = eddy_series_at(s, i, (size_t)c_ret) * w->dt;
        w->goodput = eddy_series_at(s, i, (size_t)c_good) * w->dt;
        w->shed = eddy_series_at(s, i, (size_t)c_shed) * w->dt;
    }

    /* Phase boundaries: every fault window's start and end. */
    size_t nb = 0;
    double *b = calloc(2 * m->nfaults + 2, sizeof *b);
    if (!b)
        abort();
    b[nb++] = 0;
    b[nb++] = end;
    double first_fault = end;
    for (size_t i = 0; i < m->nfaults; i++) {
        double a = t_sec(m->faults[i].at), z = t_sec(m->faults[i].at + m->faults[i].dur);
        if (a < end) {
            b[nb++] = a;
            out->has_faults = true;
            if (a < first_fault)
                first_fault = a;
            if (z > out->fault_end)
                out->fault_end = z < end ? z : end;
        }
        if (z < end)
            b[nb++] = z;
    }
    qsort(b, nb, sizeof *b, cmp_double);
    out->v = calloc(nb, sizeof *out->v);
    if (!out->v)
        abort();
    for (size_t i = 0; i + 1 < nb; i++) {
        if (b[i + 1] <= b[i])
            continue;
        phase *p = &out->v[out->n++];
        p->start = b[i];
        p->end = b[i + 1];
        double mid = (p->start + p->end) / 2;
        char desc[160] = "";
        for (size_t k = 0; k < m->nfaults; k++) {
            const fault_spec *f = &m->faults[k];
            if (mid >= t_sec(f->at) && mid < t_sec(f->at + f->dur)) {
                char one[96];
                phases_describe_fault(m, f, one, sizeof one);
                if (desc[0])
                    strncat(desc, ", ", sizeof desc - strlen(desc) - 1);
                strncat(desc, one, sizeof desc - strlen(desc) - 1);
                p->faulted = true;
            }
        }
        if (p->faulted)
            snprintf(p->label, sizeof p->label, "during %s", desc);
        else if (!out->has_faults)
            snprintf(p->label, sizeof p->label, "whole run");
        else if (p->end <= first_fault)
            snprintf(p->label, sizeof p->label, "before");
        else if (p->start >= out->fault_end)
            snprintf(p->label, sizeof p->label, "after");
        else
            snprintf(p->label, sizeof p->label, "between faults");
        double off = 0, ret = 0, good = 0, shed = 0;
        for (size_t j = 0; j < s->nrows; j++) {
            if (rows[j].t >= p->start - 1e-9 && rows[j].t < p->end - 1e-9) {
                off += rows[j].offered;
                ret += rows[j].retries;
                good += rows[j].goodput;
                shed += rows[j].shed;
            }
        }
        double len = p->end - p->start;
        p->goodput = good / len;
        p->demand = (off + shed) / len;
        p->success = off + shed > 0 ? good / (off + shed) : NAN;
        p->amplification = off > 0 ? (off + ret) / off : NAN;
    }
    free(b);

    out->baseline = NAN;
    if (out->has_faults && out->n > 0 && !out->v[0].faulted)
        out->baseline = out->v[0].success;
    if (!(out->baseline > 0))
        out->baseline = 1.0; /* no healthy stretch to compare with: demand success */

    /* Rolling success ratio after the last fault. */
    out->recovery_time = NAN;
    out->final_success = NAN;
    size_t first = s->nrows;
    for (size_t i = 0; i < s->nrows; i++)
        if (rows[i].t >= out->fault_end - 1e-9) {
            first = i;
            break;
        }
    size_t W = RECOVERY_WINDOW;
    if (out->has_faults && first < s->nrows) {
        /* Walk backwards: the latest start from which every window holds. */
        size_t n = s->nrows;
        ssize_t ok_from = -1;
        for (ssize_t i = (ssize_t)n - 1; i >= (ssize_t)first; i--) {
            double g = 0, d = 0;
            size_t lim = (size_t)i + W < n ? (size_t)i + W : n;
            for (size_t j = (size_t)i; j < lim; j++) {
                g += rows[j].goodput;
                d += rows[j].offered + rows[j].shed;
            }
            double ratio = d > 0 ? g / d : 1.0;
            if ((size_t)i + W >= n && out->final_success != out->final_success)
                out->final_success = ratio;
            if (ratio >= RECOVERY_LEVEL * out->baseline)
                ok_from = i;
            else
                break;
        }
        if (ok_from >= 0) {
            out->recovered = true;
            out->recovery_time = rows[ok_from].t - out->fault_end;
            if (out->recovery_time < 0)
                out->recovery_time = 0;
        }
    } else if (!out->has_faults) {
        out->recovered = true;
    }
    free(rows);
    return 0;
}

void phases_free(client_phases *p)
{
    free(p->v);
    memset(p, 0, sizeof *p);
}
