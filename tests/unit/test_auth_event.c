/* auth/identity and auth/event: identitySource parsing, identity values (missing → 401),
 * identityValidationExpression, and the TOKEN/REQUEST authorizer events for the
 * fixture's request compared as whole JSON documents with expected ones derived from
 * the real events in tests/data/events (adapted to GET /prod/orders/42). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/event.h"
#include "auth/identity.h"
#include "inv_fixture.h"
#include "util/jregex.h"

static void parse_table(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int token;
        int ok;
        size_t n;            /* sources when ok */
        gh_idsrc_kind kind0; /* first source's kind */
        const char *name0;   /* first source's name */
        const char *message; /* substring of the error otherwise */
    } cases[] = {
        {"method.request.header.Authorization", 1, 1, 1, GH_IDSRC_HEADER, "Authorization", NULL},
        {"method.request.header.Authorization", 0, 1, 1, GH_IDSRC_HEADER, "Authorization", NULL},
        {"method.request.querystring.token", 0, 1, 1, GH_IDSRC_QUERY, "token", NULL},
        {"stageVariables.tier", 0, 1, 1, GH_IDSRC_STAGE_VAR, "tier", NULL},
        {"context.identity.sourceIp", 0, 1, 1, GH_IDSRC_CONTEXT, "identity.sourceIp", NULL},
        {"method.request.header.A, method.request.querystring.b,stageVariables.c", 0, 1, 3,
         GH_IDSRC_HEADER, "A", NULL},
        {"", 0, 0, 0, 0, NULL, "empty"},
        {"method.request.header.", 0, 0, 0, 0, NULL, "name after the prefix is missing"},
        {"method.request.path.id", 0, 0, 0, 0, NULL, "path parameters cannot be identity sources"},
        {"method.request.body", 0, 0, 0, 0, NULL, "expected method.request.header.NAME"},
        {"header.Authorization", 0, 0, 0, 0, NULL, "'header.Authorization': expected"},
        {"$request.header.Authorization", 0, 0, 0, 0, NULL, "expected"},
        {"method.request.header.A,,stageVariables.c", 0, 0, 0, 0, NULL, "empty source"},
        {"method.request.querystring.token", 1, 0, 0, 0, NULL,
         "TOKEN authorizer takes its token from one header"},
        {"method.request.header.A,method.request.header.B", 1, 0, 0, 0, NULL, "exactly one source"},
    };
    gh_arena *a = gh_arena_new(1024);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gh_idsrcs s;
        const char *err = NULL;
        int rc = gh_identity_parse(a, cases[i].text, cases[i].token, &s, &err);
        if (cases[i].ok) {
            if (rc != 0)
                fail_msg("'%s': %s", cases[i].text, err);
            assert_int_equal(s.n, cases[i].n);
            assert_int_equal(s.items[0].kind, cases[i].kind0);
            assert_string_equal(s.items[0].name, cases[i].name0);
        } else {
            if (rc != -1)
                fail_msg("'%s' should be refused", cases[i].text);
            if (!strstr(err, cases[i].message))
                fail_msg("'%s': message '%s' lacks '%s'", cases[i].text, err, cases[i].message);
        }
    }
    /* A list keeps order, trims blanks and keeps the whole expression per source. */
    gh_idsrcs s;
    const char *err = NULL;
    assert_int_equal(gh_identity_parse(a, " method.request.header.A , context.stage ", 0, &s, &err),
                     0);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.items[0].expr, "method.request.header.A");
    assert_int_equal(s.items[1].kind, GH_IDSRC_CONTEXT);
    assert_string_equal(s.items[1].expr, "context.stage");
    gh_arena_free(a);
}

static void values_table(void **state)
{
    (void)state;
    static const struct {
        const char *sources;
        gh_identity_result result;
        const char *joined; /* values joined with '|', "-" for a missing one */
    } cases[] = {
        {"method.request.header.Accept", GH_IDENTITY_OK, "application/json"},
        {"method.request.header.accept", GH_IDENTITY_OK, "application/json"}, /* any case */
        {"method.request.querystring.expand", GH_IDENTITY_OK, "items"},
        {"method.request.querystring.q", GH_IDENTITY_OK, "a b+c"}, /* decoded */
        {"stageVariables.backend", GH_IDENTITY_OK, "orders-v2"},
        {"context.identity.sourceIp", GH_IDENTITY_OK, "198.51.100.7"},
        {"context.stage,method.request.header.User-Agent", GH_IDENTITY_OK, "prod|curl/8.5.0"},
        {"method.request.header.Authorization", GH_IDENTITY_UNAUTHORIZED, "-"},
        {"method.request.querystring.token", GH_IDENTITY_UNAUTHORIZED, "-"},
        {"stageVariables.nope", GH_IDENTITY_UNAUTHORIZED, "-"},
        {"method.request.header.Empty", GH_IDENTITY_UNAUTHORIZED, "-"}, /* present, empty */
        {"stageVariables.backend,method.request.header.X-Key", GH_IDENTITY_UNAUTHORIZED,
         "orders-v2|-"},
    };
    inv_fixture f;
    inv_fixture_init(&f);
    gh_headers_add(f.arena, &f.req.headers, "Empty", "");
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gh_idsrcs s;
        const char *err = NULL;
        if (gh_identity_parse(f.arena, cases[i].sources, 0, &s, &err) != 0)
            fail_msg("%s: %s", cases[i].sources, err);
        const char **v = NULL;
        gh_identity_result r = gh_identity_values(&f.inv, &s, &v);
        char joined[256] = "";
        for (size_t k = 0; k < s.n; k++) {
            if (k)
                strcat(joined, "|");
            strcat(joined, v[k] ? v[k] : "-");
        }
        if (r != cases[i].result || strcmp(joined, cases[i].joined) != 0)
            fail_msg("%s: got %d '%s', want %d '%s'", cases[i].sources, r, joined, cases[i].result,
                     cases[i].joined);
    }
    inv_fixture_free(&f);
}

static void validation_table(void **state)
{
    (void)state;
    static const struct {
        const char *expr, *token;
        gh_identity_result want;
    } cases[] = {
        {"^Bearer [-0-9a-zA-Z\\._]*$", "Bearer eyJhbGciOi.abc_def", GH_IDENTITY_OK},
        {"^Bearer [-0-9a-zA-Z\\._]*$", "Basic dXNlcg==", GH_IDENTITY_UNAUTHORIZED},
        {"Bearer .+", "Bearer x", GH_IDENTITY_OK},
        {"Bearer .+", "xBearer x", GH_IDENTITY_UNAUTHORIZED}, /* whole token, not find */
        {"Bearer", "Bearer x", GH_IDENTITY_UNAUTHORIZED},     /* a prefix is not enough */
        {"allow|deny", "allow", GH_IDENTITY_OK},
        {"allow|deny", "unauthorized", GH_IDENTITY_UNAUTHORIZED},
        {"\\p{Alpha}+", "abc", GH_IDENTITY_OK}, /* Java class syntax */
        {"(?i)bearer \\w+", "BEARER abc", GH_IDENTITY_OK},
        {NULL, "anything", GH_IDENTITY_OK}, /* no expression */
        {"", "anything", GH_IDENTITY_OK},
        {"[unclosed", "x", GH_IDENTITY_UNAUTHORIZED}, /* refused at load too */
        {".*", NULL, GH_IDENTITY_UNAUTHORIZED},       /* no token at all */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gh_identity_result r = gh_identity_validate_token(cases[i].expr, cases[i].token);
        if (r != cases[i].want)
            fail_msg("'%s' on '%s': got %d, want %d", cases[i].expr ? cases[i].expr : "(null)",
                     cases[i].token ? cases[i].token : "(null)", r, cases[i].want);
    }
    const char *err = NULL;
    assert_int_equal(gh_identity_check_expression("^Bearer .+$", &err), 0);
    assert_int_equal(gh_identity_check_expression("[unclosed", &err), -1);
    assert_non_null(err);
    assert_true(strlen(err) > 0);
    gh_jregex_thread_cleanup();
}

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

/* JSON equality with the first differing top-level field named, so a failure says
 * which field of the event is wrong. */
static void same_document(const char *what, json_t *ours, const char *expected_text)
{
    json_error_t err;
    json_t *want = json_loads(expected_text, 0, &err);
    if (!want)
        fail_msg("%s: expected document: %s", what, err.text);
    const char *key;
    json_t *v;
    json_object_foreach(want, key, v)
    {
        json_t *got = json_object_get(ours, key);
        if (!got || !json_equal(got, v)) {
            char *g = got ? json_dumps(got, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
            char *w = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
            fail_msg("%s.%s: got %s, want %s", what, key, g ? g : "(absent)", w);
        }
    }
    json_object_foreach(ours, key, v)
    {
        if (!json_object_get(want, key))
            fail_msg("%s: we send '%s', which is not expected", what, key);
    }
    assert_true(json_equal(ours, want));
    json_decref(want);
}

/* The real TOKEN event (aws-lambda-go apigw-custom-auth-request.json) with the
 * fixture's request: methodArn built from region, account, api, stage, verb and the
 * request path with parameter values. */
static const char token_expected[] =
    "{\"type\": \"TOKEN\", \"authorizationToken\": \"Bearer eyJhbGciOi.x\","
    " \"methodArn\": \"arn:aws:execute-api:eu-west-1:111122223333:k3x9q2w7ab/prod/GET/orders/42\"}";

/* The real REQUEST event (aws-lambda-go apigw-custom-auth-request-type-request.json) with
 * the fixture's request. Fields the sample has that need features not in play (apiKey,
 * clientCert) are absent; requestContext carries the proxy event's full family (reference
 * §4.2 "same family as 3.1"). Connection is dropped as for proxies. */
static const char request_expected[] =
    "{\"type\": \"REQUEST\","
    " \"methodArn\": \"arn:aws:execute-api:eu-west-1:111122223333:k3x9q2w7ab/prod/GET/orders/42\","
    " \"resource\": \"/orders/{id}\", \"path\": \"/orders/42\", \"httpMethod\": \"GET\","
    " \"headers\": {\"Host\": \"k3x9q2w7ab.execute-api.eu-west-1.amazonaws.com\","
    "   \"User-Agent\": \"curl/8.5.0\", \"Accept\": \"application/json\", \"x-tenant\": \"blue\"},"
    " \"multiValueHeaders\": {\"Host\": [\"k3x9q2w7ab.execute-api.eu-west-1.amazonaws.com\"],"
    "   \"User-Agent\": [\"curl/8.5.0\"], \"Accept\": [\"application/json\"],"
    "   \"x-tenant\": [\"green\", \"blue\"]},"
    " \"queryStringParameters\": {\"expand\": \"items\", \"tag\": \"b\", \"q\": \"a b+c\"},"
    " \"multiValueQueryStringParameters\": {\"expand\": [\"items\"], \"tag\": [\"a\", \"b\"],"
    "   \"q\": [\"a b+c\"]},"
    " \"pathParameters\": {\"id\": \"42\"},"
    " \"stageVariables\": {\"backend\": \"orders-v2\"},"
    " \"requestContext\": {\"accountId\": \"111122223333\", \"apiId\": \"k3x9q2w7ab\","
    "   \"deploymentId\": \"d7q1zz\","
    "   \"domainName\": \"k3x9q2w7ab.execute-api.eu-west-1.amazonaws.com\","
    "   \"domainPrefix\": \"k3x9q2w7ab\", \"extendedRequestId\": \"Xc9LmF2bDoEFq8w=\","
    "   \"httpMethod\": \"GET\","
    "   \"identity\": {\"accessKey\": null, \"accountId\": null, \"caller\": null,"
    "     \"cognitoAuthenticationProvider\": null, \"cognitoAuthenticationType\": null,"
    "     \"cognitoIdentityId\": null, \"cognitoIdentityPoolId\": null, \"principalOrgId\": null,"
    "     \"sourceIp\": \"198.51.100.7\", \"user\": null, \"userAgent\": \"curl/8.5.0\","
    "     \"userArn\": null},"
    "   \"path\": \"/prod/orders/42\", \"protocol\": \"HTTP/1.1\","
    "   \"requestId\": \"5b1f0a8e-3c2d-4e6f-9a7b-0c1d2e3f4a5b\","
    "   \"requestTime\": \"09/Jun/2026:14:03:11 +0000\", \"requestTimeEpoch\": 1781013791000,"
    "   \"resourceId\": \"r8k2p1\", \"resourcePath\": \"/orders/{id}\", \"stage\": \"prod\"}}";

static void token_event(void **state)
{
    (void)state;
    inv_fixture f;
    inv_fixture_init(&f);
    json_t *ev = gh_auth_event_token(&f.inv, "Bearer eyJhbGciOi.x");
    same_document("TOKEN", ev, token_expected);
    json_t *real = load_event("aws-lambda-go__apigw-custom-auth-request.json");
    assert_int_equal(json_object_size(real), json_object_size(ev));
    const char *key;
    json_t *v;
    json_object_foreach(real, key, v) assert_non_null(json_object_get(ev, key));
    json_decref(real);
    json_decref(ev);
    inv_fixture_free(&f);
}

static void request_event(void **state)
{
    (void)state;
    inv_fixture f;
    inv_fixture_init(&f);
    json_t *ev = gh_auth_event_request(&f.inv);
    same_document("REQUEST", ev, request_expected);
    /* Same top-level keys as the real event, in the same order. */
    json_t *real = load_event("aws-lambda-go__apigw-custom-auth-request-type-request.json");
    assert_int_equal(json_object_size(real), json_object_size(ev));
    const gh_value *tree = gh_auth_event_request_value(&f.inv);
    static const char *const order[] = {"type",
                                        "methodArn",
                                        "resource",
                                        "path",
                                        "httpMethod",
                                        "headers",
                                        "multiValueHeaders",
                                        "queryStringParameters",
                                        "multiValueQueryStringParameters",
                                        "pathParameters",
                                        "stageVariables",
                                        "requestContext"};
    assert_int_equal(tree->u.obj.n, sizeof order / sizeof *order);
    for (size_t i = 0; i < tree->u.obj.n; i++) {
        assert_string_equal(tree->u.obj.members[i].key, order[i]);
        assert_non_null(json_object_get(real, order[i]));
    }
    json_decref(real);
    json_decref(ev);
    inv_fixture_free(&f);
}

/* Root resource, no path parameters: the ARN ends in "/GET/" (reference §4.3) and
 * pathParameters is {} as in the recorded REQUEST event, not the proxy event's null. */
static void root_resource(void **state)
{
    (void)state;
    inv_fixture f;
    inv_fixture_init(&f);
    f.inv.path = "/";
    f.inv.stage_path = "/prod/";
    f.resource.path = "/";
    f.inv.npath_params = 0;
    assert_string_equal(gh_auth_method_arn(&f.inv),
                        "arn:aws:execute-api:eu-west-1:111122223333:k3x9q2w7ab/prod/GET/");
    json_t *ev = gh_auth_event_request(&f.inv);
    json_t *pp = json_object_get(ev, "pathParameters");
    assert_true(json_is_object(pp));
    assert_int_equal(json_object_size(pp), 0);
    assert_null(json_object_get(ev, "body"));
    assert_null(json_object_get(ev, "isBase64Encoded"));
    json_decref(ev);
    inv_fixture_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_table),      cmocka_unit_test(values_table),
        cmocka_unit_test(validation_table), cmocka_unit_test(token_event),
        cmocka_unit_test(request_event),    cmocka_unit_test(root_resource),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
