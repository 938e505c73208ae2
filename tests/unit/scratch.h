/* A scratch folder of files written from strings, for tests that load definitions from
 * disk. Include after cmocka.h. */
#ifndef GH_TEST_SCRATCH_H
#define GH_TEST_SCRATCH_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct scratch {
    char dir[64];
    char paths[8][128];
    int n;
} scratch;

/* Writes text to name in the folder (made on first use) and returns the file's path. */
static inline const char *put(scratch *s, const char *name, const char *text)
{
    if (!s->dir[0]) {
        strcpy(s->dir, "/tmp/gh_scratch_XXXXXX"); /* mkdtemp's template */
        assert_non_null(mkdtemp(s->dir));
    }
    assert_true(s->n < 8);
    char *p = s->paths[s->n++];
    char dir[64];
    memcpy(dir, s->dir, sizeof dir);
    snprintf(p, 128, "%.63s/%.60s", dir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return p;
}

static inline void scratch_free(scratch *s)
{
    for (int i = 0; i < s->n; i++)
        unlink(s->paths[i]);
    if (s->dir[0])
        rmdir(s->dir);
}

#endif
