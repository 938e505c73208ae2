/* $context and $stageVariables in mapping templates (reference §5.3, §5.4). Leaf values
 * come from gh_context_get (integration/context.c), which knows every REST variable;
 * this file only gives them the object shape templates navigate: $context.identity,
 * .authorizer, .error (and identity.clientCert, its validity, authorizer.claims) are
 * objects whose properties are looked up by their dotted name.
 *
 * $context.requestOverride.{header,querystring,path} and $context.responseOverride
 * (.header map, .status) are real maps: #set($context.requestOverride.header.X = 'v')
 * writes into them through the evaluator's ordinary #set on a property chain (and reads
 * back what was set, as on AWS), and mapping.c applies what they hold after the whole
 * template rendered, as AWS does (apigateway-override-request-response-parameters).
 * They are write_once maps (vtl_value.h): setting one parameter twice fails the render.
 * responseOverride.status reads as null (prints nothing) until a template sets it. */
#include <stdlib.h>
#include <string.h>

#include "integration/context.h"
#include "template/aws_vars.h"

/* A nested object: every property is "<prefix>.<name>". */
typedef struct ctx_obj {
    gh_invocation *inv;
    const char *prefix; /* NULL for $context itself */
    gh_aws_context *root;
} ctx_obj;

/* Dotted names that are objects rather than values. Not authorizer.claims: AWS renders
 * a bare $context.authorizer.claims as null (reference §5.3) when no Cognito authorizer
 * ran; with one, it is an object (claims_object). */
static const char *const objects[] = {
    "identity", "identity.clientCert", "identity.clientCert.validity", "authorizer", "error",
};

/* Properties an object lists for keySet()/#foreach (those AWS documents). */
static const char *const identity_keys[] = {
    "accountId", "apiKey", "apiKeyId", "caller", "cognitoAuthenticationProvider",
    "cognitoAuthenticationType", "cognitoIdentityId", "cognitoIdentityPoolId",
    "principalOrgId", "sourceIp", "user", "userAgent", "userArn",
};
static const char *const error_keys[] = {"message", "messageString", "responseType",
                                         "validationErrorString"};

static gh_vval nested(gh_arena *a, ctx_obj *parent, const char *full)
{
    ctx_obj *o = gh_arena_calloc(a, sizeof *o);
    *o = (ctx_obj){parent->inv, full, parent->root};
    return gh_v_host(&gh_aws_context_class, o);
}

static gh_vmap *overrides_of(gh_arena *a, gh_aws_context *c, bool request);

/* The object behind $context.authorizer (prefix "authorizer") or its claims
 * ("authorizer.claims"), NULL when the authorization phase left none. */
static const gh_value *authorizer_object(const ctx_obj *o)
{
    const gh_value *az = o->inv->authorizer;
    if (!az || az->kind != GH_VALUE_OBJECT || !o->prefix)
        return NULL;
    if (strcmp(o->prefix, "authorizer") == 0)
        return az;
    if (strcmp(o->prefix, "authorizer.claims") == 0) {
        const gh_value *c = gh_value_get(az, "claims");
        return c && c->kind == GH_VALUE_OBJECT ? c : NULL;
    }
    return NULL;
}

static bool ctx_get(gh_vtl_rt *rt, void *self, const char *name, gh_vval *out)
{
    ctx_obj *o = self;
    gh_arena *a = rt->arena;
    if (!o->prefix && strcmp(name, "requestOverride") == 0) {
        *out = (gh_vval){.kind = GH_V_MAP, .u.map = overrides_of(a, o->root, true)};
        return true;
    }
    if (!o->prefix && strcmp(name, "responseOverride") == 0) {
        *out = (gh_vval){.kind = GH_V_MAP, .u.map = overrides_of(a, o->root, false)};
        return true;
    }
    const char *full = o->prefix ? gh_arena_printf(a, "%s.%s", o->prefix, name) : name;
    for (size_t i = 0; i < sizeof objects / sizeof *objects; i++)
        if (strcmp(full, objects[i]) == 0) {
            *out = nested(a, o, objects[i]);
            return true;
        }
    if (strcmp(full, "authorizer.claims") == 0) {
        ctx_obj probe = {o->inv, "authorizer.claims", o->root};
        if (!authorizer_object(&probe))
            return false;
        *out = nested(a, o, "authorizer.claims");
        return true;
    }
    const char *v = gh_context_get(o->inv, full);
    /* messageString is the message as a JSON string literal, and an unset one is the
     * literal null, so the default gateway template {"message":$context.error.messageString}
     * gives {"message":null} (reference §2), as simple substitution renders it. */
    if (!v && strcmp(full, "error.messageString") == 0)
        v = "null";
    if (!v)
        return false;
    *out = gh_v_str(v);
    return true;
}

/* The few Map methods templates call on these objects: get, containsKey, keySet, size,
 * isEmpty (a #foreach over $context.identity.keySet() is a common pattern). */
static bool ctx_call(gh_vtl_rt *rt, void *self, const char *name, const gh_vval *args,
                     size_t nargs, gh_vval *out)
{
    ctx_obj *o = self;
    if (nargs == 1 && args[0].kind == GH_V_STRING &&
        (strcmp(name, "get") == 0 || strcmp(name, "containsKey") == 0)) {
        const char *key = gh_arena_strndup(rt->arena, args[0].u.str.s, args[0].u.str.len);
        gh_vval v;
        bool has = ctx_get(rt, self, key, &v);
        *out = name[0] == 'g' ? (has ? v : gh_v_null()) : gh_v_bool(has);
        return true;
    }
    if (nargs != 0)
        return false;
    const char *const *keys = NULL;
    size_t nkeys = 0;
    if (o->prefix && strcmp(o->prefix, "identity") == 0)
        keys = identity_keys, nkeys = sizeof identity_keys / sizeof *identity_keys;
    else if (o->prefix && strcmp(o->prefix, "error") == 0)
        keys = error_keys, nkeys = sizeof error_keys / sizeof *error_keys;
    /* $context.authorizer lists what the authorizer returned: principalId, the context
     * keys, integrationLatency (Lambda) or claims (Cognito). */
    const gh_value *az = authorizer_object(o);
    if (az) {
        const char **names = gh_arena_alloc(rt->arena, (az->u.obj.n + 1) * sizeof *names);
        for (size_t i = 0; i < az->u.obj.n; i++)
            names[i] = gh_arena_strndup(rt->arena, az->u.obj.members[i].key,
                                        az->u.obj.members[i].klen);
        keys = names, nkeys = az->u.obj.n;
    }
    gh_vval list = gh_v_list(rt->arena, nkeys, false);
    for (size_t i = 0; i < nkeys; i++) {
        gh_vval v;
        if (ctx_get(rt, self, keys[i], &v))
            gh_vlist_add(rt->arena, list.u.list, gh_v_str(keys[i]));
    }
    if (strcmp(name, "keySet") == 0) {
        *out = list;
        return true;
    }
    if (strcmp(name, "size") == 0) {
        *out = gh_v_int((int64_t)list.u.list->n);
        return true;
    }
    if (strcmp(name, "isEmpty") == 0) {
        *out = gh_v_bool(list.u.list->n == 0);
        return true;
    }
    return false;
}

const gh_vhost_class gh_aws_context_class = {"$context", ctx_get, ctx_call, NULL};

/* One override map. "Overrides are final. An override may only be applied to each
 * parameter once" (apigateway-override-request-response-parameters): a second #set of
 * the same key fails the render, which the caller answers with a 500. Header names are
 * compared ignoring case (X-Id and x-id name one HTTP header, so setting both overrides
 * it twice); AWS's page does not say so, query string and path names stay exact. */
static gh_vval override_map(gh_arena *a, bool header)
{
    gh_vval m = gh_v_map(a, 4, false);
    m.u.map->write_once = true;
    m.u.map->fold_case = header;
    return m;
}

/* $context.requestOverride / .responseOverride, made on the template's first read of
 * either: five maps per render that almost no template touches. */
static gh_vmap *overrides_of(gh_arena *a, gh_aws_context *c, bool request)
{
    if (request && !c->request_override) {
        gh_vval req = gh_v_map(a, 3, false);
        gh_vmap_put(a, req.u.map, "header", 6, override_map(a, true));
        gh_vmap_put(a, req.u.map, "querystring", 11, override_map(a, false));
        gh_vmap_put(a, req.u.map, "path", 4, override_map(a, false));
        /* The outer maps are write-once too: .status is set once, and the header /
         * querystring / path maps cannot be swapped for others. */
        req.u.map->write_once = true;
        c->request_override = req.u.map;
    }
    if (!request && !c->response_override) {
        gh_vval resp = gh_v_map(a, 2, false);
        gh_vmap_put(a, resp.u.map, "header", 6, override_map(a, true));
        resp.u.map->write_once = true;
        c->response_override = resp.u.map;
    }
    return request ? c->request_override : c->response_override;
}

gh_vval gh_aws_context_new(gh_invocation *inv, gh_aws_context **ctxp)
{
    gh_arena *a = inv->arena;
    gh_aws_context *c = gh_arena_calloc(a, sizeof *c);
    c->inv = inv;
    ctx_obj *root = gh_arena_calloc(a, sizeof *root);
    *root = (ctx_obj){inv, NULL, c};
    if (ctxp)
        *ctxp = c;
    return gh_v_host(&gh_aws_context_class, root);
}

gh_vval gh_aws_stage_variables(gh_invocation *inv)
{
    gh_arena *a = inv->arena;
    size_t n = inv->stage ? inv->stage->variables.n : 0;
    gh_vval m = gh_v_map(a, n, false);
    for (size_t i = 0; i < n; i++) {
        const gh_kv *kv = &inv->stage->variables.items[i];
        gh_vmap_put(a, m.u.map, kv->key, strlen(kv->key), gh_v_str(kv->value));
    }
    return m;
}

/* Copies every entry of the override map `m` into h, in the order they were set; a
 * list value gives one header per element (a multi-value override). */
static void collect(gh_vtl_rt *rt, gh_vmap *parent, const char *name, gh_headers *h)
{
    gh_vmap_entry *e = parent ? gh_vmap_find(parent, name, strlen(name)) : NULL;
    if (!e || e->value.kind != GH_V_MAP)
        return;
    gh_vmap *m = e->value.u.map;
    for (size_t i = 0; i < m->n; i++) {
        const char *key = gh_arena_strndup(rt->arena, m->items[i].key, m->items[i].klen);
        gh_vval v = m->items[i].value;
        size_t len;
        if (v.kind == GH_V_NULL)
            continue;
        if (v.kind == GH_V_LIST) {
            for (size_t k = 0; k < v.u.list->n; k++)
                gh_headers_add(rt->arena, h, key,
                               gh_v_to_text(rt, rt->arena, v.u.list->items[k], &len));
            continue;
        }
        gh_headers_add(rt->arena, h, key, gh_v_to_text(rt, rt->arena, v, &len));
    }
}

/* $context.responseOverride.status: an integer, or a string holding one. A status outside
 * 100-599 is ignored (reference §5.8 [?]: not confirmed on AWS). */
static int status_of(gh_vmap *resp)
{
    gh_vmap_entry *e = resp ? gh_vmap_find(resp, "status", 6) : NULL;
    if (!e)
        return 0;
    long s = 0;
    if (e->value.kind == GH_V_INT) {
        s = e->value.u.i >= 100 && e->value.u.i <= 599 ? (long)e->value.u.i : 0;
    } else if (e->value.kind == GH_V_STRING && e->value.u.str.len > 0 &&
               e->value.u.str.len < 8) {
        char buf[8], *end;
        memcpy(buf, e->value.u.str.s, e->value.u.str.len);
        buf[e->value.u.str.len] = '\0';
        s = strtol(buf, &end, 10);
        if (*end)
            s = 0;
    }
    return s >= 100 && s <= 599 ? (int)s : 0;
}

void gh_aws_context_overrides(gh_vtl_rt *rt, gh_aws_context *ctx, gh_mapping_out *out)
{
    collect(rt, ctx->request_override, "header", &out->request_header_overrides);
    collect(rt, ctx->request_override, "querystring", &out->request_query_overrides);
    collect(rt, ctx->request_override, "path", &out->request_path_overrides);
    collect(rt, ctx->response_override, "header", &out->response_header_overrides);
    out->status_override = status_of(ctx->response_override);
}
