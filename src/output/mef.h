/* mef.h -- a fault tree in the Open-PSA Model Exchange Format.
 *
 * The derived fault tree, its basic events and its common-cause groups, as
 * the Open-PSA MEF (version 2.0d) writes them, so SCRAM and other PSA tools
 * read what `eddy avail` analysed: one define-fault-tree with a gate per
 * top event, basic events with their probability of being down (steady-
 * state unavailability, a float), and beta-factor CCF groups.  Every gate
 * and event carries its meaning in words as a <label>. */
#ifndef EDDY_MEF_H
#define EDDY_MEF_H

#include <stdio.h>

#include "../analysis/ftree.h"

/* Returns 0, or -1 on a write error. */
int mef_write(FILE *f, const fault_tree *t, const char *name);

#endif
