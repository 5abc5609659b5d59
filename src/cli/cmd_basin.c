/* cmd_basin.c -- `eddy basin [options] MODEL.yaml`: how big a shock the model
 * absorbs before it tips into a failure that outlives the shock. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../analysis/basin.h"
#include "../output/basin_out.h"
#include "../output/csv.h"
#include "cli.h"
#include "eddy.h"
#include "progress.h"

static const char usage[] =
    "usage: eddy basin [options] MODEL.yaml\n"
    "\n"
    "Map the basin of attraction around the healthy state: how big a trigger the\n"
    "model absorbs before it slides into a metastable failure, one that outlives\n"
    "the trigger.  A run is metastable when its faults have all ended and some\n"
    "client's success ratio has not come back to 90% of its level before the\n"
    "first fault (as `eddy run` judges recovery).  Over seeds that gives\n"
    "P(metastable) at each point tried.\n"
    "\n"
    "For each value of y, eddy bisects along x for where P crosses 1/2 (first\n"
    "both ends of x, then --iterations halvings of the bracket), so the boundary\n"
    "costs a few runs per row instead of a grid.  It assumes P changes one way\n"
    "along x (rising or falling, found from the ends); with --grid N it tries N\n"
    "evenly spaced x per row instead, to check that or draw a heatmap.\n"
    "\n"
    "axes (PATH=LO..HI, both ends in the unit the model file uses):\n"
    "      --x PATH=LO..HI   default faults.0.for=SAMPLE..H: the first fault's\n"
    "                        duration, up to half the time from its start to the\n"
    "                        run's end (so there is time left to judge recovery)\n"
    "      --y PATH=LO..HI   default load=0.1..1x: the offered load, a multiple of\n"
    "                        every client's rate (or closed-loop users)\n"
    "    PATH is `load` or any value of the model by its dotted YAML path, e.g.\n"
    "    faults.0.slow=1..20, services.db.workers=10..40, clients.shoppers.rate=\n"
    "    100/s..400/s, faults.0.for=1s..60s.  Whole numbers without a unit try\n"
    "    whole values only.\n"
    "\n"
    "options:\n"
    "      --rows N          values of y, evenly spaced, ends included (default 10;\n"
    "                        1: LO only)\n"
    "      --iterations N    bisection steps per row (default 7: the bracket ends\n"
    "                        1/128 of the x range wide; when x spans 10x or more\n"
    "                        from LO > 0 it is halved geometrically, so 1/128 of\n"
    "                        the range's ratio)\n"
    "      --grid N          try N evenly spaced x per row instead of bisecting\n"
    "      --seeds N         runs per point (default 5)\n"
    "      --seed N          the first run's seed (default: the model's)\n"
    "  -j, --jobs N          runs in parallel (default: one per core); the output\n"
    "                        does not depend on N\n"
    "  -o, --output FILE     also write every point tried as CSV (y, x, then\n"
    "                        basin.p_metastable, basin.runs, basin.metastable,\n"
    "                        basin.critical)\n"
    "      --force           overwrite FILE even if eddy did not write it\n"
    "      --json            print the map as JSON instead of a table\n"
    "  -q, --quiet           no progress bar (it is drawn only on a terminal)\n"
    "  -h, --help            this help\n"
    "\n"
    "exit status: 0 done, 2 usage error, bad model, bad edit or I/O error\n"
    "(docs/ci.md)\n";

static int write_csv(FILE *fp, const void *ud) { return basin_csv(fp, ud); }

int cmd_basin(int argc, char **argv)
{
    if (cli_find_xmile(argc, argv))
        return cmd_basin_sd(argc, argv);
    enum { O_X = 256, O_Y, O_ROWS, O_ITER, O_GRID, O_SEEDS, O_SEED, O_FORCE, O_JSON };
    static const struct option opts[] = {{"x", required_argument, 0, O_X},
                                         {"y", required_argument, 0, O_Y},
                                         {"rows", required_argument, 0, O_ROWS},
                                         {"iterations", required_argument, 0, O_ITER},
                                         {"grid", required_argument, 0, O_GRID},
                                         {"seeds", required_argument, 0, O_SEEDS},
                                         {"seed", required_argument, 0, O_SEED},
                                         {"jobs", required_argument, 0, 'j'},
                                         {"output", required_argument, 0, 'o'},
                                         {"force", no_argument, 0, O_FORCE},
                                         {"json", no_argument, 0, O_JSON},
                                         {"quiet", no_argument, 0, 'q'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    basin_opts o = basin_defaults();
    const char *out_path = NULL;
    bool json = false, force = false, quiet = false;
    long v;
    char why[512];
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, ":j:o:qh", opts, NULL)) != -1) {
        switch (ch) {
        case O_X:
            if (basin_parse_axis(optarg, &o.x, why, sizeof why) < 0)
                return cli_usage_error("basin", "--x: %s", why);
            o.x_set = true;
            break;
        case O_Y:
            if (basin_parse_axis(optarg, &o.y, why, sizeof why) < 0)
                return cli_usage_error("basin", "--y: %s", why);
            o.y_set = true;
            break;
        case O_ROWS:
            if (cli_count_range("basin", "--rows", optarg, 1, 1000, &v))
                return 2;
            o.rows = (int)v;
            break;
        case O_ITER:
            if (cli_count_range("basin", "--iterations", optarg, 0, 60, &v))
                return 2;
            o.iterations = (int)v;
            break;
        case O_GRID:
            if (cli_count_range("basin", "--grid", optarg, 2, 1000, &v))
                return 2;
            o.grid = (int)v;
            break;
        case O_SEEDS:
            if (cli_count_range("basin", "--seeds", optarg, 1, 10000, &v))
                return 2;
            o.seeds = (unsigned)v;
            break;
        case O_SEED: {
            char *end;
            errno = 0;
            unsigned long long s = strtoull(optarg, &end, 10);
            if (errno || *end || !*optarg || optarg[0] == '-')
                return cli_usage_error("basin", "--seed expects a non-negative whole number, got '%s'", optarg);
            o.seed = s;
            o.use_seed = true;
            break;
        }
        case 'j':
            if (cli_count_range("basin", "-j", optarg, 1, 256, &v))
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
            return cli_opt_common("basin", ch, argv, usage);
        }
    }
    if (o.x_set && o.y_set && !strcmp(o.x.path, o.y.path))
        return cli_usage_error("basin", "--x and --y name the same value '%s'", o.x.path);
    const char *path;
    int bad = cli_one_file("basin", argc, argv, optind, "MODEL.yaml", &path);
    if (bad)
        return bad;
    if (out_path && !force && !csv_may_overwrite(out_path))
        return cli_fail("basin", "%s exists and is not a CSV eddy wrote; not overwriting it (use --force)", out_path);

    progress bar;
    progress_init(&bar, "mapping the basin", !quiet);
    o.progress = progress_update;
    o.progress_ud = &bar;
    basin_result r;
    eddy_error err;
    int rc = basin_run(path, &o, &r, &err);
    progress_done(&bar);
    if (rc < 0) {
        return cli_print_error(&err);
    }
    int status = 0;
    if (out_path && !cli_worker && csv_write_file(out_path, write_csv, &r) < 0)
        status = cli_fail("basin", "cannot write %s: %s", out_path, strerror(errno));
    if (json) {
        json_t *j = basin_json(path, &r);
        cli_print_json(j);
    } else {
        basin_text(stdout, path, &r);
    }
    basin_free(&r);
    return status;
}
