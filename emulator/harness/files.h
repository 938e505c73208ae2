/* Which fixture files a `gatehouse test` run covers: the files named, every fixture file
 * under the folders named (recursively), sorted by path with duplicates dropped, then
 * the CI shard's share (--shard I/N). A file's shard depends on its own path only (a
 * hash, not its place in the list), so adding a file never moves the others. */
#ifndef GH_FILES_H
#define GH_FILES_H
#include <stdbool.h>
#include <stddef.h>

typedef struct gh_fx_files {
    char **paths;   /* malloc'ed, sorted */
    size_t n, cap;
} gh_fx_files;

/* Adds path: a fixture file as is, a folder by its fixture files (.yaml, .yml, .json with
 * a top-level fixtures key). -1 when path is neither a readable file nor a folder. */
int gh_fx_files_add(gh_fx_files *f, const char *path);
/* Sorts and removes duplicates. */
void gh_fx_files_sort(gh_fx_files *f);
/* Keeps the files of shard index (1-based) of count. */
void gh_fx_files_shard(gh_fx_files *f, unsigned index, unsigned count);
void gh_fx_files_free(gh_fx_files *f);

/* The shard (1..count) a path falls in: FNV-1a (32-bit) of the path with leading "./"
 * removed, mod count, plus one. */
unsigned gh_fx_shard_of(const char *path, unsigned count);

#endif
