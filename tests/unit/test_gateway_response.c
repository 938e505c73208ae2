/* gateway/gateway_response: every default (status, exact body bytes, x-amzn-ErrorType),
 * the headers every gateway response carries, DEFAULT_4XX/5XX inheritance, overrides
 * with literal headers and templates, and the uncustomisable REQUEST_TOO_LARGE. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "gateway/gateway_response.h"
#include "integration/context.h"
#include "template/vtl.h"

typedef struct dcase {
    gh_gw_type type;
    int status;
    const char *body;
    const char *error_type;
} dcase;

static const dcase defaults[] = {
    {GH_GW_ACCESS_DENIED, 403, "{\"Message\":\"User is not authorized to access this resource\"}", "AccessDeniedException"},
    {GH_GW_API_CONFIGURATION_ERROR, 500, "{\"message\": \"Internal server error\"}", "InternalServerErrorException"},
    {GH_GW_AUTHORIZER_CONFIGURATION_ERROR, 500, "{\"message\": null}", "AuthorizerConfigurationException"},
    {GH_GW_AUTHORIZER_FAILURE, 500, "{\"message\":null}", "AuthorizerFailureException"},
    {GH_GW_BAD_REQUEST_PARAMETERS, 400, "{\"message\":null}", "BadRequestException"},
    {GH_GW_BAD_REQUEST_BODY, 400, "{\"message\":\"Invalid request body\"}", "BadRequestException"},
    {GH_GW_DEFAULT_4XX, 400, "{\"message\":null}", "BadRequestException"},
    {GH_GW_DEFAULT_5XX, 500, "{\"message\":null}", "InternalServerErrorException"},
    {GH_GW_EXPIRED_TOKEN, 403, "{\"message\":\"The security token included in the request is expired\"}", "ExpiredTokenException"},
    {GH_GW_INTEGRATION_FAILURE, 504, "{\"message\": \"Internal server error\"}", "InternalServerErrorException"},
    {GH_GW_INTEGRATION_TIMEOUT, 504, "{\"message\": \"Endpoint request timed out\"}", "InternalServerErrorException"},
    {GH_GW_INVALID_API_KEY, 403, "{\"message\":\"Forbidden\"}", "ForbiddenException"},
    {GH_GW_INVALID_SIGNATURE, 403, "{\"message\":\"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\"}", "InvalidSignatureException"},
    {GH_GW_MISSING_AUTHENTICATION_TOKEN, 403, "{\"message\":\"Missing Authentication Token\"}", "MissingAuthenticationTokenException"},
    {GH_GW_QUOTA_EXCEEDED, 429, "{\"message\":\"Limit Exceeded\"}", "LimitExceededException"},
    {GH_GW_REQUEST_TOO_LARGE, 413, "{\"message\":\"Request Too Long\"}", "RequestTooLargeException"},
    {GH_GW_RESOURCE_NOT_FOUND, 404, "{\"message\":\"Not Found\"}", "ResourceNotFoundException"},
    {GH_GW_THROTTLED, 429, "{\"message\":\"Too Many Requests\"}", "TooManyRequestsException"},
    {GH_GW_UNAUTHORIZED, 401, "{\"message\":\"Unauthorized\"}", "UnauthorizedException"},
    {GH_GW_UNSUPPORTED_MEDIA_TYPE, 415, "{\"message\":\"Unsupported Media Type\"}", "BadRequestException"},
    {GH_GW_WAF_FILTERED, 403, "{\"message\":\"Forbidden\"}", "WafFilteredException"},
};

typedef struct fixture {
    gh_arena *arena;
    gh_request req;
    gh_response resp;
    gh_invocation inv;
    gh_api api;
} fixture;

static void fixture_init(fixture *f)
{
    memset(f, 0, sizeof *f);
    f->arena = gh_arena_new(4096);
    f->req.arena = f->arena;
    strcpy(f->req.request_id, "c0ffee00-1111-4222-8333-444455556666");
    strcpy(f->req.extended_id, "AbCdEfGhIjKlMn=");
    f->inv.req = &f->req;
    f->inv.resp = &f->resp;
    f->inv.arena = f->arena;
    f->inv.api = &f->api;
}

static void render_msg(fixture *f, gh_gw_type t, const char *msg)
{
    f->inv.fail_type = t;
    f->inv.fail_message = msg;
    gh_gw_render(&f->inv);
}

static void render(fixture *f, gh_gw_type t)
{
    render_msg(f, t, NULL);
}

static void assert_body(const gh_response *r, const char *want)
{
    assert_int_equal(r->body_len, strlen(want));
    assert_memory_equal(r->body, want, r->body_len);
}

static void every_default(void **state)
{
    (void)state;
    assert_int_equal(sizeof defaults / sizeof *defaults, GH_GW__COUNT);
    for (size_t i = 0; i < sizeof defaults / sizeof *defaults; i++) {
        fixture f;
        fixture_init(&f);
        render(&f, defaults[i].type);
        assert_int_equal(f.resp.status, defaults[i].status);
        assert_int_equal(gh_gw_default_status(defaults[i].type), defaults[i].status);
        assert_body(&f.resp, defaults[i].body);
        assert_string_equal(gh_headers_get(&f.resp.headers, "x-amzn-ErrorType"),
                            defaults[i].error_type);
        assert_string_equal(gh_gw_error_type(defaults[i].type), defaults[i].error_type);
        assert_string_equal(gh_headers_get(&f.resp.headers, "Content-Type"), "application/json");
        assert_string_equal(gh_headers_get(&f.resp.headers, "x-amzn-RequestId"),
                            "c0ffee00-1111-4222-8333-444455556666");
        assert_string_equal(gh_headers_get(&f.resp.headers, "x-amz-apigw-id"), "AbCdEfGhIjKlMn=");
        assert_int_equal(f.resp.headers.n, 4);
        gh_arena_free(f.arena);
    }
    assert_string_equal(gh_gw_default_message(GH_GW_MISSING_AUTHENTICATION_TOKEN),
                        "Missing Authentication Token");
    assert_null(gh_gw_default_message(GH_GW_AUTHORIZER_FAILURE));
}

/* An error type set by the phase that failed (SigV4's IncompleteSignatureException) wins
 * over the response type's own; status and body stay the type's. */
static void error_type_override(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f);
    f.inv.fail_error_type = "IncompleteSignatureException";
    render_msg(&f, GH_GW_MISSING_AUTHENTICATION_TOKEN, "Authorization header requires 'Credential' parameter.");
    assert_int_equal(f.resp.status, 403);
    assert_body(&f.resp, "{\"message\":\"Authorization header requires 'Credential' parameter.\"}");
    assert_string_equal(gh_headers_get(&f.resp.headers, "x-amzn-ErrorType"),
                        "IncompleteSignatureException");
    gh_arena_free(f.arena);
}

/* Recorded sizes: the integration 5xx body is 36 bytes, the explicit-deny body 82. */
static void exact_sizes_and_messages(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f);
    render(&f, GH_GW_INTEGRATION_FAILURE);
    assert_int_equal(f.resp.body_len, 36);
    render_msg(&f, GH_GW_ACCESS_DENIED,
               "User is not authorized to access this resource with an explicit deny");
    assert_int_equal(f.resp.body_len, 82);
    render_msg(&f, GH_GW_BAD_REQUEST_PARAMETERS, "Missing required request parameters: [x-h, id, q]");
    assert_body(&f.resp, "{\"message\":\"Missing required request parameters: [x-h, id, q]\"}");
    render_msg(&f, GH_GW_DEFAULT_4XX, "say \"hi\"\\\n");
    assert_body(&f.resp, "{\"message\":\"say \\\"hi\\\"\\\\\\n\"}");
    /* fail_status replaces the type's default status (a proxy's 502) */
    f.inv.fail_status = 502;
    render(&f, GH_GW_API_CONFIGURATION_ERROR);
    assert_int_equal(f.resp.status, 502);
    assert_body(&f.resp, "{\"message\": \"Internal server error\"}");
    /* no API (unknown Host): built-in defaults */
    f.inv.fail_status = 0;
    f.inv.api = NULL;
    render(&f, GH_GW_MISSING_AUTHENTICATION_TOKEN);
    assert_int_equal(f.resp.status, 403);
    gh_arena_free(f.arena);
}

static gh_kv kv(const char *k, const char *v)
{
    gh_kv x = {k, v, {0}};
    return x;
}

static void overrides_and_inheritance(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f);
    static gh_kv params4[2], tpl4[2], params_own[1], tpl5[1];
    params4[0] = kv("gatewayresponse.header.Access-Control-Allow-Origin", "'*'");
    params4[1] = kv("gatewayresponse.header.X-Missing", "method.request.header.nope");
    tpl4[0] = kv("text/plain", "plain 4xx");
    tpl4[1] = kv("application/json", "{\"error\":$context.error.messageString}");
    f.api.gateway_responses[GH_GW_DEFAULT_4XX] =
        (gh_gw_override){.set = true, .status = 0, .parameters = {params4, 2},
                         .templates = {tpl4, 2}};
    params_own[0] = kv("gatewayresponse.header.WWW-Authenticate", "'Bearer'");
    f.api.gateway_responses[GH_GW_UNAUTHORIZED] =
        (gh_gw_override){.set = true, .status = 499, .parameters = {params_own, 1}};
    tpl5[0] = kv("application/xml", "<e/>");
    f.api.gateway_responses[GH_GW_DEFAULT_5XX] =
        (gh_gw_override){.set = true, .status = 503, .templates = {tpl5, 1}};

    /* unconfigured 4xx inherits DEFAULT_4XX's headers and template, keeps its status */
    render(&f, GH_GW_MISSING_AUTHENTICATION_TOKEN);
    assert_int_equal(f.resp.status, 403);
    assert_body(&f.resp, "{\"error\":\"Missing Authentication Token\"}");
    assert_string_equal(gh_headers_get(&f.resp.headers, "Content-Type"), "application/json");
    assert_string_equal(gh_headers_get(&f.resp.headers, "Access-Control-Allow-Origin"), "*");
    assert_null(gh_headers_get(&f.resp.headers, "X-Missing"));
    assert_string_equal(gh_headers_get(&f.resp.headers, "x-amzn-ErrorType"),
                        "MissingAuthenticationTokenException");

    /* a configured type uses its own entry only: status, headers, default body */
    render(&f, GH_GW_UNAUTHORIZED);
    assert_int_equal(f.resp.status, 499);
    assert_body(&f.resp, "{\"message\":\"Unauthorized\"}");
    assert_string_equal(gh_headers_get(&f.resp.headers, "WWW-Authenticate"), "Bearer");
    assert_null(gh_headers_get(&f.resp.headers, "Access-Control-Allow-Origin"));

    /* 5xx inherits DEFAULT_5XX's status; the template's media type is the Content-Type */
    render(&f, GH_GW_INTEGRATION_TIMEOUT);
    assert_int_equal(f.resp.status, 503);
    assert_body(&f.resp, "<e/>");
    assert_string_equal(gh_headers_get(&f.resp.headers, "Content-Type"), "application/xml");
    assert_string_equal(gh_headers_get(&f.resp.headers, "x-amzn-ErrorType"),
                        "InternalServerErrorException");

    /* REQUEST_TOO_LARGE cannot be customised, even through DEFAULT_4XX or its own entry */
    f.api.gateway_responses[GH_GW_REQUEST_TOO_LARGE] =
        (gh_gw_override){.set = true, .status = 400, .templates = {tpl4, 2}};
    render(&f, GH_GW_REQUEST_TOO_LARGE);
    assert_int_equal(f.resp.status, 413);
    assert_body(&f.resp, "{\"message\":\"Request Too Long\"}");
    assert_null(gh_headers_get(&f.resp.headers, "Access-Control-Allow-Origin"));

    /* only the first template is used when there is no application/json */
    tpl4[1] = kv("text/html", "<p>4xx</p>");
    render(&f, GH_GW_THROTTLED);
    assert_int_equal(f.resp.status, 429);
    assert_body(&f.resp, "plain 4xx");
    assert_string_equal(gh_headers_get(&f.resp.headers, "Content-Type"), "text/plain");
    gh_arena_free(f.arena);
}

/* Gateway response templates are not VTL on AWS ("isn't processed by the VTL engine",
 * x-amazon-apigateway-gateway-responses.responseTemplates): variables are substituted,
 * directives and quotes stay as written, as in AWS's own example with '488'. */
static void templates_are_simple_substitution(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f);
    static gh_kv tpls[1];
    tpls[0] = kv("application/json", "{\"message\": $context.error.messageString, \"type\":"
                                     "$context.error.responseType, \"statusCode\": '488'"
                                     "#if(true) x#end}");
    f.api.gateway_responses[GH_GW_DEFAULT_4XX] =
        (gh_gw_override){.set = true, .templates = {tpls, 1}};
    render(&f, GH_GW_UNSUPPORTED_MEDIA_TYPE);
    assert_int_equal(f.resp.status, 415);
    assert_body(&f.resp, "{\"message\": \"Unsupported Media Type\", \"type\":"
                         "UNSUPPORTED_MEDIA_TYPE, \"statusCode\": '488'#if(true) x#end}");
    gh_arena_free(f.arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_default),
        cmocka_unit_test(error_type_override),
        cmocka_unit_test(exact_sizes_and_messages),
        cmocka_unit_test(overrides_and_inheritance),
        cmocka_unit_test(templates_are_simple_substitution),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
