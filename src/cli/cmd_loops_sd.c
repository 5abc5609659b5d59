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
#include "cliopt.h"

#define DEFAULT_MAX_LOOPS 5000
#define GROUP_COUNT_CAP 1000

static const char usage[] =
    "usage: eddy loops MODEL.xmile [--json | --mermaid | --dot] [--all] [--max-loops N] [--boundary A,B,...]\n"
    "                              [--dominance [-o SCORES.csv] [--force]] [--set NAME=VALUE]...\n"
    "                              [--ltm 2020|2023] [--method euler|rk2|rk4] [--dt DT] [--seed N]\n"
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
    "      --max-loops N   hold and rank at most N loops (default 5000); past it,\n"
    "                      --dominance scores the loops found by strongest-path\n"
    "                      search on link scores (Eberlein and Schoenberg 2020)\n"
    "      --boundary A,B  check whether the variables A, B, ... contain each loop\n"
    "      --dominance     Loops That Matter (Schoenberg, Davidsen and Eberlein 2020):\n"
    "                      score every loop at every time step and print which loop\n"
    "                      dominates in each phase of the run\n"
    "      --ltm YEAR      with --dominance: the flow-to-stock link score of the 2023\n"
    "                      correction (Schoenberg, Hayward and Eberlein; the default,\n"
    "                      as in Stella 2.1+) or of the 2020 paper (docs/sd.md)\n"
    "  -o, --output FILE   with --dominance: write the scores as CSV: time, then\n"
    "                      LOOP.relative_score and LOOP.score for each loop\n"
    "      --force         overwrite FILE even if it is not a CSV eddy wrote\n"
    "      --set NAME=V    give the constant NAME the value V (repeatable): the\n"
    "                      polarities and the scores are those of that run\n"
    "      --method M      integrate with euler, rk2 or rk4 instead of the file's method\n"
    "      --dt DT         use time step DT instead of the file's\n"
    "      --seed N        the run seed of the statistical functions (RANDOM,\n"
    "                      NORMAL, ...) without a seed argument (default 1)\n"
    "  -h, --help          this help\n"
    "\n"
    "exit status: 0 analysed, 2 usage error, a model that cannot be read, a run\n"
    "that fails (a division by zero, a NaN) or an I/O error (docs/ci.md)\n";

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
    enum { OPT_DOM = 256, OPT_LTM };
    static const struct option opts[] = {CLI_LOOPS_OPTIONS,
                                         {"dominance", no_argument, 0, OPT_DOM},
                                         {"ltm", required_argument, 0, OPT_LTM},
                                         CLI_SD_OPT_OUTPUT,
                                         CLI_SD_OPT_SET,
                                         CLI_SD_OPT_SPECS,
                                         CLI_SD_OPT_SEED,
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    cli_loopopts lo = cli_loops_init(DEFAULT_MAX_LOOPS);
    cli_sdopts so = cli_sd_init("loops", "a CSV");
    bool dominance = false, ltm_given = false;
    ltm_formula formula = LTM_DEFAULT;
    int status = 0;
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = cli_getopt(argc, argv, ":o:h", opts, &so, &lo)) != -1) {
        if (ch == OPT_DOM)
            dominance = true;
        else if (ch == OPT_LTM) {
            ltm_given = true;
            if (ltm_formula_parse(optarg, &formula) < 0) {
                cli_sd_free(&so);
                return cli_usage_error("loops", "--ltm expects 2020 or 2023 (the paper whose flow-to-stock link "
                                                "score to use), got '%s'", optarg);
            }
        } else {
            cli_sd_free(&so);
            return ch == CLI_OPT_FAILED ? 2 : cli_opt_common("loops", ch, argv, usage);
        }
    }
    const char *path;
    sd_model *m = NULL;
    sd_graph *s = NULL;
    loop_analysis *a = NULL;
    ltm_result *r = NULL;
    boundary_report br, *b = NULL;
    if ((status = cli_one_file("loops", argc, argv, optind, "MODEL.xmile", &path)))
        goto out;
    if (ltm_given && !dominance) {
        status = cli_usage_error("loops", "--ltm chooses how --dominance scores links; add --dominance");
        goto out;
    }
    if (so.out_path && !dominance) {
        status = cli_usage_error("loops", "-o writes the loop scores of --dominance; add --dominance");
        goto out;
    }
    if (dominance && cli_loops_draws(&lo)) {
        status = cli_usage_error("loops", "--dominance prints text or --json; --mermaid and --dot draw the diagram");
        goto out;
    }
    if (lo.all && cli_loops_draws(&lo)) {
        status = cli_usage_error("loops", "--all lists loops as text or --json; --mermaid and --dot draw the diagram");
        goto out;
    }
    if ((status = cli_sd_guard(&so)))
        goto out;

    eddy_error err = {0};
    m = cli_sd_load(&so, path, &err);
    if (!m) {
        status = cli_print_error(&err);
        goto out;
    }
    s = sdg_build(m, &err);
    if (!s) {
        status = cli_print_error(&err);
        goto out;
    }
    a = loops_analyze_bounded(s->g, (size_t)lo.max, lo.all ? 1 : GROUP_COUNT_CAP);
    if (dominance && !a->complete) {
        /* too many loops to score them all: find the ones that matter */
        loops_free(a);
        a = ltm_find(s, (size_t)lo.max, formula, &err);
        if (!a) {
            status = cli_print_error(&err);
            goto out;
        }
    }
    if (lo.boundary) {
        if (boundary_check(a, lo.boundary, &br, &err) < 0) {
            cli_print_error(&err);
            status = 2;
            goto out;
        }
        b = &br;
    }
    if (dominance) {
        r = ltm_compute(s, a, formula, &err);
        if (!r) {
            status = cli_print_error(&err);
            goto out;
        }
        if (so.out_path) {
            csv_job job = {a, r};
            if (csv_write_file(so.out_path, write_scores, &job) < 0) {
                status = cli_fail("loops", "cannot write %s: %s", so.out_path, strerror(errno));
                goto out;
            }
        }
    }
    switch (lo.format) {
    case CLI_LOOPS_JSON: {
        json_t *j = (lo.all ? loopsout_json_all : loopsout_json)(a, b, "xmile");
        if (r)
            json_object_set_new(j, "dominance", ltmout_json(a, r, sd_time_units(m)));
        cli_print_json(j);
        break;
    }
    case CLI_LOOPS_MERMAID: loopsout_mermaid(stdout, a); break;
    case CLI_LOOPS_DOT: loopsout_dot(stdout, a); break;
    default:
        if (lo.all)
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
    cli_sd_free(&so);
    return status;
}
