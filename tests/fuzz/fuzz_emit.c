/* fuzz_emit.c -- `eddy fix --emit` (src/import/emit.c), round trip: the
 * input is one mesh or library config (Istio, Envoy, gRPC, Linkerd,
 * resilience4j), imported beside two fixed Deployments, a Service and a
 * Jaeger service graph; the model written; a fix (retries, a timeout, a
 * retry budget on the call a -> b and the client's retries) emitted in the
 * config's own format; and each file emitted imported again in place of
 * the original.  The promises: a refusal says why; what emit writes is a
 * config of the same kind that `eddy import` reads.  Files go to a
 * directory of the process's own under $TMPDIR, removed at exit. */
#define _XOPEN_SOURCE 700
#include "fuzz.h"

#include <ftw.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "import/imp.h"
#include "model/ysafe.h"

static char dir[256];

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(p);
    return 0;
}

static void cleanup(void)
{
    if (*dir)
        nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void put(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "w");
    if (!f || fwrite(text, 1, len, f) != len || fclose(f))
        abort();
}

static void setup(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/eddy-fuzz-emit-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir))
        abort();
    atexit(cleanup);
    static const struct {
        const char *name, *text;
    } fixed[] = {
        {"a.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\nspec:\n  replicas: 2\n"
                   "  template:\n    metadata:\n      labels: {app: a}\n"},
        {"b.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: b\nspec:\n  template:\n"
                   "    metadata:\n      labels: {app: b}\n"},
        {"svc.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: b-svc\nspec:\n  selector: {app: b}\n"},
        {"deps.json", "[{\"parent\": \"web\", \"child\": \"a\", \"callCount\": 10},\n"
                      " {\"parent\": \"a\", \"child\": \"b-svc\", \"callCount\": 10}]\n"},
    };
    char p[512];
    snprintf(p, sizeof p, "%s/in", dir);
    if (mkdir(p, 0700) < 0)
        abort();
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++) {
        snprintf(p, sizeof p, "%s/in/%s", dir, fixed[i].name);
        put(p, fixed[i].text, strlen(fixed[i].text));
    }
}

/* Import the directory; the model written to model_path (if not NULL).
 * 0, or -1 with err set. */
static int import_dir(const char *model_path, eddy_error *err)
{
    char in[512];
    snprintf(in, sizeof in, "%s/in", dir);
    importer im;
    imp_init(&im);
    int rc = imp_read_path(&im, in, err);
    if (rc == 0) {
        FILE *f = fopen(model_path ? model_path : "/dev/null", "w");
        if (!f)
            abort();
        rc = imp_write(&im, f, err);
        fclose(f);
    }
    imp_free(&im);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!*dir)
        setup();
    if (size > 16384)
        return 0;
    char *text = malloc(size + 1);
    if (!text)
        abort();
    memcpy(text, data, size);
    text[size] = 0;
    char z[512], model_path[512], out[512];
    snprintf(z, sizeof z, "%s/in/z.yaml", dir);
    snprintf(model_path, sizeof model_path, "%s/model.yaml", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    importer probe;
    imp_init(&probe);
    imp_kind kind = imp_detect_text(&probe, text, size, "z.yaml");
    imp_free(&probe);
    put(z, text, size);
    free(text);
    eddy_error err;
    if (import_dir(model_path, &err) < 0) {
        FUZZ_ASSERT(err.msg[0], "a config refused without a message");
        return 0;
    }
    if (kind != IMP_ISTIO && kind != IMP_ENVOY && kind != IMP_GRPC && kind != IMP_LINKERD && kind != IMP_R4J)
        return 0;
    const char *budget = kind == IMP_ENVOY ? "{type: envoy, budget_percent: 30%, min_retry_concurrency: 5}"
                                           : "{type: finagle, percent: 10%, min_per_s: 4, ttl: 20s}";
    emit_change ch[] = {
        {"services.a.calls.0.retry.attempts", "2"},
        {"services.a.calls.0.timeout", "750ms"},
        {"services.a.calls.0.retry.budget", budget},
        {"clients.web.retry.attempts", "3"},
    };
    emit_result res;
    int rc = imp_emit(model_path, kind, "the fix", ch, sizeof ch / sizeof *ch, out, &res, &err);
    if (rc < 0) {
        FUZZ_ASSERT(err.msg[0], "nothing emitted, without a message");
    } else {
        for (size_t i = 0; i < res.nfiles; i++) {
            size_t len;
            char *t = ysafe_read_file(res.files[i], &len, &err);
            FUZZ_ASSERT(t, "%s was written and cannot be read: %s", res.files[i], err.msg);
            importer again;
            imp_init(&again);
            imp_kind k = imp_detect_text(&again, t, len, res.files[i]);
            imp_free(&again);
            FUZZ_ASSERT(k == kind, "a %s config emitted as %s", imp_kind_name(kind), imp_kind_name(k));
            put(z, t, len);
            free(t);
            FUZZ_ASSERT(import_dir(NULL, &err) == 0, "the %s config emitted does not import: %s", imp_kind_name(kind),
                        err.msg);
        }
    }
    imp_emit_result_free(&res);
    /* what this input emitted goes; the fixed configs stay */
    nftw(out, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}
