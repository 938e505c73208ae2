/* Every real definition in the shared corpus must load without errors, and every
 * warning must say where it is (file:line:col:). GH_VERBOSE=1 prints the warnings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/load.h"

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "path:LINE:COL: " with both numbers present. */
static int positioned(const char *text, const char *path)
{
    size_t n = strlen(path);
    if (strncmp(text, path, n) != 0 || text[n] != ':')
        return 0;
    unsigned line = 0, col = 0;
    int used = 0;
    return sscanf(text + n, ":%u:%u: %n", &line, &col, &used) == 2 && used > 0 && line && col;
}

static void every_corpus_definition_loads(void **state)
{
    (void)state;
    const char *src = getenv("GH_SOURCE_DIR");
    char dir[1024];
    /* A checkout at /work/<x> finds /work/shared; a worktree at /work/wt/<x> one more up. */
    snprintf(dir, sizeof dir, "%s/../shared/corpus/definitions", src ? src : ".");
    DIR *dh = opendir(dir);
    if (!dh) {
        snprintf(dir, sizeof dir, "%s/../../shared/corpus/definitions", src ? src : ".");
        dh = opendir(dir);
    }
    if (!dh) {
        printf("skipped: no corpus at %s\n", dir);
        skip();
    }
    char *names[512];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(dh)) && n < 512)
        if (e->d_name[0] != '.')
            names[n++] = strdup(e->d_name);
    closedir(dh);
    qsort(names, n, sizeof *names, name_cmp);
    assert_true(n > 0);
    int verbose = getenv("GH_VERBOSE") != NULL;
    size_t failed = 0;
    for (size_t i = 0; i < n; i++) {
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        const char *defs[] = {path};
        gh_load_options o = {.definitions = defs, .ndefinitions = 1, .port = -1};
        gh_diags d = GH_DIAGS_INIT;
        gh_model *m = gh_model_load(&o, &d);
        int bad = !m || d.errors;
        for (size_t k = 0; k < d.n; k++)
            bad |= !positioned(d.items[k].text, path);
        if (verbose || bad) {
            printf("%-70s %zu warning(s)%s\n", names[i], d.warnings, bad ? "  FAILED" : "");
            for (size_t k = 0; k < d.n; k++)
                printf("    %s %s\n", d.items[k].severity == GH_DIAG_ERROR ? "error" : "warning",
                       d.items[k].text + strlen(dir) + 1);
        }
        failed += bad != 0;
        gh_model_unref(m);
        gh_diags_free(&d);
        free(names[i]);
    }
    assert_int_equal(failed, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_corpus_definition_loads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
