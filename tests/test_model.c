/* test_model.c -- the model loader, malformed input first (SQLite style).
 *
 * Every class of mistake a user can make in a model file has a test that
 * checks (a) the load fails, (b) the error's line and column are exactly
 * those of the offending key or value, and (c) the message names the key
 * path and says what was expected.  Positions are given as a "needle": a
 * piece of the YAML text that occurs exactly once, with '^' marking the
 * character the error must point at, so the expected position is computed
 * from the text itself and cannot drift from it.
 *
 * Names that once crashed the loader are loaded in a child process, so a
 * regression reports a failure instead of killing the suite. */
#include "testutil.h"

#include <dirent.h>
#include <math.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/err.h"
#include "model/model.h"

/* ---- helpers --------------------------------------------------------------- */

/* The 1-based line and column of the '^' in `needle` (or of its first
 * character without one) within `text`.  The needle must occur once. */
static int where(const char *text, const char *needle, int *line, int *col, char *why, size_t n)
{
    char plain[512];
    const char *caret = strchr(needle, '^');
    size_t off = caret ? (size_t)(caret - needle) : 0, j = 0;
    for (const char *p = needle; *p && j + 1 < sizeof plain; p++)
        if (p != caret)
            plain[j++] = *p;
    plain[j] = 0;
    const char *hit = strstr(text, plain);
    if (!hit) {
        snprintf(why, n, "needle \"%s\" is not in the YAML", plain);
        return -1;
    }
    if (strstr(hit + 1, plain)) {
        snprintf(why, n, "needle \"%s\" occurs more than once in the YAML", plain);
        return -1;
    }
    const char *at = hit + off;
    *line = 1;
    const char *bol = text;
    for (const char *p = text; p < at; p++)
        if (*p == '\n') {
            (*line)++;
            bol = p + 1;
        }
    *col = (int)(at - bol) + 1;
    return 0;
}

/* Load `yaml` and check that it fails at the needle's position with a message
 * holding every string in subs (NULL-terminated).  0, or -1 with `why`. */
static int check_error(const char *yaml, const char *needle, const char *const *subs, char *why, size_t n)
{
    int line = 0, col = 0;
    if (needle && where(yaml, needle, &line, &col, why, n) < 0)
        return -1;
    eddy_error err;
    memset(&err, 0x5a, sizeof err);
    model *m = model_load_string(yaml, strlen(yaml), "bad.yaml", &err);
    if (m) {
        model_free(m);
        snprintf(why, n, "the model loaded; expected an error at %d:%d", line, col);
        return -1;
    }
    if (strcmp(err.file, "bad.yaml") != 0) {
        snprintf(why, n, "err.file is \"%.100s\", want \"bad.yaml\"", err.file);
        return -1;
    }
    if (needle && (err.line != line || err.col != col)) {
        snprintf(why, n, "error at %d:%d, want %d:%d (\"%s\"): %.600s", err.line, err.col, line, col, needle, err.msg);
        return -1;
    }
    for (size_t i = 0; subs[i]; i++) {
        if (!strstr(err.msg, subs[i])) {
            snprintf(why, n, "message lacks \"%s\": %.600s", subs[i], err.msg);
            return -1;
        }
    }
    return 0;
}

#define EXPECT_ERROR(yaml, needle, ...)                                                                               \
    do {                                                                                                              \
        static const char *const subs_[] = {__VA_ARGS__, NULL};                                                       \
        char why_[1024];                                                                                              \
        if (check_error((yaml), (needle), subs_, why_, sizeof why_) < 0)                                              \
            fail_msg("%s", why_);                                                                                     \
    } while (0)

/* The same, in a child process: for inputs that crash the loader. */
#define EXPECT_ERROR_ISOLATED(yaml, needle, ...)                                                                      \
    do {                                                                                                              \
        static const char *const subs_[] = {__VA_ARGS__, NULL};                                                       \
        fflush(stdout);                                                                                               \
        fflush(stderr);                                                                                               \
        pid_t pid_ = fork();                                                                                          \
        assert_true(pid_ >= 0);                                                                                       \
        if (pid_ == 0) {                                                                                              \
            /* cmocka's handlers would longjmp back into the test runner */                                           \
            static const int sigs_[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};                                    \
            for (size_t k_ = 0; k_ < sizeof sigs_ / sizeof sigs_[0]; k_++)                                            \
                signal(sigs_[k_], SIG_DFL);                                                                           \
            char why_[1024];                                                                                          \
            if (check_error((yaml), (needle), subs_, why_, sizeof why_) < 0) {                                        \
                fprintf(stderr, "%s\n", why_);                                                                        \
                _exit(1);                                                                                             \
            }                                                                                                         \
            _exit(0);                                                                                                 \
        }                                                                                                             \
        int st_;                                                                                                      \
        assert_int_equal(waitpid(pid_, &st_, 0), pid_);                                                               \
        if (WIFSIGNALED(st_))                                                                                         \
            fail_msg("the loader crashed (signal %d) on this input", WTERMSIG(st_));                                  \
        if (!WIFEXITED(st_) || WEXITSTATUS(st_) != 0)                                                                 \
            fail_msg("the error was wrong (see above), or the child failed (status %d)", WEXITSTATUS(st_));           \
    } while (0)

static model *load_ok(const char *yaml)
{
    eddy_error err;
    model *m = model_load_string(yaml, strlen(yaml), "good.yaml", &err);
    if (!m)
        fail_msg("expected the model to load: %s:%d:%d: %s", err.file, err.line, err.col, err.msg);
    return m;
}

/* Pieces most cases share. */
#define DUR "duration: 10m\n"
#define CLIENT                                                                                                        \
    "clients:\n"                                                                                                      \
    "  shoppers:\n"                                                                                                   \
    "    rate: 400/s\n"                                                                                               \
    "    call: checkout\n"
#define CHECKOUT                                                                                                      \
    "  checkout:\n"                                                                                                   \
    "    workers: 4\n"                                                                                                \
    "    service_time: 5ms\n"
#define DB                                                                                                            \
    "  db:\n"                                                                                                         \
    "    workers: 20\n"                                                                                               \
    "    service_time: 2ms\n"
#define SERVICES "services:\n" CHECKOUT
#define BASE DUR CLIENT SERVICES

/* ---- the base text is valid, so each case below fails for its one reason --- */

static void test_base_is_valid(void **state)
{
    (void)state;
    model *m = load_ok(BASE);
    assert_int_equal(m->nclients, 1);
    assert_int_equal(m->nservices, 1);
    model_free(m);
    m = load_ok(DUR CLIENT "services:\n" CHECKOUT DB);
    model_free(m);
}

/* ---- unknown keys ---------------------------------------------------------- */

static void test_unknown_key_top_level(void **state)
{
    (void)state;
    EXPECT_ERROR(DUR "seeds: 3\n" CLIENT SERVICES, "^seeds: 3", "unknown key 'seeds'",
                 "expected one of: name, description, duration, seed, sample, clients, services, faults, actions");
}


static void test_unknown_key_nested(void **state)
{
    (void)state;
    /* a typo in a retry policy must not silently mean "no retries" */
    EXPECT_ERROR(DUR CLIENT "    retry: {atempts: 3}\n" SERVICES, "{^atempts", "clients.shoppers.retry: unknown key 'atempts'",
                 "expected one of: attempts, backoff, base, max, multiplier, jitter, on");
    /* block style, two levels down */
    EXPECT_ERROR(DUR CLIENT "services:\n" CHECKOUT "    contention:\n      sigma: 0.1\n      kapa: 0.01\n", "^kapa: 0.01",
                 "services.checkout.contention: unknown key 'kapa'", "expected one of: sigma, kappa");
    /* in a list element */
    EXPECT_ERROR(BASE "faults:\n  - {at: 1s, for: 1s, targt: checkout, slow: 2}\n", "^targt", "faults[0]: unknown key 'targt'",
                 "expected one of: at, for, target, slow, add_latency, errors, down, lose_replicas");
}

/* ---- duplicate keys --------------------------------------------------------- */

static void test_duplicate_key(void **state)
{
    (void)state;
    EXPECT_ERROR(DUR CLIENT "    timeout: 1s\n    timeout: 2s\n" SERVICES, "1s\n    ^timeout: 2s",
                 "clients.shoppers: duplicate key 'timeout'", "(first given at line 6)");
    EXPECT_ERROR("duration: 10m\nduration: 20m\n" CLIENT SERVICES, "10m\n^duration: 20m", "duplicate key 'duration'",
                 "(first given at line 1)");
    EXPECT_ERROR(DUR CLIENT "services:\n" CHECKOUT "    workers: 8\n", "5ms\n    ^workers: 8",
                 "services.checkout: duplicate key 'workers'", "(first given at line 8)");
}

/* ---- wrong types ------------------------------------------------------------ */

static void test_wrong_type_mapping_for_scalar(void **state)
{
    (void)state;
    EXPECT_ERROR(DUR CLIENT "    timeout: {value: 1s}\n" SERVICES, "timeout: ^{value",
                 "clients.shoppers.timeout: expected a duration with a unit", "got a mapping");
    /* a list where a scalar is expected */
    EXPECT_ERROR(DUR CLIENT "services:\n  checkout:\n    workers: [4]\n    service_time: 5ms\n", "workers: ^[4]",
                 "services.checkout.workers: expected a whole number or 'unlimited'", "got a list");
    EXPECT_ERROR("name: {first: a}\n" BASE, "name: ^{first", "name: expected a string", "got a mapping");
}

static void test_wrong_type_list_for_mapping(void **state)
{
    (void)state;
    EXPECT_ERROR(DUR "clients:\n  shoppers: [checkout]\n" SERVICES, "shoppers: ^[checkout]",
                 "clients.shoppers: expected a mapping with 'call' and either 'rate' or 'users'", "got a list");
    EXPECT_ERROR(DUR CLIENT "    retry: [3]\n" SERVICES, "retry: ^[3]",
                 "clients.shoppers.retry: expected a mapping such as {attempts: 3", "got a list");
    EXPECT_ERROR(DUR CLIENT "services: [checkout]\n", "services: ^[checkout]",
                 "services: expected a mapping of service names to services", "got a list");
    EXPECT_ERROR("- duration\n- clients\n", "^- duration", "model: expected a mapping with duration, clients and services",
                 "got a list");
    /* and a mapping where a list is expected */
    EXPECT_ERROR(BASE "faults: {at: 1s}\n", "faults: ^{at", "faults: expected a list of fault windows", "got a mapping");
}

/* ---- units ---------------------------------------------------------------------- */

static void test_bare_number_duration(void **state)
{
    (void)state;
    /* "timeout: 2" -- seconds? milliseconds?  The loader refuses to guess. */
    EXPECT_ERROR(DUR CLIENT "    timeout: 2\n" SERVICES, "timeout: ^2\n", "clients.shoppers.timeout",
                 "expected a duration with a unit (ns, us, ms, s, m, h)", "got '2'");
    EXPECT_ERROR("duration: 600\n" CLIENT SERVICES, "duration: ^600", "duration: expected a duration with a unit",
                 "got '600'");
    EXPECT_ERROR(BASE "faults:\n  - {at: 60s, for: 30, target: checkout, slow: 10}\n", "for: ^30,",
                 "faults[0].for: expected a duration with a unit", "got '30'");
    EXPECT_ERROR(DUR CLIENT "services:\n  checkout:\n    workers: 4\n    service_time: 5\n", "service_time: ^5\n",
                 "services.checkout.service_time: expected a duration such as 5ms, or a distribution", "got '5'");
}

static void test_bad_rate_unit(void **state)
{
    (void)state;
    EXPECT_ERROR(DUR "clients:\n  shoppers:\n    rate: 800\n    call: checkout\n" SERVICES, "rate: ^800",
                 "clients.shoppers.rate: expected a rate with a unit (/s, /m or /h)", "got '800'");
    EXPECT_ERROR(DUR "clients:\n  shoppers:\n    call: checkout\n    rate:\n      - {at: 0s, rate: 10}\n" SERVICES,
                 "rate: ^10}", "clients.shoppers.rate[0].rate: expected a rate with a unit", "got '10'");
}

static void test_fraction_out_of_range(void **state)
{
    (void)state;
    EXPECT_ERROR(DUR CLIENT "services:\n" CHECKOUT "    errors: 1.5\n", "errors: ^1.5",
                 "services.checkout.errors: expected a fraction between 0 and 1, such as 0.4 or 40%", "got '1.5'");
    EXPECT_ERROR(DUR CLIENT "services:\n" CHECKOUT "    errors: 150%\n", "errors: ^150%",
                 "services.checkout.errors: expected a fraction between 0 and 1", "got '150%'");
    EXPECT_ERROR(BASE "actions:\n  - {at: 1m, client: shoppers, shed: 140%}\n", "shed: ^140%",
                 "actions[0].shed: expected a fraction between 0 and 1", "got '140%'");
}

/* ---- enums ------------------------------------------------------------------- */

static void test_bad_enum(void **state)
{
    (void)state;
    EXPECT_ERROR(DUR CLIENT "    retry: {attempts: 3, backoff: linear}\n" SERVICES, "backoff: ^linear",
                 "clients.shoppers.retry.backoff: expected one of none|constant|exponential", "got 'linear'");
    EXPECT_ERROR(DUR CLIENT "services:\n" CHECKOUT "    discipline: lilo\n", "discipline: ^lilo",
                 "services.checkout.discipline: expected one of fifo|lifo", "got 'lilo'");
    EXPECT_ERROR(DUR CLIENT "    retry: {attempts: 3, on: [timeout, crash]}\n" SERVICES, "timeout, ^crash",
                 "clients.shoppers.retry.on: expected one of timeout|error|reject", "got 'crash'");
    EXPECT_ERROR(DUR CLIENT "services:\n  checkout:\n    workers: 4\n    service_time: {dist: weibull, mean: 5ms}\n",
                 "dist: ^weibull", "services.checkout.service_time.dist: expected one of "
                 "constant|exponential|lognormal|gamma|uniform", "got 'weibull'");
}

/* ---- references ------------------------------------------------------------------ */

static void test_call_to_unknown_service(void **state)
{
    (void)state;
    EXPECT_ERROR(DUR "clients:\n  shoppers:\n    rate: 400/s\n    call: chekout\n" "services:\n" CHECKOUT DB,
                 "call: ^chekout", "clients.shoppers.call: no service named 'chekout'",
                 "the services are: checkout, db");
    EXPECT_ERROR(DUR CLIENT "services:\n" CHECKOUT "    calls:\n      - to: dbb\n" DB, "to: ^dbb",
                 "services.checkout.calls[0].to: no service named 'dbb'", "the services are: checkout, db");
    EXPECT_ERROR(BASE "faults:\n  - {at: 1s, for: 1s, target: cache, slow: 2}\n", "target: ^cache",
                 "faults[0].target: no service named 'cache'", "the services are: checkout");
}

#define CALLS(to) "    workers: 1\n    service_time: 1ms\n    calls:\n      - to: " to "\n"

static void test_call_graph_cycle(void **state)
{
    (void)state;
    EXPECT_ERROR(DUR "clients:\n  shoppers:\n    rate: 10/s\n    call: a\n"
                     "services:\n  a:\n" CALLS("b") "  b:\n" CALLS("a"),
                 "- to: ^a\n", "services.b.calls[0].to", "the call graph has a cycle (a -> b -> a)");
    /* entered from outside the cycle, and longer */
    EXPECT_ERROR(DUR "clients:\n  shoppers:\n    rate: 10/s\n    call: x\n"
                     "services:\n  x:\n" CALLS("a") "  a:\n" CALLS("b") "  b:\n" CALLS("c") "  c:\n" CALLS("a"),
                 "  c:\n    workers: 1\n    service_time: 1ms\n    calls:\n      - to: ^a",
                 "services.c.calls[0].to", "cycle (a -> b -> c -> a)");
    /* a service calling itself */
    EXPECT_ERROR(DUR "clients:\n  shoppers:\n    rate: 10/s\n    call: a\n" "services:\n  a:\n" CALLS("a"), "- to: ^a",
                 "services.a.calls[0].to", "cycle (a -> a)");
}

static void test_diamond_is_not_a_cycle(void **state)
{
    (void)state;
    /* a -> b -> d and a -> c -> d: d is reached twice, but nothing loops */
    model *m = load_ok(DUR "clients:\n  shoppers:\n    rate: 10/s\n    call: a\n"
                           "services:\n  a:\n" CALLS("b") "      - to: c\n  b:\n" CALLS("d") "  c:\n" CALLS("d")
                           "  d:\n    workers: 1\n    service_time: 1ms\n");
    assert_int_equal(m->nservices, 4);
    assert_int_equal(m->services[0].ncalls, 2);
    assert_int_equal(m->services[0].calls[1].to, model_find_service(m, "c"));
    assert_int_equal(m->services[2].calls[0].to, 3);
    model_free(m);
}

/* ---- missing keys ---------------------------------------------------------------- */

static void test_missing_required_keys(void **state)
{
    (void)state;
    EXPECT_ERROR("# a model with no duration\n" CLIENT SERVICES, "^clients:", "missing key 'duration'");
    EXPECT_ERROR(DUR CLIENT, "^duration", "missing key 'services'");
    EXPECT_ERROR(DUR SERVICES, "^duration", "missing key 'clients'");
    EXPECT_ERROR(DUR CLIENT "services:\n  checkout:\n    service_time: 5ms\n", "  ^checkout:\n    service_time",
                 "services.checkout: missing key 'workers'");
    EXPECT_ERROR(DUR CLIENT "services:\n  checkout:\n    workers: 4\n", "  ^checkout:\n    workers",
                 "services.checkout: missing key 'service_time'");
    EXPECT_ERROR(DUR "clients:\n  shoppers:\n    rate: 400/s\n" SERVICES, "^shoppers:",
                 "clients.shoppers: missing key 'call'");
    EXPECT_ERROR(BASE "faults:\n  - {at: 60s, target: checkout, slow: 10}\n", "- ^{at: 60s",
                 "faults[0]: missing key 'for'");
    /* a block-style fault starts at its first key */
    EXPECT_ERROR(BASE "faults:\n  - at: 60s\n    target: checkout\n    slow: 10\n", "- ^at: 60s",
                 "faults[0]: missing key 'for'");
    EXPECT_ERROR(DUR CLIENT "    retry: {backoff: none}\n" SERVICES, "retry: ^{backoff",
                 "clients.shoppers.retry: missing key 'attempts'");
    EXPECT_ERROR(BASE "faults:\n  - {at: 60s, for: 1s, target: checkout}\n", "- ^{at: 60s",
                 "faults[0]: a fault needs one effect");
}

static void test_rate_and_users(void **state)
{
    (void)state;
    EXPECT_ERROR(DUR "clients:\n  shoppers:\n    rate: 400/s\n    users: 50\n    think: 1s\n    call: checkout\n" SERVICES,
                 "^users: 50", "clients.shoppers: give either 'rate'", "not both");
    EXPECT_ERROR(DUR "clients:\n  shoppers:\n    users: 50\n    call: checkout\n" SERVICES, "^users: 50",
                 "clients.shoppers: a closed-loop client with 'users' needs 'think'");
    EXPECT_ERROR(DUR "clients:\n  shoppers:\n    call: checkout\n" SERVICES, "^shoppers:",
                 "clients.shoppers: missing load");
    EXPECT_ERROR(DUR CLIENT "    think: 1s\n" SERVICES, "^think: 1s",
                 "clients.shoppers: 'think' belongs to a closed-loop client");
}

/* ---- faults and actions ---------------------------------------------------------- */

static void test_fault_two_effects(void **state)
{
    (void)state;
    EXPECT_ERROR(BASE "faults:\n  - {at: 60s, for: 30s, target: checkout, slow: 10, errors: 10%}\n", "slow: 10, ^errors",
                 "faults[0]: a fault has exactly one effect", "second fault window for 'errors'");
}

static void test_fault_down_false(void **state)
{
    (void)state;
    EXPECT_ERROR(BASE "faults:\n  - {at: 60s, for: 30s, target: checkout, down: false}\n", "down: ^false",
                 "faults[0].down: expected true (down: false does nothing");
    EXPECT_ERROR(BASE "faults:\n  - {at: 60s, for: 30s, target: checkout, down: maybe}\n", "down: ^maybe",
                 "faults[0].down: expected true or false", "got 'maybe'");
}

#define REPLICATED                                                                                                    \
    DUR CLIENT "services:\n" CHECKOUT "    replicas: 2\n"

/* Losing more replicas than a service has is reported at the lose_replicas
 * value, not at the start of the fault. */
static void test_fault_lose_more_replicas_than_exist(void **state)
{
    (void)state;
    const char *flow = REPLICATED "faults:\n  - {at: 60s, for: 30s, target: checkout, lose_replicas: 3}\n";
    eddy_error err;
    model *m = model_load_string(flow, strlen(flow), "bad.yaml", &err);
    assert_null(m);
    assert_int_equal(err.line, 12); /* the fault's line, which is also the value's */
    assert_non_null(strstr(err.msg, "faults[0].lose_replicas: checkout has only 2 replicas, cannot lose 3"));
    EXPECT_ERROR(REPLICATED "faults:\n  - {at: 60s, for: 30s, target: checkout, lose_replicas: 0}\n",
                 "lose_replicas: ^0", "faults[0].lose_replicas: expected at least 1");
    EXPECT_ERROR(flow, "lose_replicas: ^3", "faults[0].lose_replicas", "cannot lose 3");
    EXPECT_ERROR(REPLICATED "faults:\n  - at: 60s\n    for: 30s\n    target: checkout\n    lose_replicas: 3\n",
                 "lose_replicas: ^3", "faults[0].lose_replicas", "cannot lose 3");
}

static void test_action_errors(void **state)
{
    (void)state;
    EXPECT_ERROR(BASE "actions:\n  - {at: 20m, client: shopers, retry: off}\n", "client: ^shopers",
                 "actions[0].client: no client named 'shopers'");
    EXPECT_ERROR(BASE "actions:\n  - {at: 20m, client: shoppers, retry: off, shed: 10%}\n", "off, ^shed",
                 "actions[0]: an action does one thing");
    EXPECT_ERROR(BASE "actions:\n  - {at: 20m, client: shoppers}\n", "- ^{at: 20m", "actions[0]: an action needs one of");
}

/* ---- distributions ----------------------------------------------------------------- */

#define ST(d) DUR CLIENT "services:\n  checkout:\n    workers: 4\n    service_time: " d "\n"

static void test_dist_params(void **state)
{
    (void)state;
    EXPECT_ERROR(ST("{dist: lognormal, median: 5ms}"), "service_time: ^{dist",
                 "services.checkout.service_time: a lognormal distribution needs median and p99, or mean and cv");
    /* a parameter of another kind */
    EXPECT_ERROR(ST("{dist: exponential, median: 5ms}"), "exponential, ^median", "services.checkout.service_time:",
                 "does not take 'median'", "it takes mean");
    EXPECT_ERROR(ST("{dist: uniform, mean: 5ms, max: 9ms}"), "uniform, ^mean", "does not take 'mean'",
                 "it takes min and max");
    /* lognormal forms do not mix */
    EXPECT_ERROR(ST("{dist: lognormal, median: 5ms, cv: 0.5}"), "service_time: ^{dist",
                 "needs median and p99, or mean and cv");
    EXPECT_ERROR(ST("{dist: gamma, mean: 5ms}"), "service_time: ^{dist", "a gamma distribution needs mean and cv");
    EXPECT_ERROR(ST("{mean: 5ms}"), "service_time: ^{mean", "services.checkout.service_time: missing key 'dist'");
    EXPECT_ERROR(ST("{dist: uniform, min: 5ms, max: 1ms}"), "max: ^1ms", "max must not be less than min");
    EXPECT_ERROR(ST("{dist: exponential, mean: 5}"), "mean: ^5}", "services.checkout.service_time.mean",
                 "expected a duration with a unit");
    EXPECT_ERROR(DUR "clients:\n  shoppers:\n    users: 5\n    think: 5\n    call: checkout\n" SERVICES, "think: ^5",
                 "clients.shoppers.think: expected a duration such as 5ms, or a distribution");
}

static void test_lognormal_p99_not_above_median(void **state)
{
    (void)state;
    EXPECT_ERROR(ST("{dist: lognormal, median: 50ms, p99: 50ms}"), "p99: ^50ms",
                 "services.checkout.service_time: p99 must be greater than median");
    EXPECT_ERROR(ST("{dist: lognormal, median: 50ms, p99: 40ms}"), "p99: ^40ms", "p99 must be greater than median");
}

/* ---- rate steps ------------------------------------------------------------------- */

#define STEPS(s) DUR "clients:\n  shoppers:\n    call: checkout\n    rate:\n" s SERVICES

/* An out-of-order step is reported at its `at` value, naming that key. */
static void test_rate_steps_out_of_order(void **state)
{
    (void)state;
    const char *backwards =
        STEPS("      - {at: 0s, rate: 10/s}\n      - {at: 60s, rate: 20/s}\n      - {at: 30s, rate: 5/s}\n");
    const char *equal =
        STEPS("      - {at: 0s, rate: 10/s}\n      - {at: 60s, rate: 20/s}\n      - {at: 60s, rate: 5/s}\n");
    EXPECT_ERROR(backwards, "at: ^30s", "clients.shoppers.rate[2]", "steps must be in increasing order of 'at'");
    EXPECT_ERROR(equal, "20/s}\n      - {at: ^60s", "clients.shoppers.rate[2]", "steps must be in increasing order");
    EXPECT_ERROR(STEPS("      - {at: 0s}\n"), "- ^{at: 0s}", "clients.shoppers.rate[0]: missing key 'rate'");
    EXPECT_ERROR(STEPS("      []\n"), "^[]", "clients.shoppers.rate: expected at least one step");
    EXPECT_ERROR(backwards, "at: ^30s", "clients.shoppers.rate[2].at: steps must be in increasing order of 'at'");
}

/* ---- syntax, empty files, names ------------------------------------------------------ */

static void test_invalid_yaml_syntax(void **state)
{
    (void)state;
    /* An unclosed '[': libyaml notices at the next token that cannot be in the
     * list, the ':' after "services" on the next line. */
    EXPECT_ERROR(DUR CLIENT "    timeout: [1s, 2s\n" SERVICES, "services^:", "not valid YAML",
                 "did not find expected ',' or ']'", "flow sequence");
    EXPECT_ERROR(DUR CLIENT "    retry: {attempts: 3\n    timeout: 1s\n" SERVICES, "    timeout^: 1s", "not valid YAML",
                 "flow mapping");
    /* an unclosed quote runs to the end of the file */
    EXPECT_ERROR(DUR "name: \"abc\n", "abc\n^", "not valid YAML", "quoted scalar");
}

static void test_empty_file(void **state)
{
    (void)state;
    static const char *const texts[] = {"", "# nothing but a comment\n", "\n\n"};
    for (size_t i = 0; i < 3; i++) {
        eddy_error err;
        model *m = model_load_string(texts[i], strlen(texts[i]), "empty.yaml", &err);
        assert_null(m);
        assert_string_equal(err.file, "empty.yaml");
        assert_int_equal(err.line, 1);
        assert_int_equal(err.col, 1);
        assert_non_null(strstr(err.msg, "the file is empty; expected a model with duration, clients and services"));
    }
}

/* A bad, duplicate or non-scalar name in clients: or services: is an error,
 * not a crash (model_free once walked an array that did not exist yet).
 * These run in a child process. */
static void test_bad_entity_name(void **state)
{
    (void)state;
    EXPECT_ERROR_ISOLATED(DUR CLIENT "services:\n  \"check out\":\n    workers: 4\n    service_time: 5ms\n",
                          "^\"check out\"", "services: name 'check out' may hold only letters, digits, '_' and '-'");
    EXPECT_ERROR_ISOLATED(DUR "clients:\n  shop.pers:\n    rate: 400/s\n    call: checkout\n" SERVICES, "^shop.pers",
                          "clients: name 'shop.pers' may hold only letters, digits, '_' and '-'");
}

static void test_duplicate_entity_name(void **state)
{
    (void)state;
    EXPECT_ERROR_ISOLATED(DUR CLIENT "services:\n" CHECKOUT CHECKOUT, "5ms\n  ^checkout:",
                          "services: duplicate service name 'checkout' (first given at line 7, column 3)");
    EXPECT_ERROR_ISOLATED(DUR CLIENT SERVICES "  ? [x]\n  : {workers: 1}\n", "? ^[x]",
                          "services: names must be plain words, got a list");
}

static void test_client_named_like_service(void **state)
{
    (void)state;
    /* the error is at whichever of the two comes later in the file, and
     * says where the other one is */
    EXPECT_ERROR(DUR "clients:\n  checkout:\n    rate: 400/s\n    call: checkout\n" SERVICES, "  ^checkout:\n    workers",
                 "services: 'checkout' is also a client name (line 3)", "one name must mean one thing");
    EXPECT_ERROR(DUR SERVICES "clients:\n  checkout:\n    rate: 400/s\n    call: checkout\n", "  ^checkout:\n    rate",
                 "clients: 'checkout' is also a service name (line 3)", "one name must mean one thing");
}

static void test_sample_longer_than_duration(void **state)
{
    (void)state;
    EXPECT_ERROR("duration: 10s\nsample: 20s\n" CLIENT SERVICES, "sample: ^20s",
                 "sample: the telemetry interval must not be longer than duration");
}

/* A model shorter than the default 1 s sample, with no `sample` key, loads:
 * the default shrinks to the duration rather than blaming a key the user
 * never wrote. */
static void test_short_duration_without_sample(void **state)
{
    (void)state;
    const char *yaml = "duration: 500ms\n" CLIENT SERVICES;
    eddy_error err;
    model *m = model_load_string(yaml, strlen(yaml), "short.yaml", &err);
    if (!m)
        fail_msg("did not load: %d:%d %s", err.line, err.col, err.msg);
    assert_int_equal(m->sample, m->duration);
    model_free(m);
}

/* ---- files ------------------------------------------------------------------------- */

static void test_model_load_missing_file(void **state)
{
    (void)state;
    const char *path = "tests/data/model/no-such-model.yaml";
    eddy_error err;
    assert_null(model_load(path, &err));
    assert_string_equal(err.file, path);
    assert_int_equal(err.line, 0);
    assert_non_null(strstr(err.msg, "cannot open"));
    assert_non_null(strstr(err.msg, "No such file"));
    char buf[2048];
    err_format(&err, buf, sizeof buf);
    assert_non_null(strstr(buf, path));
    assert_string_equal(buf, "tests/data/model/no-such-model.yaml: error: cannot open: No such file or directory");
}

static void test_model_load_file_error(void **state)
{
    (void)state;
    const char *path = "tests/data/model/bare-timeout.yaml";
    eddy_error err;
    assert_null(model_load(path, &err));
    assert_string_equal(err.file, path);
    assert_int_equal(err.line, 8);
    assert_int_equal(err.col, 14);
    char buf[2048];
    err_format(&err, buf, sizeof buf);
    const char *want = "tests/data/model/bare-timeout.yaml:8:14: error: clients.shoppers.timeout: expected a duration";
    if (strncmp(buf, want, strlen(want)) != 0)
        fail_msg("formatted error is \"%s\"", buf);
}

/* ---- valid models ------------------------------------------------------------------- */

static const char full_model[] =
    "name: full model\n"
    "description: every feature once\n"
    "duration: 1h\n"
    "seed: 42\n"
    "sample: 2s\n"
    "clients:\n"
    "  shoppers:\n"
    "    rate: 800/s\n"
    "    call: checkout\n"
    "    timeout: 2s\n"
    "    deadline: 10m\n"
    "    latency: 250us\n"
    "    retry: {attempts: 3}\n"
    "  batch:\n"
    "    rate: 3000/m\n"
    "    call: checkout\n"
    "    retry: {attempts: 5, backoff: exponential, base: 5ms, max: 2s, multiplier: 3, on: [timeout, reject]}\n"
    "  ramp:\n"
    "    call: db\n"
    "    rate:\n"
    "      - {at: 0s, rate: 10/s}\n"
    "      - {at: 10m, rate: 20/h}\n"
    "    retry: off\n"
    "  humans:\n"
    "    users: 50\n"
    "    think: {dist: exponential, mean: 2s}\n"
    "    call: checkout\n"
    "    timeout: none\n"
    "services:\n"
    "  checkout:\n"
    "    workers: unlimited\n"
    "    queue: 0\n"
    "    discipline: lifo\n"
    "    service_time: {dist: lognormal, median: 5ms, p99: 50ms}\n"
    "    contention: {sigma: 0.02, kappa: 0.0001}\n"
    "    errors: 0.4\n"
    "    replicas: 3\n"
    "    calls:\n"
    "      - to: db\n"
    "        timeout: 250us\n"
    "        retry: {attempts: 2, backoff: constant, jitter: equal}\n"
    "      - to: cache\n"
    "        latency: {dist: uniform, min: 250us, max: 5ms}\n"
    "  db:\n"
    "    workers: 20\n"
    "    service_time: {dist: gamma, mean: 5ms, cv: 0.5}\n"
    "    errors: 40%\n"
    "  cache:\n"
    "    workers: 8\n"
    "    queue: unlimited\n"
    "    service_time: {dist: lognormal, mean: 1ms, cv: 0.5}\n"
    "faults:\n"
    "  - {at: 10m, for: 2s, target: db, slow: 10x}\n"
    "  - {at: 20m, for: 10m, target: db, add_latency: 250us}\n"
    "  - {at: 30m, for: 5ms, target: checkout, errors: 40%}\n"
    "  - {at: 40m, for: 2s, target: cache, down: true}\n"
    "  - {at: 50m, for: 2s, target: checkout, lose_replicas: 2}\n"
    "actions:\n"
    "  - {at: 15m, client: shoppers, retry: off}\n"
    "  - {at: 16m, client: batch, shed: 40%}\n";

static void assert_pos(model_pos p, const char *needle)
{
    int line, col;
    char why[256];
    if (where(full_model, needle, &line, &col, why, sizeof why) < 0)
        fail_msg("%s", why);
    if (p.line != line || p.col != col)
        fail_msg("position %d:%d, want %d:%d (\"%s\")", p.line, p.col, line, col, needle);
}

#define ALL_ON (RETRY_ON_TIMEOUT | RETRY_ON_ERROR | RETRY_ON_REJECT)

static void test_full_model_values(void **state)
{
    (void)state;
    model *m = load_ok(full_model);
    assert_string_equal(m->file, "good.yaml");
    assert_string_equal(m->name, "full model");
    assert_string_equal(m->description, "every feature once");
    assert_int_equal(m->duration, 3600 * T_SEC); /* 1h */
    assert_int_equal(m->sample, 2 * T_SEC);      /* 2s */
    assert_int_equal(m->seed, 42);
    assert_int_equal(m->nclients, 4);
    assert_int_equal(m->nservices, 3);
    assert_int_equal(m->nfaults, 5);
    assert_int_equal(m->nactions, 2);
    assert_int_equal(model_find_service(m, "checkout"), 0);
    assert_int_equal(model_find_service(m, "db"), 1);
    assert_int_equal(model_find_service(m, "cache"), 2);
    assert_int_equal(model_find_service(m, "shoppers"), -1);
    assert_int_equal(model_find_client(m, "humans"), 3);
    assert_int_equal(model_find_client(m, "checkout"), -1);

    /* shoppers: open loop, 800/s, timeouts and a plain retry policy */
    client_spec *c = &m->clients[0];
    assert_string_equal(c->name, "shoppers");
    assert_false(c->closed);
    assert_int_equal(c->nsteps, 1);
    assert_int_equal(c->steps[0].at, 0);
    assert_true(c->steps[0].rate == 800);
    assert_int_equal(c->call.to, 0);
    assert_int_equal(c->call.timeout, 2 * T_SEC); /* 2s */
    assert_int_equal(c->deadline, 600 * T_SEC);   /* 10m */
    assert_true(c->call.has_latency);
    assert_int_equal(c->call.latency.kind, DIST_CONSTANT);
    assert_true(c->call.latency.a == 250e3); /* 250us */
    assert_int_equal(c->call.retry.attempts, 3);
    assert_int_equal(c->call.retry.backoff, BACKOFF_NONE);
    assert_int_equal(c->call.retry.jitter, JITTER_NONE);
    assert_int_equal(c->call.retry.on, ALL_ON);
    assert_int_equal(c->call.retry.base, 100 * T_MS);
    assert_int_equal(c->call.retry.max, 10 * T_SEC);
    assert_true(c->call.retry.multiplier == 2.0);
    assert_pos(c->pos, "  ^shoppers:");
    assert_pos(c->call.to_pos, "call: ^checkout\n    timeout: 2s");
    assert_pos(c->call.timeout_pos, "timeout: ^2s\n    deadline");
    assert_pos(c->call.retry.pos, "retry: ^{attempts: 3}");

    /* batch: 3000/m is 50/s; exponential backoff defaults to full jitter */
    c = &m->clients[1];
    assert_true(fabs(c->steps[0].rate - 50.0) < 1e-12);
    assert_int_equal(c->call.timeout, 0);
    assert_false(c->call.has_latency);
    assert_int_equal(c->call.retry.attempts, 5);
    assert_int_equal(c->call.retry.backoff, BACKOFF_EXPONENTIAL);
    assert_int_equal(c->call.retry.jitter, JITTER_FULL);
    assert_int_equal(c->call.retry.base, 5 * T_MS);
    assert_int_equal(c->call.retry.max, 2 * T_SEC);
    assert_true(c->call.retry.multiplier == 3.0);
    assert_int_equal(c->call.retry.on, RETRY_ON_TIMEOUT | RETRY_ON_REJECT);

    /* ramp: a list of rate steps; retry off */
    c = &m->clients[2];
    assert_int_equal(c->call.to, 1);
    assert_int_equal(c->nsteps, 2);
    assert_int_equal(c->steps[0].at, 0);
    assert_true(c->steps[0].rate == 10);
    assert_int_equal(c->steps[1].at, 600 * T_SEC);
    assert_true(fabs(c->steps[1].rate - 20.0 / 3600) < 1e-15);
    assert_int_equal(c->call.retry.attempts, 1);
    assert_int_equal(c->call.retry.backoff, BACKOFF_NONE);

    /* humans: closed loop */
    c = &m->clients[3];
    assert_true(c->closed);
    assert_int_equal(c->users, 50);
    assert_int_equal(c->think.kind, DIST_EXPONENTIAL);
    assert_true(dist_mean(&c->think) == 2e9);
    assert_int_equal(c->call.timeout, 0); /* timeout: none */
    assert_int_equal(c->nsteps, 0);

    /* checkout: unlimited workers, no queue, LIFO, two calls */
    service_spec *s = &m->services[0];
    assert_string_equal(s->name, "checkout");
    assert_pos(s->pos, "  ^checkout:\n    workers: unlimited");
    assert_int_equal(s->workers, MODEL_UNLIMITED);
    assert_int_equal(s->queue, 0);
    assert_int_equal(s->discipline, DISC_LIFO);
    assert_int_equal(s->service_time.kind, DIST_LOGNORMAL);
    assert_within_rel(exp(s->service_time.a), 5e6, 1e-9);                      /* median 5ms */
    assert_within_rel(exp(s->service_time.a + 2.3263478740408408 * s->service_time.b), 50e6, 1e-6); /* p99 */
    assert_true(s->sigma == 0.02);
    assert_true(s->kappa == 0.0001);
    assert_true(fabs(s->errors - 0.4) < 1e-15); /* 0.4 */
    assert_int_equal(s->replicas, 3);
    assert_int_equal(s->ncalls, 2);
    assert_int_equal(s->calls[0].to, 1);
    assert_int_equal(s->calls[0].timeout, 250 * T_US);
    assert_int_equal(s->calls[0].retry.attempts, 2);
    assert_int_equal(s->calls[0].retry.backoff, BACKOFF_CONSTANT);
    assert_int_equal(s->calls[0].retry.jitter, JITTER_EQUAL);
    assert_pos(s->calls[0].to_pos, "to: ^db");
    assert_int_equal(s->calls[1].to, 2);
    assert_true(s->calls[1].has_latency);
    assert_int_equal(s->calls[1].latency.kind, DIST_UNIFORM);
    assert_true(s->calls[1].latency.a == 250e3 && s->calls[1].latency.b == 5e6);
    assert_int_equal(s->calls[1].retry.attempts, 1); /* no retry key: defaults */
    assert_int_equal(s->calls[1].retry.on, ALL_ON);

    /* db: 40% errors, gamma; queue and replicas default */
    s = &m->services[1];
    assert_int_equal(s->workers, 20);
    assert_int_equal(s->queue, MODEL_UNLIMITED);
    assert_int_equal(s->discipline, DISC_FIFO);
    assert_int_equal(s->replicas, 1);
    assert_true(fabs(s->errors - 0.4) < 1e-15); /* 40% */
    assert_int_equal(s->service_time.kind, DIST_GAMMA);
    assert_within_rel(dist_mean(&s->service_time), 5e6, 1e-12);
    assert_within_rel(s->service_time.a, 4.0, 1e-12); /* shape 1/cv^2 */

    s = &m->services[2];
    assert_int_equal(s->queue, MODEL_UNLIMITED);
    assert_int_equal(s->service_time.kind, DIST_LOGNORMAL);
    assert_within_rel(dist_mean(&s->service_time), 1e6, 1e-9);

    /* faults, one of each kind */
    fault_spec *f = m->faults;
    assert_int_equal(f[0].kind, FAULT_SLOW);
    assert_int_equal(f[0].at, 600 * T_SEC);
    assert_int_equal(f[0].dur, 2 * T_SEC);
    assert_int_equal(f[0].target, 1);
    assert_true(f[0].factor == 10);
    assert_int_equal(f[1].kind, FAULT_ADD_LATENCY);
    assert_int_equal(f[1].latency, 250 * T_US);
    assert_int_equal(f[1].dur, 600 * T_SEC);
    assert_int_equal(f[2].kind, FAULT_ERRORS);
    assert_int_equal(f[2].target, 0);
    assert_int_equal(f[2].dur, 5 * T_MS);
    assert_true(fabs(f[2].errors - 0.4) < 1e-15);
    assert_int_equal(f[3].kind, FAULT_DOWN);
    assert_int_equal(f[3].target, 2);
    assert_int_equal(f[3].at, 2400 * T_SEC);
    assert_int_equal(f[4].kind, FAULT_LOSE_REPLICAS);
    assert_int_equal(f[4].replicas, 2);
    assert_int_equal(f[4].target, 0);
    assert_pos(f[4].pos, "- ^{at: 50m");
    assert_string_equal(fault_kind_name(f[4].kind), "lose_replicas");

    /* actions */
    action_spec *a = m->actions;
    assert_int_equal(a[0].kind, ACTION_RETRY);
    assert_int_equal(a[0].client, 0);
    assert_false(a[0].retry_on);
    assert_int_equal(a[0].at, 900 * T_SEC);
    assert_int_equal(a[1].kind, ACTION_SHED);
    assert_int_equal(a[1].client, 1);
    assert_true(fabs(a[1].shed - 0.4) < 1e-15);
    assert_int_equal(a[1].at, 960 * T_SEC);

    assert_string_equal(backoff_name(BACKOFF_EXPONENTIAL), "exponential");
    assert_string_equal(jitter_name(JITTER_FULL), "full");
    model_free(m);
}

static void test_defaults(void **state)
{
    (void)state;
    model *m = load_ok(BASE);
    assert_null(m->name);
    assert_null(m->description);
    assert_int_equal(m->seed, 1);
    assert_int_equal(m->sample, T_SEC);
    assert_int_equal(m->duration, 600 * T_SEC);
    assert_int_equal(m->nfaults, 0);
    assert_int_equal(m->nactions, 0);
    service_spec *s = &m->services[0];
    assert_int_equal(s->workers, 4);
    assert_int_equal(s->queue, MODEL_UNLIMITED);
    assert_int_equal(s->replicas, 1);
    assert_int_equal(s->discipline, DISC_FIFO);
    assert_true(s->errors == 0 && s->sigma == 0 && s->kappa == 0);
    assert_int_equal(s->ncalls, 0);
    assert_int_equal(s->service_time.kind, DIST_CONSTANT);
    assert_true(s->service_time.a == 5e6);
    client_spec *c = &m->clients[0];
    assert_false(c->closed);
    assert_int_equal(c->call.timeout, 0);
    assert_int_equal(c->deadline, 0);
    assert_false(c->call.has_latency);
    assert_int_equal(c->call.retry.attempts, 1);
    assert_int_equal(c->call.retry.backoff, BACKOFF_NONE);
    assert_int_equal(c->call.retry.jitter, JITTER_NONE);
    assert_int_equal(c->call.retry.on, ALL_ON);
    model_free(m);

    /* an explicit jitter overrides exponential backoff's default */
    m = load_ok(DUR CLIENT "    retry: {attempts: 3, backoff: exponential, jitter: none}\n" SERVICES);
    assert_int_equal(m->clients[0].call.retry.backoff, BACKOFF_EXPONENTIAL);
    assert_int_equal(m->clients[0].call.retry.jitter, JITTER_NONE);
    model_free(m);
    /* a call may name a service defined further down */
    m = load_ok(DUR CLIENT "services:\n" CHECKOUT "    calls: [{to: db}]\n" DB);
    assert_int_equal(m->services[0].calls[0].to, 1);
    model_free(m);
    /* latency: 0s is no latency at all */
    m = load_ok(DUR CLIENT "    latency: 0s\n" SERVICES);
    assert_false(m->clients[0].call.has_latency);
    model_free(m);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static void test_examples_load(void **state)
{
    (void)state;
    DIR *d = opendir("examples");
    assert_non_null(d);
    int n = 0, saw_mmc = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        /* only the files directly in examples/: examples/loops/ holds other formats */
        if (!ends_with(e->d_name, ".yaml"))
            continue;
        char path[1024];
        snprintf(path, sizeof path, "examples/%s", e->d_name);
        eddy_error err;
        model *m = model_load(path, &err);
        if (!m) {
            char buf[2048];
            err_format(&err, buf, sizeof buf);
            closedir(d);
            fail_msg("%s", buf);
        }
        assert_true(m->nclients >= 1 && m->nservices >= 1);
        model_free(m);
        saw_mmc |= strcmp(e->d_name, "mmc.yaml") == 0;
        n++;
    }
    closedir(d);
    assert_true(n >= 2);
    assert_true(saw_mmc);
}

/* ---- libyaml's errors, in plain words with the line and a caret ------------- */

static void test_yaml_errors_in_words(void **state)
{
    (void)state;
    struct {
        const char *file;
        int line, col;
        const char *words, *shown;
    } cases[] = {
        {"tab.yaml", 5, 1, "a tab character; YAML indents with spaces only", "\n     5 | \xe2\x86\x92" "call: checkout\n       | ^"},
        {"indent-deeper.yaml", 9, 19, "a ':' here does not fit the indentation",
         "\n     9 |       service_time: 5ms\n       |                   ^"},
        {"indent-shallower.yaml", 9, 4, "inconsistent indentation: this line is indented differently from the keys "
                                        "of the mapping that starts at line 7, column 3",
         "\n     9 |    service_time: 5ms\n       |    ^"},
        {"unclosed-flow.yaml", 4, 9, "an unclosed '{': the flow mapping opened at line 3, column 13 needs a '}'",
         "\n     4 | services:\n       |         ^"},
        {"second-document.yaml", 10, 1, "a second YAML document (after '---')", "\n    10 | ---\n       | ^"},
        /* lines broken by \r alone, as libyaml counts them (fuzzing found
         * the error's look-up reading past the end of such a text) */
        {"cr-line-breaks.yaml", 3, 6, "'@' is reserved in YAML and cannot start a value",
         "\n     3 |   c: @x\n       |      ^"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[256];
        snprintf(path, sizeof path, "tests/data/bad/%s", cases[i].file);
        eddy_error err;
        model *m = model_load(path, &err);
        if (m)
            fail_msg("%s loaded", path);
        if (err.line != cases[i].line || err.col != cases[i].col || !strstr(err.msg, cases[i].words) ||
            !strstr(err.msg, cases[i].shown) || strcmp(err.file, path))
            fail_msg("%s: got %s:%d:%d: %s", path, err.file, err.line, err.col, err.msg);
    }
}

/* The bytes of a text exactly, with nothing after them, so that a read past
 * the end is AddressSanitizer's to see (make test-asan). */
static void test_yaml_error_at_end_of_text(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int line;
        const char *words;
    } cases[] = {
        {"\r@", 2, "'@' is reserved in YAML"},
        {"\r\n@", 2, "'@' is reserved in YAML"},
        {"a:\r  b: 1\r\t", 3, "a tab character"},
        {"\xe2\x80\xa8@", 2, "'@' is reserved in YAML"}, /* after a Unicode line separator */
        {"\xc2\x85`", 2, "'`' is reserved in YAML"},      /* after a NEL */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = strlen(cases[i].text);
        char *t = malloc(n);
        assert_non_null(t);
        memcpy(t, cases[i].text, n);
        eddy_error err;
        assert_null(model_load_string(t, n, "end.yaml", &err));
        if (err.line != cases[i].line || err.col != 1 || !strstr(err.msg, cases[i].words))
            fail_msg("case %zu: %d:%d: %s", i, err.line, err.col, err.msg);
        free(t);
    }
}

/* ---- did you mean ----------------------------------------------------------------- */

static void test_did_you_mean(void **state)
{
    (void)state;
    EXPECT_ERROR(DUR CLIENT "services:\n  checkout:\n    workers: 4\n    service_tme: 5ms\n", "^service_tme",
                 "services.checkout: unknown key 'service_tme' (did you mean 'service_time'?)");
    EXPECT_ERROR(DUR CLIENT "    timeout: 2sec\n" SERVICES, "timeout: ^2sec", "got '2sec' (did you mean '2s'?)");
    EXPECT_ERROR(DUR "clients:\n  shoppers:\n    rate: 300 rps\n    call: checkout\n" SERVICES, "rate: ^300 rps",
                 "got '300 rps' (did you mean '300/s'?)");
    EXPECT_ERROR(DUR "clients:\n  shoppers:\n    rate: 300\n    call: checkout\n" SERVICES, "rate: ^300",
                 "(a rate needs a unit: did you mean '300/s'?)");
    EXPECT_ERROR(DUR CLIENT "services:\n" CHECKOUT "    discipline: lifa\n", "discipline: ^lifa",
                 "expected one of fifo|lifo|adaptive_lifo, got 'lifa' (did you mean 'lifo'?)");
    EXPECT_ERROR(DUR CLIENT "services:\n" CHECKOUT "    calls: [{to: dbb}]\n" DB, "to: ^dbb",
                 "no service named 'dbb' (did you mean 'db'?); the services are: checkout, db");
    EXPECT_ERROR(DUR CLIENT "services:\n" CHECKOUT "    queue: unlimted\n", "queue: ^unlimted",
                 "got 'unlimted' (did you mean 'unlimited'?)");
    /* nothing close: no guess */
    EXPECT_ERROR(DUR CLIENT "services:\n" CHECKOUT "    colour: red\n", "^colour", "unknown key 'colour'; expected");
}

/* ---- limits ------------------------------------------------------------------------ */

#include <time.h>

/* The process's CPU time, not the wall clock: these bounds catch a hang or a
 * quadratic scan (tens of seconds), and must not fail because the machine
 * is busy with other work.  Speed itself is measured in bench/. */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A model with `extra` spliced in as the description's value. */
static char *with_value(const char *extra)
{
    size_t n = strlen(extra) + 512;
    char *s = malloc(n);
    assert_non_null(s);
    snprintf(s, n, "%s" CLIENT SERVICES "description: %s\n", DUR, extra);
    return s;
}

static void test_limit_nesting(void **state)
{
    (void)state;
    /* 100,000 deep: refused at once, not after libyaml's scanner has spent
     * half a minute on it */
    size_t depth = 100000;
    char *open = malloc(2 * depth + 1);
    assert_non_null(open);
    for (size_t i = 0; i < depth; i++)
        open[i] = '[';
    for (size_t i = 0; i < depth; i++)
        open[depth + i] = ']';
    open[2 * depth] = 0;
    char *yaml = with_value(open);
    double t0 = now_s();
    EXPECT_ERROR(yaml, NULL, "nested more than 64 deep");
    assert_true(now_s() - t0 < 1.0);
    free(yaml);
    /* block style, as deep as the limit allows and one more */
    char buf[16384] = "x:\n";
    for (int i = 1; i < 70; i++) {
        size_t l = strlen(buf);
        memset(buf + l, ' ', (size_t)(2 * i));
        snprintf(buf + l + 2 * i, sizeof buf - l - 2 * i, "x:\n");
    }
    eddy_error err;
    assert_null(model_load_string(buf, strlen(buf), "bad.yaml", &err));
    assert_non_null(strstr(err.msg, "nested more than 64 deep"));
    assert_int_equal(err.line, 65);
    free(open);
}

static void test_limit_aliases(void **state)
{
    (void)state;
    /* a billion laughs: 10 levels of 10 aliases, 10^10 nodes expanded */
    char yaml[4096];
    size_t n = (size_t)snprintf(yaml, sizeof yaml, DUR CLIENT SERVICES "description:\n  a0: &a0 [lol]\n");
    for (int i = 1; i < 10; i++) {
        n += (size_t)snprintf(yaml + n, sizeof yaml - n, "  a%d: &a%d [", i, i);
        for (int j = 0; j < 10; j++)
            n += (size_t)snprintf(yaml + n, sizeof yaml - n, "%s*a%d", j ? ", " : "", i - 1);
        n += (size_t)snprintf(yaml + n, sizeof yaml - n, "]\n");
    }
    double t0 = now_s();
    EXPECT_ERROR(yaml, NULL, "aliases expand the document to more than 4000000 nodes");
    assert_true(now_s() - t0 < 2.0);
    /* an alias inside its own anchor's node: a cycle, refused at the alias */
    EXPECT_ERROR(DUR CLIENT SERVICES "description: &x [a, *x]\n", "[a, ^*x]",
                 "the alias *x is inside the node its anchor &x names");
    /* a few aliases of a shared retry policy are fine */
    model *m = load_ok(DUR "clients:\n  a:\n    rate: 1/s\n    call: checkout\n    retry: &r {attempts: 3}\n"
                           "  b:\n    rate: 1/s\n    call: checkout\n    retry: *r\n" SERVICES);
    assert_int_equal(m->clients[1].call.retry.attempts, 3);
    model_free(m);
}

static void test_limit_scalar_and_numbers(void **state)
{
    (void)state;
    /* a 1 MB name */
    size_t len = 1 << 20;
    char *name = malloc(len + 1);
    assert_non_null(name);
    memset(name, 'a', len);
    name[len] = 0;
    char *yaml = with_value(name);
    EXPECT_ERROR(yaml, NULL, "a value of 1048576 bytes; the limit is 65536 bytes");
    free(yaml);
    free(name);
    EXPECT_ERROR(DUR CLIENT "services:\n" CHECKOUT "    contention: {sigma: 1e999}\n", "sigma: ^1e999",
                 "services.checkout.contention.sigma: '1e999' is not a finite number");
    EXPECT_ERROR(DUR CLIENT "services:\n" CHECKOUT "    errors: -1e999\n", "errors: ^-1e999",
                 "'-1e999' is not a finite number");
}

/* A chain of services, each calling the next: the cycle check walks it
 * without recursion (a 7,500-deep chain once overflowed the stack). */
static void test_long_call_chain(void **state)
{
    (void)state;
    size_t n = 8000, cap = n * 80 + 256;
    char *yaml = malloc(cap);
    assert_non_null(yaml);
    size_t k = (size_t)snprintf(yaml, cap, "duration: 1s\nclients: {c: {rate: 1/s, call: s0}}\nservices:\n");
    for (size_t i = 0; i < n; i++) {
        if (i + 1 < n)
            k += (size_t)snprintf(yaml + k, cap - k, "  s%zu: {workers: 1, service_time: 1ms, calls: [{to: s%zu}]}\n",
                                  i, i + 1);
        else
            k += (size_t)snprintf(yaml + k, cap - k, "  s%zu: {workers: 1, service_time: 1ms}\n", i);
    }
    eddy_error err;
    model *m = model_load_string(yaml, k, "chain.yaml", &err);
    if (!m)
        fail_msg("%d:%d %s", err.line, err.col, err.msg);
    assert_int_equal(m->nservices, n);
    assert_int_equal(m->services[n - 2].calls[0].to, (int)n - 1);
    model_free(m);
    /* close the loop: the last calls the first, and the error names the chain */
    k -= strlen("}\n");
    k += (size_t)snprintf(yaml + k, cap - k, ", calls: [{to: s0}]}\n");
    EXPECT_ERROR_ISOLATED(yaml, "calls: [{to: ^s0}]}\n", "the call graph has a cycle (s0 -> s1 -> s2", "... -> s0)");
    free(yaml);
}

static void test_duplicate_names_hashed(void **state)
{
    (void)state;
    /* 20,000 services, the last a duplicate of one early on: found by the
     * hash, naming where the first one is */
    size_t n = 20000, cap = n * 64 + 256;
    char *yaml = malloc(cap);
    assert_non_null(yaml);
    size_t k = (size_t)snprintf(yaml, cap, "duration: 1s\nclients: {c: {rate: 1/s, call: s0}}\nservices:\n");
    for (size_t i = 0; i < n; i++)
        k += (size_t)snprintf(yaml + k, cap - k, "  s%zu: {workers: 1, service_time: 1ms}\n", i);
    k += (size_t)snprintf(yaml + k, cap - k, "  s7: {workers: 1, service_time: 1ms}\n");
    double t0 = now_s();
    eddy_error err;
    assert_null(model_load_string(yaml, k, "dup.yaml", &err));
    assert_true(now_s() - t0 < 2.0);
    assert_non_null(strstr(err.msg, "services: duplicate service name 's7' (first given at line 11, column 3)"));
    assert_int_equal(err.line, (int)n + 4);
    free(yaml);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base_is_valid),
        cmocka_unit_test(test_unknown_key_top_level),
        cmocka_unit_test(test_unknown_key_nested),
        cmocka_unit_test(test_duplicate_key),
        cmocka_unit_test(test_wrong_type_mapping_for_scalar),
        cmocka_unit_test(test_wrong_type_list_for_mapping),
        cmocka_unit_test(test_bare_number_duration),
        cmocka_unit_test(test_bad_rate_unit),
        cmocka_unit_test(test_fraction_out_of_range),
        cmocka_unit_test(test_bad_enum),
        cmocka_unit_test(test_call_to_unknown_service),
        cmocka_unit_test(test_call_graph_cycle),
        cmocka_unit_test(test_diamond_is_not_a_cycle),
        cmocka_unit_test(test_missing_required_keys),
        cmocka_unit_test(test_rate_and_users),
        cmocka_unit_test(test_fault_two_effects),
        cmocka_unit_test(test_fault_down_false),
        cmocka_unit_test(test_fault_lose_more_replicas_than_exist),
        cmocka_unit_test(test_action_errors),
        cmocka_unit_test(test_dist_params),
        cmocka_unit_test(test_lognormal_p99_not_above_median),
        cmocka_unit_test(test_rate_steps_out_of_order),
        cmocka_unit_test(test_invalid_yaml_syntax),
        cmocka_unit_test(test_empty_file),
        cmocka_unit_test(test_bad_entity_name),
        cmocka_unit_test(test_duplicate_entity_name),
        cmocka_unit_test(test_client_named_like_service),
        cmocka_unit_test(test_sample_longer_than_duration),
        cmocka_unit_test(test_short_duration_without_sample),
        cmocka_unit_test(test_model_load_missing_file),
        cmocka_unit_test(test_model_load_file_error),
        cmocka_unit_test(test_full_model_values),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_examples_load),
        cmocka_unit_test(test_yaml_errors_in_words),
        cmocka_unit_test(test_yaml_error_at_end_of_text),
        cmocka_unit_test(test_did_you_mean),
        cmocka_unit_test(test_limit_nesting),
        cmocka_unit_test(test_limit_aliases),
        cmocka_unit_test(test_limit_scalar_and_numbers),
        cmocka_unit_test(test_long_call_chain),
        cmocka_unit_test(test_duplicate_names_hashed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
