/* fuzz_xmile.c -- the XMILE reader (src/sd/xmile.c) and the stock-and-flow
 * compiler behind `eddy run` on an .xmile or .stmx file; a model that
 * compiles and is short is run too (a long one would only measure time). */
#include "fuzz.h"

#include <math.h>

#include "sd/sd.h"

static void row(double t, const double *cols, size_t ncols, void *ud)
{
    (void)t;
    (void)cols;
    (void)ncols;
    ++*(size_t *)ud;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    eddy_error err;
    sd_model *m = sd_load_string((const char *)data, size, "fuzz.xmile", NULL, 0, &err);
    if (!m) {
        FUZZ_ASSERT(err.msg[0], "a stock-and-flow model refused without a message");
        return 0;
    }
    double steps = (sd_stop(m) - sd_start(m)) / sd_dt(m);
    FUZZ_ASSERT(sd_dt(m) > 0, "dt %g accepted", sd_dt(m));
    if (isfinite(steps) && steps * (double)(sd_ncols(m) + 1) <= 20000) {
        for (size_t i = 0; i < sd_ncols(m); i++) {
            json_t *s = json_string(sd_col_name(m, i));
            FUZZ_ASSERT(s, "column %zu's name is not valid UTF-8", i);
            json_decref(s);
        }
        size_t rows = 0, taken = 0;
        sd_run(m, row, &rows, &taken, &err);
    }
    sd_free(m);
    return 0;
}
