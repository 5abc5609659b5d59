/* testutil.h -- what every eddy test suite includes.
 *
 * cmocka needs these system headers before its own.  Tests run from the
 * project root, so paths like "examples/mmc.yaml" resolve. */
#ifndef EDDY_TESTUTIL_H
#define EDDY_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* Assert |got - want| <= rel * |want|, printing both on failure. */
#define assert_within_rel(got, want, rel)                                          \
    do {                                                                           \
        double g_ = (got), w_ = (want), r_ = (rel);                                \
        double e_ = w_ != 0 ? (g_ - w_) / w_ : g_;                                 \
        if (!(e_ <= r_ && e_ >= -r_))                                              \
            fail_msg("%s = %.6g, want %.6g within %.3g%% (off by %.3f%%)", #got,   \
                     g_, w_, r_ * 100, e_ * 100);                                  \
    } while (0)

#endif
