/* auth/policy: a table of policy documents, method ARNs and the verdict IAM gives for
 * execute-api (examples modelled on AWS's authorizer output and IAM Resource pages),
 * the glob on its own, malformed documents, and the method-ARN builder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "auth/policy.h"
#include "util/arena.h"

#define ARN "arn:aws:execute-api:eu-west-1:111122223333:k3x9q2w7ab/prod/GET/orders/42"
#define PFX "arn:aws:execute-api:eu-west-1:111122223333:k3x9q2w7ab"
/* One statement: effect, action (JSON), resource (JSON). */
#define ST(eff, act, res) "{\"Effect\":\"" eff "\",\"Action\":" act ",\"Resource\":" res "}"
#define DOC(...) "{\"Version\":\"2012-10-17\",\"Statement\":[" __VA_ARGS__ "]}"
#define INV "\"execute-api:Invoke\""

enum {
    ALLOW = GH_POLICY_ALLOW,
    XDENY = GH_POLICY_EXPLICIT_DENY,
    IDENY = GH_POLICY_IMPLICIT_DENY,
    BAD = 99
};

static const struct {
    const char *doc;
    const char *arn;
    int expect;
    int statement; /* deciding statement; -1 for implicit deny / malformed */
} cases[] = {
    /* exact ARN, Action as string */
    {DOC(ST("Allow", INV, "\"" ARN "\"")), ARN, ALLOW, 0},
    {DOC(ST("Deny", INV, "\"" ARN "\"")), ARN, XDENY, 0},
    {DOC(ST("Allow", INV, "\"" PFX "/prod/GET/orders/43\"")), ARN, IDENY, -1},
    /* '*' at every position */
    {DOC(ST("Allow", INV, "\"*\"")), ARN, ALLOW, 0},
    {DOC(ST("Allow", INV, "\"arn:aws:execute-api:*\"")), ARN, ALLOW, 0},
    {DOC(ST("Allow", INV, "\"arn:aws:execute-api:*:111122223333:k3x9q2w7ab/prod/GET/orders/42\"")),
     ARN, ALLOW, 0},
    {DOC(ST("Allow", INV, "\"arn:aws:execute-api:eu-west-1:*:k3x9q2w7ab/*\"")), ARN, ALLOW, 0},
    {DOC(ST("Allow", INV, "\"arn:aws:execute-api:eu-west-1:111122223333:*/prod/GET/orders/42\"")),
     ARN, ALLOW, 0},
    {DOC(ST("Allow", INV, "\"" PFX "/*/GET/orders/42\"")), ARN, ALLOW, 0},
    {DOC(ST("Allow", INV, "\"" PFX "/prod/*/orders/42\"")), ARN, ALLOW, 0},
    {DOC(ST("Allow", INV, "\"" PFX "/prod/GET/*\"")), ARN, ALLOW, 0},
    {DOC(ST("Allow", INV, "\"" PFX "/prod/*/orders/*\"")), ARN, ALLOW, 0},
    {DOC(ST("Allow", INV, "\"" PFX "/prod/GET/orders/4*\"")), ARN, ALLOW, 0},
    {DOC(ST("Allow", INV, "\"" PFX "/prod/GET/ord*42\"")), ARN, ALLOW, 0},
    /* '*' spans '/' and ':' (a plain glob over the whole ARN) */
    {DOC(ST("Allow", INV, "\"arn:aws:*/orders/42\"")), ARN, ALLOW, 0},
    {DOC(ST("Allow", INV, "\"" PFX "/*\"")), ARN, ALLOW, 0},
    /* '*' can match nothing, but the literal around it must be there */
    {DOC(ST("Allow", INV, "\"" PFX "/prod/GET/orders/42*\"")), ARN, ALLOW, 0},
    {DOC(ST("Allow", INV, "\"" PFX "/prod/GET/orders/*/*\"")), ARN, IDENY, -1},
    {DOC(ST("Allow", INV, "\"" PFX "/prod/POST/*\"")), ARN, IDENY, -1},
    {DOC(ST("Allow", INV, "\"" PFX "/dev/*\"")), ARN, IDENY, -1},
    /* '?' is exactly one character */
    {DOC(ST("Allow", INV, "\"" PFX "/prod/GET/orders/4?\"")), ARN, ALLOW, 0},
    {DOC(ST("Allow", INV, "\"" PFX "/prod/G?T/orders/42\"")), ARN, ALLOW, 0},
    {DOC(ST("Allow", INV, "\"" PFX "/prod/GET/orders/?\"")), ARN, IDENY, -1},
    {DOC(ST("Allow", INV, "\"" PFX "/prod/GET/orders/42?\"")), ARN, IDENY, -1},
    {DOC(ST("Allow", INV, "\"arn:aws:execute-api:eu-west-?:111122223333:k3x9q2w7ab/*\"")), ARN,
     ALLOW, 0},
    /* ARNs are case-sensitive */
    {DOC(ST("Allow", INV, "\"" PFX "/prod/get/orders/42\"")), ARN, IDENY, -1},
    {DOC(ST("Allow", INV, "\"" PFX "/Prod/*\"")), ARN, IDENY, -1},
    {DOC(ST("Allow", INV, "\"ARN:AWS:execute-api:*\"")), ARN, IDENY, -1},
    /* action names are not; wildcards in actions */
    {DOC(ST("Allow", "\"execute-api:invoke\"", "\"*\"")), ARN, ALLOW, 0},
    {DOC(ST("Allow", "\"EXECUTE-API:INVOKE\"", "\"*\"")), ARN, ALLOW, 0},
    {DOC(ST("Allow", "\"execute-api:*\"", "\"*\"")), ARN, ALLOW, 0},
    {DOC(ST("Allow", "\"*\"", "\"*\"")), ARN, ALLOW, 0},
    {DOC(ST("Allow", "\"execute-api:In*\"", "\"*\"")), ARN, ALLOW, 0},
    {DOC(ST("Allow", "\"execute-api:Invok?\"", "\"*\"")), ARN, ALLOW, 0},
    {DOC(ST("Allow", "\"execute-api:ManageConnections\"", "\"*\"")), ARN, IDENY, -1},
    {DOC(ST("Allow", "\"lambda:InvokeFunction\"", "\"*\"")), ARN, IDENY, -1},
    {DOC(ST("Deny", "\"execute-api:*\"", "\"*\"")), ARN, XDENY, 0},
    /* arrays */
    {DOC(ST("Allow", "[\"s3:GetObject\",\"execute-api:Invoke\"]", "\"*\"")), ARN, ALLOW, 0},
    {DOC(ST("Allow", "[\"s3:GetObject\"]", "\"*\"")), ARN, IDENY, -1},
    {DOC(ST("Allow", INV, "[\"" PFX "/prod/POST/*\",\"" PFX "/prod/GET/orders/*\"]")), ARN, ALLOW,
     0},
    {DOC(ST("Allow", INV, "[\"" PFX "/prod/POST/*\",\"" PFX "/dev/*\"]")), ARN, IDENY, -1},
    {DOC(ST("Allow", INV, "[]")), ARN, IDENY, -1},
    /* several statements: explicit deny wins wherever it is */
    {DOC(ST("Allow", INV, "\"*\"") "," ST("Deny", INV, "\"" PFX "/prod/GET/orders/*\"")), ARN,
     XDENY, 1},
    {DOC(ST("Deny", INV, "\"" PFX "/prod/GET/orders/*\"") "," ST("Allow", INV, "\"*\"")), ARN,
     XDENY, 0},
    {DOC(ST("Allow", INV, "\"*\"") "," ST("Deny", INV, "\"" PFX "/prod/DELETE/*\"")), ARN, ALLOW,
     0},
    {DOC(ST("Allow", INV, "\"" PFX "/dev/*\"") "," ST("Allow", INV, "\"" PFX "/prod/*\"")), ARN,
     ALLOW, 1},
    {DOC(ST("Deny", "\"s3:*\"", "\"*\"") "," ST("Allow", INV, "\"*\"")), ARN, ALLOW, 1},
    {DOC(ST("Deny", INV, "\"" PFX "/dev/*\"")), ARN, IDENY, -1},
    {DOC(), ARN, IDENY, -1},
    /* Statement as a single object (IAM accepts it) */
    {"{\"Version\":\"2012-10-17\",\"Statement\":" ST("Allow", INV, "\"" PFX "/*\"") "}", ARN, ALLOW,
     0},
    {"{\"Statement\":" ST("Deny", INV, "\"*\"") "}", ARN, XDENY, 0},
    /* NotAction / NotResource */
    {DOC("{\"Effect\":\"Allow\",\"NotAction\":\"s3:*\",\"Resource\":\"*\"}"), ARN, ALLOW, 0},
    {DOC("{\"Effect\":\"Allow\",\"NotAction\":\"execute-api:*\",\"Resource\":\"*\"}"), ARN, IDENY,
     -1},
    {DOC("{\"Effect\":\"Allow\",\"Action\":" INV ",\"NotResource\":\"" PFX "/prod/DELETE/*\"}"),
     ARN, ALLOW, 0},
    {DOC("{\"Effect\":\"Allow\",\"Action\":" INV ",\"NotResource\":[\"" PFX "/dev/*\",\"" PFX
         "/prod/GET/*\"]}"),
     ARN, IDENY, -1},
    {DOC(ST("Allow", INV, "\"*\"") ",{\"Effect\":\"Deny\",\"Action\":" INV ",\"NotResource\":\"" PFX
                                   "/prod/GET/public/*\"}"),
     ARN, XDENY, 1},
    /* malformed documents */
    {"{\"Version\":\"2012-10-17\"}", ARN, BAD, -1},
    {"[]", ARN, BAD, -1},
    {"{\"Statement\":\"Allow\"}", ARN, BAD, -1},
    {"{\"Statement\":null}", ARN, BAD, -1},
    {DOC(ST("allow", INV, "\"*\"")), ARN, BAD, -1},
    {DOC(ST("Permit", INV, "\"*\"")), ARN, BAD, -1},
    {DOC("{\"Effect\":true,\"Action\":" INV ",\"Resource\":\"*\"}"), ARN, BAD, -1},
    {DOC("{\"Action\":" INV ",\"Resource\":\"*\"}"), ARN, BAD, -1},
    {DOC("{\"Effect\":\"Allow\",\"Resource\":\"*\"}"), ARN, BAD, -1},
    {DOC("{\"Effect\":\"Allow\",\"Action\":" INV "}"), ARN, BAD, -1},
    {DOC("{\"Effect\":\"Allow\",\"Action\":" INV ",\"NotAction\":\"s3:*\",\"Resource\":\"*\"}"),
     ARN, BAD, -1},
    {DOC("{\"Effect\":\"Allow\",\"Action\":" INV ",\"Resource\":\"*\",\"NotResource\":\"*\"}"), ARN,
     BAD, -1},
    {DOC(ST("Allow", "42", "\"*\"")), ARN, BAD, -1},
    {DOC(ST("Allow", INV, "[\"*\",7]")), ARN, BAD, -1},
    {DOC(ST("Allow", INV, "{\"a\":\"*\"}")), ARN, BAD, -1},
    {DOC("\"Allow\""), ARN, BAD, -1},
    /* a bad statement fails the document even after a deciding one */
    {DOC(ST("Allow", INV, "\"*\"") "," ST("Maybe", INV, "\"*\"")), ARN, BAD, -1},
    /* root resource ARN ends in "/GET/" */
    {DOC(ST("Allow", INV, "\"" PFX "/prod/GET/\"")), PFX "/prod/GET/", ALLOW, 0},
    {DOC(ST("Allow", INV, "\"" PFX "/prod/GET/*\"")), PFX "/prod/GET/", ALLOW, 0},
    {DOC(ST("Allow", INV, "\"" PFX "/prod/GET/?*\"")), PFX "/prod/GET/", IDENY, -1},
};

static void policy_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        json_error_t jerr;
        json_t *doc = json_loads(cases[i].doc, 0, &jerr);
        if (!doc)
            fail_msg("case %zu: bad test JSON: %s", i, jerr.text);
        gh_policy_result r = {GH_POLICY_IMPLICIT_DENY, -7};
        gh_policy_error err = {{0}};
        int rc = gh_policy_evaluate(doc, "execute-api:Invoke", cases[i].arn, &r, &err);
        if (cases[i].expect == BAD) {
            if (rc != -1)
                fail_msg("case %zu: expected malformed, got decision %d", i, (int)r.decision);
            if (strncmp(err.message, "policy: ", 8) != 0)
                fail_msg("case %zu: message '%s'", i, err.message);
        } else {
            if (rc != 0)
                fail_msg("case %zu: unexpected error: %s", i, err.message);
            if ((int)r.decision != cases[i].expect || r.statement != cases[i].statement)
                fail_msg("case %zu: decision %d statement %d, expected %d statement %d", i,
                         (int)r.decision, r.statement, cases[i].expect, cases[i].statement);
        }
        json_decref(doc);
    }
}

static void error_messages(void **state)
{
    (void)state;
    static const struct {
        const char *doc;
        const char *message;
    } msgs[] = {
        {"{}", "policy: the policy document has no Statement"},
        {"{\"Statement\":[{\"Effect\":\"allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}",
         "policy: Statement[0].Effect must be \"Allow\" or \"Deny\""},
        {"{\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\"},"
         "{\"Effect\":\"Allow\",\"Action\":[\"*\",1],\"Resource\":\"*\"}]}",
         "policy: Statement[1].Action[1] must be a string"},
        {"{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\"}]}",
         "policy: Statement[0] has neither Resource nor NotResource"},
        {"{\"Statement\":7}", "policy: Statement must be an object or an array of objects"},
    };
    for (size_t i = 0; i < sizeof msgs / sizeof *msgs; i++) {
        json_t *doc = json_loads(msgs[i].doc, 0, NULL);
        assert_non_null(doc);
        gh_policy_result r;
        gh_policy_error err = {{0}};
        assert_int_equal(gh_policy_evaluate(doc, "execute-api:Invoke", ARN, &r, &err), -1);
        assert_string_equal(err.message, msgs[i].message);
        json_decref(doc);
    }
}

static void glob(void **state)
{
    (void)state;
    static const struct {
        const char *pattern, *subject;
        int nocase, expect;
    } g[] = {
        {"", "", 0, 1},       {"", "a", 0, 0},          {"*", "", 0, 1},
        {"?", "", 0, 0},      {"a*b*c", "aXbYc", 0, 1}, {"a*b*c", "aXbY", 0, 0},
        {"*a", "aaaa", 0, 1}, {"*ab", "aab", 0, 1},     {"a**b", "ab", 0, 1},
        {"A*", "abc", 0, 0},  {"A*", "abc", 1, 1},      {"a?c", "a/c", 0, 1},
        {"*:*", "x:y", 0, 1}, {"*:*", "xy", 0, 0},      {"a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaa", 0, 0},
    };
    for (size_t i = 0; i < sizeof g / sizeof *g; i++) {
        if (gh_policy_glob(g[i].pattern, g[i].subject, g[i].nocase) != g[i].expect)
            fail_msg("glob %zu: '%s' vs '%s'", i, g[i].pattern, g[i].subject);
    }
}

static void method_arn(void **state)
{
    (void)state;
    gh_arena *a = gh_arena_new(512);
    assert_string_equal(gh_policy_method_arn(a, "eu-west-1", "111122223333", "k3x9q2w7ab", "prod",
                                             "GET", "/orders/42"),
                        ARN);
    assert_string_equal(
        gh_policy_method_arn(a, "us-east-1", "123456789012", "abc", "dev", "POST", "/"),
        "arn:aws:execute-api:us-east-1:123456789012:abc/dev/POST/");
    assert_string_equal(
        gh_policy_method_arn(a, "us-east-1", "123456789012", "abc", "dev", "GET", NULL),
        "arn:aws:execute-api:us-east-1:123456789012:abc/dev/GET/");
    gh_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(policy_table),
        cmocka_unit_test(error_messages),
        cmocka_unit_test(glob),
        cmocka_unit_test(method_arn),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
