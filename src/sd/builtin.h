/* builtin.h -- the XMILE builtin functions: names, arities and the pure
 * ones' arithmetic.
 *
 * Stateful builtins (SMTH1, DELAY3, TREND, ...) are listed here for name
 * lookup, but the compiler rewrites them into hidden stocks (compile.c);
 * only the pure ones reach the VM as calls. */
#ifndef EDDY_SD_BUILTIN_H
#define EDDY_SD_BUILTIN_H

typedef enum {
    BI_ABS, BI_SQRT, BI_EXP, BI_LN, BI_LOG10, BI_SIN, BI_COS, BI_TAN, BI_ARCSIN, BI_ARCCOS,
    BI_ARCTAN, BI_SINH, BI_COSH, BI_TANH, BI_INT, BI_ROUND, BI_MOD, BI_MIN, BI_MAX, BI_MEAN,
    BI_SUM, BI_PROD, BI_SIZE, BI_STDDEV, BI_SAFEDIV, BI_XIDZ, BI_ZIDZ, BI_PI, BI_STEP, BI_PULSE,
    BI_RAMP, BI_EXPRND_UNUSED, BI_LOG, BI_SIGN, BI_INF,
    BI_RANK, BI_RANK2, /* RANK(A, r[, B]): the VM's arguments are r, A's elements[, B's] */
    BI_ELEM, /* a[i] with i computed: the arguments are i, then the elements it picks from */
    /* stateful or special: rewritten by the compiler */
    BI_INIT, BI_PREVIOUS, BI_SMTH1, BI_SMTH3, BI_SMTHN, BI_DELAY, BI_DELAY1, BI_DELAY3,
    BI_DELAYN, BI_TREND, BI_LOOKUP, BI_IF_THEN_ELSE, BI_TIME, BI_DT, BI_STARTTIME, BI_STOPTIME,
    /* the statistical functions (XMILE 1.0 section 3.5.2): one draw per DT
     * from a stream of the call's own (rand.h) */
    BI_RANDOM, BI_NORMAL, BI_LOGNORMAL, BI_EXPRND, BI_POISSON,
    /* FORCST (3.5.3), and Stella's HISTORY and NPV, which XMILE 1.0 does not define */
    BI_FORCST, BI_HISTORY, BI_NPV,
    BI_COUNT
} bi_id;

typedef struct bi_info {
    const char *name; /* canonical (lower case, '_' for spaces) */
    bi_id id;
    int min_args, max_args; /* max -1: any number */
} bi_info;

/* Whether id is one of the statistical functions (RANDOM .. POISSON). */
static inline int bi_is_random(int id) { return id >= BI_RANDOM && id <= BI_POISSON; }

/* The builtin with this canonical name, or NULL. */
const bi_info *bi_find(const char *canon);
/* The pure function of n arguments; t and dt for the time functions.
 * Sets *divzero when a division by zero happened (SAFEDIV excepted). */
double bi_eval(bi_id id, const double *a, int n, double t, double dt, int *divzero);

#endif
