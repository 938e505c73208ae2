/* auth/iam: botocore-signed requests (tests/unit/data/sigv4) against the fixture API in
 * eu-west-1, each failure mapped to AWS's gateway response and text, identity policies
 * allowing and denying execute-api:Invoke, and the identity fields an allowed caller
 * gets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/authorize.h"
#include "auth/iam.h"
#include "inv_fixture.h"
#include "util/clock.h"

#define AK "AKIAGATEHOUSEEXAMPLE"
#define SK "gH0use/SecretKeyForTests+ExampleOnly1234"
#define USER_ARN "arn:aws:iam::111122223333:user/alice"
#define SIGNED_AT 1781013791000LL
#define POST_ARN "arn:aws:execute-api:eu-west-1:111122223333:k3x9q2w7ab/prod/POST/orders/42"
#define MASKED "arn:aws:execute-api:eu-west-1:********3333:k3x9q2w7ab/prod/POST/orders/42"
/* An Allow on everything that holds only from one address range. */
#define IP_DOC(cidr)                                                                       \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":"      \
    "\"execute-api:Invoke\",\"Resource\":\"*\",\"Condition\":{\"IpAddress\":"           \
    "{\"aws:SourceIp\":\"" cidr "\"}}}]}"
#define DOC(eff, res)                                                                      \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"" eff                         \
    "\",\"Action\":\"execute-api:Invoke\",\"Resource\":\"" res "\"}]}"

static json_t *signed_cases;

static int setup(void **state)
{
    (void)state;
    char path[1024];
    const char *root = getenv("GH_SOURCE_DIR");
    snprintf(path, sizeof path, "%s/tests/unit/data/sigv4/botocore_signed.json", root ? root : ".");
    json_error_t err;
    json_t *doc = json_load_file(path, 0, &err);
    if (!doc)
        return -1;
    signed_cases = json_incref(json_object_get(doc, "cases"));
    json_decref(doc);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    json_decref(signed_cases);
    gh_clock_fake(-1);
    return 0;
}

typedef struct {
    inv_fixture f;
    gh_credential cred;
} iam_fixture;

/* The fixture invocation carrying botocore's request `name`; body replaced if given. */
static void load(iam_fixture *x, const char *name, const char *body, const char *secret,
                 const char *policy)
{
    inv_fixture_init(&x->f);
    gh_arena *a = x->f.arena;
    json_t *c = NULL;
    size_t i;
    json_array_foreach(signed_cases, i, c) if (strcmp(json_string_value(json_object_get(c, "name")),
                                                      name) == 0) break;
    assert_non_null(c);
    gh_request *r = &x->f.req;
    r->method = json_string_value(json_object_get(c, "method"));
    r->path = json_string_value(json_object_get(c, "path"));
    const char *q = json_string_value(json_object_get(c, "query"));
    r->query = *q ? q : NULL;
    r->headers = (gh_headers){0};
    json_t *pair;
    json_array_foreach(json_object_get(c, "headers"), i, pair)
        gh_headers_add(a, &r->headers, json_string_value(json_array_get(pair, 0)),
                       json_string_value(json_array_get(pair, 1)));
    if (!body)
        body = json_string_value(json_object_get(c, "body"));
    r->body = *body ? body : NULL;
    r->body_len = strlen(body);
    x->cred = (gh_credential){.access_key = AK,
                              .secret_key = secret ? secret : SK,
                              .arn = USER_ARN,
                              .account_id = "111122223333",
                              .policy = policy ? json_loads(policy, 0, NULL) : NULL};
    x->f.api.credentials = &x->cred;
    x->f.api.ncredentials = 1;
}

static void unload(iam_fixture *x)
{
    json_decref(x->cred.policy);
    inv_fixture_free(&x->f);
}

#define MIN 60000LL
#define MISMATCH_HEAD                                                                      \
    "The request signature we calculated does not match the signature you provided. "     \
    "Check your AWS Secret Access Key and signing method. Consult the service "            \
    "documentation for details.\n\nThe Canonical String for this request should have "    \
    "been\n'POST\n/prod/orders/42\nexpand=items&tag=a%20b\n"

static const struct {
    const char *name, *body, *secret, *policy, *region;
    int64_t now;
    gh_auth_verdict verdict;
    gh_gw_type type;      /* FAIL and DENY */
    const char *message;  /* exact; a prefix when ending in "~" */
} cases[] = {
    {"post-json", NULL, NULL, NULL, NULL, SIGNED_AT, GH_AUTH_ALLOW, 0, NULL},
    {"get-session-token", NULL, NULL, NULL, NULL, SIGNED_AT + MIN, GH_AUTH_ALLOW, 0, NULL},
    {"presigned-get", NULL, NULL, NULL, NULL, SIGNED_AT, GH_AUTH_ALLOW, 0, NULL},
    {"post-json", NULL, NULL, DOC("Allow", "arn:aws:execute-api:eu-west-1:*:k3x9q2w7ab/prod/*"),
     NULL, SIGNED_AT, GH_AUTH_ALLOW, 0, NULL},
    {"post-json", NULL, NULL, DOC("Allow", "arn:aws:execute-api:*:*:*/*/GET/*"), NULL, SIGNED_AT,
     GH_AUTH_DENY_IMPLICIT, GH_GW_ACCESS_DENIED,
     "User: " USER_ARN " is not authorized to perform: execute-api:Invoke on resource: " MASKED
     " because no identity-based policy allows the execute-api:Invoke action"},
    {"post-json", NULL, NULL, DOC("Deny", "arn:aws:execute-api:*"), NULL, SIGNED_AT,
     GH_AUTH_DENY_EXPLICIT, GH_GW_ACCESS_DENIED,
     "User: " USER_ARN " is not authorized to perform: execute-api:Invoke on resource: " MASKED
     " with an explicit deny"},
    /* Identity-policy conditions are evaluated (the fixture calls from 198.51.100.7). */
    {"post-json", NULL, NULL, IP_DOC("198.51.100.0/24"), NULL, SIGNED_AT, GH_AUTH_ALLOW, 0, NULL},
    {"post-json", NULL, NULL, IP_DOC("10.0.0.0/8"), NULL, SIGNED_AT, GH_AUTH_DENY_IMPLICIT,
     GH_GW_ACCESS_DENIED,
     "User: " USER_ARN " is not authorized to perform: execute-api:Invoke on resource: " MASKED
     " because no identity-based policy allows the execute-api:Invoke action"},
    {"post-json", "{\"item\":\"pen\",\"qty\":9}", NULL, NULL, NULL, SIGNED_AT, GH_AUTH_FAIL,
     GH_GW_INVALID_SIGNATURE, MISMATCH_HEAD "~"},
    {"post-json", NULL, "another/secret", NULL, NULL, SIGNED_AT, GH_AUTH_FAIL,
     GH_GW_INVALID_SIGNATURE, MISMATCH_HEAD "~"},
    {"post-json", NULL, NULL, NULL, NULL, SIGNED_AT + 10 * MIN, GH_AUTH_FAIL,
     GH_GW_INVALID_SIGNATURE,
     "Signature expired: 20260609T140311Z is now earlier than 20260609T140811Z "
     "(20260609T141311Z - 5 min.)"},
    {"post-json", NULL, NULL, NULL, "us-east-1", SIGNED_AT, GH_AUTH_FAIL, GH_GW_INVALID_SIGNATURE,
     "Credential should be scoped to a valid region, not 'eu-west-1'. "},
};

static void outcome_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        iam_fixture x;
        load(&x, cases[i].name, cases[i].body, cases[i].secret, cases[i].policy);
        if (cases[i].region)
            x.f.api.region = cases[i].region;
        gh_clock_fake(cases[i].now);
        gh_auth_outcome out = {0};
        gh_iam_authorize(&x.f.inv, &out);
        if (out.verdict != cases[i].verdict)
            fail_msg("case %zu: verdict %d, want %d (%s)", i, out.verdict, cases[i].verdict,
                     out.log ? out.log : "");
        assert_non_null(out.log);
        if (cases[i].verdict == GH_AUTH_ALLOW) {
            assert_string_equal(out.identity.access_key, AK);
            assert_string_equal(out.identity.user_arn, USER_ARN);
        } else {
            assert_int_equal(out.fail_type, cases[i].type);
            size_t n = strlen(cases[i].message);
            if (cases[i].message[n - 1] == '~')
                assert_int_equal(strncmp(out.fail_message, cases[i].message, n - 1), 0);
            else
                assert_string_equal(out.fail_message, cases[i].message);
        }
        unload(&x);
    }
}

/* A caller of another account passes IAM but, with no resource policy to let it in, is
 * denied (api-gateway-cross-account-403); the same caller in the API's account passes. */
static void cross_account_needs_resource_policy(void **state)
{
    (void)state;
    static const struct {
        const char *api_account;
        int rc;
    } rows[] = {{"111122223333", 0}, {"444455556666", -1}};
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        iam_fixture x;
        load(&x, "post-json", NULL, NULL, NULL);
        gh_clock_fake(SIGNED_AT);
        gh_authorizer az = {.name = "sigv4", .kind = GH_AUTHZ_IAM};
        x.f.method.authorizer = &az;
        x.f.api.account_id = rows[i].api_account;
        assert_int_equal(gh_authorize(&x.f.inv, NULL), rows[i].rc);
        if (rows[i].rc != 0) {
            assert_int_equal(x.f.inv.fail_type, GH_GW_ACCESS_DENIED);
            assert_non_null(strstr(x.f.inv.fail_message, "User: " USER_ARN " is not authorized"));
        } else {
            assert_string_equal(x.f.inv.identity.user_arn, USER_ARN);
        }
        unload(&x);
    }
}

static void identity_fields(void **state)
{
    (void)state;
    iam_fixture x;
    load(&x, "post-json", NULL, NULL, NULL);
    gh_clock_fake(SIGNED_AT);
    gh_auth_outcome out = {0};
    gh_iam_authorize(&x.f.inv, &out);
    assert_int_equal(out.verdict, GH_AUTH_ALLOW);
    assert_string_equal(out.identity.account_id, "111122223333");
    /* A made-up IAM user id: AIDA + 17 base32 characters, stable, also the caller. */
    assert_int_equal(strlen(out.identity.user), 21);
    assert_int_equal(strncmp(out.identity.user, "AIDA", 4), 0);
    assert_int_equal(strspn(out.identity.user + 4, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), 17);
    assert_string_equal(out.identity.caller, out.identity.user);
    char first[22];
    strcpy(first, out.identity.user);
    unload(&x);

    load(&x, "get-session-token", NULL, NULL, NULL);
    x.cred.arn = "arn:aws:sts::111122223333:assumed-role/deployer/ci-run-7";
    gh_auth_outcome again = {0};
    gh_iam_authorize(&x.f.inv, &again);
    assert_int_equal(again.verdict, GH_AUTH_ALLOW);
    assert_int_equal(strncmp(again.identity.user, "AROA", 4), 0);
    assert_string_equal(again.identity.user + 21, ":ci-run-7");
    assert_string_not_equal(again.identity.user, first);
    unload(&x);

    load(&x, "post-json", NULL, NULL, NULL);
    gh_auth_outcome third = {0};
    gh_iam_authorize(&x.f.inv, &third);
    assert_string_equal(third.identity.user, first); /* stable across requests */
    unload(&x);
}

static void unsigned_and_unknown(void **state)
{
    (void)state;
    iam_fixture x;
    load(&x, "post-json", NULL, NULL, NULL);
    gh_clock_fake(SIGNED_AT);
    gh_headers_remove(&x.f.req.headers, "Authorization");
    gh_auth_outcome out = {0};
    gh_iam_authorize(&x.f.inv, &out);
    assert_int_equal(out.verdict, GH_AUTH_FAIL);
    assert_int_equal(out.fail_type, GH_GW_MISSING_AUTHENTICATION_TOKEN);
    assert_null(out.fail_message);

    gh_headers_set(x.f.arena, &x.f.req.headers, "Authorization", "Bearer eyJhbGciOi");
    gh_auth_outcome bad = {0};
    gh_iam_authorize(&x.f.inv, &bad);
    assert_int_equal(bad.fail_type, GH_GW_MISSING_AUTHENTICATION_TOKEN);
    assert_string_equal(bad.fail_message,
                        "Authorization header requires 'Credential' parameter. Authorization "
                        "header requires 'Signature' parameter. Authorization header requires "
                        "'SignedHeaders' parameter. Authorization=Bearer eyJhbGciOi");
    /* AWS's x-amzn-ErrorType for it, though it goes through this gateway response. */
    assert_string_equal(bad.fail_error_type, "IncompleteSignatureException");
    assert_null(out.fail_error_type);
    unload(&x);

    load(&x, "post-json", NULL, NULL, NULL);
    x.f.api.ncredentials = 0;
    gh_auth_outcome unknown = {0};
    gh_iam_authorize(&x.f.inv, &unknown);
    assert_int_equal(unknown.verdict, GH_AUTH_FAIL);
    assert_int_equal(unknown.fail_type, GH_GW_ACCESS_DENIED);
    assert_string_equal(unknown.fail_message,
                        "The security token included in the request is invalid.");
    unload(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(outcome_table),
        cmocka_unit_test(identity_fields),
        cmocka_unit_test(cross_account_needs_resource_policy),
        cmocka_unit_test(unsigned_and_unknown),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
