/* --watch bookkeeping (see watch.h). */
#include "server/watch.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void stat_file(const char *path, struct timespec *mt, off_t *size)
{
    struct stat st;
    if (stat(path, &st) == 0) {
        *mt = st.st_mtim;
        *size = st.st_size;
    } else {
        *mt = (struct timespec){0, 0};
        *size = -1;
    }
}

void gh_watch_free(gh_watch *w)
{
    for (size_t i = 0; i < w->n; i++)
        free(w->paths[i]);
    free(w->paths);
    free(w->mtimes);
    free(w->sizes);
    memset(w, 0, sizeof *w);
}

void gh_watch_set(gh_watch *w, const char *const *files, size_t n)
{
    gh_watch next = {
        .paths = calloc(n ? n : 1, sizeof *next.paths),
        .mtimes = calloc(n ? n : 1, sizeof *next.mtimes),
        .sizes = calloc(n ? n : 1, sizeof *next.sizes),
        .n = n,
    };
    if (!next.paths || !next.mtimes || !next.sizes)
        abort(); /* out of memory, not user input */
    for (size_t i = 0; i < n; i++) {
        next.paths[i] = strdup(files[i]);
        if (!next.paths[i])
            abort();
        size_t j = 0;
        while (j < w->n && strcmp(w->paths[j], files[i]) != 0)
            j++;
        /* Stat'ing a known file again here would swallow an edit made while the model
         * loaded: the model holds the old text, the record would hold the new time. */
        if (j < w->n) {
            next.mtimes[i] = w->mtimes[j];
            next.sizes[i] = w->sizes[j];
        } else {
            stat_file(files[i], &next.mtimes[i], &next.sizes[i]);
        }
    }
    gh_watch_free(w);
    *w = next;
}

void gh_watch_add(gh_watch *w, const char *path, struct timespec mtime, off_t size)
{
    for (size_t i = 0; i < w->n; i++)
        if (strcmp(w->paths[i], path) == 0)
            return;
    char **paths = realloc(w->paths, (w->n + 1) * sizeof *paths);
    if (paths)
        w->paths = paths;
    struct timespec *mtimes = realloc(w->mtimes, (w->n + 1) * sizeof *mtimes);
    if (mtimes)
        w->mtimes = mtimes;
    off_t *sizes = realloc(w->sizes, (w->n + 1) * sizeof *sizes);
    if (sizes)
        w->sizes = sizes;
    if (!paths || !mtimes || !sizes || !(w->paths[w->n] = strdup(path)))
        abort(); /* out of memory, not user input */
    w->mtimes[w->n] = mtime;
    w->sizes[w->n] = size;
    w->n++;
}

bool gh_watch_changed(gh_watch *w)
{
    bool changed = false;
    for (size_t i = 0; i < w->n; i++) {
        struct timespec mt;
        off_t size;
        stat_file(w->paths[i], &mt, &size);
        if (mt.tv_sec != w->mtimes[i].tv_sec || mt.tv_nsec != w->mtimes[i].tv_nsec ||
            size != w->sizes[i]) {
            w->mtimes[i] = mt;
            w->sizes[i] = size;
            changed = true;
        }
    }
    return changed;
}
