/* server/watch: which edits --watch notices. The case that matters most is an edit made
 * while a reload was loading: the new model holds the old text, so the edit must still
 * be reported by the next poll (it used to be recorded as already seen). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server/watch.h"

static char dir[64];
static char a_path[128], b_path[128];

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/gh-watch-unit-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(a_path, sizeof a_path, "%s/a.yaml", dir);
    snprintf(b_path, sizeof b_path, "%s/b.lua", dir);
    write_text(a_path, "a: 1\n");
    write_text(b_path, "return 1\n");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(a_path);
    unlink(b_path);
    return rmdir(dir);
}

/* Sizes change with every edit below, so the checks do not depend on the file system's
 * timestamp granularity. */
static void test_edits_and_removal(void **state)
{
    (void)state;
    const char *files[] = {a_path, b_path};
    gh_watch w = {0};
    gh_watch_set(&w, files, 2);
    assert_int_equal(w.n, 2);
    assert_false(gh_watch_changed(&w));
    write_text(b_path, "return 22\n");
    assert_true(gh_watch_changed(&w));
    assert_false(gh_watch_changed(&w)); /* recorded: reported once */
    unlink(b_path);
    assert_true(gh_watch_changed(&w));
    assert_false(gh_watch_changed(&w));
    write_text(b_path, "return 1\n");
    assert_true(gh_watch_changed(&w)); /* back again */
    gh_watch_free(&w);
    assert_int_equal(w.n, 0);
}

static void test_edit_during_reload_is_not_lost(void **state)
{
    (void)state;
    const char *one[] = {a_path};
    const char *both[] = {a_path, b_path};
    gh_watch w = {0};
    gh_watch_set(&w, both, 2);
    write_text(a_path, "a: 12\n");
    assert_true(gh_watch_changed(&w)); /* the serve loop starts a reload here */
    write_text(a_path, "a: 123\n");     /* ...and the user saves again while it loads */
    gh_watch_set(&w, both, 2);          /* the reload done: same files */
    assert_true(gh_watch_changed(&w));  /* the second save still triggers a reload */
    assert_false(gh_watch_changed(&w));

    /* A file the new model dropped is no longer watched; one it added is stat'ed. */
    gh_watch_set(&w, one, 1);
    write_text(b_path, "return 4444\n");
    assert_false(gh_watch_changed(&w));
    gh_watch_set(&w, both, 2);
    assert_false(gh_watch_changed(&w));
    gh_watch_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edits_and_removal),
        cmocka_unit_test(test_edit_during_reload_is_not_lost),
    };
    return cmocka_run_group_tests_name("watch", tests, setup, teardown);
}
