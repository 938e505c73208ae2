/* The Lambda proxy event, payload 1.0, as REST APIs send it (set-up-lambda-proxy-
 * integrations, "Input format of a Lambda function for proxy integration"; recorded
 * shape: LocalStack test_apigateway_lambda.snapshot.json, test_lambda_aws_proxy_
 * integration). Every top-level key is always present; an absent map is null, never {}. */
#include "integration/proxy_event.h"

#include <string.h>
#include <strings.h>

#include "integration/context.h"
#include "integration/media.h"
#include "util/base64.h"
#include "util/utf8.h"
#include "util/url.h"

/* Request headers API Gateway drops before any integration, proxies included
 * (aws-api-gateway.md §1.4, recorded); Content-Length is recomputed for the backend and
 * never appears in a recorded event. */
static const struct {
    const char *name;
    size_t len;
} dropped_headers[] = {
#define H(n) {n, sizeof n - 1}
    H("Connection"), H("Content-Length"), H("Content-MD5"), H("Expect"),
    H("Max-Forwards"), H("Proxy-Authenticate"), H("Server"), H("TE"),
    H("Transfer-Encoding"), H("Trailer"), H("Upgrade"), H("WWW-Authenticate"),
#undef H
};

/* Runs for every request header: the length test spares most case-folding compares. */
static int dropped(const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < sizeof dropped_headers / sizeof *dropped_headers; i++)
        if (dropped_headers[i].len == len && strcasecmp(name, dropped_headers[i].name) == 0)
            return 1;
    return 0;
}

/* Request data is whatever the client sent. API Gateway reads it as UTF-8 with
 * replacement (so undeclared binary bodies arrive mangled, as on AWS), and a handler
 * must be able to json.encode what it was given. Valid text is borrowed, not copied:
 * it lives in the request's arena or the model, as long as the event. */
static const gh_value *bytes(gh_arena *a, const char *s, size_t n)
{
    if (gh_utf8_valid(s, n))
        return gh_value_strn(a, s, n);
    char *fixed = gh_arena_alloc(a, 3 * n + 1);
    return gh_value_strn(a, fixed, gh_utf8_repair(s, n, fixed));
}

static const gh_value *str_or_null(gh_arena *a, const char *s)
{
    return s ? bytes(a, s, strlen(s)) : gh_value_null();
}

/* One name of a value map: its first spelling, its last value, every value in order. */
typedef struct group {
    const char *name;
    size_t len;
    const gh_value *last;
    gh_value *all;
} group;

/* Builds the single- and multi-value maps from (name, value) pairs in arrival order:
 * the single map keeps the last value, the multi map every value in order, both under
 * the first spelling of the name and in order of first appearance. Header names compare
 * case-insensitively, query names exactly. Both null when there are no pairs. */
static void value_maps(gh_arena *a, const gh_headers *h, int headers, const gh_value **single,
                       const gh_value **multi)
{
    group *groups = h->n ? gh_arena_alloc(a, h->n * sizeof *groups) : NULL;
    size_t ngroups = 0;
    for (size_t i = 0; i < h->n; i++) {
        const char *name = h->items[i].name, *value = h->items[i].value;
        if (headers && dropped(name))
            continue;
        size_t nlen = strlen(name);
        if (!gh_utf8_valid(name, nlen)) { /* a decoded query name can be any bytes */
            char *fixed = gh_arena_alloc(a, 3 * nlen + 1);
            nlen = gh_utf8_repair(name, nlen, fixed);
            name = fixed;
        }
        group *g = NULL;
        for (size_t j = 0; j < ngroups && !g; j++)
            if (groups[j].len == nlen && (headers ? strncasecmp(groups[j].name, name, nlen)
                                                  : memcmp(groups[j].name, name, nlen)) == 0)
                g = &groups[j];
        if (!g) {
            g = &groups[ngroups++];
            *g = (group){name, nlen, NULL, gh_value_array(a, 1)};
        }
        /* One string node in both maps: the tree is immutable once built. */
        g->last = bytes(a, value, strlen(value));
        gh_value_append(a, g->all, g->last);
    }
    if (!ngroups) {
        *single = gh_value_null();
        *multi = gh_value_null();
        return;
    }
    gh_value *s = gh_value_object(a, ngroups), *m = gh_value_object(a, ngroups);
    for (size_t j = 0; j < ngroups; j++) {
        gh_value_setn(a, s, groups[j].name, groups[j].len, groups[j].last);
        gh_value_setn(a, m, groups[j].name, groups[j].len, groups[j].all);
    }
    *single = s;
    *multi = m;
}

/* Keys are literals: valid UTF-8 by construction, their length known at compile time. */
#define SET(obj, key, value) gh_value_setn(a, obj, key, sizeof key - 1, value)

const gh_value *gh_proxy_request_context_value(const gh_invocation *inv)
{
    gh_arena *a = inv->arena;
    gh_value *rc = gh_value_object(a, 18);
#define CTX(key) SET(rc, key, str_or_null(a, gh_context_get(inv, key)))
    CTX("accountId");
    CTX("apiId");
    /* Only when an authorizer let the call in: AWS's events for methods without one have
     * no authorizer key (powertools-ts apigw-rest-console-test-ui.json), and the REQUEST
     * authorizer's own event never has one (it runs before anything is decided). */
    if (inv->authorizer)
        SET(rc, "authorizer", inv->authorizer);
    CTX("deploymentId");
    CTX("domainName");
    CTX("domainPrefix");
    CTX("extendedRequestId");
    CTX("httpMethod");
    /* identity: every key present, null unless IAM/Cognito/API keys fill it (recorded).
     * The $context name is spelled out beside each key so no name is formatted per
     * request. */
    static const struct {
        const char *key, *var;
    } identity[] = {
        {"accessKey", "identity.accessKey"},
        {"accountId", "identity.accountId"},
        {"caller", "identity.caller"},
        {"cognitoAuthenticationProvider", "identity.cognitoAuthenticationProvider"},
        {"cognitoAuthenticationType", "identity.cognitoAuthenticationType"},
        {"cognitoIdentityId", "identity.cognitoIdentityId"},
        {"cognitoIdentityPoolId", "identity.cognitoIdentityPoolId"},
        {"principalOrgId", "identity.principalOrgId"},
        {"sourceIp", "identity.sourceIp"},
        {"user", "identity.user"},
        {"userAgent", "identity.userAgent"},
        {"userArn", "identity.userArn"},
    };
    size_t nid = sizeof identity / sizeof *identity;
    gh_value *id = gh_value_object(a, nid);
    for (size_t i = 0; i < nid; i++)
        gh_value_set(a, id, identity[i].key, str_or_null(a, gh_context_get(inv, identity[i].var)));
    SET(rc, "identity", id);
    CTX("path");
    CTX("protocol");
    CTX("requestId");
    CTX("requestTime");
    /* A number in the event, unlike the string $context.requestTimeEpoch renders. */
    SET(rc, "requestTimeEpoch", inv->req ? gh_value_int(a, inv->req->time_ms) : gh_value_null());
    CTX("resourceId");
    CTX("resourcePath");
    CTX("stage");
#undef CTX
    return rc;
}

json_t *gh_proxy_request_context(const gh_invocation *inv)
{
    return gh_value_to_json(gh_proxy_request_context_value(inv));
}

static const gh_value *path_parameters(const gh_invocation *inv)
{
    gh_arena *a = inv->arena;
    if (!inv->npath_params)
        return gh_value_null();
    gh_value *o = gh_value_object(a, inv->npath_params);
    for (size_t i = 0; i < inv->npath_params; i++)
        gh_value_set(a, o, inv->path_params[i].name, str_or_null(a, inv->path_params[i].value));
    return o;
}

static const gh_value *stage_variables(const gh_invocation *inv)
{
    gh_arena *a = inv->arena;
    if (!inv->stage || !inv->stage->variables.n)
        return gh_value_null();
    gh_value *o = gh_value_object(a, inv->stage->variables.n);
    for (size_t i = 0; i < inv->stage->variables.n; i++)
        gh_value_set(a, o, inv->stage->variables.items[i].key,
                     str_or_null(a, inv->stage->variables.items[i].value));
    return o;
}

const gh_value *gh_proxy_event_v1_value(const gh_invocation *inv)
{
    const gh_request *req = inv->req;
    gh_arena *a = inv->arena;
    gh_value *ev = gh_value_object(a, 14);
    SET(ev, "resource", str_or_null(a, inv->resource ? inv->resource->path : NULL));
    SET(ev, "path", str_or_null(a, inv->path));
    SET(ev, "httpMethod", str_or_null(a, req ? req->method : NULL));

    const gh_value *single, *multi;
    gh_headers none = {0};
    value_maps(a, req ? &req->headers : &none, 1, &single, &multi);
    SET(ev, "headers", single);
    SET(ev, "multiValueHeaders", multi);

    gh_headers query = {0};
    if (req && req->query)
        gh_query_parse(a, req->query, &query);
    value_maps(a, &query, 0, &single, &multi);
    SET(ev, "queryStringParameters", single);
    SET(ev, "multiValueQueryStringParameters", multi);

    SET(ev, "pathParameters", path_parameters(inv));
    SET(ev, "stageVariables", stage_variables(inv));
    SET(ev, "requestContext", gh_proxy_request_context_value(inv));

    /* Body: null when empty; base64 with isBase64Encoded when the request Content-Type
     * is one of the API's binaryMediaTypes (lambda-proxy-binary-media). */
    int binary = 0;
    if (!req || !req->body || !req->body_len) {
        SET(ev, "body", gh_value_null());
    } else {
        const char *type = gh_media_type(a, gh_headers_get(&req->headers, "Content-Type"));
        binary = gh_media_is_binary(inv->api, type);
        if (binary)
            SET(ev, "body", gh_value_str(a, gh_base64_encode(a, req->body, req->body_len)));
        else
            SET(ev, "body", bytes(a, req->body, req->body_len));
    }
    SET(ev, "isBase64Encoded", gh_value_bool(binary));
    return ev;
}

json_t *gh_proxy_event_v1(const gh_invocation *inv)
{
    return gh_value_to_json(gh_proxy_event_v1_value(inv));
}
