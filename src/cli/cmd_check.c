/* cmd_check.c -- `eddy check MODEL.yaml...`: judge each model's
 * `hypotheses:` over seeds, for CI (analysis/check.h, docs/check.md). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../analysis/check.h"
#include "../output/check_out.h"
#include "../output/csv.h"
#include "cli.h"
#include "eddy.h"
#include "progress.h"
#include "../core/xalloc.h"

static const char usage[] =
    "usage: eddy check [options] MODEL.yaml...\n"
    "\n"
    "Run each model on several seeds and judge its `hypotheses:` (what the model\n"
    "claims about its own run: a metric, a window, a statistic and a threshold;\n"
    "docs/check.md).  Prints PASS or FAIL per hypothesis with the measured value\n"
    "and its spread over the seeds.  A hypothesis passes only if it holds on\n"
    "every seed.\n"
    "\n"
    "options:\n"
    "      --seeds N      replications per model (default 3)\n"
    "      --seed N       first seed (default: each model's `seed`)\n"
    "  -j, --jobs N       runs in parallel (default: one per core); the output\n"
    "                     does not depend on N\n"
    "      --junit FILE   also write the verdicts as JUnit XML to FILE\n"
    "      --force        overwrite FILE even if eddy did not write it\n"
    "      --json         print the verdicts as JSON\n"
    "  -q, --quiet        no progress bar\n"
    "  -h, --help         this help\n"
    "\n"
    "exit status: 0 every hypothesis held, 1 at least one failed, 2 usage error,\n"
    "an invalid model, a model without hypotheses, a run or the JUnit file failed\n"
    "(docs/ci.md)\n";

enum { OPT_SEEDS = 256, OPT_SEED, OPT_JUNIT, OPT_FORCE, OPT_JSON };

typedef struct junit_doc {
    const check_report *const *r;
    const char *const *paths, *const *errors;
    size_t n;
} junit_doc;

static int write_junit(FILE *fp, const void *ud)
{
    const junit_doc *d = ud;
    return checkout_junit(fp, d->r, d->paths, d->errors, d->n);
}

int cmd_check(int argc, char **argv)
{
    static const struct option opts[] = {{"seeds", required_argument, 0, OPT_SEEDS},
                                         {"seed", required_argument, 0, OPT_SEED},
                                         {"jobs", required_argument, 0, 'j'},
                                         {"junit", required_argument, 0, OPT_JUNIT},
                                         {"force", no_argument, 0, OPT_FORCE},
                                         {"json", no_argument, 0, OPT_JSON},
                                         {"quiet", no_argument, 0, 'q'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    check_opts o = {.seeds = 3};
    const char *junit = NULL;
    bool json = false, quiet = false, force = false;
    long v;
    optind = 1;
    opterr = 0;
    int ch, bad;
    while ((ch = getopt_long(argc, argv, ":j:qh", opts, NULL)) != -1) {
        switch (ch) {
        case OPT_SEEDS:
            if ((bad = cli_count("check", "--seeds", optarg, 1, &v)))
                return bad;
            o.seeds = (unsigned)v;
            break;
        case OPT_SEED:
            if ((bad = cli_count("check", "--seed", optarg, 0, &v)))
                return bad;
            o.seed = (uint64_t)v;
            o.have_seed = true;
            break;
        case 'j':
            if ((bad = cli_count("check", "--jobs", optarg, 1, &v)))
                return bad;
            o.threads = (int)v;
            break;
        case OPT_JUNIT:
            junit = optarg;
            break;
        case OPT_FORCE:
            force = true;
            break;
        case OPT_JSON:
            json = true;
            break;
        case 'q':
            quiet = true;
            break;
        default:
            return cli_opt_common("check", ch, argv, usage);
        }
    }
    if (optind >= argc)
        return cli_usage_error("check", "missing MODEL.yaml");
    if (junit && !force && !checkout_junit_may_overwrite(junit))
        return cli_usage_error("check", "'%s' exists and is not a JUnit report eddy wrote; use --force to overwrite it",
                               junit);
    size_t n = (size_t)(argc - optind);
    check_report *reports = xcalloc(n, sizeof *reports);
    const check_report **rp = xcalloc(n, sizeof *rp);
    const char **paths = xcalloc(n, sizeof *paths);
    char **errors = xcalloc(n, sizeof *errors);
    size_t failed = 0, broken = 0, total = 0;
    json_t *jmodels = json ? json_array() : NULL;
    for (size_t i = 0; i < n; i++) {
        paths[i] = argv[optind + (int)i];
        progress bar;
        progress_init(&bar, "checking", !quiet);
        o.progress = progress_update;
        o.progress_ud = &bar;
        eddy_error err = {0};
        int rc = check_run(paths[i], &o, &reports[i], &err);
        progress_done(&bar);
        if (rc < 0) {
            char buf[2048];
            eddy_error_format(&err, buf, sizeof buf);
            fprintf(stderr, "%s\n", buf);
            errors[i] = xstrdup(buf);
            broken++;
            continue;
        }
        rp[i] = &reports[i];
        failed += reports[i].failed;
        total += reports[i].n;
        if (json)
            json_array_append_new(jmodels, checkout_json(&reports[i], paths[i]));
        else
            checkout_text(stdout, &reports[i], paths[i]);
        if (!json && i + 1 < n)
            fputc('\n', stdout);
    }
    if (json) {
        json_t *root = json_object();
        json_object_set_new(root, "eddy", json_string(EDDY_VERSION));
        json_object_set_new(root, "models", jmodels);
        json_object_set_new(root, "hypotheses", json_integer((json_int_t)total));
        json_object_set_new(root, "failed", json_integer((json_int_t)failed));
        json_object_set_new(root, "errors", json_integer((json_int_t)broken));
        cli_print_json(root);
    } else if (n > 1) {
        printf("\n%zu models, %zu hypotheses: %zu passed, %zu failed", n, total, total - failed, failed);
        if (broken)
            printf(", %zu model%s could not be checked", broken, broken == 1 ? "" : "s");
        printf("\n");
    }
    int status = broken ? 2 : failed ? 1 : 0;
    if (junit) {
        junit_doc d = {rp, paths, (const char *const *)errors, n};
        if (csv_write_file(junit, write_junit, &d) < 0) {
            fprintf(stderr, "eddy check: cannot write '%s': %s\n", junit, strerror(errno));
            status = 2;
        }
    }
    if (fflush(stdout) != 0) {
        fprintf(stderr, "eddy check: cannot write the output: %s\n", strerror(errno));
        status = 2;
    }
    for (size_t i = 0; i < n; i++) {
        check_report_free(&reports[i]);
        free(errors[i]);
    }
    free(reports);
    free(rp);
    free(paths);
    free(errors);
    return status;
}
