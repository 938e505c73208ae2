#include "util/buf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gh_buf_reserve(gh_buf *b, size_t extra)
{
    if (b->cap - b->len > extra && b->data)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap - b->len <= extra)
        cap *= 2;
    char *d = realloc(b->data, cap);
    if (!d) {
        fputs("gatehouse: out of memory\n", stderr);
        abort();
    }
    b->data = d;
    b->cap = cap;
}

void gh_buf_append(gh_buf *b, const void *p, size_t n)
{
    gh_buf_reserve(b, n);
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void gh_buf_puts(gh_buf *b, const char *s)
{
    gh_buf_append(b, s, strlen(s));
}

void gh_buf_putc(gh_buf *b, char c)
{
    gh_buf_append(b, &c, 1);
}

void gh_buf_vprintf(gh_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n <= 0)
        return;
    gh_buf_reserve(b, (size_t)n);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void gh_buf_printf(gh_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    gh_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void gh_buf_reset(gh_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void gh_buf_free(gh_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

char *gh_buf_steal(gh_buf *b, size_t *len)
{
    if (!b->data)
        gh_buf_reserve(b, 0), b->data[0] = '\0';
    char *d = b->data;
    if (len)
        *len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return d;
}

char *gh_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    gh_buf b = GH_BUF_INIT;
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        gh_buf_append(&b, chunk, n);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        gh_buf_free(&b);
        errno = EIO;
        return NULL;
    }
    if (!b.data)
        gh_buf_reserve(&b, 1);
    size_t got;
    char *out = gh_buf_steal(&b, &got);
    if (len)
        *len = got;
    return out;
}

char *gh_strprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0)
        s = NULL;
    va_end(ap);
    return s;
}
