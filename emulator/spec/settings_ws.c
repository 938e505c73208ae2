/* x-gatehouse.websocket -> api->websocket: the definition's WebSocket API. AWS exports no
 * OpenAPI for WebSocket APIs (they live in CloudFormation as AWS::ApiGatewayV2::*), so
 * they are declared in our own block: the route selection expression (parsed here with
 * websocket/route_select.h), the API key selection expression, the idle timeout, the
 * routes (a function, or an x-amazon-apigateway-integration compiled by the same code
 * REST methods use) and the $connect REQUEST authorizers. What AWS would refuse to
 * create (a reserved route key, an authorizer on a message route, more than its limits)
 * is an error, as is a name that points at nothing in this block or x-gatehouse.functions.
 * Runs after the paths, so integrations see the API as REST ones do. */
#include <stdlib.h>
#include <string.h>

#include "auth/identity.h"
#include "spec/compile.h"
#include "util/buf.h"
#include "websocket/route_select.h"

/* Reference §9.4: per API, 300 routes and 10 authorizers. */
#define MAX_ROUTES 300
#define MAX_AUTHORIZERS 10
/* AWS's idle timeout is fixed at 10 minutes; we let demos and tests choose 1 s to 2 h
 * (the connection's maximum lifetime). */
#define IDLE_DEFAULT_S 600
#define IDLE_MAX_S 7200

#define WS_KEYS                                                                                \
    "routeSelectionExpression, apiKeySelectionExpression, idleTimeout, routes, authorizers"
#define ROUTE_KEYS "function, integration, routeResponse, authorizer, apiKeyRequired"
#define AUTHORIZER_KEYS "function, identitySource"

/* Warns about each key of `map` that is not a word of `list` ("a, b, c"). */
static void unknown_keys(gh_cc *cc, const gh_node *map, const char *what, const char *list)
{
    for (size_t i = 0; i < map->n; i++) {
        const char *k = map->pairs[i].key->text;
        size_t n = strlen(k);
        bool known = false;
        for (const char *w = list; *w && !known;) {
            size_t len = strcspn(w, ",");
            known = len == n && strncmp(w, k, n) == 0;
            w += len;
            w += strspn(w, ", ");
        }
        if (!known)
            gh_diag_warn(cc->d, gh_cc_mark(cc, map->pairs[i].key), "unknown %s setting '%s' is "
                         "ignored; known: %s",
                         what, k, list);
    }
}

static const char *text(gh_cc *cc, const gh_node *n, const char *what)
{
    const char *s = gh_node_str(n);
    if (!s || !*s) {
        gh_diag_error(cc->d, gh_cc_mark(cc, n), "%s must be a non-empty string, not %s", what,
                      s ? "an empty one" : gh_node_kind_name(n->kind));
        return NULL;
    }
    return gh_arena_strdup(cc->a, s);
}

static bool boolean(gh_cc *cc, const gh_node *n, const char *what)
{
    if (n->kind == GH_NODE_BOOL)
        return n->v.b;
    gh_diag_error(cc->d, gh_cc_mark(cc, n), "%s must be true or false, not %s", what,
                  gh_node_scalar(n) ? gh_node_scalar(n) : gh_node_kind_name(n->kind));
    return false;
}

/* A `function: NAME` reference: a name declared in x-gatehouse.functions. Unlike an
 * integration's Lambda URI (which may name a real function deployed elsewhere), this
 * name exists only in our block, so an unknown one is a mistake. */
static const char *function_ref(gh_cc *cc, const gh_node *n, const char *what)
{
    const char *name = text(cc, n, gh_arena_printf(cc->a, "%s: function", what));
    if (name && !gh_api_function(cc->api, name))
        gh_diag_error(cc->d, gh_cc_mark(cc, n), "%s: function '%s' is not declared in "
                      "x-gatehouse.functions; add %s: {handler: file.lua}, or fix the name",
                      what, name, name);
    return name;
}

/* ---- authorizers --------------------------------------------------------------------- */

/* WebSocket identity sources -> the REST forms auth/identity.h parses (the values come
 * from the $connect request's headers and query string either way). */
static const struct {
    const char *ws, *rest;
} source_prefixes[] = {
    {"route.request.header.", "method.request.header."},
    {"route.request.querystring.", "method.request.querystring."},
    {"stageVariables.", "stageVariables."},
    {"context.", "context."},
};

/* One source (blanks trimmed) appended, mapped, to *mapped; false after an error at n. */
static bool map_source(gh_cc *cc, const gh_ws_authorizer *az, const gh_node *n, const char *s,
                       size_t len, gh_buf *mapped)
{
    for (size_t i = 0; i < sizeof source_prefixes / sizeof *source_prefixes; i++) {
        size_t plen = strlen(source_prefixes[i].ws);
        if (len <= plen || strncmp(s, source_prefixes[i].ws, plen) != 0)
            continue;
        if (mapped->len)
            gh_buf_putc(mapped, ',');
        gh_buf_puts(mapped, source_prefixes[i].rest);
        gh_buf_append(mapped, s + plen, len - plen);
        return true;
    }
    gh_diag_error(cc->d, gh_cc_mark(cc, n), "authorizer '%s': identitySource '%.*s' is not "
                  "understood; WebSocket authorizers read route.request.header.NAME, "
                  "route.request.querystring.NAME, stageVariables.NAME or context.NAME",
                  az->name, (int)len, s);
    return false;
}

/* identitySource: a list of sources, or one string of comma-separated ones, as
 * AWS::ApiGatewayV2::Authorizer takes either. */
static void identity_sources(gh_cc *cc, gh_ws_authorizer *az, const gh_node *n)
{
    gh_idsrcs *ids = gh_arena_calloc(cc->a, sizeof *ids);
    az->identity = ids;
    if (!n || n->kind == GH_NODE_NULL)
        return; /* no sources: the function is called for every connection */
    if (n->kind != GH_NODE_SEQ && n->kind != GH_NODE_STR) {
        gh_diag_error(cc->d, gh_cc_mark(cc, n), "authorizer '%s': identitySource must be a list "
                      "like [route.request.header.Auth, route.request.querystring.token], not %s",
                      az->name, gh_node_kind_name(n->kind));
        return;
    }
    size_t nitems = n->kind == GH_NODE_SEQ ? n->n : 1, cap = 0;
    for (size_t i = 0; i < nitems; i++) {
        const char *s = gh_node_str(n->kind == GH_NODE_SEQ ? n->items[i] : n);
        for (; s && *s; s++)
            cap += *s == ',';
        cap++;
    }
    az->identity_sources = gh_arena_calloc(cc->a, cap * sizeof *az->identity_sources);
    gh_buf mapped = GH_BUF_INIT;
    bool ok = true;
    for (size_t i = 0; i < nitems; i++) {
        const gh_node *item = n->kind == GH_NODE_SEQ ? n->items[i] : n;
        const char *s = gh_node_str(item);
        if (!s) {
            gh_diag_error(cc->d, gh_cc_mark(cc, item), "authorizer '%s': an identitySource "
                          "entry must be a string like route.request.header.Auth, not %s",
                          az->name, gh_node_kind_name(item->kind));
            ok = false;
            continue;
        }
        for (;;) {
            const char *comma = strchr(s, ',');
            size_t len = comma ? (size_t)(comma - s) : strlen(s);
            const char *p = s;
            while (len && (*p == ' ' || *p == '\t'))
                p++, len--;
            while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
                len--;
            if (len) {
                az->identity_sources[az->nidentity_sources++] = gh_arena_strndup(cc->a, p, len);
                ok = map_source(cc, az, item, p, len, &mapped) && ok;
            }
            if (!comma)
                break;
            s = comma + 1;
        }
    }
    const char *why = NULL;
    if (ok && mapped.len && gh_identity_parse(cc->a, mapped.data, false, ids, &why) != 0)
        gh_diag_error(cc->d, gh_cc_mark(cc, n), "authorizer '%s': %s", az->name, why);
    gh_buf_free(&mapped);
}

static void authorizer(gh_cc *cc, gh_ws_authorizer *az, const gh_pair *p)
{
    az->name = gh_arena_strdup(cc->a, p->key->text);
    az->mark = gh_cc_mark(cc, p->key);
    const gh_node *v = p->value;
    if (!v || v->kind != GH_NODE_MAP) {
        gh_diag_error(cc->d, gh_cc_mark(cc, v ? v : p->key), "authorizer '%s' must be a map "
                      "{function: NAME, identitySource: [route.request.header.X, ...]}",
                      az->name);
        return;
    }
    unknown_keys(cc, v, "authorizer", AUTHORIZER_KEYS);
    const gh_node *fn = gh_node_get(v, "function");
    if (fn)
        az->function = function_ref(cc, fn, gh_arena_printf(cc->a, "authorizer '%s'", az->name));
    else
        gh_diag_error(cc->d, az->mark, "authorizer '%s' needs function: NAME, the "
                      "x-gatehouse.functions entry that allows or denies the connection",
                      az->name);
    identity_sources(cc, az, gh_node_get(v, "identitySource"));
}

static int authorizer_cmp(const void *a, const void *b)
{
    return strcmp(((const gh_ws_authorizer *)a)->name, ((const gh_ws_authorizer *)b)->name);
}

static void authorizers(gh_cc *cc, gh_ws_api *ws, const gh_node *map)
{
    if (!map || map->kind == GH_NODE_NULL)
        return;
    if (map->kind != GH_NODE_MAP) {
        gh_diag_error(cc->d, gh_cc_mark(cc, map), "x-gatehouse.websocket.authorizers must be a "
                      "map of authorizer name to {function, identitySource}");
        return;
    }
    if (map->n > MAX_AUTHORIZERS)
        gh_diag_error(cc->d, gh_cc_mark(cc, map), "%zu authorizers declared; AWS allows at most "
                      "%d per WebSocket API",
                      map->n, MAX_AUTHORIZERS);
    ws->authorizers = gh_arena_calloc(cc->a, (map->n + 1) * sizeof *ws->authorizers);
    for (size_t i = 0; i < map->n; i++)
        authorizer(cc, &ws->authorizers[ws->nauthorizers++], &map->pairs[i]);
    if (ws->nauthorizers)
        qsort(ws->authorizers, ws->nauthorizers, sizeof *ws->authorizers, authorizer_cmp);
}

/* ---- routes -------------------------------------------------------------------------- */

static const char *declared_authorizers(gh_cc *cc, const gh_ws_api *ws)
{
    if (!ws->nauthorizers)
        return "none";
    const char *list = ws->authorizers[0].name;
    for (size_t i = 1; i < ws->nauthorizers; i++)
        list = gh_arena_printf(cc->a, "%s, %s", list, ws->authorizers[i].name);
    return list;
}

static const gh_ws_authorizer *find_authorizer(const gh_ws_api *ws, const char *name)
{
    gh_ws_authorizer key = {.name = name};
    return ws->nauthorizers ? bsearch(&key, ws->authorizers, ws->nauthorizers,
                                      sizeof *ws->authorizers, authorizer_cmp)
                            : NULL;
}

/* authorizer and apiKeyRequired: AWS sets both on $connect only, where they protect the
 * whole connection (reference §9.1). */
static void connect_settings(gh_cc *cc, const gh_ws_api *ws, gh_ws_route *r, const gh_node *v)
{
    bool connect = strcmp(r->key, "$connect") == 0;
    const gh_pair *ap = gh_node_get_pair(v, "authorizer");
    const gh_pair *kp = gh_node_get_pair(v, "apiKeyRequired");
    for (int i = 0; i < 2 && !connect; i++) {
        const gh_pair *p = i ? kp : ap;
        if (p)
            gh_diag_error(cc->d, gh_cc_mark(cc, p->key), "%s applies to the $connect route only "
                          "(API Gateway checks a WebSocket connection once, when it opens); "
                          "move it to $connect",
                          p->key->text);
    }
    if (!connect)
        return;
    if (kp)
        r->api_key_required = boolean(cc, kp->value, "apiKeyRequired");
    if (!ap)
        return;
    const char *name = text(cc, ap->value, "authorizer");
    if (!name)
        return;
    r->authorizer = find_authorizer(ws, name);
    if (!r->authorizer)
        gh_diag_error(cc->d, gh_cc_mark(cc, ap->value), "authorizer '%s' is not declared in "
                      "x-gatehouse.websocket.authorizers (declared: %s); declare it, or fix the "
                      "name",
                      name, declared_authorizers(cc, ws));
}

static bool key_ok(gh_cc *cc, const gh_ws_route *r)
{
    if (!r->key[0]) {
        gh_diag_error(cc->d, r->mark, "a route key must not be empty; name the route, like "
                      "sendmessage");
        return false;
    }
    if (r->key[0] == '$' && strcmp(r->key, "$connect") && strcmp(r->key, "$disconnect") &&
        strcmp(r->key, "$default")) {
        gh_diag_error(cc->d, r->mark, "route key '%s' starts with '$', which API Gateway "
                      "reserves for $connect, $disconnect and $default; rename the route "
                      "(custom route keys may not start with '$')",
                      r->key);
        return false;
    }
    return true;
}

static void route(gh_cc *cc, const gh_ws_api *ws, gh_ws_route *r, const gh_pair *p)
{
    r->key = gh_arena_strdup(cc->a, p->key->text);
    r->mark = gh_cc_mark(cc, p->key);
    if (!key_ok(cc, r))
        return;
    const gh_node *v = p->value;
    if (!v || v->kind != GH_NODE_MAP) {
        gh_diag_error(cc->d, gh_cc_mark(cc, v ? v : p->key), "route '%s' must be a map {" ROUTE_KEYS
                      "}",
                      r->key);
        return;
    }
    unknown_keys(cc, v, "route", ROUTE_KEYS);
    const gh_node *fn = gh_node_get(v, "function");
    const gh_pair *in = gh_node_get_pair(v, "integration");
    if (fn && in)
        gh_diag_error(cc->d, gh_cc_mark(cc, in->key), "route '%s' has both function and "
                      "integration; keep one (function: NAME is a Lambda proxy integration to "
                      "that function)",
                      r->key);
    else if (!fn && !in)
        gh_diag_error(cc->d, r->mark, "route '%s' needs function: NAME (an x-gatehouse.functions "
                      "entry, called as a Lambda proxy) or integration: {type: mock | http | "
                      "http_proxy | aws | aws_proxy, ...}",
                      r->key);
    else if (fn)
        r->function = function_ref(cc, fn, gh_arena_printf(cc->a, "route '%s'", r->key));
    else
        /* The same compiler as REST's, so every type, template and mock means the same;
         * the object stands in for the operation (x-gatehouse-mock inside it works). */
        r->integration = gh_cc_integration(cc, in->value, in->value);
    const gh_node *rr = gh_node_get(v, "routeResponse");
    if (rr)
        r->two_way = boolean(cc, rr, "routeResponse");
    connect_settings(cc, ws, r, v);
}

static int route_cmp(const void *a, const void *b)
{
    return strcmp(((const gh_ws_route *)a)->key, ((const gh_ws_route *)b)->key);
}

static void routes(gh_cc *cc, gh_ws_api *ws, const gh_node *ws_node)
{
    const gh_node *map = gh_node_get(ws_node, "routes");
    if (map && map->kind != GH_NODE_MAP && map->kind != GH_NODE_NULL) {
        gh_diag_error(cc->d, gh_cc_mark(cc, map), "x-gatehouse.websocket.routes must be a map of "
                      "route key ($connect, $disconnect, $default or your own) to {" ROUTE_KEYS
                      "}");
        return;
    }
    /* AWS's CreateDeployment refuses an API without routes. */
    if (!map || map->kind == GH_NODE_NULL || map->n == 0) {
        gh_diag_error(cc->d, gh_cc_mark(cc, map ? map : ws_node), "x-gatehouse.websocket "
                      "declares no routes; add routes: {$default: {function: NAME}} (API "
                      "Gateway cannot deploy a WebSocket API without routes)");
        return;
    }
    if (map->n > MAX_ROUTES)
        gh_diag_error(cc->d, gh_cc_mark(cc, map), "%zu routes declared; AWS allows at most %d "
                      "per WebSocket API",
                      map->n, MAX_ROUTES);
    ws->routes = gh_arena_calloc(cc->a, (map->n + 1) * sizeof *ws->routes);
    for (size_t i = 0; i < map->n; i++)
        route(cc, ws, &ws->routes[ws->nroutes++], &map->pairs[i]);
    qsort(ws->routes, ws->nroutes, sizeof *ws->routes, route_cmp);
}

/* ---- the API ------------------------------------------------------------------------- */

static void route_selection(gh_cc *cc, gh_ws_api *ws, const gh_node *v)
{
    const gh_node *n = gh_node_get(v, "routeSelectionExpression");
    ws->route_selection_expression = "$request.body.action";
    if (n && !(ws->route_selection_expression = text(cc, n, "routeSelectionExpression")))
        return;
    const char *why = NULL;
    ws->route_expr = gh_route_expr_parse(cc->a, ws->route_selection_expression, &why);
    if (!ws->route_expr)
        gh_diag_error(cc->d, gh_cc_mark(cc, n), "%s; write $request.body.<path>, like "
                      "$request.body.action",
                      why);
}

static void api_key_selection(gh_cc *cc, gh_ws_api *ws, const gh_node *v)
{
    /* API Gateway accepts exactly these two (CreateApi apiKeySelectionExpression). */
    const gh_node *n = gh_node_get(v, "apiKeySelectionExpression");
    ws->api_key_selection_expression = "$request.header.x-api-key";
    const char *s = n ? text(cc, n, "apiKeySelectionExpression") : NULL;
    if (s && strcmp(s, "$request.header.x-api-key") &&
        strcmp(s, "$context.authorizer.usageIdentifierKey"))
        gh_diag_error(cc->d, gh_cc_mark(cc, n), "apiKeySelectionExpression '%s' is not one API "
                      "Gateway accepts; write $request.header.x-api-key (the default) or "
                      "$context.authorizer.usageIdentifierKey",
                      s);
    else if (s)
        ws->api_key_selection_expression = s;
}

static void idle_timeout(gh_cc *cc, gh_ws_api *ws, const gh_node *v)
{
    ws->idle_timeout_ms = (int64_t)IDLE_DEFAULT_S * 1000;
    const gh_node *n = gh_node_get(v, "idleTimeout");
    if (!n)
        return;
    const char *s = gh_node_scalar(n);
    char *end = NULL;
    long secs = s ? strtol(s, &end, 10) : 0;
    if (n->kind != GH_NODE_INT || end == s || *end || secs < 1 || secs > IDLE_MAX_S) {
        gh_diag_error(cc->d, gh_cc_mark(cc, n), "idleTimeout must be a whole number of seconds "
                      "from 1 to %d; got '%s' (AWS's is fixed at 600, ten minutes)",
                      IDLE_MAX_S, s ? s : gh_node_kind_name(n->kind));
        return;
    }
    ws->idle_timeout_ms = (int64_t)secs * 1000;
}

void gh_cc_websocket(gh_cc *cc, const gh_node *xs)
{
    const gh_node *v = gh_node_get(xs, "websocket");
    if (!v)
        return;
    if (v->kind != GH_NODE_MAP) {
        gh_diag_error(cc->d, gh_cc_mark(cc, v), "x-gatehouse.websocket must be a map {" WS_KEYS
                      "}, not %s",
                      gh_node_kind_name(v->kind));
        return;
    }
    gh_ws_api *ws = gh_arena_calloc(cc->a, sizeof *ws);
    ws->mark = gh_cc_mark(cc, v);
    unknown_keys(cc, v, "websocket", WS_KEYS);
    route_selection(cc, ws, v);
    api_key_selection(cc, ws, v);
    idle_timeout(cc, ws, v);
    authorizers(cc, ws, gh_node_get(v, "authorizers"));
    routes(cc, ws, v);
    cc->api->websocket = ws;
}
