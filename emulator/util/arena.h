/* Region allocator: everything a request (or a loaded document) allocates comes from
 * one arena and dies with it, so request code never frees field by field. */
#ifndef GH_ARENA_H
#define GH_ARENA_H
#include <stdarg.h>
#include <stddef.h>

typedef struct gh_arena gh_arena;

gh_arena *gh_arena_new(size_t first_block);  /* NULL only when malloc fails */
void gh_arena_free(gh_arena *a);
/* Forget every allocation but keep the first block, for reuse across requests. */
void gh_arena_reset(gh_arena *a);
void *gh_arena_alloc(gh_arena *a, size_t n);   /* 16-byte aligned; aborts on OOM */
void *gh_arena_calloc(gh_arena *a, size_t n);
char *gh_arena_strdup(gh_arena *a, const char *s);   /* NULL in, NULL out */
char *gh_arena_strndup(gh_arena *a, const char *s, size_t n);  /* NUL-terminates */
void *gh_arena_memdup(gh_arena *a, const void *p, size_t n);
char *gh_arena_printf(gh_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *gh_arena_vprintf(gh_arena *a, const char *fmt, va_list ap);
/* The strings up to a NULL, joined: for hot paths where printf's parsing costs more than
 * the copying (method ARNs, cache keys). */
char *gh_arena_concat(gh_arena *a, ...) __attribute__((sentinel));
size_t gh_arena_used(const gh_arena *a);

#endif
