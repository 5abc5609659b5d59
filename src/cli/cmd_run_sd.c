/* cmd_run_sd.c -- `eddy run MODEL.xmile`: a stock-and-flow model, with the
 * conventions of `eddy run` on YAML models (CSV series, JSON summary, SVG
 * plots). */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../output/csv.h"
#include "../output/svg.h"
#include "../sd/sd.h"
#include "cli.h"

static const char usage[] =
    "usage: eddy run MODEL.xmile [-o SERIES.csv] [--json] [--svg DIR] [--set NAME=VALUE]...\n"
    "                            [--method euler|rk2|rk4] [--dt DT] [--force]\n"
    "\n"
    "Simulate a stock-and-flow model (XMILE 1.0, or Stella's .stmx) from its start\n"
    "time to its stop time.  Prints each stock's initial, final, minimum and\n"
    "maximum value.\n"
    "\n"
    "options:\n"
    "  -o, --output FILE  write the series as CSV: a `time` column, then one column\n"
    "                     per variable (array elements as NAME[ELEMENT]), one row\n"
    "                     per save step; streamed, so any length of run fits\n"
    "      --json         print the summary as JSON on stdout\n"
    "      --svg DIR      write SVG plots to DIR: the stocks, one panel per unit,\n"
    "                     and the flows beside them\n"
    "      --set NAME=V   give the constant NAME the value V (repeatable)\n"
    "      --method M     integrate with euler, rk2 or rk4 instead of the file's method\n"
    "      --dt DT        use time step DT instead of the file's\n"
    "      --force        overwrite FILE even if it is not a series eddy wrote\n"
    "  -q, --quiet        (accepted for symmetry with YAML models)\n"
    "  -h, --help         this help\n"
    "\n"
    "exit status: 0 ran, 2 usage error, bad model, run-time error (a division by\n"
    "zero, a NaN) or I/O error (docs/ci.md)\n";

/* Rows kept for the plots: at most PLOT_ROWS, thinned by doubling the
 * stride when full, so memory stays bounded however long the run. */
#define PLOT_ROWS 2048

typedef struct sink {
    FILE *csv;
    size_t ncols;
    double *min, *max, *first, *last;
    size_t rows;
    /* plot rows */
    bool keep;
    double *kt, *kv; /* PLOT_ROWS x ncols */
    size_t nkept, stride, seen;
} sink;

static void sd_on_row(double t, const double *cols, size_t n, void *ud)
{
    sink *k = ud;
    if (k->csv) {
        fprintf(k->csv, "%.10g", t);
        for (size_t i = 0; i < n; i++)
            csv_num(k->csv, cols[i]);
        fputc('\n', k->csv);
    }
    for (size_t i = 0; i < n; i++) {
        if (k->rows == 0) {
            k->min[i] = k->max[i] = k->first[i] = cols[i];
        }
        if (cols[i] < k->min[i])
            k->min[i] = cols[i];
        if (cols[i] > k->max[i])
            k->max[i] = cols[i];
        k->last[i] = cols[i];
    }
    k->rows++;
    if (k->keep) {
        if (k->seen++ % k->stride == 0) {
            if (k->nkept == PLOT_ROWS) {
                /* keep every other row and double the stride */
                for (size_t r = 0; r < PLOT_ROWS / 2; r++) {
                    k->kt[r] = k->kt[2 * r];
                    memcpy(k->kv + r * n, k->kv + 2 * r * n, n * sizeof *k->kv);
                }
                k->nkept = PLOT_ROWS / 2;
                k->stride *= 2;
            }
            k->kt[k->nkept] = t;
            memcpy(k->kv + k->nkept * n, cols, n * sizeof *cols);
            k->nkept++;
        }
    }
}

static const char *kind_name(int kind)
{
    return kind == SD_STOCK ? "stock" : kind == SD_FLOW ? "flow" : "aux";
}

/* One SVG per (kind, unit): stocks of one unit share a panel. */
static int write_plots(const char *dir, const sd_model *m, const sink *k)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return cli_fail("run", "cannot make %s: %s", dir, strerror(errno));
    size_t n = sd_ncols(m);
    char *done = calloc(n, 1);
    double *ys = malloc((k->nkept + 1) * n * sizeof *ys);
    svg_series *ser = calloc(n + 1, sizeof *ser);
    if (!done || !ys || !ser)
        abort();
    for (size_t c = 0; c < n; c++)
        for (size_t r = 0; r < k->nkept; r++)
            ys[c * k->nkept + r] = k->kv[r * n + c];
    int panel = 0, status = 0;
    for (int kind = SD_STOCK; kind <= SD_FLOW && !status; kind++) {
        for (size_t c = 0; c < n && !status; c++) {
            if (done[c] || sd_col_kind(m, c) != kind)
                continue;
            const char *unit = sd_col_units(m, c);
            size_t ns = 0;
            for (size_t d = c; d < n && ns < 12; d++)
                if (!done[d] && sd_col_kind(m, d) == kind && strcasecmp(sd_col_units(m, d), unit) == 0) {
                    done[d] = 1;
                    ser[ns++] = (svg_series){.label = sd_col_name(m, d), .x = k->kt,
                                             .y = ys + d * k->nkept, .n = k->nkept};
                }
            char title[256], ylabel[256], xlabel[256], path[4096];
            snprintf(title, sizeof title, "%s%s%s", kind == SD_STOCK ? "Stocks" : "Flows",
                     *unit ? " in " : "", unit);
            snprintf(ylabel, sizeof ylabel, "%s", *unit ? unit : kind_name(kind));
            snprintf(xlabel, sizeof xlabel, "time%s%s%s", *sd_time_units(m) ? " (" : "", sd_time_units(m),
                     *sd_time_units(m) ? ")" : "");
            svg_plot p = svg_plot_init();
            p.title = title;
            p.xlabel = xlabel;
            p.ylabel = ylabel;
            p.series = ser;
            p.nseries = ns;
            p.legend = true;
            snprintf(path, sizeof path, "%s/%s-%d.svg", dir, kind == SD_STOCK ? "stocks" : "flows", ++panel);
            FILE *f = fopen(path, "w");
            if (!f) {
                status = cli_fail("run", "cannot write %s: %s", path, strerror(errno));
                break;
            }
            svg_prolog(f);
            svg_plot_write(f, &p);
            if (fclose(f) != 0)
                status = cli_fail("run", "cannot write %s: %s", path, strerror(errno));
        }
    }
    free(done);
    free(ys);
    free(ser);
    return status;
}

static int parse_set(const char *arg, sd_override *ov)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg)
        return -1;
    char *end;
    errno = 0;
    double v = strtod(eq + 1, &end);
    if (errno || end == eq + 1 || *end || !isfinite(v))
        return -1;
    char *name = strndup(arg, (size_t)(eq - arg));
    if (!name)
        abort();
    ov->name = name;
    ov->value = v;
    return 0;
}

int cli_is_xmile(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (dot && (strcasecmp(dot, ".xmile") == 0 || strcasecmp(dot, ".stmx") == 0 || strcasecmp(dot, ".itmx") == 0))
        return 1;
    if (dot && (strcasecmp(dot, ".yaml") == 0 || strcasecmp(dot, ".yml") == 0 || strcasecmp(dot, ".md") == 0))
        return 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    char buf[1024];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    return strstr(buf, "<xmile") != NULL;
}

int cli_find_xmile(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (argv[i][0] != '-' && cli_is_xmile(argv[i]))
            return i;
    return 0;
}

static double now_sec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int cmd_run_sd(int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, 0, 'o'}, {"json", no_argument, 0, 'j'},
        {"force", no_argument, 0, 'f'},        {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},         {"svg", required_argument, 0, 'S'},
        {"set", required_argument, 0, 'x'},    {"method", required_argument, 0, 'M'},
        {"dt", required_argument, 0, 'D'},     {0, 0, 0, 0}};
    const char *out_path = NULL, *svg_dir = NULL;
    bool json = false, force = false;
    sd_override *ov = NULL;
    size_t nov = 0;
    int method = -1;
    double dt = 0;
    int status = 0;
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, ":o:qh", opts, NULL)) != -1) {
        switch (ch) {
        case 'o': out_path = optarg; break;
        case 'S': svg_dir = optarg; break;
        case 'j': json = true; break;
        case 'f': force = true; break;
        case 'q': break;
        case 'x':
            ov = realloc(ov, (nov + 1) * sizeof *ov);
            if (!ov)
                abort();
            if (parse_set(optarg, &ov[nov]) != 0) {
                status = cli_usage_error("run", "--set expects NAME=NUMBER, got '%s'", optarg);
                goto out;
            }
            nov++;
            break;
        case 'M':
            if (strcasecmp(optarg, "euler") == 0)
                method = SD_EULER;
            else if (strcasecmp(optarg, "rk2") == 0)
                method = SD_RK2;
            else if (strcasecmp(optarg, "rk4") == 0)
                method = SD_RK4;
            else {
                status = cli_usage_error("run", "--method expects euler, rk2 or rk4, got '%s'", optarg);
                goto out;
            }
            break;
        case 'D': {
            char *end;
            dt = strtod(optarg, &end);
            if (*end || end == optarg || !(dt > 0) || !isfinite(dt)) {
                status = cli_usage_error("run", "--dt expects a number greater than 0, got '%s'", optarg);
                goto out;
            }
            break;
        }
        default:
            status = cli_opt_common("run", ch, argv, usage);
            goto out;
        }
    }
    const char *path;
    if ((status = cli_one_file("run", argc, argv, optind, "MODEL.xmile", &path)))
        goto out;
    if (out_path && !force && !csv_may_overwrite(out_path)) {
        status = cli_fail("run", "%s exists and is not a series eddy wrote; not overwriting it (use --force)", out_path);
        goto out;
    }
    eddy_error err = {0};
    double t0 = now_sec();
    sd_model *m = sd_load(path, ov, nov, &err);
    if (!m) {
        status = cli_print_error(&err);
        goto out;
    }
    if (method >= 0)
        sd_set_method(m, method);
    if (dt > 0 && sd_set_dt(m, dt, &err)) {
        status = cli_print_error(&err);
        sd_free(m);
        goto out;
    }
    double t1 = now_sec();
    size_t n = sd_ncols(m);
    sink k = {0};
    k.ncols = n;
    k.min = calloc(n + 1, sizeof(double));
    k.max = calloc(n + 1, sizeof(double));
    k.first = calloc(n + 1, sizeof(double));
    k.last = calloc(n + 1, sizeof(double));
    k.keep = svg_dir != NULL;
    k.stride = 1;
    if (k.keep) {
        k.kt = calloc(PLOT_ROWS, sizeof(double));
        k.kv = calloc(PLOT_ROWS * (n + 1), sizeof(double));
    }
    if (!k.min || !k.max || !k.first || !k.last || (k.keep && (!k.kt || !k.kv)))
        abort();
    char tmp[4200] = "";
    struct stat st;
    bool direct = out_path && stat(out_path, &st) == 0 && !S_ISREG(st.st_mode);
    if (out_path) {
        if (direct)
            k.csv = fopen(out_path, "w");
        else {
            snprintf(tmp, sizeof tmp, "%s.tmp%ld", out_path, (long)getpid());
            k.csv = fopen(tmp, "w");
        }
        if (!k.csv) {
            status = cli_fail("run", "cannot write %s: %s", out_path, strerror(errno));
            goto done;
        }
        fputs("time", k.csv);
        for (size_t i = 0; i < n; i++) {
            /* quote names that hold a comma or a quote (RFC 4180) */
            const char *nm = sd_col_name(m, i);
            if (strpbrk(nm, ",\"\n")) {
                fputs(",\"", k.csv);
                for (const char *p = nm; *p; p++) {
                    if (*p == '"')
                        fputc('"', k.csv);
                    fputc(*p, k.csv);
                }
                fputc('"', k.csv);
            } else
                fprintf(k.csv, ",%s", nm);
        }
        fputc('\n', k.csv);
    }
    size_t steps = 0;
    int rc = sd_run(m, sd_on_row, &k, &steps, &err);
    double t2 = now_sec();
    if (k.csv) {
        int bad = ferror(k.csv);
        if (fclose(k.csv) != 0)
            bad = 1;
        if (!direct) {
            if (rc == 0 && !bad && rename(tmp, out_path) != 0)
                bad = 1;
            if (rc != 0 || bad)
                unlink(tmp);
        }
        if (bad && rc == 0)
            status = cli_fail("run", "cannot write %s: %s", out_path, strerror(errno));
    }
    if (rc) {
        status = cli_print_error(&err);
        goto done;
    }
    if (svg_dir && !status)
        status = write_plots(svg_dir, m, &k);
    if (json) {
        json_t *j = json_object();
        json_object_set_new(j, "model", json_string(path));
        json_object_set_new(j, "start", json_real(sd_start(m)));
        json_object_set_new(j, "stop", json_real(sd_stop(m)));
        json_object_set_new(j, "dt", json_real(sd_dt(m)));
        json_object_set_new(j, "method", json_string(sd_method(m) == SD_RK4 ? "rk4" : sd_method(m) == SD_RK2 ? "rk2" : "euler"));
        json_object_set_new(j, "time_units", json_string(sd_time_units(m)));
        json_object_set_new(j, "steps", json_integer((json_int_t)steps));
        json_object_set_new(j, "rows", json_integer((json_int_t)k.rows));
        json_object_set_new(j, "compile_seconds", json_real(t1 - t0));
        json_object_set_new(j, "wall_seconds", json_real(t2 - t1));
        json_t *vars = json_object();
        for (size_t i = 0; i < n; i++) {
            json_t *o = json_object();
            json_object_set_new(o, "kind", json_string(kind_name(sd_col_kind(m, i))));
            json_object_set_new(o, "final", json_real(k.last[i]));
            if (sd_col_kind(m, i) == SD_STOCK) {
                json_object_set_new(o, "initial", json_real(k.first[i]));
                json_object_set_new(o, "min", json_real(k.min[i]));
                json_object_set_new(o, "max", json_real(k.max[i]));
            }
            json_object_set_new(vars, sd_col_name(m, i), o);
        }
        json_object_set_new(j, "variables", vars);
        cli_print_json(j);
    } else {
        printf("%s: %g to %g %s, dt %g (%s), %zu steps in %.3f s\n", path, sd_start(m), sd_stop(m),
               sd_time_units(m), sd_dt(m), sd_method(m) == SD_RK4 ? "RK4" : sd_method(m) == SD_RK2 ? "RK2" : "Euler",
               steps, t2 - t1);
        printf("%-32s %14s %14s %14s %14s\n", "stock", "initial", "final", "min", "max");
        for (size_t i = 0; i < n; i++)
            if (sd_col_kind(m, i) == SD_STOCK)
                printf("%-32s %14.6g %14.6g %14.6g %14.6g\n", sd_col_name(m, i), k.first[i], k.last[i], k.min[i],
                       k.max[i]);
    }
done:
    free(k.min);
    free(k.max);
    free(k.first);
    free(k.last);
    free(k.kt);
    free(k.kv);
    sd_free(m);
out:
    for (size_t i = 0; i < nov; i++)
        free((char *)ov[i].name);
    free(ov);
    return status;
}
