/* causal.h -- what a loop analysis needs from a compiled stock-and-flow
 * model: which variables each equation reads, the whole state at every
 * time step, and one equation re-evaluated on values the caller chooses.
 *
 * The loop finder (src/loops/sd_graph.c) turns the reads into the arrows
 * of a causal graph and finds each arrow's polarity by perturbing its
 * input; Loops That Matter (src/loops/ltm.c) re-evaluates each equation
 * with one input at its current value and the others at their previous
 * ones.  Both see every variable the compiler made, hidden ones included
 * (a SMTH1's stock, a DELAY's input), so that arrows through a builtin can
 * be followed and then contracted to the variables the file names.
 *
 * A stock's "equation" here is its net flow: the arrows into a stock come
 * from what its rate reads (its flows, or for a hidden stock the inputs of
 * the builtin it implements). */
#ifndef EDDY_SD_CAUSAL_H
#define EDDY_SD_CAUSAL_H

#include <stdbool.h>
#include <stddef.h>

#include "sd.h"

/* One variable an equation reads.  delayed: it is read only through a
 * DELAY or PREVIOUS, so its effect arrives later (a perturbation now
 * changes nothing now); sdc_eval shifts the delayed value instead. */
typedef struct sdc_input {
    int var;
    bool delayed;
} sdc_input;

/* Every variable of the model, hidden ones included, by index. */
size_t sdc_nvars(const sd_model *m);
const char *sdc_name(const sd_model *m, int var);
int sdc_kind(const sd_model *m, int var); /* SD_STOCK, SD_FLOW, SD_AUX */
bool sdc_hidden(const sd_model *m, int var);
void sdc_where(const sd_model *m, int var, int *line, int *col);
/* Index of the visible variable in column col (sd_col_name's order). */
int sdc_col_var(const sd_model *m, size_t col);

/* The distinct variables var's equation reads during a run (a stock: its
 * rate), in the order they first appear; not INIT's argument, not var
 * itself.  Returns the count; *out is malloc'ed (free it). */
size_t sdc_inputs(const sd_model *m, int var, sdc_input **out);

/* The state of the model at one time: every value and each DELAY's
 * output.  Zero-initialise; sdc_capture allocates; sdc_state_free. */
typedef struct sdc_state {
    double t;
    double *v, *dout;
} sdc_state;

void sdc_capture(const sd_model *m, double t, sdc_state *st);
void sdc_state_free(sdc_state *st);
/* var's value in st; for a stock, value is its level and sdc_rate its net
 * flow. */
double sdc_value(const sd_model *m, const sdc_state *st, int var);
double sdc_rate(const sd_model *m, const sdc_state *st, int stock);

/* Run m from start to stop, calling fn at every time step once the state
 * at t is complete (saved: t is a save step).  fn may call sdc_capture and
 * sdc_eval.  Returns sd_run's status. */
typedef void (*sdc_step_fn)(sd_model *m, double t, bool saved, void *ud);
int sdc_run(sd_model *m, sdc_step_fn fn, void *ud, eddy_error *err);

/* Make st the values sdc_eval works on.  Inside sdc_run's callback, load
 * the current state back (sdc_capture'd first) before returning: the run
 * continues from the loaded values. */
void sdc_load(sd_model *m, const sdc_state *st);

/* Evaluate var's equation (a stock: its net flow) on the loaded values at
 * time t, except that input u (-1: none) takes its value from `from` (when
 * not NULL) and is then shifted by h -- everywhere var reads it, through a
 * DELAY or a PREVIOUS too.  The loaded values are left as they were.
 * Returns 0 with *out set, or -1 when the equation fails on those values
 * (a division by zero). */
int sdc_eval(sd_model *m, int var, double t, int u, const sdc_state *from, double h, double *out);

#endif
