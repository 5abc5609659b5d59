/* testproc.h -- helpers for the suites that run the `eddy` program as a user
 * would (test_cli, test_loops_cli) and read back the files it writes.
 *
 * A suite includes this after testutil.h.  Its setup sets `eddy` (usually
 * to eddy_path()) and makes the private directory `tmpdir` with mkdtemp;
 * run() then runs `eddy ARGS` there, capturing stdout and stderr, and
 * run_free() releases what it captured.  Static functions in a header are
 * fine here: each test suite is a single file. */
#ifndef EDDY_TESTPROC_H
#define EDDY_TESTPROC_H

#include "testutil.h"

#include <dirent.h>
#include <jansson.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmpdir[64];   /* the suite's private directory, from mkdtemp */
static const char *eddy;  /* the binary under test */

typedef struct run_result {
    int status; /* exit status; -1 if it did not exit normally */
    char *out, *err;
} run_result;

/* The binary under test: $EDDY (the `make test` recipe sets EDDY=build/eddy),
 * or ./eddy. */
static inline const char *eddy_path(void)
{
    const char *p = getenv("EDDY");
    if (!p || !*p)
        p = "./eddy";
    return p;
}

/* The whole of the file at `path`, NUL-terminated (free it); its length in
 * *len if len is not NULL.  NULL (and a length of 0) if the file cannot be
 * opened. */
static inline char *slurp(const char *path, size_t *len)
{
    if (len)
        *len = 0;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
        size_t k = fread(buf + n, 1, cap - n - 1, fp);
        if (k == 0)
            break;
        n += k;
    }
    fclose(fp);
    buf[n] = 0;
    if (len)
        *len = n;
    return buf;
}

/* The path of `name` in tmpdir. */
static inline void tmp_path(char *out, size_t size, const char *name) { snprintf(out, size, "%s/%s", tmpdir, name); }

/* Run `eddy ARGS` (ARGS is shell text; every path in it is safe to leave
 * unquoted), capturing stdout and stderr. */
static inline run_result run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline run_result run(const char *fmt, ...)
{
    char args[2048], out[256], err[256], cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    tmp_path(out, sizeof out, "stdout");
    tmp_path(err, sizeof err, "stderr");
    snprintf(cmd, sizeof cmd, "'%s' %s >%s 2>%s", eddy, args, out, err);
    int st = system(cmd);
    run_result r;
    r.status = st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    if (r.status >= 128) /* the shell reports a child killed by a signal as 128+N */
        r.status = -1;
    r.out = slurp(out, NULL);
    r.err = slurp(err, NULL);
    if (!r.out || !r.err)
        fail_msg("could not read the output of: %s", cmd);
    return r;
}

/* A suite's setup: `eddy` from eddy_path(), and the private directory
 * /tmp/eddy-test-NAME-XXXXXX.  -1, with a message, if either is missing. */
static inline int proc_begin(const char *name)
{
    eddy = eddy_path();
    if (access(eddy, X_OK) != 0) {
        fprintf(stderr, "test_%s: no eddy binary at '%s' (set EDDY)\n", name, eddy);
        return -1;
    }
    snprintf(tmpdir, sizeof tmpdir, "/tmp/eddy-test-%s-XXXXXX", name);
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return -1;
    }
    return 0;
}

/* Remove path and, if it is a directory, everything under it.  A symbolic
 * link is removed, never followed: a link to a directory of the project
 * must not take the project's files with it. */
static inline int proc_rm(const char *path, int depth)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return -1;
    DIR *d = depth < 16 && S_ISDIR(st.st_mode) ? opendir(path) : NULL;
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char p[1024];
            if (snprintf(p, sizeof p, "%s/%s", path, e->d_name) < (int)sizeof p)
                proc_rm(p, depth + 1);
        }
        closedir(d);
    }
    return remove(path);
}

/* A suite's teardown: tmpdir and everything under it are removed. */
static inline int proc_end(void) { return proc_rm(tmpdir, 0); }

/* The exit status of a run, with both its outputs in the failure message. */
#define EXPECT_STATUS(r, want, what)                                                                                  \
    do {                                                                                                              \
        if ((r).status != (want))                                                                                     \
            fail_msg("%s: exit status %d, want %d\n--- stdout:\n%.2000s\n--- stderr:\n%.2000s", (what), (r).status,    \
                     (want), (r).out, (r).err);                                                                       \
    } while (0)

/* `sub` occurs in `text`. */
#define EXPECT_HAS(text, sub)                                                                                         \
    do {                                                                                                              \
        if (!strstr((text), (sub)))                                                                                   \
            fail_msg("expected \"%s\" in:\n%.3000s", (sub), (text));                                                  \
    } while (0)

/* Write a small file (a model, a patch) for a test. */
static inline void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static inline void run_free(run_result *r)
{
    free(r->out);
    free(r->err);
}

/* Run `eddy ARGS`, which must exit 0 and print one JSON document: that
 * document, parsed (json_decref it). */
static inline json_t *run_json(const char *args)
{
    run_result r = run("%s", args);
    EXPECT_STATUS(r, 0, args);
    json_error_t je;
    json_t *j = json_loads(r.out, 0, &je);
    if (!j)
        fail_msg("eddy %s: not JSON (%s):\n%.2000s", args, je.text, r.out);
    run_free(&r);
    return j;
}

#endif
