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

static const char usage[] = "usage: eddy review MODEL.yaml [--json]\n"
                            "\n"
                            "Review every call edge of a service model before it ships: its timeout, its\n"
                            "retry policy, what the caller does when the callee is slow (wait, time out,\n"
                            "retry), whether that adds load to the slow callee (amplifying), and the\n"
                            "worst-case amplification along each call path (the product of attempts).\n"
                            "Flags naked retries (no backoff, no budget), calls without a timeout, timeouts\n"
                            "longer than the caller's own caller's timeout (always wasted work), retries\n"
                            "that outlast it, and shared dependencies that make callers fail together.\n"
                            "\n"
                            "options:\n"
                            "      --json      print the review as JSON\n"
                            "  -h, --help      this help\n"
                            "\n"
                            "exit status: 0 reviewed (flags are findings, not failures), 1 bad model,\n"
                            "2 usage error\n";

int cmd_review(int argc, char **argv)
{
    enum { OPT_JSON = 256 };
    static const struct option opts[] = {
        {"json", no_argument, 0, OPT_JSON}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    bool json = false;
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (ch) {
        case OPT_JSON:
            json = true;
            break;
        default:
            return cli_opt_common("review", ch, argv, usage);
        }
    }
    const char *path;
    int bad = cli_one_file("review", argc, argv, optind, "MODEL.yaml", &path);
    if (bad)
        return bad;
    eddy_error err = {0};
    model *m = model_load(path, &err);
    if (!m) {
        cli_print_error(&err);
        return 1;
    }
    review *r = review_model(m);
    if (json)
        reviewout_json_print(stdout, r);
    else
        reviewout_text(stdout, r);
    int status = 0;
    if (fflush(stdout) != 0)
        status = cli_fail("review", "cannot write the output: %s", strerror(errno));
    review_free(r);
    model_free(m);
    return status;
}
