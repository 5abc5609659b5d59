/* testxm.h -- a small XMILE document from a sim_specs element and the
 * variables' XML, for the stock-and-flow suites that write their models
 * inline (so each test shows the whole model it asserts on). */
#ifndef EDDY_TESTXM_H
#define EDDY_TESTXM_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

#endif
