/* cliopt.h -- the options several commands share, parsed in one place so
 * that they mean, and fail, the same everywhere:
 *
 *   the stock-and-flow commands (run, loops, sweep, basin, report on an
 *   XMILE model): one model file, -o FILE guarded by --force, and
 *   --set NAME=V, --method, --dt, --seed on the model;
 *   `eddy loops` on any file: --json/--mermaid/--dot, --max-loops,
 *   --boundary, --all.
 *
 * A command lists the entries it takes in its getopt_long table (the
 * CLI_SD_OPT_... and CLI_LOOPS_OPTIONS macros) and reads its options with
 * cli_getopt, which takes these on the way and hands it only its own. */
#ifndef EDDY_CLI_CLIOPT_H
#define EDDY_CLI_CLIOPT_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../sd/sd.h"

enum { CLI_SD_SET = 0x1000, CLI_SD_METHOD, CLI_SD_DT, CLI_SD_FORCE, CLI_SD_SEED };

#define CLI_SD_OPT_OUTPUT {"output", required_argument, 0, 'o'}, {"force", no_argument, 0, CLI_SD_FORCE}
#define CLI_SD_OPT_SET {"set", required_argument, 0, CLI_SD_SET}
#define CLI_SD_OPT_SPECS {"method", required_argument, 0, CLI_SD_METHOD}, {"dt", required_argument, 0, CLI_SD_DT}
/* --seed N: the run seed of the statistical functions (RANDOM, NORMAL, ...),
 * named as `eddy run` names a YAML model's */
#define CLI_SD_OPT_SEED {"seed", required_argument, 0, CLI_SD_SEED}

typedef struct cli_sdopts {
    const char *cmd;      /* the command's name, for messages */
    const char *out_what; /* what -o writes, for the --force message ("a CSV");
                           * NULL: -o is not guarded (a page, not a CSV) */
    sd_override *ov;      /* --set, in order (names owned) */
    size_t nov;
    int method;           /* --method: SD_EULER.., or -1: the file's */
    double dt;            /* --dt, or 0: the file's */
    uint64_t seed;        /* --seed, when seed_given */
    bool seed_given;
    const char *out_path; /* -o */
    bool force;
} cli_sdopts;

/* Options for command cmd; out_what as in cli_sdopts. */
cli_sdopts cli_sd_init(const char *cmd, const char *out_what);
/* After parsing: exactly one operand, the model (*path); and -o FILE may
 * be overwritten (an existing file eddy did not write needs --force).
 * Returns 0, or the exit code after reporting. */
int cli_sd_file(cli_sdopts *o, int argc, char **argv, int optind, const char **path);
/* The second half alone (no guard when out_what is NULL: -o is not a CSV). */
int cli_sd_guard(const cli_sdopts *o);
/* Load the model with the --set values, then apply --method and --dt;
 * NULL with err set if it cannot be read or the time step is refused. */
sd_model *cli_sd_load(const cli_sdopts *o, const char *path, eddy_error *err);
void cli_sd_free(cli_sdopts *o);

enum { CLI_LOOPS_JSON = 0x1100, CLI_LOOPS_MERMAID, CLI_LOOPS_DOT, CLI_LOOPS_MAX, CLI_LOOPS_BOUNDARY, CLI_LOOPS_ALL };

#define CLI_LOOPS_OPTIONS                                                                                          \
    {"json", no_argument, 0, CLI_LOOPS_JSON}, {"mermaid", no_argument, 0, CLI_LOOPS_MERMAID},                      \
        {"dot", no_argument, 0, CLI_LOOPS_DOT}, {"max-loops", required_argument, 0, CLI_LOOPS_MAX},                \
        {"boundary", required_argument, 0, CLI_LOOPS_BOUNDARY}, {"all", no_argument, 0, CLI_LOOPS_ALL}

typedef struct cli_loopopts {
    int format;           /* 0 text, or CLI_LOOPS_JSON, _MERMAID, _DOT */
    long max;             /* --max-loops */
    bool max_given;
    const char *boundary; /* --boundary */
    bool all;             /* --all */
} cli_loopopts;

/* Options of `eddy loops` with --max-loops default max. */
cli_loopopts cli_loops_init(long max);
/* Whether the form draws the diagram (--mermaid, --dot). */
bool cli_loops_draws(const cli_loopopts *o);

/* getopt_long (':' mode, from optind 1 on the first call) that takes the
 * options of so and lo (either may be NULL) on the way: returns the next
 * option that is neither's, -1 at the end, or CLI_OPT_FAILED after
 * reporting a usage error (exit code 2). */
enum { CLI_OPT_FAILED = 0x1200 };
int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *opts, cli_sdopts *so,
               cli_loopopts *lo);

#endif
