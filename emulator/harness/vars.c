/* ${name} substitution over a scenario's variables (docs/fixtures.md). */
#include <stdlib.h>
#include <string.h>

#include "harness/vars.h"
#include "util/buf.h"

void gh_vars_init(gh_vars *v, gh_arena *a)
{
    memset(v, 0, sizeof *v);
    v->arena = a;
}

void gh_vars_set(gh_vars *v, const char *name, const char *value, size_t len)
{
    for (size_t i = 0; i < v->n; i++)
        if (!strcmp(v->items[i].name, name)) {
            v->items[i].value = gh_arena_strndup(v->arena, value, len);
            v->items[i].len = len;
            return;
        }
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 8;
        gh_var *items = gh_arena_alloc(v->arena, cap * sizeof *items);
        if (v->n)
            memcpy(items, v->items, v->n * sizeof *items);
        v->items = items;
        v->cap = cap;
    }
    v->items[v->n++] = (gh_var){gh_arena_strdup(v->arena, name),
                                gh_arena_strndup(v->arena, value, len), len};
}

const char *gh_vars_get(const gh_vars *v, const char *name, size_t nlen, size_t *len)
{
    if (nlen > 4 && !strncmp(name, "env.", 4)) {
        char key[256];
        if (nlen - 4 >= sizeof key)
            return NULL;
        memcpy(key, name + 4, nlen - 4);
        key[nlen - 4] = '\0';
        const char *e = getenv(key);
        if (e)
            *len = strlen(e);
        return e;
    }
    for (size_t i = 0; i < v->n; i++)
        if (strlen(v->items[i].name) == nlen && !memcmp(v->items[i].name, name, nlen)) {
            *len = v->items[i].len;
            return v->items[i].value;
        }
    return NULL;
}

const char *gh_vars_subst(const gh_vars *v, gh_arena *a, const char *s, size_t len,
                          size_t *out_len, bool *changed, const char **error)
{
    if (changed)
        *changed = false;
    if (!memchr(s, '$', len)) {
        *out_len = len;
        return s[len] == '\0' ? s : gh_arena_strndup(a, s, len);
    }
    gh_buf b = GH_BUF_INIT;
    size_t i = 0;
    while (i < len) {
        if (s[i] == '$' && i + 2 < len && s[i + 1] == '$' && s[i + 2] == '{') {
            gh_buf_append(&b, "${", 2); /* $${ is a literal ${ */
            i += 3;
            continue;
        }
        if (s[i] == '$' && i + 1 < len && s[i + 1] == '{') {
            const char *end = memchr(s + i + 2, '}', len - i - 2);
            if (!end) {
                *error = gh_arena_printf(a, "'${' at offset %zu is not closed by '}'; write "
                                         "$${ for a literal ${", i);
                gh_buf_free(&b);
                return NULL;
            }
            const char *name = s + i + 2;
            size_t nlen = (size_t)(end - name), vlen = 0;
            const char *val = gh_vars_get(v, name, nlen, &vlen);
            if (!val) {
                *error = gh_arena_printf(a, "unknown variable '%.*s'; set it in vars:, capture "
                                         "it in an earlier fixture, or write $${ for a literal ${",
                                         (int)nlen, name);
                gh_buf_free(&b);
                return NULL;
            }
            gh_buf_append(&b, val, vlen);
            if (changed)
                *changed = true;
            i = (size_t)(end - s) + 1;
            continue;
        }
        gh_buf_putc(&b, s[i++]);
    }
    char *out = gh_arena_strndup(a, b.data ? b.data : "", b.len);
    *out_len = b.len;
    gh_buf_free(&b);
    return out;
}
