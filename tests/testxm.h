/* testxm.h -- a small XMILE document from a sim_specs element and the
 * variables' XML, for the stock-and-flow suites that write their models
 * inline (so each test shows the whole model it asserts on). */
#ifndef EDDY_TESTXM_H
#define EDDY_TESTXM_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/sd/sd.h"

/* <sim_specs> with a start, stop, dt and integration method. */
#define XM_SPECS(start, stop, dt, method) \
    "<sim_specs method=\"" method "\"><start>" #start "</start><stop>" #stop "</stop><dt>" #dt "</dt></sim_specs>"

/* The whole document; the caller frees it. */
static inline char *xm(const char *specs, const char *vars)
{
    static const char head[] = "<?xml version=\"1.0\"?>\n<xmile version=\"1.0\" "
                               "xmlns=\"http://docs.oasis-open.org/xmile/ns/XMILE/v1.0\">\n"
                               "<header><vendor>t</vendor><product>t</product></header>\n";
    size_t n = strlen(head) + strlen(specs) + strlen(vars) + 200;
    char *s = malloc(n);
    snprintf(s, n, "%s%s\n<model><variables>\n%s\n</variables></model></xmile>\n", head, specs, vars);
    return s;
}

/* The document loaded as "t.xmile"; NULL with err set if it does not load. */
static inline sd_model *xm_load(const char *specs, const char *vars, eddy_error *err)
{
    char *s = xm(specs, vars);
    sd_model *m = sd_load_string(s, strlen(s), "t.xmile", NULL, 0, err);
    free(s);
    return m;
}

/* The document must be refused with an error containing needle, at line
 * and col of t.xmile (0: that coordinate is not checked). */
static inline void xm_expect_error(const char *specs, const char *vars, int line, int col, const char *needle)
{
    eddy_error err = {0};
    sd_model *m = xm_load(specs, vars, &err);
    if (m) {
        sd_free(m);
        fail_msg("loaded, expected an error containing \"%s\"", needle);
    }
    if (!strstr(err.msg, needle))
        fail_msg("error \"%s\" does not contain \"%s\"", err.msg, needle);
    assert_string_equal(err.file, "t.xmile");
    if (line)
        assert_int_equal(err.line, line);
    if (col)
        assert_int_equal(err.col, col);
}

#endif
