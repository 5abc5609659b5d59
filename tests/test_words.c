/* test_words.c -- words a user reads that come from outside the product.
 *
 * eddy was designed from background texts its users never see, and "seed"
 * already means a random seed in eddy: no output, doc or example may send
 * a user to "the seed texts".  Sources are cited by name (Meadows, Brooker,
 * Bronson et al.), or the claim is said plainly.  This walks every file a
 * user reads: src/ (every message is built there), docs/, examples/, the
 * README and the CHANGELOG. */
#define _GNU_SOURCE /* strcasestr */
#include "testutil.h"

#include <dirent.h>
#include <sys/stat.h>

static char found[4096];

static void scan_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char line[4096];
    for (int n = 1; fgets(line, sizeof line, f); n++)
        if (strcasestr(line, "seed text")) {
            /* Only the first few hits matter for the message; the rest
             * are cut rather than overflowing. */
            size_t len = strlen(found);
            char where[64];
            snprintf(where, sizeof where, ":%d: ", n);
            if (len + strlen(path) + strlen(where) + strlen(line) < sizeof found) {
                strcat(found, path);
                strcat(found, where);
                strcat(found, line);
            }
        }
    fclose(f);
}

static void scan(const char *path, int depth)
{
    struct stat st;
    if (depth > 8 || stat(path, &st) != 0)
        return;
    if (!S_ISDIR(st.st_mode)) {
        scan_file(path);
        return;
    }
    DIR *d = opendir(path);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char sub[1024];
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        scan(sub, depth + 1);
    }
    closedir(d);
}

static void test_no_seed_texts(void **state)
{
    (void)state;
    static const char *const where[] = {"src", "docs", "examples", "README.md", "CHANGELOG.md", "include"};
    found[0] = 0;
    for (size_t i = 0; i < sizeof where / sizeof where[0]; i++)
        scan(where[i], 0);
    if (found[0])
        fail_msg("\"seed text\" is not a source a user has; cite the source itself:\n%s", found);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_seed_texts),
    };
    return cmocka_run_group_tests_name("words", tests, NULL, NULL);
}
