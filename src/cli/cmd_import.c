/* cmd_import.c -- `eddy import FILE|DIR... [-o model.yaml]`: one eddy model
 * from Kubernetes, Istio, Envoy, Linkerd, gRPC and resilience4j config and
 * a service graph from traces (src/import/). */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../import/imp.h"
#include "../model/model.h"
#include "../model/todo.h"
#include "cli.h"
#include "eddy.h"
#include "../core/xalloc.h"

static const char usage[] =
    "usage: eddy import [options] FILE|DIR...\n"
    "\n"
    "Write one eddy model from the configuration a system already has, each file\n"
    "recognised by its content: Kubernetes Deployment, StatefulSet,\n"
    "HorizontalPodAutoscaler (v2) and Service; Istio VirtualService and\n"
    "DestinationRule; Envoy cluster and route config (YAML or JSON); Linkerd\n"
    "ServiceProfile; gRPC service config JSON; resilience4j application.yml; and\n"
    "the service graph from traces (the OpenTelemetry service-graph connector's\n"
    "metrics in Prometheus text, or Jaeger dependencies JSON).  A directory is\n"
    "read file by file (.yaml, .yml, .json, .prom, .txt), in name order.\n"
    "\n"
    "Every key written says where it came from (# from FILE:LINE).  A mapping that\n"
    "is only the nearest eddy equivalent says what differs, in a comment and a\n"
    "warning.  A value no file gives is written as TODO with how to measure it:\n"
    "every command refuses the model until it is filled in, unless run with\n"
    "--assume (docs/import.md).  A file of a kind eddy does not read is named\n"
    "and skipped.\n"
    "\n"
    "options:\n"
    "  -o, --output FILE  write the model there (default: standard output)\n"
    "      --force        overwrite FILE if it exists\n"
    "  -q, --quiet        no warnings on stderr\n"
    "  -h, --help         this help\n"
    "\n"
    "exit status: 0 written, 2 bad input (malformed file, no service found) or usage\n";

enum { OPT_FORCE = 256 };

/* The working directory as a path relative to the directory of the model
 * written at outpath ("." when they are the same), so the model's `# from`
 * paths can be found from anywhere; NULL if either cannot be resolved. */
static char *base_dir(const char *outpath)
{
    char dir[PATH_MAX], from[PATH_MAX], to[PATH_MAX];
    const char *slash = strrchr(outpath, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - outpath) + (slash == outpath) : 1, slash ? outpath : ".");
    if (!realpath(dir, from) || !realpath(".", to))
        return NULL;
    /* the common leading components, then ".." for each of from's others */
    size_t i = 0, common = 0;
    while (from[i] && from[i] == to[i]) {
        i++;
        if (from[i] == '/' || (!from[i] && (to[i] == '/' || !to[i])))
            common = i;
    }
    if (!from[i] && !to[i])
        return xstrdup(".");
    char out[PATH_MAX * 2] = "";
    size_t n = 0;
    for (const char *p = from + common; *p; p++)
        if (*p == '/' && n + 4 < sizeof out)
            n += (size_t)snprintf(out + n, sizeof out - n, "%s..", n ? "/" : "");
    if (!strcmp(from, "/"))
        n = 0;
    const char *rest = to + common;
    while (*rest == '/')
        rest++;
    if (*rest)
        snprintf(out + n, sizeof out - n, "%s%s", n ? "/" : "", rest);
    return xstrdup(*out ? out : ".");
}

int cmd_import(int argc, char **argv)
{
    static const struct option opts[] = {{"output", required_argument, 0, 'o'},
                                         {"force", no_argument, 0, OPT_FORCE},
                                         {"quiet", no_argument, 0, 'q'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *outpath = NULL;
    bool force = false, quiet = false;
    int ch;
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":o:qh", opts, NULL)) != -1) {
        switch (ch) {
        case 'o':
            outpath = optarg;
            break;
        case OPT_FORCE:
            force = true;
            break;
        case 'q':
            quiet = true;
            break;
        default:
            return cli_opt_common("import", ch, argv, usage);
        }
    }
    if (optind >= argc)
        return cli_usage_error("import", "missing FILE or DIR to import");
    struct stat st;
    if (outpath && !force && stat(outpath, &st) == 0)
        return cli_usage_error("import", "'%s' exists; give --force to overwrite it", outpath);

    importer im;
    imp_init(&im);
    if (outpath)
        im.base = base_dir(outpath);
    eddy_error err;
    int status = 0;
    for (int i = optind; i < argc && !status; i++)
        if (imp_read_path(&im, argv[i], &err) < 0) {
            cli_print_error(&err);
            status = 2;
        }
    char *text = NULL;
    size_t len = 0;
    if (!status) {
        FILE *mem = xopen_memstream(&text, &len);
        if (imp_write(&im, mem, &err) < 0) {
            fprintf(stderr, "eddy import: %s\n", err.msg);
            status = 2;
        }
        fclose(mem);
    }
    if (!quiet)
        for (size_t i = 0; i < im.nwarnings; i++)
            fprintf(stderr, "eddy import: warning: %s\n", im.warnings[i]);
    if (!status) {
        /* the model written must load (TODOs aside) */
        bool was = todo_assume();
        todo_set_assume(true);
        model *m = model_load_string(text, len, outpath ? outpath : "<import>", &err);
        todo_set_assume(was);
        size_t todos = 0;
        for (const char *p = text; (p = strstr(p, ": TODO")); p++)
            todos++;
        if (!m) {
            char buf[2048];
            eddy_error_format(&err, buf, sizeof buf);
            fprintf(stderr, "eddy import: the configs disagree with what an eddy model allows; the model written "
                            "does not load:\n%s\n",
                    buf);
            status = 2;
        }
        model_free(m);
        FILE *out = stdout;
        if (outpath && !(out = fopen(outpath, "w"))) {
            perror(outpath);
            status = 2;
        } else {
            fwrite(text, 1, len, out);
            if (out != stdout)
                fclose(out);
            if (!quiet)
                fprintf(stderr, "eddy import: %zu file%s read, %zu warning%s, %zu TODO value%s%s%s\n", im.nfiles,
                        im.nfiles == 1 ? "" : "s", im.nwarnings, im.nwarnings == 1 ? "" : "s", todos,
                        todos == 1 ? "" : "s", outpath ? "; wrote " : "", outpath ? outpath : "");
        }
    }
    free(text);
    imp_free(&im);
    return status;
}
