/* labfile.h -- a lab's `lab.yaml` (docs/labs/README.md): the machine-readable
 * form of one lab, which `eddy lab` prints and runs and tests/test_labs.c
 * checks.  A lab is a number, a title, a situation, and steps; each step is
 * a line to say, an eddy command to run, its expected exit status and the
 * regular expressions (POSIX extended) its stdout must and must not match.
 *
 * The keys are read by the schema walker (schema.h), so unknown keys get a
 * "did you mean", duplicates and missing keys are errors with
 * file:line:col, like a model's.  The table is not part of the model
 * format: it is not in schema_tables[] nor in docs/model.md. */
#ifndef EDDY_LABFILE_H
#define EDDY_LABFILE_H

#include <stddef.h>

#include "../core/err.h"
#include "model.h"

typedef struct lab_step {
    char *say;  /* one line printed before the command */
    char *run;  /* the command: words split on spaces, the first `eddy` */
    int exit;   /* its expected exit status */
    char **expect, **expect_not; /* regexes that must / must not match stdout */
    size_t nexpect, nexpect_not;
    model_pos pos;
} lab_step;

typedef struct lab_file {
    int lab;         /* the number, equal to the directory's NN */
    model_pos lab_pos;
    char *title;
    char *situation; /* one short paragraph */
    lab_step *steps;
    size_t nsteps;
} lab_file;

/* Read path into *L (lab_free it after, also on failure); 0, or -1 with
 * err naming file, line and column. */
int lab_load(const char *path, lab_file *L, eddy_error *err);
void lab_free(lab_file *L);

/* The words of a step's `run` (split on spaces; argv[0] is "eddy"), in
 * *argv (free *argv and **argv after: one block); the word count. */
int lab_split(const char *run, char ***argv);

#endif
