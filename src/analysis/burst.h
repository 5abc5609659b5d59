/* burst.h -- load bursts written as rate steps are triggers.
 *
 * Users write a burst the way they would see it on a dashboard: a client's
 * rate schedule that steps up and comes back, e.g. a batch job at 100/s
 * that runs at 2000/s from 60 s to 120 s.  The load it brings is the
 * trigger of whatever follows, exactly as a fault window is: the analyses
 * (diagnose, fix, run's phases, sweep's steady state) treat each such
 * window as one, and the baseline ("without the faults") runs the client
 * at its base rate throughout.
 *
 * A client's base rate is the rate its schedule starts at (the rate at
 * 0 s).  A burst is a maximal run of steps above BURST_LEVEL x the base
 * rate, from the first of them to the next step back at or below it (or
 * the end of the run).  A schedule that only ramps down has none. */
#ifndef EDDY_BURST_H
#define EDDY_BURST_H

#include <stdbool.h>
#include <stddef.h>

#include "../model/model.h"

#define BURST_LEVEL 1.5

typedef struct burst {
    int client;
    simtime at, dur; /* the window; dur reaches the end of the run if it never steps back */
    double base;     /* the client's base rate, per second */
    double rate;     /* the highest rate in the window, per second */
} burst;

/* The bursts of m in time order of their client and start; returns how
 * many there are and fills up to max of them. */
size_t burst_find(const model *m, burst *out, size_t max);
bool burst_any(const model *m);

/* Set every step of a burst back to its client's base rate. */
void burst_flatten(model *m);

/* "batch bursts to 2000/s (20x its 100/s)" */
void burst_describe(const model *m, const burst *b, char *buf, size_t size);

#endif
