/* fuzz_patch.c -- the `eddy fix --patch FILE` reader (src/model/patchfile.c),
 * then each intervention merged into a model (yedit.c), checked against the
 * schema and loaded, as `eddy fix` does.  The model patched is
 * examples/retry-storm.yaml (run from the project root). */
#include "fuzz.h"

#include "model/model.h"
#include "model/patchfile.h"

static const char *const base = "examples/retry-storm.yaml";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    FILE *f = fopen(base, "r");
    if (!f) {
        fprintf(stderr, "fuzz_patch: %s not found; run from the project root\n", base);
        exit(2);
    }
    fclose(f);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    eddy_error err;
    patch_file pf;
    if (patchfile_parse((const char *)data, size, "fuzz-patch.yaml", &pf, &err) == 0) {
        FUZZ_ASSERT(pf.n > 0, "a patch file read with no interventions");
        for (size_t i = 0; i < pf.n; i++) {
            FUZZ_ASSERT(pf.v[i].level >= 1 && pf.v[i].level <= 12, "leverage %d", pf.v[i].level);
            model_edit e = {.patch = (struct yaml_document_s *)&pf.doc, .patch_node = pf.v[i].patch_node,
                            .origin = pf.path};
            model *m = model_load_edited(base, &e, 1, &err);
            if (m)
                model_free(m);
            else
                FUZZ_ASSERT(err.msg[0], "a patch refused without a message");
        }
    } else {
        FUZZ_ASSERT(err.msg[0], "a patch file refused without a message");
    }
    patchfile_free(&pf);
    return 0;
}
