/* cmd_sd.c -- `eddy sweep`, `eddy basin` and `eddy report` on a
 * stock-and-flow model (XMILE): the same commands as on YAML models, with
 * the model's constants as the axes. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../analysis/sd_sweep.h"
#include "../loops/analyze.h"
#include "../loops/ltm.h"
#include "../loops/sd_graph.h"
#include "../output/loops_out.h"
#include "../output/ltm_out.h"
#include "../output/csv.h"
#include "../output/sd_out.h"
#include "cli.h"
#include "cliopt.h"
#include "../core/xalloc.h"

static const char sweep_usage[] =
    "usage: eddy sweep --x NAME=LO..HI [options] MODEL.xmile\n"
    "\n"
    "Run a stock-and-flow model at evenly spaced values of one of its constants\n"
    "and report, at each, every stock's final value and its minimum and maximum\n"
    "over the run.  The axis is named by the constant: --x growth_rate=0.01..0.1.\n"
    "\n"
    "options:\n"
    "      --x NAME=LO..HI  the constant swept and its range (required)\n"
    "      --points N       values, evenly spaced, ends included (default 10)\n"
    "      --set NAME=V     give another constant a value in every run (repeatable)\n"
    "      --method M       integrate every run with euler, rk2 or rk4 (default: the\n"
    "                       file's sim specs)\n"
    "      --dt DT          every run's time step (default: the file's)\n"
    "      --seed N         every run's seed for RANDOM, NORMAL, ... (default 1)\n"
    "  -o, --output FILE    also write the sweep as CSV (`# eddy sweep, constant:\n"
    "                       NAME`, then NAME, then STOCK.final, STOCK.min, STOCK.max)\n"
    "      --force          overwrite FILE even if eddy did not write it\n"
    "      --json           print the result as JSON instead of a table\n"
    "  -q, --quiet          (accepted for symmetry with YAML models)\n"
    "  -h, --help           this help\n"
    "\n"
    "exit status: 0 done, 2 usage error, bad model, a failed run or I/O error\n";

static int sweep_csv_cb(FILE *fp, const void *ud) { return sd_sweep_csv(fp, ud); }
static int basin_csv_cb(FILE *fp, const void *ud) { return sd_basin_csv(fp, ud); }

int cmd_sweep_sd(int argc, char **argv)
{
    enum { O_X = 256, O_POINTS, O_JSON };
    static const struct option opts[] = {{"x", required_argument, 0, O_X}, {"points", required_argument, 0, O_POINTS},
                                         CLI_SD_OPT_SET,                   CLI_SD_OPT_SPECS,
                                         CLI_SD_OPT_SEED,
                                         CLI_SD_OPT_OUTPUT,
                                         {"json", no_argument, 0, O_JSON}, {"quiet", no_argument, 0, 'q'},
                                         {"help", no_argument, 0, 'h'},    {0, 0, 0, 0}};
    sd_axis x;
    bool has_x = false, json = false;
    long points = 10;
    cli_sdopts so = cli_sd_init("sweep", "a CSV");
    char why[512];
    int status = 0, ch;
    optind = 1;
    opterr = 0;
    while ((ch = cli_getopt(argc, argv, ":o:qh", opts, &so, NULL)) != -1) {
        switch (ch) {
        case CLI_OPT_FAILED: status = 2; goto out;
        case O_X:
            if (sd_axis_parse(optarg, &x, why, sizeof why) < 0) {
                status = cli_usage_error("sweep", "--x: %s", why);
                goto out;
            }
            has_x = true;
            break;
        case O_POINTS:
            if ((status = cli_count_range("sweep", "--points", optarg, 2, 100000, &points)))
                goto out;
            break;
        case O_JSON: json = true; break;
        case 'q': break;
        default: status = cli_opt_common("sweep", ch, argv, sweep_usage); goto out;
        }
    }
    const char *path;
    if (!(status = cli_one_file("sweep", argc, argv, optind, "MODEL.xmile", &path)) && !has_x)
        status = cli_usage_error("sweep", "a stock-and-flow model needs --x NAME=LO..HI: the constant to sweep");
    if (status || (status = cli_sd_guard(&so)))
        goto out;
    const char *out_path = so.out_path;
    eddy_error err = {0};
    sd_sweep s;
    sd_runspec spec = {so.ov, so.nov, so.method, so.dt, so.seed, so.seed_given};
    if (sd_sweep_run(path, &spec, &x, (size_t)points, &s, &err)) {
        status = cli_print_error(&err);
        goto out;
    }
    if (out_path && csv_write_file(out_path, sweep_csv_cb, &s) < 0)
        status = cli_fail("sweep", "cannot write %s: %s", out_path, strerror(errno));
    if (json)
        cli_print_json(sd_sweep_json(path, &s));
    else
        sd_sweep_text(stdout, path, &s);
    sd_sweep_free(&s);
out:
    cli_sd_free(&so);
    return status;
}

static const char basin_usage[] =
    "usage: eddy basin --x NAME=LO..HI [--y NAME=LO..HI] [options] MODEL.xmile\n"
    "\n"
    "Find how big a change of one constant of a stock-and-flow model (x: a\n"
    "trigger's size, say) tips it into another state.  The run at x = LO is the\n"
    "reference; a run tips when a stock ends more than --tolerance away from\n"
    "where the reference's ends.  For each value of y (if given), eddy bisects\n"
    "along x for where tipping starts, assuming it starts once and stays.\n"
    "\n"
    "options:\n"
    "      --x NAME=LO..HI   the constant that is the shock, and its range (required)\n"
    "      --y NAME=LO..HI   a second constant, one row per value\n"
    "      --rows N          values of y, evenly spaced, ends included (default 10)\n"
    "      --iterations N    bisection steps per row (default 7: 1/128 of the range)\n"
    "      --tolerance PCT   how far from the reference's final value counts as\n"
    "                        another state, relative (default 10%)\n"
    "      --judge STOCK     judge by this stock only (repeatable; default: every stock)\n"
    "      --set NAME=V      give another constant a value in every run (repeatable)\n"
    "      --method M        integrate every run with euler, rk2 or rk4 (default: the\n"
    "                        file's sim specs)\n"
    "      --dt DT           every run's time step (default: the file's)\n"
    "      --seed N          every run's seed for RANDOM, NORMAL, ... (default 1)\n"
    "  -o, --output FILE     also write every run as CSV ([Y,] X, basin.tipped)\n"
    "      --force           overwrite FILE even if eddy did not write it\n"
    "      --json            print the result as JSON instead of a table\n"
    "  -q, --quiet           (accepted for symmetry with YAML models)\n"
    "  -h, --help            this help\n"
    "\n"
    "exit status: 0 done, 2 usage error, bad model, a failed run or I/O error\n";

int cmd_basin_sd(int argc, char **argv)
{
    enum { O_X = 256, O_Y, O_ROWS, O_ITER, O_TOL, O_JUDGE, O_JSON };
    static const struct option opts[] = {{"x", required_argument, 0, O_X},
                                         {"y", required_argument, 0, O_Y},
                                         {"rows", required_argument, 0, O_ROWS},
                                         {"iterations", required_argument, 0, O_ITER},
                                         {"tolerance", required_argument, 0, O_TOL},
                                         {"judge", required_argument, 0, O_JUDGE},
                                         CLI_SD_OPT_SET,
                                         CLI_SD_OPT_SPECS,
                                         CLI_SD_OPT_SEED,
                                         CLI_SD_OPT_OUTPUT,
                                         {"json", no_argument, 0, O_JSON},
                                         {"quiet", no_argument, 0, 'q'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    sd_basin_opts o = sd_basin_defaults();
    bool has_x = false, json = false;
    const char **judge = NULL;
    cli_sdopts so = cli_sd_init("basin", "a CSV");
    char why[512];
    long v;
    int status = 0, ch;
    optind = 1;
    opterr = 0;
    while ((ch = cli_getopt(argc, argv, ":o:qh", opts, &so, NULL)) != -1) {
        switch (ch) {
        case CLI_OPT_FAILED: status = 2; goto out;
        case O_X:
        case O_Y:
            if (sd_axis_parse(optarg, ch == O_X ? &o.x : &o.y, why, sizeof why) < 0) {
                status = cli_usage_error("basin", "--%c: %s", ch == O_X ? 'x' : 'y', why);
                goto out;
            }
            if (ch == O_X)
                has_x = true;
            else
                o.has_y = true;
            break;
        case O_ROWS:
            if ((status = cli_count_range("basin", "--rows", optarg, 1, 10000, &v)))
                goto out;
            o.rows = (size_t)v;
            break;
        case O_ITER:
            if ((status = cli_count_range("basin", "--iterations", optarg, 0, 50, &v)))
                goto out;
            o.iterations = (int)v;
            break;
        case O_TOL: {
            char *end;
            double p = strtod(optarg, &end);
            if (*end == '%')
                end++;
            if (end == optarg || *end || !(p > 0) || !isfinite(p)) {
                status = cli_usage_error("basin", "--tolerance expects a percentage above 0, got '%s'", optarg);
                goto out;
            }
            o.tolerance = p / 100;
            break;
        }
        case O_JUDGE:
            judge = xrealloc(judge, (o.njudge + 1) * sizeof *judge);
            judge[o.njudge++] = optarg;
            break;
        case O_JSON: json = true; break;
        case 'q': break;
        default: status = cli_opt_common("basin", ch, argv, basin_usage); goto out;
        }
    }
    o.judge = judge;
    const char *path;
    if (!(status = cli_one_file("basin", argc, argv, optind, "MODEL.xmile", &path)) && !has_x)
        status = cli_usage_error("basin", "a stock-and-flow model needs --x NAME=LO..HI: the constant that is the shock");
    if (status || (status = cli_sd_guard(&so)))
        goto out;
    const char *out_path = so.out_path;
    eddy_error err = {0};
    sd_basin b;
    sd_runspec spec = {so.ov, so.nov, so.method, so.dt, so.seed, so.seed_given};
    if (sd_basin_run(path, &spec, &o, &b, &err)) {
        status = cli_print_error(&err);
        goto out;
    }
    if (out_path && csv_write_file(out_path, basin_csv_cb, &b) < 0)
        status = cli_fail("basin", "cannot write %s: %s", out_path, strerror(errno));
    if (json)
        cli_print_json(sd_basin_json(path, &b));
    else
        sd_basin_text(stdout, path, &b);
    sd_basin_free(&b);
out:
    free(judge);
    cli_sd_free(&so);
    return status;
}

static const char report_usage[] =
    "usage: eddy report [options] MODEL.xmile [-o REPORT.html]\n"
    "\n"
    "Write one self-contained HTML page about a stock-and-flow model: its sim\n"
    "specs, each stock's initial, final, minimum and maximum value, the plots\n"
    "(each unit's stocks, with the flows beside them), and the loops with the\n"
    "phases of their dominance (as eddy loops --dominance prints them).  It loads\n"
    "nothing from the network.\n"
    "\n"
    "options:\n"
    "  -o, --output FILE  write the page to FILE (default: standard output)\n"
    "      --set NAME=V   give a constant a value (repeatable)\n"
    "      --seed N       the run seed for RANDOM, NORMAL, ... (default 1)\n"
    "  -q, --quiet        (accepted for symmetry with YAML models)\n"
    "  -h, --help         this help\n"
    "\n"
    "exit status: 0 written, 2 usage error, bad model, a failed run or I/O error\n";

/* The text of `eddy loops --dominance` on the model, for the page; NULL
 * with a note in *why when the model cannot be read or run. */
static char *report_loops(const char *path, const cli_sdopts *so, char *why, size_t whysize)
{
    eddy_error err = {0};
    sd_model *m = cli_sd_load(so, path, &err);
    if (!m) {
        snprintf(why, whysize, "%s", err.msg);
        return NULL;
    }
    char *text = NULL;
    size_t len = 0;
    sd_graph *s = sdg_build(m, &err);
    loop_analysis *a = s ? loops_analyze_bounded(s->g, 5000, 1000) : NULL;
    if (a && !a->complete) {
        /* too many to score them all: the loops that matter, found */
        loops_free(a);
        a = ltm_find(s, 5000, LTM_DEFAULT, &err);
    }
    ltm_result *r = a ? ltm_compute(s, a, LTM_DEFAULT, &err) : NULL;
    if (!s || !r)
        snprintf(why, whysize, "%s", err.msg);
    else {
        FILE *f = open_memstream(&text, &len);
        if (f) {
            loopsout_text(f, a, NULL);
            ltmout_text(f, a, r, sd_time_units(m));
            fclose(f);
        }
    }
    ltm_free(r);
    loops_free(a);
    sdg_free(s);
    sd_free(m);
    return text;
}

int cmd_report_sd(int argc, char **argv)
{
    static const struct option opts[] = {{"output", required_argument, 0, 'o'}, CLI_SD_OPT_SET, CLI_SD_OPT_SEED,
                                         {"quiet", no_argument, 0, 'q'},        {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    cli_sdopts so = cli_sd_init("report", NULL);
    int status = 0, ch;
    optind = 1;
    opterr = 0;
    while ((ch = cli_getopt(argc, argv, ":o:qh", opts, &so, NULL)) != -1) {
        switch (ch) {
        case CLI_OPT_FAILED: status = 2; goto out;
        case 'q': break;
        default: status = cli_opt_common("report", ch, argv, report_usage); goto out;
        }
    }
    const char *path;
    if ((status = cli_sd_file(&so, argc, argv, optind, &path)))
        goto out;
    const char *out_path = so.out_path;
    eddy_error err = {0};
    sd_model *m = cli_sd_load(&so, path, &err);
    if (!m) {
        status = cli_print_error(&err);
        goto out;
    }
    sd_trace tr;
    sd_trace_init(&tr, m, true);
    size_t steps = 0;
    if (sd_run(m, sd_trace_row, &tr, &steps, &err)) {
        status = cli_print_error(&err);
    } else {
        FILE *f = out_path ? fopen(out_path, "w") : stdout;
        if (!f)
            status = cli_fail("report", "cannot write %s: %s", out_path, strerror(errno));
        else {
            char why[600] = "";
            char *loops = report_loops(path, &so, why, sizeof why);
            sd_report_html(f, path, &tr, steps, loops, why);
            free(loops);
            if ((out_path ? fclose(f) : fflush(f)) != 0)
                status = cli_fail("report", "cannot write %s: %s", out_path ? out_path : "stdout", strerror(errno));
        }
    }
    sd_trace_free(&tr);
    sd_free(m);
out:
    cli_sd_free(&so);
    return status;
}
