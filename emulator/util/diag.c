#include "util/diag.h"

#include <stdarg.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gh_mark_format(gh_mark at, char *out, size_t size)
{
    const char *f = at.file ? at.file : "<input>";
    if (at.line && at.col)
        snprintf(out, size, "%s:%u:%u", f, at.line, at.col);
    else if (at.line)
        snprintf(out, size, "%s:%u", f, at.line);
    else
        snprintf(out, size, "%s", f);
}

void gh_diag_vadd(gh_diags *d, gh_diag_severity sev, gh_mark at, const char *fmt, va_list ap)
{
    char where[1024], msg[4096];
    gh_mark_format(at, where, sizeof where);
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t len = strlen(where) + strlen(msg) + 3;
    char *text = malloc(len);
    if (!text)
        abort();
    snprintf(text, len, "%s: %s", where, msg);
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 8;
        gh_diag *items = realloc(d->items, d->cap * sizeof *items);
        if (!items)
            abort();
        d->items = items;
    }
    d->items[d->n].severity = sev;
    d->items[d->n].text = text;
    d->items[d->n].pos_len = strlen(where);
    d->n++;
    if (sev == GH_DIAG_ERROR)
        d->errors++;
    else
        d->warnings++;
}

void gh_diag_add(gh_diags *d, gh_diag_severity sev, gh_mark at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    gh_diag_vadd(d, sev, at, fmt, ap);
    va_end(ap);
}

void gh_diags_take(gh_diags *dst, gh_diags *src)
{
    for (size_t i = 0; i < src->n; i++) {
        if (dst->n == dst->cap) {
            dst->cap = dst->cap ? dst->cap * 2 : 8;
            gh_diag *items = realloc(dst->items, dst->cap * sizeof *items);
            if (!items)
                abort();
            dst->items = items;
        }
        dst->items[dst->n++] = src->items[i];
    }
    dst->errors += src->errors;
    dst->warnings += src->warnings;
    free(src->items);
    src->items = NULL;
    src->n = src->cap = src->errors = src->warnings = 0;
}

void gh_diags_free(gh_diags *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->items[i].text);
    free(d->items);
    d->items = NULL;
    d->n = d->cap = d->errors = d->warnings = 0;
}

void gh_diags_print(const gh_diags *d, FILE *f)
{
    for (size_t i = 0; i < d->n; i++) {
        const gh_diag *g = &d->items[i];
        const char *sev = g->severity == GH_DIAG_ERROR ? "error" : "warning";
        fprintf(f, "%.*s: %s: %s\n", (int)g->pos_len, g->text, sev, g->text + g->pos_len + 2);
    }
}
