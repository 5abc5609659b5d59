/* avail_out.h -- printing `eddy avail`: per client, the paper and the
 * structural availability, the cut sets with their single points of failure
 * in words, SCRAM's importance measures and the Monte Carlo estimate, as
 * text for people or JSON for tools; and the fault tree itself (--tree). */
#ifndef EDDY_OUTPUT_AVAIL_OUT_H
#define EDDY_OUTPUT_AVAIL_OUT_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "../analysis/avail.h"
#include "../analysis/avail_dyn.h"
#include "../analysis/ftree_exact.h"
#include "../analysis/ftree_mc.h"

typedef struct avail_report {
    const avail_model *a;
    const ft_exact *x;
    const ft_mc_top *mc; /* per top, or NULL when Monte Carlo was not run */
    uint64_t mc_trials;
    const ft_mc_hist *hist; /* per top, or NULL when no histories were simulated */
    size_t hist_reps;
    uint64_t hist_changes; /* state changes simulated, over every history */
    double hist_horizon; /* seconds */
    double cutoff;
    int limit_order;
    size_t show; /* cut sets and importance rows shown per client in text */
    const avail_dyn *dyn; /* --dynamic, or NULL */
} avail_report;

void availout_text(FILE *f, const avail_report *r);
json_t *availout_json(const avail_report *r);
void availout_tree(FILE *f, const avail_model *a);

#endif
