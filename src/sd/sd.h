/* sd.h -- stock-and-flow models: load an XMILE file, compile it, run it.
 *
 *     eddy_error err;
 *     sd_model *m = sd_load("model.xmile", NULL, 0, &err);
 *     if (m && sd_run(m, on_row, ud, &err) == 0) ...
 *     sd_free(m);
 *
 * The model is compiled once to flat instruction lists in dependency
 * order (compile.c); runs execute those (vm.c) and stream one row per
 * saved time to a callback, so memory does not grow with the run. */
#ifndef EDDY_SD_H
#define EDDY_SD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eddy.h"

typedef struct sd_model sd_model;

enum { SD_EULER, SD_RK2, SD_RK4 };
enum { SD_STOCK, SD_FLOW, SD_AUX };

/* A constant given a new value before compiling (--set NAME=VALUE). */
typedef struct sd_override {
    const char *name;
    double value;
} sd_override;

sd_model *sd_load(const char *path, const sd_override *ov, size_t nov, eddy_error *err);
sd_model *sd_load_string(const char *xml, size_t len, const char *name,
                         const sd_override *ov, size_t nov, eddy_error *err);
void sd_free(sd_model *m);

/* Replace the sim specs' method or dt (--method, --dt); dt <= 0 is an error. */
int sd_set_method(sd_model *m, int method);
int sd_set_dt(sd_model *m, double dt, eddy_error *err);

/* The run seed (default 1) that the statistical functions (RANDOM,
 * NORMAL, ...) draw from, unless a call gives its own seed (--seed). */
void sd_set_seed(sd_model *m, uint64_t seed);
uint64_t sd_seed(const sd_model *m);

double sd_start(const sd_model *m);
double sd_stop(const sd_model *m);
double sd_dt(const sd_model *m);
double sd_save_step(const sd_model *m);
int sd_method(const sd_model *m);
const char *sd_time_units(const sd_model *m); /* "" if the file gives none */
const char *sd_file(const sd_model *m);

/* The output columns: every variable the file declares (array elements
 * one by one, "Stock A[Entry 1]"), in the file's order. */
size_t sd_ncols(const sd_model *m);
const char *sd_col_name(const sd_model *m, size_t i);
int sd_col_kind(const sd_model *m, size_t i);
const char *sd_col_units(const sd_model *m, size_t i); /* "" if none */
/* Column of the variable with this name (matched as XMILE does), or -1. */
int sd_col_find(const sd_model *m, const char *name);

/* Called once per saved time with the values of the columns. */
typedef void (*sd_row_fn)(double t, const double *cols, size_t ncols, void *ud);

/* Run from start to stop.  Steps taken are counted in *steps (may be NULL).
 * A division by zero or a value that is not a number stops the run with an
 * error naming the variable and the time. */
int sd_run(sd_model *m, sd_row_fn fn, void *ud, size_t *steps, eddy_error *err);

#endif
