/* cmd_sweep.c -- `eddy sweep [options] MODEL.yaml`: goodput against offered
 * load, with the peak and congestion collapse marked. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../analysis/batch.h"
#include "../analysis/sweep.h"
#include "../model/units.h"
#include "../output/csv.h"
#include "../output/sweep_out.h"
#include "cli.h"
#include "eddy.h"
#include "progress.h"

static const char usage[] =
    "usage: eddy sweep [options] MODEL.yaml\n"
    "\n"
    "Run the model at a range of offered loads (every client's rate, or its\n"
    "closed-loop users, times a multiple) on several seeds, and report at each\n"
    "point the demand, the throughput at the entry services (attempts completed\n"
    "per second, wasted work included), the goodput (user requests succeeded per\n"
    "second), the p99 latency of successful requests and the retry amplification\n"
    "(attempts per user request).  Marks the goodput peak and the collapse point:\n"
    "the first load past the peak from which goodput stays below the peak by\n"
    "more than --drop and the noise between seeds.  The model's faults are\n"
    "dropped unless --with-faults keeps them: a load curve is a steady-state\n"
    "property, and every output says which curve it is.\n"
    "\n"
    "options:\n"
    "      --load LO..HIx  the load multiples swept (default 0.1..2x)\n"
    "      --points N      points, evenly spaced, ends included (default 20)\n"
    "      --seeds N       replications per point (default 3); the table shows\n"
    "                      their mean and the standard deviation of goodput\n"
    "      --seed N        the first replication's seed (default: the model's)\n"
    "      --warmup DUR    leave the first DUR of each run out of the rates (e.g. 10s)\n"
    "      --with-faults   keep the model's faults: the curve through them, not the\n"
    "                      steady state (by default the faults are dropped)\n"
    "      --no-faults     drop the faults (the default; kept for old scripts)\n"
    "      --drop PCT      the fall below the peak that counts as collapse (default 5%)\n"
    "  -j, --jobs N        runs in parallel (default: one per core); the output\n"
    "                      does not depend on N\n"
    "  -o, --output FILE   also write the curve as CSV (`load`, then entity.metric)\n"
    "      --force         overwrite FILE even if eddy did not write it\n"
    "      --json          print the result as JSON instead of a table\n"
    "  -q, --quiet         no progress bar (it is drawn only on a terminal)\n"
    "  -h, --help          this help\n"
    "\n"
    "exit status: 0 done, 2 usage error, bad model or I/O error (docs/ci.md)\n";

static int write_csv(FILE *fp, const void *ud) { return sweep_csv(fp, ud); }

int cmd_sweep(int argc, char **argv)
{
    if (cli_find_xmile(argc, argv))
        return cmd_sweep_sd(argc, argv);
    enum { O_LOAD = 256, O_POINTS, O_SEEDS, O_SEED, O_WARMUP, O_NOFAULTS, O_WITHFAULTS, O_DROP, O_FORCE, O_JSON };
    static const struct option opts[] = {{"load", required_argument, 0, O_LOAD},
                                         {"points", required_argument, 0, O_POINTS},
                                         {"seeds", required_argument, 0, O_SEEDS},
                                         {"seed", required_argument, 0, O_SEED},
                                         {"warmup", required_argument, 0, O_WARMUP},
                                         {"no-faults", no_argument, 0, O_NOFAULTS},
                                         {"with-faults", no_argument, 0, O_WITHFAULTS},
                                         {"drop", required_argument, 0, O_DROP},
                                         {"jobs", required_argument, 0, 'j'},
                                         {"output", required_argument, 0, 'o'},
                                         {"force", no_argument, 0, O_FORCE},
                                         {"json", no_argument, 0, O_JSON},
                                         {"quiet", no_argument, 0, 'q'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    sweep_opts o = sweep_defaults();
    const char *out_path = NULL;
    bool json = false, force = false, quiet = false;
    long v;
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, ":j:o:qh", opts, NULL)) != -1) {
        switch (ch) {
        case O_LOAD: {
            char unit[32], why[256];
            bool integer;
            if (sweep_parse_range(optarg, &o.lo, &o.hi, unit, sizeof unit, &integer, why, sizeof why) < 0)
                return cli_usage_error("sweep", "--load: %s", why);
            if (unit[0] && strcmp(unit, "x"))
                return cli_usage_error("sweep", "--load: a multiple of the model's load is written like 0.1..2x, "
                                                "got unit '%s'", unit);
            if (!(o.lo > 0))
                return cli_usage_error("sweep", "--load: the multiples must be greater than 0, got '%s'", optarg);
            break;
        }
        case O_POINTS:
            if (cli_count_range("sweep", "--points", optarg, 2, 10000, &v))
                return 2;
            o.points = (int)v;
            break;
        case O_SEEDS:
            if (cli_count_range("sweep", "--seeds", optarg, 1, 10000, &v))
                return 2;
            o.seeds = (unsigned)v;
            break;
        case O_SEED: {
            char *end;
            errno = 0;
            unsigned long long s = strtoull(optarg, &end, 10);
            if (errno || *end || !*optarg || optarg[0] == '-')
                return cli_usage_error("sweep", "--seed expects a non-negative whole number, got '%s'", optarg);
            o.seed = s;
            o.use_seed = true;
            break;
        }
        case O_WARMUP: {
            simtime t;
            if (units_duration(optarg, &t) < 0)
                return cli_usage_error("sweep", "--warmup expects a duration with a unit such as 10s, got '%s'",
                                       optarg);
            o.warmup = t_sec(t);
            break;
        }
        case O_NOFAULTS:
            o.with_faults = false;
            break;
        case O_WITHFAULTS:
            o.with_faults = true;
            break;
        case O_DROP: {
            double d;
            if (units_fraction(optarg, &d) < 0 || !(d > 0 && d < 1))
                return cli_usage_error("sweep", "--drop expects a fraction between 0 and 1 such as 5%% or 0.05, "
                                                "got '%s'", optarg);
            o.drop = d;
            break;
        }
        case 'j':
            if (cli_count_range("sweep", "-j", optarg, 1, 256, &v))
                return 2;
            o.threads = (int)v;
            break;
        case 'o':
            out_path = optarg;
            break;
        case O_FORCE:
            force = true;
            break;
        case O_JSON:
            json = true;
            break;
        case 'q':
            quiet = true;
            break;
        default:
            return cli_opt_common("sweep", ch, argv, usage);
        }
    }
    const char *path;
    int bad = cli_one_file("sweep", argc, argv, optind, "MODEL.yaml", &path);
    if (bad)
        return bad;
    if (out_path && !force && !csv_may_overwrite(out_path))
        return cli_fail("sweep", "%s exists and is not a CSV eddy wrote; not overwriting it (use --force)", out_path);

    progress bar;
    progress_init(&bar, "sweeping", !quiet);
    o.progress = progress_update;
    o.progress_ud = &bar;
    sweep_result r;
    eddy_error err;
    int rc = sweep_run(path, &o, &r, &err);
    progress_done(&bar);
    if (rc < 0) {
        return cli_print_error(&err);
    }
    int status = 0;
    if (out_path && !cli_worker && csv_write_file(out_path, write_csv, &r) < 0)
        status = cli_fail("sweep", "cannot write %s: %s", out_path, strerror(errno));
    if (json) {
        json_t *j = sweep_json(path, &r);
        cli_print_json(j);
    } else {
        sweep_text(stdout, path, &r);
    }
    sweep_free(&r);
    return status;
}
