/* variant.h -- the counterfactual models: the model as written, changed in
 * one respect (load scaled, faults removed, a loop cut from some instant).
 *
 * Variants are made by changing a freshly loaded model in place, so the
 * unchanged parts keep their random streams (rng.h) and runs of a variant
 * and the original on one seed differ only by the change. */
#ifndef EDDY_VARIANT_H
#define EDDY_VARIANT_H

#include <stdbool.h>

#include "../model/model.h"

/* Multiply every client's offered load by x: open-loop rates, and
 * closed-loop users (rounded, at least 1). */
void variant_scale_load(model *m, double x);

/* Remove every fault, and set every load burst written as rate steps back
 * to its client's base rate (burst.h): the baseline of a diagnosis. */
void variant_drop_faults(model *m);
/* Whether the model has a trigger: a fault or a load burst. */
bool variant_has_trigger(const model *m);
/* Remove the responses (actions with `when:`); returns how many. */
size_t variant_drop_responses(model *m);

/* When the last fault window or burst closes (0 with none). */
simtime variant_fault_end(const model *m);
/* When the first fault window opens (the run's end with no faults). */
simtime variant_fault_start(const model *m);

/* Remove autoscaler i (its service keeps the replica slots it had). */
void variant_drop_autoscaler(model *m, size_t i);

/* Add an operator action (the array grows). */
void variant_add_action(model *m, action_spec a);

#endif
