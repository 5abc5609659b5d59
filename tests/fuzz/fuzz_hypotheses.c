/* fuzz_hypotheses.c -- the `hypotheses:` reader (src/model/hypotheses.c),
 * the conditions `eddy check` judges.  The input is the list under
 * `hypotheses:`, appended to a fixed model with two fault windows, so the
 * fuzzer spends its time on the conditions rather than on the model. */
#include "fuzz.h"

#include <math.h>
#include <string.h>

#include "model/hypotheses.h"
#include "model/model.h"

static const char base[] = "name: fuzzed hypotheses\n"
                           "duration: 3m\n"
                           "clients:\n"
                           "  shoppers: {rate: 300/s, call: api, timeout: 15s, retry: {attempts: 4}}\n"
                           "services:\n"
                           "  api:\n"
                           "    replicas: 4\n"
                           "    workers: 40\n"
                           "    service_time: 2ms\n"
                           "    calls: [{to: db, timeout: 10s}]\n"
                           "  db: {workers: 200, service_time: 20ms}\n"
                           "faults:\n"
                           "  - {at: 60s, for: 30s, target: db, add_latency: 3s}\n"
                           "  - {at: 100s, for: 10s, target: api, lose_replicas: 2}\n"
                           "hypotheses:\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n = sizeof base - 1;
    char *text = malloc(n + size);
    if (!text)
        abort();
    memcpy(text, base, n);
    memcpy(text + n, data, size);
    eddy_error err;
    model *m = model_load_string(text, n + size, "fuzz.yaml", &err);
    free(text);
    if (!m) {
        FUZZ_ASSERT(err.msg[0], "hypotheses refused without a message");
        return 0;
    }
    for (size_t i = 0; i < m->nhypotheses; i++) {
        const hypothesis *h = &m->hypotheses[i];
        FUZZ_ASSERT(isfinite(h->threshold), "hypothesis %zu's threshold %g", i, h->threshold);
        json_t *s = json_string(h->name);
        FUZZ_ASSERT(s, "hypothesis %zu's name is not valid UTF-8", i);
        json_decref(s);
        double a[HYP_MAX_INTERVALS], b[HYP_MAX_INTERVALS];
        size_t k = hyp_window_intervals(m, h, h->window, a, b, HYP_MAX_INTERVALS);
        FUZZ_ASSERT(k > 0, "hypothesis %zu accepted with an empty window", i);
        for (size_t j = 0; j < k; j++)
            FUZZ_ASSERT(a[j] < b[j] && a[j] >= 0, "window [%g, %g)", a[j], b[j]);
        char buf[64];
        hyp_format(h->unit, h->threshold, buf, sizeof buf);
        hyp_holds(h->cmp, h->threshold, h->threshold);
    }
    model_free(m);
    return 0;
}
