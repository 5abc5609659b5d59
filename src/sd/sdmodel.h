/* sdmodel.h -- the compiled form of a stock-and-flow model, shared by the
 * compiler (compile.c), the VM (vm.c) and the loop finder (sd_loops.c).
 * Not part of the layer's interface: use sd.h. */
#ifndef EDDY_SD_SDMODEL_H
#define EDDY_SD_SDMODEL_H

#include <stdint.h>

#include "expr.h"
#include "sd.h"
#include "symtab.h"
#include "xmile.h"

typedef struct sd_var {
    char *name;       /* as the file spells it; "Stock A[Entry 1]" for elements */
    char *key;        /* canonical (name.h) */
    int kind;         /* SD_STOCK, SD_FLOW, SD_AUX */
    bool hidden;      /* made by the compiler (a SMTH1's stock, ...) */
    bool non_negative;
    ex_node *eqn;     /* resolved; a stock's is its initial value */
    ex_node *init_eqn; /* a flow's or aux's <init_eqn>: its value at the start, or NULL */
    ex_node *rate;    /* stocks: inflows minus outflows, resolved */
    const xm_gf *gf;  /* an aux's graphical function, applied to eqn */
    const char *units;
    int line, col;    /* where the equation is, for messages */
    int src;          /* index of the xm_var it comes from, -1 if hidden */
} sd_var;

/* One instruction: op (compile.h) and slots of the value array. */
typedef struct sd_ins {
    int op;
    int dst, a, b, c;
} sd_ins;

typedef struct sd_prog {
    sd_ins *code;
    int *owner; /* the variable each instruction computes, for run-time errors */
    size_t n, cap;
} sd_prog;

/* DELAY's memory of its input: (time, value) pairs, oldest first. */
typedef struct sd_delay {
    int in;      /* slot of the input */
    double maxd; /* the longest delay asked for so far: how far back to keep */
    double *t, *v;
    size_t head, n, cap;
    /* For loop analysis (causal.h): the last value the delay gave, and a
     * shift added to what it gives while an equation is re-evaluated. */
    double out, bias;
    /* HISTORY's memory: kept whole (never trimmed), read at a given time
     * rather than a given time ago. */
    bool history;
} sd_delay;

/* One call of a statistical function (RANDOM, NORMAL, ...): its stream and
 * the slot that holds the step whose draw it shows (rand.c). */
typedef struct sd_rand {
    int fn;           /* bi_id */
    int cap, slot;    /* its captured slot: cap numbered while compiling, slot once placed */
    char *name;       /* the stream: the key of the variable that calls it ... */
    uint32_t ord;     /* ... and which of its calls this is */
    bool fixed;       /* an explicit seed argument: the stream is seed's alone */
    uint64_t seed;
    uint64_t base;    /* set at the start of each run */
    long long drawn;  /* the step last drawn for */
} sd_rand;

struct sd_model {
    xm_doc *doc; /* owns the graphical functions and the units */
    char *file;
    double start, stop, dt, save_step;
    int method;
    sd_var *vars;
    size_t nvars, capvars;
    symtab keys; /* key -> variable */
    /* slots: variables, stock rates, captured values (INIT, PREVIOUS),
     * constants, TIME DT STARTTIME STOPTIME, then temporaries */
    size_t nslots;
    int *rate_slot; /* per variable; -1 if not a stock */
    int *stocks;
    size_t nstocks;
    int *init_src, *init_dst; /* INIT: copied once, after initialisation */
    size_t ninit;
    int *prev_src, *prev_dst; /* PREVIOUS: copied after each saved step */
    size_t nprev;
    sd_delay *delays;
    size_t ndelays;
    sd_rand *rands;
    size_t nrands;
    uint64_t seed;       /* the run seed the calls without a seed argument draw from */
    long long rand_step; /* the step whose draws the equations see (RK stages see their step's) */
    const xm_gf **gfs;
    size_t ngfs;
    int *cols; /* visible variables, file order */
    size_t ncols;
    sd_prog init, step, rates; /* initial values; auxiliaries and flows; stocks' net flows */
    /* With <init_eqn>s: the flows and auxiliaries at the start again, from
     * their <eqn>s, once the stocks have their initial values (empty
     * without); v0 keeps the values of the initial pass for PREVIOUS. */
    sd_prog init0;
    double *v0;
    double *consts; /* the constants' values, from slot const_base */
    size_t nconsts;
    int const_base, time_slot; /* time_slot + 0..3: TIME, DT, STARTTIME, STOPTIME */
    int *nn_stocks; /* the non-negative stocks */
    size_t nnn;
    double *v; /* the values, nslots */
    /* Called at every time step of sd_run with the time and whether it is
     * a save step, when set (causal.c uses it to see the whole state). */
    void (*trace)(double t, int saved, void *ud);
    void *trace_ud;
    size_t *eval_lo, *eval_hi; /* per variable: its instructions in step (a stock: in rates) */
    /* per variable u: the PREVIOUS copies of u are prev_at[prev_lo[u] ..
     * prev_lo[u + 1]) (indexes into prev_src/prev_dst), so that
     * perturbing u finds them without a scan of every PREVIOUS */
    size_t *prev_lo;
    int *prev_at;
};

/* Run instructions [lo, hi) of p (the instructions of one variable) on m->v. */
int sd_vm_exec(sd_model *m, const sd_prog *p, size_t lo, size_t hi, double t, eddy_error *err);

#endif
