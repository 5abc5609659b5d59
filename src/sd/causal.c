/* causal.c -- the model's reads, states and re-evaluations that loop
 * analysis works from (causal.h). */
#include "causal.h"

#include <stdlib.h>
#include <string.h>

#include "../core/err.h"
#include "builtin.h"
#include "compile.h"
#include "../core/xalloc.h"

size_t sdc_nvars(const sd_model *m) { return m->nvars; }
const char *sdc_name(const sd_model *m, int var) { return m->vars[var].name; }
int sdc_kind(const sd_model *m, int var) { return m->vars[var].kind; }
bool sdc_hidden(const sd_model *m, int var) { return m->vars[var].hidden; }
int sdc_col_var(const sd_model *m, size_t col) { return m->cols[col]; }

void sdc_where(const sd_model *m, int var, int *line, int *col)
{
    *line = m->vars[var].line;
    *col = m->vars[var].col;
}

typedef struct inputs {
    sdc_input *v;
    size_t n, cap;
    int self;
} inputs;

static void in_add(inputs *in, int var, bool delayed)
{
    if (var == in->self)
        return;
    for (size_t i = 0; i < in->n; i++)
        if (in->v[i].var == var) {
            in->v[i].delayed = in->v[i].delayed && delayed;
            return;
        }
    if (in->n == in->cap) {
        in->cap = in->cap ? in->cap * 2 : 8;
        in->v = xrealloc(in->v, in->cap * sizeof *in->v);
    }
    in->v[in->n++] = (sdc_input){var, delayed};
}

static void in_walk(inputs *in, const ex_node *n)
{
    if (n->kind == EX_SLOT) {
        in_add(in, n->slot, false);
        return;
    }
    if (n->kind == EX_CALL) {
        /* INIT is fixed once the run starts: no arrow during it.  A
         * PREVIOUS's second argument is only its initial value. */
        if (n->op == BI_INIT)
            return;
        if (n->op == BI_PREVIOUS || n->op == BI_DELAY) {
            if (n->args[0]->kind == EX_SLOT)
                in_add(in, n->args[0]->slot, true);
            for (int i = n->op == BI_DELAY ? 1 : n->nargs; i < n->nargs; i++)
                in_walk(in, n->args[i]);
            return;
        }
    }
    for (int i = 0; i < n->nargs; i++)
        in_walk(in, n->args[i]);
}

size_t sdc_inputs(const sd_model *m, int var, sdc_input **out)
{
    const sd_var *v = &m->vars[var];
    inputs in = {NULL, 0, 0, var};
    const ex_node *e = v->kind == SD_STOCK ? v->rate : v->eqn;
    if (e)
        in_walk(&in, e);
    *out = in.v;
    return in.n;
}

void sdc_capture(const sd_model *m, double t, sdc_state *st)
{
    if (!st->v) {
        st->v = xcalloc(m->nslots + 1, sizeof *st->v);
        st->dout = xcalloc(m->ndelays + 1, sizeof *st->dout);
    }
    st->t = t;
    memcpy(st->v, m->v, m->nslots * sizeof *st->v);
    for (size_t i = 0; i < m->ndelays; i++)
        st->dout[i] = m->delays[i].out;
}

void sdc_state_free(sdc_state *st)
{
    free(st->v);
    free(st->dout);
    st->v = st->dout = NULL;
}

double sdc_value(const sd_model *m, const sdc_state *st, int var)
{
    (void)m;
    return st->v[var];
}

double sdc_rate(const sd_model *m, const sdc_state *st, int stock)
{
    return m->rate_slot[stock] >= 0 ? st->v[m->rate_slot[stock]] : 0;
}

typedef struct tracer {
    sdc_step_fn fn;
    void *ud;
    sd_model *m;
} tracer;

static void sdc_trace(double t, int saved, void *ud)
{
    tracer *tr = ud;
    tr->fn(tr->m, t, saved != 0, tr->ud);
}

/* Where each variable's instructions are: contiguous, since the compiler
 * emits one variable's equation at a time. */
static void sdc_ranges(sd_model *m)
{
    if (m->eval_lo)
        return;
    m->eval_lo = xcalloc(m->nvars + 1, sizeof *m->eval_lo);
    m->eval_hi = xcalloc(m->nvars + 1, sizeof *m->eval_hi);
    const sd_prog *ps[2] = {&m->step, &m->rates};
    for (int k = 0; k < 2; k++) {
        const sd_prog *p = ps[k];
        for (size_t pc = p->n; pc-- > 0;) {
            int o = p->owner[pc];
            if ((m->vars[o].kind == SD_STOCK) != (k == 1))
                continue;
            if (m->eval_hi[o] == 0)
                m->eval_hi[o] = pc + 1;
            m->eval_lo[o] = pc;
        }
    }
    /* PREVIOUS copies by source variable (a counting sort): sdc_eval
     * runs once per arrow per save step, and a scan of every PREVIOUS in
     * each would make building the graph quadratic */
    m->prev_lo = xcalloc(m->nvars + 2, sizeof *m->prev_lo);
    m->prev_at = xcalloc(m->nprev + 1, sizeof *m->prev_at);
    for (size_t i = 0; i < m->nprev; i++)
        if ((size_t)m->prev_src[i] < m->nvars)
            m->prev_lo[m->prev_src[i] + 1]++;
    for (size_t x = 0; x < m->nvars; x++)
        m->prev_lo[x + 1] += m->prev_lo[x];
    size_t *fill = xcalloc(m->nvars + 1, sizeof *fill);
    for (size_t i = 0; i < m->nprev; i++) {
        size_t x = (size_t)m->prev_src[i];
        if (x < m->nvars)
            m->prev_at[m->prev_lo[x] + fill[x]++] = (int)i;
    }
    free(fill);
}

int sdc_run(sd_model *m, sdc_step_fn fn, void *ud, eddy_error *err)
{
    sdc_ranges(m);
    tracer tr = {fn, ud, m};
    m->trace = sdc_trace;
    m->trace_ud = &tr;
    int rc = sd_run(m, NULL, NULL, NULL, err);
    m->trace = NULL;
    m->trace_ud = NULL;
    return rc;
}

void sdc_load(sd_model *m, const sdc_state *st)
{
    memcpy(m->v, st->v, m->nslots * sizeof *m->v);
    for (size_t i = 0; i < m->ndelays; i++)
        m->delays[i].out = st->dout[i];
}

/* One slot changed for an evaluation, and what it held. */
typedef struct undo {
    int slot;
    double was;
} undo;

int sdc_eval(sd_model *m, int var, double t, int u, const sdc_state *from, double h, double *out)
{
    double *v = m->v;
    undo small[8], *un = small;
    size_t nun = 0, capun = 8;
    const sd_var *sv = &m->vars[var];
    int target = sv->kind == SD_STOCK ? m->rate_slot[var] : var;
    /* In place, undone after: copying every value for each of the many
     * evaluations a step needs would cost more than the evaluations. */
#define SDC_SET(s, x)                                                                                                  \
    do {                                                                                                               \
        if (nun == capun) {                                                                                            \
            capun *= 2;                                                                                                \
            undo *nu = xmalloc(capun * sizeof *nu);                                                                    \
            memcpy(nu, un, nun * sizeof *nu);                                                                          \
            if (un != small)                                                                                           \
                free(un);                                                                                              \
            un = nu;                                                                                                   \
        }                                                                                                              \
        un[nun++] = (undo){(s), v[(s)]};                                                                               \
        v[(s)] = (x);                                                                                                  \
    } while (0)
    SDC_SET(target, v[target]);
    if (u >= 0) {
        SDC_SET(u, (from ? from->v[u] : v[u]) + h);
        if ((size_t)u < m->nvars)
            for (size_t k = m->prev_lo[u]; k < m->prev_lo[u + 1]; k++) {
                int d = m->prev_dst[m->prev_at[k]];
                SDC_SET(d, (from ? from->v[d] : v[d]) + h);
            }
    }
#undef SDC_SET
    /* Only the DELAYs among var's own instructions can read a bias or
     * write their output here (each DELAY call is its own delay, in one
     * instruction), so only those are shifted and restored: a pass over
     * every delay of the model in each evaluation would be quadratic. */
    const sd_prog *p = sv->kind == SD_STOCK ? &m->rates : &m->step;
    size_t lo = m->eval_lo[var], hi = m->eval_hi[var];
    undo keptd[8], *outs = keptd; /* slot: the delay's index */
    size_t nouts = 0, capouts = 8;
    for (size_t pc = lo; pc < hi; pc++) {
        if ((p->code[pc].op & VM_OPMASK) != VM_DELAY)
            continue;
        int i = p->code[pc].c;
        sd_delay *d = &m->delays[i];
        if (nouts == capouts) {
            capouts *= 2;
            undo *no = xmalloc(capouts * sizeof *no);
            memcpy(no, outs, nouts * sizeof *no);
            if (outs != keptd)
                free(outs);
            outs = no;
        }
        outs[nouts++] = (undo){i, d->out};
        if (u >= 0 && d->in == u)
            d->bias = (from ? from->dout[i] - d->out : 0) + h;
    }
    eddy_error err = {0};
    int rc = hi > lo ? sd_vm_exec(m, p, lo, hi, t, &err) : 0;
    double x = v[target];
    while (nouts-- > 0) {
        m->delays[outs[nouts].slot].bias = 0;
        m->delays[outs[nouts].slot].out = outs[nouts].was;
    }
    if (outs != keptd)
        free(outs);
    while (nun-- > 0)
        v[un[nun].slot] = un[nun].was;
    if (un != small)
        free(un);
    if (rc)
        return -1;
    *out = x;
    return 0;
}
