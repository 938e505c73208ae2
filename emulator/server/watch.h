/* --watch bookkeeping: the files a model was built from, with the modification time and
 * size last seen for each, so the serve loop can tell when to rebuild. Polled (not
 * inotify) because editors replace files by renaming, and a stat of a few files is
 * nothing. */
#ifndef GH_WATCH_H
#define GH_WATCH_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

typedef struct gh_watch {
    char **paths;
    struct timespec *mtimes;
    off_t *sizes;
    size_t n;
} gh_watch;

/* Starts watching files (copied). A path already watched keeps the state recorded by
 * the last gh_watch_changed instead of being stat'ed again: a reload calls this after
 * loading, and an edit made while it loaded must still count as a change. */
void gh_watch_set(gh_watch *w, const char *const *files, size_t n);
/* Watches one more file, as it was when last read (mtime, size), unless it is watched
 * already: modules `require` loads at run time, which the model does not list. */
void gh_watch_add(gh_watch *w, const char *path, struct timespec mtime, off_t size);
/* True when some file's time or size differs from what was last recorded (a vanished
 * file counts as changed); records what it sees. */
bool gh_watch_changed(gh_watch *w);
void gh_watch_free(gh_watch *w);

#endif
