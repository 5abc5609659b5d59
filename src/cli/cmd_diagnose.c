/* cmd_diagnose.c -- `eddy diagnose MODEL.yaml`: verdict, failure modes,
 * sustaining loop, coupling statement and timeline (analysis/diagnose.h). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../analysis/batch.h"
#include "../analysis/diagnose.h"
#include "../model/units.h"
#include "../output/diagnose_out.h"
#include "cli.h"
#include "eddy.h"
#include "progress.h"

static const char usage[] =
    "usage: eddy diagnose [options] MODEL.yaml\n"
    "\n"
    "Decide what kind of failure the model's incident (its faults, and load\n"
    "bursts written as rate steps) is, by running on the same seeds: the model\n"
    "as written, a baseline without them, and one knockout per reinforcing loop\n"
    "(the loop cut once the last fault has ended), plus a load drop.  Prints the\n"
    "verdict (healthy, component, metastable, collapsed, oscillating), the\n"
    "failure modes with their evidence, the sustaining loop, a coupling\n"
    "statement, why no single component is at fault, and a timeline.\n"
    "\n"
    "options:\n"
    "      --seeds N      replications per variant (default 3)\n"
    "      --seed N       first seed (default: the model's `seed`)\n"
    "  -j, --jobs N       runs in parallel (default: one per core); the output\n"
    "                     does not depend on N\n"
    "      --settle DUR   time allowed after the last fault to get back to the\n"
    "                     baseline (default: 30s, or a third of what remains)\n"
    "      --fail-on WHAT exit 1 when the verdict is WHAT, for CI: metastable,\n"
    "                     component, or any (any verdict but healthy)\n"
    "      --json         print the diagnosis as JSON\n"
    "  -q, --quiet        no progress bar\n"
    "  -h, --help         this help\n"
    "\n"
    "exit status: 0 diagnosed (and the verdict is not what --fail-on names),\n"
    "1 the verdict is what --fail-on names, 2 usage error, bad model or a run\n"
    "failed (docs/ci.md)\n";

enum { OPT_SEEDS = 256, OPT_SEED, OPT_SETTLE, OPT_JSON, OPT_FAIL_ON };

/* --fail-on: which verdicts fail a build.  A verdict is one name in the
 * output and here (verdict_name); `any` is every verdict but healthy. */
typedef enum fail_on { FAIL_NEVER, FAIL_METASTABLE, FAIL_COMPONENT, FAIL_ANY } fail_on;

static bool fail_on_matches(fail_on f, verdict v)
{
    switch (f) {
    case FAIL_METASTABLE:
        return v == VERDICT_METASTABLE;
    case FAIL_COMPONENT:
        return v == VERDICT_COMPONENT;
    case FAIL_ANY:
        return v != VERDICT_HEALTHY;
    case FAIL_NEVER:
        break;
    }
    return false;
}

int cmd_diagnose(int argc, char **argv)
{
    static const struct option opts[] = {{"seeds", required_argument, 0, OPT_SEEDS},
                                         {"seed", required_argument, 0, OPT_SEED},
                                         {"jobs", required_argument, 0, 'j'},
                                         {"settle", required_argument, 0, OPT_SETTLE},
                                         {"fail-on", required_argument, 0, OPT_FAIL_ON},
                                         {"json", no_argument, 0, OPT_JSON},
                                         {"quiet", no_argument, 0, 'q'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    diagnose_opts o = {.seeds = 3};
    bool json = false, quiet = false, have_seed = false;
    fail_on fail = FAIL_NEVER;
    long v;
    optind = 1;
    opterr = 0;
    int ch, bad;
    while ((ch = getopt_long(argc, argv, ":j:qh", opts, NULL)) != -1) {
        switch (ch) {
        case OPT_SEEDS:
            if ((bad = cli_count("diagnose", "--seeds", optarg, 1, &v)))
                return bad;
            o.seeds = (unsigned)v;
            break;
        case OPT_SEED:
            if ((bad = cli_count("diagnose", "--seed", optarg, 0, &v)))
                return bad;
            o.seed = (uint64_t)v;
            have_seed = true;
            break;
        case 'j':
            if ((bad = cli_count("diagnose", "--jobs", optarg, 1, &v)))
                return bad;
            o.threads = (int)v;
            break;
        case OPT_SETTLE: {
            simtime t;
            if (units_duration(optarg, &t) < 0 || t <= 0)
                return cli_usage_error("diagnose", "--settle expects a duration > 0 such as 30s, got '%s'", optarg);
            o.settle = t;
            break;
        }
        case OPT_FAIL_ON:
            if (!strcmp(optarg, "metastable"))
                fail = FAIL_METASTABLE;
            else if (!strcmp(optarg, "component"))
                fail = FAIL_COMPONENT;
            else if (!strcmp(optarg, "any"))
                fail = FAIL_ANY;
            else
                return cli_usage_error("diagnose", "--fail-on expects metastable, component or any, got '%s'",
                                       optarg);
            break;
        case OPT_JSON:
            json = true;
            break;
        case 'q':
            quiet = true;
            break;
        default:
            return cli_opt_common("diagnose", ch, argv, usage);
        }
    }
    const char *path;
    if ((bad = cli_one_file("diagnose", argc, argv, optind, "MODEL.yaml", &path)))
        return bad;
    eddy_error err;
    if (!have_seed) {
        model *m = model_load(path, &err);
        if (!m) {
            return cli_print_error(&err);
        }
        o.seed = m->seed;
        model_free(m);
    }
    progress bar;
    progress_init(&bar, "diagnosing", !quiet);
    o.progress = progress_update;
    o.progress_ud = &bar;
    diagnosis d;
    int rc = diagnose_run(path, &o, &d, &err);
    progress_done(&bar);
    if (rc < 0) {
        diagnosis_free(&d);
        return cli_print_error(&err);
    }
    if (json) {
        json_t *j = diagnose_json(&d, path);
        cli_print_json(j);
    } else {
        diagnose_text(stdout, &d, path);
    }
    int status = fail_on_matches(fail, d.verdict) ? CLI_EXIT_FINDING : CLI_EXIT_OK;
    if (status && !cli_worker)
        fprintf(stderr, "eddy diagnose: verdict %s (--fail-on %s)\n", verdict_name(d.verdict),
                fail == FAIL_ANY ? "any" : verdict_name(d.verdict));
    diagnosis_free(&d);
    if (fflush(stdout) != 0)
        status = cli_fail("diagnose", "cannot write the output: %s", strerror(errno));
    return status;
}
