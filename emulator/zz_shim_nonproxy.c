/* SHIM (drop at merge): throwaway stand-ins for template/mapping.h, template/jsonpath.h
 * and gh_vtl_compile, which other helpers implement. gh_mapping_render renders by simple
 * substitution plus a literal $input.body; the JSONPath handles "$" and "$.a.b" only. */
#include <string.h>

#include "integration/context.h"
#include "template/jsonpath.h"
#include "template/mapping.h"
#include "template/vtl.h"
#include "util/buf.h"

struct gh_vtl {
    int unused;
};

gh_vtl *gh_vtl_compile(gh_arena *a, const char *text, size_t len, gh_vtl_error *err)
{
    (void)text;
    (void)len;
    (void)err;
    return gh_arena_calloc(a, sizeof(gh_vtl));
}

int gh_mapping_render(gh_invocation *inv, const gh_template *t, gh_mapping_kind kind,
                      const char *body, size_t body_len, gh_mapping_out *out)
{
    (void)kind;
    memset(out, 0, sizeof *out);
    const char *p = t->text ? t->text : "", *end = p + t->len;
    gh_buf b = GH_BUF_INIT;
    while (p < end) {
        const char *at = strstr(p, "$input.body");
        if (!at || at >= end)
            at = end;
        size_t n = 0;
        char *part = gh_template_render_simple(inv, p, (size_t)(at - p), &n);
        gh_buf_append(&b, part, n);
        if (at == end)
            break;
        if (body_len)
            gh_buf_append(&b, body, body_len);
        else
            gh_buf_puts(&b, "{}");
        p = at + strlen("$input.body");
    }
    out->body = gh_arena_strndup(inv->arena, b.data ? b.data : "", b.len);
    out->len = b.len;
    gh_buf_free(&b);
    return 0;
}

bool gh_jsonpath_eval(gh_arena *a, gh_vval root, const char *path, size_t len, gh_vval *out,
                      const char **error)
{
    (void)a;
    (void)error;
    const char *p = path, *end = path + len;
    if (p < end && *p == '$')
        p++;
    if (p < end && *p == '.')
        p++;
    gh_vval v = root;
    while (p < end) {
        const char *dot = memchr(p, '.', (size_t)(end - p));
        size_t n = dot ? (size_t)(dot - p) : (size_t)(end - p);
        gh_vmap_entry *e = v.kind == GH_V_MAP ? gh_vmap_find(v.u.map, p, n) : NULL;
        v = e ? e->value : gh_v_null();
        p += n + (dot ? 1 : 0);
    }
    *out = v;
    return true;
}

const char *gh_jsonpath_check(const char *path, size_t len)
{
    (void)path;
    (void)len;
    return NULL;
}
