/* Gateway responses: the answers API Gateway itself generates when a phase ends a request
 * (no route, auth failure, integration failure, ...). Defaults per type come from AWS's
 * "Gateway response types" page (status codes) and recordings of real responses (bodies,
 * x-amzn-ErrorType); the definition's x-amazon-apigateway-gateway-responses override
 * status, headers and templates, with DEFAULT_4XX / DEFAULT_5XX inherited by every type
 * of that class that is not configured itself. */
#include "gateway/gateway_response.h"

#include <stdio.h>
#include <string.h>

#include "integration/context.h"
#include "util/buf.h"

#define MSG_VAR "$context.error.messageString"

/* Every default AWS answer in one table. `body` is the exact default body with
 * $context.error.messageString standing for the JSON-quoted message (null when there is
 * none), so the bytes sent are exactly:
 *   MISSING_AUTHENTICATION_TOKEN  {"message":"Missing Authentication Token"}
 *   ACCESS_DENIED                 {"Message":"User is not authorized to access this resource"}
 *   API_CONFIGURATION_ERROR,
 *   INTEGRATION_FAILURE           {"message": "Internal server error"}      (36 bytes)
 *   INTEGRATION_TIMEOUT           {"message": "Endpoint request timed out"}
 *   AUTHORIZER_CONFIGURATION_ERROR {"message": null}
 *   AUTHORIZER_FAILURE            {"message":null}
 * and {"message":"<message>"} for the rest. The spaced bodies are what AWS's backend
 * failures look like (recorded); ACCESS_DENIED capitalises "Message" (recorded, authorizer
 * deny). DEFAULT_4XX/DEFAULT_5XX have no status in AWS; when raised directly they answer
 * 400/500 with the generic error types. */
typedef struct gw_default {
    int status;
    const char *message;    /* NULL: AWS sends null */
    const char *error_type; /* x-amzn-ErrorType */
    const char *body;
} gw_default;

static const gw_default defaults[GH_GW__COUNT] = {
    [GH_GW_ACCESS_DENIED] = {403, "User is not authorized to access this resource",
                             "AccessDeniedException", "{\"Message\":" MSG_VAR "}"},
    [GH_GW_API_CONFIGURATION_ERROR] = {500, "Internal server error",
                                       "InternalServerErrorException",
                                       "{\"message\": " MSG_VAR "}"},
    [GH_GW_AUTHORIZER_CONFIGURATION_ERROR] = {500, NULL, "AuthorizerConfigurationException",
                                              "{\"message\": " MSG_VAR "}"},
    [GH_GW_AUTHORIZER_FAILURE] = {500, NULL, "AuthorizerFailureException",
                                  "{\"message\":" MSG_VAR "}"},
    [GH_GW_BAD_REQUEST_PARAMETERS] = {400, NULL, "BadRequestException",
                                      "{\"message\":" MSG_VAR "}"},
    [GH_GW_BAD_REQUEST_BODY] = {400, "Invalid request body", "BadRequestException",
                                "{\"message\":" MSG_VAR "}"},
    [GH_GW_DEFAULT_4XX] = {400, NULL, "BadRequestException", "{\"message\":" MSG_VAR "}"},
    [GH_GW_DEFAULT_5XX] = {500, NULL, "InternalServerErrorException",
                           "{\"message\":" MSG_VAR "}"},
    [GH_GW_EXPIRED_TOKEN] = {403, "The security token included in the request is expired",
                             "ExpiredTokenException", "{\"message\":" MSG_VAR "}"},
    [GH_GW_INTEGRATION_FAILURE] = {504, "Internal server error",
                                   "InternalServerErrorException",
                                   "{\"message\": " MSG_VAR "}"},
    [GH_GW_INTEGRATION_TIMEOUT] = {504, "Endpoint request timed out",
                                   "InternalServerErrorException",
                                   "{\"message\": " MSG_VAR "}"},
    [GH_GW_INVALID_API_KEY] = {403, "Forbidden", "ForbiddenException",
                               "{\"message\":" MSG_VAR "}"},
    [GH_GW_INVALID_SIGNATURE] = {403,
                                 "The request signature we calculated does not match the "
                                 "signature you provided. Check your AWS Secret Access Key "
                                 "and signing method. Consult the service documentation for "
                                 "details.",
                                 "InvalidSignatureException", "{\"message\":" MSG_VAR "}"},
    [GH_GW_MISSING_AUTHENTICATION_TOKEN] = {403, "Missing Authentication Token",
                                            "MissingAuthenticationTokenException",
                                            "{\"message\":" MSG_VAR "}"},
    [GH_GW_QUOTA_EXCEEDED] = {429, "Limit Exceeded", "LimitExceededException",
                              "{\"message\":" MSG_VAR "}"},
    [GH_GW_REQUEST_TOO_LARGE] = {413, "Request Too Long", "RequestTooLargeException",
                                 "{\"message\":" MSG_VAR "}"},
    [GH_GW_RESOURCE_NOT_FOUND] = {404, "Not Found", "ResourceNotFoundException",
                                  "{\"message\":" MSG_VAR "}"},
    [GH_GW_THROTTLED] = {429, "Too Many Requests", "TooManyRequestsException",
                         "{\"message\":" MSG_VAR "}"},
    [GH_GW_UNAUTHORIZED] = {401, "Unauthorized", "UnauthorizedException",
                            "{\"message\":" MSG_VAR "}"},
    /* LocalStack's AWS-validated handler sends BadRequestException here, not an
     * UnsupportedMediaTypeException. */
    [GH_GW_UNSUPPORTED_MEDIA_TYPE] = {415, "Unsupported Media Type", "BadRequestException",
                                      "{\"message\":" MSG_VAR "}"},
    [GH_GW_WAF_FILTERED] = {403, "Forbidden", "WafFilteredException",
                            "{\"message\":" MSG_VAR "}"},
};

static const gw_default *row(gh_gw_type t)
{
    return (unsigned)t < GH_GW__COUNT ? &defaults[t] : &defaults[GH_GW_DEFAULT_5XX];
}

int gh_gw_default_status(gh_gw_type t)
{
    return row(t)->status;
}

const char *gh_gw_default_message(gh_gw_type t)
{
    return row(t)->message;
}

const char *gh_gw_error_type(gh_gw_type t)
{
    return row(t)->error_type;
}

/* JSON string literal for s, or null: what $context.error.messageString renders. */
static void put_json_string(gh_buf *b, const char *s)
{
    if (!s) {
        gh_buf_puts(b, "null");
        return;
    }
    gh_buf_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': gh_buf_puts(b, "\\\""); break;
        case '\\': gh_buf_puts(b, "\\\\"); break;
        case '\n': gh_buf_puts(b, "\\n"); break;
        case '\r': gh_buf_puts(b, "\\r"); break;
        case '\t': gh_buf_puts(b, "\\t"); break;
        default:
            if (*p < 0x20)
                gh_buf_printf(b, "\\u%04x", *p);
            else
                gh_buf_putc(b, (char)*p);
        }
    }
    gh_buf_putc(b, '"');
}

/* The built-in body: the row's shape with the message substituted. */
static void render_default_body(gh_invocation *inv, const gw_default *d, const char *msg)
{
    gh_buf b = GH_BUF_INIT;
    const char *at = strstr(d->body, MSG_VAR);
    gh_buf_append(&b, d->body, (size_t)(at - d->body));
    put_json_string(&b, msg);
    gh_buf_puts(&b, at + strlen(MSG_VAR));
    inv->resp->body = gh_arena_memdup(inv->arena, b.data, b.len + 1);
    inv->resp->body_len = b.len;
    gh_buf_free(&b);
}

/* The configured response that applies to t, or NULL for the built-in default:
 * the type's own entry, else DEFAULT_4XX/DEFAULT_5XX by the type's default status
 * class. REQUEST_TOO_LARGE cannot be customised (AWS docs). */
static const gh_gw_override *override_for(const gh_api *api, gh_gw_type t)
{
    if (!api || (unsigned)t >= GH_GW__COUNT || t == GH_GW_REQUEST_TOO_LARGE)
        return NULL;
    if (api->gateway_responses[t].set)
        return &api->gateway_responses[t];
    gh_gw_type fallback = row(t)->status >= 500 ? GH_GW_DEFAULT_5XX : GH_GW_DEFAULT_4XX;
    if (api->gateway_responses[fallback].set)
        return &api->gateway_responses[fallback];
    return NULL;
}

/* Templates are keyed by media type; AWS serves application/json when present. Returns
 * the index into ov->templates, or -1 when there is none. */
static long pick_template(const gh_gw_override *ov)
{
    if (!ov || ov->templates.n == 0)
        return -1;
    for (size_t i = 0; i < ov->templates.n; i++)
        if (strcmp(ov->templates.items[i].key, "application/json") == 0)
            return (long)i;
    return 0;
}

/* Renders template i of ov by simple substitution, as AWS does: "A GatewayResponse
 * mapping template isn't processed by the VTL engine"
 * (x-amazon-apigateway-gateway-responses.responseTemplates). */
static void render_template(gh_invocation *inv, const gh_gw_override *ov, size_t i)
{
    const char *text = ov->templates.items[i].value;
    size_t len = 0;
    char *body = gh_template_render_simple(inv, text, strlen(text), &len);
    inv->resp->body = body;
    inv->resp->body_len = body ? len : 0;
}

#define HEADER_PREFIX "gatewayresponse.header."

void gh_gw_render(gh_invocation *inv)
{
    gh_gw_type t = inv->fail_type;
    const gw_default *d = row(t);
    const gh_gw_override *ov = override_for(inv->api, t);
    gh_response *resp = inv->resp;
    gh_arena *a = inv->arena;

    /* $context.error.message(String) in a custom template is the type's message too. */
    if (!inv->fail_message)
        inv->fail_message = d->message;

    resp->status = d->status;
    if (inv->fail_status)
        resp->status = inv->fail_status;
    if (ov && ov->status)
        resp->status = ov->status;

    resp->headers.n = 0;
    const char *content_type = "application/json";
    long tpl = pick_template(ov);
    if (tpl >= 0) {
        render_template(inv, ov, (size_t)tpl);
        content_type = ov->templates.items[tpl].key;
    } else {
        render_default_body(inv, d, inv->fail_message);
    }
    gh_headers_add(a, &resp->headers, "Content-Type", content_type);

    if (ov) {
        size_t plen = strlen(HEADER_PREFIX);
        for (size_t i = 0; i < ov->parameters.n; i++) {
            const gh_kv *p = &ov->parameters.items[i];
            if (strncmp(p->key, HEADER_PREFIX, plen) != 0 || !p->key[plen])
                continue;
            const char *v = gh_param_source(inv, p->value);
            if (v)
                gh_headers_set(a, &resp->headers, p->key + plen, v);
        }
    }

    gh_headers_set(a, &resp->headers, "x-amzn-ErrorType",
                   inv->fail_error_type ? inv->fail_error_type : d->error_type);
    if (inv->req) {
        gh_headers_set(a, &resp->headers, "x-amzn-RequestId", inv->req->request_id);
        gh_headers_set(a, &resp->headers, "x-amz-apigw-id", inv->req->extended_id);
    }
}

const gh_gw_override *gh_gw_override_for(const gh_api *api, gh_gw_type t)
{
    return override_for(api, t);
}

const gh_kv *gh_gw_template_for(const gh_gw_override *ov)
{
    long i = pick_template(ov);
    return i < 0 ? NULL : &ov->templates.items[i];
}
