/* err.h -- one error value carried up from wherever input went wrong.
 *
 * Every layer reports problems the same way: a message, plus the place in
 * the user's file it concerns (line and column are 1-based; 0 means the
 * error is not about a particular place).  The CLI prints it as
 * "FILE:LINE:COL: error: MESSAGE", the form editors and CI annotate. */
#ifndef EDDY_ERR_H
#define EDDY_ERR_H

#include <stdarg.h>

#include "eddy.h" /* struct eddy_error is part of the public interface */

/* Fill err (if not NULL) and return -1, so callers can "return err_set(...)". */
int err_set(eddy_error *err, const char *file, int line, int col,
            const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int err_vset(eddy_error *err, const char *file, int line, int col,
             const char *fmt, va_list ap);

/* Format err as "file:line:col: error: msg" into buf. */
void err_format(const eddy_error *err, char *buf, int size);

#endif
