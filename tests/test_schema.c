/* test_schema.c -- the schema tables: `eddy schema` (a JSON Schema every
 * bundled example validates against, checked with python3-jsonschema), the
 * docs' key tables generated from them, and the walker's helpers. */
#include "testutil.h"

#include <dirent.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testproc.h"

#include "model/schema.h"

/* Every bundled example validates against the emitted schema, and the
 * schema is not vacuous: models with an unknown key, a duration without a
 * unit and a word not in the list are refused by it. */
static void test_examples_validate(void **state)
{
    (void)state;
    char schema[256], bad1[256], bad2[256], bad3[256];
    tmp_path(schema, sizeof schema, "model.schema.json");
    run_result r = run("schema");
    EXPECT_STATUS(r, 0, "eddy schema");
    FILE *fp = fopen(schema, "w");
    assert_non_null(fp);
    fputs(r.out, fp);
    fclose(fp);
    EXPECT_HAS(r.out, "\"$schema\": \"https://json-schema.org/draft/2020-12/schema\"");
    run_free(&r);

    static const char *const bad[] = {
        "duration: 1m\nclients: {c: {rate: 1/s, call: s}}\nservices: {s: {workers: 1, service_tme: 1ms}}\n",
        "duration: 1m\nclients: {c: {rate: 1/s, call: s, timeout: 2}}\nservices: {s: {workers: 1, service_time: 1ms}}\n",
        "duration: 1m\nclients: {c: {rate: 1/s, call: s}}\nservices: {s: {workers: 1, service_time: 1ms, discipline: lifa}}\n",
    };
    char *paths[] = {bad1, bad2, bad3};
    for (int i = 0; i < 3; i++) {
        char name[32];
        snprintf(name, sizeof name, "bad%d.yaml", i);
        tmp_path(paths[i], 256, name);
        fp = fopen(paths[i], "w");
        assert_non_null(fp);
        fputs(bad[i], fp);
        fclose(fp);
    }
    char cmd[8192], out[256];
    tmp_path(out, sizeof out, "validate.out");
    snprintf(cmd, sizeof cmd, "python3 tests/validate_schema.py %s examples/*.yaml > %s 2>&1", schema, out);
    int st = system(cmd);
    char *text = slurp(out, NULL);
    if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        fail_msg("the examples do not validate against `eddy schema`:\n%s", text);
    size_t n = 0;
    DIR *d = opendir("examples");
    for (struct dirent *e; (e = readdir(d));)
        n += strlen(e->d_name) > 5 && !strcmp(e->d_name + strlen(e->d_name) - 5, ".yaml");
    closedir(d);
    size_t ok = 0;
    for (char *p = text; (p = strstr(p, "ok examples/")); p++)
        ok++;
    assert_true(n >= 10);
    assert_int_equal(ok, n);
    free(text);
    for (int i = 0; i < 3; i++) {
        snprintf(cmd, sizeof cmd, "python3 tests/validate_schema.py %s %s > %s 2>&1", schema, paths[i], out);
        st = system(cmd);
        text = slurp(out, NULL);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 1 || !strstr(text, "invalid "))
            fail_msg("bad%d.yaml passed the schema: %s", i, text);
        free(text);
    }
}

/* docs/model.md's key tables are what `make docs` generates from the
 * tables: a key added to the loader and not to the docs fails here. */
static void test_docs_match_schema(void **state)
{
    (void)state;
    run_result r = run("schema --docs docs/model.md");
    EXPECT_STATUS(r, 0, "eddy schema --docs docs/model.md");
    char *docs = slurp("docs/model.md", NULL);
    assert_non_null(docs);
    if (strcmp(docs, r.out) != 0) {
        size_t i = 0;
        while (docs[i] && docs[i] == r.out[i])
            i++;
        size_t from = i > 200 ? i - 200 : 0;
        fail_msg("docs/model.md differs from the schema (run `make docs`); at byte %zu:\n--- docs:\n%.400s\n--- "
                 "generated:\n%.400s",
                 i, docs + from, r.out + from);
    }
    free(docs);
    run_free(&r);
    /* a docs file missing a table's block is refused, naming the table */
    char path[256];
    tmp_path(path, sizeof path, "partial.md");
    FILE *fp = fopen(path, "w");
    fputs("# keys\n<!-- schema:model -->\nold\n<!-- /schema:model -->\n", fp);
    fclose(fp);
    r = run("schema --docs %s", path);
    EXPECT_STATUS(r, 2, "a docs file without every table");
    EXPECT_HAS(r.err, "no <!-- schema:ID --> block for: client");
    EXPECT_HAS(r.out, "| `duration` | duration > 0 | **required** |");
    run_free(&r);
}

static void test_cli(void **state)
{
    (void)state;
    run_result r = run("schema --help");
    EXPECT_STATUS(r, 0, "schema --help");
    EXPECT_HAS(r.out, "yaml-language-server: $schema=");
    run_free(&r);
    r = run("schema examples/mmc.yaml");
    EXPECT_STATUS(r, 2, "schema FILE");
    run_free(&r);
}

/* The guesses behind "did you mean". */
static void test_suggest(void **state)
{
    (void)state;
    static const char *const keys[] = {"workers", "queue", "service_time", "replicas", NULL};
    assert_string_equal(schema_suggest_words("service_tme", keys), "service_time");
    assert_string_equal(schema_suggest_words("wokrers", keys), "workers"); /* a swap is one edit */
    assert_string_equal(schema_suggest_words("qeue", keys), "queue");
    assert_null(schema_suggest_words("colour", keys));
    assert_null(schema_suggest_words("workers", keys)); /* itself is not a guess */
    assert_string_equal(schema_suggest("qeue", keys, 4), "queue");
    /* a count of 0 is an empty list, never a NULL-terminated one: fuzz_patch
     * found a patch adding a section the model lacks, whose empty, unterminated
     * list of names was read past its end */
    const char *unterminated[] = {"queue", "workers"};
    assert_null(schema_suggest("qeue", unterminated, 0));
    char buf[128];
    assert_string_equal(schema_unit_hint("2sec", SK_DURATION, buf, sizeof buf), " (did you mean '2s'?)");
    assert_string_equal(schema_unit_hint("2 ms", SK_DURATION, buf, sizeof buf), " (did you mean '2ms'?)");
    assert_string_equal(schema_unit_hint("1.5 hours", SK_DURATION, buf, sizeof buf), " (did you mean '1.5h'?)");
    assert_string_equal(schema_unit_hint("300 rps", SK_RATE, buf, sizeof buf), " (did you mean '300/s'?)");
    assert_string_equal(schema_unit_hint("20 /min", SK_RATE, buf, sizeof buf), " (did you mean '20/min'?)");
    assert_string_equal(schema_unit_hint("fast", SK_DURATION, buf, sizeof buf), "");
}

int main(void)
{
    if (proc_begin("schema") < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_examples_validate),
        cmocka_unit_test(test_docs_match_schema),
        cmocka_unit_test(test_cli),
        cmocka_unit_test(test_suggest),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    proc_end();
    return rc;
}
