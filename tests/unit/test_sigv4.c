/* auth/sigv4: AWS's published SigV4 test-suite vectors (the 2015 suite, service
 * "service", and two of the 2011 suite that botocore keeps, signed with a Date header
 * and showing the double encoding of non-S3 paths), requests signed by botocore
 * (tests/unit/data/sigv4/make_signed.py), and every refusal: missing, malformed, wrong
 * scope, expired and not yet current, unknown key, wrong secret, tampered body, presigned
 * URL expiry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/sigv4.h"
#include "util/buf.h"
#include "util/arena.h"
#include "util/http.h"

#define SUITE_AK "AKIDEXAMPLE"
#define SUITE_SK "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define SUITE_NOW 1440938160000LL /* 20150830T123600Z */
#define OLD_NOW 1315611360000LL   /* Mon, 09 Sep 2011 23:36:00 GMT */
#define AUTHZ(sh, sig)                                                                     \
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "   \
    "SignedHeaders=" sh ", Signature=" sig
#define H2015 "Host:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n"

typedef struct {
    const char *ak, *sk;
} keyring;

static const char *lookup(void *ctx, const char *ak, const void **cred)
{
    const keyring *k = ctx;
    *cred = k;
    return strcmp(ak, k->ak) == 0 ? k->sk : NULL;
}

/* "Name:value\n..." lines into h; values kept exactly (the trim vectors need that). */
static void add_headers(gh_arena *a, gh_headers *h, const char *lines)
{
    for (const char *p = lines; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        const char *colon = memchr(p, ':', len);
        gh_headers_add(a, h, gh_arena_strndup(a, p, (size_t)(colon - p)),
                       gh_arena_strndup(a, colon + 1, len - (size_t)(colon - p) - 1));
        p += len + (nl != NULL);
    }
}

static const struct {
    const char *name, *method, *path, *query, *headers, *body, *region, *service;
    int64_t now;
    const char *authorization;
} vectors[] = {
    {"get-vanilla", "GET", "/", NULL, H2015, NULL, "us-east-1", "service", SUITE_NOW,
     AUTHZ("host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")},
    {"post-vanilla", "POST", "/", NULL, H2015, NULL, "us-east-1", "service", SUITE_NOW,
     AUTHZ("host;x-amz-date", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b")},
    {"get-unreserved", "GET", "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
     NULL, H2015, NULL, "us-east-1", "service", SUITE_NOW,
     AUTHZ("host;x-amz-date", "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f")},
    {"get-slashes (normalize-path)", "GET", "//example//", NULL, H2015, NULL, "us-east-1",
     "service", SUITE_NOW,
     AUTHZ("host;x-amz-date", "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84")},
    {"get-vanilla-query-order-key-case", "GET", "/", "Param2=value2&Param1=value1", H2015, NULL,
     "us-east-1", "service", SUITE_NOW,
     AUTHZ("host;x-amz-date", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")},
    {"get-vanilla-query-order-value", "GET", "/", "Param1=value2&Param1=value1", H2015, NULL,
     "us-east-1", "service", SUITE_NOW,
     AUTHZ("host;x-amz-date", "5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694")},
    {"get-vanilla-utf8-query", "GET", "/", "%E1%88%B4=bar", H2015, NULL, "us-east-1", "service",
     SUITE_NOW,
     AUTHZ("host;x-amz-date", "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04")},
    {"get-header-value-order", "GET", "/", NULL,
     H2015 "My-Header1:value4\nMy-Header1:value1\nMy-Header1:value3\nMy-Header1:value2\n", NULL,
     "us-east-1", "service", SUITE_NOW,
     AUTHZ("host;my-header1;x-amz-date",
           "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01")},
    {"get-header-key-duplicate", "GET", "/", NULL,
     H2015 "My-Header1:value2\nMy-Header1:value2\nMy-Header1:value1\n", NULL, "us-east-1",
     "service", SUITE_NOW,
     AUTHZ("host;my-header1;x-amz-date",
           "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea")},
    {"get-header-value-trim", "GET", "/", NULL,
     H2015 "My-Header1: value1\nMy-Header2:\"a   b   c\"\n", NULL, "us-east-1", "service",
     SUITE_NOW,
     AUTHZ("host;my-header1;my-header2;x-amz-date",
           "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736")},
    {"post-x-www-form-urlencoded", "POST", "/", NULL,
     H2015 "Content-Type:application/x-www-form-urlencoded\n", "Param1=value1", "us-east-1",
     "service", SUITE_NOW,
     AUTHZ("content-type;host;x-amz-date",
           "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a")},
    {"get-vanilla-session-token", "GET", "/", NULL,
     H2015 "X-Amz-Security-Token:6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267\n",
     NULL, "us-east-1", "service", SUITE_NOW,
     AUTHZ("host;x-amz-date;x-amz-security-token",
           "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8")},
    /* 2011 suite (botocore tests/unit/auth/aws4_testsuite): a Date header instead of
     * X-Amz-Date, and the path encoded a second time ("/%20/foo" -> "/%2520/foo"). */
    {"get-space (2011)", "GET", "/%20/foo", NULL,
     "Date:Mon, 09 Sep 2011 23:36:00 GMT\nHost:host.foo.com\n", NULL, "us-east-1", "host",
     OLD_NOW,
     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20110909/us-east-1/host/aws4_request, "
     "SignedHeaders=date;host, "
     "Signature=2be9e587d1ee1f0fd02128724b86b4358ba3630d39f493b6e06610a19a50779e"},
    {"get-utf8 (2011)", "GET", "/%E1%88%B4", NULL,
     "Date:Mon, 09 Sep 2011 23:36:00 GMT\nHost:host.foo.com\n", NULL, "us-east-1", "host",
     OLD_NOW,
     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20110909/us-east-1/host/aws4_request, "
     "SignedHeaders=date;host, "
     "Signature=57b1eb3df3b16a8479c0097b66c0b261cfd65b829419a3f2c3d05319722490b8"},
};

static void suite_vectors(void **state)
{
    (void)state;
    keyring k = {SUITE_AK, SUITE_SK};
    for (size_t i = 0; i < sizeof vectors / sizeof *vectors; i++) {
        gh_arena *a = gh_arena_new(1024);
        gh_headers h = {0};
        add_headers(a, &h, vectors[i].headers);
        gh_headers_add(a, &h, "Authorization", vectors[i].authorization);
        gh_sigv4_request req = {vectors[i].method, vectors[i].path, vectors[i].query, &h,
                                vectors[i].body, vectors[i].body ? strlen(vectors[i].body) : 0};
        gh_sigv4_expect ex = {vectors[i].region, vectors[i].service, 300};
        gh_sigv4_result r;
        gh_sigv4_status st = gh_sigv4_verify(a, &req, &ex, lookup, &k, vectors[i].now, &r);
        if (st != GH_SIGV4_OK)
            fail_msg("%s: status %d\n%s\n%s", vectors[i].name, st, r.canonical_request,
                     r.message ? r.message : "");
        assert_ptr_equal(r.credential, &k);
        assert_string_equal(r.access_key, SUITE_AK);
        gh_arena_free(a);
    }
}

/* The suite's published canonical requests (get-space 2011, get-header-value-trim). */
static void canonical_forms(void **state)
{
    (void)state;
    keyring k = {SUITE_AK, "not-the-secret"};
    gh_arena *a = gh_arena_new(1024);
    gh_headers h = {0};
    add_headers(a, &h, "Date:Mon, 09 Sep 2011 23:36:00 GMT\nHost:host.foo.com\n");
    gh_headers_add(a, &h, "Authorization", vectors[12].authorization);
    gh_sigv4_request req = {"GET", "/%20/foo", NULL, &h, NULL, 0};
    gh_sigv4_expect ex = {"us-east-1", "host", 300};
    gh_sigv4_result r;
    assert_int_equal(gh_sigv4_verify(a, &req, &ex, lookup, &k, OLD_NOW, &r), GH_SIGV4_MISMATCH);
    assert_string_equal(r.canonical_request,
                        "GET\n/%2520/foo\n\ndate:Mon, 09 Sep 2011 23:36:00 GMT\nhost:host.foo.com\n"
                        "\ndate;host\n"
                        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_string_equal(r.amz_date, "20110909T233600Z");

    gh_headers h2 = {0};
    add_headers(a, &h2, H2015 "My-Header1: value1\nMy-Header2:\"a   b   c\"\n");
    gh_headers_add(a, &h2, "Authorization", vectors[9].authorization);
    gh_sigv4_request req2 = {"GET", "/", NULL, &h2, NULL, 0};
    gh_sigv4_expect ex2 = {"us-east-1", "service", 300};
    assert_int_equal(gh_sigv4_verify(a, &req2, &ex2, lookup, &k, SUITE_NOW, &r),
                     GH_SIGV4_MISMATCH);
    assert_string_equal(r.canonical_request,
                        "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\n"
                        "my-header2:\"a b c\"\nx-amz-date:20150830T123600Z\n\n"
                        "host;my-header1;my-header2;x-amz-date\n"
                        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_string_equal(r.string_to_sign,
                        "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/"
                        "aws4_request\n"
                        "a726db9b0df21c14f559d0a978e563112acb1b9e05476f0a6a1c7d68f28605c7");
    gh_arena_free(a);
}

/* SignedHeaders naming one header thousands of times (and out of order, in capitals)
 * canonicalises to each name once, sorted: the canonical request stays small. */
static void signed_headers_normalised(void **state)
{
    (void)state;
    keyring k = {SUITE_AK, "not-the-secret"};
    gh_arena *a = gh_arena_new(1024);
    gh_buf list = GH_BUF_INIT;
    gh_buf_puts(&list, "X-Amz-Date");
    for (int i = 0; i < 4000; i++)
        gh_buf_puts(&list, ";host");
    gh_headers h = {0};
    add_headers(a, &h, H2015 "X-Big: " "0123456789012345678901234567890123456789\n");
    gh_headers_add(a, &h, "Authorization",
                   gh_arena_printf(a, "AWS4-HMAC-SHA256 Credential=%s/20150830/us-east-1/"
                                   "service/aws4_request, SignedHeaders=%s, Signature=%064d",
                                   SUITE_AK, list.data, 0));
    gh_buf_free(&list);
    gh_sigv4_request req = {"GET", "/", NULL, &h, NULL, 0};
    gh_sigv4_expect ex = {"us-east-1", "service", 300};
    gh_sigv4_result r;
    assert_int_equal(gh_sigv4_verify(a, &req, &ex, lookup, &k, SUITE_NOW, &r), GH_SIGV4_MISMATCH);
    assert_string_equal(r.canonical_request,
                        "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
                        "host;x-amz-date\n"
                        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    gh_arena_free(a);
}

/* ---- botocore-signed requests ----------------------------------------------------- */

typedef struct {
    json_t *doc;
    keyring keys;
    const char *region;
} boto;

static int boto_setup(void **state)
{
    static boto b;
    char path[1024];
    const char *root = getenv("GH_SOURCE_DIR");
    snprintf(path, sizeof path, "%s/tests/unit/data/sigv4/botocore_signed.json", root ? root : ".");
    json_error_t err;
    b.doc = json_load_file(path, 0, &err);
    if (!b.doc)
        return -1;
    b.keys.ak = json_string_value(json_object_get(b.doc, "access_key"));
    b.keys.sk = json_string_value(json_object_get(b.doc, "secret_key"));
    b.region = json_string_value(json_object_get(b.doc, "region"));
    *state = &b;
    return 0;
}

static int boto_teardown(void **state)
{
    json_decref(((boto *)*state)->doc);
    return 0;
}

/* The request of case `name` in a; body replaced when `body` is non-NULL. */
static gh_sigv4_request boto_request(gh_arena *a, const boto *b, const char *name,
                                     const char *body)
{
    json_t *cases = json_object_get(b->doc, "cases"), *c = NULL;
    size_t i;
    json_array_foreach(cases, i, c) if (strcmp(json_string_value(json_object_get(c, "name")),
                                               name) == 0) break;
    assert_non_null(c);
    gh_headers *h = gh_arena_calloc(a, sizeof *h);
    json_t *pair;
    json_array_foreach(json_object_get(c, "headers"), i, pair)
        gh_headers_add(a, h, json_string_value(json_array_get(pair, 0)),
                       json_string_value(json_array_get(pair, 1)));
    const char *q = json_string_value(json_object_get(c, "query"));
    if (!body)
        body = json_string_value(json_object_get(c, "body"));
    return (gh_sigv4_request){json_string_value(json_object_get(c, "method")),
                              json_string_value(json_object_get(c, "path")),
                              *q ? q : NULL,
                              h,
                              *body ? body : NULL,
                              strlen(body)};
}

#define SIGNED_AT 1781013791000LL /* 20260609T140311Z */
#define MIN 60000LL

static const struct {
    const char *name;
    const char *body;    /* NULL: as signed */
    const char *secret;  /* NULL: the right one */
    const char *region;  /* NULL: the signing region */
    int64_t now;
    gh_sigv4_status want;
    const char *message; /* NULL: none expected */
} boto_cases[] = {
    {"post-json", NULL, NULL, NULL, SIGNED_AT, GH_SIGV4_OK, NULL},
    {"post-json", NULL, NULL, NULL, SIGNED_AT + 5 * MIN, GH_SIGV4_OK, NULL},
    {"get-session-token", NULL, NULL, NULL, SIGNED_AT, GH_SIGV4_OK, NULL},
    {"get-encoded-path", NULL, NULL, NULL, SIGNED_AT, GH_SIGV4_OK, NULL},
    {"presigned-get", NULL, NULL, NULL, SIGNED_AT + 4 * MIN, GH_SIGV4_OK, NULL},
    {"post-json", "{\"item\":\"pen\",\"qty\":200}", NULL, NULL, SIGNED_AT, GH_SIGV4_MISMATCH, NULL},
    {"post-json", NULL, "wrong/secret", NULL, SIGNED_AT, GH_SIGV4_MISMATCH, NULL},
    {"presigned-get", NULL, "wrong/secret", NULL, SIGNED_AT, GH_SIGV4_MISMATCH, NULL},
    {"post-json", NULL, NULL, NULL, SIGNED_AT + 5 * MIN + 1000, GH_SIGV4_EXPIRED,
     "Signature expired: 20260609T140311Z is now earlier than 20260609T140312Z "
     "(20260609T140812Z - 5 min.)"},
    {"post-json", NULL, NULL, NULL, SIGNED_AT - 6 * MIN, GH_SIGV4_EXPIRED,
     "Signature not yet current: 20260609T140311Z is still later than 20260609T140211Z "
     "(20260609T135711Z + 5 min.)"},
    {"presigned-get", NULL, NULL, NULL, SIGNED_AT + 5 * MIN + 1000, GH_SIGV4_EXPIRED,
     "Request has expired"},
    {"post-json", NULL, NULL, "us-east-1", SIGNED_AT, GH_SIGV4_SCOPE,
     "Credential should be scoped to a valid region, not 'eu-west-1'. "},
};

static void botocore_signed(void **state)
{
    boto *b = *state;
    for (size_t i = 0; i < sizeof boto_cases / sizeof *boto_cases; i++) {
        gh_arena *a = gh_arena_new(1024);
        gh_sigv4_request req = boto_request(a, b, boto_cases[i].name, boto_cases[i].body);
        keyring k = {b->keys.ak, boto_cases[i].secret ? boto_cases[i].secret : b->keys.sk};
        gh_sigv4_expect ex = {boto_cases[i].region ? boto_cases[i].region : b->region,
                              "execute-api", 300};
        gh_sigv4_result r;
        gh_sigv4_status st = gh_sigv4_verify(a, &req, &ex, lookup, &k, boto_cases[i].now, &r);
        if (st != boto_cases[i].want)
            fail_msg("case %zu (%s): status %d, want %d; %s\n%s", i, boto_cases[i].name, st,
                     boto_cases[i].want, r.message ? r.message : "",
                     r.canonical_request ? r.canonical_request : "");
        if (boto_cases[i].message)
            assert_string_equal(r.message, boto_cases[i].message);
        gh_arena_free(a);
    }
}

static void presigned_and_token_fields(void **state)
{
    boto *b = *state;
    gh_arena *a = gh_arena_new(1024);
    gh_sigv4_expect ex = {b->region, "execute-api", 300};
    gh_sigv4_result r;
    gh_sigv4_request req = boto_request(a, b, "presigned-get", NULL);
    assert_int_equal(gh_sigv4_verify(a, &req, &ex, lookup, &b->keys, SIGNED_AT, &r), GH_SIGV4_OK);
    assert_true(r.presigned);
    assert_string_equal(r.signed_headers, "host");
    /* X-Amz-Signature is left out of the canonical query, the rest sorted. */
    assert_non_null(strstr(r.canonical_request,
                           "\nX-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAGATEHOUSEEXAMPLE"
                           "%2F20260609%2Feu-west-1%2Fexecute-api%2Faws4_request&X-Amz-Date="
                           "20260609T140311Z&X-Amz-Expires=300&X-Amz-SignedHeaders=host&expand="
                           "items\n"));

    req = boto_request(a, b, "get-session-token", NULL);
    assert_int_equal(gh_sigv4_verify(a, &req, &ex, lookup, &b->keys, SIGNED_AT, &r), GH_SIGV4_OK);
    assert_false(r.presigned);
    assert_string_equal(r.security_token, "IQoJb3JpZ2luX2VjEXAMPLETOKEN==");
    assert_string_equal(r.region, "eu-west-1");
    assert_string_equal(r.service, "execute-api");

    /* Mismatch text as API Gateway sends it. */
    req = boto_request(a, b, "get-encoded-path", NULL);
    keyring wrong = {b->keys.ak, "nope"};
    assert_int_equal(gh_sigv4_verify(a, &req, &ex, lookup, &wrong, SIGNED_AT, &r),
                     GH_SIGV4_MISMATCH);
    const char *msg = gh_sigv4_mismatch_message(a, &r);
    assert_string_equal(
        msg, "The request signature we calculated does not match the signature you provided. "
             "Check your AWS Secret Access Key and signing method. Consult the service "
             "documentation for details.\n\nThe Canonical String for this request should have "
             "been\n'GET\n/prod/files/a%2520b/c%252Bd\n\nhost:k3x9q2w7ab.execute-api.eu-west-1."
             "amazonaws.com\nx-amz-date:20260609T140311Z\n\nhost;x-amz-date\n"
             "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'\n\nThe "
             "String-to-Sign should have been\n'AWS4-HMAC-SHA256\n20260609T140311Z\n20260609/"
             "eu-west-1/execute-api/aws4_request\n"
             "7a3298a6befad508b0e8953312d4b99e44022aeb914b736bcc254c455f7b9c5d'\n");
    gh_arena_free(a);
}

/* ---- refusals before the signature is computed ------------------------------------ */

static const struct {
    const char *authorization; /* NULL: none */
    const char *query;
    const char *extra_headers;
    const char *expect_service;
    gh_sigv4_status want;
    const char *message;
} refusals[] = {
    {NULL, NULL, H2015, "service", GH_SIGV4_MISSING, NULL},
    {NULL, "a=1", H2015, "service", GH_SIGV4_MISSING, NULL},
    {"Bearer abc.def", NULL, "Host:example.amazonaws.com\n", "service", GH_SIGV4_MALFORMED,
     "Authorization header requires 'Credential' parameter. Authorization header requires "
     "'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. "
     "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
     "Authorization=Bearer abc.def"},
    {"Bearer abc.def", NULL, H2015, "service", GH_SIGV4_MALFORMED,
     "Authorization header requires 'Credential' parameter. Authorization header requires "
     "'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. "
     "Authorization=Bearer abc.def"},
    {"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
     "SignedHeaders=host;x-amz-date Signature=abc",
     NULL, H2015, "service", GH_SIGV4_MALFORMED,
     "Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 "
     "Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;"
     "x-amz-date Signature=abc"},
    {"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
     "SignedHeaders=host, Signature",
     NULL, H2015, "service", GH_SIGV4_MALFORMED,
     "'Signature' not a valid key=value pair (missing equal-sign) in Authorization header: "
     "'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
     "SignedHeaders=host, Signature'."},
    {AUTHZ("host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
     NULL, H2015, "execute-api", GH_SIGV4_SCOPE,
     "Credential should be scoped to correct service: 'execute-api'. "},
    {"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150831/us-east-1/service/aws4_request, "
     "SignedHeaders=host;x-amz-date, Signature=00",
     NULL, H2015, "service", GH_SIGV4_SCOPE,
     "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
     "'20150831' != '20150830', from 'X-Amz-Date'."},
    {"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service, "
     "SignedHeaders=host;x-amz-date, Signature=00",
     NULL, H2015, "service", GH_SIGV4_MALFORMED,
     "Credential should be scoped with a valid terminator: 'aws4_request', not 'service'. "},
    {AUTHZ("host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
     NULL, "Host:example.amazonaws.com\nX-Amz-Date:2015-08-30T12:36:00Z\n", "service",
     GH_SIGV4_MALFORMED,
     "Date must be in ISO-8601 'basic format'. Got '2015-08-30T12:36:00Z'. See "
     "http://en.wikipedia.org/wiki/ISO_8601"},
    /* A Date header whose fields overflow an int: refused as a bad date (it once
     * overflowed the epoch arithmetic, UBSan signed-integer-overflow). */
    {AUTHZ("date;host", "00"), NULL,
     "Host:example.amazonaws.com\nDate:Sun, 30 Aug 2015 99999999999:00:00 GMT\n", "service",
     GH_SIGV4_MALFORMED,
     "Date must be in ISO-8601 'basic format'. Got 'Sun, 30 Aug 2015 99999999999:00:00 GMT'. "
     "See http://en.wikipedia.org/wiki/ISO_8601"},
    {AUTHZ("date;host", "00"), NULL,
     "Host:example.amazonaws.com\nDate:Sun, 2147483647 Aug 2015 12:00:00 GMT\n", "service",
     GH_SIGV4_MALFORMED,
     "Date must be in ISO-8601 'basic format'. Got 'Sun, 2147483647 Aug 2015 12:00:00 GMT'. "
     "See http://en.wikipedia.org/wiki/ISO_8601"},
    {"AWS4-HMAC-SHA256 Credential=AKIDUNKNOWN/20150830/us-east-1/service/aws4_request, "
     "SignedHeaders=host;x-amz-date, Signature=00",
     NULL, H2015, "service", GH_SIGV4_UNKNOWN_KEY, NULL},
    {NULL, "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE", H2015, "service",
     GH_SIGV4_MALFORMED,
     "AWS query-string parameters must include 'X-Amz-Algorithm', 'X-Amz-Credential', "
     "'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-SignedHeaders', and 'X-Amz-Expires' parameters."},
};

static void refusal_table(void **state)
{
    (void)state;
    keyring k = {SUITE_AK, SUITE_SK};
    for (size_t i = 0; i < sizeof refusals / sizeof *refusals; i++) {
        gh_arena *a = gh_arena_new(1024);
        gh_headers h = {0};
        add_headers(a, &h, refusals[i].extra_headers);
        if (refusals[i].authorization)
            gh_headers_add(a, &h, "Authorization", refusals[i].authorization);
        gh_sigv4_request req = {"GET", "/", refusals[i].query, &h, NULL, 0};
        gh_sigv4_expect ex = {"us-east-1", refusals[i].expect_service, 300};
        gh_sigv4_result r;
        gh_sigv4_status st = gh_sigv4_verify(a, &req, &ex, lookup, &k, SUITE_NOW, &r);
        if (st != refusals[i].want)
            fail_msg("refusal %zu: status %d, want %d (%s)", i, st, refusals[i].want,
                     r.message ? r.message : "");
        if (refusals[i].message)
            assert_string_equal(r.message, refusals[i].message);
        else
            assert_null(r.message);
        gh_arena_free(a);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(suite_vectors),
        cmocka_unit_test(canonical_forms),
        cmocka_unit_test(signed_headers_normalised),
        cmocka_unit_test(refusal_table),
    };
    const struct CMUnitTest boto_tests[] = {
        cmocka_unit_test(botocore_signed),
        cmocka_unit_test(presigned_and_token_fields),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    return failed + cmocka_run_group_tests(boto_tests, boto_setup, boto_teardown);
}
