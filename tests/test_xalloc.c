/* test_xalloc.c -- out of memory ends in a message and exit status 2, never
 * a bare abort() (src/core/xalloc.h, docs/reliability.md).
 *
 * Each failure is provoked in a forked child, whose stderr comes back
 * through a pipe: the parent checks that the child exited (not killed by
 * SIGABRT) with status 2 and said "eddy: out of memory".  The last test runs
 * the real eddy binary under a small address-space limit (RLIMIT_AS) on a
 * model whose queue grows without bound. */
#include "testutil.h"

#include <fcntl.h>
#include <jansson.h>
#include <libxml/xmlmemory.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/xalloc.h"

/* AddressSanitizer reserves terabytes of shadow memory, so an address-space
 * limit stops it before eddy's own allocations: the RLIMIT_AS test is
 * skipped under ASan.  ASan also reports an impossible size as an error of
 * its own unless told to return NULL, as the C library does. */
#if defined(__SANITIZE_ADDRESS__)
#define XT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define XT_ASAN 1
#endif
#endif
#ifdef XT_ASAN
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "allocator_may_return_null=1"; }
#endif

typedef struct xt_result {
    int exited, status, signal;
    char err[4096];
} xt_result;

/* Run fn(arg) in a child with stderr captured; fn is expected to exit. */
static xt_result xt_child(void (*fn)(const void *), const void *arg)
{
    int fd[2];
    assert_int_equal(pipe(fd), 0);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fd[0]);
        dup2(fd[1], 2);
        close(fd[1]);
        fn(arg);
        _exit(0); /* fn returned: the allocation did not fail */
    }
    close(fd[1]);
    xt_result r = {0};
    size_t n = 0;
    ssize_t k;
    while ((k = read(fd[0], r.err + n, sizeof r.err - 1 - n)) > 0)
        n += (size_t)k;
    r.err[n] = 0;
    close(fd[0]);
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    r.exited = WIFEXITED(st);
    r.status = r.exited ? WEXITSTATUS(st) : -1;
    r.signal = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
    return r;
}

/* The child exited 2 with the message, and was not killed by a signal. */
static void xt_expect_oom(const xt_result *r)
{
    if (!r->exited || r->status != 2 || !strstr(r->err, "eddy: out of memory"))
        fail_msg("want exit 2 and \"eddy: out of memory\"; got %s %d, stderr:\n%s",
                 r->exited ? "exit status" : "signal", r->exited ? r->status : r->signal, r->err);
}

static void xt_malloc_huge(const void *arg)
{
    (void)arg;
    volatile size_t n = SIZE_MAX / 2; /* volatile: no compiler folds this away */
    void *p = xmalloc(n);
    free(p);
}

static void test_xmalloc_impossible_size_exits_2(void **state)
{
    (void)state;
    xt_result r = xt_child(xt_malloc_huge, NULL);
    xt_expect_oom(&r);
    /* the size it tried, so a user can see how far off the machine was */
    char want[64];
    snprintf(want, sizeof want, "(allocating %zu bytes)", SIZE_MAX / 2);
    if (!strstr(r.err, want))
        fail_msg("want \"%s\" in: %s", want, r.err);
}

/* Still reachable when the child exits, so LeakSanitizer does not count it. */
static void *volatile xt_kept;

static void xt_reallocarray_overflow(const void *arg)
{
    (void)arg;
    volatile size_t n = SIZE_MAX / 4 + 1; /* times 8 overflows size_t */
    xt_kept = xmalloc(16);
    xt_kept = xreallocarray(xt_kept, n, 8);
    free(xt_kept);
}

static void test_xreallocarray_overflow_exits_2(void **state)
{
    (void)state;
    xt_result r = xt_child(xt_reallocarray_overflow, NULL);
    xt_expect_oom(&r);
}

static void xt_calloc_overflow(const void *arg)
{
    (void)arg;
    volatile size_t n = SIZE_MAX / 2;
    free(xcalloc(n, 3));
}

static void test_xcalloc_overflow_exits_2(void **state)
{
    (void)state;
    xt_result r = xt_child(xt_calloc_overflow, NULL);
    xt_expect_oom(&r);
}

/* Zero bytes asked: a real pointer, never NULL, that free() takes. */
static void test_zero_size_is_not_null(void **state)
{
    (void)state;
    void *a = xmalloc(0), *b = xcalloc(0, 8), *c = xcalloc(8, 0);
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(c);
    a = xrealloc(a, 0);
    assert_non_null(a);
    b = xreallocarray(b, 0, 16);
    assert_non_null(b);
    free(a);
    free(b);
    free(c);
}

static void test_strdup_and_strndup(void **state)
{
    (void)state;
    char *s = xstrdup("retry storm"), *t = xstrndup("retry storm", 5), *u = xstrndup("ab", 10);
    assert_string_equal(s, "retry storm");
    assert_string_equal(t, "retry");
    assert_string_equal(u, "ab");
    free(s);
    free(t);
    free(u);
}

/* After xalloc_libraries(), jansson's and libxml2's allocations fail the
 * same way: without the hook, both would hand NULL back instead. */
static void xt_jansson_huge(const void *arg)
{
    (void)arg;
    xalloc_libraries();
    volatile size_t n = SIZE_MAX / 2;
    /* jansson copies the string into a buffer of n + 1 bytes first: the
     * allocation fails before a byte of "x" past its end is read. */
    json_t *j = json_stringn_nocheck("x", n);
    json_decref(j);
}

static void test_jansson_out_of_memory_exits_2(void **state)
{
    (void)state;
    xt_result r = xt_child(xt_jansson_huge, NULL);
    xt_expect_oom(&r);
}

static void xt_libxml_huge(const void *arg)
{
    (void)arg;
    xalloc_libraries();
    volatile size_t n = SIZE_MAX / 2;
    xmlFree(xmlMalloc(n));
}

static void test_libxml2_out_of_memory_exits_2(void **state)
{
    (void)state;
    xt_result r = xt_child(xt_libxml_huge, NULL);
    xt_expect_oom(&r);
}

#ifndef XT_ASAN
/* The real program, its address space limited to 128 MB, on a model whose
 * queue grows without bound (a million requests a second, one worker, an
 * hour each): its memory runs out in well under a second of wall time. */
static const char xt_flood[] = "name: flood\n"
                               "duration: 1h\n"
                               "seed: 1\n"
                               "sample: 1s\n"
                               "clients:\n"
                               "  users:\n"
                               "    rate: 1000000/s\n"
                               "    call: slow\n"
                               "services:\n"
                               "  slow:\n"
                               "    workers: 1\n"
                               "    queue: unlimited\n"
                               "    service_time: {dist: constant, value: 1h}\n";

static void xt_run_eddy_limited(const void *arg)
{
    const char *model = arg;
    const char *eddy = getenv("EDDY");
    if (!eddy || !*eddy)
        eddy = "./eddy";
    struct rlimit rl = {128u << 20, 128u << 20};
    if (setrlimit(RLIMIT_AS, &rl) != 0)
        _exit(99);
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    execl(eddy, eddy, "run", model, "-o", "/dev/null", (char *)NULL);
    _exit(98);
}
#endif

static void test_eddy_out_of_memory_exits_2(void **state)
{
    (void)state;
#ifdef XT_ASAN
    skip(); /* RLIMIT_AS and ASan's shadow memory do not mix (see top) */
#else
    char dir[] = "/tmp/eddy-test-xalloc-XXXXXX", model[64];
    assert_non_null(mkdtemp(dir));
    snprintf(model, sizeof model, "%s/flood.yaml", dir);
    FILE *fp = fopen(model, "w");
    assert_non_null(fp);
    fputs(xt_flood, fp);
    fclose(fp);
    xt_result r = xt_child(xt_run_eddy_limited, model);
    remove(model);
    rmdir(dir);
    xt_expect_oom(&r);
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xmalloc_impossible_size_exits_2), cmocka_unit_test(test_xreallocarray_overflow_exits_2),
        cmocka_unit_test(test_xcalloc_overflow_exits_2),        cmocka_unit_test(test_zero_size_is_not_null),
        cmocka_unit_test(test_strdup_and_strndup),              cmocka_unit_test(test_jansson_out_of_memory_exits_2),
        cmocka_unit_test(test_libxml2_out_of_memory_exits_2),   cmocka_unit_test(test_eddy_out_of_memory_exits_2),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
