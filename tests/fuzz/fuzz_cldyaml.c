/* fuzz_cldyaml.c -- the YAML causal loop diagram reader
 * (src/loops/cld_yaml.c), then the loop analysis and its outputs. */
#include "fuzz.h"

#include "loops/cld_yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    eddy_error err;
    cld_graph *g = cld_new("fuzz.yaml");
    if (cldyaml_parse(g, (const char *)data, size, "fuzz.yaml", &err) == 0)
        fuzz_graph(g);
    else
        FUZZ_ASSERT(err.msg[0], "a diagram refused without a message");
    cld_free(g);
    return 0;
}
