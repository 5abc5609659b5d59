/* units.h -- the quantities a model file is written in.
 *
 *   durations  250us, 5ms, 2s, 10m (or 10min), 1h (also ns)
 *   rates      800/s, 3000/m, 20/h
 *   fractions  0.4 or 40%
 *   counts     12, or `unlimited` where a limit may be lifted
 *
 * A bare number where a unit is required is an error: "timeout: 2" could
 * mean seconds or milliseconds, and a wrong guess makes a wrong simulation.
 * Each parser returns 0 on success and -1 if the text is not of its form. */
#ifndef EDDY_UNITS_H
#define EDDY_UNITS_H

#include "../core/clock.h"

int units_duration(const char *s, simtime *out);
int units_rate(const char *s, double *per_second);
int units_fraction(const char *s, double *out);
int units_count(const char *s, long *out);
int units_number(const char *s, double *out);
/* A multiplier such as `10` or `10x`. */
int units_factor(const char *s, double *out);

/* Write a duration the way a person would ("2s", "250ms", "90s", "5m"). */
void units_format_duration(simtime t, char *buf, int size);

#endif
