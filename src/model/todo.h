/* todo.h -- the TODO values `eddy import` leaves where no file gave one.
 *
 * A model holding a TODO is refused by every command, naming each TODO
 * with file:line:col, unless the run was started with --assume: then each
 * is replaced by the documented assumption for its key (docs/import.md),
 * and the model's name says so, so every output that names the model
 * carries it. */
#ifndef EDDY_TODO_H
#define EDDY_TODO_H

#include <stdbool.h>

#include <yaml.h>

#include "../core/err.h"

/* Process-wide, set once by the CLI before any model is read. */
void todo_set_assume(bool on);
bool todo_assume(void);

/* Check doc for plain TODO scalars: 0 if there are none (or all were
 * filled under --assume), -1 with err naming every one otherwise.
 * *filled (if not NULL) gets the number replaced. */
int todo_check(yaml_document_t *doc, const char *file, int *filled, eddy_error *err);

/* Under --assume, when a model read had TODO values filled: one line
 * saying so, for the outputs that carry it (text headers, JSON's
 * "assumed"); NULL otherwise. */
const char *todo_assumed_line(void);

/* The value --assume puts in place of a TODO at a key, with where it comes
 * from; NULL if there is none (the TODO must be measured). */
const char *todo_assumption(const char *key, const char **source);

#endif
