/* vm.c -- the stack machine that executes compiled equations, and the
 * integrators (Euler, RK2, RK4) that drive it from start to stop.
 *
 * One time step runs two instruction lists: the auxiliaries and flows in
 * dependency order, then each stock's net flow.  Values live in one flat
 * array indexed by slot; nothing is allocated per step, and rows go to
 * the caller's callback as they are made.
 *
 * Inside an equation the arithmetic is IEEE 754's: 1 / (x + 1/0) is
 * 1/inf = 0, the equation's limit at the pole (the test-models'
 * arithmetics_exp has one, and the reference's value there is ~1e-8).
 * What may not pass is a variable whose value is infinite or not a
 * number: that stops the run, naming the variable and the time ("divides
 * by zero" when a division by zero in its equation made it so).  0/0 has
 * no limit and stops the run where it happens. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/err.h"
#include "builtin.h"
#include "compile.h"
#include "gf.h"
#include "rand.h"
#include "../core/xalloc.h"

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
            d->t = xrealloc(d->t, d->cap * sizeof *d->t);
            d->v = xrealloc(d->v, d->cap * sizeof *d->v);
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

/* Why HISTORY may not read time `at` when the run is at t (in the future,
 * or before the start), or 0 if it may. */
static int dl_history_bad(const sd_model *m, double t, double at, char *why, size_t size)
{
    double eps = m->dt * 1e-9;
    if (!(at <= t + eps))
        snprintf(why, size, "asks HISTORY for time %g, after the current time", at);
    else if (!(at >= m->start - eps))
        snprintf(why, size, "asks HISTORY for time %g, before the start time %g", at, m->start);
    else
        return 0;
    return 1;
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

/* Dispatch: with GCC or Clang each instruction jumps straight to the
 * next one's handler ("threaded code", labels as values, a GNU extension):
 * one indirect jump per handler predicts far better than the single one
 * of a switch, and the VM's speed is mostly the cost of dispatch.  Other
 * compilers get the switch.  Each op has two handlers, the second for an
 * instruction whose result is a variable's value and must be checked to
 * be a number. */
#if defined(__GNUC__)
#define VM_THREADED 1
#endif

int sd_vm_exec(sd_model *m, const sd_prog *p, size_t lo, size_t hi, double t, eddy_error *err)
{
    double *v = m->v;
    v[m->time_slot] = t;
    if (lo >= hi)
        return 0; /* nothing to run: an empty program has no code array (NULL) to point into */
    const sd_ins *code = p->code, *in = code + lo, *end = code + hi;
    const sd_ins *dz = NULL; /* the last division by zero, for the message */
    double *d;
#ifdef VM_THREADED
#define OP(name) L_##name: d = &v[in->dst];
#define CK(name) C_##name: d = &v[in->dst];
#define NEXT                                                                                     \
    do {                                                                                         \
        if (++in == end)                                                                         \
            return 0;                                                                            \
        goto *tab[in->op];                                                                       \
    } while (0)
#define CNEXT                                                                                    \
    do {                                                                                         \
        if (!isfinite(*d))                                                                       \
            goto notnum;                                                                         \
        NEXT;                                                                                    \
    } while (0)
#define BODY(name, ...) OP(name) __VA_ARGS__; NEXT; CK(name) __VA_ARGS__; CNEXT;
    static void *const tab[2 * VM_CHECK] = {
        [VM_MOV] = &&L_MOV, [VM_NEG] = &&L_NEG, [VM_NOT] = &&L_NOT, [VM_ADD] = &&L_ADD, [VM_SUB] = &&L_SUB,
        [VM_MUL] = &&L_MUL, [VM_DIV] = &&L_DIV, [VM_POW] = &&L_POW, [VM_MODI] = &&L_MODI, [VM_LT] = &&L_LT,
        [VM_LE] = &&L_LE, [VM_GT] = &&L_GT, [VM_GE] = &&L_GE, [VM_EQ] = &&L_EQ, [VM_NE] = &&L_NE,
        [VM_AND] = &&L_AND, [VM_OR] = &&L_OR, [VM_MULADD] = &&L_MULADD, [VM_JZ] = &&L_JZ, [VM_JMP] = &&L_JMP,
        [VM_CALL] = &&L_CALL, [VM_GF] = &&L_GF, [VM_DELAY] = &&L_DELAY, [VM_NN] = &&L_NN, [VM_RAND] = &&L_RAND,
        [VM_CHECK | VM_MOV] = &&C_MOV, [VM_CHECK | VM_NEG] = &&C_NEG, [VM_CHECK | VM_NOT] = &&C_NOT,
        [VM_CHECK | VM_ADD] = &&C_ADD, [VM_CHECK | VM_SUB] = &&C_SUB, [VM_CHECK | VM_MUL] = &&C_MUL,
        [VM_CHECK | VM_DIV] = &&C_DIV, [VM_CHECK | VM_POW] = &&C_POW, [VM_CHECK | VM_MODI] = &&C_MODI,
        [VM_CHECK | VM_LT] = &&C_LT, [VM_CHECK | VM_LE] = &&C_LE, [VM_CHECK | VM_GT] = &&C_GT,
        [VM_CHECK | VM_GE] = &&C_GE, [VM_CHECK | VM_EQ] = &&C_EQ, [VM_CHECK | VM_NE] = &&C_NE,
        [VM_CHECK | VM_AND] = &&C_AND, [VM_CHECK | VM_OR] = &&C_OR, [VM_CHECK | VM_MULADD] = &&C_MULADD,
        [VM_CHECK | VM_CALL] = &&C_CALL, [VM_CHECK | VM_GF] = &&C_GF, [VM_CHECK | VM_DELAY] = &&C_DELAY,
        [VM_CHECK | VM_RAND] = &&C_RAND};
    goto *tab[in->op];
#else
#define OP(name) case VM_##name: d = &v[in->dst];
#define CK(name) case VM_CHECK | VM_##name: d = &v[in->dst];
#define NEXT break
#define CNEXT                                                                                    \
    if (!isfinite(*d))                                                                           \
        goto notnum;                                                                             \
    break
#define BODY(name, ...) OP(name) __VA_ARGS__; NEXT; CK(name) __VA_ARGS__; CNEXT;
    for (; in < end; in++) {
        switch (in->op) {
#endif
    BODY(MOV, *d = v[in->a])
    BODY(NEG, *d = -v[in->a])
    BODY(NOT, *d = v[in->a] == 0)
    BODY(ADD, *d = v[in->a] + v[in->b])
    BODY(SUB, *d = v[in->a] - v[in->b])
    BODY(MUL, *d = v[in->a] * v[in->b])
    BODY(MULADD, *d = v[in->a] * v[in->b] + v[in->c])
    BODY(DIV, {
        if (v[in->b] == 0) {
            if (v[in->a] == 0 || isnan(v[in->a]))
                goto divzero; /* 0/0 has no limit to stand for */
            dz = in;
        }
        *d = v[in->a] / v[in->b];
    })
    BODY(POW, *d = pow(v[in->a], v[in->b]))
    BODY(MODI, {
        int dz = 0;
        double ab[2] = {v[in->a], v[in->b]};
        *d = bi_eval(BI_MOD, ab, 2, t, m->dt, &dz);
        if (dz)
            return vm_fail(m, p, (size_t)(in - code), t, err, "takes MOD by zero");
    })
    BODY(LT, *d = v[in->a] < v[in->b])
    BODY(LE, *d = v[in->a] <= v[in->b])
    BODY(GT, *d = v[in->a] > v[in->b])
    BODY(GE, *d = v[in->a] >= v[in->b])
    BODY(EQ, *d = v[in->a] == v[in->b])
    BODY(NE, *d = v[in->a] != v[in->b])
    BODY(AND, *d = v[in->a] != 0 && v[in->b] != 0)
    BODY(OR, *d = v[in->a] != 0 || v[in->b] != 0)
    BODY(CALL, {
        int dz = 0;
        *d = bi_eval((bi_id)in->c, in->b ? &v[in->a] : NULL, in->b, t, m->dt, &dz);
        if (dz)
            goto divzero;
    })
    BODY(RAND, {
        char why[160];
        *d = sd_rand_eval(m, in->c, &v[in->a], in->b, why, sizeof why);
        if (isnan(*d))
            return vm_fail(m, p, (size_t)(in - code), t, err, why);
    })
    BODY(GF, *d = gf_eval(in->b < 0 ? m->vars[-1 - in->b].gf : m->gfs[in->b], v[in->a]))
    BODY(DELAY, {
        sd_delay *dl = &m->delays[in->c];
        if (dl->history) {
            char why[160];
            if (dl_history_bad(m, t, v[in->a], why, sizeof why))
                return vm_fail(m, p, (size_t)(in - code), t, err, why);
            *d = dl_value(m, dl, t, t - v[in->a], 0, 0);
        } else
            *d = dl_value(m, dl, t, v[in->a], in->b, in->b ? v[in->a + 1] : 0);
        if (dl->bias == 0)
            dl->out = *d;
        *d += dl->bias;
    })
    OP(NN)
        if (*d < 0)
            *d = 0;
        NEXT;
    OP(JZ)
        if (v[in->a] == 0) {
            in = code + in->b - 1;
        }
        NEXT;
    OP(JMP)
        in = code + in->b - 1;
        NEXT;
#ifndef VM_THREADED
        }
        /* a jump past the end leaves the loop at the next test */
    }
    return 0;
#endif
divzero:
    return vm_fail(m, p, (size_t)(in - code), t, err, "divides by zero");
notnum:
    if (dz && p->owner[dz - code] == p->owner[in - code])
        return vm_fail(m, p, (size_t)(in - code), t, err, "divides by zero");
    return vm_fail(m, p, (size_t)(in - code), t, err, isnan(*d) ? "is not a number (NaN)" : "is infinite");
#undef OP
#undef CK
#undef NEXT
#undef CNEXT
#undef BODY
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
    for (size_t i = 0; i < m->nnn; i++) {
        int s = m->nn_stocks[i];
        if (m->v[s] < 0)
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
    double *row = xcalloc(m->ncols + 1, sizeof *row);
    double *y0 = xcalloc(ns + 1, sizeof *y0), *acc = xcalloc(ns + 1, sizeof *acc);
    memset(m->v, 0, m->nslots * sizeof *m->v);
    /* A model without constants has no consts array: memcpy's pointers
     * must be valid even for zero bytes. */
    if (m->nconsts)
        memcpy(m->v + m->const_base, m->consts, m->nconsts * sizeof *m->consts);
    m->v[m->time_slot + 1] = m->dt;
    m->v[m->time_slot + 2] = m->start;
    m->v[m->time_slot + 3] = m->stop;
    for (size_t i = 0; i < m->ndelays; i++) {
        m->delays[i].head = m->delays[i].n = 0;
        m->delays[i].maxd = m->delays[i].history ? INFINITY : 0; /* HISTORY keeps all */
        m->delays[i].out = m->delays[i].bias = 0;
    }
    sd_rand_reset(m);
    m->rand_step = 0;
    int rc = vm_exec(m, &m->init, m->start, err);
    if (!rc)
        rc = vm_exec(m, &m->rates, m->start, err);
    for (size_t i = 0; i < m->ninit; i++)
        m->v[m->init_dst[i]] = m->v[m->init_src[i]];
    if (!rc && m->init0.n) {
        /* <init_eqn>s: the initial pass gave the stocks and INIT their
         * values; the start's flows and auxiliaries come from their <eqn>s */
        if (!m->v0)
            m->v0 = xmalloc(m->nslots * sizeof *m->v0);
        memcpy(m->v0, m->v, m->nslots * sizeof *m->v0);
        rc = vm_exec(m, &m->init0, m->start, err);
        if (!rc)
            rc = vm_exec(m, &m->rates, m->start, err);
    }
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
        for (size_t i = 0; i < m->nprev; i++) {
            int src = m->prev_src[i];
            /* PREVIOUS at the first step: an <init_eqn>'s value */
            m->v[m->prev_dst[i]] = k == 0 && m->init0.n && m->vars[src].init_eqn ? m->v0[src] : m->v[src];
        }
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
        m->rand_step = k + 1; /* the stages above saw step k's draws */
        rc = vm_eval(m, m->start + (double)(k + 1) * dt, err);
    }
    if (steps)
        *steps = (size_t)k;
    free(row);
    free(y0);
    free(acc);
    return rc;
}
