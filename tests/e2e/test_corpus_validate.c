/* End to end: every real definition in ../shared/corpus/definitions must pass
 * `gatehouse validate` (exit 0; warnings allowed), and every diagnostic line about the
 * file must carry its position as file:line:col. Skipped when the corpus is absent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.h"

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_corpus_validates(void **state)
{
    (void)state;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/../shared/corpus/definitions", e2e_source_dir());
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "corpus not found at %s; skipping\n", dir);
        skip();
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *dot = strrchr(de->d_name, '.');
        if (de->d_name[0] == '.' || !dot)
            continue;
        if (strcmp(dot, ".yaml") && strcmp(dot, ".yml") && strcmp(dot, ".json"))
            continue;
        names = realloc(names, (n + 1) * sizeof *names);
        assert_non_null(names);
        names[n++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    assert_true(n > 0);

    size_t failures = 0;
    for (size_t i = 0; i < n; i++) {
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        const char *const argv[] = {"validate", path, NULL};
        char *out = NULL, *err = NULL;
        int code = -1;
        assert_int_equal(e2e_run(argv, &out, &err, &code), 0);
        char bad[1024] = "";
        /* The loader may print the path as given or resolved: check both spellings. */
        bool positioned = e2e_lines_have_positions(err, path, bad, sizeof bad, NULL);
        char *real = realpath(path, NULL);
        if (positioned && real)
            positioned = e2e_lines_have_positions(err, real, bad, sizeof bad, NULL);
        free(real);
        bool sanitizer = e2e_has_sanitizer_report(err);
        if (code != 0 || !positioned || sanitizer) {
            failures++;
            fprintf(stderr, "FAIL %s: exit %d%s%s%s\n%s\n", names[i], code,
                    positioned ? "" : "; line without file:line:col: ", positioned ? "" : bad,
                    sanitizer ? "; sanitizer report" : "", err);
        } else {
            fprintf(stderr, "ok   %s\n", names[i]);
        }
        free(out);
        free(err);
        free(names[i]);
    }
    free(names);
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus_validates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
