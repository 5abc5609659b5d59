/* fuzz_mermaid.c -- the Mermaid causal loop diagram reader
 * (src/loops/mermaid.c), as a flowchart and as a Markdown document, then
 * the loop analysis and its outputs. */
#include "fuzz.h"

#include "loops/mermaid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    eddy_error err;
    cld_graph *g = cld_new("fuzz.mmd");
    if (mermaid_parse(g, text, size, "fuzz.mmd", 1, &err) == 0)
        fuzz_graph(g);
    else
        FUZZ_ASSERT(err.msg[0], "a diagram refused without a message");
    cld_free(g);
    /* the same bytes as a Markdown document with ```mermaid blocks */
    g = cld_new("fuzz.md");
    if (mermaid_parse_markdown(g, text, size, "fuzz.md", 0, &err) == 0)
        fuzz_graph(g);
    cld_free(g);
    return 0;
}
