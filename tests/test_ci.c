/* test_ci.c -- docs/ci.md's CI jobs, run as the docs write them.
 *
 * The GitHub Actions and GitLab CI snippets of docs/ci.md are read from the
 * page itself: every command line of a fenced `yaml` block that starts with
 * `eddy` (a `run:` step, a line of a `run: |` script, an item of `script:`)
 * is run by /bin/sh exactly as written, with the eddy under test first on
 * PATH, in a directory whose `examples/` is eddy's own.  Each must exit 0.
 * Then again where examples/timeout-cut.yaml has its timeout cut to 2 s:
 * `eddy check` must exit 1 (the build fails) and the others 0.  The two
 * jobs must run the same commands, and every package they apt-get install
 * must be in eddy's own CI's list (.ci/run), so a renamed dependency cannot
 * drift.  The build steps themselves are not run. */
#include "testutil.h"
#include "testproc.h"

#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>

#define DOC "docs/ci.md"
#define MAXCMD 16

typedef struct job {
    char *cmds[MAXCMD];
    size_t n;
    char *packages; /* the apt-get install arguments, space-separated */
} job;

static char bindir[PATH_MAX], examples[PATH_MAX];

static int setup(void **state)
{
    (void)state;
    if (proc_begin("ci") < 0)
        return -1;
    char exe[PATH_MAX];
    if (!realpath(eddy, exe) || !realpath("examples", examples)) {
        fprintf(stderr, "test_ci: cannot resolve %s or examples/\n", eddy);
        return -1;
    }
    *strrchr(exe, '/') = 0;
    snprintf(bindir, sizeof bindir, "%s", exe);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return proc_end();
}

static char *trim(char *s)
{
    while (*s == ' ')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\r'))
        s[--n] = 0;
    return s;
}

/* The yaml blocks of docs/ci.md, in order; returns how many. */
static size_t read_jobs(job *jobs, size_t max)
{
    char *text = slurp(DOC, NULL);
    assert_non_null(text);
    size_t nj = 0;
    bool in_yaml = false;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (!strncmp(line, "```", 3)) {
            if (in_yaml) {
                in_yaml = false;
                nj++;
            } else if (!strcmp(line, "```yaml")) {
                assert_true(nj < max);
                memset(&jobs[nj], 0, sizeof jobs[nj]);
                in_yaml = true;
            }
            continue;
        }
        if (!in_yaml)
            continue;
        char *s = trim(line);
        if (!strncmp(s, "run: ", 5))
            s = trim(s + 5);
        else if (!strncmp(s, "- ", 2))
            s = trim(s + 2);
        char *inst = strstr(s, "apt-get install");
        if (inst) {
            /* the words after `install` up to `&&`, less options */
            char pk[512] = "";
            char *p = inst + strlen("apt-get install");
            while (*p) {
                while (*p == ' ')
                    p++;
                if (!*p || !strncmp(p, "&&", 2))
                    break;
                size_t w = strcspn(p, " ");
                if (*p != '-')
                    snprintf(pk + strlen(pk), sizeof pk - strlen(pk), " %.*s", (int)w, p);
                p += w;
            }
            jobs[nj].packages = strdup(pk);
        }
        if (!strncmp(s, "eddy ", 5)) {
            assert_true(jobs[nj].n < MAXCMD);
            jobs[nj].cmds[jobs[nj].n++] = strdup(s);
        }
    }
    assert_false(in_yaml); /* every block is closed */
    free(text);
    return nj;
}

static void free_jobs(job *jobs, size_t n)
{
    for (size_t j = 0; j < n; j++) {
        for (size_t i = 0; i < jobs[j].n; i++)
            free(jobs[j].cmds[i]);
        free(jobs[j].packages);
    }
}

/* Run `cmd` with /bin/sh in `dir`, the eddy under test first on PATH;
 * its exit status. */
static int sh_in(const char *dir, const char *cmd)
{
    char line[4096], out[300];
    tmp_path(out, sizeof out, "sh.out");
    snprintf(line, sizeof line, "cd '%s' && PATH='%s':\"$PATH\" %s >'%s' 2>&1", dir, bindir, cmd, out);
    int st = system(line);
    int rc = st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    if (rc != 0 && rc != 1) {
        char *o = slurp(out, NULL);
        print_message("`%s` in %s exited %d:\n%s\n", cmd, dir, rc, o ? o : "");
        free(o);
    }
    return rc;
}

static void test_jobs_pass_as_committed(void **state)
{
    (void)state;
    job jobs[4];
    size_t n = read_jobs(jobs, 4);
    assert_int_equal(n, 2); /* GitHub Actions, GitLab CI */
    char dir[300], link[320];
    tmp_path(dir, sizeof dir, "ok");
    assert_int_equal(mkdir(dir, 0777), 0);
    snprintf(link, sizeof link, "%s/examples", dir);
    assert_int_equal(symlink(examples, link), 0); /* proc_rm removes the link, not what it names */
    bool saw_check = false, saw_fail_on = false, saw_strict = false;
    for (size_t j = 0; j < n; j++) {
        assert_true(jobs[j].n >= 3);
        for (size_t i = 0; i < jobs[j].n; i++) {
            const char *c = jobs[j].cmds[i];
            saw_check |= !strncmp(c, "eddy check ", 11) && strstr(c, "--junit ");
            saw_fail_on |= strstr(c, "eddy diagnose --fail-on ") != NULL;
            saw_strict |= strstr(c, "eddy review --strict") != NULL;
            int rc = sh_in(dir, c);
            if (rc != 0)
                fail_msg("docs/ci.md job %zu: `%s` exited %d, want 0", j + 1, c, rc);
        }
    }
    assert_true(saw_check && saw_fail_on && saw_strict);
    /* the JUnit file the jobs hand to the CI system was written */
    char junit[400];
    snprintf(junit, sizeof junit, "%s/eddy-junit.xml", dir);
    char *x = slurp(junit, NULL);
    assert_non_null(x);
    EXPECT_HAS(x, "<testsuites");
    free(x);
    free_jobs(jobs, n);
}

/* The change the docs describe: the timeout cut to 2 s fails the build, in
 * `eddy check`, and only there. */
static void test_timeout_cut_fails_the_build(void **state)
{
    (void)state;
    job jobs[4];
    size_t n = read_jobs(jobs, 4);
    char dir[300], ex[320], model[360];
    tmp_path(dir, sizeof dir, "cut");
    assert_int_equal(mkdir(dir, 0777), 0);
    snprintf(ex, sizeof ex, "%s/examples", dir);
    assert_int_equal(mkdir(ex, 0777), 0);
    snprintf(model, sizeof model, "%s/timeout-cut.yaml", ex);
    char *text = slurp("examples/timeout-cut.yaml", NULL);
    assert_non_null(text);
    char *at = strstr(text, "timeout: 10s");
    assert_non_null(at);
    memcpy(at, "timeout:  2s", 12);
    write_file(model, text);
    free(text);
    for (size_t j = 0; j < n; j++) {
        for (size_t i = 0; i < jobs[j].n; i++) {
            const char *c = jobs[j].cmds[i];
            int want = !strncmp(c, "eddy check ", 11) ? 1 : 0;
            int rc = sh_in(dir, c);
            if (rc != want)
                fail_msg("docs/ci.md job %zu with the timeout cut: `%s` exited %d, want %d", j + 1, c, rc, want);
        }
    }
    free_jobs(jobs, n);
}

/* Both jobs run the same commands, and install only what eddy's CI does. */
static void test_jobs_agree(void **state)
{
    (void)state;
    job jobs[4];
    size_t n = read_jobs(jobs, 4);
    assert_int_equal(n, 2);
    assert_int_equal(jobs[0].n, jobs[1].n);
    for (size_t i = 0; i < jobs[0].n; i++)
        assert_string_equal(jobs[0].cmds[i], jobs[1].cmds[i]);
    char *ci = slurp(".ci/run", NULL);
    assert_non_null(ci);
    char *deps = strstr(ci, "deps=\"");
    assert_non_null(deps);
    for (size_t j = 0; j < n; j++) {
        assert_non_null(jobs[j].packages);
        char *pk = strdup(jobs[j].packages);
        for (char *w = strtok(pk, " "); w; w = strtok(NULL, " ")) {
            char want[128];
            snprintf(want, sizeof want, " %s ", w);
            char line[1024];
            snprintf(line, sizeof line, " %.*s ", (int)strcspn(deps + 6, "\""), deps + 6);
            if (!strstr(line, want))
                fail_msg("docs/ci.md job %zu installs '%s', which .ci/run does not", j + 1, w);
        }
        free(pk);
    }
    free(ci);
    free_jobs(jobs, n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jobs_pass_as_committed),
        cmocka_unit_test(test_timeout_cut_fails_the_build),
        cmocka_unit_test(test_jobs_agree),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
