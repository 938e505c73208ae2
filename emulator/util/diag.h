/* Positions and diagnostics. Every problem a user can cause is reported as
 * "file:line:col: what is wrong; how to fix it", like libyaml's marks and luaL_error. */
#ifndef GH_DIAG_H
#define GH_DIAG_H
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

typedef struct gh_mark {
    const char *file;   /* owned by whoever owns the node/model; may be NULL */
    unsigned line, col; /* 1-based; 0 when unknown */
} gh_mark;

typedef enum { GH_DIAG_WARNING, GH_DIAG_ERROR } gh_diag_severity;

typedef struct gh_diag {
    gh_diag_severity severity;
    char *text;     /* "file:line:col: message" (malloc'ed) */
    size_t pos_len; /* length of the "file:line:col" prefix within text */
} gh_diag;

/* An ordered list of problems, so `validate` can print every one and loading can go on
 * after the first. */
typedef struct gh_diags {
    gh_diag *items;
    size_t n, cap;
    size_t errors, warnings;
} gh_diags;

#define GH_DIAGS_INIT {NULL, 0, 0, 0, 0}

void gh_diag_add(gh_diags *d, gh_diag_severity sev, gh_mark at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void gh_diag_vadd(gh_diags *d, gh_diag_severity sev, gh_mark at, const char *fmt, va_list ap);
#define gh_diag_error(d, at, ...) gh_diag_add((d), GH_DIAG_ERROR, (at), __VA_ARGS__)
#define gh_diag_warn(d, at, ...) gh_diag_add((d), GH_DIAG_WARNING, (at), __VA_ARGS__)
/* Moves every entry of src to the end of dst. */
void gh_diags_take(gh_diags *dst, gh_diags *src);
void gh_diags_free(gh_diags *d);
/* Prints every diagnostic to f as "file:line:col: warning: message" / "...: error: ...". */
void gh_diags_print(const gh_diags *d, FILE *f);
/* Formats a position prefix "file:line:col" into out (always terminated). */
void gh_mark_format(gh_mark at, char *out, size_t size);

#endif
