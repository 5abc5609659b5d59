/* main.c -- `eddy <command> [options] FILE`: dispatch to a command.
 * (The process's main() is in eddy_main.c, or src/mpi/ for eddy-mpi.) */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "../model/todo.h"
#include "cli.h"
#include "eddy.h"

static const cli_command commands[] = {
    {"run", cmd_run, "simulate a model; print a summary, write the series as CSV"},
    {"diagnose", cmd_diagnose, "what kind of failure the incident is, which loop sustains it (by counterfactual runs)"},
    {"fix", cmd_fix, "measure interventions against the incident, ranked by leverage"},
    {"sweep", cmd_sweep, "goodput against offered load: the peak and congestion collapse"},
    {"basin", cmd_basin, "how big a shock tips the model into a metastable failure, over two axes"},
    {"report", cmd_report, "write one self-contained HTML page: diagnosis, SVG plots, loop diagram, review, fixes"},
    {"loops", cmd_loops, "find, classify and explain the feedback loops of a diagram or model"},
    {"review", cmd_review, "review every call edge: timeouts, retries, amplification"},
    {"check", cmd_check, "judge the model's hypotheses over seeds, for CI (exit 1 if any fails; JUnit XML)"},
    {"avail", cmd_avail, "availability from the correlation structure: paper vs structural, cut sets, importance"},
    {"import", cmd_import, "write a model from Kubernetes, Istio, Envoy, Linkerd, gRPC, resilience4j config and traces"},
    {"lab", cmd_lab, "the labs: systems-thinking exercises as experiments that check themselves"},
    {"schema", cmd_schema, "print the model format as a JSON Schema, for editors"},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *fp)
{
    fprintf(fp, "usage: eddy <command> [options] FILE\n\n"
                "eddy is a wind tunnel for the dynamics of distributed systems.\n\ncommands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(fp, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(fp, "\n`eddy <command> --help` describes a command.  `eddy --version` prints the version.\n"
                "Exit status: 0 success, 1 a finding (check, diagnose --fail-on, review --strict),\n"
                "2 usage error or bad input (docs/ci.md).\n"
                "`eddy <command> --assume ...` fills an imported model's TODO values from documented\n"
                "defaults (docs/import.md) and says so; without it such a model is refused.\n");
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "eddy %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n(see `eddy %s --help`)\n", cmd);
    va_end(ap);
    return 2;
}

int cli_fail(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "eddy %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return CLI_EXIT_ERROR;
}

int cli_one_file(const char *cmd, int argc, char **argv, int first, const char *what, const char **path)
{
    if (first >= argc)
        return cli_usage_error(cmd, "missing %s", what);
    if (first + 1 < argc)
        return cli_usage_error(cmd, "expected one %s, got also '%s'", what, argv[first + 1]);
    *path = argv[first];
    return 0;
}

int cli_count(const char *cmd, const char *opt, const char *arg, long min, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(arg, &end, 10);
    if (errno || *end || !*arg || v < min)
        return cli_usage_error(cmd, "%s expects a whole number >= %ld, got '%s'", opt, min, arg);
    *out = v;
    return 0;
}

int cli_count_range(const char *cmd, const char *opt, const char *arg, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(arg, &end, 10);
    if (errno || *end || !*arg || v < min || v > max)
        return cli_usage_error(cmd, "%s expects a whole number from %ld to %ld, got '%s'", opt, min, max, arg);
    *out = v;
    return 0;
}

void cli_print_json(json_t *j)
{
    /* a run on --assume's defaults says so in its JSON, whatever the command */
    if (todo_assumed_line() && json_is_object(j))
        json_object_set_new(j, "assumed", json_string(todo_assumed_line()));
    json_dumpf(j, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
    fputc('\n', stdout);
    json_decref(j);
}

int cli_print_error(const eddy_error *err)
{
    char buf[2048];
    eddy_error_format(err, buf, sizeof buf);
    fprintf(stderr, "%s\n", buf);
    return CLI_EXIT_ERROR;
}

int cli_opt_common(const char *cmd, int ch, char **argv, const char *usage)
{
    if (ch == 'h') {
        fputs(usage, stdout);
        return 0;
    }
    if (ch == ':')
        return cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
    return cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
}

int cli_worker;

int cli_main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("eddy %s\n", EDDY_VERSION);
        return 0;
    }
    /* --assume, for any command that reads a model: taken out before the
     * command parses its options */
    bool assume = false;
    for (int i = 2; i < argc; i++)
        if (!strcmp(argv[i], "--assume")) {
            assume = true;
            memmove(&argv[i], &argv[i + 1], (size_t)(argc - i) * sizeof *argv);
            argc--, i--;
        }
    todo_set_assume(assume);
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (!strcmp(argv[1], commands[i].name)) {
            int rc = commands[i].run(argc - 1, argv + 1);
            if (assume && !cli_worker)
                fprintf(stderr, "eddy %s: --assume: every TODO of the model was filled from documented defaults "
                                "(docs/import.md), not measured; the results above rest on them\n",
                        argv[1]);
            return rc;
        }
    fprintf(stderr, "eddy: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return 2;
}
