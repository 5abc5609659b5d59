/* json_num.h -- a number for the JSON writers: NaN and infinities have no
 * JSON form, so a measurement that does not exist (no sample, not
 * recovered) is written as null. */
#ifndef EDDY_JSON_NUM_H
#define EDDY_JSON_NUM_H

#include <math.h>

#include <jansson.h>

static inline json_t *json_num(double v) { return isfinite(v) ? json_real(v) : json_null(); }

#endif
