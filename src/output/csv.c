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

void csv_write_header(FILE *fp, const eddy_series *s)
{
    for (size_t c = 0; c < s->ncols; c++)
        fprintf(fp, "%s%s", c ? "," : "", s->names[c]);
    fputc('\n', fp);
}

void csv_write_row(FILE *fp, const eddy_series *s, const double *row)
{
    for (size_t c = 0; c < s->ncols; c++) {
        if (c)
            fputc(',', fp);
        if (isnan(row[c]))
            continue;
        fprintf(fp, c == 0 ? "%.10g" : "%.6g", row[c]);
    }
    fputc('\n', fp);
}

int csv_write_series(FILE *fp, const eddy_series *s)
{
    csv_write_header(fp, s);
    for (size_t r = 0; r < s->nrows; r++)
        csv_write_row(fp, s, s->values + r * s->ncols);
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
