/* cmd_schema.c -- `eddy schema`: the model format as a JSON Schema, or the
 * key tables of docs/model.md, both from the loader's own tables. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../model/schema.h"
#include "../model/ysafe.h"
#include "cli.h"

static const char usage[] = "usage: eddy schema [--docs FILE]\n"
                            "\n"
                            "Print the model format as a JSON Schema (draft 2020-12), generated from the\n"
                            "tables the loader reads models with.  Save it and point an editor at it with\n"
                            "a first line in the model:\n"
                            "\n"
                            "    # yaml-language-server: $schema=eddy-model.schema.json\n"
                            "\n"
                            "and the YAML language server (VS Code, Neovim, Helix...) completes keys and\n"
                            "marks unknown keys and bad values as you type.\n"
                            "\n"
                            "options:\n"
                            "      --docs FILE  print FILE (docs/model.md) with every key table between\n"
                            "                   <!-- schema:ID --> and <!-- /schema:ID --> regenerated;\n"
                            "                   fails if a table has no such block (`make docs`)\n"
                            "  -h, --help       this help\n"
                            "\n"
                            "exit status: 0 printed, 2 usage error, or the docs lack a table or cannot be\n"
                            "read (docs/ci.md)\n";

int cmd_schema(int argc, char **argv)
{
    enum { OPT_DOCS = 256 };
    static const struct option opts[] = {
        {"docs", required_argument, 0, OPT_DOCS}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *docs = NULL;
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (ch) {
        case OPT_DOCS:
            docs = optarg;
            break;
        default:
            return cli_opt_common("schema", ch, argv, usage);
        }
    }
    if (optind < argc)
        return cli_usage_error("schema", "takes no FILE, got '%s'", argv[optind]);
    if (!docs) {
        cli_print_json(schema_json());
        return 0;
    }
    eddy_error err = {0};
    size_t len;
    char *text = ysafe_read_file(docs, &len, &err);
    if (!text)
        return cli_print_error(&err);
    char missing[1024];
    int rc = schema_docs(text, stdout, missing, sizeof missing);
    free(text);
    if (rc < 0)
        return cli_fail("schema", "%s: %s", docs, missing);
    if (rc > 0)
        return cli_fail("schema", "%s: no <!-- schema:ID --> block for: %s", docs, missing);
    return 0;
}
