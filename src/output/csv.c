/* csv.c -- series to CSV.
 *
 * Numbers are printed with a fixed format so the same run gives the same
 * bytes; an empty cell means "no sample" (a latency quantile in an interval
 * in which nothing succeeded), which spreadsheets and pandas read as
 * missing rather than as a misleading zero. */
#include "csv.h"

#include <math.h>
#include <string.h>
#include <sys/stat.h>

int csv_write_series(FILE *fp, const eddy_series *s)
{
    for (size_t c = 0; c < s->ncols; c++)
        fprintf(fp, "%s%s", c ? "," : "", s->names[c]);
    fputc('\n', fp);
    for (size_t r = 0; r < s->nrows; r++) {
        for (size_t c = 0; c < s->ncols; c++) {
            double v = eddy_series_at(s, r, c);
            if (c)
                fputc(',', fp);
            if (isnan(v))
                continue;
            fprintf(fp, c == 0 ? "%.10g" : "%.6g", v);
        }
        fputc('\n', fp);
    }
    return ferror(fp) ? -1 : 0;
}

int csv_may_overwrite(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0)
        return 1; /* nothing there, a device or pipe, or an empty file */
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return 1;
    char head[6] = {0};
    size_t n = fread(head, 1, 5, fp);
    fclose(fp);
    return n == 5 && memcmp(head, "time,", 5) == 0;
}
