/* cmd_run.c -- `eddy run MODEL.yaml [-o series.csv] [--seed N] [--json]` */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../model/model.h"
#include "../output/csv.h"
#include "../analysis/phases.h"
#include "../output/run_report.h"
#include "../output/ts_plots.h"
#include "../analysis/variant.h"
#include "cli.h"
#include "eddy.h"
#include "progress.h"
#include "../core/xalloc.h"

static const char usage[] =
    "usage: eddy run MODEL.yaml [-o SERIES.csv] [--svg DIR] [--seed N] [--json] [--force]\n"
    "\n"
    "Simulate the model request by request.  Prints, for each client, goodput and\n"
    "retry amplification before, during and after each fault window, and whether\n"
    "the system recovered once the last fault ended.\n"
    "\n"
    "options:\n"
    "  -o, --output FILE  write the time series as CSV (a `time` column, then\n"
    "                     entity.metric columns, one row per sample interval)\n"
    "      --svg DIR      also write the time-series plots as SVG files in DIR\n"
    "                     (made if missing), with the baseline run (the model\n"
    "                     without its faults, same seed) overlaid faint\n"
    "      --seed N       use seed N instead of the model's `seed`\n"
    "      --json         print the summary as JSON on stdout instead of text\n"
    "      --force        overwrite FILE even if it is not a series eddy wrote\n"
    "  -q, --quiet        no progress bar\n"
    "  -h, --help         this help\n"
    "\n"
    "exit status: 0 ran, 2 usage error, bad model or I/O error (docs/ci.md)\n";

/* Rows stream from the engine to the CSV and to the phase accumulators,
 * so a run of any length holds no series in memory. */
typedef struct sink {
    const model *m;
    FILE *csv;
    bool started;
    phases_acc *acc;
    client_phases *phases;
} sink;

static void on_row(const eddy_series *cols, const double *row, void *ud)
{
    sink *k = ud;
    if (!k->started) {
        k->started = true;
        if (k->csv)
            csv_write_header(k->csv, cols);
        for (size_t i = 0; i < k->m->nclients; i++)
            phases_begin(&k->acc[i], k->m, cols, t_sec(k->m->duration), i, &k->phases[i]);
    }
    if (k->csv)
        csv_write_row(k->csv, cols, row);
    for (size_t i = 0; i < k->m->nclients; i++)
        phases_row(&k->acc[i], row);
}

/* Write to FILE.tmp and rename it into place only when the run succeeds, so
 * a failed run never leaves a half-written series over a good one.
 * Devices and pipes (/dev/stdout) are written directly. */
static FILE *open_output(const char *path, char **tmp)
{
    struct stat st;
    *tmp = NULL;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return fopen(path, "w");
    size_t n = strlen(path) + 16;
    *tmp = xmalloc(n);
    snprintf(*tmp, n, "%s.tmp%ld", path, (long)getpid());
    FILE *fp = fopen(*tmp, "w");
    if (!fp) {
        free(*tmp);
        *tmp = NULL;
    }
    return fp;
}

static int close_output(FILE *fp, const char *path, char *tmp, bool keep)
{
    int bad = ferror(fp);
    int saved = errno;
    if (fclose(fp) != 0 && !bad) {
        bad = 1;
        saved = errno;
    }
    if (tmp) {
        if (keep && !bad && rename(tmp, path) != 0) {
            bad = 1;
            saved = errno;
        }
        if (!keep || bad)
            unlink(tmp);
        free(tmp);
    }
    errno = saved;
    return bad ? -1 : 0;
}

static long peak_rss_bytes(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return -1;
    return ru.ru_maxrss * 1024L; /* Linux reports kilobytes */
}

/* `--svg DIR`: the time-series plots, with the baseline (the model without
 * its faults, same seed) overlaid when the model has faults.  Returns the
 * number of plots written, or -1 after reporting an error. */
static int write_svg(const char *dir, const char *path, const model *m, const eddy_result *r,
                     const eddy_options *ropt)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        cli_fail("run", "cannot make %s: %s", dir, strerror(errno));
        return -1;
    }
    eddy_result base;
    bool have_base = false;
    if (variant_has_trigger(m)) {
        eddy_error err;
        model *b = model_load(path, &err);
        if (b) {
            variant_drop_faults(b);
            eddy_options o = eddy_options_default();
            o.seed = ropt->use_seed ? ropt->seed : m->seed;
            o.use_seed = true;
            have_base = eddy_run(b, &o, &base, &err) == 0;
            model_free(b);
        }
    }
    ts_plots P;
    int n = -1;
    if (ts_plots_build(&P, m, r, have_base ? &base : NULL) == 0) {
        char failed[4096];
        n = ts_plots_write_dir(&P, dir, failed, sizeof failed);
        if (n < 0)
            cli_fail("run", "cannot write %s: %s", failed, strerror(errno));
        ts_plots_free(&P);
    } else {
        cli_fail("run", "no rows to plot");
    }
    if (have_base)
        eddy_result_free(&base);
    return n;
}

int cmd_run(int argc, char **argv)
{
    if (cli_find_xmile(argc, argv))
        return cmd_run_sd(argc, argv);
    static const struct option opts[] = {
        {"output", required_argument, 0, 'o'}, {"seed", required_argument, 0, 's'}, {"json", no_argument, 0, 'j'},
        {"force", no_argument, 0, 'f'},        {"quiet", no_argument, 0, 'q'},      {"help", no_argument, 0, 'h'},
        {"svg", required_argument, 0, 'S'},    {0, 0, 0, 0}};
    const char *out_path = NULL, *svg_dir = NULL;
    bool json = false, force = false, quiet = false;
    eddy_options opt = eddy_options_default();
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, ":o:qh", opts, NULL)) != -1) {
        switch (ch) {
        case 'o':
            out_path = optarg;
            break;
        case 'S':
            svg_dir = optarg;
            break;
        case 's': {
            char *end;
            errno = 0;
            unsigned long long v = strtoull(optarg, &end, 10);
            if (errno || *end || !*optarg || optarg[0] == '-')
                return cli_usage_error("run", "--seed expects a non-negative whole number, got '%s'", optarg);
            opt.seed = v;
            opt.use_seed = true;
            break;
        }
        case 'j':
            json = true;
            break;
        case 'f':
            force = true;
            break;
        case 'q':
            quiet = true;
            break;
        default:
            return cli_opt_common("run", ch, argv, usage);
        }
    }
    const char *path;
    int bad = cli_one_file("run", argc, argv, optind, "MODEL.yaml", &path);
    if (bad)
        return bad;

    if (out_path && !force && !csv_may_overwrite(out_path))
        return cli_fail("run", "%s exists and is not a series eddy wrote; not overwriting it (use --force)", out_path);

    eddy_error err;
    model *m = model_load(path, &err);
    if (!m) {
        return cli_print_error(&err);
    }

    FILE *csv = NULL;
    char *tmp = NULL;
    if (out_path && !(csv = open_output(out_path, &tmp))) {
        int e = errno;
        model_free(m);
        return cli_fail("run", "cannot write %s: %s", out_path, strerror(e));
    }
    sink k = {.m = m, .csv = csv};
    k.acc = xcalloc(m->nclients, sizeof *k.acc);
    k.phases = xcalloc(m->nclients, sizeof *k.phases);

    progress bar;
    progress_init(&bar, "simulating", !quiet);
    opt.progress = progress_update;
    opt.progress_ud = &bar;
    opt.on_row = on_row;
    opt.row_ud = &k;
    opt.drop_series = !svg_dir; /* the plots need the rows */
    eddy_result r;
    int rc = eddy_run(m, &opt, &r, &err);
    progress_done(&bar);
    int status = 0;
    if (csv && close_output(csv, out_path, tmp, rc == 0) < 0 && rc == 0)
        status = cli_fail("run", "cannot write %s: %s", out_path, strerror(errno));
    if (rc < 0) {
        status = cli_print_error(&err);
    } else {
        for (size_t i = 0; i < m->nclients; i++)
            phases_finish(&k.acc[i]);
        if (svg_dir && write_svg(svg_dir, path, m, &r, &opt) < 0)
            status = CLI_EXIT_ERROR;
        run_meta meta = {path, peak_rss_bytes(), k.phases};
        if (json) {
            json_t *j = run_report_json(m, &r, &meta);
            cli_print_json(j);
        } else {
            run_report_text(stdout, m, &r, &meta);
        }
    }
    for (size_t i = 0; i < m->nclients; i++)
        if (k.started)
            phases_free(&k.phases[i]);
    free(k.acc);
    free(k.phases);
    if (rc == 0)
        eddy_result_free(&r);
    model_free(m);
    return status;
}
