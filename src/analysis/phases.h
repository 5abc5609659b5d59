/* phases.h -- a run cut into phases by its fault windows, and recovery.
 *
 * "Before", "during <fault>", "between" and "after" each get a client's
 * goodput, its success ratio and its retry amplification (attempts per user
 * request).  Recovery asks the central question of DESIGN.md 3.9: once the
 * last fault window has closed, does the client's success ratio return to
 * its pre-fault level and stay there? */
#ifndef EDDY_PHASES_H
#define EDDY_PHASES_H

#include <stdbool.h>
#include <stddef.h>

#include "eddy.h"
#include "../model/model.h"

typedef struct phase {
    char label[192];
    double start, end;    /* seconds */
    double goodput;       /* user requests succeeded per second */
    double demand;        /* user requests arrived per second */
    double success;       /* of the user requests that finished in the phase, the fraction
                           * that succeeded: goodput / (goodput + failed); NaN if none
                           * finished.  Not goodput / demand: requests that arrived in a
                           * fault and succeed after it would push that above 100%. */
    double amplification; /* attempts per first attempt, or NaN */
    bool faulted;         /* a fault window is open during it */
} phase;

typedef struct client_phases {
    phase *v;
    size_t n;
    bool has_faults;
    double fault_end;      /* when the last fault window closes (s) */
    double baseline;       /* success ratio before the first fault */
    bool fault_open_at_end; /* a window is still open when the run ends */
    bool recovered;
    double recovery_time;  /* s after fault_end, or NaN when not recovered */
    double final_success;  /* success ratio over the run's last window */
} client_phases;

/* Recovered means the success ratio, over a rolling window of this many
 * samples, is at least RECOVERY_LEVEL x the pre-fault ratio from some time
 * after the last fault to the end of the run. */
#define RECOVERY_WINDOW 5
#define RECOVERY_LEVEL 0.9

/* Online: feed rows as the engine produces them (an eddy_options.on_row
 * callback can), in O(1) memory however long the run. */
typedef struct phases_acc {
    const model *m;
    client_phases *out;
    int c_off, c_ret, c_good, c_shed, c_fail; /* column indexes */
    double end;                       /* run length, s */
    double first_fault;
    bool have_prev;
    double prev[6]; /* the previous row: t, offered, retries, goodput, shed, failed (rates) */
    size_t cur_phase;
    double sums[5]; /* offered, retries, goodput, shed, failed in cur_phase */
    /* recovery: windows of RECOVERY_WINDOW rows after the last fault */
    size_t nafter;                      /* rows seen after fault_end */
    double ring_good[RECOVERY_WINDOW], ring_dem[RECOVERY_WINDOW];
    double ring_t[RECOVERY_WINDOW];
    bool any_fail;
    bool fail_last;   /* the latest window judged failed */
    double recover_t; /* the row after the last failing window's start */
} phases_acc;

int phases_begin(phases_acc *a, const model *m, const eddy_series *cols, double duration, size_t client,
                 client_phases *out);
void phases_row(phases_acc *a, const double *row);
void phases_finish(phases_acc *a);

/* All at once, from a result that kept its rows. */
int phases_compute(const model *m, const eddy_result *r, size_t client, client_phases *out);
void phases_free(client_phases *p);

/* "db slow x10", "db down", ... */
void phases_describe_fault(const model *m, const fault_spec *f, char *buf, size_t size);

#endif
