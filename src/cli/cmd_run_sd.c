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
#include "../output/sd_trace.h"
#include "../sd/sd.h"
#include "cli.h"
#include "cliopt.h"

static const char usage[] =
    "usage: eddy run MODEL.xmile [-o SERIES.csv] [--json] [--svg DIR] [--set NAME=VALUE]...\n"
    "                            [--method euler|rk2|rk4] [--dt DT] [--seed N] [--force]\n"
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
    "      --seed N       the run seed of the statistical functions (RANDOM,\n"
    "                     NORMAL, ...) without a seed argument (default 1)\n"
    "      --force        overwrite FILE even if it is not a series eddy wrote\n"
    "  -q, --quiet        (accepted for symmetry with YAML models)\n"
    "  -h, --help         this help\n"
    "\n"
    "exit status: 0 ran, 2 usage error, bad model, run-time error (a division by\n"
    "zero, a NaN) or I/O error (docs/ci.md)\n";

static const char *kind_name(int kind)
{
    return kind == SD_STOCK ? "stock" : kind == SD_FLOW ? "flow" : "aux";
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
    static const struct option opts[] = {CLI_SD_OPT_OUTPUT,
                                         CLI_SD_OPT_SET,
                                         CLI_SD_OPT_SPECS,
                                         CLI_SD_OPT_SEED,
                                         {"json", no_argument, 0, 'j'},
                                         {"quiet", no_argument, 0, 'q'},
                                         {"help", no_argument, 0, 'h'},
                                         {"svg", required_argument, 0, 'S'},
                                         {0, 0, 0, 0}};
    cli_sdopts so = cli_sd_init("run", "a series");
    const char *svg_dir = NULL;
    bool json = false;
    int status = 0;
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = cli_getopt(argc, argv, ":o:qh", opts, &so, NULL)) != -1) {
        switch (ch) {
        case CLI_OPT_FAILED: status = 2; goto out;
        case 'S': svg_dir = optarg; break;
        case 'j': json = true; break;
        case 'q': break;
        default:
            status = cli_opt_common("run", ch, argv, usage);
            goto out;
        }
    }
    const char *path;
    if ((status = cli_sd_file(&so, argc, argv, optind, &path)))
        goto out;
    const char *out_path = so.out_path;
    eddy_error err = {0};
    double t0 = now_sec();
    sd_model *m = cli_sd_load(&so, path, &err);
    if (!m) {
        status = cli_print_error(&err);
        goto out;
    }
    double t1 = now_sec();
    size_t n = sd_ncols(m);
    sd_trace k;
    sd_trace_init(&k, m, svg_dir != NULL);
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
    int rc = sd_run(m, sd_trace_row, &k, &steps, &err);
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
    if (svg_dir && !status && sd_trace_plots_dir(&k, svg_dir, &err))
        status = cli_print_error(&err);
    if (json) {
        json_t *j = json_object();
        json_object_set_new(j, "model", json_string(path));
        json_object_set_new(j, "start", json_real(sd_start(m)));
        json_object_set_new(j, "stop", json_real(sd_stop(m)));
        json_object_set_new(j, "dt", json_real(sd_dt(m)));
        json_object_set_new(j, "method", json_string(sd_method(m) == SD_RK4 ? "rk4" : sd_method(m) == SD_RK2 ? "rk2" : "euler"));
        json_object_set_new(j, "time_units", json_string(sd_time_units(m)));
        json_object_set_new(j, "seed", json_integer((json_int_t)sd_seed(m)));
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
    sd_trace_free(&k);
    sd_free(m);
out:
    cli_sd_free(&so);
    return status;
}
