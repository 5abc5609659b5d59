/* err.c -- filling and formatting eddy_error values. */
#include "err.h"

#include <stdio.h>
#include <string.h>

int err_vset(eddy_error *err, const char *file, int line, int col,
             const char *fmt, va_list ap)
{
    if (!err)
        return -1;
    snprintf(err->file, sizeof err->file, "%s", file ? file : "");
    err->line = line;
    err->col = col;
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    return -1;
}

int err_set(eddy_error *err, const char *file, int line, int col,
            const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_vset(err, file, line, col, fmt, ap);
    va_end(ap);
    return -1;
}

void err_format(const eddy_error *err, char *buf, int size)
{
    if (err->file[0] && err->line > 0)
        snprintf(buf, size, "%s:%d:%d: error: %s", err->file, err->line,
                 err->col, err->msg);
    else if (err->file[0])
        snprintf(buf, size, "%s: error: %s", err->file, err->msg);
    else
        snprintf(buf, size, "error: %s", err->msg);
}
