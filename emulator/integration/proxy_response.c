/* Lambda proxy (payload 1.0) output -> HTTP response, validated as AWS does (see
 * proxy_response.h). */
#include "integration/proxy_response.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "integration/media.h"
#include "integration/runners.h"
#include "util/base64.h"
#include "util/json_text.h"

/* Names API Gateway owns on the way out; a backend's own value survives under
 * x-amzn-Remapped-<name> (recorded; http-proxy and Lambda proxy alike). */
static const char *const remapped[] = {
    "Authorization", "Connection", "Content-Length", "Content-MD5",
    "Date",          "Expect",     "Host",           "Max-Forwards",
    "Proxy-Authenticate", "Server", "Trailer",       "Upgrade",
    "User-Agent",    "WWW-Authenticate",
};

const char *gh_proxy_header_name(gh_arena *a, const char *name)
{
    for (size_t i = 0; i < sizeof remapped / sizeof *remapped; i++)
        if (strcasecmp(name, remapped[i]) == 0)
            return gh_arena_printf(a, "x-amzn-Remapped-%s", name);
    return name;
}

static int malformed(gh_invocation *inv, const char *why)
{
    /* AWS logs "Execution failed due to configuration error: Malformed Lambda proxy
     * response" and answers 502. */
    return gh_integration_fail(inv, GH_GW_API_CONFIGURATION_ERROR, 502, GH_INTERNAL_ERROR_MESSAGE,
                               "Malformed Lambda proxy response: %s", why);
}

/* Header value as text: strings as they are, booleans as true/false (recorded), numbers
 * in JSON notation. Returns 0 and *out (NULL for JSON null: no header), or -1. */
static int header_text(gh_arena *a, const json_t *v, const char **out)
{
    switch (json_typeof(v)) {
    case JSON_STRING:
        *out = gh_arena_strndup(a, json_string_value(v), json_string_length(v));
        return 0;
    case JSON_TRUE: *out = "true"; return 0;
    case JSON_FALSE: *out = "false"; return 0;
    case JSON_NULL: *out = NULL; return 0;
    case JSON_INTEGER:
        *out = gh_arena_printf(a, "%lld", (long long)json_integer_value(v));
        return 0;
    case JSON_REAL: {
        gh_buf b = GH_BUF_INIT;
        gh_json_number(json_real_value(v), &b);
        *out = gh_arena_strndup(a, b.data, b.len);
        gh_buf_free(&b);
        return 0;
    }
    default: return -1;
    }
}

/* statusCode: an integer, or a string holding one ("201" is 201, "test" is malformed). */
static int status_code(const json_t *v, int *out)
{
    long long s;
    if (!v || json_is_null(v)) {
        *out = 200;
        return 0;
    }
    if (json_is_integer(v)) {
        s = json_integer_value(v);
    } else if (json_is_real(v)) {
        /* Range first: converting a double outside long long's range is undefined,
         * and a script can return statusCode = 1e300. */
        double d = json_real_value(v);
        if (!(d >= 100.0 && d <= 599.0) || d != (double)(long long)d)
            return -1;
        s = (long long)d;
    } else if (json_is_string(v)) {
        const char *t = json_string_value(v);
        char *end;
        errno = 0;
        s = strtoll(t, &end, 10);
        while (*end == ' ')
            end++;
        if (end == t || *end || errno)
            return -1;
    } else {
        return -1;
    }
    if (s < 100 || s > 599)
        return -1;
    *out = (int)s;
    return 0;
}

static const json_t *get_ci(const json_t *obj, const char *name, const char **key_out)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v) {
        if (strcasecmp(key, name) == 0) {
            if (key_out)
                *key_out = key;
            return v;
        }
    }
    return NULL;
}

/* Names are copied: they are keys of the function's result, freed after this call. */
static void add_header(gh_invocation *inv, const char *name, const char *value)
{
    const char *n = gh_proxy_header_name(inv->arena, name);
    gh_headers_add(inv->arena, &inv->resp->headers,
                   n == name ? gh_arena_strdup(inv->arena, name) : n, value);
}

/* headers + multiValueHeaders -> response headers. A name in both (any case) is one
 * header: the multi values first, then the single one, under the multiValueHeaders
 * spelling (recorded: "value-multi, value-solo"). Values are sent as separate header
 * lines, which clients read as the comma-joined list AWS shows, and which keeps several
 * Set-Cookie lines intact. */
static int apply_headers(gh_invocation *inv, const json_t *single, const json_t *multi)
{
    const char *key, *text;
    json_t *v;
    if (single && !json_is_null(single)) {
        if (!json_is_object(single))
            return malformed(inv, "'headers' is not an object");
        json_object_foreach((json_t *)single, key, v) {
            if (header_text(inv->arena, v, &text) < 0)
                return malformed(inv, gh_arena_printf(inv->arena, "header '%s' is not a string", key));
            if (text && !(multi && json_is_object(multi) && get_ci(multi, key, NULL)))
                add_header(inv, key, text);
        }
    }
    if (multi && !json_is_null(multi)) {
        if (!json_is_object(multi))
            return malformed(inv, "'multiValueHeaders' is not an object");
        json_object_foreach((json_t *)multi, key, v) {
            if (json_is_null(v))
                continue;
            if (!json_is_array(v))
                return malformed(inv, gh_arena_printf(inv->arena,
                                                      "multiValueHeaders '%s' is not a list", key));
            size_t i;
            json_t *e;
            json_array_foreach(v, i, e) {
                if (header_text(inv->arena, e, &text) < 0)
                    return malformed(inv, gh_arena_printf(inv->arena,
                                                          "multiValueHeaders '%s' holds a non-string", key));
                if (text)
                    add_header(inv, key, text);
            }
            const json_t *solo = single && json_is_object(single) ? get_ci(single, key, NULL) : NULL;
            if (solo && header_text(inv->arena, solo, &text) == 0 && text)
                add_header(inv, key, text);
        }
    }
    return 0;
}

/* With isBase64Encoded, the body is decoded only when the response is binary for API
 * Gateway: the request's first Accept type or the response Content-Type is one of
 * binaryMediaTypes; otherwise the base64 text goes out as is (recorded,
 * lambda-proxy-binary-media). */
static int response_is_binary(const gh_invocation *inv)
{
    const char *accept = inv->req ? gh_headers_get(&inv->req->headers, "Accept") : NULL;
    if (gh_media_is_binary(inv->api, gh_media_first_accept(inv->arena, accept)))
        return 1;
    const char *ct = gh_headers_get(&inv->resp->headers, "Content-Type");
    return gh_media_is_binary(inv->api, gh_media_type(inv->arena, ct));
}

static int is_allowed_key(const char *key)
{
    static const char *const keys[] = {"statusCode", "headers", "multiValueHeaders", "body",
                                       "isBase64Encoded"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        if (strcmp(key, keys[i]) == 0)
            return 1;
    return 0;
}

int gh_proxy_response_apply(gh_invocation *inv, const json_t *result, gh_proxy_mode mode)
{
    if (!result || !json_is_object(result))
        return malformed(inv, "the function did not return a JSON object");
    if (mode == GH_PROXY_STRICT && json_object_size(result) == 0)
        return malformed(inv, "the function returned {}");
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)result, key, v) {
        if (!is_allowed_key(key))
            return malformed(inv, gh_arena_printf(inv->arena,
                                                  "unexpected key '%s' (allowed: statusCode, headers, "
                                                  "multiValueHeaders, body, isBase64Encoded)", key));
    }
    int status;
    if (status_code(json_object_get(result, "statusCode"), &status) < 0)
        return malformed(inv, "statusCode is not an HTTP status code");

    gh_response *resp = inv->resp;
    resp->status = status;
    resp->headers.n = 0;
    resp->body = "";
    resp->body_len = 0;
    if (apply_headers(inv, json_object_get(result, "headers"),
                      json_object_get(result, "multiValueHeaders")) < 0)
        return -1;

    const json_t *body = json_object_get(result, "body");
    const char *data = "";
    size_t len = 0;
    if (body && json_is_string(body)) {
        data = json_string_value(body);
        len = json_string_length(body);
    } else if (body && !json_is_null(body)) {
        if (mode == GH_PROXY_STRICT)
            return malformed(inv, "body is not a string");
        gh_buf t = GH_BUF_INIT;
        gh_json_text(body, true, &t);
        data = gh_arena_strndup(inv->arena, t.data, t.len);
        len = t.len;
        gh_buf_free(&t);
    }
    if (!gh_headers_has(&resp->headers, "Content-Type"))
        gh_headers_add(inv->arena, &resp->headers, "Content-Type", "application/json");
    if (json_is_true(json_object_get(result, "isBase64Encoded")) && len && response_is_binary(inv)) {
        char *bin;
        size_t blen;
        if (gh_base64_decode(inv->arena, data, len, &bin, &blen) < 0)
            return malformed(inv, "isBase64Encoded is true but body is not valid base64");
        resp->body = bin;
        resp->body_len = blen;
    } else {
        resp->body = gh_arena_memdup(inv->arena, data, len + 1);
        resp->body_len = len;
    }
    return 0;
}
