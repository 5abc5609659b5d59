/* cmd_fix.c -- `eddy fix MODEL.yaml`: measure a catalogue of interventions
 * (and the user's own patches) against the model's incident. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../analysis/fix.h"
#include "../import/imp.h"
#include "../model/units.h"
#include "../output/fix_out.h"
#include "cli.h"
#include "eddy.h"
#include "progress.h"
#include "../core/xalloc.h"

static const char usage[] =
    "usage: eddy fix [options] MODEL.yaml\n"
    "       eddy fix --emit FORMAT [options] DIR MODEL.yaml\n"
    "\n"
    "Measure interventions against the incident in the model (its faults).  Each\n"
    "one is applied and run on the same seeds as the model as written, with the\n"
    "faults and without them, and reported with its Meadows leverage level:\n"
    "recovered (on how many seeds), time to recover, goodput lost vs the baseline\n"
    "without faults, and its steady-state cost (p99 latency, goodput).  The\n"
    "catalogue is built from the model: longer timeouts, bigger pools, fewer\n"
    "retries, more workers (12 parameters); bigger queues (11 buffers); retry\n"
    "budgets, backoff with jitter, circuit breakers, retries off at the incident\n"
    "(7 gain of reinforcing loops); deadline propagation (6 information); CoDel\n"
    "with adaptive LIFO, no retries on timeout (5 rules); shedding 40% at the\n"
    "incident.  Interventions that do not apply to the model are left out.\n"
    "\n"
    "options:\n"
    "      --patch FILE   also measure the interventions in FILE (repeatable):\n"
    "                       interventions:\n"
    "                         - name: bigger db\n"
    "                           leverage: 12\n"
    "                           patch: {services: {db: {workers: 40}}}\n"
    "                     A patch is merged into the model as a JSON Merge Patch\n"
    "                     (RFC 7386): mappings merge, lists replace, null deletes.\n"
    "      --only-patches measure only the --patch interventions\n"
    "      --emit FORMAT  for a model made by `eddy import`: write each intervention\n"
    "                     that recovered the incident as a change to the imported\n"
    "                     config, in FORMAT (istio, envoy, grpc, linkerd,\n"
    "                     resilience4j), under DIR: DIR/<fix>/<file> changed, and\n"
    "                     DIR/<fix>.patch, a unified diff (docs/import.md)\n"
    "      --seeds N      replications (default 5, at least 2 for intervals)\n"
    "      --seed N       first seed (default: the model's `seed`)\n"
    "      --lift DUR     break-glass actions end this long after the trigger\n"
    "                     (default 60s), to see whether the recovery holds\n"
    "  -j, --jobs N       runs in parallel (default: one per core)\n"
    "      --json         print the table as JSON\n"
    "  -q, --quiet        no progress bar\n"
    "  -h, --help         this help\n"
    "\n"
    "exit status: 0 measured, 2 usage error, bad model or patch, no fault, or a run\n"
    "that could not go (docs/ci.md)\n";

enum { OPT_SEEDS = 256, OPT_SEED, OPT_PATCH, OPT_ONLY, OPT_LIFT, OPT_JSON, OPT_EMIT };

/* --emit: each intervention that recovered, as config in the imported
 * format. */
static int emit_fixes(const fix_report *r, const char *model_path, imp_kind format, const char *dir, FILE *out)
{
    size_t written = 0;
    fprintf(out, "\nemitted as %s config under %s/ (eddy fix --emit):\n", imp_kind_name(format), dir);
    for (size_t i = 0; i < r->n; i++) {
        const intervention *iv = &r->v[i];
        if (!fix_recovers(r, &r->out[i]))
            continue;
        if (!iv->nedits || iv->user) {
            fprintf(out, "  %-44s %s\n", iv->name,
                    iv->user ? "a --patch: not emitted" : "an action at the incident, not a config change: not emitted");
            continue;
        }
        emit_change *ch = xcalloc(iv->nedits, sizeof *ch);
        for (size_t k = 0; k < iv->nedits; k++)
            ch[k] = (emit_change){iv->edits[k].set_path, iv->edits[k].set_value};
        emit_result res;
        eddy_error err;
        int rc = imp_emit(model_path, format, iv->name, ch, iv->nedits, dir, &res, &err);
        free(ch);
        if (rc < 0) {
            imp_emit_result_free(&res);
            return cli_print_error(&err);
        }
        if (res.nfiles)
            fprintf(out, "  %-44s %zu file%s changed\n", iv->name, res.nfiles, res.nfiles == 1 ? "" : "s");
        else if (res.nnotes)
            fprintf(out, "  %-44s no %s file changed\n", iv->name, imp_kind_name(format));
        else
            fprintf(out, "  %-44s no change: the %s config says so already\n", iv->name, imp_kind_name(format));
        for (size_t k = 0; k < res.nfiles; k++)
            fprintf(out, "      wrote %s\n", res.files[k]);
        for (size_t k = 0; k < res.nnotes; k++) {
            fprintf(out, "      note: %s\n", res.notes[k]);
            if (out != stderr) /* what is not written, or only nearly, is said where a script sees it too */
                fprintf(stderr, "eddy fix: --emit %s: %s: %s\n", imp_kind_name(format), iv->name, res.notes[k]);
        }
        written += res.nfiles;
        imp_emit_result_free(&res);
    }
    if (!written)
        fprintf(out, "  (no file written)\n");
    return 0;
}

int cmd_fix(int argc, char **argv)
{
    static const struct option opts[] = {
        {"patch", required_argument, 0, OPT_PATCH}, {"only-patches", no_argument, 0, OPT_ONLY},
        {"seeds", required_argument, 0, OPT_SEEDS}, {"seed", required_argument, 0, OPT_SEED},
        {"lift", required_argument, 0, OPT_LIFT},   {"emit", required_argument, 0, OPT_EMIT},   {"jobs", required_argument, 0, 'j'},
        {"json", no_argument, 0, OPT_JSON},         {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},              {0, 0, 0, 0}};
    fix_opts o = {.seeds = 5};
    bool json = false, quiet = false, have_seed = false, only = false;
    imp_kind emit = IMP_UNKNOWN;
    const char *emit_dir = NULL;
    const char **patch_paths = xcalloc((size_t)argc + 1, sizeof *patch_paths);
    size_t npatch = 0;
    long v;
    int ch, bad = 0;
    optind = 1;
    opterr = 0;
    while (!bad && (ch = getopt_long(argc, argv, ":j:qh", opts, NULL)) != -1) {
        switch (ch) {
        case OPT_PATCH:
            patch_paths[npatch++] = optarg;
            break;
        case OPT_ONLY:
            only = true;
            break;
        case OPT_EMIT:
            emit = imp_kind_from_name(optarg);
            if (emit == IMP_UNKNOWN)
                bad = cli_usage_error("fix", "--emit expects istio, envoy, grpc, linkerd or resilience4j, got '%s'",
                                      optarg);
            break;
        case OPT_SEEDS:
            if (!(bad = cli_count("fix", "--seeds", optarg, 1, &v)))
                o.seeds = (unsigned)v;
            break;
        case OPT_SEED:
            if (!(bad = cli_count("fix", "--seed", optarg, 0, &v))) {
                o.seed = (uint64_t)v;
                have_seed = true;
            }
            break;
        case OPT_LIFT: {
            simtime t;
            if (units_duration(optarg, &t) < 0 || t <= 0)
                bad = cli_usage_error("fix", "--lift expects a duration > 0 such as 60s, got '%s'", optarg);
            o.lift_after = t;
            break;
        }
        case 'j':
            if (!(bad = cli_count("fix", "--jobs", optarg, 1, &v)))
                o.threads = (int)v;
            break;
        case OPT_JSON:
            json = true;
            break;
        case 'q':
            quiet = true;
            break;
        default:
            free(patch_paths);
            return cli_opt_common("fix", ch, argv, usage);
        }
    }
    const char *path = NULL;
    if (!bad && emit != IMP_UNKNOWN) {
        if (optind >= argc)
            bad = cli_usage_error("fix", "--emit needs DIR and MODEL.yaml");
        else
            emit_dir = argv[optind++];
    }
    if (!bad)
        bad = cli_one_file("fix", argc, argv, optind, "MODEL.yaml", &path);
    if (!bad && only && !npatch)
        bad = cli_usage_error("fix", "--only-patches needs at least one --patch FILE");
    if (bad) {
        free(patch_paths);
        return bad;
    }
    eddy_error err;
    int status = 0;
    patch_file *pf = xcalloc(npatch ? npatch : 1, sizeof *pf);
    size_t loaded = 0;
    for (; loaded < npatch; loaded++)
        if (patchfile_load(patch_paths[loaded], &pf[loaded], &err) < 0) {
            status = cli_print_error(&err);
            loaded++;
            goto out;
        }
    if (!have_seed) {
        model *m = model_load(path, &err);
        if (!m) {
            status = cli_print_error(&err);
            goto out;
        }
        o.seed = m->seed;
        model_free(m);
    }
    o.patches = pf;
    o.npatches = npatch;
    o.only_patches = only;
    progress bar;
    progress_init(&bar, "measuring fixes", !quiet);
    o.progress = progress_update;
    o.progress_ud = &bar;
    fix_report r;
    int rc = fix_run(path, &o, &r, &err);
    progress_done(&bar);
    if (rc < 0)
        status = cli_print_error(&err);
    else if (json) {
        json_t *j = fix_json(&r, path);
        cli_print_json(j);
    } else
        fix_text(stdout, &r, path);
    if (rc == 0 && emit != IMP_UNKNOWN && !cli_worker)
        status = emit_fixes(&r, path, emit, emit_dir, json ? stderr : stdout);
    fix_report_free(&r);
out:
    for (size_t i = 0; i < loaded; i++)
        patchfile_free(&pf[i]);
    free(pf);
    free(patch_paths);
    return status;
}
