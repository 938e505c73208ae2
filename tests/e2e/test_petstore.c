/* End to end: serves examples/petstore/api.yaml with the real binary and checks what a
 * client sees, against AWS behaviour (reference/aws-api-gateway.md §1-3): the Lambda
 * proxy routes, the CORS and static mocks, the Lua mock, gateway responses, both stages
 * at once, the proxy event a function receives, and a clean exit on SIGTERM.
 * Runtime failure modes (errors, timeouts, memory) are in test_runtime.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.h"
#include "e2e_suite.h"

static const char MISSING_TOKEN_BODY[] = "{\"message\":\"Missing Authentication Token\"}";

static json_t *json_of(const e2e_response *r)
{
    json_t *j = e2e_body_json(r);
    assert_non_null(j);
    return j;
}

/* x-amzn-RequestId is on every REST response (reference §1.5): a UUID. */
static void assert_request_id(const e2e_response *r)
{
    const char *id = e2e_header_get(r, "x-amzn-RequestId");
    assert_non_null(id);
    assert_int_equal(strlen(id), 36);
    assert_int_equal(id[8], '-');
    assert_int_equal(id[13], '-');
    assert_int_equal(id[18], '-');
    assert_int_equal(id[23], '-');
}

static void assert_pet(json_t *pet, json_int_t id, const char *type, json_int_t price)
{
    assert_true(json_is_object(pet));
    assert_int_equal(json_integer_value(json_object_get(pet, "id")), id);
    assert_string_equal(json_string_value(json_object_get(pet, "type")), type);
    assert_int_equal(json_integer_value(json_object_get(pet, "price")), price);
}

static void test_list_pets(void **state)
{
    (void)state;
    e2e_response r;
    req("GET", "/dev/pets", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(e2e_header_get(&r, "Content-Type"), "application/json");
    assert_string_equal(e2e_header_get(&r, "X-Pets-Table"), "pets-dev");
    assert_request_id(&r);
    /* Proxy responses are not gateway errors: no x-amzn-ErrorType. */
    assert_null(e2e_header_get(&r, "x-amzn-ErrorType"));
    json_t *j = json_of(&r);
    assert_true(json_is_array(j));
    assert_true(json_array_size(j) >= 2); /* pet 3 may be deleted on this Lua state */
    assert_pet(json_array_get(j, 0), 1, "dog", 250);
    assert_pet(json_array_get(j, 1), 2, "cat", 125);
    json_decref(j);
    e2e_response_free(&r);
}

static void test_list_pets_filtered(void **state)
{
    (void)state;
    e2e_response r;
    req("GET", "/dev/pets?type=cat", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *j = json_of(&r);
    assert_int_equal(json_array_size(j), 1);
    assert_pet(json_array_get(j, 0), 2, "cat", 125);
    json_decref(j);
    e2e_response_free(&r);

    req("GET", "/dev/pets?type=unicorn", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "[]");
    e2e_response_free(&r);
}

static void test_create_pet(void **state)
{
    (void)state;
    const char *const h[] = {"Content-Type: application/json", NULL};
    e2e_response r;
    req("POST", "/dev/pets", h, "{\"type\": \"bird\", \"price\": 30}", &r);
    assert_int_equal(r.status, 201);
    assert_string_equal(e2e_header_get(&r, "Content-Type"), "application/json");
    json_t *j = json_of(&r);
    assert_string_equal(e2e_json_str(j, "type"), "bird");
    assert_int_equal(json_integer_value(json_object_get(j, "price")), 30);
    assert_true(json_integer_value(json_object_get(j, "id")) >= 4);
    json_decref(j);
    e2e_response_free(&r);
}

static void test_create_pet_bad_body(void **state)
{
    (void)state;
    const char *const h[] = {"Content-Type: application/json", NULL};
    e2e_response r;
    req("POST", "/dev/pets", h, "not json", &r);
    assert_int_equal(r.status, 400);
    json_t *j = json_of(&r);
    assert_string_equal(e2e_json_str(j, "message"),
                        "expected {\"type\": string, \"price\": integer}");
    json_decref(j);
    e2e_response_free(&r);
}

static void test_get_pet(void **state)
{
    (void)state;
    e2e_response r;
    req("GET", "/dev/pets/1", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *j = json_of(&r);
    assert_pet(j, 1, "dog", 250);
    json_decref(j);
    e2e_response_free(&r);

    req("GET", "/dev/pets/999", NULL, NULL, &r);
    assert_int_equal(r.status, 404);
    j = json_of(&r);
    assert_string_equal(e2e_json_str(j, "message"), "pet 999 not found");
    json_decref(j);
    e2e_response_free(&r);
}

static void test_delete_pet(void **state)
{
    (void)state;
    e2e_response r;
    req("DELETE", "/dev/pets/3", NULL, NULL, &r);
    assert_int_equal(r.status, 204);
    assert_int_equal(r.body_len, 0);
    assert_string_equal(e2e_header_get(&r, "Access-Control-Allow-Origin"), "*");
    e2e_response_free(&r);

    req("DELETE", "/dev/pets/abc", NULL, NULL, &r);
    assert_int_equal(r.status, 400);
    e2e_response_free(&r);
}

/* The console's "Enable CORS" mock: request template {"statusCode": 200}, the default
 * integration response maps quoted literals onto method.response.header.* ; no response
 * template, so the body is empty. */
static void test_cors_preflight(void **state)
{
    (void)state;
    static const struct {
        const char *path, *methods;
    } cases[] = {
        {"/dev/pets", "GET,OPTIONS,POST"},
        {"/dev/pets/7", "DELETE,GET,OPTIONS"},
        {"/prod/pets", "GET,OPTIONS,POST"},
    };
    const char *const h[] = {"Origin: https://app.example.org",
                             "Access-Control-Request-Method: POST",
                             "Access-Control-Request-Headers: content-type", NULL};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        e2e_response r;
        req("OPTIONS", cases[i].path, h, NULL, &r);
        assert_int_equal(r.status, 200);
        assert_string_equal(e2e_header_get(&r, "Access-Control-Allow-Origin"), "*");
        assert_string_equal(e2e_header_get(&r, "Access-Control-Allow-Methods"), cases[i].methods);
        assert_string_equal(e2e_header_get(&r, "Access-Control-Allow-Headers"),
                            "Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token");
        assert_int_equal(r.body_len, 0);
        assert_request_id(&r);
        e2e_response_free(&r);
    }
}

static void test_health_mock(void **state)
{
    (void)state;
    e2e_response r;
    req("GET", "/dev/health", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"status\": \"ok\", \"service\": \"petstore\"}");
    assert_string_equal(e2e_header_get(&r, "Content-Type"), "application/json");
    assert_request_id(&r);
    assert_null(e2e_header_get(&r, "x-amzn-ErrorType"));
    e2e_response_free(&r);
}

static void test_lua_mock(void **state)
{
    (void)state;
    static const char *const stages[] = {"dev", "prod"};
    for (size_t i = 0; i < 2; i++) {
        char path[64];
        snprintf(path, sizeof path, "/%s/version", stages[i]);
        e2e_response r;
        req("GET", path, NULL, NULL, &r);
        assert_int_equal(r.status, 200);
        json_t *j = json_of(&r);
        assert_string_equal(e2e_json_str(j, "api"), "petstore");
        assert_string_equal(e2e_json_str(j, "version"), "1.0.0");
        assert_string_equal(e2e_json_str(j, "stage"), stages[i]);
        json_decref(j);
        e2e_response_free(&r);
    }
}

/* AWS answers 403 MISSING_AUTHENTICATION_TOKEN for an unknown stage, and for a path
 * that no resource supporting the method matches (reference §1.1, §2). Resolution is on
 * the resource+method pair (measured on AWS, floci-io/floci#3399): PUT /pets, where
 * /pets has no PUT, falls through to /{proxy+} ANY; only the root, which the greedy
 * variable cannot match, has no fallback here. The definition customises this
 * response with two headers and the default template. */
static void test_missing_authentication_token(void **state)
{
    (void)state;
    static const struct {
        const char *method, *path;
    } cases[] = {
        {"GET", "/"},               /* no stage at all */
        {"GET", "/nope/pets"},      /* unknown stage */
        {"GET", "/Dev/pets"},       /* stage names are case-sensitive */
        {"GET", "/dev"},            /* the root resource declares no method */
        {"GET", "/dev/"},
        {"POST", "/dev"},           /* a greedy variable needs at least one segment */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        e2e_response r;
        req(cases[i].method, cases[i].path, NULL, NULL, &r);
        if (r.status != 403)
            fprintf(stderr, "case %s %s -> %ld\n", cases[i].method, cases[i].path, r.status);
        assert_int_equal(r.status, 403);
        assert_string_equal(r.body, MISSING_TOKEN_BODY);
        assert_string_equal(e2e_header_get(&r, "Content-Type"), "application/json");
        assert_string_equal(e2e_header_get(&r, "x-amzn-ErrorType"),
                            "MissingAuthenticationTokenException");
        assert_request_id(&r);
        assert_string_equal(e2e_header_get(&r, "X-Petstore-Hint"),
                            "routes live under /dev/ and /prod/");
        assert_string_equal(e2e_header_get(&r, "Access-Control-Allow-Origin"), "*");
        e2e_response_free(&r);
    }
}

/* Every declared stage is served at once, each with its own variables. */
static void test_stages_side_by_side(void **state)
{
    (void)state;
    static const struct {
        const char *stage, *table, *alias;
    } cases[] = {
        {"dev", "pets-dev", "dev"},
        {"prod", "pets-prod", "live"},
    };
    for (size_t i = 0; i < 2; i++) {
        char path[64];
        e2e_response r;
        snprintf(path, sizeof path, "/%s/pets", cases[i].stage);
        req("GET", path, NULL, NULL, &r);
        assert_int_equal(r.status, 200);
        assert_string_equal(e2e_header_get(&r, "X-Pets-Table"), cases[i].table);
        e2e_response_free(&r);

        snprintf(path, sizeof path, "/%s/whoami", cases[i].stage);
        req("GET", path, NULL, NULL, &r);
        assert_int_equal(r.status, 200);
        json_t *j = json_of(&r);
        assert_string_equal(e2e_json_str(j, "event.requestContext.stage"), cases[i].stage);
        assert_string_equal(e2e_json_str(j, "event.stageVariables.petsTable"), cases[i].table);
        assert_string_equal(e2e_json_str(j, "event.stageVariables.alias"), cases[i].alias);
        assert_int_equal(json_object_size(e2e_json_at(j, "event.stageVariables")), 2);
        json_decref(j);
        e2e_response_free(&r);
    }
}

static void assert_str_array(json_t *a, const char *const want[], size_t n)
{
    assert_true(json_is_array(a));
    assert_int_equal(json_array_size(a), n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(json_string_value(json_array_get(a, i)), want[i]);
}

/* The payload 1.0 event, checked field by field against reference §1.3 and §3.1:
 * path and pathParameters stay percent-encoded, query values are decoded (`+` is a
 * space), the last repeated key wins in the single-value map. */
static void test_proxy_event_fields(void **state)
{
    (void)state;
    const char *const h[] = {"User-Agent: gatehouse-e2e/1", "X-Multi: a", "X-Multi: b", NULL};
    e2e_response r;
    req("GET", "/dev/echo/a%2Fb/c%20d?x=1&x=2&sp=a+b&enc=%2B%26&empty=", h, NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *j = json_of(&r);
    json_t *ev = json_object_get(j, "event");
    assert_non_null(ev);

    assert_string_equal(e2e_json_str(ev, "resource"), "/{proxy+}");
    assert_string_equal(e2e_json_str(ev, "path"), "/echo/a%2Fb/c%20d");
    assert_string_equal(e2e_json_str(ev, "httpMethod"), "GET");
    assert_string_equal(e2e_json_str(ev, "pathParameters.proxy"), "echo/a%2Fb/c%20d");
    assert_int_equal(json_object_size(e2e_json_at(ev, "pathParameters")), 1);

    assert_string_equal(e2e_json_str(ev, "queryStringParameters.x"), "2");
    assert_string_equal(e2e_json_str(ev, "queryStringParameters.sp"), "a b");
    assert_string_equal(e2e_json_str(ev, "queryStringParameters.enc"), "+&");
    assert_string_equal(e2e_json_str(ev, "queryStringParameters.empty"), "");
    static const char *const xs[] = {"1", "2"};
    assert_str_array(e2e_json_at(ev, "multiValueQueryStringParameters.x"), xs, 2);
    static const char *const sps[] = {"a b"};
    assert_str_array(e2e_json_at(ev, "multiValueQueryStringParameters.sp"), sps, 1);

    /* Header names keep the case they were sent in (REST). */
    assert_string_equal(e2e_json_str(ev, "headers.User-Agent"), "gatehouse-e2e/1");
    assert_string_equal(e2e_json_str(ev, "headers.X-Multi"), "b");
    static const char *const multi[] = {"a", "b"};
    assert_str_array(e2e_json_at(ev, "multiValueHeaders.X-Multi"), multi, 2);

    assert_true(json_is_null(e2e_json_at(ev, "body")));
    assert_true(json_is_false(e2e_json_at(ev, "isBase64Encoded")));
    assert_string_equal(e2e_json_str(ev, "stageVariables.alias"), "dev");

    json_t *rc = json_object_get(ev, "requestContext");
    assert_true(json_is_object(rc));
    assert_string_equal(e2e_json_str(rc, "resourcePath"), "/{proxy+}");
    assert_string_equal(e2e_json_str(rc, "httpMethod"), "GET");
    assert_string_equal(e2e_json_str(rc, "stage"), "dev");
    assert_string_equal(e2e_json_str(rc, "path"), "/dev/echo/a%2Fb/c%20d");
    assert_string_equal(e2e_json_str(rc, "protocol"), "HTTP/1.1");
    assert_string_equal(e2e_json_str(rc, "apiId"), "petstore01");
    assert_string_equal(e2e_json_str(rc, "accountId"), "123456789012");
    assert_string_equal(e2e_json_str(rc, "identity.sourceIp"), "127.0.0.1");
    assert_string_equal(e2e_json_str(rc, "identity.userAgent"), "gatehouse-e2e/1");
    assert_true(json_is_null(e2e_json_at(rc, "identity.user")));
    assert_true(json_is_null(e2e_json_at(rc, "identity.caller")));
    assert_non_null(e2e_json_str(rc, "domainName"));
    assert_non_null(e2e_json_str(rc, "extendedRequestId"));
    assert_non_null(e2e_json_str(rc, "resourceId"));
    assert_non_null(e2e_json_str(rc, "deploymentId"));
    assert_true(json_is_integer(e2e_json_at(rc, "requestTimeEpoch")));
    /* requestTime is dd/MMM/yyyy:HH:mm:ss +0000 */
    const char *t = e2e_json_str(rc, "requestTime");
    assert_non_null(t);
    assert_int_equal(strlen(t), 26);
    assert_int_equal(t[2], '/');
    assert_int_equal(t[6], '/');
    assert_int_equal(t[11], ':');
    assert_string_equal(t + 20, " +0000");
    /* The response's x-amzn-RequestId is $context.requestId (reference §1.5). */
    assert_string_equal(e2e_json_str(rc, "requestId"), e2e_header_get(&r, "x-amzn-RequestId"));

    assert_string_equal(e2e_json_str(j, "context.functionName"), "petstore-echo");
    assert_non_null(e2e_json_str(j, "context.awsRequestId"));
    assert_true(strlen(e2e_json_str(j, "context.awsRequestId")) > 0);
    json_t *left = e2e_json_at(j, "context.remainingTimeInMillis");
    assert_true(json_is_number(left));
    assert_true(json_number_value(left) > 0 && json_number_value(left) <= 3000);
    json_decref(j);
    e2e_response_free(&r);
}

/* Absent maps are null, never {} (reference §3.1); a body arrives as the string sent. */
static void test_proxy_event_post_body(void **state)
{
    (void)state;
    const char *const h[] = {"Content-Type: application/json", NULL};
    e2e_response r;
    req("POST", "/dev/things", h, "{\"k\": \"v\"}", &r);
    assert_int_equal(r.status, 200);
    json_t *j = json_of(&r);
    json_t *ev = json_object_get(j, "event");
    assert_string_equal(e2e_json_str(ev, "httpMethod"), "POST");
    assert_string_equal(e2e_json_str(ev, "body"), "{\"k\": \"v\"}");
    assert_true(json_is_false(e2e_json_at(ev, "isBase64Encoded")));
    assert_true(json_is_null(e2e_json_at(ev, "queryStringParameters")));
    assert_true(json_is_null(e2e_json_at(ev, "multiValueQueryStringParameters")));
    assert_string_equal(e2e_json_str(ev, "pathParameters.proxy"), "things");
    assert_string_equal(e2e_json_str(ev, "headers.Content-Type"), "application/json");
    json_decref(j);
    e2e_response_free(&r);
}

/* A trailing slash is ignored for matching but kept in `path`; the greedy value has no
 * trailing slash (reference §1.2, §3.1). A doubled slash inside the path is kept. */
static void test_proxy_event_slashes(void **state)
{
    (void)state;
    static const struct {
        const char *url, *path, *proxy;
    } cases[] = {
        {"/dev/echo/x/", "/echo/x/", "echo/x"},
        {"/dev/a//b", "/a//b", "a//b"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        e2e_response r;
        req("GET", cases[i].url, NULL, NULL, &r);
        assert_int_equal(r.status, 200);
        json_t *j = json_of(&r);
        assert_string_equal(e2e_json_str(j, "event.path"), cases[i].path);
        assert_string_equal(e2e_json_str(j, "event.pathParameters.proxy"), cases[i].proxy);
        json_decref(j);
        e2e_response_free(&r);
    }
}

/* A verb the most specific resource does not declare falls through to a less specific
 * resource that supports it, here /{proxy+} ANY (measured on AWS: floci-io/floci#3399,
 * ministackorg/ministack#1423). */
static void test_method_falls_through_to_proxy(void **state)
{
    (void)state;
    static const struct {
        const char *method, *url, *proxy;
    } cases[] = {
        {"PUT", "/dev/pets", "pets"},
        {"PATCH", "/dev/pets/1", "pets/1"},
        {"POST", "/dev/health", "health"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        e2e_response r;
        req(cases[i].method, cases[i].url, NULL, NULL, &r);
        assert_int_equal(r.status, 200);
        json_t *j = json_of(&r);
        assert_string_equal(e2e_json_str(j, "event.resource"), "/{proxy+}");
        assert_string_equal(e2e_json_str(j, "event.httpMethod"), cases[i].method);
        assert_string_equal(e2e_json_str(j, "event.pathParameters.proxy"), cases[i].proxy);
        json_decref(j);
        e2e_response_free(&r);
    }
}

/* One access-log line per request on stdout: method, path, status, latency, request id. */
static void test_access_log(void **state)
{
    (void)state;
    e2e_response r;
    req("GET", "/dev/pets/2", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    const char *id = e2e_header_get(&r, "x-amzn-RequestId");
    assert_non_null(id);
    assert_true(e2e_wait_stdout(srv, id, 5000));
    char *out = e2e_stdout(srv);
    const char *at = strstr(out, id);
    const char *bol = at;
    while (bol > out && bol[-1] != '\n')
        bol--;
    const char *eol = strchr(at, '\n');
    assert_non_null(eol);
    char *line = strndup(bol, (size_t)(eol - bol));
    assert_non_null(strstr(line, "GET"));
    assert_non_null(strstr(line, "/dev/pets/2"));
    assert_non_null(strstr(line, " 200"));
    free(line);
    free(out);
    e2e_response_free(&r);
}

static void test_sigterm_exits_zero(void **state)
{
    (void)state;
    assert_non_null(srv);
    assert_false(e2e_exited(srv));
    assert_int_equal(e2e_stop(srv), 0);
    char *err = e2e_stderr(srv);
    if (e2e_has_sanitizer_report(err))
        fprintf(stderr, "%s\n", err);
    assert_false(e2e_has_sanitizer_report(err));
    free(err);
}

int main(void)
{
    static const char *const args[] = {"examples/petstore/api.yaml", NULL};
    suite_args = args;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list_pets),
        cmocka_unit_test(test_list_pets_filtered),
        cmocka_unit_test(test_create_pet),
        cmocka_unit_test(test_create_pet_bad_body),
        cmocka_unit_test(test_get_pet),
        cmocka_unit_test(test_delete_pet),
        cmocka_unit_test(test_cors_preflight),
        cmocka_unit_test(test_health_mock),
        cmocka_unit_test(test_lua_mock),
        cmocka_unit_test(test_missing_authentication_token),
        cmocka_unit_test(test_stages_side_by_side),
        cmocka_unit_test(test_proxy_event_fields),
        cmocka_unit_test(test_proxy_event_post_body),
        cmocka_unit_test(test_proxy_event_slashes),
        cmocka_unit_test(test_method_falls_through_to_proxy),
        cmocka_unit_test(test_access_log),
        cmocka_unit_test(test_sigterm_exits_zero), /* last: stops the server */
    };
    return cmocka_run_group_tests(tests, suite_setup, suite_teardown);
}
