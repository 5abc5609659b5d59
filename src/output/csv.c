/* csv.c -- series to CSV.
 *
 * Numbers are printed with a fixed format so the same run gives the same
 * bytes; an empty cell means "no sample" (a latency quantile in an interval
 * in which nothing succeeded), which spreadsheets and pandas read as
 * missing rather than as a misleading zero. */
#include "csv.h"
#include "../core/xalloc.h"

#include <math.h>
#include <string.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

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
        return 1;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return 1; /* opening it for writing will say why */
    char head[1024] = {0};
    if (!fgets(head, sizeof head, fp))
        head[0] = 0;
    fclose(fp);
    return !strncmp(head, "time,", 5) || !strncmp(head, "load,", 5) || !strncmp(head, "# eddy sweep,", 13) ||
           strstr(head, ",basin.p_metastable,") || strstr(head, "basin.tipped");
}

int csv_write_file(const char *path, int (*write)(FILE *fp, const void *ud), const void *ud)
{
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        FILE *fp = fopen(path, "w");
        if (!fp)
            return -1;
        int bad = write(fp, ud) < 0 || ferror(fp);
        int saved = errno;
        if (fclose(fp) != 0 && !bad) {
            bad = 1;
            saved = errno;
        }
        errno = saved;
        return bad ? -1 : 0;
    }
    size_t n = strlen(path) + 32;
    char *tmp = xmalloc(n);
    snprintf(tmp, n, "%s.tmp%ld", path, (long)getpid());
    FILE *fp = fopen(tmp, "w");
    if (!fp) {
        free(tmp);
        return -1;
    }
    int bad = write(fp, ud) < 0 || ferror(fp);
    int saved = errno;
    if (fclose(fp) != 0 && !bad) {
        bad = 1;
        saved = errno;
    }
    if (!bad && rename(tmp, path) != 0) {
        bad = 1;
        saved = errno;
    }
    if (bad)
        unlink(tmp);
    free(tmp);
    errno = saved;
    return bad ? -1 : 0;
}

void csv_num(FILE *fp, double v)
{
    if (isfinite(v))
        fprintf(fp, ",%.10g", v);
    else
        fputs(",", fp);
}
