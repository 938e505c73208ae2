/* Lua mapping templates: the template's function runs on the script pool (same sandbox,
 * timeout and memory cap as Lambda handlers) with four objects that mean what $input,
 * $context, $stageVariables and $util mean in VTL (reference §5.1-5.4). JSONPath and
 * $util go through the same C as the VTL engine's, so both languages render the same
 * bytes. Overrides are read back from context.requestOverride / responseOverride after
 * the call, as AWS applies them after the whole template rendered (§5.8). */
#include "template/lua_template.h"

#include <jansson.h>
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "integration/context.h"
#include "script/convert.h"
#include "template/aws_util.h"
#include "template/aws_vars.h"
#include "template/jsonpath.h"
#include "util/url.h"

/* A template transforms a payload, it is no backend: this bounds a runaway one. */
#define TEMPLATE_TIMEOUT_MS 5000
/* Where the context table of the running call waits for its overrides to be read. */
#define CONTEXT_KEY "gatehouse.template.context"
/* Where the box of the running call waits for its functions to be made (set_fn). */
#define BOX_KEY "gatehouse.template.box"

/* The $context names AWS documents for REST templates (§5.3), as gh_context_get knows
 * them; dotted ones become nested tables. */
static const char *const context_names[] = {
    "accountId",
    "apiId",
    "awsEndpointRequestId",
    "deploymentId",
    "domainName",
    "domainPrefix",
    "error.message",
    "error.messageString",
    "error.responseType",
    "error.validationErrorString",
    "extendedRequestId",
    "httpMethod",
    "identity.accountId",
    "identity.apiKey",
    "identity.apiKeyId",
    "identity.caller",
    "identity.cognitoAuthenticationProvider",
    "identity.cognitoAuthenticationType",
    "identity.cognitoIdentityId",
    "identity.cognitoIdentityPoolId",
    "identity.principalOrgId",
    "identity.sourceIp",
    "identity.user",
    "identity.userAgent",
    "identity.userArn",
    "path",
    "protocol",
    "requestId",
    "requestTime",
    "requestTimeEpoch",
    "resourceId",
    "resourcePath",
    "stage",
    "wafResponseCode",
    "webaclArn",
};

typedef struct render {
    gh_invocation *inv;
    const gh_template *t;
    gh_mapping_kind kind;
    const char *body;
    size_t body_len;
    bool parsed; /* root holds the body as JSON (or json_error says why not) */
    gh_vval root;
    const char *json_error;
    gh_mapping_out *out;
    const char *bad_result; /* the type name the function returned instead of a string */
    json_t *kept; /* JSON values being pushed into Lua, freed after the call: a push can
                   * raise (memory cap) before a decref after it would run */
} render;

/* The functions handed to a template reach its render through a box (full userdata)
 * that `done` empties when the call ends: a template may keep input.params or util.* in a
 * global, and the render, its arena and its request are gone by the next call. */
static render *self(lua_State *L)
{
    render **box = lua_touserdata(L, lua_upvalueindex(1));
    if (!box || !*box)
        luaL_error(L, "this function belongs to a template call that has returned; call "
                      "input.* and util.* only while the template runs");
    return *box;
}

static void set_str(lua_State *L, const char *key, const char *value)
{
    if (!value)
        return;
    lua_pushstring(L, value);
    lua_setfield(L, -2, key);
}

/* The body as JSON, parsed once per render. */
static gh_vval body_json(lua_State *L, render *r)
{
    if (!r->parsed) {
        r->parsed = true;
        r->json_error = gh_aws_body_parse(r->inv->arena, r->body, r->body_len, &r->root);
    }
    if (r->json_error)
        luaL_error(L, "the body is not JSON (%s)", r->json_error);
    return r->root;
}

static gh_vval eval_path(lua_State *L, render *r)
{
    size_t len;
    const char *path = luaL_checklstring(L, 1, &len);
    gh_vval root = body_json(L, r), v;
    const char *err = NULL;
    if (!gh_jsonpath_eval(r->inv->arena, root, path, len, &v, &err))
        luaL_error(L, "JSONPath '%s' does not parse: %s", path, err ? err : "?");
    return v;
}

/* input.json(path): the JSON text $input.json(path) prints. */
static int input_json(lua_State *L)
{
    render *r = self(L);
    gh_vval v = eval_path(L, r);
    /* Into the arena before the push: a push can raise (memory cap) and must not leak. */
    gh_buf b = GH_BUF_INIT;
    gh_v_print_json(v, &b);
    char *text = gh_arena_strndup(r->inv->arena, b.data ? b.data : "", b.len);
    size_t len = b.len;
    gh_buf_free(&b);
    lua_pushlstring(L, text, len);
    return 1;
}

/* input.path(path): the value as a Lua value (nil when nothing matches). */
/* Pushes v as a Lua value, its JSON form owned by r until the call ends. */
static void push_vval(lua_State *L, render *r, gh_vval v)
{
    json_t *j = gh_v_to_json(v);
    if (!r->kept)
        r->kept = json_array();
    json_array_append_new(r->kept, j);
    gh_lua_push_json(L, j);
}

static int input_path(lua_State *L)
{
    render *r = self(L);
    push_vval(L, r, eval_path(L, r));
    return 1;
}

static const char *path_param(const gh_invocation *inv, const char *name)
{
    for (size_t i = 0; i < inv->npath_params; i++)
        if (strcmp(inv->path_params[i].name, name) == 0)
            return inv->path_params[i].value;
    return NULL;
}

/* input.params(): {path=, querystring=, header=}; input.params(name): path, then query
 * string, then header, "" when absent, as $input.params(x). */
static int input_params(lua_State *L)
{
    render *r = self(L);
    const gh_invocation *inv = r->inv;
    gh_headers q = {0};
    if (inv->req && inv->req->query)
        gh_query_parse(inv->arena, inv->req->query, &q);
    if (!lua_isnoneornil(L, 1)) {
        const char *name = luaL_checkstring(L, 1);
        const char *v = path_param(inv, name);
        for (size_t i = 0; !v && i < q.n; i++)
            if (strcmp(q.items[q.n - 1 - i].name, name) == 0)
                v = q.items[q.n - 1 - i].value;
        if (!v && inv->req)
            v = gh_headers_get(&inv->req->headers, name);
        lua_pushstring(L, v ? v : "");
        return 1;
    }
    size_t nh = inv->req ? inv->req->headers.n : 0;
    luaL_checkstack(L, 4, "input.params");
    lua_createtable(L, 0, 3);
    lua_createtable(L, 0, (int)inv->npath_params);
    for (size_t i = 0; i < inv->npath_params; i++)
        set_str(L, inv->path_params[i].name, inv->path_params[i].value);
    lua_setfield(L, -2, "path");
    lua_createtable(L, 0, (int)q.n);
    for (size_t i = 0; i < q.n; i++)
        set_str(L, q.items[i].name, q.items[i].value);
    lua_setfield(L, -2, "querystring");
    lua_createtable(L, 0, (int)nh);
    for (size_t i = 0; i < nh; i++)
        set_str(L, inv->req->headers.items[i].name, inv->req->headers.items[i].value);
    lua_setfield(L, -2, "header");
    return 1;
}

typedef const char *(*util_fn)(gh_arena *, const char *, size_t, size_t *);

static int util_string(lua_State *L, util_fn fn, const char *name)
{
    size_t len, out_len = 0;
    const char *s = luaL_checklstring(L, 1, &len);
    const char *res = fn(self(L)->inv->arena, s, len, &out_len);
    if (!res)
        return luaL_error(L, "util.%s: the argument is not valid input", name);
    lua_pushlstring(L, res, out_len);
    return 1;
}

static int util_escape_js(lua_State *L)
{
    return util_string(L, gh_util_escape_javascript, "escapeJavaScript");
}
static int util_url_encode(lua_State *L)
{
    return util_string(L, gh_util_url_encode, "urlEncode");
}
static int util_url_decode(lua_State *L)
{
    return util_string(L, gh_util_url_decode, "urlDecode");
}
static int util_b64_encode(lua_State *L)
{
    return util_string(L, gh_util_base64_encode, "base64Encode");
}
static int util_b64_decode(lua_State *L)
{
    return util_string(L, gh_util_base64_decode, "base64Decode");
}

static int util_parse_json(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    gh_vval v;
    const char *err = NULL;
    render *r = self(L);
    if (!gh_util_parse_json(r->inv->arena, s, len, &v, &err))
        return luaL_error(L, "util.parseJson: %s", err ? err : "not JSON");
    push_vval(L, r, v);
    return 1;
}

/* Stack: table. Sets table[name] to fn with this call's box as its upvalue. */
static void set_fn(lua_State *L, const char *name, lua_CFunction fn)
{
    lua_getfield(L, LUA_REGISTRYINDEX, BOX_KEY);
    lua_pushcclosure(L, fn, 1);
    lua_setfield(L, -2, name);
}

/* context.<name>, creating the tables of a dotted name. Stack: context */
static void set_context(lua_State *L, const char *name, const char *value)
{
    const char *dot = strchr(name, '.');
    if (!dot) {
        set_str(L, name, value);
        return;
    }
    char table[32];
    snprintf(table, sizeof table, "%.*s", (int)(dot - name), name);
    if (lua_getfield(L, -1, table) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_setfield(L, -3, table);
    }
    set_str(L, dot + 1, value);
    lua_pop(L, 1);
}

/* ---- overrides: write-once tables, as AWS's overrides are final (§5.8) ----
 * Each override map is an empty proxy whose metatable keeps the values in a store table
 * (__index) and refuses a second write of a name (case-insensitively for headers), a
 * removal, or a write to a fixed member, with the error AWS's 5XX stands for. */

#define ONCE_MSG "is already set: AWS fails a request (5XX) that overrides a parameter twice; " \
                 "set a variable, override once at the end"

/* name, lower-cased when fold (header names are case-insensitive), pushed. */
static void push_folded(lua_State *L, const char *name, bool fold)
{
    if (!fold) {
        lua_pushstring(L, name);
        return;
    }
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (const char *c = name; *c; c++)
        luaL_addchar(&b, (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c));
    luaL_pushresult(&b);
}

/* __newindex of a write-once map. Upvalues: 1 store, 2 names seen, 3 the map's name,
 * 4 fold case. Arguments: 1 proxy, 2 key, 3 value. */
static int once_newindex(lua_State *L)
{
    const char *what = lua_tostring(L, lua_upvalueindex(3));
    bool fold = lua_toboolean(L, lua_upvalueindex(4));
    if (lua_type(L, 2) != LUA_TSTRING && lua_type(L, 2) != LUA_TNUMBER)
        return luaL_error(L, "%s: names must be strings", what);
    const char *name = luaL_tolstring(L, 2, NULL); /* 4 */
    if (lua_isnil(L, 3))
        return luaL_error(L, "%s.%s cannot be removed: overrides are final", what, name);
    push_folded(L, name, fold); /* 5 */
    lua_pushvalue(L, 5);
    if (lua_rawget(L, lua_upvalueindex(2)) != LUA_TNIL)
        return luaL_error(L, "%s.%s " ONCE_MSG, what, name);
    lua_pop(L, 1);
    lua_pushboolean(L, 1);
    lua_rawset(L, lua_upvalueindex(2)); /* seen[folded] = true */
    lua_pushvalue(L, 4);
    lua_pushvalue(L, 3);
    lua_rawset(L, lua_upvalueindex(1)); /* store[name] = value */
    return 0;
}

static int fixed_newindex(lua_State *L)
{
    return luaL_error(L, "%s.%s cannot be replaced: set its entries instead",
                      lua_tostring(L, lua_upvalueindex(1)), luaL_tolstring(L, 2, NULL));
}

/* Pushes a write-once proxy named `what`; its store is the metatable's __index. With a
 * member name, the value on top of the stack is taken as that member, already set (so it
 * cannot be replaced). */
static void push_once(lua_State *L, const char *what, bool fold, const char *member)
{
    int v = lua_gettop(L);
    lua_newtable(L);          /* proxy */
    lua_createtable(L, 0, 2); /* metatable */
    lua_newtable(L);          /* store */
    lua_newtable(L);          /* seen */
    if (member) {
        lua_pushvalue(L, v);
        lua_setfield(L, -3, member);
        lua_pushboolean(L, 1);
        lua_setfield(L, -2, member);
    }
    lua_pushvalue(L, -2);
    lua_setfield(L, -4, "__index");
    lua_pushstring(L, what);
    lua_pushboolean(L, fold);
    lua_pushcclosure(L, once_newindex, 4);
    lua_setfield(L, -2, "__newindex");
    lua_setmetatable(L, -2);
    if (member)
        lua_remove(L, v);
}

/* The store behind a proxy built by push_once or push_fixed (the table on top), pushed. */
static void push_store(lua_State *L)
{
    if (!lua_getmetatable(L, -1)) {
        lua_pushvalue(L, -1);
        return;
    }
    lua_getfield(L, -1, "__index");
    lua_remove(L, -2);
}

/* Wraps the table on top (its members) in a proxy that refuses any write. */
static void push_fixed(lua_State *L, const char *what)
{
    lua_newtable(L);          /* proxy */
    lua_createtable(L, 0, 2); /* metatable */
    lua_pushvalue(L, -3);
    lua_setfield(L, -2, "__index");
    lua_pushstring(L, what);
    lua_pushcclosure(L, fixed_newindex, 1);
    lua_setfield(L, -2, "__newindex");
    lua_setmetatable(L, -2);
    lua_remove(L, -2);
}

static void push_context(lua_State *L, render *r)
{
    lua_createtable(L, 0, 24);
    lua_newtable(L);
    lua_setfield(L, -2, "authorizer");
    for (size_t i = 0; i < sizeof context_names / sizeof *context_names; i++)
        set_context(L, context_names[i], gh_context_get(r->inv, context_names[i]));
    /* Stack: context | members -> the requestOverride proxy */
    lua_createtable(L, 0, 3);
    push_once(L, "context.requestOverride.header", true, NULL);
    lua_setfield(L, -2, "header");
    push_once(L, "context.requestOverride.querystring", false, NULL);
    lua_setfield(L, -2, "querystring");
    push_once(L, "context.requestOverride.path", false, NULL);
    lua_setfield(L, -2, "path");
    push_fixed(L, "context.requestOverride");
    lua_setfield(L, -2, "requestOverride");
    /* responseOverride: status is write-once itself; header a write-once map. */
    push_once(L, "context.responseOverride.header", true, NULL);
    push_once(L, "context.responseOverride", false, "header");
    lua_setfield(L, -2, "responseOverride");
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, CONTEXT_KEY);
}

/* Stack: template function. Pushes input, context, stageVariables, util. */
static int push_args(lua_State *L, void *ud)
{
    render *r = ud;
    luaL_checkstack(L, 8, "template arguments");
    render **box = lua_newuserdatauv(L, sizeof *box, 0);
    *box = r;
    lua_setfield(L, LUA_REGISTRYINDEX, BOX_KEY);
    lua_createtable(L, 0, 4);
    lua_pushlstring(L, r->body, r->body_len);
    lua_setfield(L, -2, "body");
    set_fn(L, "json", input_json);
    set_fn(L, "path", input_path);
    set_fn(L, "params", input_params);

    push_context(L, r);

    const gh_kvs *vars = r->inv->stage ? &r->inv->stage->variables : NULL;
    lua_createtable(L, 0, vars ? (int)vars->n : 0);
    for (size_t i = 0; vars && i < vars->n; i++)
        set_str(L, vars->items[i].key, vars->items[i].value);

    lua_createtable(L, 0, 6);
    set_fn(L, "escapeJavaScript", util_escape_js);
    set_fn(L, "parseJson", util_parse_json);
    set_fn(L, "urlEncode", util_url_encode);
    set_fn(L, "urlDecode", util_url_decode);
    set_fn(L, "base64Encode", util_b64_encode);
    set_fn(L, "base64Decode", util_b64_decode);
    return 4;
}

/* Copies the string entries of the table field `name` of the table on top into h. */
static void read_overrides(lua_State *L, render *r, const char *name, gh_headers *h)
{
    if (lua_getfield(L, -1, name) == LUA_TTABLE) {
        push_store(L);
        lua_remove(L, -2);
        lua_pushnil(L);
        while (lua_next(L, -2)) {
            if (lua_type(L, -2) == LUA_TSTRING &&
                (lua_type(L, -1) == LUA_TSTRING || lua_type(L, -1) == LUA_TNUMBER)) {
                lua_pushvalue(L, -1); /* tostring on a copy: keys must stay as they are */
                const char *v = lua_tostring(L, -1);
                gh_headers_set(r->inv->arena, h, lua_tostring(L, -3), v);
                lua_pop(L, 1);
            }
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 1);
}

/* Stack: result. */
static void take_result(lua_State *L, void *ud)
{
    render *r = ud;
    gh_mapping_out *out = r->out;
    if (lua_type(L, -1) != LUA_TSTRING) {
        r->bad_result = luaL_typename(L, -1);
        return;
    }
    size_t len;
    const char *s = lua_tolstring(L, -1, &len);
    char *body = gh_arena_alloc(r->inv->arena, len + 1);
    memcpy(body, s, len);
    body[len] = '\0';
    out->body = body;
    out->len = len;

    lua_getfield(L, LUA_REGISTRYINDEX, CONTEXT_KEY);
    if (r->kind == GH_MAPPING_REQUEST && lua_getfield(L, -1, "requestOverride") == LUA_TTABLE) {
        push_store(L);
        lua_remove(L, -2);
        read_overrides(L, r, "header", &out->request_header_overrides);
        read_overrides(L, r, "querystring", &out->request_query_overrides);
        read_overrides(L, r, "path", &out->request_path_overrides);
    }
    if (r->kind == GH_MAPPING_REQUEST)
        lua_pop(L, 1);
    if (r->kind != GH_MAPPING_REQUEST && lua_getfield(L, -1, "responseOverride") == LUA_TTABLE) {
        push_store(L);
        lua_remove(L, -2);
        read_overrides(L, r, "header", &out->response_header_overrides);
        lua_getfield(L, -1, "status");
        lua_Integer status = lua_tointeger(L, -1); /* numbers and numeric strings */
        /* Statuses outside HTTP's range are ignored (reference §5.8). */
        if (status >= 100 && status <= 599)
            out->status_override = (int)status;
        lua_pop(L, 1);
    }
    if (r->kind != GH_MAPPING_REQUEST)
        lua_pop(L, 1);
    lua_pushnil(L);
    lua_setfield(L, LUA_REGISTRYINDEX, CONTEXT_KEY);
    lua_pop(L, 1);
}

/* gh_script_custom.done: empties this call's box, whatever the call's outcome. */
static void forget_render(lua_State *L, void *ud)
{
    (void)ud;
    if (lua_getfield(L, LUA_REGISTRYINDEX, BOX_KEY) == LUA_TUSERDATA) {
        render **box = lua_touserdata(L, -1);
        *box = NULL;
    }
    lua_pop(L, 1);
    lua_pushnil(L);
    lua_setfield(L, LUA_REGISTRYINDEX, BOX_KEY);
    lua_pushnil(L);
    lua_setfield(L, LUA_REGISTRYINDEX, CONTEXT_KEY);
}

int gh_lua_template_render(gh_invocation *inv, const gh_template *t, gh_mapping_kind kind,
                           const char *body, size_t body_len, gh_mapping_out *out)
{
    memset(out, 0, sizeof *out);
    const char *what = gh_arena_printf(inv->arena, "Lua template '%s'", t->media_type);
    if (!t->lua || t->script < 0 || !inv->scripts) {
        out->error = gh_arena_printf(inv->arena, "%s: no Lua runtime to run it", what);
        return -1;
    }
    /* An empty body renders as {} in templates, as on AWS (§5.1). */
    if (!body || body_len == 0) {
        body = "{}";
        body_len = 2;
    }
    render r = {.inv = inv, .t = t, .kind = kind, .body = body, .body_len = body_len, .out = out};
    gh_script_custom c = {push_args, take_result, &r, forget_render};
    gh_script_result res;
    gh_script_status st =
        gh_script_call_custom(inv->scripts, t->script, &c, TEMPLATE_TIMEOUT_MS, &res);
    int rc = 0;
    if (st != GH_SCRIPT_OK && r.json_error && kind == GH_MAPPING_REQUEST)
        /* As in VTL: a request body that opens JSON and breaks is the client's 400. */
        out->client_error = gh_arena_printf(inv->arena, "Could not parse request body into "
                                            "json: %s", r.json_error);
    if (st != GH_SCRIPT_OK) {
        out->error = gh_arena_printf(inv->arena, "%s failed: %s%s%s", what,
                                     res.error_message ? res.error_message : "error",
                                     res.traceback ? "\n" : "", res.traceback ? res.traceback : "");
        rc = -1;
    } else if (r.bad_result) {
        out->error = gh_arena_printf(inv->arena,
                                     "%s returned %s, not the body string; end it "
                                     "with `return <string>`",
                                     what, r.bad_result);
        rc = -1;
    }
    if (rc != 0) {
        out->body = NULL;
        out->len = 0;
        memset(&out->request_header_overrides, 0, sizeof out->request_header_overrides);
    }
    gh_script_result_free(&res);
    json_decref(r.kept);
    return rc;
}
