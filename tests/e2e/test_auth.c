/* End to end: authorization in the real binary, serving examples/auth/api.yaml. A Lua
 * TOKEN authorizer allowing, denying, raising and returning a malformed context, its
 * cache reusing a narrow policy for another path (AWS's classic trap) and the same calls
 * under --no-auth-cache; a REQUEST authorizer keyed on a header and a query string; a
 * Cognito token minted by `gatehouse token` accepted and a tampered one refused; scopes;
 * a request signed by botocore (the AWS CLI's SigV4 signer) accepted and badly signed or
 * unsigned ones refused with AWS's bodies; the resource policy's VPC-endpoint condition.
 * AWS behaviour: reference/aws-api-gateway.md §2, §4; docs/authorization.md. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.h"
#include "e2e_suite.h"

#define SPEC "examples/auth/api.yaml"
#define EXPLICIT_DENY \
    "{\"Message\":\"User is not authorized to access this resource with an explicit deny\"}"
#define IMPLICIT_DENY "{\"Message\":\"User is not authorized to access this resource\"}"
#define UNAUTHORIZED "{\"message\":\"Unauthorized\"}"

static void get(const char *path, const char *authorization, e2e_response *r)
{
    char h[4096];
    snprintf(h, sizeof h, "Authorization: %s", authorization ? authorization : "");
    const char *const headers[] = {h, NULL};
    req("GET", path, authorization ? headers : NULL, NULL, r);
}

static void expect(const char *path, const char *authorization, int status, const char *body)
{
    e2e_response r;
    get(path, authorization, &r);
    if (r.status != status || (body && strcmp(r.body, body) != 0))
        fail_msg("GET %s (%s): %d %s, want %d %s", path, authorization ? authorization : "-",
                 r.status, r.body, status, body ? body : "");
    e2e_response_free(&r);
}

static void test_no_authorizer(void **state)
{
    (void)state;
    expect("/dev/health", NULL, 200, "{\"status\": \"ok\"}");
}

/* Missing header and a token failing identityValidationExpression: 401 without calling
 * the function; error("Unauthorized") in Lua: 401 too (reference §4.1, §4.4). */
static void test_token_unauthorized(void **state)
{
    (void)state;
    expect("/dev/notes", NULL, 401, UNAUTHORIZED);
    expect("/dev/notes", "Bearer something", 401, UNAUTHORIZED);
    expect("/dev/notes", "fail-bob", 401, UNAUTHORIZED);
    e2e_response r;
    get("/dev/notes", "fail-bob", &r);
    assert_string_equal(e2e_header_get(&r, "x-amzn-ErrorType"), "UnauthorizedException");
    /* The definition's UNAUTHORIZED gateway response adds its header. */
    assert_string_equal(e2e_header_get(&r, "WWW-Authenticate"), "Bearer realm=\"notes\"");
    e2e_response_free(&r);
}

/* An Allow: the function sees requestContext.authorizer with principalId and the context
 * values as strings (reference §4.4). */
static void test_token_allow(void **state)
{
    (void)state;
    e2e_response r;
    get("/dev/notes", "allow-alice", &r);
    assert_int_equal(r.status, 200);
    json_t *b = e2e_body_json(&r);
    assert_non_null(b);
    assert_string_equal(e2e_json_str(b, "authorizer.principalId"), "alice");
    assert_string_equal(e2e_json_str(b, "authorizer.tier"), "gold");
    assert_string_equal(e2e_json_str(b, "authorizer.quota"), "5");
    assert_string_equal(e2e_json_str(b, "authorizer.beta"), "true");
    assert_true(json_is_integer(e2e_json_at(b, "authorizer.integrationLatency")));
    json_decref(b);
    e2e_response_free(&r);

    /* $context.authorizer.* in a template, context.authorizer.* in a header mapping. */
    get("/dev/notes/7", "allow-alice", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"id\": \"7\", \"owner\": \"alice\", \"tier\": \"gold\"}\n");
    assert_string_equal(e2e_header_get(&r, "X-Note-Owner"), "alice");
    e2e_response_free(&r);
}

static void test_token_deny_and_broken(void **state)
{
    (void)state;
    expect("/dev/notes", "deny-bob", 403, EXPLICIT_DENY);
    e2e_response r;
    get("/dev/notes", "broken-bob", &r);
    assert_int_equal(r.status, 500);
    assert_string_equal(e2e_header_get(&r, "x-amzn-ErrorType"), "AuthorizerConfigurationException");
    e2e_response_free(&r);
}

/* The trap: a policy naming only the first method ARN is cached under the token and
 * re-evaluated for the next path, which it does not cover: 403 until the TTL ends. */
static void test_cached_policy_reused(void **state)
{
    (void)state;
    expect("/dev/notes", "narrow-carol", 200, NULL);
    expect("/dev/notes/1", "narrow-carol", 403, IMPLICIT_DENY);
}

static void test_request_authorizer(void **state)
{
    (void)state;
    const char *const user[] = {"X-User: u1", NULL};
    e2e_response r;
    req("GET", "/dev/reports?tenant=acme", user, NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *b = e2e_body_json(&r);
    assert_string_equal(e2e_json_str(b, "authorizer.principalId"), "u1@acme");
    assert_string_equal(e2e_json_str(b, "authorizer.stage"), "dev");
    json_decref(b);
    e2e_response_free(&r);

    req("GET", "/dev/reports?tenant=other", user, NULL, &r);
    assert_int_equal(r.status, 403);
    assert_string_equal(r.body, EXPLICIT_DENY);
    e2e_response_free(&r);

    /* One identity source missing: 401 without calling the function. */
    req("GET", "/dev/reports?tenant=acme", NULL, NULL, &r);
    assert_int_equal(r.status, 401);
    assert_string_equal(r.body, UNAUTHORIZED);
    e2e_response_free(&r);
}

/* `gatehouse token` prints one JWT; NULL when it failed. */
static char *mint(const char *const extra[])
{
    const char *argv[16] = {"token", SPEC, "--pool", "us-east-1_Notes0001"};
    size_t n = 4;
    for (size_t i = 0; extra[i] && n < 15; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    char *out = NULL, *err = NULL;
    int code = -1;
    if (e2e_run(argv, &out, &err, &code) != 0 || code != 0) {
        fprintf(stderr, "gatehouse token failed (%d): %s\n", code, err ? err : "");
        free(out);
        free(err);
        return NULL;
    }
    free(err);
    out[strcspn(out, "\r\n")] = '\0';
    return out;
}

static void test_cognito(void **state)
{
    (void)state;
    char *id = mint((const char *const[]){"--user", "alice", NULL});
    assert_non_null(id);
    e2e_response r;
    get("/dev/me", id, &r);
    assert_int_equal(r.status, 200);
    json_t *b = e2e_body_json(&r);
    assert_string_equal(e2e_json_str(b, "authorizer.claims.email"), "alice@example.com");
    assert_string_equal(e2e_json_str(b, "authorizer.claims.cognito:username"), "alice");
    assert_string_equal(e2e_json_str(b, "authorizer.claims.token_use"), "id");
    json_decref(b);
    e2e_response_free(&r);

    /* One byte of the payload changed: the signature no longer holds. */
    char *dot = strchr(id, '.');
    assert_non_null(dot);
    dot[5] = dot[5] == 'A' ? 'B' : 'A';
    expect("/dev/me", id, 401, UNAUTHORIZED);
    expect("/dev/me", NULL, 401, UNAUTHORIZED);
    /* An ID token on a method with authorization scopes. */
    dot[5] = dot[5] == 'A' ? 'B' : 'A';
    expect("/dev/admin", id, 401, UNAUTHORIZED);
    free(id);

    char *access = mint((const char *const[]){"--user", "alice", "--access", "--scope",
                                              "notes/admin", NULL});
    assert_non_null(access);
    expect("/dev/admin", access, 200, NULL);
    free(access);
    char *other = mint((const char *const[]){"--user", "bob", "--access", "--scope",
                                             "notes/read", NULL});
    assert_non_null(other);
    expect("/dev/admin", other, 401, UNAUTHORIZED);
    free(other);
}

/* Headers botocore's SigV4Auth adds for this request; NULL-terminated, caller frees. */
static char **sign(const char *method, const char *path, const char *secret)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "python3 tests/e2e/sigv4_sign.py %s 'http://127.0.0.1:%d%s' us-east-1 "
             "AKIDEXAMPLE '%s'",
             method, e2e_port(srv), path, secret);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char **h = calloc(8, sizeof *h);
    char line[2048];
    size_t n = 0;
    while (n < 7 && fgets(line, sizeof line, p)) {
        line[strcspn(line, "\r\n")] = '\0';
        h[n++] = strdup(line);
    }
    assert_int_equal(pclose(p), 0);
    assert_true(n >= 2);
    return h;
}

static void free_headers(char **h)
{
    for (size_t i = 0; h[i]; i++)
        free(h[i]);
    free(h);
}

static void test_iam(void **state)
{
    (void)state;
    const char *secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    e2e_response r;
    req("GET", "/dev/signed", NULL, NULL, &r);
    assert_int_equal(r.status, 403);
    assert_string_equal(r.body, "{\"message\":\"Missing Authentication Token\"}");
    e2e_response_free(&r);

    char **h = sign("GET", "/dev/signed?x=1", secret);
    req("GET", "/dev/signed?x=1", (const char *const *)h, NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *b = e2e_body_json(&r);
    assert_string_equal(e2e_json_str(b, "identity.accessKey"), "AKIDEXAMPLE");
    assert_string_equal(e2e_json_str(b, "identity.accountId"), "123456789012");
    assert_string_equal(e2e_json_str(b, "identity.userArn"),
                        "arn:aws:iam::123456789012:user/notes-ci");
    json_decref(b);
    e2e_response_free(&r);
    free_headers(h);

    h = sign("GET", "/dev/signed", "not-the-secret");
    req("GET", "/dev/signed", (const char *const *)h, NULL, &r);
    assert_int_equal(r.status, 403);
    assert_string_equal(e2e_header_get(&r, "x-amzn-ErrorType"), "InvalidSignatureException");
    assert_non_null(strstr(r.body, "The request signature we calculated does not match"));
    e2e_response_free(&r);
    free_headers(h);
}

/* The resource policy denies /internal unless the call comes through the VPC endpoint
 * (set for testing with X-Gatehouse-Source-Vpce). */
static void test_resource_policy(void **state)
{
    (void)state;
    /* AWS names the caller and masks the account in a resource policy's denial. */
    expect("/dev/internal", NULL, 403,
           "{\"Message\":\"User: anonymous is not authorized to perform: execute-api:Invoke "
           "on resource: arn:aws:execute-api:us-east-1:********9012:notes00001/dev/GET/internal "
           "with an explicit deny\"}");
    const char *const vpce[] = {"X-Gatehouse-Source-Vpce: vpce-0notes000example", NULL};
    e2e_response r;
    req("GET", "/dev/internal", vpce, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"internal\": true}");
    e2e_response_free(&r);
}

/* Without the cache the narrow policy is asked for again for the second path. */
static void test_no_auth_cache(void **state)
{
    (void)state;
    static const char *const args[] = {SPEC, "--no-auth-cache", NULL};
    e2e_server *s = e2e_start(args);
    assert_non_null(s);
    const char *const h[] = {"Authorization: narrow-carol", NULL};
    e2e_response r;
    assert_int_equal(e2e_request(s, "GET", "/dev/notes", h, NULL, 0, &r), 0);
    assert_int_equal(r.status, 200);
    e2e_response_free(&r);
    assert_int_equal(e2e_request(s, "GET", "/dev/notes/1", h, NULL, 0, &r), 0);
    assert_int_equal(r.status, 200);
    e2e_response_free(&r);
    e2e_kill(s);
}

int main(void)
{
    static const char *const args[] = {SPEC, NULL};
    suite_args = args;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_authorizer),
        cmocka_unit_test(test_token_unauthorized),
        cmocka_unit_test(test_token_allow),
        cmocka_unit_test(test_token_deny_and_broken),
        cmocka_unit_test(test_cached_policy_reused),
        cmocka_unit_test(test_request_authorizer),
        cmocka_unit_test(test_cognito),
        cmocka_unit_test(test_iam),
        cmocka_unit_test(test_resource_policy),
        cmocka_unit_test(test_no_auth_cache),
    };
    return cmocka_run_group_tests(tests, suite_setup, suite_teardown);
}
