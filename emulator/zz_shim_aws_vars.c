/* SHIM: throwaway stand-ins for functions other helpers implement in parallel
 * (template/vtl.h, vtl_methods.h, lua_template.h, util/jregex.h), only so the aws-vars
 * branch links. Dropped at merge. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "template/lua_template.h"
#include "template/vtl.h"
#include "template/vtl_methods.h"
#include "util/jregex.h"

gh_vtl *gh_vtl_compile(gh_arena *a, const char *text, size_t len, gh_vtl_error *err)
{
    (void)err;
    return (gh_vtl *)gh_arena_strndup(a, text, len);
}

int gh_vtl_render(const gh_vtl *t, gh_vtl_rt *rt, gh_buf *out)
{
    (void)rt;
    gh_buf_puts(out, (const char *)t);
    return 0;
}

bool gh_vtl_fail(gh_vtl_rt *rt, const char *fmt, ...)
{
    if (!rt->failed) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(rt->error, sizeof rt->error, fmt, ap);
        va_end(ap);
        rt->failed = true;
    }
    return false;
}

bool gh_vtl_method(gh_vtl_rt *rt, gh_vval self, const char *name, const gh_vval *args,
                   size_t nargs, gh_vval *out)
{
    (void)rt, (void)self, (void)name, (void)args, (void)nargs, (void)out;
    return false;
}

int gh_lua_template_render(gh_invocation *inv, const gh_template *t, gh_mapping_kind kind,
                           const char *body, size_t body_len, gh_mapping_out *out)
{
    (void)inv, (void)t, (void)kind, (void)body, (void)body_len;
    out->error = "lua templates: shim";
    return -1;
}

struct gh_jregex {
    char pat[512];
    size_t len;
};
static _Thread_local struct gh_jregex shim_re;

const gh_jregex *gh_jregex_get(const char *pattern, size_t len, const char **error)
{
    if (len >= sizeof shim_re.pat) {
        if (error)
            *error = "shim: pattern too long";
        return NULL;
    }
    memcpy(shim_re.pat, pattern, len);
    shim_re.len = len;
    return &shim_re;
}

bool gh_jregex_matches(const gh_jregex *re, const char *s, size_t len)
{
    int ec;
    PCRE2_SIZE eo;
    pcre2_code *c = pcre2_compile((PCRE2_SPTR)re->pat, re->len, PCRE2_ANCHORED | PCRE2_ENDANCHORED,
                                  &ec, &eo, NULL);
    if (!c)
        return false;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(c, NULL);
    int rc = pcre2_match(c, (PCRE2_SPTR)s, len, 0, 0, md, NULL);
    pcre2_match_data_free(md);
    pcre2_code_free(c);
    return rc >= 0;
}

char *gh_jregex_replace(gh_arena *a, const gh_jregex *re, const char *s, size_t len,
                        const char *replacement, size_t rlen, bool all, size_t *out_len,
                        const char **error)
{
    (void)a, (void)re, (void)s, (void)len, (void)replacement, (void)rlen, (void)all;
    (void)out_len;
    *error = "shim";
    return NULL;
}

size_t gh_jregex_split(gh_arena *a, const gh_jregex *re, const char *s, size_t len,
                       const char ***starts, size_t **lens)
{
    (void)a, (void)re, (void)s, (void)len, (void)starts, (void)lens;
    return 0;
}

void gh_jregex_thread_cleanup(void)
{
}
