/* $input in mapping templates (reference §5.1): the body as text, JSONPath over the body
 * ($input.json prints the match as compact JSON, $input.path returns it as a value) and
 * the request parameters. The body is parsed once per render, on first use, straight into
 * template values (vtl_json.h).
 *
 * AWS facts this follows:
 *  - an empty body reads as "{}" for $input.body and for JSONPath (§5.1, recorded;
 *    LocalStack PR #12413 measured it for every content type);
 *  - a path that matches nothing gives null: $input.path renders nothing and
 *    $input.json prints "null" (Jayway's PathNotFoundException becomes null;
 *    LocalStack PR #12774 reads it so after checking on AWS);
 *  - JSONPath reads the body the way Jayway's json-smart provider does, in json-smart's
 *    permissive mode: a body that does not start like JSON ({, [, " or ') is one string,
 *    trimmed. So $input.path('$') on a form post "a=1&b=2" is that text, which the
 *    form-to-JSON template AWS users have shared for years depends on ("#set($rawAPIData =
 *    $input.path('$'))" then split on '&'). A request body that starts like JSON and
 *    does not parse fails the template, and the caller answers the client 400 "Could not
 *    parse request body into json: ..." (gh_aws_input_client_error), the text AWS users
 *    meet for bodies that are not JSON (serverless/serverless#2270); the same 400 comes
 *    from a non-proxy Lambda whose event is not JSON (lambda_aws.c), as Lambda's Invoke
 *    refuses it;
 *  - $input.params(x) searches path, then query string, then headers and gives "" when
 *    absent (api-gateway-mapping-template-reference). */
#include <string.h>

#include "integration/context.h"
#include "template/aws_vars.h"
#include "template/jsonpath.h"
#include "template/vtl_json.h"
#include "util/url.h"

typedef struct input {
    gh_invocation *inv;
    const char *body;
    size_t len;
    bool response;
    bool parsed;       /* root / parse_error hold the result of the one parse */
    gh_vval root;
    const char *parse_error;
    gh_vmap *params;   /* built on first use, then shared (Java hands out one map) */
} input;

/* json-smart's permissive reading of text that does not open a JSON value: the whole
 * text, trimmed as Java's String.trim() trims (every byte <= ' '), is one string, and
 * nothing at all is null. *out is set and true returned when that applies. */
static bool unquoted_text(gh_arena *a, const char *s, size_t len, gh_vval *out)
{
    size_t b = 0, e = len;
    while (b < e && (unsigned char)s[b] <= ' ')
        b++;
    while (e > b && (unsigned char)s[e - 1] <= ' ')
        e--;
    if (b == e) {
        *out = gh_v_null();
        return true;
    }
    if (strchr("{[\"'", s[b]))
        return false;
    *out = gh_v_strn(gh_arena_strndup(a, s + b, e - b), e - b);
    return true;
}

const char *gh_aws_body_parse(gh_arena *a, const char *body, size_t len, gh_vval *root)
{
    const char *error = gh_vjson_parse(a, body, len, root);
    if (error && unquoted_text(a, body, len, root))
        error = NULL;
    return error;
}

static bool load(gh_vtl_rt *rt, input *in)
{
    if (!in->parsed) {
        in->parsed = true;
        in->parse_error = gh_aws_body_parse(rt->arena, in->body, in->len, &in->root);
    }
    if (in->parse_error)
        return gh_vtl_fail(rt, "the %s body is not JSON that $input.json/$input.path can read: %s",
                           in->response ? "integration response" : "request", in->parse_error);
    return true;
}

static gh_vmap *params_map(gh_arena *a, input *in)
{
    if (in->params)
        return in->params;
    gh_invocation *inv = in->inv;
    gh_vval path = gh_v_map(a, inv->npath_params, false);
    for (size_t i = 0; i < inv->npath_params; i++) {
        const gh_header *h = &inv->path_params[i];
        gh_vmap_put(a, path.u.map, h->name, strlen(h->name), gh_v_str(h->value));
    }
    gh_vval query = gh_v_map(a, 4, false);
    gh_vval header = gh_v_map(a, 8, false);
    if (inv->req) {
        gh_headers q = {0};
        gh_query_parse(a, inv->req->query, &q);
        /* A repeated name keeps its last value, as the proxy event's single-value maps. */
        for (size_t i = 0; i < q.n; i++)
            gh_vmap_put(a, query.u.map, q.items[i].name, strlen(q.items[i].name),
                        gh_v_str(q.items[i].value));
        const gh_headers *h = &inv->req->headers;
        for (size_t i = 0; i < h->n; i++)
            gh_vmap_put(a, header.u.map, h->items[i].name, strlen(h->items[i].name),
                        gh_v_str(h->items[i].value));
    }
    gh_vval m = gh_v_map(a, 3, false);
    gh_vmap_put(a, m.u.map, "path", 4, path);
    gh_vmap_put(a, m.u.map, "querystring", 11, query);
    gh_vmap_put(a, m.u.map, "header", 6, header);
    in->params = m.u.map;
    return in->params;
}

/* $input.params('x'): path, then query string, then headers (a header name matches
 * whatever its case, as HTTP names do); "" when absent. */
static gh_vval param(gh_arena *a, input *in, const char *name, size_t len)
{
    gh_vmap *m = params_map(a, in);
    static const char *const order[] = {"path", "querystring"};
    for (int i = 0; i < 2; i++) {
        gh_vmap_entry *loc = gh_vmap_find(m, order[i], strlen(order[i]));
        gh_vmap_entry *e = loc && loc->value.kind == GH_V_MAP
                               ? gh_vmap_find(loc->value.u.map, name, len)
                               : NULL;
        if (e)
            return e->value;
    }
    if (in->inv->req && !memchr(name, '\0', len)) {
        const char *v = gh_headers_get(&in->inv->req->headers, gh_arena_strndup(a, name, len));
        if (v)
            return gh_v_str(v);
    }
    return gh_v_str("");
}

static bool input_get(gh_vtl_rt *rt, void *self, const char *name, gh_vval *out)
{
    input *in = self;
    (void)rt;
    if (strcmp(name, "body") == 0) {
        *out = gh_v_strn(in->body, in->len);
        return true;
    }
    return false;
}

static bool input_call(gh_vtl_rt *rt, void *self, const char *name, const gh_vval *args,
                       size_t nargs, gh_vval *out)
{
    input *in = self;
    gh_arena *a = rt->arena;
    if (strcmp(name, "params") == 0) {
        if (nargs == 0) {
            *out = (gh_vval){.kind = GH_V_MAP, .u.map = params_map(a, in)};
            return true;
        }
        if (nargs != 1)
            return false;
        if (args[0].kind != GH_V_STRING) {
            *out = gh_v_str("");
            return true;
        }
        *out = param(a, in, args[0].u.str.s, args[0].u.str.len);
        return true;
    }
    bool json = strcmp(name, "json") == 0;
    if (!json && strcmp(name, "path") != 0)
        return false;
    if (nargs != 1)
        return false;
    if (args[0].kind != GH_V_STRING)
        return gh_vtl_fail(rt, "$input.%s: the JSONPath must be a string, not %s", name,
                           gh_v_kind_name(args[0].kind));
    if (!load(rt, in))
        return false;
    const char *err = NULL;
    gh_vval v;
    if (!gh_jsonpath_eval(a, in->root, args[0].u.str.s, args[0].u.str.len, &v, &err))
        return gh_vtl_fail(rt, "$input.%s('%.*s'): invalid JSONPath: %s", name,
                           (int)args[0].u.str.len, args[0].u.str.s, err);
    if (!json) {
        *out = v;
        return true;
    }
    gh_buf b = GH_BUF_INIT;
    gh_v_print_json(v, &b);
    *out = gh_v_strdup(a, b.data, b.len);
    gh_buf_free(&b);
    return true;
}

const gh_vhost_class gh_aws_input_class = {"$input", input_get, input_call, NULL};

const char *gh_aws_input_client_error(gh_vtl_rt *rt, gh_vval v)
{
    if (v.kind != GH_V_HOST || v.u.host.cls != &gh_aws_input_class)
        return NULL;
    const input *in = v.u.host.self;
    if (in->response || !in->parse_error)
        return NULL;
    return gh_arena_printf(rt->arena, "Could not parse request body into json: %s",
                           in->parse_error);
}

gh_vval gh_aws_input_new(gh_invocation *inv, const char *body, size_t len, bool response)
{
    input *in = gh_arena_calloc(inv->arena, sizeof *in);
    in->inv = inv;
    if (!body || len == 0) {
        /* AWS reads an empty body as "{}" (§5.1, recorded). */
        body = "{}";
        len = 2;
    }
    in->body = body;
    in->len = len;
    in->response = response;
    return gh_v_host(&gh_aws_input_class, in);
}
