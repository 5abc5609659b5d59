/* progress.h -- a progress bar on stderr, only when stderr is a terminal. */
#ifndef EDDY_PROGRESS_H
#define EDDY_PROGRESS_H

#include <stdbool.h>

typedef struct progress {
    bool on;
    const char *label;
    int last; /* last permille drawn */
    double start;
} progress;

void progress_init(progress *p, const char *label, bool enabled);
/* An eddy_options.progress callback: ud is a progress*. */
void progress_update(double fraction, void *ud);
void progress_done(progress *p);

#endif
