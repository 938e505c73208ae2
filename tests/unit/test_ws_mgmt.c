/* The @connections API (websocket/ws_mgmt.c) over a hub whose transport records what it
 * was asked to send and close: the path forms the SDKs and the CLI send (@ or %40, ids
 * with %3D), every status with its exact body and x-amzn-ErrorType, 413 over 128 KB,
 * 429 when a client's queue is full, 410 for unknown and deleted ids, SigV4 checks and the
 * signer's identity policy (execute-api:ManageConnections).
 * The model is built by hand: only the API's id, region, stage, credentials and the
 * presence of a WebSocket API matter here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/sigv4.h"
#include "resource_tree.h"
#include "util/clock.h"
#include "websocket/ws_mgmt.h"
#include "ws_fake_transport.h"

#define T0 1781014000111LL /* 2026-06-09T14:06:40.111Z */


/* ---- fixture ---- */

static gh_stage stages[] = {{.name = "dev"}};
static gh_ws_api ws_api = {.route_selection_expression = "$request.body.action"};
static gh_credential creds[] = {{.access_key = "AKIDEXAMPLE",
                                 .secret_key = "s3cr3t",
                                 .arn = "arn:aws:iam::111122223333:user/ops",
                                 .account_id = "111122223333"}};

typedef struct fx {
    gh_api api;
    gh_model model;
    gh_runtime rt;
    fake_transport ft;
    gh_ws_hub *hub;
    gh_arena *arena;
    char id[24];
} fx;

static int setup(void **state)
{
    gh_clock_fake(T0);
    fx *f = calloc(1, sizeof *f);
    f->api = (gh_api){.id = "abcdef1234",
                      .region = "eu-west-1",
                      .account_id = "111122223333",
                      .stages = stages,
                      .nstages = 1,
                      .websocket = &ws_api,
                      .credentials = creds,
                      .ncredentials = 1};
    f->model.apis = &f->api;
    f->model.napis = 1;
    f->rt.model = &f->model;
    pthread_mutex_init(&f->ft.mu, NULL);
    pthread_cond_init(&f->ft.cv, NULL);
    gh_ws_transport t = {fake_send, fake_close, &f->ft};
    f->hub = gh_ws_hub_new(&t);
    assert_non_null(f->hub);
    f->arena = gh_arena_new(4096);
    gh_ws_conn_info info;
    assert_int_equal(gh_ws_hub_add(f->hub, f, "dev", "198.51.100.7", "wscat", 0, &info), 0);
    memcpy(f->id, info.id, sizeof f->id);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    pthread_mutex_lock(&f->ft.mu);
    f->ft.stalled = false;
    pthread_cond_broadcast(&f->ft.cv);
    pthread_mutex_unlock(&f->ft.mu);
    gh_ws_hub_remove(f->hub, f->id);
    gh_ws_hub_free(f->hub);
    gh_arena_free(f->arena);
    pthread_mutex_destroy(&f->ft.mu);
    pthread_cond_destroy(&f->ft.cv);
    free(f);
    gh_clock_fake(-1);
    return 0;
}

static gh_request make_request(fx *f, const char *method, const char *path, const char *body,
                               size_t body_len)
{
    gh_request r = {0};
    r.arena = f->arena;
    r.method = method;
    r.path = path;
    r.body = body;
    r.body_len = body_len;
    r.host = "127.0.0.1";
    r.source_ip = "127.0.0.1";
    r.protocol = "HTTP/1.1";
    gh_headers_add(f->arena, &r.headers, "Host", "127.0.0.1:8080");
    gh_request_stamp(&r);
    return r;
}

/* The id's %-encoded path: '=' as %3D, as the SDKs send it. */
static const char *path_for(fx *f, const char *prefix, const char *id)
{
    char enc[64] = {0};
    size_t j = 0;
    for (const char *p = id; *p && j < sizeof enc - 4; p++) {
        if (*p == '=') {
            memcpy(enc + j, "%3D", 3);
            j += 3;
        } else {
            enc[j++] = *p;
        }
    }
    return gh_arena_printf(f->arena, "%s%s", prefix, enc);
}

static gh_response call(fx *f, gh_request *req, bool check)
{
    gh_response resp = {0};
    assert_true(gh_ws_mgmt_claims(&f->rt, req));
    gh_ws_mgmt_handle(f->hub, &f->rt, check, req, &resp);
    assert_string_equal(gh_headers_get(&resp.headers, "x-amzn-RequestId"), req->request_id);
    return resp;
}

static void assert_answer(const gh_response *r, int status, const char *error_type,
                          const char *body)
{
    assert_int_equal(r->status, status);
    const char *et = gh_headers_get(&r->headers, "x-amzn-ErrorType");
    if (error_type)
        assert_string_equal(et, error_type);
    else
        assert_null(et);
    assert_int_equal(r->body_len, strlen(body));
    assert_memory_equal(r->body ? r->body : "", body, strlen(body));
}

/* ---- claims ---- */

static void test_claims_table(void **state)
{
    fx *f = *state;
    static const struct {
        const char *path;
        bool claimed;
    } cases[] = {
        {"/dev/@connections/abc%3D", true},
        {"/dev/%40connections/abc%3D", true},
        {"/dev/@connections", true}, /* no id: answered, as a route that does not exist */
        {"/dev/@connections/", true},
        {"/dev/@connections/a/b", true},
        {"/prod/@connections/abc", true}, /* not a stage: 403 Forbidden */
        {"/dev/connections/abc", false},
        {"/dev/@connectionsX/abc", false},
        {"/dev/%41connections/abc", false},
        {"/dev", false},
        {"/", false},
        {"/@connections/abc", true}, /* no stage (aws-sdk-php#1955): 403 Forbidden */
        {"/%40connections", true},
        {"//@connections/abc", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gh_request r = make_request(f, "POST", cases[i].path, NULL, 0);
        if (gh_ws_mgmt_claims(&f->rt, &r) != cases[i].claimed)
            fail_msg("%s: expected %s", cases[i].path, cases[i].claimed ? "claimed" : "not");
    }
    /* A definition without a WebSocket API: still claimed (403 Forbidden), as long as
     * no REST resource serves the path. */
    f->api.websocket = NULL;
    gh_request r = make_request(f, "POST", "/dev/@connections/abc", NULL, 0);
    assert_true(gh_ws_mgmt_claims(&f->rt, &r));
    f->api.websocket = &ws_api;
    /* The Host names an API by id as for REST; an unknown id is no API. */
    r.host = "abcdef1234.execute-api.localhost";
    assert_true(gh_ws_mgmt_claims(&f->rt, &r));
    r.host = "zzzzzzzzzz.execute-api.localhost";
    assert_false(gh_ws_mgmt_claims(&f->rt, &r));
}

/* Where no WebSocket API serves the stage, AWS answers 403 {"message":"Forbidden"}
 * (aws-sdk-php#1955: the SDK's endpoint without its stage); a REST resource that really
 * matches the path (a literal @connections, or {proxy+}) keeps it. */
static void test_unknown_stage_forbidden(void **state)
{
    fx *f = *state;
    static const char *paths[] = {"/prod/@connections/abc", "/@connections/abc",
                                  "/prod/%40connections/abc"};
    static const char *verbs[] = {"POST", "GET", "DELETE"};
    for (size_t i = 0; i < 3; i++) {
        for (size_t v = 0; v < 3; v++) {
            gh_request r = make_request(f, verbs[v], paths[i], "x", 1);
            gh_response resp = call(f, &r, false);
            assert_answer(&resp, 403, "ForbiddenException", "{\"message\":\"Forbidden\"}");
        }
    }
    /* Signatures are not looked at for a stage that does not exist. */
    gh_request r = make_request(f, "POST", "/prod/@connections/abc", "x", 1);
    gh_response resp = call(f, &r, true);
    assert_answer(&resp, 403, "ForbiddenException", "{\"message\":\"Forbidden\"}");

    /* REST resources: /dev/@connections/{id} literally, and a {proxy+} on stage dev2. */
    gh_stage two[] = {{.name = "dev"}, {.name = "dev2"}};
    f->api.stages = two;
    f->api.nstages = 2;
    static const tree_line lines[] = {{"/@connections/{id}", "POST"}, {"/other/{proxy+}", "ANY"}};
    tree_build(f->arena, &f->api, lines, 2, NULL);
    f->api.websocket = NULL;
    r = make_request(f, "POST", "/dev/@connections/abc", NULL, 0);
    assert_false(gh_ws_mgmt_claims(&f->rt, &r)); /* REST serves it */
    r = make_request(f, "GET", "/dev/@connections/abc", NULL, 0);
    assert_false(gh_ws_mgmt_claims(&f->rt, &r)); /* its resource: REST answers the verb */
    r = make_request(f, "POST", "/dev/@connections/a/b", NULL, 0);
    assert_true(gh_ws_mgmt_claims(&f->rt, &r)); /* no resource there */
    r = make_request(f, "POST", "/nope/@connections/abc", NULL, 0);
    assert_true(gh_ws_mgmt_claims(&f->rt, &r)); /* no such stage */
    /* With a WebSocket API the stage's @connections is its own, whatever REST has. */
    f->api.websocket = &ws_api;
    r = make_request(f, "POST", "/dev/@connections/abc", NULL, 0);
    assert_true(gh_ws_mgmt_claims(&f->rt, &r));
    f->api.root = NULL;
    f->api.stages = stages;
    f->api.nstages = 1;
}

/* ---- PostToConnection ---- */

static void test_post_path_forms(void **state)
{
    fx *f = *state;
    const char *prefixes[] = {"/dev/@connections/", "/dev/%40connections/"};
    for (int i = 0; i < 2; i++) {
        const char *body = i == 0 ? "{\"hello\":1}" : "second";
        gh_request r = make_request(f, "POST", path_for(f, prefixes[i], f->id), body, strlen(body));
        gh_response resp = call(f, &r, false);
        assert_answer(&resp, 200, NULL, "");
        assert_string_equal(gh_headers_get(&resp.headers, "Content-Type"), "application/json");
        wait_sent(&f->ft, i + 1);
        assert_int_equal(f->ft.last_len, strlen(body));
        assert_memory_equal(f->ft.last, body, strlen(body));
        assert_false(f->ft.last_binary);
    }
    /* The id as is, '=' unencoded, works too. */
    gh_request r =
        make_request(f, "POST", gh_arena_printf(f->arena, "/dev/@connections/%s", f->id), "x", 1);
    gh_response resp = call(f, &r, false);
    assert_answer(&resp, 200, NULL, "");
    wait_sent(&f->ft, 3);
}

static void test_post_size_limit(void **state)
{
    fx *f = *state;
    size_t max = 128 * 1024;
    char *big = malloc(max + 1);
    memset(big, 'a', max + 1);
    gh_request r = make_request(f, "POST", path_for(f, "/dev/@connections/", f->id), big, max + 1);
    gh_response resp = call(f, &r, false);
    assert_answer(&resp, 413, "PayloadTooLargeException", "{\"message\":\"Message too long\"}");
    r = make_request(f, "POST", path_for(f, "/dev/@connections/", f->id), big, max);
    resp = call(f, &r, false);
    assert_answer(&resp, 200, NULL, "");
    wait_sent(&f->ft, 1);
    assert_int_equal(f->ft.last_len, max);
    free(big);
}

static void test_post_full_queue(void **state)
{
    fx *f = *state;
    f->ft.stalled = true; /* the writer blocks in send: the client does not read */
    size_t len = 128 * 1024;
    char *chunk = calloc(1, len);
    int status = 0, n = 0;
    gh_response resp = {0};
    /* 1 MB queue per client: at most 8 whole messages wait, plus one in the writer. */
    while (n < 20) {
        gh_request r =
            make_request(f, "POST", path_for(f, "/dev/@connections/", f->id), chunk, len);
        resp = call(f, &r, false);
        status = resp.status;
        n++;
        if (status != 200)
            break;
    }
    free(chunk);
    assert_int_equal(status, 429);
    assert_in_range(n, 8, 10);
    assert_answer(&resp, 429, "LimitExceededException", "");
}

/* ---- GetConnection ---- */

static void test_get(void **state)
{
    fx *f = *state;
    gh_clock_advance(50111); /* a message 50.111 s later */
    gh_ws_hub_touch(f->hub, f->id);
    gh_request r = make_request(f, "GET", path_for(f, "/dev/%40connections/", f->id), NULL, 0);
    gh_response resp = call(f, &r, false);
    assert_answer(&resp, 200, NULL,
                  "{\"connectedAt\":\"2026-06-09T14:06:40.111Z\",\"identity\":{\"sourceIp\":"
                  "\"198.51.100.7\",\"userAgent\":\"wscat\"},\"lastActiveAt\":"
                  "\"2026-06-09T14:07:30.222Z\"}");
    assert_string_equal(gh_headers_get(&resp.headers, "Content-Type"), "application/json");
}

/* ---- DeleteConnection, and 410 afterwards ---- */

static void test_delete_then_gone(void **state)
{
    fx *f = *state;
    gh_request r = make_request(f, "DELETE", path_for(f, "/dev/@connections/", f->id), NULL, 0);
    gh_response resp = call(f, &r, false);
    assert_answer(&resp, 204, NULL, "");
    assert_null(gh_headers_get(&resp.headers, "Content-Type"));
    wait_closed(&f->ft);
    assert_int_equal(f->ft.nclosed, 1);
    assert_int_equal(f->ft.close_code, 1000);

    static const char *methods[] = {"POST", "GET", "DELETE"};
    for (int i = 0; i < 3; i++) {
        r = make_request(f, methods[i], path_for(f, "/dev/@connections/", f->id), "x", 1);
        resp = call(f, &r, false);
        assert_answer(&resp, 410, "GoneException", "");
    }
    assert_int_equal(f->ft.nclosed, 1);
}

static void test_unknown_id_gone(void **state)
{
    fx *f = *state;
    static const char *methods[] = {"POST", "GET", "DELETE"};
    for (int i = 0; i < 3; i++) {
        static const char *paths[] = {
            "/dev/@connections/Zk2oYc1vLPECIqA%3D",
            "/dev/@connections/Zk2oYc1vLPECIqAZk2oYc1vLPECIqAZk2oYc1vLPECIqA%3D", /* too long */
            "/dev/@connections/Zk2o%00",                                          /* a NUL */
        };
        for (int j = 0; j < 3; j++) {
            gh_request r = make_request(f, methods[i], paths[j], "x", 1);
            gh_response resp = call(f, &r, false);
            assert_answer(&resp, 410, "GoneException", "");
        }
    }
    assert_int_equal(f->ft.nsent, 0);
}

/* ---- routes that do not exist ---- */

static void test_no_route(void **state)
{
    fx *f = *state;
    static const struct {
        const char *method, *path, *body;
    } cases[] = {
        {"PUT", "/dev/@connections/abc%3D",
         "{\"message\":\"No method found matching route @connections/abc%3D for http method "
         "PUT.\"}"},
        {"PATCH", "/dev/%40connections/abc",
         "{\"message\":\"No method found matching route @connections/abc for http method "
         "PATCH.\"}"},
        {"POST", "/dev/@connections",
         "{\"message\":\"No method found matching route @connections for http method POST.\"}"},
        {"GET", "/dev/@connections/",
         "{\"message\":\"No method found matching route @connections/ for http method GET.\"}"},
        {"GET", "/dev/@connections/a/b",
         "{\"message\":\"No method found matching route @connections/a/b for http method GET.\"}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gh_request r = make_request(f, cases[i].method, cases[i].path, NULL, 0);
        gh_response resp = call(f, &r, false);
        assert_answer(&resp, 403, "ForbiddenException", cases[i].body);
    }
}

/* ---- signatures ---- */

static const char *lookup_any(void *ctx, const char *access_key, const void **credential)
{
    (void)access_key;
    *credential = NULL;
    return ctx;
}

/* Signs r as the SDK would (service execute-api, the API's region, at the fake clock):
 * verifying with a placeholder signature yields the string to sign, whose signature then
 * replaces the placeholder. */

static void sign_request(fx *f, gh_request *r, const char *access_key, const char *secret)
{
    const char *date = "20260609T140640Z";
    gh_headers_add(f->arena, &r->headers, "X-Amz-Date", date);
    const char *cred =
        gh_arena_printf(f->arena, "%s/20260609/eu-west-1/execute-api/aws4_request", access_key);
    const char *zeros = "0000000000000000000000000000000000000000000000000000000000000000";
    gh_headers_add(f->arena, &r->headers, "Authorization",
                   gh_arena_printf(f->arena,
                                   "AWS4-HMAC-SHA256 Credential=%s, SignedHeaders=host;x-amz-date, "
                                   "Signature=%s",
                                   cred, zeros));
    gh_sigv4_request sr = {r->method, r->path, r->query, &r->headers, r->body, r->body_len};
    gh_sigv4_expect ex = {"eu-west-1", "execute-api", 300};
    gh_sigv4_result res;
    assert_int_equal(
        gh_sigv4_verify(f->arena, &sr, &ex, lookup_any, (void *)secret, gh_clock_now_ms(), &res),
        GH_SIGV4_MISMATCH);
    const char *sig = gh_sigv4_signature(f->arena, secret, "20260609", "eu-west-1", "execute-api",
                                         res.string_to_sign);
    gh_headers_set(f->arena, &r->headers, "Authorization",
                   gh_arena_printf(f->arena,
                                   "AWS4-HMAC-SHA256 Credential=%s, SignedHeaders=host;x-amz-date, "
                                   "Signature=%s",
                                   cred, sig));
}

static void test_signatures(void **state)
{
    fx *f = *state;
    const char *path = path_for(f, "/dev/@connections/", f->id);

    /* Unchecked: an unsigned call goes through. */
    gh_request r = make_request(f, "POST", path, "a", 1);
    gh_response resp = call(f, &r, false);
    assert_answer(&resp, 200, NULL, "");

    r = make_request(f, "POST", path, "a", 1);
    resp = call(f, &r, true);
    assert_answer(&resp, 403, "MissingAuthenticationTokenException",
                  "{\"message\":\"Missing Authentication Token\"}");

    r = make_request(f, "POST", path, "a", 1);
    sign_request(f, &r, "AKIDUNKNOWN", "whatever");
    resp = call(f, &r, true);
    assert_answer(&resp, 403, "AccessDeniedException",
                  "{\"Message\":\"The security token included in the request is invalid.\"}");

    r = make_request(f, "POST", path, "a", 1);
    sign_request(f, &r, "AKIDEXAMPLE", "wrong-secret");
    resp = call(f, &r, true);
    assert_int_equal(resp.status, 403);
    assert_string_equal(gh_headers_get(&resp.headers, "x-amzn-ErrorType"),
                        "InvalidSignatureException");
    const char *prefix = "{\"message\":\"" GH_SIGV4_MISMATCH_TEXT;
    assert_true(resp.body_len > strlen(prefix));
    assert_memory_equal(resp.body, prefix, strlen(prefix));

    r = make_request(f, "POST", path, "signed", 6);
    sign_request(f, &r, "AKIDEXAMPLE", "s3cr3t");
    resp = call(f, &r, true);
    assert_answer(&resp, 200, NULL, "");
    wait_sent(&f->ft, 2);
    assert_memory_equal(f->ft.last, "signed", 6);

    /* A signing date more than 5 minutes off. */
    r = make_request(f, "GET", path, NULL, 0);
    sign_request(f, &r, "AKIDEXAMPLE", "s3cr3t");
    gh_clock_advance(6 * 60 * 1000);
    resp = call(f, &r, true);
    assert_int_equal(resp.status, 403);
    assert_string_equal(gh_headers_get(&resp.headers, "x-amzn-ErrorType"),
                        "InvalidSignatureException");
    assert_non_null(strstr(resp.body, "Signature expired: 20260609T140640Z is now earlier than"));
}

/* ---- the identity policy (execute-api:ManageConnections) ---- */

#define ARN_PREFIX "arn:aws:execute-api:eu-west-1:111122223333:abcdef1234/"
#define DENIED_BY "{\"Message\":\"User: arn:aws:iam::111122223333:user/ops is not authorized to " \
                  "perform: execute-api:ManageConnections on resource: arn:aws:execute-api:"      \
                  "eu-west-1:********3333:abcdef1234/dev/"
#define IMPLICIT " because no identity-based policy allows the execute-api:ManageConnections " \
                 "action\"}"
#define EXPLICIT " with an explicit deny in an identity-based policy\"}"
#define ALLOW_ALL "{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}"

static void test_identity_policy(void **state)
{
    fx *f = *state;
    static const struct {
        const char *policy; /* NULL: the credential has none */
        const char *method;
        int status;         /* 200: allowed (and answered by the operation) */
        const char *body;   /* the refusal; NULL when allowed */
    } cases[] = {
        /* no policy: everything allowed, as for REST methods */
        {NULL, "GET", 200, NULL},
        {NULL, "POST", 200, NULL},
        /* allowed on this stage's POST only */
        {"{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"execute-api:ManageConnections\","
         "\"Resource\":\"" ARN_PREFIX "dev/POST/@connections/*\"}}",
         "POST", 200, NULL},
        {"{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"execute-api:ManageConnections\","
         "\"Resource\":\"" ARN_PREFIX "dev/POST/@connections/*\"}}",
         "GET", 403, DENIED_BY "GET/@connections/{connectionId}" IMPLICIT},
        {"{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"execute-api:ManageConnections\","
         "\"Resource\":\"" ARN_PREFIX "dev/POST/@connections/*\"}}",
         "DELETE", 403, DENIED_BY "DELETE/@connections/{connectionId}" IMPLICIT},
        /* the resource's last segment is the literal {connectionId}, as AWS shows it */
        {"{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"execute-api:ManageConnections\","
         "\"Resource\":\"" ARN_PREFIX "dev/GET/@connections/{connectionId}\"}}",
         "GET", 200, NULL},
        /* another stage's connections only: implicit deny */
        {"{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"execute-api:ManageConnections\","
         "\"Resource\":\"" ARN_PREFIX "prod/*\"}}",
         "POST", 403, DENIED_BY "POST/@connections/{connectionId}" IMPLICIT},
        /* Invoke is not ManageConnections */
        {"{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"execute-api:Invoke\","
         "\"Resource\":\"*\"}}",
         "GET", 403, DENIED_BY "GET/@connections/{connectionId}" IMPLICIT},
        /* wildcards: any region, account, stage and verb; action names ignore case */
        {"{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"execute-api:manageconnections\","
         "\"Resource\":\"arn:aws:execute-api:*:*:abcdef1234/*/*/@connections/*\"}}",
         "GET", 200, NULL},
        {"{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"execute-api:*\","
         "\"Resource\":\"arn:aws:execute-api:eu-west-1:111122223333:abcdef1234/?ev/*\"}]}",
         "POST", 200, NULL},
        /* an explicit Deny beats the Allow */
        {"{\"Statement\":[" ALLOW_ALL ",{\"Effect\":\"Deny\",\"Action\":"
         "\"execute-api:ManageConnections\",\"Resource\":\"" ARN_PREFIX "dev/*\"}]}",
         "GET", 403, DENIED_BY "GET/@connections/{connectionId}" EXPLICIT},
        {"{\"Statement\":[" ALLOW_ALL ",{\"Effect\":\"Deny\",\"Action\":"
         "\"execute-api:ManageConnections\",\"Resource\":\"" ARN_PREFIX "*/DELETE/*\"}]}",
         "POST", 200, NULL},
        /* Conditions are REST's (auth/condition.h): the caller's address is 127.0.0.1 */
        {"{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"execute-api:ManageConnections\","
         "\"Resource\":\"*\",\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"127.0.0.0/8\"}}}}",
         "GET", 200, NULL},
        {"{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"execute-api:ManageConnections\","
         "\"Resource\":\"*\",\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}}}",
         "GET", 403, DENIED_BY "GET/@connections/{connectionId}" IMPLICIT},
        {"{\"Statement\":[" ALLOW_ALL ",{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\","
         "\"Condition\":{\"StringEquals\":{\"aws:username\":\"ops\"}}}]}",
         "POST", 403, DENIED_BY "POST/@connections/{connectionId}" EXPLICIT},
    };
    const char *path = path_for(f, "/dev/@connections/", f->id);
    int posted = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_error_t jerr;
        creds[0].policy = cases[i].policy ? json_loads(cases[i].policy, 0, &jerr) : NULL;
        if (cases[i].policy && !creds[0].policy)
            fail_msg("case %zu: bad JSON: %s", i, jerr.text);
        gh_request r = make_request(f, cases[i].method, path, "p", 1);
        sign_request(f, &r, "AKIDEXAMPLE", "s3cr3t");
        gh_response resp = call(f, &r, true);
        json_decref(creds[0].policy);
        creds[0].policy = NULL;
        if (resp.status != cases[i].status)
            fail_msg("case %zu (%s): status %d, expected %d: %.*s", i, cases[i].method,
                     resp.status, cases[i].status, (int)resp.body_len, resp.body);
        if (cases[i].body) {
            assert_answer(&resp, 403, "AccessDeniedException", cases[i].body);
            assert_string_equal(gh_headers_get(&resp.headers, "Content-Type"),
                                "application/json");
        } else if (strcmp(cases[i].method, "POST") == 0) {
            wait_sent(&f->ft, ++posted);
        }
    }
    assert_int_equal(f->ft.nsent, posted);
}

/* A refusal comes before the operation: a denied caller gets no 410 for a closed id, and
 * a DELETE it may not make closes nothing. An unsigned-checks server evaluates nothing. */
static void test_identity_policy_order(void **state)
{
    fx *f = *state;
    creds[0].policy = json_loads("{\"Statement\":{\"Effect\":\"Deny\",\"Action\":\"*\","
                                 "\"Resource\":\"*\"}}",
                                 0, NULL);
    assert_non_null(creds[0].policy);
    gh_request r = make_request(f, "GET", "/dev/@connections/Zk2oYc1vLPECIqA%3D", NULL, 0);
    sign_request(f, &r, "AKIDEXAMPLE", "s3cr3t");
    gh_response resp = call(f, &r, true);
    assert_answer(&resp, 403, "AccessDeniedException",
                  DENIED_BY "GET/@connections/{connectionId}" EXPLICIT);

    r = make_request(f, "DELETE", path_for(f, "/dev/@connections/", f->id), NULL, 0);
    sign_request(f, &r, "AKIDEXAMPLE", "s3cr3t");
    resp = call(f, &r, true);
    assert_int_equal(resp.status, 403);
    assert_int_equal(f->ft.nclosed, 0);

    /* Another verb is still no route (no operation to authorize). */
    r = make_request(f, "PUT", "/dev/@connections/abc", NULL, 0);
    sign_request(f, &r, "AKIDEXAMPLE", "s3cr3t");
    resp = call(f, &r, true);
    assert_answer(&resp, 403, "ForbiddenException",
                  "{\"message\":\"No method found matching route @connections/abc for http "
                  "method PUT.\"}");

    /* Without --check-signatures nobody is identified, so no policy applies. */
    r = make_request(f, "GET", path_for(f, "/dev/@connections/", f->id), NULL, 0);
    resp = call(f, &r, false);
    assert_int_equal(resp.status, 200);
    json_decref(creds[0].policy);
    creds[0].policy = NULL;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_claims_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_stage_forbidden, setup, teardown),
        cmocka_unit_test_setup_teardown(test_post_path_forms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_post_size_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_post_full_queue, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delete_then_gone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_id_gone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_route, setup, teardown),
        cmocka_unit_test_setup_teardown(test_signatures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_identity_policy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_identity_policy_order, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
