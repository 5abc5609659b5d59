/* fuzz_model.c -- the YAML model loader (src/model/load.c and ysafe.c),
 * then what `eddy loops` and `eddy review` do with a model that loads:
 * derive its causal loop diagram, find the loops, review the call edges. */
#include "fuzz.h"

#include "loops/derive.h"
#include "loops/review.h"
#include "model/model.h"
#include "output/review_out.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    eddy_error err;
    model *m = model_load_string((const char *)data, size, "fuzz.yaml", &err);
    if (!m) {
        FUZZ_ASSERT(err.msg[0], "a model refused without a message");
        return 0;
    }
    cld_graph *g = derive_graph(m);
    FUZZ_ASSERT(g, "derive_graph returned NULL");
    fuzz_graph(g);
    cld_free(g);
    review *r = review_model(m);
    FUZZ_ASSERT(r, "review_model returned NULL");
    reviewout_text(fuzz_sink(), r);
    json_t *j = reviewout_json(r);
    FUZZ_ASSERT(j, "no JSON for the review");
    char *text = json_dumps(j, 0);
    FUZZ_ASSERT(text, "the review's JSON cannot be written");
    free(text);
    json_decref(j);
    review_free(r);
    model_free(m);
    return 0;
}
