/* fuzz_import.c -- the `eddy import` readers (src/import/): one file's
 * text through the content detection (Kubernetes, Istio, Envoy, Linkerd,
 * gRPC, resilience4j, service-graph metrics, Jaeger dependencies), then
 * the model writer, and the model written loaded back as `eddy import`
 * does.  The promises: a refusal says why; the model written is one YAML
 * document eddy can parse (the writer quotes what needs quoting, whatever
 * the names in the configs), and, when no value is left TODO, the loader
 * either takes it or says why. */
#include "fuzz.h"

#include <string.h>

#include "import/imp.h"
#include "model/model.h"
#include "model/todo.h"
#include "model/ysafe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* the readers take NUL-terminated text, as ysafe_read_file gives it */
    char *text = malloc(size + 1);
    if (!text)
        abort();
    memcpy(text, data, size);
    text[size] = 0;
    importer im;
    imp_init(&im);
    eddy_error err;
    if (imp_read_text(&im, text, size, "fuzz.yaml", &err) < 0) {
        FUZZ_ASSERT(err.msg[0], "a config refused without a message");
        goto done;
    }
    char *out = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&out, &len);
    if (!mem)
        abort();
    int rc = imp_write(&im, mem, &err);
    fclose(mem);
    if (rc < 0) {
        FUZZ_ASSERT(err.msg[0], "the model not written, without a message");
        free(out);
        goto done;
    }
    FUZZ_ASSERT(strlen(out) == len, "the model written holds a NUL byte");
    yaml_document_t doc;
    if (ysafe_load(out, len, "import.yaml", &doc, &err) < 0)
        FUZZ_ASSERT(0, "the model written is not YAML eddy reads: %s", err.msg);
    yaml_document_delete(&doc);
    if (!strstr(out, ": TODO")) {
        model *m = model_load_string(out, len, "import.yaml", &err);
        FUZZ_ASSERT(m || err.msg[0], "the model written refused without a message");
        model_free(m);
    }
    free(out);
done:
    imp_free(&im);
    free(text);
    return 0;
}
