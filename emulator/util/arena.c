/* Chunked bump allocator. Blocks grow geometrically; large requests get a block of their
 * own so a 10 MB body does not waste the rest of a small block. */
#include "util/arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct block {
    struct block *next;
    size_t size, used;
    _Alignas(16) unsigned char data[];
} block;

struct gh_arena {
    block *head;
    block *first;
    size_t first_size;
    size_t total;
};

static block *block_new(size_t size)
{
    block *b = malloc(sizeof(block) + size);
    if (!b) {
        fputs("gatehouse: out of memory\n", stderr);
        abort();
    }
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

gh_arena *gh_arena_new(size_t first_block)
{
    gh_arena *a = malloc(sizeof *a);
    if (!a)
        return NULL;
    if (first_block < 256)
        first_block = 256;
    a->first = a->head = block_new(first_block);
    a->first_size = first_block;
    a->total = 0;
    return a;
}

void gh_arena_free(gh_arena *a)
{
    if (!a)
        return;
    block *b = a->head;
    while (b) {
        block *n = b->next;
        free(b);
        b = n;
    }
    free(a);
}

void gh_arena_reset(gh_arena *a)
{
    block *b = a->head;
    while (b && b != a->first) {
        block *n = b->next;
        free(b);
        b = n;
    }
    a->head = a->first;
    a->first->next = NULL;
    a->first->used = 0;
    a->total = 0;
}

void *gh_arena_alloc(gh_arena *a, size_t n)
{
    /* Rounding up (and the block header) must not wrap a size computed from input into
     * a tiny allocation: treat such a request as the out-of-memory it is. */
    if (n > SIZE_MAX / 2) {
        fputs("gatehouse: out of memory\n", stderr);
        abort();
    }
    n = (n + 15) & ~(size_t)15;
    if (n == 0)
        n = 16;
    block *b = a->head;
    if (b->size - b->used < n) {
        size_t size = b->size * 2;
        if (size < n)
            size = n;
        if (size > (1u << 20) && n < (1u << 20))
            size = 1u << 20;
        block *nb = block_new(size);
        nb->next = a->head;
        a->head = b = nb;
    }
    void *p = b->data + b->used;
    b->used += n;
    a->total += n;
    return p;
}

void *gh_arena_calloc(gh_arena *a, size_t n)
{
    void *p = gh_arena_alloc(a, n);
    memset(p, 0, n);
    return p;
}

void *gh_arena_memdup(gh_arena *a, const void *p, size_t n)
{
    void *q = gh_arena_alloc(a, n ? n : 1);
    if (n)
        memcpy(q, p, n);
    return q;
}

char *gh_arena_strndup(gh_arena *a, const char *s, size_t n)
{
    if (!s)
        return NULL;
    char *q = gh_arena_alloc(a, n + 1);
    memcpy(q, s, n);
    q[n] = '\0';
    return q;
}

char *gh_arena_strdup(gh_arena *a, const char *s)
{
    return s ? gh_arena_strndup(a, s, strlen(s)) : NULL;
}

char *gh_arena_vprintf(gh_arena *a, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return gh_arena_strdup(a, "");
    char *s = gh_arena_alloc(a, (size_t)n + 1);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

char *gh_arena_printf(gh_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = gh_arena_vprintf(a, fmt, ap);
    va_end(ap);
    return s;
}

size_t gh_arena_used(const gh_arena *a)
{
    return a->total;
}

char *gh_arena_concat(gh_arena *a, ...)
{
    va_list ap;
    size_t n = 0;
    va_start(ap, a);
    for (const char *s; (s = va_arg(ap, const char *));)
        n += strlen(s);
    va_end(ap);
    char *out = gh_arena_alloc(a, n + 1), *p = out;
    va_start(ap, a);
    for (const char *s; (s = va_arg(ap, const char *));) {
        size_t len = strlen(s);
        memcpy(p, s, len);
        p += len;
    }
    va_end(ap);
    *p = '\0';
    return out;
}
