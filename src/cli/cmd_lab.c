/* cmd_lab.c -- `eddy lab list` and `eddy lab run N [--check]`: the labs of
 * docs/labs/, each an exercise in systems thinking turned into an
 * experiment.  `run` prints a lab's situation, then runs each of its steps
 * (an eddy command, with this very binary, in the lab's directory) and
 * prints what it printed; with --check it also holds each step to its
 * claims (exit status, regexes its output must and must not match), which
 * is how tests/test_labs.c keeps every lab's answer true.
 *
 * A learner may have only the binary and the bundled files, so the labs are
 * looked for next to the binary too (lab_dirs below, docs/labs/README.md). */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../model/labfile.h"
#include "cli.h"
#include "../core/xalloc.h"

static const char usage[] =
    "usage: eddy lab list [--labs DIR]\n"
    "       eddy lab run N [--check] [--labs DIR]\n"
    "\n"
    "The labs turn exercises in systems thinking (local or emergent, find the\n"
    "interaction, local optima, boundaries, metastable failures, ...) into\n"
    "experiments: a small model, a question, and the eddy commands whose output\n"
    "answers it (docs/labs/README.md).\n"
    "\n"
    "  list      one line per lab: its number, title and the eddy features it uses\n"
    "  run N     print lab N's situation, then run each of its steps in the lab's\n"
    "            directory and print the command and its output\n"
    "\n"
    "options:\n"
    "      --check      also verify each step's claims: its exit status, and the\n"
    "                   regular expressions its output must (expect) and must not\n"
    "                   (expect_not) match; name every claim that fails\n"
    "      --labs DIR   the directory holding the labs (NN-name/lab.yaml).  Without\n"
    "                   it: $EDDY_LABS, else docs/labs beside the eddy binary, else\n"
    "                   ../share/eddy/labs beside it\n"
    "  -h, --help       this help\n"
    "\n"
    "exit status: 0 done (with --check: every claim holds), 1 with --check, a claim\n"
    "failed, 2 usage error, no labs found, or a bad lab.yaml (docs/ci.md)\n";

#define LAB_PATH 4096
#define LAB_MAX 100 /* lab numbers are two digits */

/* The eddy binary itself (realpath of /proc/self/exe), for the steps. */
static int lab_self(char *out)
{
    if (!realpath("/proc/self/exe", out))
        return cli_fail("lab", "cannot find the eddy binary (/proc/self/exe): %s", strerror(errno));
    return 0;
}

static int lab_is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Where the labs are: --labs, $EDDY_LABS, beside the binary. */
static int lab_dirs(const char *opt, char *out)
{
    char self[LAB_PATH], tried[4 * LAB_PATH + 64] = "";
    if (opt || (getenv("EDDY_LABS") && *getenv("EDDY_LABS"))) {
        const char *d = opt ? opt : getenv("EDDY_LABS");
        if (lab_is_dir(d) && strlen(d) < LAB_PATH) {
            strcpy(out, d);
            return 0;
        }
        return cli_usage_error("lab", "no labs directory at '%s' (%s)", d, opt ? "--labs" : "$EDDY_LABS");
    }
    if (lab_self(self))
        return CLI_EXIT_ERROR;
    const char *bin = dirname(self);
    static const char *const rel[] = {"docs/labs", "../share/eddy/labs"};
    for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
        char p[LAB_PATH + 32];
        snprintf(p, sizeof p, "%s/%s", bin, rel[i]);
        if (lab_is_dir(p) && strlen(p) < LAB_PATH) {
            strcpy(out, p);
            return 0;
        }
        size_t n = strlen(tried);
        snprintf(tried + n, sizeof tried - n, "%s%s", i ? ", " : "", p);
    }
    return cli_usage_error("lab", "no labs found: looked in --labs (not given), $EDDY_LABS (not set), %s", tried);
}

/* The directories NN-name of `root`, by number: dirs[N] is lab N's path
 * (malloc'ed), NULL if none.  A number given twice is an error. */
static int lab_scan(const char *root, char **dirs)
{
    memset(dirs, 0, LAB_MAX * sizeof *dirs);
    DIR *d = opendir(root);
    if (!d)
        return cli_fail("lab", "cannot read '%s': %s", root, strerror(errno));
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d))) {
        const char *n = e->d_name;
        if (!(n[0] >= '0' && n[0] <= '9' && n[1] >= '0' && n[1] <= '9' && n[2] == '-'))
            continue;
        int num = (n[0] - '0') * 10 + (n[1] - '0');
        char p[LAB_PATH + 300];
        snprintf(p, sizeof p, "%s/%s", root, n);
        if (!lab_is_dir(p))
            continue;
        if (dirs[num]) {
            rc = cli_usage_error("lab", "two labs numbered %02d: %s and %s", num, dirs[num], p);
            break;
        }
        dirs[num] = xstrdup(p);
    }
    closedir(d);
    return rc;
}

static void lab_scan_free(char **dirs)
{
    for (int i = 0; i < LAB_MAX; i++)
        free(dirs[i]);
}

/* Load dir/lab.yaml and check its number against the directory's. */
static int lab_open(const char *dir, int num, lab_file *L)
{
    char path[LAB_PATH + 400];
    snprintf(path, sizeof path, "%s/lab.yaml", dir);
    eddy_error err = {0};
    if (lab_load(path, L, &err) < 0)
        return cli_print_error(&err);
    if (L->lab != num) {
        fprintf(stderr, "%s:%d:%d: error: lab: the lab's number is %d but its directory says %02d\n", path,
                L->lab_pos.line, L->lab_pos.col, L->lab, num);
        return CLI_EXIT_ERROR;
    }
    return 0;
}

/* What a lab exercises: each command and its long options, once, in the
 * order its steps first use them ("diagnose, fix --patch, avail").  The
 * options that only make a run short or repeatable are left out. */
static void lab_features(const lab_file *L, char *out, size_t size)
{
    static const char *const quiet[] = {"--seed", "--seeds", "--horizon", "--quiet", NULL};
    char items[32][160];
    size_t nitems = 0, used = 0;
    out[0] = 0;
    for (size_t i = 0; i < L->nsteps; i++) {
        char **argv;
        int n = lab_split(L->steps[i].run, &argv);
        char item[160];
        size_t len = (size_t)snprintf(item, sizeof item, "%.60s", argv[1]);
        for (int a = 2; a < n; a++) {
            size_t wl = strcspn(argv[a], "=");
            int skip = strncmp(argv[a], "--", 2) != 0;
            for (int q = 0; quiet[q] && !skip; q++)
                skip = strlen(quiet[q]) == wl && !strncmp(argv[a], quiet[q], wl);
            if (!skip && wl < 40 && len + wl + 2 < sizeof item) {
                char word[48];
                snprintf(word, sizeof word, " %.*s", (int)wl, argv[a]);
                if (!strstr(item, word))
                    len += (size_t)snprintf(item + len, sizeof item - len, "%s", word);
            }
        }
        free(argv);
        size_t k = 0;
        while (k < nitems && strcmp(items[k], item))
            k++;
        if (k < nitems || nitems == 32 || used + len + 3 >= size)
            continue;
        strcpy(items[nitems++], item);
        used += (size_t)snprintf(out + used, size - used, "%s%s", used ? ", " : "", item);
    }
}

static int lab_list(const char *root)
{
    char *dirs[LAB_MAX];
    int rc = lab_scan(root, dirs);
    int found = 0;
    for (int i = 0; i < LAB_MAX && !rc; i++) {
        if (!dirs[i])
            continue;
        lab_file L;
        int bad = lab_open(dirs[i], i, &L);
        if (bad) {
            rc = bad;
        } else {
            char feat[1024];
            lab_features(&L, feat, sizeof feat);
            printf("%2d  %-34s %s\n", L.lab, L.title, feat);
            found++;
        }
        lab_free(&L);
    }
    lab_scan_free(dirs);
    if (!rc && !found)
        rc = cli_usage_error("lab", "no labs in '%s' (expected directories NN-name holding lab.yaml)", root);
    if (!rc && fflush(stdout) != 0)
        rc = cli_fail("lab", "cannot write the output: %s", strerror(errno));
    return rc;
}

/* Run argv with this binary, in dir, its stdout captured into *out (free
 * it); its exit status, or -1 if it did not exit (a signal). */
static int lab_exec(const char *self, const char *dir, char **argv, char **out, size_t *len)
{
    int fd[2];
    *out = NULL;
    *len = 0;
    if (pipe(fd) != 0)
        return -2;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        close(fd[0]);
        close(fd[1]);
        return -2;
    }
    if (pid == 0) {
        close(fd[0]);
        if (dup2(fd[1], STDOUT_FILENO) < 0 || chdir(dir) != 0)
            _exit(127);
        close(fd[1]);
        execv(self, argv);
        _exit(127);
    }
    close(fd[1]);
    size_t cap = 8192, n = 0;
    char *buf = xmalloc(cap);
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
        ssize_t k = read(fd[0], buf + n, cap - n - 1);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        n += (size_t)k;
    }
    close(fd[0]);
    buf[n] = 0;
    *out = buf;
    *len = n;
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -2;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Whether POSIX extended regex re matches somewhere in text (^ and $ at
 * line boundaries).  lab_load compiled it once already. */
static int lab_match(const char *re, const char *text)
{
    regex_t r;
    if (regcomp(&r, re, REG_EXTENDED | REG_NEWLINE | REG_NOSUB) != 0)
        return 0;
    int hit = regexec(&r, text, 0, NULL, 0) == 0;
    regfree(&r);
    return hit;
}

/* Hold step s of lab L to its claims; the number that fail, each named on
 * stderr. */
static int lab_claims(const lab_file *L, size_t s, int status, const char *out)
{
    const lab_step *st = &L->steps[s];
    int failed = 0;
    if (status != st->exit) {
        fprintf(stderr, "eddy lab: lab %d, step %zu (%s): exit status %d, expected %d\n", L->lab, s + 1, st->say,
                status, st->exit);
        failed++;
    }
    for (size_t i = 0; i < st->nexpect; i++)
        if (!lab_match(st->expect[i], out)) {
            fprintf(stderr, "eddy lab: lab %d, step %zu (%s): expected /%s/ in the output of `%s`\n", L->lab, s + 1,
                    st->say, st->expect[i], st->run);
            failed++;
        }
    for (size_t i = 0; i < st->nexpect_not; i++)
        if (lab_match(st->expect_not[i], out)) {
            fprintf(stderr, "eddy lab: lab %d, step %zu (%s): /%s/ must not match the output of `%s`\n", L->lab,
                    s + 1, st->say, st->expect_not[i], st->run);
            failed++;
        }
    return failed;
}

static int lab_run(const char *root, int num, int check)
{
    char *dirs[LAB_MAX];
    int rc = lab_scan(root, dirs);
    if (rc) {
        lab_scan_free(dirs);
        return rc;
    }
    if (!dirs[num]) {
        int have = 0;
        for (int i = 0; i < LAB_MAX; i++)
            have += dirs[i] != NULL;
        lab_scan_free(dirs);
        return cli_usage_error("lab", "no lab %d in '%s' (%d lab%s there; `eddy lab list` lists them)", num, root,
                               have, have == 1 ? "" : "s");
    }
    char self[LAB_PATH];
    lab_file L;
    rc = lab_open(dirs[num], num, &L);
    if (!rc)
        rc = lab_self(self);
    if (rc) {
        lab_free(&L);
        lab_scan_free(dirs);
        return rc;
    }
    printf("Lab %d: %s\n\n%s\n", L.lab, L.title, L.situation);
    int failed = 0, claims = 0;
    for (size_t s = 0; s < L.nsteps && !rc; s++) {
        const lab_step *st = &L.steps[s];
        printf("\n[%zu/%zu] %s\n$ %s\n", s + 1, L.nsteps, st->say, st->run);
        char **argv, *out;
        size_t len;
        lab_split(st->run, &argv);
        int status = lab_exec(self, dirs[num], argv, &out, &len);
        free(argv);
        if (status == -2) {
            rc = cli_fail("lab", "lab %d, step %zu: cannot run `%s`: %s", num, s + 1, st->run, strerror(errno));
            break;
        }
        fwrite(out, 1, len, stdout);
        if (len && out[len - 1] != '\n')
            putchar('\n');
        if (status != 0)
            printf("(exit status %d)\n", status);
        if (check) {
            int n = 1 + (int)(st->nexpect + st->nexpect_not);
            int bad = lab_claims(&L, s, status, out);
            printf("-- check: %d of %d claim%s hold%s\n", n - bad, n, n == 1 ? "" : "s", n - bad == 1 ? "s" : "");
            failed += bad;
            claims += n;
        }
        free(out);
    }
    if (!rc && check) {
        printf("\nlab %d: %d of %d claims hold\n", num, claims - failed, claims);
        if (failed) {
            fprintf(stderr, "eddy lab: lab %d: %d claim%s failed\n", num, failed, failed == 1 ? "" : "s");
            rc = CLI_EXIT_FINDING;
        }
    }
    if (fflush(stdout) != 0)
        rc = cli_fail("lab", "cannot write the output: %s", strerror(errno));
    lab_free(&L);
    lab_scan_free(dirs);
    return rc;
}

int cmd_lab(int argc, char **argv)
{
    enum { OPT_CHECK = 256, OPT_LABS };
    static const struct option opts[] = {{"check", no_argument, 0, OPT_CHECK},
                                         {"labs", required_argument, 0, OPT_LABS},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int check = 0;
    const char *labs = NULL;
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (ch) {
        case OPT_CHECK:
            check = 1;
            break;
        case OPT_LABS:
            labs = optarg;
            break;
        default:
            return cli_opt_common("lab", ch, argv, usage);
        }
    }
    if (optind >= argc)
        return cli_usage_error("lab", "missing the subcommand: list or run N");
    const char *sub = argv[optind];
    char root[LAB_PATH];
    if (!strcmp(sub, "list")) {
        if (optind + 1 < argc)
            return cli_usage_error("lab", "list takes no operand, got '%s'", argv[optind + 1]);
        if (check)
            return cli_usage_error("lab", "--check goes with `run N`, not `list`");
        int rc = lab_dirs(labs, root);
        return rc ? rc : lab_list(root);
    }
    if (!strcmp(sub, "run")) {
        long num;
        if (optind + 1 >= argc)
            return cli_usage_error("lab", "run: missing the lab's number N");
        int rc = cli_count_range("lab", "run", argv[optind + 1], 1, LAB_MAX - 1, &num);
        if (rc)
            return rc;
        if (optind + 2 < argc)
            return cli_usage_error("lab", "run takes one lab number, got also '%s'", argv[optind + 2]);
        rc = lab_dirs(labs, root);
        return rc ? rc : lab_run(root, (int)num, check);
    }
    return cli_usage_error("lab", "unknown subcommand '%s' (expected list or run N)", sub);
}
