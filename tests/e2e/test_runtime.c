/* End to end: serves specs/tests/echo.yaml (no stages declared: one stage, "default")
 * and checks the Lua runtime as a client and the log see it: AWS's proxy response
 * validation (reference §3.3), a function that raises, loops, outlives its integration
 * timeout or eats memory (one 5xx each, the traceback in the log, the server keeps
 * serving), routing precedence (§1.2), the gatehouse module and the sandbox. The last
 * group serves two definitions at once and picks them by Host. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "e2e.h"

static e2e_server *srv;

static const char INTERNAL_ERROR_BODY[] = "{\"message\": \"Internal server error\"}";

static int echo_setup(void **state)
{
    (void)state;
    const char *const args[] = {"specs/tests/echo.yaml", NULL};
    srv = e2e_start(args);
    return srv ? 0 : -1;
}

static int both_setup(void **state)
{
    (void)state;
    const char *const args[] = {"examples/petstore/api.yaml", "specs/tests/echo.yaml", NULL};
    srv = e2e_start(args);
    return srv ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    e2e_kill(srv);
    srv = NULL;
    return 0;
}

static void req(const char *method, const char *path, const char *const headers[],
                e2e_response *r)
{
    assert_non_null(srv);
    assert_int_equal(e2e_request(srv, method, path, headers, NULL, 0, r), 0);
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* After a failure the server must still answer: the root mock is the cheapest probe. */
static void assert_still_serving(void)
{
    e2e_response r;
    req("GET", "/default/", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"root\": true}");
    e2e_response_free(&r);
    assert_false(e2e_exited(srv));
}

static void assert_internal_error(const e2e_response *r, long status)
{
    assert_int_equal(r->status, status);
    assert_string_equal(r->body, INTERNAL_ERROR_BODY);
    assert_string_equal(e2e_header_get(r, "Content-Type"), "application/json");
    assert_string_equal(e2e_header_get(r, "x-amzn-ErrorType"), "InternalServerErrorException");
    assert_non_null(e2e_header_get(r, "x-amzn-RequestId"));
}

/* Reference §3.3 [recorded]: what the client gets for each Lambda proxy response shape. */
static void test_proxy_response_shapes(void **state)
{
    (void)state;
    static const struct {
        const char *kase;
        long status;
        const char *body;    /* NULL: the fixed 502 body */
        const char *header;  /* a header to check, or NULL */
        const char *value;
    } cases[] = {
        {"min", 200, "", "Content-Type", "application/json"},
        {"strstatus", 201, "created", NULL, NULL},
        {"badstatus", 502, NULL, NULL, NULL},
        {"nostatus", 200, "no status", "a", "b"},
        {"extra", 502, NULL, NULL, NULL},
        {"string", 502, NULL, NULL, NULL},
        {"none", 502, NULL, NULL, NULL},
        {"mvh", 200, "", "X-Multi", "1, 2"},
        {"merge", 200, "", "X-Dup", "m1, m2, solo"},
        {"mvbad", 502, NULL, NULL, NULL},
        {"boolheader", 200, "", "X-Flag", "true"},
        {"teapot", 418, "short and stout", "Content-Type", "text/plain"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, "/default/shape?case=%s", cases[i].kase);
        e2e_response r;
        req("GET", path, NULL, &r);
        if (r.status != cases[i].status)
            fprintf(stderr, "case %s: got %ld %s\n", cases[i].kase, r.status, r.body);
        if (cases[i].body) {
            assert_int_equal(r.status, cases[i].status);
            assert_string_equal(r.body, cases[i].body);
        } else {
            assert_internal_error(&r, cases[i].status);
        }
        if (cases[i].header) {
            /* Several values may come as one comma-joined line or as one line each
             * (gatehouse keeps Set-Cookie lines apart); HTTP reads both the same. */
            char joined[256] = "";
            for (size_t k = 0; k < r.nheaders; k++)
                if (!strcasecmp(r.headers[k].name, cases[i].header))
                    snprintf(joined + strlen(joined), sizeof joined - strlen(joined), "%s%s",
                             joined[0] ? ", " : "", r.headers[k].value);
            assert_string_equal(joined, cases[i].value);
        }
        e2e_response_free(&r);
    }
}

/* A raised error costs the request AWS's fixed 502; the traceback, with the script's
 * file:line, goes to stderr and never into the body. */
static void test_function_error(void **state)
{
    (void)state;
    e2e_response r;
    req("GET", "/default/boom", NULL, &r);
    assert_internal_error(&r, 502);
    assert_null(strstr(r.body, "kaboom"));
    e2e_response_free(&r);
    assert_true(e2e_wait_stderr(srv, "kaboom 42", 5000));
    assert_true(e2e_wait_stderr(srv, "boom.lua:3", 5000));
    char *out = e2e_stdout(srv);
    assert_null(strstr(out, "kaboom"));
    free(out);
    assert_still_serving();
}

/* A function past its own timeout (1 s here, within the 29 s integration timeout) fails
 * like any Lambda error: 502 with the fixed body. */
static void test_function_timeout(void **state)
{
    (void)state;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    e2e_response r;
    req("GET", "/default/spin", NULL, &r);
    double took = seconds_since(&t0);
    assert_internal_error(&r, 502);
    e2e_response_free(&r);
    assert_true(took >= 0.9);
    assert_true(took < 6.0);
    assert_true(e2e_wait_stderr(srv, "spin.lua", 5000));
    assert_still_serving();
}

/* The integration's timeoutInMillis (500) is shorter than the function's (10 s): API
 * Gateway gives up first with INTEGRATION_TIMEOUT, 504 "Endpoint request timed out". */
static void test_integration_timeout(void **state)
{
    (void)state;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    e2e_response r;
    req("GET", "/default/slow", NULL, &r);
    double took = seconds_since(&t0);
    assert_int_equal(r.status, 504);
    json_t *j = e2e_body_json(&r);
    assert_non_null(j);
    assert_string_equal(e2e_json_str(j, "message"), "Endpoint request timed out");
    json_decref(j);
    assert_non_null(e2e_header_get(&r, "x-amzn-RequestId"));
    e2e_response_free(&r);
    assert_true(took >= 0.4);
    assert_true(took < 5.0);
    assert_still_serving();
}

static void test_memory_blowup(void **state)
{
    (void)state;
    e2e_response r;
    req("GET", "/default/hog", NULL, &r);
    assert_internal_error(&r, 502);
    e2e_response_free(&r);
    assert_true(e2e_wait_stderr(srv, "hog.lua", 5000));
    assert_still_serving();
    /* The state that blew up must be usable again (or rebuilt). */
    for (int i = 0; i < 8; i++) {
        req("GET", "/default/env", NULL, &r);
        assert_int_equal(r.status, 200);
        e2e_response_free(&r);
    }
}

/* An integration naming a function no handler serves: what AWS gives when the Lambda
 * does not exist, 500 with the fixed body. */
static void test_missing_function(void **state)
{
    (void)state;
    e2e_response r;
    req("GET", "/default/ghost", NULL, &r);
    assert_internal_error(&r, 500);
    e2e_response_free(&r);
    assert_still_serving();
}

/* Literal beats {param} beats {proxy+}; {param} is one segment; the root resource
 * answers with and without the trailing slash (reference §1.2). */
static void test_routing_precedence(void **state)
{
    (void)state;
    static const struct {
        const char *path;
        long status;
        const char *body;      /* exact body, or NULL to check the event */
        const char *resource;  /* event.resource */
        const char *param;     /* event.pathParameters.id or .proxy */
        const char *value;
    } cases[] = {
        {"/default", 200, "{\"root\": true}", NULL, NULL, NULL},
        {"/default/", 200, "{\"root\": true}", NULL, NULL, NULL},
        {"/default/items/special", 200, "{\"special\": true}", NULL, NULL, NULL},
        {"/default/items/42", 200, NULL, "/items/{id}", "id", "42"},
        {"/default/items/a%20b", 200, NULL, "/items/{id}", "id", "a%20b"},
        {"/default/items/special/", 200, "{\"special\": true}", NULL, NULL, NULL},
        {"/default/items/42/more", 403, "{\"message\":\"Missing Authentication Token\"}", NULL, NULL, NULL},
        {"/default/items", 403, "{\"message\":\"Missing Authentication Token\"}", NULL, NULL, NULL},
        {"/default/echo/1/2/3", 200, NULL, "/echo/{proxy+}", "proxy", "1/2/3"},
        {"/default/echo", 403, "{\"message\":\"Missing Authentication Token\"}", NULL, NULL, NULL},
        {"/default/Items/42", 403, "{\"message\":\"Missing Authentication Token\"}", NULL, NULL, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        e2e_response r;
        req("GET", cases[i].path, NULL, &r);
        if (r.status != cases[i].status)
            fprintf(stderr, "case %s: got %ld %s\n", cases[i].path, r.status, r.body);
        assert_int_equal(r.status, cases[i].status);
        if (cases[i].body) {
            assert_string_equal(r.body, cases[i].body);
        } else {
            json_t *j = e2e_body_json(&r);
            assert_non_null(j);
            assert_string_equal(e2e_json_str(j, "event.resource"), cases[i].resource);
            char key[64];
            snprintf(key, sizeof key, "event.pathParameters.%s", cases[i].param);
            assert_string_equal(e2e_json_str(j, key), cases[i].value);
            json_decref(j);
        }
        e2e_response_free(&r);
    }
}

/* Every verb reaches x-amazon-apigateway-any-method, and the event names the real one. */
static void test_any_method(void **state)
{
    (void)state;
    static const char *const verbs[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
        e2e_response r;
        req(verbs[i], "/default/echo/any", NULL, &r);
        assert_int_equal(r.status, 200);
        json_t *j = e2e_body_json(&r);
        assert_non_null(j);
        assert_string_equal(e2e_json_str(j, "event.httpMethod"), verbs[i]);
        assert_string_equal(e2e_json_str(j, "event.requestContext.httpMethod"), verbs[i]);
        json_decref(j);
        e2e_response_free(&r);
    }
}

/* Bodies: one of exactly 10 MB reaches the function, one byte more gets 413 "Request Too
 * Long" before any integration runs; a chunked body arrives whole. */
static void test_request_bodies(void **state)
{
    (void)state;
    size_t limit = 10u * 1024 * 1024;
    char *big = malloc(limit + 1);
    assert_non_null(big);
    memset(big, 'a', limit + 1);
    const char *const text[] = {"Content-Type: text/plain", NULL};
    e2e_response r;
    assert_int_equal(e2e_request(srv, "POST", "/default/echo/big", text, big, limit + 1, &r), 0);
    assert_int_equal(r.status, 413);
    assert_string_equal(r.body, "{\"message\":\"Request Too Long\"}");
    e2e_response_free(&r);
    assert_int_equal(e2e_request(srv, "POST", "/default/echo/big", text, big, limit, &r), 0);
    assert_int_equal(r.status, 200);
    json_t *j = e2e_body_json(&r);
    assert_non_null(j);
    assert_int_equal(strlen(e2e_json_str(j, "event.body")), limit);
    json_decref(j);
    e2e_response_free(&r);
    free(big);

    const char *const chunked[] = {"Content-Type: text/plain", "Transfer-Encoding: chunked",
                                   NULL};
    assert_int_equal(e2e_request(srv, "POST", "/default/echo/c", chunked, "in pieces", 9, &r), 0);
    assert_int_equal(r.status, 200);
    j = e2e_body_json(&r);
    assert_string_equal(e2e_json_str(j, "event.body"), "in pieces");
    json_decref(j);
    e2e_response_free(&r);
    assert_still_serving();
}

static void test_function_environment(void **state)
{
    (void)state;
    e2e_response r;
    req("GET", "/default/env", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "hello from env");
    e2e_response_free(&r);
}

static void test_gatehouse_module_and_sandbox(void **state)
{
    (void)state;
    e2e_response r;
    req("GET", "/default/util", NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *j = e2e_body_json(&r);
    assert_non_null(j);
    assert_string_equal(e2e_json_str(j, "base64_encode"), "aGVsbG8sIHdvcmxk");
    assert_string_equal(e2e_json_str(j, "base64_decode"), "hi");
    assert_string_equal(e2e_json_str(j, "url_decode"), "a b&c");
    assert_string_equal(e2e_json_str(j, "url_roundtrip"), "a b&c/d?e=f");
    const char *uuid = e2e_json_str(j, "uuid");
    assert_non_null(uuid);
    assert_int_equal(strlen(uuid), 36);
    assert_int_equal(uuid[14], '4'); /* a version 4 UUID */
    assert_true(json_is_true(e2e_json_at(j, "now_is_number")));
    assert_int_equal(json_integer_value(e2e_json_at(j, "json_a2")), 2);
    assert_true(json_is_true(e2e_json_at(j, "json_b_is_null")));
    assert_string_equal(e2e_json_str(j, "json_c"), "x");
    assert_string_equal(e2e_json_str(j, "io"), "nil");
    assert_string_equal(e2e_json_str(j, "os_execute"), "nil");
    assert_true(json_is_false(e2e_json_at(j, "binary_chunk_loaded")));
    json_decref(j);
    e2e_response_free(&r);
}

static void test_stop(void **state)
{
    (void)state;
    assert_non_null(srv);
    assert_int_equal(e2e_stop(srv), 0);
    char *err = e2e_stderr(srv);
    if (e2e_has_sanitizer_report(err))
        fprintf(stderr, "%s\n", err);
    assert_false(e2e_has_sanitizer_report(err));
    free(err);
}

/* Two definitions in one server: the first also answers on plain 127.0.0.1, each is
 * reachable by {apiId}.execute-api.localhost. */
static void test_host_routing(void **state)
{
    (void)state;
    char host_pet[128], host_echo[128];
    snprintf(host_pet, sizeof host_pet, "Host: petstore01.execute-api.localhost:%d", e2e_port(srv));
    snprintf(host_echo, sizeof host_echo, "Host: echotest01.execute-api.localhost:%d", e2e_port(srv));
    e2e_response r;

    req("GET", "/dev/health", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"status\": \"ok\", \"service\": \"petstore\"}");
    e2e_response_free(&r);

    const char *const hp[] = {host_pet, NULL};
    req("GET", "/dev/health", hp, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"status\": \"ok\", \"service\": \"petstore\"}");
    e2e_response_free(&r);

    const char *const he[] = {host_echo, NULL};
    req("GET", "/default/", he, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"root\": true}");
    e2e_response_free(&r);

    /* echo's stage is not served on the first definition's host, and vice versa. */
    req("GET", "/default/", NULL, &r);
    assert_int_equal(r.status, 403);
    e2e_response_free(&r);
    req("GET", "/dev/health", he, &r);
    assert_int_equal(r.status, 403);
    assert_string_equal(r.body, "{\"message\":\"Missing Authentication Token\"}");
    e2e_response_free(&r);

    req("GET", "/default/echo/x", he, &r);
    assert_int_equal(r.status, 200);
    json_t *j = e2e_body_json(&r);
    assert_non_null(j);
    assert_string_equal(e2e_json_str(j, "event.requestContext.apiId"), "echotest01");
    assert_string_equal(e2e_json_str(j, "event.requestContext.stage"), "default");
    assert_true(json_is_null(e2e_json_at(j, "event.stageVariables")));
    json_decref(j);
    e2e_response_free(&r);
}

int main(void)
{
    const struct CMUnitTest echo[] = {
        cmocka_unit_test(test_proxy_response_shapes),
        cmocka_unit_test(test_function_error),
        cmocka_unit_test(test_function_timeout),
        cmocka_unit_test(test_integration_timeout),
        cmocka_unit_test(test_memory_blowup),
        cmocka_unit_test(test_missing_function),
        cmocka_unit_test(test_routing_precedence),
        cmocka_unit_test(test_any_method),
        cmocka_unit_test(test_function_environment),
        cmocka_unit_test(test_request_bodies),
        cmocka_unit_test(test_gatehouse_module_and_sandbox),
        cmocka_unit_test(test_stop), /* last: stops the server */
    };
    const struct CMUnitTest both[] = {
        cmocka_unit_test(test_host_routing),
        cmocka_unit_test(test_stop),
    };
    int failed = cmocka_run_group_tests_name("echo", echo, echo_setup, group_teardown);
    failed += cmocka_run_group_tests_name("two definitions", both, both_setup, group_teardown);
    return failed;
}
