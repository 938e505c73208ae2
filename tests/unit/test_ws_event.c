/* websocket/ws_event: CONNECT, MESSAGE and DISCONNECT events built from the values of
 * real recorded events (tests/data/events) and compared with them field by field, key
 * order included where the sample is a plain recording. The hybrid samples (REST fields
 * pasted into a WebSocket event, times that disagree with their epochs) are compared on
 * the fields they record faithfully; the rest are listed beside each case. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/value.h"
#include "websocket/ws_event.h"

static json_t *load_event(const char *file)
{
    const char *root = getenv("GH_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/events/%s", root ? root : ".", file);
    json_error_t err;
    json_t *j = json_load_file(path, 0, &err);
    if (!j)
        fail_msg("%s: %s", path, err.text);
    return j;
}

static const char *s(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

static int64_t i64(json_t *obj, const char *key)
{
    return json_integer_value(json_object_get(obj, key));
}

/* The input a sample implies: its requestContext's values, and its headers (from the
 * multi-value map, which keeps every value) and query. */
static gh_ws_event_in input_from(gh_arena *a, json_t *ev, gh_headers *h)
{
    json_t *rc = json_object_get(ev, "requestContext"), *id = json_object_get(rc, "identity");
    gh_ws_event_in in = {
        .event_type = s(rc, "eventType"),
        .route_key = s(rc, "routeKey"),
        .connection_id = s(rc, "connectionId"),
        .connected_at_ms = i64(rc, "connectedAt"),
        .message_id = s(rc, "messageId"),
        .stage = s(rc, "stage"),
        .domain_name = s(rc, "domainName"),
        .api_id = s(rc, "apiId"),
        .request_id = s(rc, "requestId"),
        .extended_request_id = s(rc, "extendedRequestId"),
        .request_time_ms = i64(rc, "requestTimeEpoch"),
        .source_ip = s(id, "sourceIp"),
        .user_agent = s(id, "userAgent"),
        .disconnect_status_code = (int)i64(rc, "disconnectStatusCode"),
        .disconnect_reason = s(rc, "disconnectReason"),
    };
    if (json_is_string(json_object_get(ev, "body"))) {
        in.body = s(ev, "body");
        in.body_len = json_string_length(json_object_get(ev, "body"));
    }
    const char *name;
    json_t *vals;
    json_object_foreach(json_object_get(ev, "multiValueHeaders"), name, vals) {
        size_t i;
        json_t *v;
        json_array_foreach(vals, i, v)
            gh_headers_add(a, h, name, json_string_value(v));
    }
    in.headers = h;
    json_t *q = json_object_get(ev, "multiValueQueryStringParameters");
    if (json_object_size(q)) {
        char *query = "";
        json_object_foreach(q, name, vals) {
            size_t i;
            json_t *v;
            json_array_foreach(vals, i, v)
                query = gh_arena_printf(a, "%s%s%s=%s", query, *query ? "&" : "", name,
                                        json_string_value(v));
        }
        in.query = query;
    }
    return in;
}

static int in_list(const char *key, const char *const *list)
{
    for (; list && *list; list++)
        if (strcmp(*list, key) == 0)
            return 1;
    return 0;
}

/* Every member of ours equals theirs, and theirs has no member we lack, except the
 * listed ones (known, explained differences). */
static void same_fields(const char *what, json_t *ours, json_t *theirs, const char *const *skip)
{
    const char *key;
    json_t *v;
    json_object_foreach(ours, key, v) {
        if (in_list(key, skip))
            continue;
        json_t *t = json_object_get(theirs, key);
        if (!t)
            fail_msg("%s: we send '%s', the real event has no such key", what, key);
        if (!json_equal(v, t)) {
            char *o = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
            char *r = json_dumps(t, JSON_COMPACT | JSON_ENCODE_ANY);
            fail_msg("%s.%s: ours %s, real %s", what, key, o, r);
        }
    }
    json_object_foreach(theirs, key, v) {
        if (!json_object_get(ours, key) && !in_list(key, skip))
            fail_msg("%s: the real event has '%s', we do not send it", what, key);
    }
}

/* The same text, key order included: a plain recording must come out identical. */
static void same_text(json_t *ours, json_t *theirs)
{
    char *o = json_dumps(ours, JSON_COMPACT), *r = json_dumps(theirs, JSON_COMPACT);
    assert_string_equal(o, r);
    free(o);
    free(r);
}

static json_t *build(gh_arena *a, const gh_ws_event_in *in)
{
    return gh_value_to_json(gh_ws_event(a, in));
}

static void message_matches_recording(void **state)
{
    (void)state;
    gh_arena *a = gh_arena_new(4096);
    json_t *real = load_event("aws-lambda-go__apigw-websocket-request-send-message.json");
    gh_headers h = {0};
    gh_ws_event_in in = input_from(a, real, &h);
    json_t *ours = build(a, &in);
    same_text(ours, real);
    json_decref(ours);
    json_decref(real);
    gh_arena_free(a);
}

static void disconnect_matches_recording(void **state)
{
    (void)state;
    gh_arena *a = gh_arena_new(4096);
    json_t *real = load_event("aws-lambda-go__apigw-websocket-request-disconnect.json");
    gh_headers h = {0};
    gh_ws_event_in in = input_from(a, real, &h);
    in.headers = NULL; /* DISCONNECT carries AWS's own headers, whatever the client sent */
    json_t *ours = build(a, &in);
    same_text(ours, real);
    json_decref(ours);
    json_decref(real);
    gh_arena_free(a);
}

/* powertools-ts: a $connect REQUEST-authorizer event. type, methodArn and stageVariables
 * belong to the authorizer event, body: null too (no $connect event has a body); its
 * requestTime (Oct 2024) disagrees with its requestTimeEpoch (Jan 2023); Connection,
 * content-length and Upgrade are handshake headers the Lambda event never carries. */
static void connect_matches_powertools(void **state)
{
    (void)state;
    gh_arena *a = gh_arena_new(4096);
    json_t *real = load_event("powertools-ts__apigw-websocket-connectEvent.json");
    gh_headers h = {0};
    gh_ws_event_in in = input_from(a, real, &h);
    json_t *ours = build(a, &in);
    static const char *const top[] = {"type", "methodArn", "stageVariables", "body",
                                      "headers", "multiValueHeaders", "requestContext", NULL};
    same_fields("event", ours, real, top);
    static const char *const hop[] = {"Connection", "content-length", "Upgrade", NULL};
    same_fields("headers", json_object_get(ours, "headers"), json_object_get(real, "headers"), hop);
    same_fields("multiValueHeaders", json_object_get(ours, "multiValueHeaders"),
                json_object_get(real, "multiValueHeaders"), hop);
    static const char *const time[] = {"requestTime", NULL};
    same_fields("requestContext", json_object_get(ours, "requestContext"),
                json_object_get(real, "requestContext"), time);
    assert_string_equal(s(json_object_get(ours, "requestContext"), "requestTime"),
                        "19/Jan/2023:21:13:26 +0000");
    json_decref(ours);
    json_decref(real);
    gh_arena_free(a);
}

/* REST proxy fields the hybrid samples paste into a WebSocket event: AWS sends none of
 * them to a WebSocket route (§9.2), so we never do. */
static const char *const rest_top[] = {"resource", "path", "httpMethod", "pathParameters",
                                       "stageVariables", "body", "requestContext", "headers",
                                       NULL};
static const char *const rest_ctx[] = {
    "accountId", "resourceId", "resourcePath", "httpMethod", "authorizer", "error",
    "integrationLatency", "status", "messageId", "requestTime", "identity", NULL};

/* aws-lambda-go's apigw-websocket-request.json: its headers map belongs to a REST
 * request (it disagrees with its multiValueHeaders, which is a real handshake), its
 * requestTimeEpoch is 0 beside a 2019 requestTime, and its identity is REST's. */
static void connect_matches_lambda_go(void **state)
{
    (void)state;
    gh_arena *a = gh_arena_new(4096);
    json_t *real = load_event("aws-lambda-go__apigw-websocket-request.json");
    gh_headers h = {0};
    gh_ws_event_in in = input_from(a, real, &h);
    json_t *ours = build(a, &in);
    same_fields("event", ours, real, rest_top);
    same_fields("requestContext", json_object_get(ours, "requestContext"),
                json_object_get(real, "requestContext"), rest_ctx);
    json_t *id = json_object_get(json_object_get(ours, "requestContext"), "identity");
    assert_string_equal(s(id, "sourceIp"), "192.168.196.186");
    assert_string_equal(s(id, "userAgent"), "PostmanRuntime/2.4.5");
    assert_int_equal(json_object_size(id), 2);
    /* Our headers are the handshake's, last value per name. */
    json_t *oh = json_object_get(ours, "headers");
    assert_int_equal(json_object_size(oh), 8);
    assert_string_equal(s(oh, "Sec-WebSocket-Version"), "13");
    assert_string_equal(s(oh, "Host"), "*.execute-api.eu-central-1.amazonaws.com");
    json_decref(ours);
    json_decref(real);
    gh_arena_free(a);
}

/* java-libs' apigw_websocket_event.json: consistent handshake headers and query, compared
 * whole; REST fields as above, a messageId on a CONNECT (AWS sends it on MESSAGE only),
 * requestTime (Apr 2020) off its epoch (Mar 2020). */
static void connect_matches_java(void **state)
{
    (void)state;
    gh_arena *a = gh_arena_new(4096);
    json_t *real = load_event("java-libs__apigw_websocket_event.json");
    gh_headers h = {0};
    gh_ws_event_in in = input_from(a, real, &h);
    in.message_id = NULL;
    json_t *ours = build(a, &in);
    static const char *const top[] = {"resource", "path", "httpMethod", "pathParameters",
                                      "stageVariables", "body", "requestContext", NULL};
    same_fields("event", ours, real, top);
    same_fields("requestContext", json_object_get(ours, "requestContext"),
                json_object_get(real, "requestContext"), rest_ctx);
    json_decref(ours);
    json_decref(real);
    gh_arena_free(a);
}

static void binary_message_and_query(void **state)
{
    (void)state;
    gh_arena *a = gh_arena_new(4096);
    gh_ws_event_in in = {.event_type = "MESSAGE", .route_key = "$default", .message_id = "m=",
                         .body = "\x00\xff\x01", .body_len = 3, .binary = true,
                         .request_time_ms = 0, .source_ip = "127.0.0.1"};
    json_t *ev = build(a, &in);
    assert_string_equal(s(ev, "body"), "AP8B");
    assert_true(json_is_true(json_object_get(ev, "isBase64Encoded")));
    json_t *rc = json_object_get(ev, "requestContext");
    assert_string_equal(s(rc, "requestTime"), "01/Jan/1970:00:00:00 +0000");
    assert_string_equal(s(rc, "messageDirection"), "IN");
    assert_null(json_object_get(json_object_get(rc, "identity"), "userAgent"));
    assert_null(json_object_get(ev, "headers"));
    json_decref(ev);

    /* Invalid UTF-8 text arrives with replacement characters, as API Gateway reads it. */
    gh_ws_event_in txt = {.event_type = "MESSAGE", .body = "a\xffz", .body_len = 3};
    ev = build(a, &txt);
    assert_string_equal(s(ev, "body"), "a\xef\xbf\xbdz");
    assert_true(json_is_false(json_object_get(ev, "isBase64Encoded")));
    json_decref(ev);

    /* Repeated names: last value single, all values in order multi; a CONNECT without a
     * query has neither query key; the authorizer context is passed through. */
    gh_headers h = {0};
    gh_headers_add(a, &h, "X-A", "1");
    gh_headers_add(a, &h, "Upgrade", "websocket");
    gh_headers_add(a, &h, "x-a", "2");
    gh_value *auth = gh_value_object(a, 1);
    gh_value_set(a, auth, "principalId", gh_value_str(a, "me"));
    gh_ws_event_in c = {.event_type = "CONNECT", .route_key = "$connect", .headers = &h,
                        .query = "k=1&k=2&j", .authorizer = auth};
    ev = build(a, &c);
    char *dump = json_dumps(ev, JSON_COMPACT);
    assert_string_equal(
        dump,
        "{\"headers\":{\"X-A\":\"2\"},\"multiValueHeaders\":{\"X-A\":[\"1\",\"2\"]},"
        "\"queryStringParameters\":{\"k\":\"2\",\"j\":\"\"},"
        "\"multiValueQueryStringParameters\":{\"k\":[\"1\",\"2\"],\"j\":[\"\"]},"
        "\"requestContext\":{\"routeKey\":\"$connect\",\"eventType\":\"CONNECT\","
        "\"extendedRequestId\":null,\"requestTime\":\"01/Jan/1970:00:00:00 +0000\","
        "\"messageDirection\":\"IN\",\"stage\":null,\"connectedAt\":0,\"requestTimeEpoch\":0,"
        "\"identity\":{\"sourceIp\":null},\"authorizer\":{\"principalId\":\"me\"},"
        "\"requestId\":null,\"domainName\":null,\"connectionId\":null,\"apiId\":null},"
        "\"isBase64Encoded\":false}");
    free(dump);
    json_decref(ev);
    c.query = NULL;
    ev = build(a, &c);
    assert_null(json_object_get(ev, "queryStringParameters"));
    assert_null(json_object_get(ev, "multiValueQueryStringParameters"));
    json_decref(ev);
    gh_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(message_matches_recording),
        cmocka_unit_test(disconnect_matches_recording),
        cmocka_unit_test(connect_matches_powertools),
        cmocka_unit_test(connect_matches_lambda_go),
        cmocka_unit_test(connect_matches_java),
        cmocka_unit_test(binary_message_and_query),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
