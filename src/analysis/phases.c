/* phases.c -- per-phase goodput and amplification, and recovery time. */
#include "phases.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../model/units.h"
#include "burst.h"
#include "../core/xalloc.h"

void phases_describe_fault(const model *m, const fault_spec *f, char *buf, size_t size)
{
    const char *t = fault_target_name(m, f);
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
    case FAULT_FLUSH:
        snprintf(buf, size, "%s flushed", t);
        break;
    case FAULT_RESTART:
        snprintf(buf, size, "%s restarts", t);
        break;
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int col(const eddy_series *s, const char *client, const char *metric)
{
    char name[256];
    snprintf(name, sizeof name, "%s.%s", client, metric);
    return eddy_series_column(s, name);
}

static void label_phase(const model *m, client_phases *out, double first_fault, phase *p)
{
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
    burst bs[64];
    size_t nb = burst_find(m, bs, 64);
    for (size_t k = 0; k < nb && k < 64; k++)
        if (mid >= t_sec(bs[k].at) && mid < t_sec(bs[k].at + bs[k].dur)) {
            char one[160]; /* short: it is a table's first column */
            snprintf(one, sizeof one, "%s at %g/s", m->clients[bs[k].client].name, bs[k].rate);
            if (desc[0])
                strncat(desc, ", ", sizeof desc - strlen(desc) - 1);
            strncat(desc, one, sizeof desc - strlen(desc) - 1);
            p->faulted = true;
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
}

int phases_begin(phases_acc *a, const model *m, const eddy_series *cols, double duration, size_t client,
                 client_phases *out)
{
    memset(a, 0, sizeof *a);
    memset(out, 0, sizeof *out);
    const char *name = m->clients[client].name;
    a->m = m;
    a->out = out;
    a->end = duration;
    a->c_off = col(cols, name, "offered");
    a->c_ret = col(cols, name, "retries");
    a->c_good = col(cols, name, "goodput");
    a->c_shed = col(cols, name, "shed");
    a->c_fail = col(cols, name, "failed");
    if (a->c_off < 0 || a->c_ret < 0 || a->c_good < 0 || a->c_shed < 0 || a->c_fail < 0)
        return -1;

    /* Phase boundaries: every fault window's start and end. */
    size_t nb = 0;
    burst bs[64];
    size_t nbs = burst_find(m, bs, 64);
    if (nbs > 64)
        nbs = 64;
    double *b = xcalloc(2 * m->nfaults + 2 * nbs + 2, sizeof *b);
    b[nb++] = 0;
    b[nb++] = duration;
    a->first_fault = duration;
    for (size_t i = 0; i < m->nfaults; i++) {
        double s0 = t_sec(m->faults[i].at), z = t_sec(m->faults[i].at + m->faults[i].dur);
        if (s0 < duration) {
            b[nb++] = s0;
            out->has_faults = true;
            if (s0 < a->first_fault)
                a->first_fault = s0;
            if (z > out->fault_end)
                out->fault_end = z < duration ? z : duration;
        }
        if (z < duration)
            b[nb++] = z;
    }
    for (size_t i = 0; i < nbs; i++) { /* a load burst is a trigger as a fault is */
        double s0 = t_sec(bs[i].at), z = t_sec(bs[i].at + bs[i].dur);
        b[nb++] = s0;
        out->has_faults = true;
        if (s0 < a->first_fault)
            a->first_fault = s0;
        if (z > out->fault_end)
            out->fault_end = z < duration ? z : duration;
        if (z < duration)
            b[nb++] = z;
    }
    qsort(b, nb, sizeof *b, cmp_double);
    out->v = xcalloc(nb, sizeof *out->v);
    for (size_t i = 0; i + 1 < nb; i++) {
        if (b[i + 1] <= b[i])
            continue;
        phase *p = &out->v[out->n++];
        p->start = b[i];
        p->end = b[i + 1];
        label_phase(m, out, a->first_fault, p);
    }
    free(b);
    out->baseline = NAN;
    out->recovery_time = NAN;
    out->final_success = NAN;
    return 0;
}

static void close_phase(phases_acc *a)
{
    phase *p = &a->out->v[a->cur_phase];
    double off = a->sums[0], ret = a->sums[1], good = a->sums[2], shed = a->sums[3], fail = a->sums[4];
    double len = p->end - p->start;
    p->goodput = good / len;
    p->demand = (off + shed) / len;
    p->success = good + fail > 0 ? good / (good + fail) : NAN;
    /* recovery compares windows by goodput / demand (check_window), so the
     * pre-fault level it is judged against is that ratio too */
    double served = off + shed > 0 ? good / (off + shed) : NAN;
    p->amplification = off > 0 ? (off + ret) / off : NAN;
    memset(a->sums, 0, sizeof a->sums);
    if (a->cur_phase == 0) {
        client_phases *o = a->out;
        o->baseline = o->has_faults && !p->faulted ? served : NAN;
        if (!(o->baseline > 0))
            o->baseline = 1.0; /* no healthy stretch to compare with: demand success */
    }
}

static double window_ratio(const phases_acc *a, size_t from, size_t to) /* rows [from, to) after fault_end */
{
    double g = 0, d = 0;
    for (size_t j = from; j < to; j++) {
        g += a->ring_good[j % RECOVERY_WINDOW];
        d += a->ring_dem[j % RECOVERY_WINDOW];
    }
    return d > 0 ? g / d : 1.0;
}

/* A window that fails pushes recovery to the row after its start; that row
 * is inside the window, so its time is still in the ring. */
static void check_window(phases_acc *a, size_t from, size_t to)
{
    bool fails = window_ratio(a, from, to) < RECOVERY_LEVEL * a->out->baseline;
    a->fail_last = fails; /* the windows come in order: this is the latest */
    if (fails) {
        a->any_fail = true;
        if (from + 1 < to)
            a->recover_t = a->ring_t[(from + 1) % RECOVERY_WINDOW];
    }
}

/* Account the previous row, now that its length (dt) is known.  A row that
 * straddles a phase boundary (a fault window not aligned to the sample
 * interval) is split between the phases in proportion to the overlap. */
static void take_row(phases_acc *a, double dt)
{
    double t = a->prev[0], off = a->prev[1] * dt, ret = a->prev[2] * dt, good = a->prev[3] * dt,
           shed = a->prev[4] * dt, fail = a->prev[5] * dt;
    client_phases *o = a->out;
    double t1 = t + dt;
    while (a->cur_phase < o->n && dt > 0) {
        phase *p = &o->v[a->cur_phase];
        double lo = t > p->start ? t : p->start, hi = t1 < p->end ? t1 : p->end;
        double w = hi > lo ? (hi - lo) / dt : 0;
        a->sums[0] += off * w;
        a->sums[1] += ret * w;
        a->sums[2] += good * w;
        a->sums[3] += shed * w;
        a->sums[4] += fail * w;
        if (t1 < p->end - 1e-9 || a->cur_phase + 1 == o->n)
            break;
        close_phase(a);
        a->cur_phase++;
    }
    if (o->has_faults && t >= o->fault_end - 1e-9) {
        size_t j = a->nafter++;
        a->ring_good[j % RECOVERY_WINDOW] = good;
        a->ring_dem[j % RECOVERY_WINDOW] = off + shed;
        a->ring_t[j % RECOVERY_WINDOW] = t;
        if (j + 1 >= RECOVERY_WINDOW)
            check_window(a, j + 1 - RECOVERY_WINDOW, j + 1);
    }
}

void phases_row(phases_acc *a, const double *row)
{
    if (a->have_prev)
        take_row(a, row[0] - a->prev[0]);
    a->prev[0] = row[0];
    a->prev[1] = row[a->c_off];
    a->prev[2] = row[a->c_ret];
    a->prev[3] = row[a->c_good];
    a->prev[4] = row[a->c_shed];
    a->prev[5] = row[a->c_fail];
    a->have_prev = true;
}

void phases_finish(phases_acc *a)
{
    client_phases *o = a->out;
    if (a->have_prev)
        take_row(a, a->end - a->prev[0]);
    /* close the current phase and any left without rows */
    for (; a->cur_phase < o->n; a->cur_phase++)
        close_phase(a);
    if (o->has_faults && o->fault_end >= a->end - 1e-9) {
        o->fault_open_at_end = true;
        return; /* recovery cannot be judged while the trigger is on */
    }
    if (!o->has_faults) {
        o->recovered = true;
        return;
    }
    size_t n = a->nafter;
    if (n == 0)
        return;
    /* Only whole windows are judged: a window cut short by the end of the
     * run is a few samples whose requests may still be in flight, and its
     * samples were judged within the last whole window.  A run too short
     * for one whole window after the fault is judged on what it has. */
    if (n < RECOVERY_WINDOW)
        check_window(a, 0, n);
    o->final_success = window_ratio(a, n >= RECOVERY_WINDOW ? n - RECOVERY_WINDOW : 0, n);
    if (!a->any_fail) {
        o->recovered = true;
        o->recovery_time = 0;
        return;
    }
    if (a->fail_last)
        return; /* the last window failed: not recovered */
    o->recovered = true;
    o->recovery_time = a->recover_t - o->fault_end;
    if (o->recovery_time < 0)
        o->recovery_time = 0;
}

int phases_compute(const model *m, const eddy_result *r, size_t client, client_phases *out)
{
    phases_acc a;
    if (phases_begin(&a, m, &r->series, r->duration, client, out) < 0)
        return -1;
    for (size_t i = 0; i < r->series.nrows; i++)
        phases_row(&a, r->series.values + i * r->series.ncols);
    phases_finish(&a);
    return 0;
}

void phases_free(client_phases *p)
{
    free(p->v);
    memset(p, 0, sizeof *p);
}
