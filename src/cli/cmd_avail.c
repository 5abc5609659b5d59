/* cmd_avail.c -- `eddy avail MODEL.yaml`: availability from the
 * correlation structure (docs/avail.md). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../analysis/avail.h"
#include "../analysis/avail_dyn.h"
#include "../analysis/batch.h"
#include "../analysis/ftree_exact.h"
#include "../analysis/ftree_mc.h"
#include "../model/model.h"
#include "../model/units.h"
#include "../output/avail_out.h"
#include "../output/mef.h"
#include "cli.h"
#include "progress.h"
#include "../core/xalloc.h"

static const char usage[] =
    "usage: eddy avail MODEL.yaml [--tree] [--json] [--mef FILE] [options]\n"
    "\n"
    "What the box diagram promises against what the shared dependencies deliver.\n"
    "From the model's failures:, zones:, depends_on:, infra: and ccf: sections, eddy\n"
    "derives a fault tree per client (its requests fail when too few replicas of a\n"
    "service are up to carry the load, a callee on its path is down, or an infra\n"
    "dependency is down beyond its stale grace) and prints, per client:\n"
    "  paper availability       each tier 1-(1-a)^n, tiers multiplied, independent\n"
    "  structural availability  exact, over the independent basic events (a BDD)\n"
    "  the difference in nines and in downtime minutes per year\n"
    "  single points of failure in words, minimal cut sets by probability, and\n"
    "  SCRAM's importance measures (Birnbaum, criticality, Fussell-Vesely, RAW, RRW)\n"
    "  a Monte Carlo estimate with a 95% interval, drawing repair times from their\n"
    "  distributions (lognormal, Weibull) where a stale grace makes the shape matter\n"
    "\n"
    "options:\n"
    "      --tree            print the derived fault tree\n"
    "      --json            print the analysis as JSON\n"
    "      --mef FILE        write the fault tree in the Open-PSA Model Exchange\n"
    "                        Format, for SCRAM and other PSA tools\n"
    "      --force           let --mef overwrite a file eddy did not write\n"
    "      --cutoff P        drop cut sets less probable than P (default 1e-12)\n"
    "      --limit-order N   drop cut sets of more than N events (default: none)\n"
    "      --trials N        Monte Carlo trials (default 10000000; 0: none)\n"
    "      --histories N     outage histories simulated (default 200; 0: none): each\n"
    "                        basic event's up/down renewal process, repairs drawn\n"
    "                        from mttr, over --horizon; the unavailability with a\n"
    "                        95% interval from the spread between histories\n"
    "      --horizon D       each history's length (default 87660h, 10 years)\n"
    "      --seed N          Monte Carlo and histories seed (default: the model's)\n"
    "      --show N          cut sets and importance rows printed per client (10)\n"
    "      --dynamic         simulate each minimal cut set's outage (order 1 and 2)\n"
    "                        request by request and measure the user-visible outage,\n"
    "                        metastable tails included: expected downtime a year\n"
    "                        against the structural figure, and what the system does\n"
    "      --top N           simulate only the N most frequent of those cut sets\n"
    "                        (default: every one)\n"
    "      --draws N         repair-time draws per cut set, independent seeds (3)\n"
    "  -j, --jobs N          simulations at once (default: one per core)\n"
    "  -q, --quiet           no progress bar\n"
    "  -h, --help            this help\n"
    "\n"
    "exit status: 0 analysed, 2 usage error, bad model or unwritable file\n"
    "(docs/ci.md)\n";

/* --mef may replace a file eddy wrote (it carries our comment), an empty
 * one or a device; anything else is the user's. */
static int mef_may_overwrite(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 1;
    char buf[512] = "";
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    return n == 0 || strstr(buf, "Written by eddy avail") != NULL;
}

int cmd_avail(int argc, char **argv)
{
    enum { OPT_JSON = 256, OPT_TREE, OPT_MEF, OPT_FORCE, OPT_CUTOFF, OPT_LIMIT, OPT_TRIALS, OPT_SEED, OPT_SHOW,
           OPT_DYNAMIC, OPT_TOP, OPT_DRAWS, OPT_HISTORIES, OPT_HORIZON };
    static const struct option opts[] = {{"json", no_argument, 0, OPT_JSON},
                                         {"tree", no_argument, 0, OPT_TREE},
                                         {"mef", required_argument, 0, OPT_MEF},
                                         {"force", no_argument, 0, OPT_FORCE},
                                         {"cutoff", required_argument, 0, OPT_CUTOFF},
                                         {"limit-order", required_argument, 0, OPT_LIMIT},
                                         {"trials", required_argument, 0, OPT_TRIALS},
                                         {"seed", required_argument, 0, OPT_SEED},
                                         {"show", required_argument, 0, OPT_SHOW},
                                         {"dynamic", no_argument, 0, OPT_DYNAMIC},
                                         {"top", required_argument, 0, OPT_TOP},
                                         {"histories", required_argument, 0, OPT_HISTORIES},
                                         {"horizon", required_argument, 0, OPT_HORIZON},
                                         {"draws", required_argument, 0, OPT_DRAWS},
                                         {"jobs", required_argument, 0, 'j'},
                                         {"quiet", no_argument, 0, 'q'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    bool json = false, tree = false, force = false, seed_given = false, dynamic = false, quiet = false;
    long top = 0, draws = 3, jobs = 0, histories = 200;
    double horizon = 10 * AVAIL_SECONDS_PER_YEAR;
    const char *mef = NULL;
    double cutoff = 1e-12;
    long limit = 0, trials = 10000000, seed = 0, show = 10;
    int bad;
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, ":hj:q", opts, NULL)) != -1) {
        switch (ch) {
        case OPT_JSON:
            json = true;
            break;
        case OPT_TREE:
            tree = true;
            break;
        case OPT_MEF:
            mef = optarg;
            break;
        case OPT_FORCE:
            force = true;
            break;
        case OPT_CUTOFF: {
            char *end;
            errno = 0;
            cutoff = strtod(optarg, &end);
            if (errno || *end || !*optarg || !(cutoff >= 0 && cutoff < 1))
                return cli_usage_error("avail", "--cutoff: expected a probability from 0 to below 1, got '%s'",
                                       optarg);
            break;
        }
        case OPT_LIMIT:
            if ((bad = cli_count_range("avail", "--limit-order", optarg, 1, 1000, &limit)))
                return bad;
            break;
        case OPT_TRIALS:
            if ((bad = cli_count_range("avail", "--trials", optarg, 0, 1000000000000L, &trials)))
                return bad;
            break;
        case OPT_SEED:
            if ((bad = cli_count("avail", "--seed", optarg, 0, &seed)))
                return bad;
            seed_given = true;
            break;
        case OPT_SHOW:
            if ((bad = cli_count_range("avail", "--show", optarg, 0, 1000000, &show)))
                return bad;
            break;
        case OPT_DYNAMIC:
            dynamic = true;
            break;
        case OPT_TOP:
            if ((bad = cli_count_range("avail", "--top", optarg, 1, 1000000, &top)))
                return bad;
            break;
        case OPT_HISTORIES:
            if ((bad = cli_count_range("avail", "--histories", optarg, 0, 100000000, &histories)))
                return bad;
            break;
        case OPT_HORIZON: {
            simtime h;
            if (units_duration(optarg, &h) < 0 || h <= 0)
                return cli_usage_error("avail", "--horizon: expected a duration with a unit such as 87660h, got '%s'",
                                       optarg);
            horizon = (double)h / T_SEC;
            break;
        }
        case OPT_DRAWS:
            if ((bad = cli_count_range("avail", "--draws", optarg, 1, 1000, &draws)))
                return bad;
            break;
        case 'j':
            if ((bad = cli_count_range("avail", "-j", optarg, 1, 1024, &jobs)))
                return bad;
            break;
        case 'q':
            quiet = true;
            break;
        default:
            return cli_opt_common("avail", ch, argv, usage);
        }
    }
    const char *path;
    if ((bad = cli_one_file("avail", argc, argv, optind, "MODEL.yaml", &path)))
        return bad;
    if (mef && !force && !mef_may_overwrite(mef))
        return cli_fail("avail", "%s exists and is not a MEF file eddy wrote; use --force to replace it", mef);
    eddy_error err = {0};
    model *m = model_load(path, &err);
    if (!m)
        return cli_print_error(&err);
    char why[512] = "";
    avail_model *a = avail_derive(m, why, sizeof why);
    if (!a) {
        model_free(m);
        return cli_fail("avail", "%s: %s", path, why);
    }
    int status = 0;
    if (mef) {
        FILE *f = fopen(mef, "w");
        if (!f || mef_write(f, a->t, m->name ? m->name : "eddy") < 0 || fclose(f) != 0) {
            status = cli_fail("avail", "cannot write %s: %s", mef, strerror(errno));
            goto out;
        }
    }
    if (tree) {
        availout_tree(stdout, a);
    } else {
        ft_options o = {.cutoff = cutoff, .limit_order = (int)limit, .importance = true};
        ft_exact *x = ft_exact_run(a->t, &o);
        ft_mc_top *mc = NULL;
        if (trials > 0 && a->t->ntops) {
            mc = xcalloc(a->t->ntops, sizeof *mc);
            ft_mc_run(a->t, (uint64_t)trials, seed_given ? (uint64_t)seed : m->seed, mc);
        }
        ft_mc_hist *hist = NULL;
        uint64_t changes = 0;
        if (histories > 0 && a->t->ntops) {
            hist = xcalloc(a->t->ntops, sizeof *hist);
            changes = ft_mc_histories(a->t, horizon, (size_t)histories, seed_given ? (uint64_t)seed : m->seed,
                                      (int)jobs, hist);
        }
        avail_dyn dyn = {0};
        bool have_dyn = false;
        if (dynamic) {
            progress pb;
            progress_init(&pb, "avail --dynamic", !quiet);
            avail_dyn_options dopt = {.top = (size_t)top, .draws = (size_t)draws, .threads = (int)jobs,
                                      .seed = seed_given ? (uint64_t)seed : m->seed,
                                      .progress = progress_update, .progress_ud = &pb};
            char derr[512] = "";
            int drc = avail_dynamic(path, a, x, &dopt, &dyn, derr, sizeof derr);
            progress_done(&pb);
            if (drc < 0) {
                free(mc);
                free(hist);
                ft_exact_free(x);
                status = cli_fail("avail", "%s", derr);
                goto out;
            }
            have_dyn = true;
        }
        avail_report r = {.a = a, .x = x, .mc = mc, .mc_trials = (uint64_t)trials, .hist = hist,
                          .hist_reps = (size_t)histories, .hist_changes = changes, .hist_horizon = horizon,
                          .cutoff = cutoff,
                          .limit_order = (int)limit, .show = (size_t)show, .dyn = have_dyn ? &dyn : NULL};
        if (json)
            cli_print_json(availout_json(&r));
        else
            availout_text(stdout, &r);
        if (have_dyn)
            avail_dyn_free(&dyn);
        free(mc);
        free(hist);
        ft_exact_free(x);
    }
    if (fflush(stdout) != 0)
        status = cli_fail("avail", "cannot write the output: %s", strerror(errno));
out:
    avail_free(a);
    model_free(m);
    return status;
}
