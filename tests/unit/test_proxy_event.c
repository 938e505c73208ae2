/* integration/proxy_event: the payload 1.0 event we build for the reference's example
 * request, compared key by key with real events (tests/data/events) and value by value
 * for everything derived from the request. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "integration/proxy_event.h"
#include "inv_fixture.h"

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

static int in_list(const char *key, const char *const *list)
{
    for (; list && *list; list++)
        if (strcmp(*list, key) == 0)
            return 1;
    return 0;
}

/* Every key of ours is in theirs unless listed in ours_only; every key of theirs is in
 * ours unless listed in theirs_only. */
static void same_keys(const char *what, json_t *ours, json_t *theirs, const char *const *ours_only,
                      const char *const *theirs_only)
{
    const char *key;
    json_t *v;
    json_object_foreach(ours, key, v) {
        if (!json_object_get(theirs, key) && !in_list(key, ours_only))
            fail_msg("%s: we send '%s', the real event has no such key", what, key);
    }
    json_object_foreach(theirs, key, v) {
        if (!json_object_get(ours, key) && !in_list(key, theirs_only))
            fail_msg("%s: the real event has '%s', we do not send it", what, key);
    }
}

static void keys_match_real_events(void **state)
{
    (void)state;
    /* Differences that are features we do not run here, or fields outside REST 1.0. */
    static const char *const v_only[] = {"version", NULL}; /* HTTP API payload 1.0 */
    static const char *const b64_only[] = {"isBase64Encoded", NULL}; /* predates the field */
    static const char *const deploy[] = {"deploymentId", NULL};
    static const char *const auth[] = {"authorizer", NULL};
    static const char *const cert[] = {"clientCert", NULL};
    static const char *const key_cert[] = {"apiKey", "apiKeyId", "clientCert", NULL};
    static const char *const keys[] = {"apiKey", "apiKeyId", NULL};
    static const char *const org[] = {"principalOrgId", NULL};
    static const struct {
        const char *file;
        const char *const *top_ours, *const *top_theirs;
        const char *const *rc_ours, *const *rc_theirs;
        const char *const *id_ours, *const *id_theirs;
    } cases[] = {
        {"powertools-python__apiGatewayProxyEvent.json", NULL, v_only, deploy, auth, NULL, cert},
        {"aws-lambda-go__apigw-request.json", b64_only, NULL, deploy, auth, org, key_cert},
        {"powertools-ts__apigw-rest-console-test-ui.json", NULL, NULL, deploy, NULL, NULL, keys},
    };
    inv_fixture f;
    inv_fixture_init(&f);
    json_t *ev = gh_proxy_event_v1(&f.inv);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        json_t *real = load_event(cases[i].file);
        same_keys(cases[i].file, ev, real, cases[i].top_ours, cases[i].top_theirs);
        json_t *rc = json_object_get(ev, "requestContext");
        json_t *real_rc = json_object_get(real, "requestContext");
        same_keys(cases[i].file, rc, real_rc, cases[i].rc_ours, cases[i].rc_theirs);
        same_keys(cases[i].file, json_object_get(rc, "identity"),
                  json_object_get(real_rc, "identity"), cases[i].id_ours, cases[i].id_theirs);
        /* Types agree where both have the key (requestTimeEpoch is a number, ...). */
        const char *key;
        json_t *v;
        json_object_foreach(rc, key, v) {
            json_t *r = json_object_get(real_rc, key);
            if (r && !json_is_null(r) && !json_is_null(v) && json_typeof(r) != json_typeof(v))
                fail_msg("%s: requestContext.%s has another JSON type", cases[i].file, key);
        }
        json_decref(real);
    }
    json_decref(ev);
    inv_fixture_free(&f);
}

static void values_follow_the_request(void **state)
{
    (void)state;
    inv_fixture f;
    inv_fixture_init(&f);
    json_t *ev = gh_proxy_event_v1(&f.inv);
    const char *want =
        "{\"resource\": \"/orders/{id}\", \"path\": \"/orders/42\", \"httpMethod\": \"GET\","
        " \"headers\": {\"Host\": \"k3x9q2w7ab.execute-api.eu-west-1.amazonaws.com\","
        " \"User-Agent\": \"curl/8.5.0\", \"Accept\": \"application/json\", \"x-tenant\": \"blue\"},"
        " \"multiValueHeaders\": {\"Host\": [\"k3x9q2w7ab.execute-api.eu-west-1.amazonaws.com\"],"
        " \"User-Agent\": [\"curl/8.5.0\"], \"Accept\": [\"application/json\"],"
        " \"x-tenant\": [\"green\", \"blue\"]},"
        " \"queryStringParameters\": {\"expand\": \"items\", \"tag\": \"b\", \"q\": \"a b+c\"},"
        " \"multiValueQueryStringParameters\": {\"expand\": [\"items\"], \"tag\": [\"a\", \"b\"],"
        " \"q\": [\"a b+c\"]},"
        " \"pathParameters\": {\"id\": \"42\"}, \"stageVariables\": {\"backend\": \"orders-v2\"},"
        " \"requestContext\": {\"accountId\": \"111122223333\", \"apiId\": \"k3x9q2w7ab\","
        " \"deploymentId\": \"d7q1zz\", \"domainName\": \"k3x9q2w7ab.execute-api.eu-west-1.amazonaws.com\","
        " \"domainPrefix\": \"k3x9q2w7ab\", \"extendedRequestId\": \"Xc9LmF2bDoEFq8w=\","
        " \"httpMethod\": \"GET\", \"identity\": {\"accessKey\": null, \"accountId\": null,"
        " \"caller\": null, \"cognitoAuthenticationProvider\": null, \"cognitoAuthenticationType\": null,"
        " \"cognitoIdentityId\": null, \"cognitoIdentityPoolId\": null, \"principalOrgId\": null,"
        " \"sourceIp\": \"198.51.100.7\", \"user\": null, \"userAgent\": \"curl/8.5.0\", \"userArn\": null},"
        " \"path\": \"/prod/orders/42\", \"protocol\": \"HTTP/1.1\","
        " \"requestId\": \"5b1f0a8e-3c2d-4e6f-9a7b-0c1d2e3f4a5b\","
        " \"requestTime\": \"09/Jun/2026:14:03:11 +0000\", \"requestTimeEpoch\": 1781013791000,"
        " \"resourceId\": \"r8k2p1\", \"resourcePath\": \"/orders/{id}\", \"stage\": \"prod\"},"
        " \"body\": null, \"isBase64Encoded\": false}";
    char *got = json_dumps(ev, JSON_PRESERVE_ORDER);
    assert_string_equal(got, want);
    free(got);
    json_decref(ev);
    inv_fixture_free(&f);
}

static void absent_maps_are_null(void **state)
{
    (void)state;
    inv_fixture f;
    inv_fixture_init(&f);
    f.req.query = NULL;
    f.req.headers.n = 0;
    f.inv.npath_params = 0;
    f.stage.variables.n = 0;
    json_t *ev = gh_proxy_event_v1(&f.inv);
    static const char *const nulls[] = {
        "headers", "multiValueHeaders", "queryStringParameters",
        "multiValueQueryStringParameters", "pathParameters", "stageVariables", "body",
    };
    for (size_t i = 0; i < sizeof nulls / sizeof *nulls; i++)
        if (!json_is_null(json_object_get(ev, nulls[i])))
            fail_msg("%s should be null", nulls[i]);
    json_t *id = json_object_get(json_object_get(ev, "requestContext"), "identity");
    assert_true(json_is_null(json_object_get(id, "userAgent")));
    json_decref(ev);
    /* An empty query string ("?") also gives null maps. */
    f.req.query = "";
    ev = gh_proxy_event_v1(&f.inv);
    assert_true(json_is_null(json_object_get(ev, "queryStringParameters")));
    json_decref(ev);
    inv_fixture_free(&f);
}

static void raw_path_and_body(void **state)
{
    (void)state;
    inv_fixture f;
    inv_fixture_init(&f);
    /* Path and path parameters stay percent-encoded as sent (recorded: test%2Balias@x). */
    f.inv.path = "/users/test%2Balias@x";
    f.path_params[0].value = "test%2Balias@x";
    f.req.method = "POST";
    f.req.body = "{\"a\":1}";
    f.req.body_len = 7;
    gh_headers_add(f.arena, &f.req.headers, "Content-Type", "application/json");
    gh_headers_add(f.arena, &f.req.headers, "Content-Length", "7");
    json_t *ev = gh_proxy_event_v1(&f.inv);
    assert_string_equal(json_string_value(json_object_get(ev, "path")), "/users/test%2Balias@x");
    assert_string_equal(json_string_value(json_object_get(json_object_get(ev, "pathParameters"), "id")),
                        "test%2Balias@x");
    assert_string_equal(json_string_value(json_object_get(ev, "body")), "{\"a\":1}");
    assert_true(json_is_false(json_object_get(ev, "isBase64Encoded")));
    json_t *h = json_object_get(ev, "headers");
    assert_null(json_object_get(h, "Content-Length")); /* dropped, recomputed by AWS */
    assert_null(json_object_get(h, "Connection"));
    assert_string_equal(json_string_value(json_object_get(h, "Content-Type")), "application/json");
    json_decref(ev);
    inv_fixture_free(&f);
}

/* Request text is read as UTF-8 with replacement, as API Gateway's Java side does: a bad
 * byte in a query value or name, a header or a non-binary body becomes U+FFFD, and no
 * field goes missing for it. */
static void invalid_utf8_becomes_replacement_characters(void **state)
{
    (void)state;
    inv_fixture f;
    inv_fixture_init(&f);
    f.req.query = "q=%C3&%FFname=v";
    gh_headers_add(f.arena, &f.req.headers, "User-Agent", "bad\xff agent");
    f.req.method = "POST";
    f.req.body = "a\x80" "b";
    f.req.body_len = 3;
    json_t *ev = gh_proxy_event_v1(&f.inv);
    json_t *q = json_object_get(ev, "queryStringParameters");
    assert_string_equal(json_string_value(json_object_get(q, "q")), "\xef\xbf\xbd");
    assert_string_equal(json_string_value(json_object_get(q, "\xef\xbf\xbdname")), "v");
    assert_string_equal(json_string_value(json_object_get(ev, "body")), "a\xef\xbf\xbd" "b");
    const char *ua = json_string_value(
        json_object_get(json_object_get(json_object_get(ev, "requestContext"), "identity"),
                        "userAgent"));
    assert_non_null(ua);
    assert_string_equal(ua, "bad\xef\xbf\xbd agent");
    char *text = json_dumps(ev, 0); /* everything in it is valid JSON text */
    assert_non_null(text);
    free(text);
    json_decref(ev);
    inv_fixture_free(&f);
}

static void binary_media_types(void **state)
{
    (void)state;
    static const struct {
        const char *pattern, *content_type;
        int binary;
    } cases[] = {
        {"image/png", "image/png", 1},
        {"image/png", "IMAGE/PNG; charset=x", 1},
        {"image/*", "image/jpeg", 1},
        {"image/*", "text/plain", 0},
        {"*/*", "application/json", 1},
        {"application~1octet-stream", "application/octet-stream", 1},
        {"application/pdf", "application/json", 0},
        {"image/png", NULL, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        inv_fixture f;
        inv_fixture_init(&f);
        const char *types[] = {cases[i].pattern};
        f.api.binary_media_types = types;
        f.api.nbinary_media_types = 1;
        f.req.body = "\x89PNG\0\x01";
        f.req.body_len = 6;
        if (cases[i].content_type)
            gh_headers_add(f.arena, &f.req.headers, "Content-Type", cases[i].content_type);
        json_t *ev = gh_proxy_event_v1(&f.inv);
        json_t *b64 = json_object_get(ev, "isBase64Encoded");
        if (json_is_true(b64) != cases[i].binary)
            fail_msg("case %zu (%s vs %s): isBase64Encoded wrong", i, cases[i].pattern,
                     cases[i].content_type ? cases[i].content_type : "none");
        if (cases[i].binary)
            assert_string_equal(json_string_value(json_object_get(ev, "body")), "iVBORwAB");
        else /* not declared binary: read as UTF-8, the 0x89 becomes U+FFFD, as on AWS */
            assert_memory_equal(json_string_value(json_object_get(ev, "body")),
                                "\xef\xbf\xbdPNG\0\x01", 8);
        json_decref(ev);
        inv_fixture_free(&f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keys_match_real_events),
        cmocka_unit_test(values_follow_the_request),
        cmocka_unit_test(absent_maps_are_null),
        cmocka_unit_test(raw_path_and_body),
        cmocka_unit_test(binary_media_types),
        cmocka_unit_test(invalid_utf8_becomes_replacement_characters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
