/* cli.h -- the commands of the `eddy` program.
 *
 * Each command is a function taking the arguments after "eddy" (argv[0] is
 * the command's name) and returning the process exit code, one policy for
 * every command (docs/ci.md) so that CI can tell "the model is fragile"
 * from "eddy could not judge":
 *   0  success
 *   1  a finding: a check that failed (eddy check, diagnose --fail-on,
 *      review --strict); only commands with a pass/fail notion return it
 *   2  usage error or bad input: unknown option, missing argument, a bad or
 *      missing model file, an I/O error, a run that could not go
 * Every command answers --help on stdout with exit 0. */
#ifndef EDDY_CLI_H
#define EDDY_CLI_H

#include "eddy.h"

enum { CLI_EXIT_OK = 0, CLI_EXIT_FINDING = 1, CLI_EXIT_ERROR = 2 };

typedef struct cli_command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} cli_command;

/* `eddy ARGS...`: the whole program, less main(); returns the exit code. */
int cli_main(int argc, char **argv);

/* Set in eddy-mpi on every rank but 0: it computes what rank 0 computes
 * but writes no file (rank 0 writes them; stdout and stderr are closed). */
extern int cli_worker;

int cmd_run(int argc, char **argv);
int cmd_loops(int argc, char **argv);
int cmd_review(int argc, char **argv);
int cmd_avail(int argc, char **argv);
int cmd_diagnose(int argc, char **argv);
int cmd_fix(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_basin(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_schema(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_lab(int argc, char **argv);
/* `eddy run` on a stock-and-flow model (cmd_run_sd.c) */
int cmd_run_sd(int argc, char **argv);
/* `eddy loops` on a stock-and-flow model (cmd_loops_sd.c) */
int cmd_loops_sd(int argc, char **argv);
/* Whether path names an XMILE model: by extension (.xmile, .stmx, .itmx),
 * or for any other name, by an <xmile> root in its first bytes. */
int cli_is_xmile(const char *path);
/* The index of the first argument that is an XMILE model, or 0 if none. */
int cli_find_xmile(int argc, char **argv);
/* `eddy sweep`, `eddy basin` and `eddy report` on a stock-and-flow model
 * (cmd_sd.c). */
int cmd_sweep_sd(int argc, char **argv);
int cmd_basin_sd(int argc, char **argv);
int cmd_report_sd(int argc, char **argv);
/* --set NAME=NUMBER into ov (the name a fresh copy); 0, or -1 if malformed. */
struct sd_override;
int cli_parse_set(const char *arg, struct sd_override *ov);

/* Print "eddy CMD: message" on stderr and return 2: cli_usage_error adds
 * a pointer to --help; cli_fail is for a failure of the work (I/O). */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cli_fail(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* After option parsing: exactly one operand must remain, the FILE.  Sets
 * *path and returns 0, or reports a usage error naming `what` and returns
 * 2. */
int cli_one_file(const char *cmd, int argc, char **argv, int optind, const char *what, const char **path);

/* Print a JSON document on stdout, indented, and release it: every
 * command's --json output has this one form. */
struct json_t;
void cli_print_json(struct json_t *j);

/* Print "file:line:col: error: message" on stderr; returns 2 (bad input,
 * or work that failed). */
int cli_print_error(const eddy_error *err);

/* The cases every command's option switch ends with: -h/--help prints the
 * usage on stdout (0); a missing value or an unknown option is a usage
 * error (2).  Use it as the switch's `default:` with getopt's ':' mode. */
int cli_opt_common(const char *cmd, int ch, char **argv, const char *usage);

/* Parse a whole number in [min, max] for option `opt`; on failure report a
 * usage error and return 2. */
int cli_count_range(const char *cmd, const char *opt, const char *arg, long min, long max, long *out);

/* Parse a whole number >= min for option `opt`; on failure report a usage
 * error and return 2. */
int cli_count(const char *cmd, const char *opt, const char *arg, long min, long *out);

#endif
