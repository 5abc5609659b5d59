/* cmd_review.c -- `eddy review MODEL.yaml`: the design-time dynamics review
 * of every call edge (timeouts, retries, amplification, flags). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../loops/review.h"
#include "../model/model.h"
#include "../output/review_out.h"
#include "cli.h"

static const char usage[] = "usage: eddy review [--strict [--severity LEVEL]] [--json] MODEL.yaml\n"
                            "\n"
                            "Review every call edge of a service model before it ships: its timeout, its\n"
                            "retry policy, what the caller does when the callee is slow (wait, time out,\n"
                            "retry), whether that adds load to the slow callee (amplifying), and the\n"
                            "worst-case amplification along each call path (the product of attempts).\n"
                            "Flags naked retries (no backoff, no budget), calls without a timeout, timeouts\n"
                            "longer than the caller's own caller's timeout (always wasted work), retries\n"
                            "that outlast it, and shared dependencies that make callers fail together.\n"
                            "\n"
                            "Each flag has a severity: error (a mechanism that starts or sustains a\n"
                            "failure on its own), warning (a gap that makes one worse) or note (a\n"
                            "structural fact, often by design).\n"
                            "\n"
                            "options:\n"
                            "      --strict          exit 1 if any flag is at or above the severity, for CI\n"
                            "      --severity LEVEL  note, warning or error (default warning: notes such\n"
                            "                        as a shared dependency do not fail a build)\n"
                            "      --json            print the review as JSON\n"
                            "  -h, --help            this help\n"
                            "\n"
                            "exit status: 0 reviewed (without --strict, flags do not change it), 1 with\n"
                            "--strict, a flag at or above the severity, 2 usage error or bad model\n"
                            "(docs/ci.md)\n";

int cmd_review(int argc, char **argv)
{
    enum { OPT_JSON = 256, OPT_STRICT, OPT_SEVERITY };
    static const struct option opts[] = {{"json", no_argument, 0, OPT_JSON},
                                         {"strict", no_argument, 0, OPT_STRICT},
                                         {"severity", required_argument, 0, OPT_SEVERITY},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    bool json = false, strict = false, have_severity = false;
    review_severity level = REVIEW_WARNING;
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (ch) {
        case OPT_JSON:
            json = true;
            break;
        case OPT_STRICT:
            strict = true;
            break;
        case OPT_SEVERITY:
            if (review_severity_parse(optarg, &level) < 0)
                return cli_usage_error("review", "--severity expects note, warning or error, got '%s'", optarg);
            have_severity = true;
            break;
        default:
            return cli_opt_common("review", ch, argv, usage);
        }
    }
    if (have_severity && !strict)
        return cli_usage_error("review", "--severity is the threshold of --strict; give --strict too");
    const char *path;
    int bad = cli_one_file("review", argc, argv, optind, "MODEL.yaml", &path);
    if (bad)
        return bad;
    eddy_error err = {0};
    model *m = model_load(path, &err);
    if (!m) {
        return cli_print_error(&err);
    }
    review *r = review_model(m);
    if (json)
        reviewout_json_print(stdout, r);
    else
        reviewout_text(stdout, r);
    int status = CLI_EXIT_OK;
    size_t over = strict ? review_count_at_least(r, level) : 0;
    if (over) {
        fprintf(stderr, "eddy review: %zu flag%s at or above %s (--strict)\n", over, over == 1 ? "" : "s",
                review_severity_name(level));
        status = CLI_EXIT_FINDING;
    }
    if (fflush(stdout) != 0)
        status = cli_fail("review", "cannot write the output: %s", strerror(errno));
    review_free(r);
    model_free(m);
    return status;
}
