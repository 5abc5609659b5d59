/* clock.h -- simulated time.
 *
 * Simulated time is an int64 count of nanoseconds since the start of the
 * run.  Integers, not doubles, so that event order never depends on
 * rounding and the same model gives the same output on every machine;
 * 2^63 ns is 292 years, far beyond any run. */
#ifndef EDDY_CLOCK_H
#define EDDY_CLOCK_H

#include <stdint.h>

typedef int64_t simtime;

#define T_NS  ((simtime)1)
#define T_US  ((simtime)1000)
#define T_MS  ((simtime)1000000)
#define T_SEC ((simtime)1000000000)
#define T_NEVER INT64_MAX

static inline double t_sec(simtime t) { return (double)t / (double)T_SEC; }

/* Round seconds to the nearest nanosecond, saturating. */
static inline simtime t_from_sec(double s)
{
    double ns = s * 1e9;
    if (ns >= 9.2e18)
        return T_NEVER;
    if (ns <= -9.2e18)
        return -T_NEVER;
    return (simtime)(ns < 0 ? ns - 0.5 : ns + 0.5);
}

#endif
