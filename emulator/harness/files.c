/* Collecting, ordering and sharding fixture files (files.h). */
#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness/files.h"
#include "harness/fixture.h"

static void push(gh_fx_files *f, const char *path)
{
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 16;
        f->paths = realloc(f->paths, f->cap * sizeof *f->paths);
    }
    f->paths[f->n++] = strdup(path);
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_dir(gh_fx_files *f, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    size_t dlen = strlen(dir);
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        size_t len = dlen + strlen(e->d_name) + 2;
        char *p = malloc(len);
        snprintf(p, len, "%s%s%s", dir, dlen && dir[dlen - 1] == '/' ? "" : "/", e->d_name);
        struct stat st;
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
            add_dir(f, p);
        else if (gh_fixture_is_file(p))
            push(f, p);
        free(p);
    }
    closedir(d);
}

int gh_fx_files_add(gh_fx_files *f, const char *path)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return -1;
    if (S_ISDIR(st.st_mode))
        add_dir(f, path);
    else
        push(f, path);
    return 0;
}

void gh_fx_files_sort(gh_fx_files *f)
{
    if (!f->n)
        return;
    qsort(f->paths, f->n, sizeof *f->paths, cmp);
    size_t k = 1;
    for (size_t i = 1; i < f->n; i++) {
        if (!strcmp(f->paths[i], f->paths[k - 1]))
            free(f->paths[i]);
        else
            f->paths[k++] = f->paths[i];
    }
    f->n = k;
}

unsigned gh_fx_shard_of(const char *path, unsigned count)
{
    while (path[0] == '.' && path[1] == '/')
        path += 2;
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        h ^= *p;
        h *= 16777619u;
    }
    return count ? h % count + 1 : 1;
}

void gh_fx_files_shard(gh_fx_files *f, unsigned index, unsigned count)
{
    size_t k = 0;
    for (size_t i = 0; i < f->n; i++) {
        if (gh_fx_shard_of(f->paths[i], count) == index)
            f->paths[k++] = f->paths[i];
        else
            free(f->paths[i]);
    }
    f->n = k;
}

void gh_fx_files_free(gh_fx_files *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->paths[i]);
    free(f->paths);
    memset(f, 0, sizeof *f);
}
