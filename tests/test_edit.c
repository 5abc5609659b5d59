/* test_edit.c -- edits to a model before it is read (src/model/yedit.c):
 * setting a value by path, merging a patch, and errors that point at the
 * file the bad value came from. */
#include "testutil.h"

#include <unistd.h>
#include <yaml.h>

#include "core/err.h"
#include "model/model.h"

static const char *BASE = "name: t\n"
                          "duration: 10s\n"
                          "clients:\n"
                          "  users:\n"
                          "    rate: 100/s\n"
                          "    call: api\n"
                          "    timeout: 1s\n"
                          "    retry: {attempts: 3}\n"
                          "services:\n"
                          "  api:\n"
                          "    workers: 4\n"
                          "    service_time: {dist: exponential, mean: 10ms}\n"
                          "faults:\n"
                          "  - {at: 2s, for: 3s, target: api, slow: 5}\n";

static char *write_tmp(const char *text)
{
    char *path = strdup("/tmp/eddy-test-edit-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static void test_set_values(void **state)
{
    (void)state;
    char *f = write_tmp(BASE);
    model_edit e[] = {
        {.set_path = "services.api.workers", .set_value = "9", .origin = "--set"},
        {.set_path = "faults.0.for", .set_value = "7s", .origin = "--set"},
        {.set_path = "services.api.queue", .set_value = "25", .origin = "--set"}, /* a new key */
        {.set_path = "clients.users.retry.on", .set_value = "[error]", .origin = "--set"}, /* a flow list */
        {.set_path = "clients.users.breaker", .set_value = "{}", .origin = "--set"},      /* every default */
    };
    eddy_error err = {0};
    model *m = model_load_edited(f, e, 5, &err);
    assert_non_null(m);
    assert_int_equal(m->services[0].workers, 9);
    assert_int_equal(m->services[0].queue, 25);
    assert_true(m->faults[0].dur == 7 * T_SEC);
    assert_int_equal(m->clients[0].call.retry.attempts, 3);
    assert_int_equal(m->clients[0].call.retry.on, RETRY_ON_ERROR);
    assert_true(m->clients[0].call.breaker.on);
    assert_int_equal(m->clients[0].call.breaker.min_calls, 100);
    model_free(m);
    unlink(f);
    free(f);
}

static void test_set_errors(void **state)
{
    (void)state;
    char *f = write_tmp(BASE);
    eddy_error err = {0};
    /* a bad value is checked like the file's own, and named by its origin */
    model_edit bad = {.set_path = "services.api.workers", .set_value = "lots", .origin = "--x services.api.workers"};
    assert_null(model_load_edited(f, &bad, 1, &err));
    assert_string_equal(err.file, "--x services.api.workers");
    assert_int_equal(err.line, 11);
    assert_non_null(strstr(err.msg, "workers"));
    /* a list index out of range */
    model_edit idx = {.set_path = "faults.3.for", .set_value = "1s", .origin = "--set"};
    assert_null(model_load_edited(f, &idx, 1, &err));
    assert_non_null(strstr(err.msg, "not an item of this list"));
    /* a typo in a key is an unknown key, as in the file */
    model_edit typo = {.set_path = "services.api.wokers", .set_value = "3", .origin = "--set"};
    assert_null(model_load_edited(f, &typo, 1, &err));
    assert_non_null(strstr(err.msg, "wokers"));
    unlink(f);
    free(f);
}

static yaml_document_t *parse(const char *text, yaml_document_t *doc)
{
    yaml_parser_t p;
    assert_true(yaml_parser_initialize(&p));
    yaml_parser_set_input_string(&p, (const unsigned char *)text, strlen(text));
    assert_true(yaml_parser_load(&p, doc));
    yaml_parser_delete(&p);
    return doc;
}

static void test_merge_patch(void **state)
{
    (void)state;
    char *f = write_tmp(BASE);
    yaml_document_t patch;
    parse("services:\n"
          "  api: {workers: 12}\n"
          "clients:\n"
          "  users:\n"
          "    retry: null\n"
          "faults: []\n",
          &patch);
    model_edit e = {.patch = &patch, .patch_node = 1, .origin = "fix.yaml"};
    eddy_error err = {0};
    model *m = model_load_edited(f, &e, 1, &err);
    assert_non_null(m);
    assert_int_equal(m->services[0].workers, 12);
    assert_true(m->services[0].service_time.kind == DIST_EXPONENTIAL); /* merged, not replaced */
    assert_int_equal(m->clients[0].call.retry.attempts, 1); /* deleted: the default */
    assert_int_equal(m->nfaults, 0);                        /* lists replace */
    model_free(m);
    yaml_document_delete(&patch);

    /* an error inside the patch names the patch file and its line */
    parse("services:\n"
          "  api:\n"
          "    workers: -3\n",
          &patch);
    assert_null(model_load_edited(f, &e, 1, &err));
    assert_string_equal(err.file, "fix.yaml");
    assert_int_equal(err.line, 3);
    assert_int_equal(err.col, 14);
    yaml_document_delete(&patch);
    unlink(f);
    free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_values),
        cmocka_unit_test(test_set_errors),
        cmocka_unit_test(test_merge_patch),
    };
    return cmocka_run_group_tests_name("edit", tests, NULL, NULL);
}
