/* test_mpi.c -- eddy-mpi, and the wire format its ranks exchange results in.
 *
 * The wire format is tested on its own (no MPI needed): a real run's result
 * goes to bytes and back bit for bit, an error comes back as it went, and
 * every truncated or inconsistent message is refused without a leak; and
 * batch_run, given a network of two whose other rank is played by the test,
 * runs only its share and fills every slot with the peer's results.
 *
 * eddy-mpi is tested as a user runs it, `mpirun --oversubscribe -np 3
 * eddy-mpi ...`, whenever `make test` found OpenMPI and built it (it sets
 * EDDY_MPI; otherwise those tests are skipped): diagnose, fix, sweep and
 * basin must print exactly what `eddy ... -j 1` prints and write the same
 * CSV, also when a rank has no job at all, and the other commands are
 * refused with exit status 2. */
#include "testutil.h"
#include "testproc.h"

#include <math.h>
#include <unistd.h>

#include "analysis/batch.h"
#include "analysis/wire.h"
#include "model/model.h"

static const char *mpi_bin; /* build/eddy-mpi, or NULL: skip */
static const char *plain;   /* build/eddy */

static int setup(void **state)
{
    (void)state;
    if (proc_begin("mpi") < 0)
        return -1;
    plain = eddy;
    const char *p = getenv("EDDY_MPI");
    mpi_bin = p && *p && access(p, X_OK) == 0 ? p : NULL;
    /* OpenMPI refuses to run as root without these (CI runs as root). */
    setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 0);
    setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return proc_end();
}

/* ---- the wire format ------------------------------------------------------------ */

static model *load_ok(const char *path)
{
    eddy_error err;
    model *m = model_load(path, &err);
    if (!m)
        fail_msg("%s:%d:%d: %s", err.file, err.line, err.col, err.msg);
    return m;
}

static void test_wire_round_trip(void **state)
{
    (void)state;
    /* a cache, call edges with mechanisms, a fault: every part of a result */
    model *m = load_ok("examples/cold-cache.yaml");
    eddy_options o = eddy_options_default();
    eddy_result a, b;
    eddy_error err;
    assert_int_equal(eddy_run(m, &o, &a, &err), 0);
    assert_true(a.series.nrows > 10 && a.ncaches > 0 && a.nedges > 0);

    wire_buf buf = {0};
    wire_put_run(&buf, 0, &err, &a);
    wire_rd r = {buf.p, buf.n, 0};
    int rc = -1;
    assert_int_equal(wire_get_run(&r, m, &rc, &err, &b), 0);
    assert_int_equal(rc, 0);
    assert_int_equal(r.at, buf.n); /* all of it read */

    assert_int_equal(b.series.ncols, a.series.ncols);
    assert_int_equal(b.series.nrows, a.series.nrows);
    for (size_t i = 0; i < a.series.ncols; i++)
        assert_string_equal(b.series.names[i], a.series.names[i]);
    /* bit for bit, NaNs included */
    assert_memory_equal(b.series.values, a.series.values, a.series.nrows * a.series.ncols * sizeof(double));
    assert_int_equal(b.nclients, a.nclients);
    assert_memory_equal(b.clients, a.clients, a.nclients * sizeof *a.clients);
    assert_int_equal(b.nservices, a.nservices);
    assert_memory_equal(b.services, a.services, a.nservices * sizeof *a.services);
    assert_int_equal(b.ncaches, a.ncaches);
    assert_memory_equal(b.caches, a.caches, a.ncaches * sizeof *a.caches);
    assert_int_equal(b.nedges, a.nedges);
    for (size_t i = 0; i < a.nedges; i++) {
        assert_string_equal(b.edges[i].name, a.edges[i].name);
        assert_ptr_not_equal(b.edges[i].name, a.edges[i].name); /* its own copy, freed with b */
        eddy_edge_totals x = a.edges[i], y = b.edges[i];
        x.name = y.name = NULL;
        assert_memory_equal(&x, &y, sizeof x);
    }
    assert_memory_equal(&b.engine, &a.engine, sizeof a.engine);
    assert_int_equal(b.seed, a.seed);
    assert_true(b.duration == a.duration);
    eddy_result_free(&b);

    /* Cut short anywhere, or claiming another model's counts: refused. */
    for (size_t cut = 0; cut < buf.n; cut += 1 + buf.n / 300) {
        wire_rd t = {buf.p, cut, 0};
        if (wire_get_run(&t, m, &rc, &err, &b) == 0)
            fail_msg("a message cut to %zu of %zu bytes was accepted", cut, buf.n);
    }
    model *other = load_ok("examples/mmc.yaml");
    assert_int_not_equal(other->nclients + other->nservices + other->ncaches,
                         m->nclients + m->nservices + m->ncaches);
    wire_rd t = {buf.p, buf.n, 0};
    assert_int_equal(wire_get_run(&t, other, &rc, &err, &b), -1);
    model_free(other);

    /* A run that failed travels as its error. */
    wire_free(&buf);
    eddy_error e = {.line = 3, .col = 7};
    snprintf(e.file, sizeof e.file, "m.yaml");
    snprintf(e.msg, sizeof e.msg, "no progress");
    wire_put_run(&buf, -1, &e, NULL);
    r = (wire_rd){buf.p, buf.n, 0};
    memset(&err, 0, sizeof err);
    assert_int_equal(wire_get_run(&r, m, &rc, &err, &b), 0);
    assert_int_equal(rc, -1);
    assert_string_equal(err.msg, "no progress");
    assert_int_equal(err.line, 3);
    assert_int_equal(err.col, 7);

    wire_free(&buf);
    eddy_result_free(&a);
    model_free(m);
}

/* ---- batch_run across processes, with a peer made by hand ------------------------ */

/* Job i's result: a value no other job has, NaN for job 5 (it must come
 * back bit for bit). */
static double job_value(size_t i) { return i == 5 ? NAN : (double)i * (double)i + 0.25; }

typedef struct toy {
    double *slot;
    size_t ran; /* jobs run by this process */
} toy;

static void toy_job(size_t i, void *ud)
{
    toy *t = ud;
    t->slot[i] = job_value(i);
    __atomic_fetch_add(&t->ran, 1, __ATOMIC_RELAXED);
}

static void toy_pack(size_t i, void *ud, wire_buf *out)
{
    toy *t = ud;
    wire_put(out, &t->slot[i], sizeof t->slot[i]);
}

static int toy_unpack(size_t i, void *ud, wire_rd *in)
{
    toy *t = ud;
    return wire_get(in, &t->slot[i], sizeof t->slot[i]);
}

enum { TOY_JOBS = 11 };

/* Rank 0 of 2: the peer (rank 1) sends jobs 1, 3, 5, ... as batch_run
 * frames them: each job's length, then its bytes. */
static int fake_allgather(const void *mine, size_t len, unsigned char **all, size_t *lens, void *ctx)
{
    (void)ctx;
    wire_buf peer = {0};
    for (size_t i = 1; i < TOY_JOBS; i += 2) {
        uint64_t n = sizeof(double);
        double v = job_value(i);
        wire_put(&peer, &n, sizeof n);
        wire_put(&peer, &v, sizeof v);
    }
    *all = malloc(len + peer.n);
    assert_non_null(*all);
    memcpy(*all, mine, len);
    memcpy(*all + len, peer.p, peer.n);
    lens[0] = len;
    lens[1] = peer.n;
    wire_free(&peer);
    return 0;
}

static void test_batch_run_over_a_network(void **state)
{
    (void)state;
    static const batch_io io = {toy_pack, toy_unpack};
    toy t = {calloc(TOY_JOBS, sizeof(double)), 0};
    assert_non_null(t.slot);
    batch_net net = {.rank = 0, .size = 2, .allgather = fake_allgather};
    batch_set_net(&net);
    assert_int_equal(batch_run(TOY_JOBS, 2, toy_job, &t, &io, NULL, NULL), 0);
    batch_set_net(NULL);
    assert_int_equal(t.ran, (TOY_JOBS + 1) / 2); /* only its share: 0, 2, ..., 10 */
    for (size_t i = 0; i < TOY_JOBS; i++) {
        double want = job_value(i);
        assert_memory_equal(&t.slot[i], &want, sizeof want);
    }
    /* without a network, every job runs here */
    memset(t.slot, 0, TOY_JOBS * sizeof(double));
    t.ran = 0;
    assert_int_equal(batch_run(TOY_JOBS, 2, toy_job, &t, &io, NULL, NULL), 0);
    assert_int_equal(t.ran, TOY_JOBS);
    free(t.slot);
}

/* ---- eddy-mpi ------------------------------------------------------------------- */

/* Run through `env`: OpenMPI's own allocations outlive MPI_Finalize, which
 * LeakSanitizer (make test-asan) would report as eddy-mpi's leaks.  eddy's
 * part of eddy-mpi (wire.c, batch_run) is leak-checked in this process by
 * the tests above. */
#define MPIRUN "ASAN_OPTIONS=detect_leaks=0 mpirun --oversubscribe"

/* `eddy ARGS -j 1` and `mpirun -np RANKS eddy-mpi ARGS -j 1`: same status,
 * byte-identical stdout; with out_a/out_b set (the ARGS contain "-o %s"),
 * the same file too. */
static void expect_same(int ranks, const char *args_fmt, const char *file)
{
    char a_path[256] = "", b_path[256] = "", args_a[1024], args_b[1024];
    if (file) {
        snprintf(a_path, sizeof a_path, "%s/plain-%s", tmpdir, file);
        snprintf(b_path, sizeof b_path, "%s/mpi-%s", tmpdir, file);
        snprintf(args_a, sizeof args_a, args_fmt, a_path);
        snprintf(args_b, sizeof args_b, args_fmt, b_path);
    } else {
        snprintf(args_a, sizeof args_a, "%s", args_fmt);
        snprintf(args_b, sizeof args_b, "%s", args_fmt);
    }
    eddy = plain;
    run_result a = run("%s -j 1", args_a);
    EXPECT_STATUS(a, 0, args_a);
    eddy = "env";
    run_result b = run(MPIRUN " -np %d %s %s -j 1", ranks, mpi_bin, args_b);
    eddy = plain;
    EXPECT_STATUS(b, 0, args_b);
    if (strcmp(a.out, b.out))
        fail_msg("eddy-mpi on %d ranks printed something else than eddy -j 1 for '%s'\n--- eddy:\n%.1500s\n"
                 "--- eddy-mpi:\n%.1500s",
                 ranks, args_a, a.out, b.out);
    assert_true(strlen(a.out) > 100);
    if (file) {
        size_t na, nb;
        char *fa = slurp(a_path, &na), *fb = slurp(b_path, &nb);
        assert_non_null(fa);
        assert_non_null(fb);
        assert_true(na > 50);
        if (na != nb || memcmp(fa, fb, na))
            fail_msg("eddy-mpi wrote a different %s", file);
        free(fa);
        free(fb);
    }
    run_free(&a);
    run_free(&b);
}

#define NEED_MPI()                                                                                                    \
    do {                                                                                                              \
        if (!mpi_bin) {                                                                                               \
            fprintf(stderr, "test_mpi: no eddy-mpi in this build (OpenMPI missing, or a sanitizer build): skipped\n");                             \
            skip();                                                                                                   \
        }                                                                                                             \
    } while (0)

static void test_mpi_sweep(void **state)
{
    (void)state;
    NEED_MPI();
    expect_same(3, "sweep --json --points 5 --seeds 3 -o %s examples/retry-storm.yaml", "sweep.csv");
    /* two jobs on three ranks: rank 2 runs none, and still takes part */
    expect_same(3, "sweep --points 2 --seeds 1 examples/mmc.yaml", NULL);
}

static void test_mpi_basin(void **state)
{
    (void)state;
    NEED_MPI();
    /* rounds of bisection: each round's runs depend on the last's results */
    expect_same(3, "basin --rows 3 --iterations 2 --seeds 3 -o %s examples/retry-storm.yaml", "basin.csv");
}

static void test_mpi_diagnose(void **state)
{
    (void)state;
    NEED_MPI();
    expect_same(3, "diagnose --json examples/retry-storm.yaml", NULL);
}

static void test_mpi_fix(void **state)
{
    (void)state;
    NEED_MPI();
    expect_same(3, "fix --seeds 2 examples/retry-storm.yaml", NULL);
}

static void test_mpi_refuses_other_commands(void **state)
{
    (void)state;
    NEED_MPI();
    eddy = "env";
    run_result r = run(MPIRUN " -np 2 %s run examples/mmc.yaml", mpi_bin);
    eddy = plain;
    EXPECT_STATUS(r, 2, "eddy-mpi run");
    EXPECT_HAS(r.err, "use eddy");
    assert_string_equal(r.out, "");
    run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wire_round_trip),
        cmocka_unit_test(test_batch_run_over_a_network),
        cmocka_unit_test(test_mpi_sweep),
        cmocka_unit_test(test_mpi_basin),
        cmocka_unit_test(test_mpi_diagnose),
        cmocka_unit_test(test_mpi_fix),
        cmocka_unit_test(test_mpi_refuses_other_commands),
    };
    return cmocka_run_group_tests_name("mpi", tests, setup, teardown);
}
