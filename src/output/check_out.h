/* check_out.h -- `eddy check`'s verdicts: text for people, JSON for tools,
 * and JUnit XML, which every CI system reads (GitHub Actions through a
 * test-report action, GitLab through artifacts:reports:junit, Jenkins). */
#ifndef EDDY_OUTPUT_CHECK_OUT_H
#define EDDY_OUTPUT_CHECK_OUT_H

#include <jansson.h>
#include <stdio.h>

#include "../analysis/check.h"

/* One model's verdicts: a line per hypothesis with the measured value, the
 * spread over seeds, and the threshold. */
void checkout_text(FILE *f, const check_report *r, const char *path);
json_t *checkout_json(const check_report *r, const char *path); /* the caller json_decref()s it */

/* A JUnit XML document: one <testsuite> per model, one <testcase> per
 * hypothesis, a <failure> for each that failed.  A model that could not be
 * checked (r[i] NULL) gets one <testcase> with an <error> saying why
 * (errors[i]).  No timings, so the file is the same on every run.
 * Returns 0, or -1 with errno set. */
int checkout_junit(FILE *f, const check_report *const *r, const char *const *paths, const char *const *errors,
                   size_t n);
/* Whether the JUnit file `path` may be (over)written: it does not exist, is
 * empty, is not a regular file, or is a report `eddy check` wrote. */
int checkout_junit_may_overwrite(const char *path);

/* "max of shoppers.latency_p99 during the faults" */
void checkout_describe(const model *m, const hypothesis *h, char *buf, size_t size);

#endif
