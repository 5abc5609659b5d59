/* units.c -- parsing durations, rates, fractions and counts. */
#include "units.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parse a leading finite decimal number; *end points past it.  strtod alone
 * would also take "inf", "nan" and hex floats, which no model means. */
static int leading_number(const char *s, double *v, const char **end)
{
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    if (!((*p >= '0' && *p <= '9') || (*p == '.' && p[1] >= '0' && p[1] <= '9')))
        return -1;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
        return -1;
    char *e;
    errno = 0;
    *v = strtod(s, &e);
    if (errno || !isfinite(*v) || e == s)
        return -1;
    *end = e;
    return 0;
}

int units_number(const char *s, double *out)
{
    const char *end;
    if (leading_number(s, out, &end) < 0 || *end)
        return -1;
    return 0;
}

int units_duration(const char *s, simtime *out)
{
    static const struct {
        const char *u;
        double ns;
    } units[] = {{"ns", 1}, {"us", 1e3}, {"µs", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"m", 60e9}, {"min", 60e9}, {"h", 3600e9}};
    double v;
    const char *end;
    if (leading_number(s, &v, &end) < 0 || v < 0)
        return -1;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(end, units[i].u) == 0) {
            double ns = v * units[i].ns;
            if (ns >= 9.2e18)
                return -1;
            *out = (simtime)(ns + 0.5);
            return 0;
        }
    }
    return -1;
}

int units_rate(const char *s, double *per_second)
{
    double v;
    const char *end;
    if (leading_number(s, &v, &end) < 0 || v < 0)
        return -1;
    if (strcmp(end, "/s") == 0)
        *per_second = v;
    else if (strcmp(end, "/m") == 0 || strcmp(end, "/min") == 0)
        *per_second = v / 60.0;
    else if (strcmp(end, "/h") == 0)
        *per_second = v / 3600.0;
    else
        return -1;
    return 0;
}

int units_fraction(const char *s, double *out)
{
    double v;
    const char *end;
    if (leading_number(s, &v, &end) < 0)
        return -1;
    if (strcmp(end, "%") == 0)
        v /= 100.0;
    else if (*end)
        return -1;
    if (v < 0 || v > 1)
        return -1;
    *out = v;
    return 0;
}

int units_count(const char *s, long *out)
{
    const char *p = s;
    if (*p == '+')
        p++;
    if (!*p)
        return -1;
    long v = 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        if (v > (1L << 40))
            return -1;
        v = v * 10 + (*p - '0');
    }
    *out = v;
    return 0;
}

int units_factor(const char *s, double *out)
{
    double v;
    const char *end;
    if (leading_number(s, &v, &end) < 0)
        return -1;
    if (*end && strcmp(end, "x") != 0)
        return -1;
    *out = v;
    return 0;
}

void units_format_duration(simtime t, char *buf, int size)
{
    static const struct {
        simtime unit;
        const char *name;
    } units[] = {{3600 * T_SEC, "h"}, {60 * T_SEC, "m"}, {T_SEC, "s"}, {T_MS, "ms"}, {T_US, "us"}, {1, "ns"}};
    size_t n = sizeof units / sizeof units[0];
    if (t == 0) {
        snprintf(buf, size, "0s");
        return;
    }
    /* A whole number of the largest unit that gives one ("5m", "90s"). */
    for (size_t i = 0; i < n; i++) {
        if (t % units[i].unit == 0 && t / units[i].unit < 10000) {
            snprintf(buf, size, "%lld%s", (long long)(t / units[i].unit), units[i].name);
            return;
        }
    }
    /* Otherwise the largest unit not above it, with 4 significant digits;
     * minutes and hours only read well as whole numbers. */
    for (size_t i = 2; i < n; i++) {
        if (t >= units[i].unit || units[i].unit == 1) {
            double v = (double)t / (double)units[i].unit;
            snprintf(buf, size, v >= 10000 ? "%.0f%s" : "%.4g%s", v, units[i].name);
            return;
        }
    }
}
