/* cliopt.c -- the options several commands share (cliopt.h). */
#include "cliopt.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../output/csv.h"
#include "cli.h"
#include "../core/xalloc.h"

int cli_parse_set(const char *arg, sd_override *ov)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg)
        return -1;
    char *end;
    errno = 0;
    double v = strtod(eq + 1, &end);
    if (errno || end == eq + 1 || *end || !isfinite(v))
        return -1;
    char *name = xstrndup(arg, (size_t)(eq - arg));
    ov->name = name;
    ov->value = v;
    return 0;
}

cli_sdopts cli_sd_init(const char *cmd, const char *out_what)
{
    return (cli_sdopts){.cmd = cmd, .out_what = out_what, .method = -1};
}

static int sd_take(cli_sdopts *o, int ch, const char *arg)
{
    switch (ch) {
    case 'o': o->out_path = arg; return 0;
    case CLI_SD_FORCE: o->force = true; return 0;
    case CLI_SD_SET:
        o->ov = xrealloc(o->ov, (o->nov + 1) * sizeof *o->ov);
        if (cli_parse_set(arg, &o->ov[o->nov]) != 0)
            return cli_usage_error(o->cmd, "--set expects NAME=NUMBER, got '%s'", arg);
        o->nov++;
        return 0;
    case CLI_SD_METHOD:
        if (!strcasecmp(arg, "euler"))
            o->method = SD_EULER;
        else if (!strcasecmp(arg, "rk2"))
            o->method = SD_RK2;
        else if (!strcasecmp(arg, "rk4"))
            o->method = SD_RK4;
        else
            return cli_usage_error(o->cmd, "--method expects euler, rk2 or rk4, got '%s'", arg);
        return 0;
    case CLI_SD_DT: {
        char *end;
        double dt = strtod(arg, &end);
        if (*end || end == arg || !(dt > 0) || !isfinite(dt))
            return cli_usage_error(o->cmd, "--dt expects a number greater than 0, got '%s'", arg);
        o->dt = dt;
        return 0;
    }
    case CLI_SD_SEED: {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(arg, &end, 10);
        if (errno || *end || !*arg || arg[0] == '-' || arg[0] == '+' || arg[0] == ' ')
            return cli_usage_error(o->cmd, "--seed expects a non-negative whole number, got '%s'", arg);
        o->seed = v;
        o->seed_given = true;
        return 0;
    }
    default: return -1;
    }
}

int cli_sd_file(cli_sdopts *o, int argc, char **argv, int optind, const char **path)
{
    int bad = cli_one_file(o->cmd, argc, argv, optind, "MODEL.xmile", path);
    return bad ? bad : cli_sd_guard(o);
}

int cli_sd_guard(const cli_sdopts *o)
{
    if (o->out_what && o->out_path && !o->force && !csv_may_overwrite(o->out_path))
        return cli_fail(o->cmd, "%s exists and is not %s eddy wrote; not overwriting it (use --force)", o->out_path,
                        o->out_what);
    return 0;
}

sd_model *cli_sd_load(const cli_sdopts *o, const char *path, eddy_error *err)
{
    sd_model *m = sd_load(path, o->ov, o->nov, err);
    if (!m)
        return NULL;
    if (o->method >= 0)
        sd_set_method(m, o->method);
    if (o->seed_given)
        sd_set_seed(m, o->seed);
    if (o->dt > 0 && sd_set_dt(m, o->dt, err) != 0) {
        sd_free(m);
        return NULL;
    }
    return m;
}

void cli_sd_free(cli_sdopts *o)
{
    for (size_t i = 0; i < o->nov; i++)
        free((char *)o->ov[i].name);
    free(o->ov);
    o->ov = NULL;
    o->nov = 0;
}

cli_loopopts cli_loops_init(long max) { return (cli_loopopts){.max = max}; }

static int loops_take(cli_loopopts *o, int ch, const char *arg)
{
    switch (ch) {
    case CLI_LOOPS_JSON:
    case CLI_LOOPS_MERMAID:
    case CLI_LOOPS_DOT:
        if (o->format && o->format != ch)
            return cli_usage_error("loops", "choose one output form: --json, --mermaid or --dot");
        o->format = ch;
        return 0;
    case CLI_LOOPS_MAX: {
        int bad = cli_count_range("loops", "--max-loops", arg, 0, 1000000000L, &o->max);
        o->max_given = !bad;
        return bad;
    }
    case CLI_LOOPS_BOUNDARY: o->boundary = arg; return 0;
    case CLI_LOOPS_ALL: o->all = true; return 0;
    default: return -1;
    }
}

bool cli_loops_draws(const cli_loopopts *o) { return o->format == CLI_LOOPS_MERMAID || o->format == CLI_LOOPS_DOT; }

int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *opts, cli_sdopts *so,
               cli_loopopts *lo)
{
    int ch;
    while ((ch = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
        int took = lo ? loops_take(lo, ch, optarg) : -1;
        if (took < 0 && so)
            took = sd_take(so, ch, optarg);
        if (took < 0)
            return ch;
        if (took > 0)
            return CLI_OPT_FAILED;
    }
    return -1;
}
