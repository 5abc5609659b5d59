/* avail_dyn.h -- `eddy avail --dynamic`: what the outages really cost.
 *
 * The fault tree counts an outage of a dependency as downtime equal to the
 * outage.  The coupled system may do worse: a 30 s blip can leave a retry
 * storm that outlives it by many minutes.  For each minimal cut set of
 * order 1 or 2 (the most frequent first), this runs the request-level
 * simulation with that outage as a fault -- its basic events' repair times
 * drawn from their `mttr` on independent seeds -- and measures the
 * user-visible outage: how long goodput, summed over clients, stays below
 * 90% of its level before the fault (5-sample windows), including any tail
 * after the repair.  Expected downtime a year is then the sum over cut sets
 * of frequency x mean measured outage, set beside the structural figure.
 *
 * How a cut set becomes faults (docs/avail.md):
 *   a replica            lose_replicas on its service
 *   an infra entry       down on every service that depends_on it (from the
 *                        end of its stale grace, if any), lose_replicas on
 *                        the replicas in it as a zone
 *   a CCF group          down on its member services; its infra members as above
 * Both events of an order-2 cut set fail together and the joint outage lasts
 * the shorter of the two repairs. */
#ifndef EDDY_AVAIL_DYN_H
#define EDDY_AVAIL_DYN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "avail.h"
#include "ftree_exact.h"

typedef struct avail_dyn_options {
    size_t top;       /* cut sets simulated, most frequent first; 0: every one of order 1 or 2 */
    size_t draws;     /* repair-time draws per cut set (independent seeds) */
    int threads;      /* <= 0: one per core */
    uint64_t seed;
    void (*progress)(double fraction, void *ud);
    void *progress_ud;
} avail_dyn_options;

typedef struct avail_dyn_case {
    uint32_t vars[2]; /* analysis variables (no grace events) */
    const char *names[2]; /* their names in the tree */
    size_t order;
    char what[512];
    double freq_per_year;
    double structural_min_per_year; /* the cut set's probability x minutes a year */
    double mean_repair;             /* seconds, over the draws */
    double mean_outage;             /* seconds of user-visible outage, over the draws */
    double expected_min_per_year;   /* freq x mean outage */
    size_t unrecovered;             /* draws still below 90% when the run ended */
    double *repair, *outage;        /* per draw */
} avail_dyn_case;

typedef struct avail_dyn {
    avail_dyn_case *cases;
    size_t ncases, draws;
    size_t ncutsets;                /* minimal cut sets of order 1 or 2 in all (ncases of them simulated) */
    double expected_min_per_year;   /* over the cases */
    double structural_min_per_year; /* over the same cases */
    int failed;                     /* runs that could not go */
    char purpose[1024];             /* "what this system does: ..." */
} avail_dyn;

/* path: the model file (every run loads its own copy). */
int avail_dynamic(const char *path, const avail_model *a, const ft_exact *x, const avail_dyn_options *o,
                  avail_dyn *out, char *err, size_t errlen);
void avail_dyn_free(avail_dyn *d);

#endif
