/* integration/proxy_response (+ lambda_target): one row per line of AWS's Lambda proxy
 * output table (aws-api-gateway.md §3.3, recorded by LocalStack's
 * test_aws_proxy_response_payload_format_validation against AWS), plus binary bodies,
 * header remapping, lenient Lua-mock reading and function-name resolution. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "integration/lambda_target.h"
#include "integration/proxy_response.h"
#include "inv_fixture.h"
#include "util/buf.h"

/* Response headers as "Name: value|Name: value", in order. */
static char *dump_headers(gh_arena *a, const gh_headers *h)
{
    gh_buf b = GH_BUF_INIT;
    for (size_t i = 0; i < h->n; i++)
        gh_buf_printf(&b, "%s%s: %s", i ? "|" : "", h->items[i].name, h->items[i].value);
    char *s = gh_arena_strndup(a, b.data ? b.data : "", b.len);
    gh_buf_free(&b);
    return s;
}

#define CT "Content-Type: application/json"

static const struct row {
    const char *result;  /* what the function returned (JSON text) */
    int mode;            /* GH_PROXY_STRICT / GH_PROXY_LENIENT */
    const char *binary;  /* a binaryMediaTypes entry, or NULL */
    int status;          /* 502: AWS's malformed-output answer */
    const char *headers; /* expected response headers (status < 502) */
    const char *body;
} rows[] = {
    /* §3.3, row by row */
    {"{\"statusCode\":200}", GH_PROXY_STRICT, NULL, 200, CT, ""},
    {"{\"statusCode\":\"201\"}", GH_PROXY_STRICT, NULL, 201, CT, ""},
    {"{\"statusCode\":\"test\"}", GH_PROXY_STRICT, NULL, 502, NULL, NULL},
    {"{\"headers\":{\"test-header\":\"value\"}}", GH_PROXY_STRICT, NULL, 200,
     "test-header: value|" CT, ""},
    {"{}", GH_PROXY_STRICT, NULL, 502, NULL, NULL},
    {"{\"statusCode\":200,\"wrongValue\":\"value\"}", GH_PROXY_STRICT, NULL, 502, NULL, NULL},
    {"\"justAString\"", GH_PROXY_STRICT, NULL, 502, NULL, NULL},
    {"[{\"statusCode\":200}]", GH_PROXY_STRICT, NULL, 502, NULL, NULL},
    {"null", GH_PROXY_STRICT, NULL, 502, NULL, NULL},
    {"{\"statusCode\":200,\"headers\":{\"test-header\":\"value\",\"header-bool\":true}}",
     GH_PROXY_STRICT, NULL, 200, "test-header: value|header-bool: true|" CT, ""},
    {"{\"statusCode\":200,\"headers\":null}", GH_PROXY_STRICT, NULL, 200, CT, ""},
    {"{\"statusCode\":200,\"multiValueHeaders\":{\"test-multi-invalid\":\"value1\"}}",
     GH_PROXY_STRICT, NULL, 502, NULL, NULL},
    {"{\"statusCode\":200,\"multiValueHeaders\":{\"test-multi\":[\"value-multi\"]},"
     "\"headers\":{\"test-multi\":\"value-solo\"}}",
     GH_PROXY_STRICT, NULL, 200, "test-multi: value-multi|test-multi: value-solo|" CT, ""},
    {"{\"statusCode\":200,\"multiValueHeaders\":{\"tesT-Multi\":[\"value-multi\"]},"
     "\"headers\":{\"test-multi\":\"value-solo\"}}",
     GH_PROXY_STRICT, NULL, 200, "tesT-Multi: value-multi|tesT-Multi: value-solo|" CT, ""},
    {"{\"statusCode\":200,\"multiValueHeaders\":{\"test-multi\":[\"value1\",\"value2\"]}}",
     GH_PROXY_STRICT, NULL, 200, "test-multi: value1|test-multi: value2|" CT, ""},
    {"{\"statusCode\":200,\"body\":{\"a\":1}}", GH_PROXY_STRICT, NULL, 502, NULL, NULL},
    {"{\"statusCode\":200,\"body\":42}", GH_PROXY_STRICT, NULL, 502, NULL, NULL},
    /* header values: numbers are stringified, objects are malformed, null is skipped */
    {"{\"statusCode\":200,\"headers\":{\"n\":5,\"f\":1.5,\"z\":null}}", GH_PROXY_STRICT, NULL,
     200, "n: 5|f: 1.5|" CT, ""},
    {"{\"statusCode\":200,\"headers\":{\"o\":{\"a\":1}}}", GH_PROXY_STRICT, NULL, 502, NULL, NULL},
    {"{\"statusCode\":200,\"headers\":[\"a\"]}", GH_PROXY_STRICT, NULL, 502, NULL, NULL},
    /* statusCode forms */
    {"{\"statusCode\":404.0}", GH_PROXY_STRICT, NULL, 404, CT, ""},
    {"{\"statusCode\":200.5}", GH_PROXY_STRICT, NULL, 502, NULL, NULL},
    /* Out of every integer type's range: a float-to-integer cast there is undefined. */
    {"{\"statusCode\":1e300}", GH_PROXY_STRICT, NULL, 502, NULL, NULL},
    {"{\"statusCode\":-1e300}", GH_PROXY_STRICT, NULL, 502, NULL, NULL},
    {"{\"statusCode\":9.3e18}", GH_PROXY_STRICT, NULL, 502, NULL, NULL},
    {"{\"statusCode\":true}", GH_PROXY_STRICT, NULL, 502, NULL, NULL},
    /* found by fuzzing: a real outside long long's range was cast to it (UB) */
    {"{\"statusCode\":1e33}", GH_PROXY_STRICT, NULL, 502, NULL, NULL},
    {"{\"statusCode\":-1e300}", GH_PROXY_LENIENT, NULL, 502, NULL, NULL},
    {"{\"statusCode\":599.0}", GH_PROXY_STRICT, NULL, 599, CT, ""},
    {"{\"statusCode\":null,\"body\":\"x\"}", GH_PROXY_STRICT, NULL, 200, CT, "x"},
    /* the function's own Content-Type wins; the body is sent as is */
    {"{\"statusCode\":201,\"headers\":{\"content-type\":\"text/plain\"},\"body\":\"hi\"}",
     GH_PROXY_STRICT, NULL, 201, "content-type: text/plain", "hi"},
    /* java-libs__apigw_proxy_response.json, a real handler output */
    {"{\"statusCode\":200,\"headers\":{\"Content-Type\":\"application/json\",\"X-Custom-Header\":"
     "\"custom-value\"},\"multiValueHeaders\":{\"Set-Cookie\":[\"cookie1=value1\",\"cookie2=value2\"]},"
     "\"body\":\"{\\\"message\\\":\\\"Hello from Lambda\\\"}\",\"isBase64Encoded\":false}",
     GH_PROXY_STRICT, NULL, 200,
     "Content-Type: application/json|X-Custom-Header: custom-value|Set-Cookie: cookie1=value1|"
     "Set-Cookie: cookie2=value2",
     "{\"message\":\"Hello from Lambda\"}"},
    /* §1.4: names API Gateway owns are remapped */
    {"{\"statusCode\":200,\"headers\":{\"Date\":\"d\",\"Server\":\"s\",\"content-length\":\"3\","
     "\"WWW-Authenticate\":\"w\",\"X-Other\":\"o\"}}",
     GH_PROXY_STRICT, NULL, 200,
     "x-amzn-Remapped-Date: d|x-amzn-Remapped-Server: s|x-amzn-Remapped-content-length: 3|"
     "x-amzn-Remapped-WWW-Authenticate: w|X-Other: o|" CT, ""},
    /* isBase64Encoded: decoded only when the response is binary for the API (recorded) */
    {"{\"statusCode\":200,\"body\":\"dGVzdC1kYXRh\",\"isBase64Encoded\":true}", GH_PROXY_STRICT,
     NULL, 200, CT, "dGVzdC1kYXRh"},
    {"{\"statusCode\":200,\"body\":\"dGVzdC1kYXRh\",\"isBase64Encoded\":true}", GH_PROXY_STRICT,
     "*/*", 200, CT, "test-data"},
    {"{\"statusCode\":200,\"body\":\"dGVzdC1kYXRh\",\"headers\":{\"Content-Type\":\"image/png\"},"
     "\"isBase64Encoded\":true}", GH_PROXY_STRICT, "image/*", 200, "Content-Type: image/png",
     "test-data"},
    {"{\"statusCode\":200,\"body\":\"dGVzdC1kYXRh\"}", GH_PROXY_STRICT, "*/*", 200, CT,
     "dGVzdC1kYXRh"},
    {"{\"statusCode\":200,\"body\":\"not base64!\",\"isBase64Encoded\":true}", GH_PROXY_STRICT,
     "*/*", 502, NULL, NULL},
    /* Lua mocks read leniently */
    {"{}", GH_PROXY_LENIENT, NULL, 200, CT, ""},
    {"{\"body\":{\"ok\":true}}", GH_PROXY_LENIENT, NULL, 200, CT, "{\"ok\":true}"},
    {"{\"statusCode\":418,\"body\":[1,2]}", GH_PROXY_LENIENT, NULL, 418, CT, "[1,2]"},
    {"{\"status\":201}", GH_PROXY_LENIENT, NULL, 502, NULL, NULL},
    {"\"text\"", GH_PROXY_LENIENT, NULL, 502, NULL, NULL},
};

static void proxy_output_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        const struct row *r = &rows[i];
        inv_fixture f;
        inv_fixture_init(&f);
        const char *types[1] = {r->binary};
        if (r->binary) {
            f.api.binary_media_types = types;
            f.api.nbinary_media_types = 1;
        }
        json_error_t err;
        json_t *j = json_loads(r->result, JSON_DECODE_ANY, &err);
        if (!j)
            fail_msg("row %zu: bad JSON in the test: %s", i, err.text);
        int rc = gh_proxy_response_apply(&f.inv, j, (gh_proxy_mode)r->mode);
        json_decref(j);
        if (r->status == 502) {
            if (rc != -1)
                fail_msg("row %zu (%s): expected AWS's 502, got %d", i, r->result, f.resp.status);
            assert_int_equal(f.inv.fail_status, 502);
            assert_int_equal(f.inv.fail_type, GH_GW_API_CONFIGURATION_ERROR);
            assert_string_equal(f.inv.fail_message, "Internal server error");
            assert_non_null(f.inv.log_detail);
        } else {
            if (rc != 0)
                fail_msg("row %zu (%s): failed: %s", i, r->result, f.inv.log_detail);
            assert_int_equal(f.resp.status, r->status);
            assert_string_equal(dump_headers(f.arena, &f.resp.headers), r->headers);
            assert_int_equal(f.resp.body_len, strlen(r->body));
            assert_memory_equal(f.resp.body, r->body, f.resp.body_len);
        }
        inv_fixture_free(&f);
    }
}

static void binary_decision_follows_accept(void **state)
{
    (void)state;
    inv_fixture f;
    inv_fixture_init(&f);
    const char *types[] = {"image/png"};
    f.api.binary_media_types = types;
    f.api.nbinary_media_types = 1;
    gh_headers_set(f.arena, &f.req.headers, "Accept", "image/png, application/json");
    json_t *j = json_loads("{\"body\":\"AHgA\",\"isBase64Encoded\":true}", 0, NULL);
    assert_int_equal(gh_proxy_response_apply(&f.inv, j, GH_PROXY_STRICT), 0);
    json_decref(j);
    assert_int_equal(f.resp.body_len, 3);
    assert_memory_equal(f.resp.body, "\0x\0", 3);
    inv_fixture_free(&f);
}

static void function_names(void **state)
{
    (void)state;
    static const struct {
        const char *written, *want;
    } cases[] = {
        {"orders", "orders"},
        {"orders:live", "orders"},
        {"arn:aws:lambda:us-east-1:000000000000:function:GetProduct-28378339:live",
         "GetProduct-28378339"},
        {"${stageVariables.backend}", "orders-v2"},
        {"arn:aws:lambda:eu-west-1:1:function:${stageVariables.backend}-fn", "orders-v2-fn"},
        {"${stageVariables.unset}x", "x"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        inv_fixture f;
        inv_fixture_init(&f);
        f.integ.type = GH_INTEG_AWS_PROXY;
        f.integ.lambda_function = cases[i].written;
        assert_string_equal(gh_lambda_function_name(&f.inv), cases[i].want);
        inv_fixture_free(&f);
    }
}

/* `gatehouse routes` and the request path resolve names through one function: a whole
 * ARN held in a stage variable is reduced to the name (routes used to print the ARN
 * and report "no handler"), values are not substituted again, no stage leaves "". */
static void function_names_per_stage(void **state)
{
    (void)state;
    gh_kv vars[] = {
        {.key = "fn", .value = "arn:aws:lambda:us-east-1:1:function:fromvar:live"},
        {.key = "loop", .value = "${stageVariables.loop}"},
    };
    gh_stage st = {.name = "prod", .variables = {vars, 2}};
    const struct {
        const char *written;
        const gh_stage *stage;
        const char *want;
    } cases[] = {
        {"${stageVariables.fn}", &st, "fromvar"},
        {"${stageVariables.loop}", &st, "${stageVariables.loop}"},
        {"${stageVariables.fn}", NULL, ""},
        {"a${stageVariables.missing}b${stageVariables.unclosed", &st,
         "ab${stageVariables.unclosed"},
        {"plain", NULL, "plain"},
    };
    gh_arena *a = gh_arena_new(1024);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gh_integration in = {.type = GH_INTEG_AWS_PROXY, .lambda_function = cases[i].written};
        const char *got = gh_lambda_function_for_stage(a, &in, cases[i].stage);
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("case %zu: got '%s', want '%s'", i, got, cases[i].want);
    }
    gh_integration none = {.type = GH_INTEG_MOCK};
    assert_null(gh_lambda_function_for_stage(a, &none, &st));
    gh_arena_free(a);
}

static void lambda_context(void **state)
{
    (void)state;
    inv_fixture f;
    inv_fixture_init(&f);
    gh_kv env[] = {{.key = "TABLE", .value = "orders"}};
    gh_function fn = {.name = "orders", .handler = "lua/orders.lua", .timeout_ms = 3000,
                      .memory_mb = 256, .environment = {env, 1}};
    gh_lambda_context ctx;
    gh_ids_seed(7);
    gh_lambda_context_init(&f.inv, &fn, &ctx);
    assert_string_equal(ctx.function_name, "orders");
    assert_string_equal(ctx.function_version, "$LATEST");
    assert_string_equal(ctx.invoked_function_arn,
                        "arn:aws:lambda:eu-west-1:111122223333:function:orders");
    assert_string_equal(ctx.log_group_name, "/aws/lambda/orders");
    assert_int_equal(strlen(ctx.aws_request_id), 36);
    assert_int_equal(strncmp(ctx.log_stream_name, "2026/06/09/[$LATEST]", 20), 0);
    assert_int_equal(strlen(ctx.log_stream_name), 20 + 32);
    assert_int_equal(ctx.memory_limit_mb, 256);
    assert_ptr_equal(ctx.environment, &fn.environment);

    /* Invoked through an alias, Lambda reports the qualified ARN: the URI's own
     * qualifier (stage variables substituted) or one inside a stage variable's ARN. */
    gh_kv vars[] = {{.key = "alias", .value = "live"},
                    {.key = "fn", .value = "arn:aws:lambda:us-east-1:1:function:orders:7"}};
    gh_stage st = {.name = "prod", .variables = {vars, 2}};
    const struct {
        const char *function, *qualifier, *want;
    } cases[] = {
        {"orders", "${stageVariables.alias}", ":live"},
        {"orders", "v2", ":v2"},
        {"${stageVariables.fn}", NULL, ":7"},
        {"orders", NULL, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gh_integration in = {.type = GH_INTEG_AWS_PROXY,
                             .lambda_function = cases[i].function,
                             .lambda_qualifier = cases[i].qualifier};
        f.inv.integration = &in;
        f.inv.stage = &st;
        gh_lambda_context_init(&f.inv, &fn, &ctx);
        char want[200];
        snprintf(want, sizeof want, "arn:aws:lambda:eu-west-1:111122223333:function:orders%s",
                 cases[i].want);
        assert_string_equal(ctx.invoked_function_arn, want);
    }
    inv_fixture_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(proxy_output_table), cmocka_unit_test(binary_decision_follows_accept),
        cmocka_unit_test(function_names),     cmocka_unit_test(function_names_per_stage),
        cmocka_unit_test(lambda_context),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
