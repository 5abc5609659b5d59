/* cmd_loops_sd.c -- `eddy loops MODEL.xmile`: the feedback loops of a
 * stock-and-flow model, derived from its equations, and with --dominance
 * which of them drives the behaviour when (Loops That Matter). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../loops/analyze.h"
#include "../loops/boundary.h"
#include "../loops/ltm.h"
#include "../loops/sd_graph.h"
#include "../output/csv.h"
#include "../output/loops_out.h"
#include "../output/ltm_out.h"
#include "../sd/sd.h"
#include "cli.h"

#define DEFAULT_MAX_LOOPS 5000
#define GROUP_COUNT_CAP 1000

static const char usage[] =
    "usage: eddy loops MODEL.xmile [--json | --mermaid | --dot] [--all] [--max-loops N] [--boundary A,B,...]\n"
    "                              [--dominance [-o SCORES.csv] [--force]] [--method euler|rk2|rk4] [--dt DT]\n"
    "\n"
    "Find the feedback loops of a stock-and-flow model (XMILE 1.0, or Stella's .stmx)\n"
    "from its equations: an arrow from every variable an equation reads to the\n"
    "variable it defines, and from each flow to its stock.  Each arrow's polarity is\n"
    "the sign of the partial derivative, evaluated numerically at every save step of\n"
    "a run: + if never negative, - if never positive, \xc2\xb1 if both.  Builtins that hold\n"
    "state (SMTH1, DELAY3, TREND, ...) become one arrow marked as a delay.  Loops are\n"
    "reinforcing (R), balancing (B), or of changing polarity (U: through a \xc2\xb1 arrow),\n"
    "listed as for diagrams and service models (see eddy loops --help on a .yaml).\n"
    "\n"
    "options:\n"
    "      --json          print the analysis as JSON (with --dominance, a \"dominance\" key)\n"
    "      --mermaid       print the diagram as Mermaid, loops highlighted\n"
    "      --dot           print the diagram as Graphviz DOT, loops highlighted\n"
    "      --all           list every loop\n"
    "      --max-loops N   hold and rank at most N loops (default 5000)\n"
    "      --boundary A,B  check whether the variables A, B, ... contain each loop\n"
    "      --dominance     Loops That Matter (Schoenberg, Davidsen and Eberlein 2020):\n"
    "                      score every loop at every time step and print which loop\n"
    "                      dominates in each phase of the run\n"
    "  -o, --output FILE   with --dominance: write the scores as CSV: time, then\n"
    "                      LOOP.relative_score and LOOP.score for each loop\n"
    "      --force         overwrite FILE even if it is not a CSV eddy wrote\n"
    "      --method M      integrate with euler, rk2 or rk4 instead of the file's method\n"
    "      --dt DT         use time step DT instead of the file's\n"
    "  -h, --help          this help\n"
    "\n"
    "exit status: 0 analysed, 1 the run failed (a division by zero, a NaN) or I/O\n"
    "error, 2 usage error or a model that cannot be read\n";

typedef struct csv_job {
    const loop_analysis *a;
    const ltm_result *r;
} csv_job;

static int write_scores(FILE *f, const void *ud)
{
    const csv_job *j = ud;
    return ltmout_csv(f, j->a, j->r);
}

int cmd_loops_sd(int argc, char **argv)
{
    enum { OPT_JSON = 256, OPT_MERMAID, OPT_DOT, OPT_MAX, OPT_BOUNDARY, OPT_ALL, OPT_DOM, OPT_FORCE, OPT_METHOD, OPT_DT };
    static const struct option opts[] = {{"json", no_argument, 0, OPT_JSON},
                                         {"mermaid", no_argument, 0, OPT_MERMAID},
                                         {"dot", no_argument, 0, OPT_DOT},
                                         {"max-loops", required_argument, 0, OPT_MAX},
                                         {"boundary", required_argument, 0, OPT_BOUNDARY},
                                         {"all", no_argument, 0, OPT_ALL},
                                         {"dominance", no_argument, 0, OPT_DOM},
                                         {"output", required_argument, 0, 'o'},
                                         {"force", no_argument, 0, OPT_FORCE},
                                         {"method", required_argument, 0, OPT_METHOD},
                                         {"dt", required_argument, 0, OPT_DT},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int format = 0, method = -1;
    long max = DEFAULT_MAX_LOOPS;
    const char *boundary = NULL, *out_path = NULL;
    bool all = false, dominance = false, force = false;
    double dt = 0;
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, ":o:h", opts, NULL)) != -1) {
        switch (ch) {
        case OPT_JSON:
        case OPT_MERMAID:
        case OPT_DOT:
            if (format && format != ch)
                return cli_usage_error("loops", "choose one output form: --json, --mermaid or --dot");
            format = ch;
            break;
        case OPT_MAX: {
            int bad = cli_count_range("loops", "--max-loops", optarg, 0, 1000000000L, &max);
            if (bad)
                return bad;
            break;
        }
        case OPT_BOUNDARY: boundary = optarg; break;
        case OPT_ALL: all = true; break;
        case OPT_DOM: dominance = true; break;
        case 'o': out_path = optarg; break;
        case OPT_FORCE: force = true; break;
        case OPT_METHOD:
            if (!strcasecmp(optarg, "euler"))
                method = SD_EULER;
            else if (!strcasecmp(optarg, "rk2"))
                method = SD_RK2;
            else if (!strcasecmp(optarg, "rk4"))
                method = SD_RK4;
            else
                return cli_usage_error("loops", "--method expects euler, rk2 or rk4, got '%s'", optarg);
            break;
        case OPT_DT: {
            char *end;
            dt = strtod(optarg, &end);
            if (*end || end == optarg || !(dt > 0) || !isfinite(dt))
                return cli_usage_error("loops", "--dt expects a number greater than 0, got '%s'", optarg);
            break;
        }
        default:
            return cli_opt_common("loops", ch, argv, usage);
        }
    }
    const char *path;
    int bad = cli_one_file("loops", argc, argv, optind, "MODEL.xmile", &path);
    if (bad)
        return bad;
    if (out_path && !dominance)
        return cli_usage_error("loops", "-o writes the loop scores of --dominance; add --dominance");
    if (dominance && (format == OPT_MERMAID || format == OPT_DOT))
        return cli_usage_error("loops", "--dominance prints text or --json; --mermaid and --dot draw the diagram");
    if (all && (format == OPT_MERMAID || format == OPT_DOT))
        return cli_usage_error("loops", "--all lists loops as text or --json; --mermaid and --dot draw the diagram");
    if (out_path && !force && !csv_may_overwrite(out_path))
        return cli_fail("loops", "%s exists and is not a CSV eddy wrote; not overwriting it (use --force)", out_path);

    eddy_error err = {0};
    sd_model *m = sd_load(path, NULL, 0, &err);
    if (!m) {
        cli_print_error(&err);
        return 2;
    }
    if (method >= 0)
        sd_set_method(m, method);
    if (dt > 0 && sd_set_dt(m, dt, &err) < 0) {
        cli_print_error(&err);
        sd_free(m);
        return 2;
    }
    int status = 0;
    loop_analysis *a = NULL;
    ltm_result *r = NULL;
    boundary_report br, *b = NULL;
    sd_graph *s = sdg_build(m, &err);
    if (!s) {
        status = cli_print_error(&err);
        goto out;
    }
    a = loops_analyze_bounded(s->g, (size_t)max, all ? 1 : GROUP_COUNT_CAP);
    if (dominance && !a->complete) {
        status = cli_usage_error("loops",
                                 "the model has more than %ld loops; --dominance scores every loop: raise --max-loops",
                                 max);
        goto out;
    }
    if (boundary) {
        if (boundary_check(a, boundary, &br, &err) < 0) {
            cli_print_error(&err);
            status = 2;
            goto out;
        }
        b = &br;
    }
    if (dominance) {
        r = ltm_compute(s, a, &err);
        if (!r) {
            status = cli_print_error(&err);
            goto out;
        }
        if (out_path) {
            csv_job job = {a, r};
            if (csv_write_file(out_path, write_scores, &job) < 0) {
                status = cli_fail("loops", "cannot write %s: %s", out_path, strerror(errno));
                goto out;
            }
        }
    }
    switch (format) {
    case OPT_JSON: {
        json_t *j = (all ? loopsout_json_all : loopsout_json)(a, b, "xmile");
        if (r)
            json_object_set_new(j, "dominance", ltmout_json(a, r, sd_time_units(m)));
        cli_print_json(j);
        break;
    }
    case OPT_MERMAID: loopsout_mermaid(stdout, a); break;
    case OPT_DOT: loopsout_dot(stdout, a); break;
    default:
        if (all)
            loopsout_text_all(stdout, a, b);
        else
            loopsout_text(stdout, a, b);
        if (r)
            ltmout_text(stdout, a, r, sd_time_units(m));
        break;
    }
    if (fflush(stdout) != 0)
        status = cli_fail("loops", "cannot write the output: %s", strerror(errno));
out:
    if (b)
        boundary_free(b);
    ltm_free(r);
    loops_free(a);
    sdg_free(s);
    sd_free(m);
    return status;
}
