/* websocket/ws_dispatch: resolving an upgrade to an API and stage, $connect (REQUEST
 * authorizer allow / deny / 401 / error, refusal by status, Sec-WebSocket-Protocol),
 * messages (route by action, $default, the Forbidden and error frames, two-way and
 * one-way, the shapes of a function's result, a mock integration whose template reads
 * $context.connectionId) and $disconnect's event. The runtime comes from
 * tests/data/ws/api.yaml (functions in Lua, the mock and aws_proxy integrations); the
 * WebSocket API is built here and attached to it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/identity.h"
#include "gateway/router.h"
#include "runtime_build.h"
#include "script/module.h"
#include "sim/sim.h"
#include "sim/sqs.h"
#include "util/clock.h"
#include "websocket/route_select.h"
#include "websocket/ws_dispatch.h"

#define T0 1700000000000LL
#define CONN "L0SM9cOFvHcCIhw="

typedef struct fixture {
    gh_runtime *rt;
    gh_api *api;
    gh_arena *a;
    gh_sim *sim;
    gh_ws_api ws;
    gh_ws_route routes[8];
    gh_ws_authorizer az;
    gh_ws_session s;
} fixture;

static const gh_integration *integration_at(fixture *f, const char *path)
{
    gh_route r;
    assert_int_equal(gh_router_match(f->api, "POST", path, f->a, &r), 0);
    return r.method->integration;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    gh_clock_fake(T0);
    f->rt = build_runtime("tests/data/ws/api.yaml", 1);
    f->api = &f->rt->model->apis[0];
    f->a = gh_arena_new(4096);
    f->sim = gh_sim_new("us-east-1", "123456789012");
    gh_module_set_sim(f->sim);
    assert_int_equal(gh_sqs_create_queue(f->sim->sqs, "seen", NULL, 0, NULL), 0);

    const char *err = NULL;
    f->az.name = "ByHeader";
    f->az.function = "auth";
    gh_idsrcs *ids = gh_arena_calloc(f->a, sizeof *ids);
    assert_int_equal(gh_identity_parse(f->a, "method.request.header.Auth", false, ids, &err), 0);
    f->az.identity = ids;
    /* Sorted by key, as the loader leaves them. */
    gh_ws_route *r = f->routes;
    r[0] = (gh_ws_route){.key = "$connect", .function = "connect", .authorizer = &f->az};
    r[1] = (gh_ws_route){.key = "$default", .function = "echo", .two_way = true};
    r[2] = (gh_ws_route){.key = "$disconnect", .function = "bye"};
    r[3] = (gh_ws_route){.key = "fail", .function = "fail", .two_way = true};
    r[4] = (gh_ws_route){.key = "mock", .integration = integration_at(f, "/mock"), .two_way = true};
    r[5] = (gh_ws_route){.key = "oneway", .function = "echo"};
    r[6] = (gh_ws_route){.key = "sendmessage", .function = "echo", .two_way = true};
    r[7] = (gh_ws_route){
        .key = "viaproxy", .integration = integration_at(f, "/proxy"), .two_way = true};
    f->ws.route_selection_expression = "$request.body.action";
    f->ws.route_expr = gh_route_expr_parse(f->a, "$request.body.action", &err);
    assert_non_null(f->ws.route_expr);
    f->ws.routes = f->routes;
    f->ws.nroutes = 8;
    f->api->websocket = &f->ws;

    f->s = (gh_ws_session){.connection_id = CONN,
                           .api_id = f->api->id,
                           .stage = "prod",
                           .domain_name = "127.0.0.1:8080",
                           .source_ip = "127.0.0.1",
                           .user_agent = "wscat",
                           .connected_at_ms = T0 - 5000};
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    f->api->websocket = NULL;
    gh_runtime_free(f->rt);
    gh_module_set_sim(NULL);
    gh_sim_free(f->sim);
    gh_arena_free(f->a);
    gh_clock_fake(-1);
    free(f);
    return 0;
}

/* The upgrade request: GET path?query with the handshake headers and, when not NULL,
 * Auth and Sec-WebSocket-Protocol. */
static gh_request *upgrade(fixture *f, const char *host, const char *path, const char *query,
                           const char *auth, const char *protocol)
{
    gh_request *req = gh_arena_calloc(f->a, sizeof *req);
    req->arena = f->a;
    gh_request_stamp(req);
    req->method = "GET";
    req->path = path;
    req->query = query;
    req->host = host;
    req->source_ip = "127.0.0.1";
    gh_headers_add(f->a, &req->headers, "Host", "127.0.0.1:8080");
    gh_headers_add(f->a, &req->headers, "Connection", "Upgrade");
    gh_headers_add(f->a, &req->headers, "Upgrade", "websocket");
    gh_headers_add(f->a, &req->headers, "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
    gh_headers_add(f->a, &req->headers, "Sec-WebSocket-Version", "13");
    if (auth)
        gh_headers_add(f->a, &req->headers, "Auth", auth);
    if (protocol)
        gh_headers_add(f->a, &req->headers, "Sec-WebSocket-Protocol", protocol);
    return req;
}

static void test_resolve(void **state)
{
    fixture *f = *state;
    char by_id[64];
    snprintf(by_id, sizeof by_id, "%s.execute-api.localhost", f->api->id);
    static const struct {
        const char *host, *path;
        bool found;
    } cases[] = {
        {"127.0.0.1", "/prod", true},
        {"127.0.0.1", "/prod/", true},
        {NULL, "/prod", true},
        {"", "/prod", true}, /* replaced by by_id below */
        {"127.0.0.1", "/prod/chat", false},
        {"127.0.0.1", "/prod//", false},
        {"127.0.0.1", "/dev", false},
        {"127.0.0.1", "/", false},
        {"127.0.0.1", "", false},
        {"nope.execute-api.localhost", "/prod", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *host = cases[i].host && !*cases[i].host ? by_id : cases[i].host;
        gh_request *req = upgrade(f, host, cases[i].path, "room=1", NULL, NULL);
        const gh_stage *st = (const gh_stage *)1;
        const gh_api *api = gh_ws_resolve(f->rt, req, &st);
        if (cases[i].found != (api != NULL))
            fail_msg("case %zu: %s %s", i, host ? host : "(none)", cases[i].path);
        if (api) {
            assert_ptr_equal(api, f->api);
            assert_string_equal(st->name, "prod");
        }
    }
    /* An API without a WebSocket API is left to the REST pipeline. */
    f->api->websocket = NULL;
    const gh_stage *st;
    assert_null(gh_ws_resolve(f->rt, upgrade(f, "127.0.0.1", "/prod", NULL, NULL, NULL), &st));
}

static void test_connect_authorizer(void **state)
{
    fixture *f = *state;
    char allowed[512];
    snprintf(allowed, sizeof allowed,
             "{\"principalId\":\"user-alice\",\"seen\":\"REQUEST|arn:aws:execute-api:us-east-1:"
             "123456789012:%s/prod/$connect|gold|$connect|CONNECT|websocket|r1\","
             "\"integrationLatency\":0}",
             f->api->id);
    static const struct {
        const char *auth;
        int status;       /* 0: accepted */
        const char *body; /* the refusal's body; accepted: the authorizer JSON */
    } cases[] = {
        {"alice", 0, NULL},
        {NULL, 401, "{\"message\":\"Unauthorized\"}"},
        {"", 401, "{\"message\":\"Unauthorized\"}"},
        {"nope", 401, "{\"message\":\"Unauthorized\"}"},
        {"deny", 403, "{\"message\":\"Forbidden\"}"},
        {"boom", 500, "{\"message\": \"Internal server error\"}"},
        {"junk", 500, "{\"message\": \"Internal server error\"}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gh_ws_connect_result out;
        gh_ws_connect(f->rt, upgrade(f, "127.0.0.1", "/prod", "room=r1", cases[i].auth, NULL),
                      &f->s, &out);
        if (out.refuse_status != cases[i].status)
            fail_msg("case %zu (%s): status %d", i, cases[i].auth ? cases[i].auth : "none",
                     out.refuse_status);
        if (cases[i].status) {
            assert_int_equal(out.body_len, strlen(cases[i].body));
            assert_memory_equal(out.body, cases[i].body, out.body_len);
            assert_string_equal(gh_headers_get(&out.headers, "Content-Type"), "application/json");
            assert_null(out.authorizer_json);
        } else {
            assert_string_equal(out.authorizer_json, allowed);
        }
    }
}

static void test_connect_route(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *query, *protocol;
        int status;
        const char *body;   /* refusal body */
        const char *chosen; /* Sec-WebSocket-Protocol of the 101 */
    } cases[] = {
        {NULL, NULL, 0, NULL, NULL},
        {NULL, "chat, superchat", 0, NULL, "chat"},
        {"refuse=400", NULL, 400, "no user-bob", NULL},
        {"refuse=302", NULL, 302, "no user-bob", NULL},
        {"boom=1", NULL, 502, "{\"message\": \"Internal server error\"}", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gh_ws_connect_result out;
        gh_ws_connect(f->rt,
                      upgrade(f, "127.0.0.1", "/prod/", cases[i].query, "bob", cases[i].protocol),
                      &f->s, &out);
        if (out.refuse_status != cases[i].status)
            fail_msg("case %zu: status %d", i, out.refuse_status);
        if (cases[i].body) {
            assert_int_equal(out.body_len, strlen(cases[i].body));
            assert_memory_equal(out.body, cases[i].body, out.body_len);
        }
        if (cases[i].status == 400)
            assert_string_equal(gh_headers_get(&out.headers, "X-Why"), "refused");
        const char *p = gh_headers_get(&out.headers, "Sec-WebSocket-Protocol");
        if (cases[i].chosen)
            assert_string_equal(p, cases[i].chosen);
        else
            assert_null(p);
    }
    /* No $connect route: every connection is accepted, the authorizer never runs. */
    f->ws.routes = f->routes + 1;
    f->ws.nroutes = 7;
    gh_ws_connect_result out;
    gh_ws_connect(f->rt, upgrade(f, "127.0.0.1", "/prod", NULL, NULL, NULL), &f->s, &out);
    assert_int_equal(out.refuse_status, 0);
    assert_null(out.authorizer_json);
    assert_int_equal(out.headers.n, 0);
}

/* The frame with the requestId it carries replaced by "ID" (ids are random). */
static const char *masked(gh_arena *a, const gh_ws_reply *r)
{
    if (!r->data)
        return NULL;
    char *t = gh_arena_strndup(a, r->data, r->len);
    char *id = strstr(t, "\"requestId\":\"");
    if (id) {
        id += strlen("\"requestId\":\"");
        assert_int_equal(strlen(id), 16 + 2); /* 16 characters, then "} */
        assert_int_equal(id[15], '=');
        memmove(id + 2, id + 16, 3);
        id[0] = 'I', id[1] = 'D';
    }
    return t;
}

static void test_message(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *data;
        const char *reply; /* NULL: nothing goes back */
    } cases[] = {
        {"{\"action\":\"sendmessage\",\"x\":1}",
         "sendmessage|MESSAGE|{\"action\":\"sendmessage\",\"x\":1}|false|-|-|16|" CONN},
        {"not json", "$default|MESSAGE|not json|false|-|-|16|" CONN},
        {"{\"action\":\"unknown\"}",
         "$default|MESSAGE|{\"action\":\"unknown\"}|false|-|-|16|" CONN},
        {"{\"action\":\"$connect\"}",
         "$default|MESSAGE|{\"action\":\"$connect\"}|false|-|-|16|" CONN},
        {"{\"no\":\"action\"}", "$default|MESSAGE|{\"no\":\"action\"}|false|-|-|16|" CONN},
        {"{\"action\":\"oneway\"}", NULL},
        {"{\"action\":\"viaproxy\"}",
         "viaproxy|MESSAGE|{\"action\":\"viaproxy\"}|false|-|-|16|" CONN},
        {"{\"want\":\"string\"}", "just text"},
        {"{\"want\":\"nil\"}", NULL},
        {"{\"want\":\"nobody\"}", NULL},
        {"{\"want\":\"table\"}", "{\"answer\":42}"},
        {"{\"want\":\"status500\"}", "still sent"},
        {"{\"action\":\"fail\"}",
         "{\"message\": \"Internal server error\", \"connectionId\":\"" CONN
         "\", \"requestId\":\"ID\"}"},
        {"{\"action\":\"mock\",\"x\":[1,2]}",
         "{\"conn\": \"" CONN "\", \"route\": \"mock\", \"event\": \"MESSAGE\", \"ip\": "
         "\"127.0.0.1\", \"ua\": \"wscat\", \"at\": 1699999995000, \"requestId\":\"ID\"}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gh_ws_reply out;
        gh_ws_message(f->rt, &f->s, f->a, cases[i].data, strlen(cases[i].data), false, &out);
        const char *got = masked(f->a, &out);
        if ((got == NULL) != (cases[i].reply == NULL) || (got && strcmp(got, cases[i].reply) != 0))
            fail_msg("case %zu: %s\n  got  %s\n  want %s", i, cases[i].data, got ? got : "(none)",
                     cases[i].reply ? cases[i].reply : "(none)");
        assert_false(out.binary);
    }
    /* A binary frame is not read as JSON: $default, the body base64-encoded. */
    gh_ws_reply out;
    gh_ws_message(f->rt, &f->s, f->a, "{\"action\":\"fail\"}", 17, true, &out);
    assert_string_equal(masked(f->a, &out),
                        "$default|MESSAGE|eyJhY3Rpb24iOiJmYWlsIn0=|true|-|-|16|" CONN);
}

static void test_message_authorizer_and_forbidden(void **state)
{
    fixture *f = *state;
    f->s.authorizer_json =
        "{\"principalId\":\"user-alice\",\"seen\":\"x\",\"integrationLatency\":0}";
    gh_ws_reply out;
    const char *msg = "{\"action\":\"sendmessage\"}";
    gh_ws_message(f->rt, &f->s, f->a, msg, strlen(msg), false, &out);
    assert_string_equal(
        masked(f->a, &out),
        "sendmessage|MESSAGE|{\"action\":\"sendmessage\"}|false|user-alice|seen|16|" CONN);

    /* Without $default, a message that selects nothing gets AWS's Forbidden frame. */
    f->routes[1] = f->routes[0];
    f->ws.routes = f->routes + 1;
    f->ws.nroutes = 7;
    msg = "{\"action\":\"unknown\"}";
    gh_ws_message(f->rt, &f->s, f->a, msg, strlen(msg), false, &out);
    assert_string_equal(masked(f->a, &out), "{\"message\": \"Forbidden\", \"connectionId\":\"" CONN
                                            "\", \"requestId\":\"ID\"}");
    gh_ws_message(f->rt, &f->s, f->a, "not json", 8, false, &out);
    assert_string_equal(masked(f->a, &out), "{\"message\": \"Forbidden\", \"connectionId\":\"" CONN
                                            "\", \"requestId\":\"ID\"}");
}

static void test_disconnect(void **state)
{
    fixture *f = *state;
    f->s.authorizer_json = "{\"principalId\":\"user-alice\",\"integrationLatency\":0}";
    gh_ws_disconnect(f->rt, &f->s, f->a, 1001, "Going away");
    gh_sqs_receive r = {.max_messages = 10, .visibility_timeout = -1, .wait_seconds = 0};
    gh_sqs_message *m;
    size_t n;
    gh_sqs_error err;
    assert_int_equal(gh_sqs_receive_messages(f->sim->sqs, "seen", &r, &m, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(m[0].body, "DISCONNECT|$disconnect|1001|Going away|" CONN
                                   "|prod|user-alice|nil|127.0.0.1:8080");
    gh_sqs_messages_free(m, n);

    /* Without the route nothing runs; a failing one is only logged. */
    f->routes[2].function = "fail";
    gh_ws_disconnect(f->rt, &f->s, f->a, 1000, "");
    f->ws.nroutes = 2;
    gh_ws_disconnect(f->rt, &f->s, f->a, 1000, "");
    assert_int_equal(gh_sqs_receive_messages(f->sim->sqs, "seen", &r, &m, &n, &err), 0);
    assert_int_equal(n, 0);
    gh_sqs_messages_free(m, n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_resolve, setup, teardown),
        cmocka_unit_test_setup_teardown(test_connect_authorizer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_connect_route, setup, teardown),
        cmocka_unit_test_setup_teardown(test_message, setup, teardown),
        cmocka_unit_test_setup_teardown(test_message_authorizer_and_forbidden, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disconnect, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
