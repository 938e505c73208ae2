/* Growable byte buffer (malloc-backed) for output whose size is not known up front:
 * response heads, rendered templates, diagnostics. Always NUL-terminated, but carries
 * its length so binary bodies survive. */
#ifndef GH_BUF_H
#define GH_BUF_H
#include <stdarg.h>
#include <stddef.h>

typedef struct gh_buf {
    char *data;
    size_t len, cap;
} gh_buf;

#define GH_BUF_INIT {NULL, 0, 0}

void gh_buf_reserve(gh_buf *b, size_t extra);
void gh_buf_append(gh_buf *b, const void *p, size_t n);
void gh_buf_puts(gh_buf *b, const char *s);
void gh_buf_putc(gh_buf *b, char c);
void gh_buf_printf(gh_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void gh_buf_vprintf(gh_buf *b, const char *fmt, va_list ap);
void gh_buf_reset(gh_buf *b);   /* length 0, memory kept */
void gh_buf_free(gh_buf *b);
/* Hands the bytes to the caller (free() them); the buffer becomes empty. */
char *gh_buf_steal(gh_buf *b, size_t *len);

/* A whole file, NUL-terminated (free() it; *len may be NULL), or NULL with errno set
 * (EIO for a read error). */
char *gh_read_file(const char *path, size_t *len);
/* printf into a new malloc'd string; NULL when out of memory. */
char *gh_strprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
