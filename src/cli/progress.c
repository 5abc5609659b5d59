/* progress.c -- draw "label [#####.....]  45%" on a terminal's stderr.
 *
 * Nothing is drawn when stderr is not a terminal (CI logs, pipes), and
 * nothing for work that ends within half a second. */
#include "progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void progress_init(progress *p, const char *label, bool enabled)
{
    p->on = enabled && isatty(STDERR_FILENO);
    p->label = label;
    p->last = -1;
    p->start = now();
}

void progress_update(double fraction, void *ud)
{
    progress *p = ud;
    if (!p->on || now() - p->start < 0.5)
        return;
    int permille = (int)(fraction * 1000);
    if (permille == p->last)
        return;
    p->last = permille;
    int width = 30, full = (int)(fraction * width);
    fprintf(stderr, "\r%s [", p->label);
    for (int i = 0; i < width; i++)
        fputc(i < full ? '#' : '.', stderr);
    fprintf(stderr, "] %3d%%", permille / 10);
    fflush(stderr);
}

void progress_done(progress *p)
{
    if (p->on && p->last >= 0)
        fprintf(stderr, "\r\033[K");
}
