/* cmd_report.c -- `eddy report MODEL.yaml -o report.html`: one self-contained
 * HTML page with the diagnosis, SVG plots, the loop diagram, the arrow
 * review and the interventions (output/report_html.h). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../analysis/basin.h"
#include "../analysis/diagnose.h"
#include "../analysis/fix.h"
#include "../analysis/sweep.h"
#include "../analysis/variant.h"
#include "../loops/review.h"
#include "../output/report_html.h"
#include "cli.h"
#include "eddy.h"
#include "progress.h"
#include "../core/xalloc.h"

static const char usage[] =
    "usage: eddy report [options] MODEL.yaml [-o REPORT.html]\n"
    "\n"
    "Write one self-contained HTML page about the model: its name and description,\n"
    "the verdict and coupling statement of `eddy diagnose`, SVG plots of the run\n"
    "against its baseline (fault windows shaded, actions marked), the causal loop\n"
    "diagram with the sustaining loop highlighted, the arrow review, and the\n"
    "interventions of `eddy fix` with small multiples of goodput, the goodput-\n"
    "against-load curve of `eddy sweep` and the basin map of `eddy basin`.  The\n"
    "page loads nothing from the network and reads the same with JavaScript off.\n"
    "\n"
    "options:\n"
    "  -o, --output FILE  write the page to FILE (default: standard output)\n"
    "      --seeds N      replications for diagnose, fix, sweep and basin (default:\n"
    "                     3; basin 5)\n"
    "      --seed N       first seed (default: the model's `seed`)\n"
    "  -j, --jobs N       runs in parallel (default: one per core)\n"
    "      --no-plots     leave out the time-series plots\n"
    "      --no-loops     leave out the causal loop diagram\n"
    "      --no-review    leave out the arrow review\n"
    "      --no-fix       leave out the interventions (eddy fix: slow)\n"
    "      --no-sweep     leave out the goodput-against-load curve\n"
    "      --no-basin     leave out the basin map (eddy basin: the slowest)\n"
    "      --no-dot       lay the loop diagram out without Graphviz, even if\n"
    "                     `dot` is installed\n"
    "  -q, --quiet        no progress bar\n"
    "  -h, --help         this help\n"
    "\n"
    "exit status: 0 written, 2 usage error, bad model, a failed run or an I/O\n"
    "error (docs/ci.md)\n";

enum { OPT_SEEDS = 256, OPT_SEED, OPT_NO_PLOTS, OPT_NO_LOOPS, OPT_NO_REVIEW, OPT_NO_FIX, OPT_NO_DOT, OPT_NO_SWEEP, OPT_NO_BASIN };

int cmd_report(int argc, char **argv)
{
    if (cli_find_xmile(argc, argv))
        return cmd_report_sd(argc, argv);
    static const struct option opts[] = {{"output", required_argument, 0, 'o'},
                                         {"seeds", required_argument, 0, OPT_SEEDS},
                                         {"seed", required_argument, 0, OPT_SEED},
                                         {"jobs", required_argument, 0, 'j'},
                                         {"no-plots", no_argument, 0, OPT_NO_PLOTS},
                                         {"no-loops", no_argument, 0, OPT_NO_LOOPS},
                                         {"no-review", no_argument, 0, OPT_NO_REVIEW},
                                         {"no-fix", no_argument, 0, OPT_NO_FIX},
                                         {"no-dot", no_argument, 0, OPT_NO_DOT},
                                         {"no-sweep", no_argument, 0, OPT_NO_SWEEP},
                                         {"no-basin", no_argument, 0, OPT_NO_BASIN},
                                         {"quiet", no_argument, 0, 'q'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *out_path = NULL;
    unsigned seeds = 3;
    uint64_t seed = 0;
    int threads = 0;
    bool have_seed = false, have_seeds = false, quiet = false, plots = true, loops = true, rev = true, fix = true,
         dot = true, sweep = true, basin = true;
    long v;
    optind = 1;
    opterr = 0;
    int ch, bad;
    while ((ch = getopt_long(argc, argv, ":o:j:qh", opts, NULL)) != -1) {
        switch (ch) {
        case 'o':
            out_path = optarg;
            break;
        case OPT_SEEDS:
            if ((bad = cli_count("report", "--seeds", optarg, 1, &v)))
                return bad;
            seeds = (unsigned)v;
            have_seeds = true;
            break;
        case OPT_SEED:
            if ((bad = cli_count("report", "--seed", optarg, 0, &v)))
                return bad;
            seed = (uint64_t)v;
            have_seed = true;
            break;
        case 'j':
            if ((bad = cli_count("report", "--jobs", optarg, 1, &v)))
                return bad;
            threads = (int)v;
            break;
        case OPT_NO_PLOTS:
            plots = false;
            break;
        case OPT_NO_LOOPS:
            loops = false;
            break;
        case OPT_NO_REVIEW:
            rev = false;
            break;
        case OPT_NO_FIX:
            fix = false;
            break;
        case OPT_NO_DOT:
            dot = false;
            break;
        case OPT_NO_SWEEP:
            sweep = false;
            break;
        case OPT_NO_BASIN:
            basin = false;
            break;
        case 'q':
            quiet = true;
            break;
        default:
            return cli_opt_common("report", ch, argv, usage);
        }
    }
    const char *path;
    if ((bad = cli_one_file("report", argc, argv, optind, "MODEL.yaml", &path)))
        return bad;
    eddy_error err;
    model *m = model_load(path, &err);
    if (!m)
        return cli_print_error(&err);
    if (!have_seed)
        seed = m->seed;
    bool has_faults = m->nfaults > 0;
    bool has_trigger = variant_has_trigger(m); /* faults, or a load burst */
    review *rv = rev ? review_model(m) : NULL;

    int status = CLI_EXIT_ERROR;
    diagnosis d;
    fix_report fr;
    bool have_fix = false;
    memset(&fr, 0, sizeof fr);
    progress bar;
    progress_init(&bar, "diagnosing", !quiet);
    diagnose_opts dopt = {.seeds = seeds, .seed = seed, .threads = threads, .progress = progress_update,
                          .progress_ud = &bar, .keep_runs = true};
    int rc = diagnose_run(path, &dopt, &d, &err);
    progress_done(&bar);
    if (rc < 0) {
        cli_print_error(&err);
        diagnosis_free(&d);
        goto done_rv;
    }
    const char *fix_skipped = NULL;
    char fix_why[2100];
    if (fix && !has_trigger) {
        fix_skipped = "Not measured: the model has no faults, so there is no incident to intervene in.";
    } else if (fix) {
        progress_init(&bar, "measuring interventions", !quiet);
        fix_opts fo = {.seeds = seeds, .seed = seed, .threads = threads, .progress = progress_update,
                       .progress_ud = &bar, .keep_goodput = true};
        rc = fix_run(path, &fo, &fr, &err);
        progress_done(&bar);
        if (rc < 0) {
            char buf[2048];
            err_format(&err, buf, sizeof buf);
            snprintf(fix_why, sizeof fix_why, "Not measured: %s", buf);
            fix_skipped = fix_why;
            fix_report_free(&fr);
        } else {
            have_fix = true;
        }
    }

    /* sweep and basin: a failure leaves their section with the reason, not
     * the whole page unwritten */
    sweep_result sr;
    bool have_sweep = false;
    char sweep_why[2100] = "", basin_why[2100] = "";
    if (sweep) {
        progress_init(&bar, "sweeping the load", !quiet);
        sweep_opts so = sweep_defaults();
        so.seed = seed;
        so.use_seed = true;
        so.threads = threads;
        if (have_seeds)
            so.seeds = seeds;
        so.progress = progress_update;
        so.progress_ud = &bar;
        rc = sweep_run(path, &so, &sr, &err);
        progress_done(&bar);
        if (rc == 0) {
            have_sweep = true;
        } else {
            char buf[2048];
            err_format(&err, buf, sizeof buf);
            snprintf(sweep_why, sizeof sweep_why, "Not measured: %s", buf);
        }
    }
    basin_result br;
    bool have_basin = false;
    if (basin && !has_faults) {
        snprintf(basin_why, sizeof basin_why, "Not mapped: the model has no faults, so there is no trigger to vary.");
    } else if (basin) {
        progress_init(&bar, "mapping the basin", !quiet);
        basin_opts bo = basin_defaults();
        bo.seed = seed;
        bo.use_seed = true;
        bo.threads = threads;
        if (have_seeds)
            bo.seeds = seeds;
        bo.progress = progress_update;
        bo.progress_ud = &bar;
        rc = basin_run(path, &bo, &br, &err);
        progress_done(&bar);
        if (rc == 0) {
            have_basin = true;
        } else {
            char buf[2048];
            err_format(&err, buf, sizeof buf);
            snprintf(basin_why, sizeof basin_why, "Not mapped: %s", buf);
        }
    }

    report_input in = {.path = path, .d = &d, .plots = plots, .loops = loops, .try_dot = dot, .rv = rv,
                       .fx = have_fix ? &fr : NULL, .fix_skipped = fix_skipped,
                       .sw = have_sweep ? &sr : NULL, .sweep_skipped = sweep_why[0] ? sweep_why : NULL,
                       .bs = have_basin ? &br : NULL, .basin_skipped = basin_why[0] ? basin_why : NULL};
    FILE *f = stdout;
    char *tmp = NULL;
    if (out_path) {
        size_t n = strlen(out_path) + 32;
        tmp = xmalloc(n);
        snprintf(tmp, n, "%s.tmp%ld", out_path, (long)getpid());
        if (!(f = fopen(tmp, "w"))) {
            status = cli_fail("report", "cannot write %s: %s", out_path, strerror(errno));
            free(tmp);
            goto done_fix;
        }
    }
    int wrc = report_html_write(f, &in);
    if (out_path) {
        if (fclose(f) != 0)
            wrc = -1;
        if (wrc == 0 && rename(tmp, out_path) != 0)
            wrc = -1;
        if (wrc < 0) {
            status = cli_fail("report", "cannot write %s: %s", out_path, strerror(errno));
            unlink(tmp);
        } else {
            status = 0;
        }
        free(tmp);
    } else {
        status = fflush(stdout) == 0 && wrc == 0 ? 0 : cli_fail("report", "cannot write the page: %s", strerror(errno));
    }
done_fix:
    if (have_sweep)
        sweep_free(&sr);
    if (have_basin)
        basin_free(&br);
    if (have_fix)
        fix_report_free(&fr);
    diagnosis_free(&d);
done_rv:
    if (rv)
        review_free(rv);
    model_free(m);
    return status;
}
