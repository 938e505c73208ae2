/* The Lambda proxy event, payload 1.0, as REST APIs send it (set-up-lambda-proxy-
 * integrations, "Input format of a Lambda function for proxy integration"; recorded
 * shape: LocalStack test_apigateway_lambda.snapshot.json, test_lambda_aws_proxy_
 * integration). Every top-level key is always present; an absent map is null, never {}. */
#include "integration/proxy_event.h"

#include <stdio.h>
#include <stdlib.h>
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
 * must be able to json.encode what it was given. */
static json_t *bytes(const char *s, size_t n)
{
    if (gh_utf8_valid(s, n))
        return json_stringn_nocheck(s, n);
    char *fixed = malloc(3 * n + 1);
    if (!fixed)
        return json_null();
    size_t len = gh_utf8_repair(s, n, fixed);
    json_t *j = json_stringn_nocheck(fixed, len);
    free(fixed);
    return j;
}

static json_t *str_or_null(const char *s)
{
    return s ? bytes(s, strlen(s)) : json_null();
}

/* Key in obj matching name case-insensitively (header names), or NULL. */
static const char *find_key_ci(json_t *obj, const char *name)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        if (strcasecmp(key, name) == 0)
            return key;
    }
    return NULL;
}

/* Builds the single- and multi-value maps from (name, value) pairs in arrival order:
 * the single map keeps the last value, the multi map every value in order, both under
 * the first spelling of the name. Header names compare case-insensitively, query names
 * exactly. Both NULL (JSON null) when there are no pairs. */
static void value_maps(gh_arena *a, const gh_headers *h, int headers, json_t **single,
                       json_t **multi)
{
    json_t *s = json_object(), *m = json_object();
    for (size_t i = 0; i < h->n; i++) {
        const char *name = h->items[i].name, *value = h->items[i].value;
        if (headers && dropped(name))
            continue;
        size_t nlen = strlen(name);
        if (!gh_utf8_valid(name, nlen)) { /* a decoded query name can be any bytes */
            char *fixed = gh_arena_alloc(a, 3 * nlen + 1);
            gh_utf8_repair(name, nlen, fixed);
            name = fixed;
        }
        const char *key = headers ? find_key_ci(m, name) : (json_object_get(m, name) ? name : NULL);
        if (!key)
            key = name;
        json_t *arr = json_object_get(m, key);
        if (!arr) {
            arr = json_array();
            json_object_set_new(m, key, arr);
        }
        /* One string in both maps: jansson strings are immutable and refcounted. */
        json_t *v = bytes(value, strlen(value));
        json_array_append(arr, v);
        json_object_set_new(s, key, v);
    }
    if (json_object_size(m) == 0) {
        json_decref(s);
        json_decref(m);
        *single = json_null();
        *multi = json_null();
        return;
    }
    *single = s;
    *multi = m;
}

/* Keys are literals (valid UTF-8 by construction), so the _nocheck setters skip
 * jansson's per-key UTF-8 scan; values still go through str_or_null. */
#define SET(obj, key, value) json_object_set_new_nocheck(obj, key, value)

json_t *gh_proxy_request_context(const gh_invocation *inv)
{
    json_t *rc = json_object();
#define CTX(key) SET(rc, key, str_or_null(gh_context_get(inv, key)))
    CTX("accountId");
    CTX("apiId");
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
    json_t *id = json_object();
    for (size_t i = 0; i < sizeof identity / sizeof *identity; i++)
        SET(id, identity[i].key, str_or_null(gh_context_get(inv, identity[i].var)));
    SET(rc, "identity", id);
    CTX("path");
    CTX("protocol");
    CTX("requestId");
    CTX("requestTime");
    /* A number in the event, unlike the string $context.requestTimeEpoch renders. */
    SET(rc, "requestTimeEpoch", inv->req ? json_integer(inv->req->time_ms) : json_null());
    CTX("resourceId");
    CTX("resourcePath");
    CTX("stage");
#undef CTX
    return rc;
}

static json_t *path_parameters(const gh_invocation *inv)
{
    if (!inv->npath_params)
        return json_null();
    json_t *o = json_object();
    for (size_t i = 0; i < inv->npath_params; i++) {
        const char *v = inv->path_params[i].value;
        json_object_set_new(o, inv->path_params[i].name, bytes(v, strlen(v)));
    }
    return o;
}

static json_t *stage_variables(const gh_invocation *inv)
{
    if (!inv->stage || !inv->stage->variables.n)
        return json_null();
    json_t *o = json_object();
    for (size_t i = 0; i < inv->stage->variables.n; i++)
        json_object_set_new(o, inv->stage->variables.items[i].key,
                            json_string(inv->stage->variables.items[i].value));
    return o;
}

json_t *gh_proxy_event_v1(const gh_invocation *inv)
{
    const gh_request *req = inv->req;
    json_t *ev = json_object();
    SET(ev, "resource", str_or_null(inv->resource ? inv->resource->path : NULL));
    SET(ev, "path", str_or_null(inv->path));
    SET(ev, "httpMethod", str_or_null(req ? req->method : NULL));

    json_t *single, *multi;
    gh_headers none = {0};
    value_maps(inv->arena, req ? &req->headers : &none, 1, &single, &multi);
    SET(ev, "headers", single);
    SET(ev, "multiValueHeaders", multi);

    gh_headers query = {0};
    if (req && req->query)
        gh_query_parse(inv->arena, req->query, &query);
    value_maps(inv->arena, &query, 0, &single, &multi);
    SET(ev, "queryStringParameters", single);
    SET(ev, "multiValueQueryStringParameters", multi);

    SET(ev, "pathParameters", path_parameters(inv));
    SET(ev, "stageVariables", stage_variables(inv));
    SET(ev, "requestContext", gh_proxy_request_context(inv));

    /* Body: null when empty; base64 with isBase64Encoded when the request Content-Type
     * is one of the API's binaryMediaTypes (lambda-proxy-binary-media). */
    int binary = 0;
    if (!req || !req->body || !req->body_len) {
        SET(ev, "body", json_null());
    } else {
        const char *type = gh_media_type(inv->arena, gh_headers_get(&req->headers, "Content-Type"));
        binary = gh_media_is_binary(inv->api, type);
        if (binary) {
            char *b64 = gh_base64_encode(inv->arena, req->body, req->body_len);
            SET(ev, "body", json_string(b64));
        } else {
            SET(ev, "body", bytes(req->body, req->body_len));
        }
    }
    SET(ev, "isBase64Encoded", json_boolean(binary));
    return ev;
}
