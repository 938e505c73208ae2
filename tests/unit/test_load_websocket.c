/* spec/settings_ws.c: x-gatehouse.websocket compiled into api->websocket. A definition
 * that sets every field (tests/data/websocket/chat.yaml) checked field by field, the
 * defaults, a WebSocket-only definition (no openapi line, no paths), and every mistake
 * an exact message at its file:line:col. AWS's rules: reference aws-api-gateway.md §9.1
 * and §9.4. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/identity.h"
#include "scratch.h"
#include "spec/load.h"
#include "util/buf.h"
#include "websocket/route_select.h"

static gh_model *load_file(const char *path, gh_diags *d)
{
    gh_load_options o = {.definitions = &path, .ndefinitions = 1, .port = -1};
    gh_model *m = gh_model_load(&o, d);
    for (size_t i = 0; i < d->n; i++)
        fprintf(stderr, "  %s\n", d->items[i].text);
    return m;
}

static void test_every_field(void **state)
{
    (void)state;
    gh_diags d = GH_DIAGS_INIT;
    gh_model *m = load_file("tests/data/websocket/chat.yaml", &d);
    assert_non_null(m);
    assert_int_equal(d.n, 0);
    const gh_api *api = &m->apis[0];
    assert_int_equal(api->nmethods, 1); /* the REST side is still there */
    const gh_ws_api *ws = api->websocket;
    assert_non_null(ws);
    assert_int_equal(ws->mark.line, 18);
    assert_string_equal(ws->route_selection_expression,
                        "${request.body.service}/${request.body.action}");
    assert_non_null(ws->route_expr);
    gh_arena *a = gh_arena_new(1024);
    assert_string_equal(gh_route_expr_eval(a, ws->route_expr,
                                           "{\"service\":\"chat\",\"action\":\"join\"}", 34),
                        "chat/join");
    gh_arena_free(a);
    assert_string_equal(ws->api_key_selection_expression, "$context.authorizer.usageIdentifierKey");
    assert_int_equal(ws->idle_timeout_ms, 30000);
    assert_null(ws->template_source);

    /* Authorizers, sorted by name. */
    assert_int_equal(ws->nauthorizers, 2);
    const gh_ws_authorizer *h = &ws->authorizers[0], *t = &ws->authorizers[1];
    assert_string_equal(h->name, "byHeader");
    assert_int_equal(h->mark.line, 25);
    assert_int_equal(h->mark.col, 7);
    assert_string_equal(h->function, "auth");
    assert_int_equal(h->ttl_seconds, 0);
    assert_null(h->broken);
    static const struct {
        const char *original, *expr, *name;
        gh_idsrc_kind kind;
    } hsrc[] = {
        {"route.request.header.Auth", "method.request.header.Auth", "Auth", GH_IDSRC_HEADER},
        {"stageVariables.realm", "stageVariables.realm", "realm", GH_IDSRC_STAGE_VAR},
        {"context.requestId", "context.requestId", "requestId", GH_IDSRC_CONTEXT},
    };
    assert_int_equal(h->nidentity_sources, 3);
    assert_int_equal(h->identity->n, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(h->identity_sources[i], hsrc[i].original);
        assert_string_equal(h->identity->items[i].expr, hsrc[i].expr);
        assert_string_equal(h->identity->items[i].name, hsrc[i].name);
        assert_int_equal(h->identity->items[i].kind, hsrc[i].kind);
    }
    assert_string_equal(t->name, "byToken");
    assert_int_equal(t->nidentity_sources, 1);
    assert_string_equal(t->identity_sources[0], "route.request.querystring.token");
    assert_int_equal(t->identity->n, 1);
    assert_int_equal(t->identity->items[0].kind, GH_IDSRC_QUERY);
    assert_string_equal(t->identity->items[0].expr, "method.request.querystring.token");

    /* Routes, sorted by key ('$' sorts before letters). */
    static const struct {
        const char *key, *function;
        gh_integ_type integ; /* GH_INTEG_NONE: a function route */
        bool two_way, api_key;
        const char *authorizer;
        unsigned line;
    } routes[] = {
        {"$connect", "chat", GH_INTEG_NONE, false, true, "byHeader", 30},
        {"$default", "chat", GH_INTEG_NONE, true, false, NULL, 32},
        {"$disconnect", "chat", GH_INTEG_NONE, false, false, NULL, 31},
        {"echo", NULL, GH_INTEG_AWS_PROXY, true, false, NULL, 39},
        {"queue", NULL, GH_INTEG_AWS, false, false, NULL, 33},
        {"sendmessage", "chat", GH_INTEG_NONE, false, false, NULL, 29},
        {"static", NULL, GH_INTEG_MOCK, false, false, NULL, 44},
    };
    assert_int_equal(ws->nroutes, sizeof routes / sizeof *routes);
    for (size_t i = 0; i < ws->nroutes; i++) {
        const gh_ws_route *r = &ws->routes[i];
        assert_string_equal(r->key, routes[i].key);
        assert_int_equal(r->mark.line, routes[i].line);
        assert_int_equal(r->mark.col, 7);
        if (routes[i].function) {
            assert_string_equal(r->function, routes[i].function);
            assert_null(r->integration);
        } else {
            assert_null(r->function);
            assert_non_null(r->integration);
            assert_int_equal(r->integration->type, routes[i].integ);
            assert_null(r->integration->broken);
        }
        assert_int_equal(r->two_way, routes[i].two_way);
        assert_int_equal(r->api_key_required, routes[i].api_key);
        if (routes[i].authorizer)
            assert_ptr_equal(r->authorizer, h);
        else
            assert_null(r->authorizer);
        assert_ptr_equal(gh_ws_api_route(ws, routes[i].key), r);
    }
    /* The integrations are REST's: the Lambda URI names its function, the SQS URI its
     * queue, and the templates are kept under their selection keys. */
    const gh_ws_route *echo = gh_ws_api_route(ws, "echo"), *queue = gh_ws_api_route(ws, "queue");
    assert_string_equal(echo->integration->lambda_function, "chat");
    assert_string_equal(queue->integration->service.service, "sqs");
    assert_string_equal(queue->integration->service.path, "123456789012/inbox");
    assert_int_equal(queue->integration->nrequest_templates, 1);
    assert_string_equal(queue->integration->request_templates[0].media_type, "$default");
    assert_null(gh_ws_api_route(ws, "nope"));
    gh_model_unref(m);
    gh_diags_free(&d);
}

/* No openapi line, no paths, every setting at its default. */
static void test_websocket_only_and_defaults(void **state)
{
    (void)state;
    gh_diags d = GH_DIAGS_INIT;
    gh_model *m = load_file("tests/data/websocket/only.yaml", &d);
    assert_non_null(m);
    assert_int_equal(d.n, 0);
    const gh_api *api = &m->apis[0];
    assert_string_equal(api->title, "only"); /* the file's stem */
    assert_int_equal(api->nmethods, 0);
    const gh_ws_api *ws = api->websocket;
    assert_non_null(ws);
    assert_string_equal(ws->route_selection_expression, "$request.body.action");
    assert_non_null(ws->route_expr);
    assert_string_equal(ws->api_key_selection_expression, "$request.header.x-api-key");
    assert_int_equal(ws->idle_timeout_ms, 600000);
    assert_int_equal(ws->nauthorizers, 0);
    assert_int_equal(ws->nroutes, 1);
    const gh_ws_route *r = &ws->routes[0];
    assert_string_equal(r->key, "$default");
    assert_string_equal(r->function, "chat");
    assert_false(r->two_way);
    assert_false(r->api_key_required);
    assert_null(r->authorizer);
    gh_model_unref(m);
    gh_diags_free(&d);
}

/* A definition without x-gatehouse.websocket has none; one without openapi and without
 * websocket is still refused. */
static void test_absent(void **state)
{
    (void)state;
    scratch s = {0};
    put(&s, "h.lua", "return function(e) return {} end\n");
    const char *def = put(&s, "api.yaml", "openapi: 3.0.1\ninfo: {title: t, version: '1'}\n"
                                          "paths: {}\nx-gatehouse: {functions: {f: h.lua}}\n");
    gh_diags d = GH_DIAGS_INIT;
    gh_model *m = load_file(def, &d);
    assert_non_null(m);
    assert_null(m->apis[0].websocket);
    gh_model_unref(m);
    gh_diags_free(&d);
    def = put(&s, "bare.yaml", "x-gatehouse: {functions: {f: h.lua}}\n");
    d = (gh_diags)GH_DIAGS_INIT;
    assert_null(load_file(def, &d));
    assert_int_equal(d.errors, 1);
    assert_non_null(strstr(d.items[0].text, "not an OpenAPI 3.0 or Swagger 2.0 definition"));
    gh_diags_free(&d);
    scratch_free(&s);
}

#define HEAD                                                                                       \
    "x-gatehouse:\n"                                                                               \
    "  functions:\n"                                                                               \
    "    chat: h.lua\n"                                                                            \
    "  websocket:\n"
#define OK_ROUTE "    routes: {$default: {function: chat}}\n"

/* One mistake per case (line 5 is the first after HEAD): the exact message, from the file
 * name on, and whether it is an error (else a warning the definition loads with). */
static const struct {
    const char *yaml;
    bool error;
    const char *want;
} cases[] = {
    {"    routes:\n      $connection: {function: chat}\n", true,
     "api.yaml:6:7: route key '$connection' starts with '$', which API Gateway reserves for "
     "$connect, $disconnect and $default; rename the route (custom route keys may not start "
     "with '$')"},
    {"    routes:\n      send: {}\n", true,
     "api.yaml:6:7: route 'send' needs function: NAME (an x-gatehouse.functions entry, called "
     "as a Lambda proxy) or integration: {type: mock | http | http_proxy | aws | aws_proxy, "
     "...}"},
    {"    routes:\n      send: {function: chat, integration: {type: mock}}\n", true,
     "api.yaml:6:30: route 'send' has both function and integration; keep one (function: NAME "
     "is a Lambda proxy integration to that function)"},
    {"    routes:\n      send: {function: chta}\n", true,
     "api.yaml:6:24: route 'send': function 'chta' is not declared in x-gatehouse.functions; "
     "add chta: {handler: file.lua}, or fix the name"},
    {"    routes:\n      send: {function: [chat]}\n", true,
     "api.yaml:6:24: route 'send': function must be a non-empty string, not a list"},
    {"    authorizers: {a: {function: chat}}\n    routes:\n      send: {function: chat, "
     "authorizer: a}\n",
     true,
     "api.yaml:7:30: authorizer applies to the $connect route only (API Gateway checks a "
     "WebSocket connection once, when it opens); move it to $connect"},
    {"    routes:\n      $default: {function: chat, apiKeyRequired: true}\n", true,
     "api.yaml:6:34: apiKeyRequired applies to the $connect route only (API Gateway checks a "
     "WebSocket connection once, when it opens); move it to $connect"},
    {"    authorizers: {a: {function: chat}}\n    routes:\n      $connect: {function: chat, "
     "authorizer: b}\n",
     true,
     "api.yaml:7:46: authorizer 'b' is not declared in x-gatehouse.websocket.authorizers "
     "(declared: a); declare it, or fix the name"},
    {"    routes:\n      $connect: {function: chat, authorizer: b}\n", true,
     "api.yaml:6:46: authorizer 'b' is not declared in x-gatehouse.websocket.authorizers "
     "(declared: none); declare it, or fix the name"},
    {"    routes:\n      $connect: {function: chat, apiKeyRequired: 'yes'}\n", true,
     "api.yaml:6:50: apiKeyRequired must be true or false, not yes"},
    {"    routes:\n      $default: {function: chat, routeResponse: 1}\n", true,
     "api.yaml:6:49: routeResponse must be true or false, not 1"},
    {"    routes:\n      send: chat\n", true,
     "api.yaml:6:13: route 'send' must be a map {function, integration, routeResponse, "
     "authorizer, apiKeyRequired}"},
    {"    routes:\n      send: {function: chat, response: true}\n", false,
     "api.yaml:6:30: unknown route setting 'response' is ignored; known: function, "
     "integration, routeResponse, authorizer, apiKeyRequired"},
    {"    routes: {}\n", true,
     "api.yaml:5:13: x-gatehouse.websocket declares no routes; add routes: {$default: "
     "{function: NAME}} (API Gateway cannot deploy a WebSocket API without routes)"},
    {"    idleTimeout: 10\n", true,
     "api.yaml:5:5: x-gatehouse.websocket declares no routes; add routes: {$default: "
     "{function: NAME}} (API Gateway cannot deploy a WebSocket API without routes)"},
    {"    routes: [a]\n", true,
     "api.yaml:5:13: x-gatehouse.websocket.routes must be a map of route key ($connect, "
     "$disconnect, $default or your own) to {function, integration, routeResponse, "
     "authorizer, apiKeyRequired}"},
    {"    routeSelectionExpression: $request.header.x\n" OK_ROUTE, true,
     "api.yaml:5:31: invalid route selection expression \"$request.header.x\": route "
     "selection expressions may only use $request.body.<path> variables; write "
     "$request.body.<path>, like $request.body.action"},
    {"    routeSelectionExpression: ''\n" OK_ROUTE, true,
     "api.yaml:5:31: routeSelectionExpression must be a non-empty string, not an empty one"},
    {"    apiKeySelectionExpression: $request.header.key\n" OK_ROUTE, true,
     "api.yaml:5:32: apiKeySelectionExpression '$request.header.key' is not one API Gateway "
     "accepts; write $request.header.x-api-key (the default) or "
     "$context.authorizer.usageIdentifierKey"},
    {"    idleTimeout: 0\n" OK_ROUTE, true,
     "api.yaml:5:18: idleTimeout must be a whole number of seconds from 1 to 7200; got '0' "
     "(AWS's is fixed at 600, ten minutes)"},
    {"    idleTimeout: 7201\n" OK_ROUTE, true,
     "api.yaml:5:18: idleTimeout must be a whole number of seconds from 1 to 7200; got "
     "'7201' (AWS's is fixed at 600, ten minutes)"},
    {"    idleTimeout: '60'\n" OK_ROUTE, true,
     "api.yaml:5:18: idleTimeout must be a whole number of seconds from 1 to 7200; got '60' "
     "(AWS's is fixed at 600, ten minutes)"},
    {"    authorizers:\n      a: {identitySource: [route.request.header.A]}\n" OK_ROUTE, true,
     "api.yaml:6:7: authorizer 'a' needs function: NAME, the x-gatehouse.functions entry that "
     "allows or denies the connection"},
    {"    authorizers:\n      a: {function: nope}\n" OK_ROUTE, true,
     "api.yaml:6:21: authorizer 'a': function 'nope' is not declared in "
     "x-gatehouse.functions; add nope: {handler: file.lua}, or fix the name"},
    {"    authorizers:\n      a: {function: chat, identitySource: [method.request.header.A]}\n"
     OK_ROUTE,
     true,
     "api.yaml:6:44: authorizer 'a': identitySource 'method.request.header.A' is not "
     "understood; WebSocket authorizers read route.request.header.NAME, "
     "route.request.querystring.NAME, stageVariables.NAME or context.NAME"},
    {"    authorizers:\n      a: {function: chat, identitySource: 'route.request.header.A, "
     "route.request.path.id'}\n" OK_ROUTE,
     true,
     "api.yaml:6:43: authorizer 'a': identitySource 'route.request.path.id' is not "
     "understood; WebSocket authorizers read route.request.header.NAME, "
     "route.request.querystring.NAME, stageVariables.NAME or context.NAME"},
    {"    authorizers:\n      a: {function: chat, identitySource: [route.request.header.]}\n"
     OK_ROUTE,
     true,
     "api.yaml:6:44: authorizer 'a': identitySource 'route.request.header.' is not "
     "understood; WebSocket authorizers read route.request.header.NAME, "
     "route.request.querystring.NAME, stageVariables.NAME or context.NAME"},
    {"    authorizers:\n      a: {function: chat, identitySource: {h: x}}\n" OK_ROUTE, true,
     "api.yaml:6:43: authorizer 'a': identitySource must be a list like "
     "[route.request.header.Auth, route.request.querystring.token], not a map"},
    {"    authorizers:\n      a: {function: chat, ttl: 5}\n" OK_ROUTE, false,
     "api.yaml:6:27: unknown authorizer setting 'ttl' is ignored; known: function, "
     "identitySource"},
    {"    authorizers: [a]\n" OK_ROUTE, true,
     "api.yaml:5:18: x-gatehouse.websocket.authorizers must be a map of authorizer name to "
     "{function, identitySource}"},
    {"    route: {}\n" OK_ROUTE, false,
     "api.yaml:5:5: unknown websocket setting 'route' is ignored; known: "
     "routeSelectionExpression, apiKeySelectionExpression, idleTimeout, routes, authorizers"},
    {"    routes:\n      send:\n        integration: {type: lambda}\n", true,
     "api.yaml:7:29: unknown integration type 'lambda'; expected one of aws, aws_proxy, http, "
     "http_proxy, mock"},
};

static void test_mistakes(void **state)
{
    (void)state;
    size_t failed = 0;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        scratch s = {0};
        put(&s, "h.lua", "return function(e) return {} end\n");
        char *yaml = gh_strprintf("%s%s", HEAD, cases[i].yaml);
        const char *def = put(&s, "api.yaml", yaml);
        gh_load_options o = {.definitions = &def, .ndefinitions = 1, .port = -1};
        gh_diags d = GH_DIAGS_INIT;
        gh_model *m = gh_model_load(&o, &d);
        bool found = false;
        for (size_t k = 0; k < d.n && !found; k++) {
            const char *at = strstr(d.items[k].text, "api.yaml:");
            found = at && strcmp(at, cases[i].want) == 0 &&
                    d.items[k].severity == (cases[i].error ? GH_DIAG_ERROR : GH_DIAG_WARNING);
        }
        /* Every case runs, so one report shows every mismatch. */
        if (!found) {
            fprintf(stderr, "case %zu: no %s\n  %s\ngot:\n", i,
                    cases[i].error ? "error" : "warning", cases[i].want);
            for (size_t k = 0; k < d.n; k++)
                fprintf(stderr, "  %s\n", d.items[k].text);
            failed++;
        }
        if ((m == NULL) != cases[i].error) {
            fprintf(stderr, "case %zu: the definition %s\n", i, m ? "loaded" : "did not load");
            failed++;
        }
        gh_model_unref(m);
        free(yaml);
        gh_diags_free(&d);
        scratch_free(&s);
    }
    assert_int_equal(failed, 0);
}

/* AWS's limits (reference §9.4): 300 routes and 10 authorizers per API. */
static void test_limits(void **state)
{
    (void)state;
    for (int round = 0; round < 2; round++) {
        gh_buf b = GH_BUF_INIT;
        gh_buf_puts(&b, HEAD);
        if (round == 0) {
            gh_buf_puts(&b, "    routes:\n");
            for (int i = 0; i < 301; i++)
                gh_buf_printf(&b, "      r%d: {function: chat}\n", i);
        } else {
            gh_buf_puts(&b, "    authorizers:\n");
            for (int i = 0; i < 11; i++)
                gh_buf_printf(&b, "      a%d: {function: chat}\n", i);
            gh_buf_puts(&b, OK_ROUTE);
        }
        scratch s = {0};
        put(&s, "h.lua", "return function(e) return {} end\n");
        const char *def = put(&s, "api.yaml", b.data);
        gh_load_options o = {.definitions = &def, .ndefinitions = 1, .port = -1};
        gh_diags d = GH_DIAGS_INIT;
        assert_null(gh_model_load(&o, &d));
        assert_int_equal(d.errors, 1);
        assert_string_equal(strstr(d.items[0].text, "api.yaml:"),
                            round == 0 ? "api.yaml:6:7: 301 routes declared; AWS allows at "
                                         "most 300 per WebSocket API"
                                       : "api.yaml:6:7: 11 authorizers declared; AWS allows "
                                         "at most 10 per WebSocket API");
        gh_diags_free(&d);
        gh_buf_free(&b);
        scratch_free(&s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_field),
        cmocka_unit_test(test_websocket_only_and_defaults),
        cmocka_unit_test(test_absent),
        cmocka_unit_test(test_mistakes),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
