/* gf.h -- graphical functions (XMILE 1.0 section 3.1.4): a table of points
 * read as a function of one input. */
#ifndef EDDY_SD_GF_H
#define EDDY_SD_GF_H

#include "xmile.h"

/* continuous: linear between points, the end values held beyond them;
 * extrapolate: the end segments carried on; discrete: each y holds from
 * its x to the next. */
double gf_eval(const xm_gf *g, double x);

#endif
