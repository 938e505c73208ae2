/* integration/context: every $context variable we serve, parameter-mapping sources and
 * simple-substitution rendering, on the reference's example request. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "integration/context.h"
#include "inv_fixture.h"

static void context_variables(void **state)
{
    (void)state;
    static const struct {
        const char *name, *want; /* want NULL: AWS renders null */
    } cases[] = {
        {"accountId", "111122223333"},
        {"apiId", "k3x9q2w7ab"},
        {"deploymentId", "d7q1zz"},
        {"domainName", "k3x9q2w7ab.execute-api.eu-west-1.amazonaws.com"},
        {"domainPrefix", "k3x9q2w7ab"},
        {"extendedRequestId", "Xc9LmF2bDoEFq8w="},
        {"httpMethod", "GET"},
        {"identity.sourceIp", "198.51.100.7"},
        {"identity.userAgent", "curl/8.5.0"},
        {"identity.user", NULL},
        {"identity.userArn", NULL},
        {"identity.caller", NULL},
        {"identity.accessKey", NULL},
        {"identity.apiKey", NULL},
        {"identity.cognitoIdentityId", NULL},
        {"path", "/prod/orders/42"},
        {"protocol", "HTTP/1.1"},
        {"requestId", "5b1f0a8e-3c2d-4e6f-9a7b-0c1d2e3f4a5b"},
        {"requestTime", "09/Jun/2026:14:03:11 +0000"},
        {"requestTimeEpoch", "1781013791000"},
        {"resourceId", "r8k2p1"},
        {"resourcePath", "/orders/{id}"},
        {"stage", "prod"},
        {"error.message", NULL},
        {"error.messageString", NULL},
        {"error.responseType", NULL},
        {"authorizer.principalId", NULL},
        {"noSuchVariable", NULL},
        {"awsEndpointRequestId", "0f5e6c1a-7b2d-4c3e-8f9a-1b2c3d4e5f60"},
    };
    inv_fixture f;
    inv_fixture_init(&f);
    f.inv.endpoint_request_id = "0f5e6c1a-7b2d-4c3e-8f9a-1b2c3d4e5f60"; /* Lambda's id */
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *got = gh_context_get(&f.inv, cases[i].name);
        if (!cases[i].want) {
            if (got)
                fail_msg("%s: expected null, got '%s'", cases[i].name, got);
        } else {
            if (!got)
                fail_msg("%s: expected '%s', got null", cases[i].name, cases[i].want);
            assert_string_equal(got, cases[i].want);
        }
    }
    inv_fixture_free(&f);
}

static void error_variables(void **state)
{
    (void)state;
    inv_fixture f;
    inv_fixture_init(&f);
    f.inv.fail_type = GH_GW_INTEGRATION_TIMEOUT;
    f.inv.fail_message = "Endpoint \"request\" timed out";
    assert_string_equal(gh_context_get(&f.inv, "error.message"), "Endpoint \"request\" timed out");
    assert_string_equal(gh_context_get(&f.inv, "error.messageString"),
                        "\"Endpoint \\\"request\\\" timed out\"");
    assert_string_equal(gh_context_get(&f.inv, "error.responseType"), "INTEGRATION_TIMEOUT");
    inv_fixture_free(&f);
}

static void requestTime_pads_day_and_uses_utc(void **state)
{
    (void)state;
    inv_fixture f;
    inv_fixture_init(&f);
    f.req.time_ms = 1583349317135LL; /* powertools-python__apiGatewayProxyEvent.json */
    assert_string_equal(gh_context_get(&f.inv, "requestTime"), "04/Mar/2020:19:15:17 +0000");
    f.req.time_ms = 1589522469693LL; /* aws-lambda-go__apigw-request.json */
    assert_string_equal(gh_context_get(&f.inv, "requestTime"), "15/May/2020:06:01:09 +0000");
    inv_fixture_free(&f);
}

static void param_sources(void **state)
{
    (void)state;
    static const struct {
        const char *expr, *want;
    } cases[] = {
        {"'http://localhost:8080'", "http://localhost:8080"},
        {"''", ""},
        {"method.request.header.user-agent", "curl/8.5.0"},
        {"method.request.header.X-Tenant", "blue"},
        {"method.request.multivalueheader.x-tenant", "green,blue"},
        {"method.request.header.missing", NULL},
        {"method.request.querystring.tag", "b"},
        {"method.request.multivaluequerystring.tag", "a,b"},
        {"method.request.querystring.q", "a b+c"},
        {"method.request.querystring.none", NULL},
        {"method.request.path.id", "42"},
        {"method.request.path.nope", NULL},
        {"stageVariables.backend", "orders-v2"},
        {"stageVariables.nope", NULL},
        {"context.requestId", "5b1f0a8e-3c2d-4e6f-9a7b-0c1d2e3f4a5b"},
        {"context.identity.sourceIp", "198.51.100.7"},
        {"integration.response.header.X", NULL},
        {"method.request.body", NULL},
    };
    inv_fixture f;
    inv_fixture_init(&f);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *got = gh_param_source(&f.inv, cases[i].expr);
        if (!cases[i].want) {
            if (got)
                fail_msg("%s: expected null, got '%s'", cases[i].expr, got);
        } else {
            if (!got)
                fail_msg("%s: expected '%s', got null", cases[i].expr, cases[i].want);
            assert_string_equal(got, cases[i].want);
        }
    }
    /* Every value counts, an empty first one too (found by review). */
    f.req.query = "a=&a=x";
    assert_string_equal(gh_param_source(&f.inv, "method.request.multivaluequerystring.a"), ",x");
    inv_fixture_free(&f);
}

static void simple_rendering(void **state)
{
    (void)state;
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"{\"message\":$context.error.messageString}", "{\"message\":null}"},
        {"id=$context.requestId.", "id=5b1f0a8e-3c2d-4e6f-9a7b-0c1d2e3f4a5b."},
        {"${context.stage}/${context.resourceId}", "prod/r8k2p1"},
        {"$stageVariables.backend|$stageVariables['backend']|${stageVariables.backend}",
         "orders-v2|orders-v2|orders-v2"},
        {"[$stageVariables.missing]", "[]"},
        {"$input.params('id')-$input.params('tag')-$input.params('x-tenant')-[$input.params('no')]",
         "42-b-blue-[]"},
        {"$input.params().header.get('Accept')", "application/json"},
        {"$input.params().querystring.get('expand')", "items"},
        {"$input.params().path.get('id')", "42"},
        {"costs $5 and $", "costs $5 and $"},
        {"#if($x) $util.escapeJavaScript('a') #end", "#if($x) $util.escapeJavaScript('a') #end"},
        {"$context.identity.user!", "!"},
        {"{\"statusCode\": 200}", "{\"statusCode\": 200}"},
    };
    inv_fixture f;
    inv_fixture_init(&f);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        size_t len = 0;
        char *got = gh_template_render_simple(&f.inv, cases[i].text, strlen(cases[i].text), &len);
        assert_string_equal(got, cases[i].want);
        assert_int_equal(len, strlen(cases[i].want));
    }
    f.inv.fail_type = GH_GW_API_CONFIGURATION_ERROR;
    f.inv.fail_message = "Internal server error";
    const char *t = "{\"message\":$context.error.messageString,\"type\":\"$context.error.responseType\"}";
    assert_string_equal(gh_template_render_simple(&f.inv, t, strlen(t), NULL),
                        "{\"message\":\"Internal server error\",\"type\":\"API_CONFIGURATION_ERROR\"}");
    inv_fixture_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(context_variables),
        cmocka_unit_test(error_variables),
        cmocka_unit_test(requestTime_pads_day_and_uses_utc),
        cmocka_unit_test(param_sources),
        cmocka_unit_test(simple_rendering),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
