/* SHIM: throwaway stand-ins for functions other helpers implement in parallel
 * (template/vtl.h, template/jsonpath.h, template/aws_util.h); dropped at merge. */
#include <jansson.h>
#include <string.h>

#include "template/aws_util.h"
#include "template/jsonpath.h"
#include "template/vtl.h"
#include "util/base64.h"
#include "util/url.h"

gh_vtl *gh_vtl_compile(gh_arena *a, const char *text, size_t len, gh_vtl_error *err)
{
    (void)text;
    (void)len;
    (void)err;
    return gh_arena_calloc(a, 1);
}

const char *gh_jsonpath_check(const char *path, size_t len)
{
    (void)path;
    (void)len;
    return NULL;
}

bool gh_jsonpath_eval(gh_arena *a, gh_vval root, const char *path, size_t len, gh_vval *out,
                      const char **error)
{
    (void)a;
    (void)root;
    (void)path;
    (void)len;
    *out = gh_v_null();
    *error = "shim";
    return false;
}

const char *gh_util_escape_javascript(gh_arena *a, const char *s, size_t len, size_t *out_len)
{
    *out_len = len;
    return gh_arena_strndup(a, s, len);
}

const char *gh_util_url_encode(gh_arena *a, const char *s, size_t len, size_t *out_len)
{
    const char *r = gh_url_encode(a, s, len);
    *out_len = strlen(r);
    return r;
}

const char *gh_util_url_decode(gh_arena *a, const char *s, size_t len, size_t *out_len)
{
    return gh_url_decode_n(a, s, len, 1, out_len);
}

const char *gh_util_base64_encode(gh_arena *a, const char *s, size_t len, size_t *out_len)
{
    const char *r = gh_base64_encode(a, s, len);
    *out_len = strlen(r);
    return r;
}

const char *gh_util_base64_decode(gh_arena *a, const char *s, size_t len, size_t *out_len)
{
    char *out;
    return gh_base64_decode(a, s, len, &out, out_len) == 0 ? out : NULL;
}

bool gh_util_parse_json(gh_arena *a, const char *s, size_t len, gh_vval *out,
                        const char **error)
{
    json_t *j = json_loadb(s, len, JSON_DECODE_ANY, NULL);
    if (!j) {
        *error = "not JSON";
        return false;
    }
    *out = gh_v_from_json(a, j);
    json_decref(j);
    return true;
}
