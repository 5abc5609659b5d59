/* fuzz_cond.c -- the condition language of conditional actions (`when:`,
 * src/model/cond.c).  The input is one condition.  It is parsed and
 * checked against a fixed model on its own, then written into that model's
 * `actions:` and loaded as a model, and a model that loads is run for a
 * short while so the engine judges the condition.  The promises: a refusal
 * says why and points inside the string; an accepted threshold is a
 * number; the normalised form eddy prints (cond_format) is itself a
 * condition eddy accepts, with the same metric, comparison and duration
 * (to the 4 digits it is written with);
 * the loader and the parser agree. */
#include "fuzz.h"

#include <math.h>
#include <string.h>

#include "eddy.h"
#include "model/cond.h"
#include "model/model.h"

static const char base[] = "name: fuzzed conditions\n"
                           "duration: 40s\n"
                           "sample: 5s\n"
                           "seed: 1\n"
                           "clients:\n"
                           "  shoppers: {rate: 40/s, call: checkout, timeout: 1s, retry: {attempts: 3}}\n"
                           "services:\n"
                           "  checkout:\n"
                           "    workers: 4\n"
                           "    queue: 100\n"
                           "    service_time: 5ms\n"
                           "    calls: [{to: db, timeout: 500ms}]\n"
                           "  db: {workers: 4, queue: 50, service_time: 20ms}\n"
                           "faults:\n"
                           "  - {at: 10s, for: 10s, target: db, slow: 10}\n"
                           "teams:\n"
                           "  storefront: {owns: [shoppers, checkout], oncall: 5s}\n"
                           "actions:\n"
                           "  - then: {client: shoppers, retry: off}\n"
                           "    by: storefront\n"
                           "    when: ";

static const model *fixed(void)
{
    static model *m;
    if (!m) {
        char text[sizeof base + 64];
        snprintf(text, sizeof text, "%s\"shoppers.goodput < 50%% of baseline\"\n", base);
        eddy_error err;
        m = model_load_string(text, strlen(text), "fixed.yaml", &err);
        if (!m) {
            fprintf(stderr, "fuzz_cond: the fixed model does not load: %s\n", err.msg);
            abort();
        }
    }
    return m;
}

/* Parse and check s; 0 with *c filled (cond_free it), or -1. */
static int judge(const char *s, cond_spec *c)
{
    size_t off = (size_t)-1;
    char msg[1200] = "";
    int rc = cond_parse(s, c, &off, msg, sizeof msg);
    if (rc == 0) {
        off = (size_t)-1;
        rc = cond_check(fixed(), c, &off, msg, sizeof msg);
    }
    if (rc < 0) {
        FUZZ_ASSERT(msg[0], "'%s' refused without a message", s);
        FUZZ_ASSERT(off <= strlen(s), "'%s' refused at offset %zu, past its end", s, off);
    }
    return rc;
}

/* The condition as a YAML double-quoted scalar, if it is printable ASCII
 * (what libyaml takes in any case); false otherwise. */
static bool quote(const char *s, char *out, size_t size)
{
    size_t n = 0;
    out[n++] = '"';
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch < 0x20 || ch > 0x7e || n + 4 >= size)
            return false;
        if (ch == '"' || ch == '\\')
            out[n++] = '\\';
        out[n++] = (char)ch;
    }
    out[n++] = '"';
    out[n++] = '\n';
    out[n] = 0;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *s = malloc(size + 1);
    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = 0;
    cond_spec c;
    int ok = judge(s, &c) == 0;
    if (ok) {
        FUZZ_ASSERT(isfinite(c.threshold), "'%s' accepted with threshold %g", s, c.threshold);
        FUZZ_ASSERT(c.hold >= 0, "'%s' accepted holding for a negative time", s);
        char norm[512];
        cond_format(&c, norm, sizeof norm);
        cond_spec d;
        FUZZ_ASSERT(judge(norm, &d) == 0, "'%s' is written as '%s', which is refused", s, norm);
        /* the duration is written to 4 digits (192.2ms for .19223372s): it
         * is judged in whole sample intervals, so that is the same */
        double dh = (double)(c.hold > d.hold ? c.hold - d.hold : d.hold - c.hold);
        FUZZ_ASSERT(!strcmp(c.entity, d.entity) && !strcmp(c.metric, d.metric) && c.cmp == d.cmp &&
                        c.relative == d.relative && dh <= 1e-3 * (double)c.hold,
                    "'%s' is written as '%s', which means something else", s, norm);
        cond_free(&d);
    }
    cond_free(&c);

    char q[4200];
    if (quote(s, q, sizeof q)) {
        size_t n = sizeof base - 1, k = strlen(q);
        char *text = malloc(n + k);
        if (!text)
            abort();
        memcpy(text, base, n);
        memcpy(text + n, q, k);
        eddy_error err;
        model *m = model_load_string(text, n + k, "fuzz.yaml", &err);
        free(text);
        FUZZ_ASSERT(!m == !ok, "'%s': the parser %s it, the loader %s it (%s)", s, ok ? "takes" : "refuses",
                    m ? "takes" : "refuses", m ? "" : err.msg);
        if (m) {
            eddy_options opt = eddy_options_default();
            eddy_result r;
            if (eddy_run(m, &opt, &r, &err) == 0)
                eddy_result_free(&r);
            else
                FUZZ_ASSERT(err.msg[0], "'%s': the run failed without a message", s);
            model_free(m);
        } else {
            FUZZ_ASSERT(err.msg[0], "'%s' refused by the loader without a message", s);
        }
    }
    free(s);
    return 0;
}
