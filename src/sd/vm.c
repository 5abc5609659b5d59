/* vm.c -- the stack machine that executes compiled equations, and the
 * integrators (Euler, RK2, RK4) that drive it from start to stop.
 *
 * One time step runs two instruction lists: the auxiliaries and flows in
 * dependency order, then each stock's net flow.  Values live in one flat
 * array indexed by slot; nothing is allocated per step, and rows go to
 * the caller's callback as they are made. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/err.h"
#include "builtin.h"
#include "compile.h"
#include "gf.h"

static int vm_fail(sd_model *m, const sd_prog *p, size_t pc, double t, eddy_error *err, const char *what)
{
    const sd_var *v = &m->vars[p->owner[pc]];
    if (p == &m->rates)
        return err_set(err, m->file, v->line, v->col, "at time %g: the net flow of %s %s", t, v->name, what);
    return err_set(err, m->file, v->line, v->col, "at time %g: %s %s", t, v->name, what);
}

static void dl_push(sd_delay *d, double t, double x)
{
    if (d->head + d->n == d->cap) {
        if (d->head > 0) {
            memmove(d->t, d->t + d->head, d->n * sizeof *d->t);
            memmove(d->v, d->v + d->head, d->n * sizeof *d->v);
            d->head = 0;
        } else {
            d->cap = d->cap ? d->cap * 2 : 16;
            d->t = realloc(d->t, d->cap * sizeof *d->t);
            d->v = realloc(d->v, d->cap * sizeof *d->v);
            if (!d->t || !d->v)
                abort();
        }
    }
    d->t[d->head + d->n] = t;
    d->v[d->head + d->n] = x;
    d->n++;
}

/* The input as it was `delay` ago: linear between recorded steps; before
 * the start, `init` if given, else the input's first value. */
static double dl_value(sd_model *m, sd_delay *d, double t, double delay, int has_init, double init)
{
    double now = m->v[d->in];
    double target = t - delay;
    double eps = m->dt * 1e-9;
    if (delay > d->maxd)
        d->maxd = delay;
    if (target < m->start - eps)
        return has_init ? init : (d->n ? d->v[d->head] : now);
    if (d->n == 0)
        return now;
    const double *ht = d->t + d->head, *hv = d->v + d->head;
    size_t n = d->n;
    if (target >= ht[n - 1] - eps) {
        if (t - ht[n - 1] <= eps || target - ht[n - 1] <= eps)
            return target - ht[n - 1] <= eps ? hv[n - 1] : now;
        double f = (target - ht[n - 1]) / (t - ht[n - 1]);
        return hv[n - 1] + f * (now - hv[n - 1]);
    }
    if (target <= ht[0])
        return hv[0];
    size_t lo = 0, hi = n - 1; /* ht[lo] <= target < ht[hi] */
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (ht[mid] <= target + eps)
            lo = mid;
        else
            hi = mid;
    }
    if (fabs(target - ht[lo]) <= eps)
        return hv[lo];
    double f = (target - ht[lo]) / (ht[hi] - ht[lo]);
    return hv[lo] + f * (hv[hi] - hv[lo]);
}

/* Forget what no delay can reach back to any more. */
static void dl_trim(sd_model *m, sd_delay *d, double t)
{
    double keep = t - d->maxd - 2 * m->dt;
    while (d->n > 2 && d->t[d->head + 1] < keep) {
        d->head++;
        d->n--;
    }
}

int sd_vm_exec(sd_model *m, const sd_prog *p, size_t lo, size_t hi, double t, eddy_error *err)
{
    double *v = m->v, *st = m->stack;
    const sd_ins *code = p->code;
    size_t n = hi;
    int sp = -1;
    for (size_t pc = lo; pc < n; pc++) {
        const sd_ins *in = &code[pc];
        double x;
        switch (in->op) {
        case VM_K: st[++sp] = in->k; break;
        case VM_LD: st[++sp] = v[in->a]; break;
        case VM_ST:
            x = st[sp--];
            if (!isfinite(x))
                return vm_fail(m, p, pc, t, err, isnan(x) ? "is not a number (NaN)" : "is infinite");
            v[in->a] = x;
            break;
        case VM_STNN:
            x = st[sp--];
            if (!isfinite(x))
                return vm_fail(m, p, pc, t, err, isnan(x) ? "is not a number (NaN)" : "is infinite");
            v[in->a] = x < 0 ? 0 : x;
            break;
        case VM_NEG: st[sp] = -st[sp]; break;
        case VM_NOT: st[sp] = st[sp] == 0; break;
        case VM_ADD: sp--; st[sp] += st[sp + 1]; break;
        case VM_SUB: sp--; st[sp] -= st[sp + 1]; break;
        case VM_MUL: sp--; st[sp] *= st[sp + 1]; break;
        case VM_DIV:
            sp--;
            if (st[sp + 1] == 0)
                return vm_fail(m, p, pc, t, err, "divides by zero");
            st[sp] /= st[sp + 1];
            break;
        case VM_POW: sp--; st[sp] = pow(st[sp], st[sp + 1]); break;
        case VM_MODI: {
            int dz = 0;
            sp--;
            st[sp] = bi_eval(BI_MOD, &st[sp], 2, t, m->dt, &dz);
            if (dz)
                return vm_fail(m, p, pc, t, err, "takes MOD by zero");
            break;
        }
        case VM_LT: sp--; st[sp] = st[sp] < st[sp + 1]; break;
        case VM_LE: sp--; st[sp] = st[sp] <= st[sp + 1]; break;
        case VM_GT: sp--; st[sp] = st[sp] > st[sp + 1]; break;
        case VM_GE: sp--; st[sp] = st[sp] >= st[sp + 1]; break;
        case VM_EQ: sp--; st[sp] = st[sp] == st[sp + 1]; break;
        case VM_NE: sp--; st[sp] = st[sp] != st[sp + 1]; break;
        case VM_AND: sp--; st[sp] = st[sp] != 0 && st[sp + 1] != 0; break;
        case VM_OR: sp--; st[sp] = st[sp] != 0 || st[sp + 1] != 0; break;
        case VM_JZ:
            if (st[sp--] == 0)
                pc = (size_t)in->a - 1;
            break;
        case VM_JMP: pc = (size_t)in->a - 1; break;
        case VM_CALL: {
            int k = (int)in->k, dz = 0;
            if (k == 0) {
                st[++sp] = bi_eval((bi_id)in->a, NULL, 0, t, m->dt, &dz);
                break;
            }
            sp -= k - 1;
            st[sp] = bi_eval((bi_id)in->a, &st[sp], k, t, m->dt, &dz);
            if (dz)
                return vm_fail(m, p, pc, t, err, "divides by zero");
            break;
        }
        case VM_GF:
            st[sp] = gf_eval(in->a < 0 ? m->vars[-1 - in->a].gf : m->gfs[in->a], st[sp]);
            break;
        case VM_TIME: st[++sp] = t; break;
        case VM_DT: st[++sp] = m->dt; break;
        case VM_START: st[++sp] = m->start; break;
        case VM_STOP: st[++sp] = m->stop; break;
        case VM_DELAY: {
            int has_init = in->k > 1;
            double init = has_init ? st[sp--] : 0;
            sd_delay *d = &m->delays[in->a];
            st[sp] = dl_value(m, d, t, st[sp], has_init, init);
            if (d->bias == 0)
                d->out = st[sp];
            st[sp] += d->bias;
            break;
        }
        case VM_LDADD: st[sp] += v[in->a]; break;
        case VM_LDSUB: st[sp] -= v[in->a]; break;
        case VM_LDMUL: st[sp] *= v[in->a]; break;
        case VM_LDDIV:
            if (v[in->a] == 0)
                return vm_fail(m, p, pc, t, err, "divides by zero");
            st[sp] /= v[in->a];
            break;
        case VM_KMUL: st[sp] *= in->k; break;
        case VM_KADD: st[sp] += in->k; break;
        }
    }
    return 0;
}

static int vm_exec(sd_model *m, const sd_prog *p, double t, eddy_error *err)
{
    return sd_vm_exec(m, p, 0, p->n, t, err);
}

static int vm_eval(sd_model *m, double t, eddy_error *err)
{
    if (vm_exec(m, &m->step, t, err))
        return -1;
    return vm_exec(m, &m->rates, t, err);
}

static void vm_row(sd_model *m, double t, double *row, sd_row_fn fn, void *ud)
{
    for (size_t i = 0; i < m->ncols; i++)
        row[i] = m->v[m->cols[i]];
    fn(t, row, m->ncols, ud);
}

static void vm_clamp(sd_model *m)
{
    for (size_t i = 0; i < m->nstocks; i++) {
        int s = m->stocks[i];
        if (m->vars[s].non_negative && m->v[s] < 0)
            m->v[s] = 0;
    }
}

int sd_run(sd_model *m, sd_row_fn fn, void *ud, size_t *steps, eddy_error *err)
{
    double span = (m->stop - m->start) / m->dt;
    if (span > 1e12)
        return err_set(err, m->file, 0, 0, "%g steps of dt %g from %g to %g is too many", span, m->dt,
                       m->start, m->stop);
    long long nsteps = llround(span);
    if (fabs(span - (double)nsteps) > 1e-6)
        nsteps = (long long)floor(span + 1e-9);
    long long every = llround(m->save_step / m->dt);
    if (every < 1)
        every = 1;
    size_t ns = m->nstocks;
    double *row = calloc(m->ncols + 1, sizeof *row);
    double *y0 = calloc(ns + 1, sizeof *y0), *acc = calloc(ns + 1, sizeof *acc);
    free(m->stack);
    m->stack = calloc((size_t)m->max_stack + 1, sizeof *m->stack);
    if (!row || !y0 || !acc || !m->stack)
        abort();
    memset(m->v, 0, m->nslots * sizeof *m->v);
    for (size_t i = 0; i < m->ndelays; i++) {
        m->delays[i].head = m->delays[i].n = 0;
        m->delays[i].maxd = 0;
        m->delays[i].out = m->delays[i].bias = 0;
    }
    int rc = vm_exec(m, &m->init, m->start, err);
    if (!rc)
        rc = vm_exec(m, &m->rates, m->start, err);
    for (size_t i = 0; i < m->ninit; i++)
        m->v[m->init_dst[i]] = m->v[m->init_src[i]];
    const int *rs = m->rate_slot;
    double dt = m->dt;
    long long k = 0;
    for (; !rc; k++) {
        double t = m->start + (double)k * dt;
        if (m->trace)
            m->trace(t, k % every == 0, m->trace_ud);
        if (k % every == 0 && fn)
            vm_row(m, t, row, fn, ud);
        if (k == nsteps)
            break;
        for (size_t i = 0; i < m->nprev; i++)
            m->v[m->prev_dst[i]] = m->v[m->prev_src[i]];
        for (size_t i = 0; i < m->ndelays; i++) {
            dl_push(&m->delays[i], t, m->v[m->delays[i].in]);
            dl_trim(m, &m->delays[i], t);
        }
        double *v = m->v;
        if (m->method == SD_EULER) {
            for (size_t i = 0; i < ns; i++) {
                int s = m->stocks[i];
                v[s] += dt * v[rs[s]];
            }
        } else {
            for (size_t i = 0; i < ns; i++) {
                int s = m->stocks[i];
                y0[i] = v[s];
                acc[i] = v[rs[s]];
            }
            if (m->method == SD_RK2) {
                for (size_t i = 0; i < ns; i++)
                    v[m->stocks[i]] = y0[i] + dt * acc[i];
                if ((rc = vm_eval(m, t + dt, err)))
                    break;
                for (size_t i = 0; i < ns; i++) {
                    int s = m->stocks[i];
                    v[s] = y0[i] + dt / 2 * (acc[i] + v[rs[s]]);
                }
            } else {
                static const double frac[3] = {0.5, 0.5, 1.0}, weight[3] = {2, 2, 1};
                for (int stage = 0; stage < 3 && !rc; stage++) {
                    for (size_t i = 0; i < ns; i++) {
                        int s = m->stocks[i];
                        double kprev = stage == 0 ? acc[i] : v[rs[s]];
                        v[s] = y0[i] + frac[stage] * dt * kprev;
                    }
                    if ((rc = vm_eval(m, t + frac[stage] * dt, err)))
                        break;
                    for (size_t i = 0; i < ns; i++)
                        acc[i] += weight[stage] * v[rs[m->stocks[i]]];
                }
                if (rc)
                    break;
                for (size_t i = 0; i < ns; i++)
                    v[m->stocks[i]] = y0[i] + dt / 6 * acc[i];
            }
        }
        vm_clamp(m);
        rc = vm_eval(m, m->start + (double)(k + 1) * dt, err);
    }
    if (steps)
        *steps = (size_t)k;
    free(row);
    free(y0);
    free(acc);
    return rc;
}
