/* SHIM for the render-cmd branch: throwaway stand-ins for gh_vtl_compile and
 * gh_mapping_render, which other helpers implement in parallel. Dropped at merge. */
#include <string.h>

#include "template/mapping.h"
#include "template/vtl.h"

gh_vtl *gh_vtl_compile(gh_arena *a, const char *text, size_t len, gh_vtl_error *err)
{
    (void)text;
    (void)len;
    (void)err;
    return gh_arena_alloc(a, 8);
}

int gh_mapping_render(gh_invocation *inv, const gh_template *t, gh_mapping_kind kind,
                      const char *body, size_t body_len, gh_mapping_out *out)
{
    (void)kind;
    (void)body;
    (void)body_len;
    memset(out, 0, sizeof *out);
    out->body = gh_arena_strndup(inv->arena, t->text ? t->text : "", t->len);
    out->len = t->len;
    return 0;
}
