/* test_cli.c -- the `eddy` program, run as a user would run it.
 *
 * The binary is $EDDY (the `make test` recipe sets EDDY=build/eddy), or
 * ./eddy.  Each command's stdout and stderr go to files in a private
 * mkdtemp directory, removed when the suite ends.  Checked: exit statuses
 * (0 ran, 2 usage error, bad model or I/O error), help and usage text,
 * errors as FILE:LINE:COL, the CSV series (shape, determinism, seeds), the
 * refusal to overwrite a file eddy did not write, and the --json summary. */
#include "testutil.h"
#include "testproc.h"

#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/model.h"

#define MMC "examples/mmc.yaml"

static int setup(void **state)
{
    (void)state;
    if (access(MMC, R_OK) != 0) {
        fprintf(stderr, "test_cli: %s is missing\n", MMC);
        return -1;
    }
    return proc_begin("cli");
}

static int teardown(void **state)
{
    (void)state;
    return proc_end();
}

static model *load_mmc(void)
{
    eddy_error err;
    model *m = model_load(MMC, &err);
    if (!m)
        fail_msg("%s:%d:%d: %s", err.file, err.line, err.col, err.msg);
    return m;
}

/* ---- usage ---------------------------------------------------------------- */

static void test_help(void **state)
{
    (void)state;
    run_result r = run("--help");
    EXPECT_STATUS(r, 0, "eddy --help");
    EXPECT_HAS(r.out, "usage: eddy <command>");
    EXPECT_HAS(r.out, "run ");
    assert_string_equal(r.err, "");
    run_free(&r);

    r = run("run --help");
    EXPECT_STATUS(r, 0, "eddy run --help");
    EXPECT_HAS(r.out, "usage: eddy run MODEL.yaml");
    EXPECT_HAS(r.out, "--seed N");
    EXPECT_HAS(r.out, "--force");
    assert_string_equal(r.err, "");
    run_free(&r);

    r = run("--version");
    EXPECT_STATUS(r, 0, "eddy --version");
    assert_string_equal(r.out, "eddy " EDDY_VERSION "\n");
    run_free(&r);
}

static void test_no_arguments(void **state)
{
    (void)state;
    run_result r = run("%s", "");
    EXPECT_STATUS(r, 2, "eddy");
    EXPECT_HAS(r.err, "usage: eddy <command>");
    assert_string_equal(r.out, "");
    run_free(&r);
}

static void test_unknown_command(void **state)
{
    (void)state;
    run_result r = run("frobnicate " MMC);
    EXPECT_STATUS(r, 2, "eddy frobnicate");
    EXPECT_HAS(r.err, "unknown command 'frobnicate'");
    assert_string_equal(r.out, "");
    run_free(&r);
}

static void test_run_usage_errors(void **state)
{
    (void)state;
    static const struct {
        const char *args, *msg;
    } cases[] = {
        {"run --bogus " MMC, "unknown option '--bogus'"},
        {"run -z " MMC, "unknown option"},
        {"run", "missing MODEL.yaml"},
        {"run " MMC " " MMC, "expected one MODEL.yaml"},
        {"run --seed abc " MMC, "--seed expects a non-negative whole number, got 'abc'"},
        {"run --seed -1 " MMC, "--seed expects a non-negative whole number"},
        {"run " MMC " -o", "needs a value"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        run_result r = run("%s", cases[i].args);
        EXPECT_STATUS(r, 2, cases[i].args);
        EXPECT_HAS(r.err, cases[i].msg);
        EXPECT_HAS(r.err, "eddy run --help");
        assert_string_equal(r.out, "");
        run_free(&r);
    }
}

/* ---- errors in the work ------------------------------------------------------ */

static void test_run_missing_file(void **state)
{
    (void)state;
    char path[256];
    tmp_path(path, sizeof path, "no-such-model.yaml");
    run_result r = run("run -q %s", path);
    EXPECT_STATUS(r, 2, "eddy run MISSING");
    EXPECT_HAS(r.err, path);
    EXPECT_HAS(r.err, "cannot open");
    assert_string_equal(r.out, "");
    run_free(&r);
}

static void test_run_bad_model(void **state)
{
    (void)state;
    run_result r = run("run -q tests/data/model/bare-timeout.yaml");
    EXPECT_STATUS(r, 2, "eddy run bare-timeout.yaml");
    const char *want = "tests/data/model/bare-timeout.yaml:8:14: error: clients.shoppers.timeout: expected a duration";
    if (strncmp(r.err, want, strlen(want)) != 0)
        fail_msg("stderr is \"%s\", want it to begin \"%s\"", r.err, want);
    assert_string_equal(r.out, "");
    run_free(&r);

    /* a YAML syntax error, written on the fly */
    char path[256];
    tmp_path(path, sizeof path, "syntax.yaml");
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("duration: 10m\nclients: {users: {rate: 1/s, call: mmc}\nservices: {}\n", fp);
    fclose(fp);
    r = run("run -q %s", path);
    EXPECT_STATUS(r, 2, "eddy run syntax.yaml");
    char prefix[300];
    snprintf(prefix, sizeof prefix, "%s:3:", path);
    if (strncmp(r.err, prefix, strlen(prefix)) != 0)
        fail_msg("stderr is \"%s\", want it to begin \"%s\"", r.err, prefix);
    EXPECT_HAS(r.err, ": error: not valid YAML");
    run_free(&r);
}

/* ---- the CSV series ----------------------------------------------------------- */

static size_t fields(const char *line, size_t len)
{
    size_t n = 1;
    for (size_t i = 0; i < len; i++)
        n += line[i] == ',';
    return n;
}

static void test_run_csv(void **state)
{
    (void)state;
    char csv[256];
    tmp_path(csv, sizeof csv, "series.csv");
    run_result r = run("run " MMC " -o %s", csv);
    EXPECT_STATUS(r, 0, "eddy run mmc -o series.csv");
    EXPECT_HAS(r.out, "client users -> mmc");
    run_free(&r);

    size_t len;
    char *text = slurp(csv, &len);
    assert_non_null(text);
    assert_true(len > 0);
    assert_int_equal(strncmp(text, "time,", 5), 0);
    assert_true(text[len - 1] == '\n');

    model *m = load_mmc();
    double sample = t_sec(m->sample);
    size_t want_rows = (size_t)(m->duration / m->sample);
    char col[300];

    const char *line = text, *nl = strchr(line, '\n');
    size_t ncols = fields(line, (size_t)(nl - line));
    assert_true(ncols > 1);
    /* every entity's columns are named entity.metric */
    char *header = strndup(line, (size_t)(nl - line));
    for (size_t i = 0; i < m->nclients; i++) {
        snprintf(col, sizeof col, ",%s.goodput,", m->clients[i].name);
        EXPECT_HAS(header, col);
    }
    for (size_t i = 0; i < m->nservices; i++) {
        snprintf(col, sizeof col, ",%s.queue,", m->services[i].name);
        EXPECT_HAS(header, col);
    }
    free(header);

    size_t rows = 0;
    for (line = nl + 1; *line; line = nl + 1) {
        nl = strchr(line, '\n');
        assert_non_null(nl);
        size_t n = fields(line, (size_t)(nl - line));
        if (n != ncols)
            fail_msg("row %zu has %zu fields, the header %zu: %.*s", rows + 1, n, ncols, (int)(nl - line), line);
        double t = strtod(line, NULL);
        if (fabs(t - (double)rows * sample) > 1e-9)
            fail_msg("row %zu has time %g, want %g", rows + 1, t, (double)rows * sample);
        rows++;
    }
    assert_int_equal(rows, want_rows);
    model_free(m);
    free(text);
}

static int same_file(const char *a, const char *b)
{
    size_t na, nb;
    char *x = slurp(a, &na), *y = slurp(b, &nb);
    assert_non_null(x);
    assert_non_null(y);
    int same = na == nb && memcmp(x, y, na) == 0;
    free(x);
    free(y);
    return same;
}

static void test_run_deterministic(void **state)
{
    (void)state;
    char a[256], b[256], c[256];
    tmp_path(a, sizeof a, "first.csv");
    tmp_path(b, sizeof b, "second.csv");
    tmp_path(c, sizeof c, "seed-given.csv");
    run_result r = run("run -q " MMC " -o %s", a);
    EXPECT_STATUS(r, 0, "first run");
    run_free(&r);
    r = run("run -q " MMC " -o %s", b);
    EXPECT_STATUS(r, 0, "second run");
    run_free(&r);
    assert_true(same_file(a, b));

    /* --seed with the model's own seed changes nothing */
    model *m = load_mmc();
    r = run("run -q " MMC " --seed %llu -o %s", m->seed, c);
    model_free(m);
    EXPECT_STATUS(r, 0, "run with the model's seed");
    run_free(&r);
    assert_true(same_file(a, c));
}

static void test_run_seed_changes_series(void **state)
{
    (void)state;
    char a[256], b[256];
    tmp_path(a, sizeof a, "seed7.csv");
    tmp_path(b, sizeof b, "seed8.csv");
    run_result r = run("run -q --seed 7 " MMC " -o %s", a);
    EXPECT_STATUS(r, 0, "--seed 7");
    EXPECT_HAS(r.out, "seed 7");
    run_free(&r);
    r = run("run -q --seed 8 " MMC " -o %s", b);
    EXPECT_STATUS(r, 0, "--seed 8");
    EXPECT_HAS(r.out, "seed 8");
    run_free(&r);
    assert_false(same_file(a, b));
    /* same shape, though: the header is the same */
    char *x = slurp(a, NULL), *y = slurp(b, NULL);
    size_t hx = strcspn(x, "\n"), hy = strcspn(y, "\n");
    assert_int_equal(hx, hy);
    assert_memory_equal(x, y, hx);
    free(x);
    free(y);
}

/* ---- overwriting -------------------------------------------------------------- */

static void test_run_refuses_to_overwrite(void **state)
{
    (void)state;
    char path[256];
    tmp_path(path, sizeof path, "model-copy.yaml");
    size_t orig_len;
    char *orig = slurp(MMC, &orig_len);
    assert_non_null(orig);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(orig, 1, orig_len, fp), orig_len);
    fclose(fp);

    run_result r = run("run -q " MMC " -o %s", path);
    EXPECT_STATUS(r, 2, "-o onto a model file");
    EXPECT_HAS(r.err, path);
    EXPECT_HAS(r.err, "not overwriting");
    EXPECT_HAS(r.err, "--force");
    run_free(&r);
    size_t len;
    char *now = slurp(path, &len);
    assert_int_equal(len, orig_len);
    assert_memory_equal(now, orig, len);
    free(now);

    r = run("run -q --force " MMC " -o %s", path);
    EXPECT_STATUS(r, 0, "-o onto a model file with --force");
    run_free(&r);
    now = slurp(path, &len);
    assert_true(len > 5);
    assert_int_equal(strncmp(now, "time,", 5), 0);
    free(now);

    /* a series eddy wrote may be overwritten without --force */
    r = run("run -q --seed 3 " MMC " -o %s", path);
    EXPECT_STATUS(r, 0, "-o onto an eddy series");
    run_free(&r);
    free(orig);
}

/* An I/O error while writing the series is a failure of the work: exit 2. */
static void test_run_write_error(void **state)
{
    (void)state;
    if (access("/dev/full", W_OK) != 0)
        skip();
    run_result r = run("run -q --force " MMC " -o /dev/full");
    EXPECT_STATUS(r, 2, "-o /dev/full");
    EXPECT_HAS(r.err, "cannot write /dev/full: No space left on device");
    run_free(&r);
}

/* ---- --json ------------------------------------------------------------------- */

static json_t *get(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        fail_msg("JSON object lacks key \"%s\"", key);
    return v;
}

static void test_run_json(void **state)
{
    (void)state;
    run_result r = run("run -q --json " MMC);
    EXPECT_STATUS(r, 0, "eddy run --json");
    json_error_t jerr;
    json_t *root = json_loads(r.out, 0, &jerr); /* the whole of stdout: no text around the JSON */
    if (!root)
        fail_msg("stdout is not JSON (line %d: %s):\n%.2000s", jerr.line, jerr.text, r.out);
    run_free(&r);
    assert_true(json_is_object(root));

    model *m = load_mmc();
    assert_int_equal(json_integer_value(get(root, "seed")), m->seed);
    assert_true(json_is_array(get(root, "faults")));

    json_t *clients = get(root, "clients"), *services = get(root, "services");
    assert_true(json_is_object(clients));
    assert_true(json_is_object(services));
    assert_int_equal(json_object_size(clients), m->nclients);
    assert_int_equal(json_object_size(services), m->nservices);
    for (size_t i = 0; i < m->nclients; i++) {
        json_t *c = get(clients, m->clients[i].name);
        json_t *mean = get(c, "latency_mean"), *p50 = get(c, "latency_p50"), *p99 = get(c, "latency_p99");
        assert_true(json_is_real(mean) && json_is_real(p50) && json_is_real(p99));
        assert_true(json_real_value(mean) > 0);
        assert_true(json_real_value(p50) > 0);
        assert_true(json_real_value(p50) <= json_real_value(p99));
        assert_true(json_integer_value(get(c, "goodput")) > 0);
        json_t *phases = get(c, "phases");
        assert_true(json_is_array(phases));
        assert_true(json_array_size(phases) >= 1);
        assert_true(json_is_string(get(json_array_get(phases, 0), "phase")));
        json_t *rec = get(c, "recovered");
        /* null when the model has no faults, else true or false */
        assert_true(m->nfaults ? json_is_boolean(rec) : json_is_null(rec));
    }
    for (size_t i = 0; i < m->nservices; i++) {
        json_t *s = get(services, m->services[i].name);
        assert_true(json_integer_value(get(s, "arrivals")) > 0);
        assert_true(json_is_real(get(s, "busy_mean")));
    }

    json_t *engine = get(root, "engine");
    assert_true(json_is_integer(get(engine, "events")));
    assert_true(json_integer_value(get(engine, "events")) > 0);
    assert_true(json_is_real(get(engine, "wall_seconds")));
    assert_true(json_real_value(get(engine, "wall_seconds")) >= 0);
    assert_true(json_is_integer(get(engine, "peak_rss_bytes")));
    assert_true(json_integer_value(get(engine, "peak_rss_bytes")) > 0);
    model_free(m);
    json_decref(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_help),
        cmocka_unit_test(test_no_arguments),
        cmocka_unit_test(test_unknown_command),
        cmocka_unit_test(test_run_usage_errors),
        cmocka_unit_test(test_run_missing_file),
        cmocka_unit_test(test_run_bad_model),
        cmocka_unit_test(test_run_csv),
        cmocka_unit_test(test_run_deterministic),
        cmocka_unit_test(test_run_seed_changes_series),
        cmocka_unit_test(test_run_refuses_to_overwrite),
        cmocka_unit_test(test_run_write_error),
        cmocka_unit_test(test_run_json),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
