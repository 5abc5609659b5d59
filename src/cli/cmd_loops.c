/* cmd_loops.c -- `eddy loops FILE`: find, classify and explain every
 * feedback loop of a causal loop diagram or of a service model. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../loops/analyze.h"
#include "../loops/boundary.h"
#include "../loops/source.h"
#include "../loops/owners.h"
#include "../output/loops_out.h"
#include "../output/teams_out.h"
#include "cli.h"
#include "cliopt.h"

/* The loops held and ranked whole: more than any diagram a person draws.
 * Past it, each group of loops is searched on its own (analyze.h), so a
 * 1,000-service platform answers in seconds instead of never. */
#define DEFAULT_MAX_LOOPS 5000
/* Each group's loops are counted up to this many (then "at least"). */
#define GROUP_COUNT_CAP 1000

static const char usage[] =
    "usage: eddy loops FILE [--json | --mermaid | --dot] [--by-team] [--all] [--max-loops N] [--boundary A,B,...]\n"
    "                       [--block N]\n"
    "\n"
    "Find the feedback loops (elementary cycles) of a causal loop diagram, classify\n"
    "each as reinforcing (R: an even number of negative links) or balancing (B: odd),\n"
    "and flag reinforcing loops no balancing loop touches (unguarded) and balancing\n"
    "loops with a delay (can oscillate).\n"
    "\n"
    "Loops are grouped by the arrow that cuts them: the switch in the model that\n"
    "removes them (retries, hedging or a cache on one edge), or else the arrow that\n"
    "closes them.  Up to 12 loops are listed whole; beyond, one line per group (its\n"
    "count, gain and shortest loop), the groups that matter first, and the strongest\n"
    "loop of the first few.  With `teams:` in a model, each loop also names the\n"
    "teams it crosses; one that crosses two or more is marked cross-team.  Past --max-loops loops, each group is searched on its\n"
    "own (strongest-path search, Eberlein and Schoenberg 2020), so memory stays\n"
    "bounded by the size of the diagram.\n"
    "\n"
    "FILE is read by its name:\n"
    "  *.yaml, *.yml with `links`    the YAML diagram form {from, to, polarity, delay, note}\n"
    "  *.yaml, *.yml with `services` a service model: its loops are derived, each link\n"
    "                                naming the model element that creates it\n"
    "  *.md, *.markdown              the ```mermaid flowchart blocks of a document\n"
    "  *.xmile, *.stmx               a stock-and-flow model: arrows and polarities from its\n"
    "                                equations, and with --dominance, Loops That Matter\n"
    "                                (eddy loops MODEL.xmile --help)\n"
    "  anything else (*.mmd, ...)    a Mermaid flowchart whose links are labelled (+)/(-)\n"
    "\n"
    "options:\n"
    "      --json          print the analysis as JSON\n"
    "      --mermaid       print the diagram as Mermaid, loops highlighted\n"
    "      --dot           print the diagram as Graphviz DOT, loops highlighted\n"
    "      --by-team       draw the diagram with a swimlane per team of the model's\n"
    "                      `teams:` (Mermaid subgraphs, or DOT clusters with --dot)\n"
    "      --all           list every loop (text or --json), streamed as found when\n"
    "                      there are more than --max-loops\n"
    "      --max-loops N   hold and rank at most N loops (default 5000; 0: no cap); past\n"
    "                      it, search each group on its own; with --all, stop after N\n"
    "      --boundary A,B  check whether the entities A, B, ... (services and clients,\n"
    "                      or variables of a diagram) contain each loop's feedback path\n"
    "      --block N       in a Markdown file, read only the Nth ```mermaid block\n"
    "  -h, --help          this help\n"
    "\n"
    "exit status: 0 analysed, 2 usage error or bad input file (docs/ci.md)\n";

int cmd_loops(int argc, char **argv)
{
    enum { OPT_BLOCK = 256, OPT_BY_TEAM };
    static const struct option opts[] = {CLI_LOOPS_OPTIONS,
                                         {"block", required_argument, 0, OPT_BLOCK},
                                         {"by-team", no_argument, 0, OPT_BY_TEAM},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    if (cli_find_xmile(argc, argv))
        return cmd_loops_sd(argc, argv);
    cli_loopopts lo = cli_loops_init(DEFAULT_MAX_LOOPS);
    long block = 0;
    bool by_team = false;
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = cli_getopt(argc, argv, ":h", opts, NULL, &lo)) != -1) {
        switch (ch) {
        case CLI_OPT_FAILED:
            return 2;
        case OPT_BY_TEAM:
            by_team = true;
            break;
        case OPT_BLOCK:
            if (cli_count_range("loops", "--block", optarg, 1, 1000000L, &block))
                return 2;
            break;
        default:
            return cli_opt_common("loops", ch, argv, usage);
        }
    }
    const char *path;
    int bad = cli_one_file("loops", argc, argv, optind, "FILE (a .mmd diagram, a .md document or a .yaml diagram or model)", &path);
    if (bad)
        return bad;

    eddy_error err = {0};
    loops_source src;
    if (source_load(path, (int)block, &src, &err) < 0) {
        return cli_print_error(&err);
    }
    if (block && src.kind != SOURCE_MARKDOWN) {
        source_free(&src);
        return cli_usage_error("loops", "--block applies to Markdown files (*.md) only");
    }
    if (lo.all && cli_loops_draws(&lo)) {
        source_free(&src);
        return cli_usage_error("loops", "--all lists loops as text or --json; --mermaid and --dot draw the diagram");
    }
    bool teams = src.kind == SOURCE_MODEL && src.m->nteams > 0;
    if (by_team && (lo.format == CLI_LOOPS_JSON || lo.all)) {
        source_free(&src);
        return cli_usage_error("loops", "--by-team draws the diagram (Mermaid, or DOT with --dot); the text and "
                                        "--json already name each loop's teams");
    }
    if (by_team && !teams) {
        fprintf(stderr, "%s: error: --by-team needs a model with a `teams:` section; this %s has none\n", path,
                src.kind == SOURCE_MODEL ? "model" : "diagram");
        source_free(&src);
        return 2;
    }
    if (by_team && !lo.format)
        lo.format = CLI_LOOPS_MERMAID;
    boundary_report br, *b = NULL;
    owners_report own, *o = NULL;
    int status = 0;
    loop_analysis *a = NULL;
    if (lo.all && !lo.boundary) {
        /* Every loop: held and ranked when there are few enough, else
         * streamed as found, so memory never holds them all. */
        a = loops_analyze_bounded(src.g, (size_t)(lo.max_given ? lo.max : DEFAULT_MAX_LOOPS), 1);
        if (!a->complete) {
            if (lo.format == CLI_LOOPS_JSON)
                loopsout_stream_json(stdout, src.g, source_kind_name(src.kind), lo.max_given ? (size_t)lo.max : 0);
            else
                loopsout_stream_text(stdout, src.g, lo.max_given ? (size_t)lo.max : 0);
            goto written;
        }
    } else {
        a = loops_analyze_bounded(src.g, (size_t)lo.max, GROUP_COUNT_CAP);
    }
    if (lo.boundary) {
        if (boundary_check(a, lo.boundary, &br, &err) < 0) {
            status = cli_print_error(&err);
            goto out;
        }
        b = &br;
    }
    if (teams) {
        owners_analyze(a, src.m, &own);
        o = &own;
    }
    const char **lanes = o && by_team ? teamsout_lanes(o) : NULL;
    switch (lo.format) {
    case CLI_LOOPS_JSON: {
        json_t *j = (lo.all ? loopsout_json_all : loopsout_json)(a, b, source_kind_name(src.kind));
        if (o)
            teamsout_json_add(j, o);
        json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fputc('\n', stdout);
        json_decref(j);
        break;
    }
    case CLI_LOOPS_MERMAID:
        loopsout_mermaid_lanes(stdout, a, lanes);
        break;
    case CLI_LOOPS_DOT:
        loopsout_dot_lanes(stdout, a, lanes);
        break;
    default:
        if (lo.all)
            loopsout_text_all(stdout, a, b);
        else
            loopsout_text(stdout, a, b);
        if (o)
            teamsout_text(stdout, o, lo.all ? 0 : 20);
        break;
    }
    free(lanes);
    if (o)
        owners_free(o);
written:
    if (fflush(stdout) != 0)
        status = cli_fail("loops", "cannot write the output: %s", strerror(errno));
    if (b)
        boundary_free(b);
out:
    loops_free(a);
    source_free(&src);
    return status;
}
