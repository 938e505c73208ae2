/* gateway/pipeline: API by Host, stage from the first segment, routing, method override,
 * body limit, the invocation handed to the integration, and the headers every response
 * carries. The integration layer is replaced by a recorder (see gh_integration_run
 * below) so these tests see exactly what the pipeline resolved. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "gateway/pipeline.h"
#include "integration/integration.h"
#include "resource_tree.h"

/* Test-local integration: records the invocation and answers 200 "ok", or fails with
 * INTEGRATION_FAILURE for an integration marked broken. Defined here only while the
 * integration branch has no gh_integration_run; the core library is static, so this
 * definition is the one linked. */
static gh_invocation seen;
static int calls;

int gh_integration_run(gh_invocation *inv)
{
    seen = *inv;
    calls++;
    if (inv->integration->broken) {
        inv->fail_type = GH_GW_API_CONFIGURATION_ERROR;
        inv->fail_status = 502;
        return -1;
    }
    inv->resp->status = 200;
    inv->resp->body = "ok";
    inv->resp->body_len = 2;
    gh_headers_add(inv->arena, &inv->resp->headers, "X-From", "integration");
    return 0;
}

static gh_integration ok_integ = {.type = GH_INTEG_MOCK, .mock_script = -1};
static gh_integration broken_integ = {.type = GH_INTEG_AWS_PROXY, .mock_script = -1,
                                      .broken = "unsupported"};

typedef struct world {
    gh_arena *arena;
    gh_model model;
    gh_api apis[2];
    gh_stage stages[2];
    gh_runtime rt;
} world;

static void world_init(world *w)
{
    memset(w, 0, sizeof *w);
    w->arena = gh_arena_new(8192);
    static const tree_line t0[] = {
        {"/", "GET"}, {"/pets", "GET"}, {"/pets/{id}", "GET ANY"}, {"/files/{p+}", "GET"},
    };
    tree_build(w->arena, &w->apis[0], t0, 4, &ok_integ);
    w->apis[0].id = "aaaaaaaaaa";
    w->stages[0] = (gh_stage){.name = "dev", .deployment_id = "dep001"};
    w->stages[1] = (gh_stage){.name = "prod", .deployment_id = "dep002"};
    w->apis[0].stages = w->stages;
    w->apis[0].nstages = 2;

    static const tree_line t1[] = {{"/broken", "POST"}};
    tree_build(w->arena, &w->apis[1], t1, 1, &broken_integ);
    w->apis[1].id = "bbbbbbbbbb";
    w->apis[1].stages = w->stages;
    w->apis[1].nstages = 1;
    static gh_kv hdr[1] = {{"gatewayresponse.header.X-Custom", "'yes'", {0}}};
    w->apis[1].gateway_responses[GH_GW_MISSING_AUTHENTICATION_TOKEN] =
        (gh_gw_override){.set = true, .parameters = {hdr, 1}};

    w->model.apis = w->apis;
    w->model.napis = 2;
    w->rt.model = &w->model;
}

typedef struct call {
    const char *method;
    const char *host;       /* Host header as sent; NULL for none */
    const char *path;
    const char *override;   /* X-HTTP-Method-Override or NULL */
} call;

static void handle(world *w, const call *c, gh_request *req, gh_response *resp)
{
    memset(req, 0, sizeof *req);
    req->arena = w->arena;
    req->method = c->method;
    req->path = c->path;
    strcpy(req->request_id, "11111111-2222-4333-8444-555555555555");
    strcpy(req->extended_id, "ExtIdExtIdExtI=");
    if (c->host) {
        gh_headers_add(w->arena, &req->headers, "Host", c->host);
        /* what the server does: lower-cased, without the port */
        char *h = gh_arena_strdup(w->arena, c->host);
        char *colon = strchr(h, ':');
        if (colon)
            *colon = '\0';
        for (char *p = h; *p; p++)
            *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
        req->host = h;
    }
    if (c->override)
        gh_headers_add(w->arena, &req->headers, "X-HTTP-Method-Override", c->override);
    calls = 0;
    gh_pipeline_handle(&w->rt, req, resp);
}

/* The runtime's observer sees every response, with the request's headers as the client
 * sent them (before X-Forwarded-* were added for the backend). */
static int observed_status;
static size_t observed_headers;
static const char *observed_xff;

static void observe(void *ud, const gh_request *req, const gh_response *resp)
{
    *(int *)ud += 1;
    observed_status = resp->status;
    observed_headers = req->headers.n;
    observed_xff = gh_headers_get(&req->headers, "X-Forwarded-For");
}

static void observer(void **state)
{
    (void)state;
    world w;
    world_init(&w);
    int seen = 0;
    w.rt.observe = observe;
    w.rt.observe_ud = &seen;
    static const struct {
        call c;
        int status;
    } cases[] = {
        {{"GET", "localhost:8080", "/dev/pets", NULL}, 200},
        {{"GET", NULL, "/dev/nowhere", NULL}, 403},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gh_request req;
        gh_response resp;
        handle(&w, &cases[i].c, &req, &resp);
        assert_int_equal(seen, (int)i + 1);
        assert_int_equal(observed_status, cases[i].status);
        assert_int_equal(observed_headers, cases[i].c.host ? 1 : 0);
        assert_null(observed_xff);
        if (cases[i].status == 200) /* the backend's copy was forwarded */
            assert_string_equal(gh_headers_get(&req.headers, "X-Forwarded-Proto"), "http");
    }
    gh_arena_free(w.arena);
}

static void assert_common_headers(const gh_response *r)
{
    assert_string_equal(gh_headers_get(&r->headers, "x-amzn-RequestId"),
                        "11111111-2222-4333-8444-555555555555");
    assert_string_equal(gh_headers_get(&r->headers, "x-amz-apigw-id"), "ExtIdExtIdExtI=");
    assert_non_null(gh_headers_get(&r->headers, "Content-Type"));
}

typedef struct pcase {
    call c;
    int status;
    const char *body;       /* exact */
    const char *resource;   /* resource the integration saw; NULL: not called */
    const char *path;       /* inv.path */
    const char *stage_path; /* inv.stage_path */
    const char *api;        /* api id seen, when called */
} pcase;

#define MAT "{\"message\":\"Missing Authentication Token\"}"

static const pcase cases[] = {
    /* API by Host */
    {{"GET", "127.0.0.1:8080", "/dev/pets", NULL}, 200, "ok", "/pets", "/pets", "/dev/pets", "aaaaaaaaaa"},
    {{"GET", NULL, "/dev/pets", NULL}, 200, "ok", "/pets", "/pets", "/dev/pets", "aaaaaaaaaa"},
    {{"POST", "BBBBBBBBBB.Execute-Api.LocalHost:9", "/dev/broken", NULL}, 502, "{\"message\": \"Internal server error\"}", "/broken", "/broken", "/dev/broken", "bbbbbbbbbb"},
    {{"GET", "cccccccccc.execute-api.localhost", "/dev/pets", NULL}, 403, MAT, NULL, NULL, NULL, NULL},
    /* stage */
    {{"GET", NULL, "/prod/pets/7", NULL}, 200, "ok", "/pets/{id}", "/pets/7", "/prod/pets/7", "aaaaaaaaaa"},
    {{"GET", NULL, "/test/pets", NULL}, 403, MAT, NULL, NULL, NULL, NULL},
    {{"GET", NULL, "/", NULL}, 403, MAT, NULL, NULL, NULL, NULL},
    {{"GET", NULL, "", NULL}, 403, MAT, NULL, NULL, NULL, NULL},
    {{"GET", NULL, "//dev/pets", NULL}, 403, MAT, NULL, NULL, NULL, NULL},
    {{"GET", NULL, "/dev", NULL}, 200, "ok", "/", "/", "/dev", "aaaaaaaaaa"},
    {{"GET", NULL, "/dev/", NULL}, 200, "ok", "/", "/", "/dev/", "aaaaaaaaaa"},
    /* doubled slash right after the stage: collapsed in path, kept in stage_path */
    {{"GET", NULL, "/dev//pets", NULL}, 200, "ok", "/pets", "/pets", "/dev//pets", "aaaaaaaaaa"},
    {{"GET", NULL, "/dev/files/a//b", NULL}, 200, "ok", "/files/{p+}", "/files/a//b", "/dev/files/a//b", "aaaaaaaaaa"},
    /* routing failures are all 403 Missing Authentication Token */
    {{"GET", NULL, "/dev/nothing", NULL}, 403, MAT, NULL, NULL, NULL, NULL},
    {{"POST", NULL, "/dev/pets", NULL}, 403, MAT, NULL, NULL, NULL, NULL},
    /* method override */
    {{"POST", NULL, "/dev/pets", "get"}, 200, "ok", "/pets", "/pets", "/dev/pets", "aaaaaaaaaa"},
    {{"GET", NULL, "/dev/pets", "DELETE"}, 403, MAT, NULL, NULL, NULL, NULL},
    {{"DELETE", NULL, "/dev/pets/1", NULL}, 200, "ok", "/pets/{id}", "/pets/1", "/dev/pets/1", "aaaaaaaaaa"},
};

static void table(void **state)
{
    (void)state;
    world w;
    world_init(&w);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const pcase *pc = &cases[i];
        gh_request req;
        gh_response resp;
        handle(&w, &pc->c, &req, &resp);
        if (resp.status != pc->status || resp.body_len != strlen(pc->body) ||
            memcmp(resp.body, pc->body, resp.body_len) != 0 ||
            calls != (pc->resource ? 1 : 0)) {
            print_error("case %zu: %s %s -> %d '%.*s' calls %d\n", i, pc->c.method, pc->c.path,
                        resp.status, (int)resp.body_len, resp.body, calls);
            fail();
        }
        assert_common_headers(&resp);
        if (pc->resource) {
            assert_string_equal(seen.resource->path, pc->resource);
            assert_string_equal(seen.path, pc->path);
            assert_string_equal(seen.stage_path, pc->stage_path);
            assert_string_equal(seen.api->id, pc->api);
            assert_non_null(seen.stage);
            assert_ptr_equal(seen.model, &w.model);
            assert_ptr_equal(seen.req, &req);
            assert_ptr_equal(seen.arena, w.arena);
        }
        if (resp.status != 200)
            assert_non_null(gh_headers_get(&resp.headers, "x-amzn-ErrorType"));
    }
    gh_arena_free(w.arena);
}

static void invocation_fields(void **state)
{
    (void)state;
    world w;
    world_init(&w);
    gh_request req;
    gh_response resp;
    call c = {"POST", "Localhost:3000", "/prod/pets/a%2Fb", "put"};
    handle(&w, &c, &req, &resp);
    assert_int_equal(resp.status, 200);
    assert_string_equal(gh_headers_get(&resp.headers, "X-From"), "integration");
    assert_string_equal(gh_headers_get(&resp.headers, "Content-Type"), "application/json");
    assert_string_equal(seen.domain_name, "Localhost:3000");
    assert_string_equal(seen.stage->name, "prod");
    assert_string_equal(seen.method->verb, "ANY");
    assert_string_equal(req.method, "PUT");
    assert_null(gh_headers_get(&req.headers, "X-HTTP-Method-Override"));
    assert_int_equal(seen.npath_params, 1);
    assert_string_equal(seen.path_params[0].name, "id");
    assert_string_equal(seen.path_params[0].value, "a%2Fb");
    assert_ptr_equal(seen.integration, &ok_integ);
    gh_arena_free(w.arena);
}

static void unknown_api_and_custom_responses(void **state)
{
    (void)state;
    world w;
    world_init(&w);
    gh_request req;
    gh_response resp;
    /* the Host's API has a customised MISSING_AUTHENTICATION_TOKEN */
    call c = {"GET", "bbbbbbbbbb.execute-api.localhost", "/dev/none", NULL};
    handle(&w, &c, &req, &resp);
    assert_int_equal(resp.status, 403);
    assert_string_equal(gh_headers_get(&resp.headers, "X-Custom"), "yes");
    assert_string_equal(gh_headers_get(&resp.headers, "x-amzn-ErrorType"),
                        "MissingAuthenticationTokenException");
    /* no API at all in the model */
    w.model.napis = 0;
    call c2 = {"GET", "127.0.0.1", "/dev/pets", NULL};
    handle(&w, &c2, &req, &resp);
    assert_int_equal(resp.status, 403);
    assert_int_equal(calls, 0);
    gh_arena_free(w.arena);
}

/* The authorization phase runs after routing and before the integration: a broken
 * authorizer is AWS's 500 AUTHORIZER_CONFIGURATION_ERROR, and the integration is never
 * called; gh_pipeline_resolve stops there too. */
static void authorization_phase(void **state)
{
    (void)state;
    world w;
    world_init(&w);
    gh_authorizer az = {.name = "jwt", .kind = GH_AUTHZ_TOKEN, .broken = "no such function"};
    gh_resource *pets = w.apis[0].root->literals[0]; /* "/files" sorts before "/pets" */
    if (strcmp(pets->segment, "pets") != 0)
        pets = w.apis[0].root->literals[1];
    assert_string_equal(pets->segment, "pets");
    pets->methods[0].authorizer = &az;
    gh_request req;
    gh_response resp;
    call c = {"GET", "127.0.0.1", "/dev/pets", NULL};
    handle(&w, &c, &req, &resp);
    assert_int_equal(resp.status, 500);
    assert_string_equal(gh_headers_get(&resp.headers, "x-amzn-ErrorType"),
                        "AuthorizerConfigurationException");
    assert_int_equal(calls, 0);

    gh_invocation inv = {0};
    memset(&req, 0, sizeof req);
    req.arena = w.arena;
    req.method = "GET";
    req.path = "/dev/pets";
    assert_int_equal(gh_pipeline_resolve(&w.rt, &req, &inv), -1);
    assert_int_equal(inv.fail_type, GH_GW_AUTHORIZER_CONFIGURATION_ERROR);

    /* Other methods are not guarded. */
    call ok = {"GET", "127.0.0.1", "/dev/pets/1", NULL};
    handle(&w, &ok, &req, &resp);
    assert_int_equal(resp.status, 200);
    assert_int_equal(calls, 1);
    gh_arena_free(w.arena);
}

static void body_limit(void **state)
{
    (void)state;
    world w;
    world_init(&w);
    gh_request req;
    gh_response resp;
    static const struct {
        size_t len;
        int status;
    } sizes[] = {{0, 200}, {10 * 1024 * 1024, 200}, {10 * 1024 * 1024 + 1, 413}};
    for (size_t i = 0; i < 3; i++) {
        memset(&req, 0, sizeof req);
        req.arena = w.arena;
        req.method = "GET";
        req.path = "/dev/pets";
        req.body_len = sizes[i].len;
        req.body = sizes[i].len ? "x" : NULL; /* never read past the length check here */
        calls = 0;
        gh_pipeline_handle(&w.rt, &req, &resp);
        assert_int_equal(resp.status, sizes[i].status);
    }
    assert_int_equal(calls, 0);
    assert_int_equal(resp.body_len, strlen("{\"message\":\"Request Too Long\"}"));
    assert_memory_equal(resp.body, "{\"message\":\"Request Too Long\"}", resp.body_len);
    gh_arena_free(w.arena);
}

/* gh_pipeline_resolve (for `gatehouse render`) resolves exactly what gh_pipeline_handle
 * hands the integration, never calls it, and fails where handle answers a 403. */
static void resolve_agrees_with_handle(void **state)
{
    (void)state;
    world w;
    world_init(&w);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const pcase *pc = &cases[i];
        gh_request req;
        gh_response resp;
        handle(&w, &pc->c, &req, &resp);
        gh_invocation handled = seen;
        bool reached = calls == 1;

        gh_request req2;
        memset(&req2, 0, sizeof req2);
        req2.arena = w.arena;
        req2.method = pc->c.method;
        req2.path = pc->c.path;
        if (pc->c.host) {
            gh_headers_add(w.arena, &req2.headers, "Host", pc->c.host);
            req2.host = req.host;
        }
        if (pc->c.override)
            gh_headers_add(w.arena, &req2.headers, "X-HTTP-Method-Override", pc->c.override);
        gh_response resp2 = {0};
        gh_invocation inv = {.resp = &resp2};
        calls = 0;
        int rc = gh_pipeline_resolve(&w.rt, &req2, &inv);
        assert_int_equal(calls, 0);
        if (rc != (reached ? 0 : -1)) {
            print_error("case %zu: %s %s resolve %d\n", i, pc->c.method, pc->c.path, rc);
            fail();
        }
        assert_ptr_equal(inv.resp, &resp2);
        if (!reached) {
            assert_int_equal(inv.fail_type, GH_GW_MISSING_AUTHENTICATION_TOKEN);
            assert_non_null(inv.log_detail);
            continue;
        }
        assert_ptr_equal(inv.resource, handled.resource);
        assert_ptr_equal(inv.method, handled.method);
        assert_ptr_equal(inv.integration, handled.integration);
        assert_ptr_equal(inv.stage, handled.stage);
        assert_string_equal(inv.path, handled.path);
        assert_string_equal(inv.stage_path, handled.stage_path);
        assert_string_equal(req2.method, req.method);
        assert_string_equal(gh_headers_get(&req2.headers, "X-Forwarded-Proto"), "http");
    }
    gh_arena_free(w.arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table),
        cmocka_unit_test(observer),
        cmocka_unit_test(invocation_fields),
        cmocka_unit_test(unknown_api_and_custom_responses),
        cmocka_unit_test(body_limit),
        cmocka_unit_test(authorization_phase),
        cmocka_unit_test(resolve_agrees_with_handle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
