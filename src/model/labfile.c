/* labfile.c -- reading a lab's `lab.yaml` (labfile.h) with the schema
 * walker: the keys as tables, and the checks the walker cannot make (the
 * command is an eddy command, every regex compiles) as rules and readers
 * that point at the offending node. */
#include "labfile.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "ysafe.h"
#include "../core/xalloc.h"

#define OFF(T, f) offsetof(T, f)

/* A list of regular expressions, each compiled once here so that a bad one
 * is an error at its line, not a failed check later. */
static int read_regexes(schema_ctx *S, const schema_key *k, yaml_node_t *v, const char *path, void *obj)
{
    if (v->type != YAML_SEQUENCE_NODE)
        return sk_fail(S, v, "%s: expected a list of regular expressions, got %s", path, yd_type_name(v));
    size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    char **list = xcalloc(n ? n : 1, sizeof *list);
    *(char ***)((char *)obj + k->off) = list;
    *(size_t *)((char *)obj + k->count) = n;
    for (size_t i = 0; i < n; i++) {
        char p[SK_PATH];
        snprintf(p, sizeof p, "%s[%zu]", path, i);
        yaml_node_t *item = sk_node(S, v->data.sequence.items.start[i]);
        const char *s = yd_scalar(&S->y, item, p, "a regular expression");
        if (!s)
            return -1;
        regex_t re;
        int rc = regcomp(&re, s, REG_EXTENDED | REG_NOSUB);
        if (rc != 0) {
            char msg[128];
            regerror(rc, &re, msg, sizeof msg);
            return sk_fail(S, item, "%s: not a POSIX extended regular expression: %s", p, msg);
        }
        regfree(&re);
        list[i] = xstrdup(s);
    }
    return 0;
}

static int step_rule(schema_ctx *S, void *obj, const sk_field *f, yaml_node_t *map, const char *path);

static const schema_key step_keys[] = {
    {.name = "say", .type = SK_STRING, .flags = SKF_REQUIRED, .off = OFF(lab_step, say),
     .hint = "one line printed before the command", .doc = "What the step shows, in a line."},
    {.name = "run", .type = SK_STRING, .flags = SKF_REQUIRED, .off = OFF(lab_step, run),
     .hint = "the eddy command, such as `eddy diagnose --seed 1 model.yaml`",
     .doc = "The command, run in the lab's directory; words split on spaces, the first `eddy`."},
    {.name = "exit", .type = SK_COUNT, .flags = SKF_INT, .off = OFF(lab_step, exit), .min = 0, .max = 255,
     .def = "0", .doc = "Its expected exit status."},
    {.name = "expect", .type = SK_CUSTOM, .off = OFF(lab_step, expect), .count = OFF(lab_step, nexpect),
     .read = read_regexes, .what = "list of regular expressions",
     .json = "{\"type\": \"array\", \"items\": {\"type\": \"string\"}}",
     .doc = "Regexes (POSIX extended) that must each match somewhere in its stdout."},
    {.name = "expect_not", .type = SK_CUSTOM, .off = OFF(lab_step, expect_not),
     .count = OFF(lab_step, nexpect_not), .read = read_regexes, .what = "list of regular expressions",
     .json = "{\"type\": \"array\", \"items\": {\"type\": \"string\"}}",
     .doc = "Regexes that must not match its stdout."},
    {0},
};

static const schema_table step_table = {
    .id = "lab-step", .noun = "step", .expected = "a mapping with 'say' and 'run'", .keys = step_keys,
    .size = sizeof(lab_step), .pos_off = OFF(lab_step, pos) + 1, .rule = step_rule,
};

/* The command must be eddy's: a lab runs eddy and nothing else. */
static int step_rule(schema_ctx *S, void *obj, const sk_field *f, yaml_node_t *map, const char *path)
{
    (void)map;
    const schema_table *self = &step_table;
    lab_step *st = obj;
    char **argv;
    int n = lab_split(st->run, &argv);
    int bad = n < 2 || strcmp(argv[0], "eddy") != 0;
    free(argv);
    if (bad)
        return sk_fail(S, sk_field_of(self, f, "run")->val,
                       "%s.run: expected an eddy command such as 'eddy diagnose model.yaml', got '%s'", path, st->run);
    return 0;
}

static const schema_key lab_keys[] = {
    {.name = "lab", .type = SK_COUNT, .flags = SKF_REQUIRED | SKF_INT, .off = OFF(lab_file, lab),
     .pos = OFF(lab_file, lab_pos) + 1, .min = 1, .max = 99, .hint = "the lab's number, equal to its directory's NN", .doc = "The lab's number."},
    {.name = "title", .type = SK_STRING, .flags = SKF_REQUIRED, .off = OFF(lab_file, title),
     .hint = "the lab's title", .doc = "Its title."},
    {.name = "situation", .type = SK_STRING, .flags = SKF_REQUIRED, .off = OFF(lab_file, situation),
     .hint = "one short paragraph", .doc = "What `eddy lab run` prints first."},
    {.name = "steps", .type = SK_LIST, .flags = SKF_REQUIRED, .off = OFF(lab_file, steps),
     .count = OFF(lab_file, nsteps), .sub = &step_table, .hint = "the list of commands",
     .doc = "The commands, in order."},
    {0},
};

static const schema_table lab_table = {
    .id = "lab", .noun = "lab", .expected = "a mapping with 'lab', 'title', 'situation' and 'steps'",
    .keys = lab_keys, .size = sizeof(lab_file),
};

int lab_split(const char *run, char ***argv)
{
    size_t len = strlen(run), words = 0;
    for (size_t i = 0; i < len; i++)
        if (run[i] != ' ' && (i == 0 || run[i - 1] == ' '))
            words++;
    /* the pointers, then a copy of the text they point into */
    char **v = xmalloc((words + 1) * sizeof *v + len + 1);
    char *text = (char *)(v + words + 1);
    memcpy(text, run, len + 1);
    int n = 0;
    for (char *tok = strtok(text, " "); tok; tok = strtok(NULL, " "))
        v[n++] = tok;
    v[n] = NULL;
    *argv = v;
    return n;
}

int lab_load(const char *path, lab_file *L, eddy_error *err)
{
    memset(L, 0, sizeof *L);
    size_t len;
    char *text = ysafe_read_file(path, &len, err);
    if (!text)
        return -1;
    yaml_document_t doc;
    int rc = ysafe_load(text, len, path, &doc, err);
    free(text);
    if (rc < 0)
        return -1;
    schema_ctx S = {.y = {.doc = &doc, .file = path, .err = err}};
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root)
        rc = err_set(err, path, 1, 1, "empty lab file: expected %s", lab_table.expected);
    else
        rc = schema_read(&S, &lab_table, root, root, "", L);
    schema_ctx_free(&S);
    yaml_document_delete(&doc);
    return rc;
}

static void lab_free_list(char **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

void lab_free(lab_file *L)
{
    for (size_t i = 0; i < L->nsteps; i++) {
        lab_step *st = &L->steps[i];
        free(st->say);
        free(st->run);
        lab_free_list(st->expect, st->nexpect);
        lab_free_list(st->expect_not, st->nexpect_not);
    }
    free(L->steps);
    free(L->title);
    free(L->situation);
    memset(L, 0, sizeof *L);
}
