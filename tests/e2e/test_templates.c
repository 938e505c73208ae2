/* End to end: mapping templates in the real binary, serving specs/tests/nonproxy.yaml
 * (its header lists every answer; they were checked by hand with curl). A non-proxy
 * Lambda in Lua behind request and response templates, a Lambda error mapped by
 * selectionPattern to 400/404 with a custom body, passthrough with no response template,
 * 415 for an unmapped Content-Type under passthroughBehavior never, a mock choosing 200
 * or 404 from $input.params('id'), Lua templates, and a gateway response template using
 * $context.error.*. AWS behaviour: reference/aws-api-gateway.md §2, §3.5, §5. Bodies a
 * template writes are compared byte for byte; bodies built from Lua tables (whose key
 * order is not fixed) are compared as JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.h"
#include "e2e_suite.h"

/* Asserts the body equals want as JSON (same values, any key order). */
static void assert_json_body(const e2e_response *r, const char *want)
{
    json_error_t err;
    json_t *w = json_loads(want, 0, &err);
    assert_non_null(w);
    json_t *got = e2e_body_json(r);
    if (!got || !json_equal(got, w))
        fail_msg("body %s, want (as JSON) %s", r->body, want);
    json_decref(got);
    json_decref(w);
}

/* Request template -> Lua function -> response template; X-Pet-Name comes from
 * responseParameters integration.response.body.name (reference §5.7). The response
 * template writes the body, so it is exact. */
static void test_lambda_templates(void **state)
{
    (void)state;
    e2e_response r;
    req("GET", "/default/pets/42", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"pet\": {\"id\": 42, \"name\": \"rex\", \"tags\": "
                                "[\"good\",\"dog\"]}, \"stage\": \"default\"}");
    assert_string_equal(e2e_header_get(&r, "X-Pet-Name"), "rex");
    assert_string_equal(e2e_header_get(&r, "Content-Type"), "application/json");
    assert_non_null(e2e_header_get(&r, "X-Amzn-Trace-Id"));
    e2e_response_free(&r);
}

/* error("NotFound: pet 7") reaches selectionPattern "NotFound:.*" as errorMessage and
 * selects the 404 response, whose template prints it (reference §3.5, §5.6). */
static void test_lambda_error_to_404(void **state)
{
    (void)state;
    e2e_response r;
    req("GET", "/default/pets/7", NULL, NULL, &r);
    assert_int_equal(r.status, 404);
    assert_string_equal(r.body, "{\"message\": \"NotFound: pet 7\"}");
    assert_null(e2e_header_get(&r, "X-Pet-Name"));
    e2e_response_free(&r);
}

/* A typed error ({errorMessage, errorType}) maps to 400 with a custom body; a success
 * takes the default response, which has no template: the body passes through. */
static void test_lambda_error_to_400_and_passthrough(void **state)
{
    (void)state;
    const char *const json[] = {"Content-Type: application/json", NULL};
    e2e_response r;
    req("POST", "/default/pets", json, "{}", &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(r.body,
                        "{\"error\": \"ValidationError\", \"detail\": \"BadRequest: name is required\"}");
    e2e_response_free(&r);

    req("POST", "/default/pets", json, "{\"name\":\"tom\"}", &r);
    assert_int_equal(r.status, 201);
    assert_json_body(&r, "{\"id\":7,\"name\":\"tom\"}");
    e2e_response_free(&r);

    /* No Content-Type is read as application/json (reference §5.5). "Content-Type:"
     * makes libcurl send none (it would add application/x-www-form-urlencoded). */
    const char *const none[] = {"Content-Type:", NULL};
    req("POST", "/default/pets", none, "{\"name\":\"ann\"}", &r);
    assert_int_equal(r.status, 201);
    assert_json_body(&r, "{\"id\":7,\"name\":\"ann\"}");
    e2e_response_free(&r);
}

/* passthroughBehavior never: a Content-Type without a template is 415 (reference §5.5),
 * charset parameters do not count. */
static void test_unsupported_media_type(void **state)
{
    (void)state;
    const char *const xml[] = {"Content-Type: application/xml", NULL};
    e2e_response r;
    req("POST", "/default/pets", xml, "<pet/>", &r);
    assert_int_equal(r.status, 415);
    assert_string_equal(r.body, "{\"message\":\"Unsupported Media Type\"}");
    e2e_response_free(&r);

    const char *const charset[] = {"Content-Type: application/json; charset=UTF-8", NULL};
    req("POST", "/default/pets", charset, "{\"name\":\"tom\"}", &r);
    assert_int_equal(r.status, 201);
    e2e_response_free(&r);
}

/* $input.json on a body that opens JSON and breaks: AWS answers 400 "Could not parse
 * request body into json: <parser detail>" (serverless/serverless#2270); the detail is
 * the parser's own text, so only the prefix is AWS's. (A body that does not open JSON,
 * such as a form post, reads as one string: aws_input.c.) */
static void test_body_not_json(void **state)
{
    (void)state;
    const char *const json[] = {"Content-Type: application/json", NULL};
    e2e_response r;
    req("POST", "/default/pets", json, "{\"name\": ", &r);
    assert_int_equal(r.status, 400);
    json_t *j = e2e_body_json(&r);
    assert_non_null(j);
    const char *msg = e2e_json_str(j, "message");
    assert_non_null(msg);
    const char prefix[] = "Could not parse request body into json: ";
    assert_int_equal(strncmp(msg, prefix, sizeof prefix - 1), 0);
    json_decref(j);
    e2e_response_free(&r);
}

/* A mock's request template picks the status from $input.params('id'); the selected
 * response's template writes the body (reference §5.8). */
static void test_mock_status_from_params(void **state)
{
    (void)state;
    static const struct {
        const char *path;
        long status;
        const char *body;
    } table[] = {
        {"/default/mock/42", 200, "{\"id\": \"42\", \"name\": \"rex\"}"},
        {"/default/mock/7", 404, "{\"message\": \"no pet 7\"}"},
        {"/default/mock/42?id=7", 200, "{\"id\": \"42\", \"name\": \"rex\"}"}, /* path first */
    };
    for (size_t i = 0; i < sizeof table / sizeof *table; i++) {
        e2e_response r;
        req("GET", table[i].path, NULL, NULL, &r);
        if (r.status != table[i].status || strcmp(r.body, table[i].body) != 0)
            fail_msg("%s: %ld %s, want %ld %s", table[i].path, r.status, r.body,
                     table[i].status, table[i].body);
        e2e_response_free(&r);
    }
}

/* Lua templates (x-gatehouse-*Templates) replace the VTL one for the same media type,
 * say so at load, and set overrides through context.responseOverride. */
static void test_lua_templates(void **state)
{
    (void)state;
    e2e_response r;
    req("GET", "/default/lua/42?greet=hi", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"id\":\"42\",\"greet\":\"hi\",\"stage\":\"default\"}");
    assert_string_equal(e2e_header_get(&r, "X-Lua"), "yes");
    e2e_response_free(&r);
    assert_true(e2e_wait_stderr(srv, "x-gatehouse-requestTemplates 'application/json' replaces "
                                     "requestTemplates 'application/json'",
                                E2E_REQUEST_TIMEOUT_MS));
}

/* A customised gateway response renders its template: $context.error.messageString is
 * the message as a quoted JSON string, responseType the type's name (reference §2). */
static void test_gateway_response_template(void **state)
{
    (void)state;
    e2e_response r;
    req("GET", "/default/nowhere", NULL, NULL, &r);
    assert_int_equal(r.status, 403);
    assert_string_equal(r.body, "{\"error\": \"Missing Authentication Token\", \"type\": "
                                "\"MISSING_AUTHENTICATION_TOKEN\", \"path\": \"/default/nowhere\"}");
    assert_string_equal(e2e_header_get(&r, "x-amzn-ErrorType"), "MissingAuthenticationTokenException");
    e2e_response_free(&r);
}

int main(void)
{
    static const char *const args[] = {"specs/tests/nonproxy.yaml", NULL};
    suite_args = args;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lambda_templates),
        cmocka_unit_test(test_lambda_error_to_404),
        cmocka_unit_test(test_lambda_error_to_400_and_passthrough),
        cmocka_unit_test(test_unsupported_media_type),
        cmocka_unit_test(test_body_not_json),
        cmocka_unit_test(test_mock_status_from_params),
        cmocka_unit_test(test_lua_templates),
        cmocka_unit_test(test_gateway_response_template),
    };
    return cmocka_run_group_tests(tests, suite_setup, suite_teardown);
}
