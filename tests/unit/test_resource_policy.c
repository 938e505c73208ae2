/* auth/resource_policy and auth/condition: AWS's resource-policy examples
 * (apigateway-resource-policies-examples, apigateway-authorization-flow) and IAM's
 * condition rules (missing keys, IfExists, any-of values, negation) over the fixture
 * request GET /prod/orders/42 on k3x9q2w7ab (inv_fixture.h); IPv4/IPv6 CIDR edges;
 * principals; malformed documents; and the authorization-flow tables, a row per line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "auth/condition.h"
#include "auth/resource_policy.h"
#include "inv_fixture.h"

#define ACCT "111122223333"
#define OTHER "444455556666"
#define PFX "arn:aws:execute-api:eu-west-1:" ACCT ":k3x9q2w7ab"
#define ALL "\"" PFX "/*\""
/* One statement: effect, principal (JSON), resource (JSON), then ",\"Condition\":..." or "". */
#define STP(eff, pr, res, more)                                                                    \
    "{\"Effect\":\"" eff "\",\"Principal\":" pr                                                    \
    ",\"Action\":\"execute-api:Invoke\",\"Resource\":" res more "}"
#define ST(eff, more) STP(eff, "\"*\"", ALL, more)
#define COND(op, key, vals) ",\"Condition\":{\"" op "\":{\"" key "\":" vals "}}"
#define DOC(st) "{\"Version\":\"2012-10-17\",\"Statement\":[" st "]}"
#define DOC2(a, b) DOC(a "," b)
#define ALICE "arn:aws:iam::" OTHER ":user/Alice"
#define BOB "arn:aws:iam::" OTHER ":user/team/Bob"
#define SESS "arn:aws:sts::" OTHER ":assumed-role/developer/bob-session"
#define ME "arn:aws:iam::" ACCT ":user/ops/carol"

enum {
    ALLOW = GH_POLICY_ALLOW,
    XDENY = GH_POLICY_EXPLICIT_DENY,
    IDENY = GH_POLICY_IMPLICIT_DENY,
    BAD = 99
};

/* The request: source address, the two test headers (NULL: not sent), the SigV4 caller. */
typedef struct {
    const char *ip, *vpc, *vpce, *caller;
} req;

#define R(ip, vpc, vpce, caller)                                                                   \
    {                                                                                              \
        ip, vpc, vpce, caller                                                                      \
    }
#define IP(ip) R(ip, NULL, NULL, NULL)
#define NOBODY IP("198.51.100.7")

static const struct {
    const char *doc;
    req r;
    int expect;
    int statement; /* deciding statement; -1 for an implicit deny or malformed */
} cases[] = {
    /* authorization-flow, resource policy only: allow from two ranges */
    {DOC(ST("Allow", COND("IpAddress", "aws:SourceIp", "[\"192.0.2.0/24\",\"198.51.100.0/24\"]"))),
     IP("198.51.100.7"), ALLOW, 0},
    {DOC(ST("Allow", COND("IpAddress", "aws:SourceIp", "[\"192.0.2.0/24\",\"198.51.100.0/24\"]"))),
     IP("192.0.2.255"), ALLOW, 0},
    {DOC(ST("Allow", COND("IpAddress", "aws:SourceIp", "[\"192.0.2.0/24\",\"198.51.100.0/24\"]"))),
     IP("203.0.113.1"), IDENY, -1},
    /* authorization-flow, Lambda example: deny unless through vpce-1a2b3c4d (no Allow) */
    {DOC(ST("Deny", COND("StringNotEquals", "aws:SourceVpce", "\"vpce-1a2b3c4d\""))),
     R("10.0.0.5", NULL, "vpce-1a2b3c4d", NULL), IDENY, -1},
    {DOC(ST("Deny", COND("StringNotEquals", "aws:SourceVpce", "\"vpce-1a2b3c4d\""))),
     R("10.0.0.5", NULL, "vpce-99999999", NULL), XDENY, 0},
    /* ... a missing key makes a negated operator true: no endpoint, denied */
    {DOC(ST("Deny", COND("StringNotEquals", "aws:SourceVpce", "\"vpce-1a2b3c4d\""))), NOBODY, XDENY,
     0},
    /* authorization-flow, cross-account example: allow from vpc-2f09a348 */
    {DOC(ST("Allow", COND("StringEquals", "aws:SourceVpc", "\"vpc-2f09a348\""))),
     R("10.0.0.5", "vpc-2f09a348", NULL, NULL), ALLOW, 0},
    {DOC(ST("Allow", COND("StringEquals", "aws:SourceVpc", "\"vpc-2f09a348\""))),
     R("10.0.0.5", "vpc-00000000", NULL, NULL), IDENY, -1},
    {DOC(ST("Allow", COND("StringEquals", "aws:SourceVpc", "\"vpc-2f09a348\""))), NOBODY, IDENY,
     -1},
    /* examples page: deny two ranges, allow the rest */
    {DOC2(ST("Allow", ""),
          ST("Deny", COND("IpAddress", "aws:SourceIp", "[\"192.0.2.0/24\",\"198.51.100.0/24\"]"))),
     IP("198.51.100.7"), XDENY, 1},
    {DOC2(ST("Allow", ""),
          ST("Deny", COND("IpAddress", "aws:SourceIp", "[\"192.0.2.0/24\",\"198.51.100.0/24\"]"))),
     IP("203.0.113.9"), ALLOW, 0},
    /* reference §12: allow-list through a Deny NotIpAddress */
    {DOC2(ST("Allow", ""),
          ST("Deny", COND("NotIpAddress", "aws:SourceIp", "[\"203.0.113.0/24\"]"))),
     IP("203.0.113.9"), ALLOW, 0},
    {DOC2(ST("Allow", ""),
          ST("Deny", COND("NotIpAddress", "aws:SourceIp", "[\"203.0.113.0/24\"]"))),
     IP("198.51.100.7"), XDENY, 1},
    /* examples page: private API only from a VPC, and from a VPC endpoint */
    {DOC2(ST("Allow", ""),
          ST("Deny", COND("StringNotEquals", "aws:SourceVpc", "\"vpc-1a2b3c4d\""))),
     R("10.0.0.5", "vpc-1a2b3c4d", NULL, NULL), ALLOW, 0},
    {DOC2(ST("Allow", ""),
          ST("Deny", COND("StringNotEquals", "aws:SourceVpc", "\"vpc-1a2b3c4d\""))),
     R("10.0.0.5", "vpc-ffffffff", NULL, NULL), XDENY, 1},
    {DOC2(ST("Allow", ""),
          ST("Deny", COND("StringNotEquals", "aws:SourceVpce", "\"vpce-1a2b3c4d\""))),
     R("10.0.0.5", NULL, "vpce-1a2b3c4d", NULL), ALLOW, 0},
    /* examples page: aws:VpcSourceIp is present only through a VPC endpoint */
    {DOC2(ST("Allow", ""), ST("Deny", COND("IpAddress", "aws:VpcSourceIp", "[\"192.0.2.0/24\"]"))),
     R("192.0.2.9", NULL, "vpce-1a2b3c4d", NULL), XDENY, 1},
    {DOC2(ST("Allow", ""), ST("Deny", COND("IpAddress", "aws:VpcSourceIp", "[\"192.0.2.0/24\"]"))),
     IP("192.0.2.9"), ALLOW, 0},
    /* examples page: Alice and account-id-2 (an account id covers all its identities) */
    {DOC(STP("Allow", "{\"AWS\":[\"" ALICE "\",\"" OTHER "\"]}", ALL, "")),
     R("198.51.100.7", NULL, NULL, ALICE), ALLOW, 0},
    {DOC(STP("Allow", "{\"AWS\":[\"" ALICE "\",\"" OTHER "\"]}", ALL, "")),
     R("198.51.100.7", NULL, NULL, BOB), ALLOW, 0},
    {DOC(STP("Allow", "{\"AWS\":[\"" ALICE "\",\"" OTHER "\"]}", ALL, "")),
     R("198.51.100.7", NULL, NULL, ME), IDENY, -1},
    {DOC(STP("Allow", "{\"AWS\":[\"" ALICE "\",\"" OTHER "\"]}", ALL, "")), NOBODY, IDENY, -1},
    /* principals: "*" and {"AWS":"*"} cover anonymous callers; ARNs must match exactly */
    {DOC(STP("Allow", "{\"AWS\":\"*\"}", ALL, "")), NOBODY, ALLOW, 0},
    {DOC(STP("Allow", "\"*\"", ALL, "")), R("198.51.100.7", NULL, NULL, ME), ALLOW, 0},
    {DOC(STP("Allow", "{\"AWS\":\"" ALICE "\"}", ALL, "")), R("198.51.100.7", NULL, NULL, BOB),
     IDENY, -1},
    {DOC(STP("Allow", "{\"AWS\":\"arn:aws:iam::" OTHER ":root\"}", ALL, "")),
     R("198.51.100.7", NULL, NULL, SESS), ALLOW, 0},
    {DOC(STP("Allow", "{\"AWS\":\"arn:aws:iam::" ACCT ":root\"}", ALL, "")),
     R("198.51.100.7", NULL, NULL, SESS), IDENY, -1},
    /* a role ARN (even with a path) covers its sessions, not other roles' */
    {DOC(STP("Allow", "{\"AWS\":\"arn:aws:iam::" OTHER ":role/eng/developer\"}", ALL, "")),
     R("198.51.100.7", NULL, NULL, SESS), ALLOW, 0},
    {DOC(STP("Allow", "{\"AWS\":\"arn:aws:iam::" OTHER ":role/dev\"}", ALL, "")),
     R("198.51.100.7", NULL, NULL, SESS), IDENY, -1},
    /* principal types that never name an execute-api caller */
    {DOC(STP("Allow", "{\"Service\":\"lambda.amazonaws.com\"}", ALL, "")), NOBODY, IDENY, -1},
    /* NotPrincipal: everyone but Alice */
    {DOC2("{\"Effect\":\"Deny\",\"NotPrincipal\":{\"AWS\":\"" ALICE "\"},\"Action\":\"execute-api:"
          "Invoke\",\"Resource\":" ALL "}",
          ST("Allow", "")),
     R("198.51.100.7", NULL, NULL, ALICE), ALLOW, 1},
    {DOC2("{\"Effect\":\"Deny\",\"NotPrincipal\":{\"AWS\":\"" ALICE "\"},\"Action\":\"execute-api:"
          "Invoke\",\"Resource\":" ALL "}",
          ST("Allow", "")),
     NOBODY, XDENY, 0},
    /* the resource still has to match the method ARN */
    {DOC(STP("Allow", "\"*\"", "\"" PFX "/prod/POST/*\"", "")), NOBODY, IDENY, -1},
    {DOC(STP("Allow", "\"*\"", "\"" PFX "/prod/GET/orders/*\"", "")), NOBODY, ALLOW, 0},
    /* IPv4 CIDR edges */
    {DOC(ST("Allow", COND("IpAddress", "aws:SourceIp", "\"0.0.0.0/0\""))), IP("255.255.255.255"),
     ALLOW, 0},
    {DOC(ST("Allow", COND("IpAddress", "aws:SourceIp", "\"198.51.100.7/32\""))), IP("198.51.100.7"),
     ALLOW, 0},
    {DOC(ST("Allow", COND("IpAddress", "aws:SourceIp", "\"198.51.100.7/32\""))), IP("198.51.100.8"),
     IDENY, -1},
    {DOC(ST("Allow", COND("IpAddress", "aws:SourceIp", "\"198.51.100.7\""))), IP("198.51.100.7"),
     ALLOW, 0},
    {DOC(ST("Allow", COND("IpAddress", "aws:SourceIp", "\"198.51.100.7\""))), IP("198.51.100.6"),
     IDENY, -1},
    {DOC(ST("Allow", COND("IpAddress", "aws:SourceIp", "\"10.0.0.0/9\""))), IP("10.127.255.255"),
     ALLOW, 0},
    {DOC(ST("Allow", COND("IpAddress", "aws:SourceIp", "\"10.0.0.0/9\""))), IP("10.128.0.0"), IDENY,
     -1},
    {DOC(ST("Allow", COND("IpAddress", "aws:SourceIp", "\"10.0.0.0/8\""))), IP("9.255.255.255"),
     IDENY, -1},
    /* host bits in the range are masked off */
    {DOC(ST("Allow", COND("IpAddress", "aws:SourceIp", "\"192.0.2.77/24\""))), IP("192.0.2.1"),
     ALLOW, 0},
    /* IPv6 CIDR edges */
    {DOC(ST("Allow", COND("IpAddress", "aws:SourceIp", "\"2001:db8::/32\""))),
     IP("2001:db8:ffff::1"), ALLOW, 0},
    {DOC(ST("Allow", COND("IpAddress", "aws:SourceIp", "\"2001:db8::/32\""))), IP("2001:db9::1"),
     IDENY, -1},
    {DOC(ST("Allow", COND("IpAddress", "aws:SourceIp", "\"::/0\""))), IP("::1"), ALLOW, 0},
    {DOC(ST("Allow", COND("IpAddress", "aws:SourceIp", "\"::1/128\""))), IP("::1"), ALLOW, 0},
    {DOC(ST("Allow", COND("IpAddress", "aws:SourceIp", "\"::1\""))), IP("::2"), IDENY, -1},
    {DOC(ST("Allow", COND("IpAddress", "aws:SourceIp", "\"2001:db8::/127\""))), IP("2001:db8::1"),
     ALLOW, 0},
    {DOC(ST("Allow", COND("IpAddress", "aws:SourceIp", "\"2001:db8::/127\""))), IP("2001:db8::2"),
     IDENY, -1},
    /* families never mix, except IPv4-mapped IPv6 on either side */
    {DOC(ST("Allow", COND("IpAddress", "aws:SourceIp", "\"0.0.0.0/0\""))), IP("::1"), IDENY, -1},
    {DOC(ST("Allow", COND("IpAddress", "aws:SourceIp", "\"::/0\""))), IP("127.0.0.1"), IDENY, -1},
    {DOC(ST("Allow", COND("IpAddress", "aws:SourceIp", "\"127.0.0.0/8\""))), IP("::ffff:127.0.0.1"),
     ALLOW, 0},
    {DOC(ST("Allow", COND("IpAddress", "aws:SourceIp", "\"::ffff:192.0.2.0/120\""))),
     IP("192.0.2.200"), ALLOW, 0},
    /* NotIpAddress with a list: true when the address is in none of them */
    {DOC2(ST("Deny", COND("NotIpAddress", "aws:SourceIp", "[\"10.0.0.0/8\",\"198.51.100.0/24\"]")),
          ST("Allow", "")),
     IP("198.51.100.7"), ALLOW, 1},
    {DOC2(ST("Deny", COND("NotIpAddress", "aws:SourceIp", "[\"10.0.0.0/8\",\"::1\"]")),
          ST("Allow", "")),
     IP("198.51.100.7"), XDENY, 0},
    /* string operators: list values are any-of, Like globs, IgnoreCase */
    {DOC(ST("Allow", COND("StringEquals", "aws:SourceVpc", "[\"vpc-a\",\"vpc-b\"]"))),
     R("10.0.0.5", "vpc-b", NULL, NULL), ALLOW, 0},
    {DOC(ST("Allow", COND("StringEquals", "aws:SourceVpc", "\"VPC-B\""))),
     R("10.0.0.5", "vpc-b", NULL, NULL), IDENY, -1},
    {DOC(ST("Allow", COND("StringEqualsIgnoreCase", "aws:SourceVpc", "\"VPC-B\""))),
     R("10.0.0.5", "vpc-b", NULL, NULL), ALLOW, 0},
    {DOC(ST("Allow", COND("StringLike", "aws:SourceVpce", "\"vpce-1a2b*\""))),
     R("10.0.0.5", NULL, "vpce-1a2b3c4d", NULL), ALLOW, 0},
    {DOC(ST("Allow", COND("StringLike", "aws:SourceVpce", "\"vpce-????????\""))),
     R("10.0.0.5", NULL, "vpce-1a2b3c4", NULL), IDENY, -1},
    {DOC2(ST("Deny", COND("StringNotLike", "aws:SourceVpce", "[\"vpce-1*\",\"vpce-2*\"]")),
          ST("Allow", "")),
     R("10.0.0.5", NULL, "vpce-2abc", NULL), ALLOW, 1},
    {DOC2(ST("Deny", COND("StringNotEquals", "aws:SourceVpc", "[\"vpc-a\",\"vpc-b\"]")),
          ST("Allow", "")),
     R("10.0.0.5", "vpc-c", NULL, NULL), XDENY, 0},
    /* keys are case-insensitive names */
    {DOC(ST("Allow", COND("StringEquals", "AWS:SOURCEVPC", "\"vpc-a\""))),
     R("10.0.0.5", "vpc-a", NULL, NULL), ALLOW, 0},
    /* IfExists: an absent key holds, a present one is tested */
    {DOC(ST("Allow", COND("StringEqualsIfExists", "aws:SourceVpc", "\"vpc-a\""))), NOBODY, ALLOW,
     0},
    {DOC(ST("Allow", COND("StringEqualsIfExists", "aws:SourceVpc", "\"vpc-a\""))),
     R("10.0.0.5", "vpc-z", NULL, NULL), IDENY, -1},
    {DOC(ST("Allow", COND("IpAddressIfExists", "aws:VpcSourceIp", "\"10.0.0.0/8\""))), NOBODY,
     ALLOW, 0},
    /* several keys in one operator, several operators: all must hold */
    {DOC(ST("Allow", ",\"Condition\":{\"StringEquals\":{\"aws:SourceVpc\":\"vpc-a\","
                     "\"aws:SourceVpce\":\"vpce-a\"}}")),
     R("10.0.0.5", "vpc-a", "vpce-a", NULL), ALLOW, 0},
    {DOC(ST("Allow", ",\"Condition\":{\"StringEquals\":{\"aws:SourceVpc\":\"vpc-a\","
                     "\"aws:SourceVpce\":\"vpce-a\"}}")),
     R("10.0.0.5", "vpc-a", NULL, NULL), IDENY, -1},
    {DOC(ST("Allow", ",\"Condition\":{\"StringEquals\":{\"aws:SourceVpc\":\"vpc-a\"},"
                     "\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}")),
     R("10.0.0.5", "vpc-a", NULL, NULL), ALLOW, 0},
    {DOC(ST("Allow", ",\"Condition\":{\"StringEquals\":{\"aws:SourceVpc\":\"vpc-a\"},"
                     "\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}")),
     R("11.0.0.5", "vpc-a", NULL, NULL), IDENY, -1},
    /* principal keys: absent for anonymous callers */
    {DOC(ST("Allow", COND("StringEquals", "aws:PrincipalAccount", "\"" OTHER "\""))),
     R("198.51.100.7", NULL, NULL, ALICE), ALLOW, 0},
    {DOC(ST("Allow", COND("StringEquals", "aws:PrincipalAccount", "\"" OTHER "\""))), NOBODY, IDENY,
     -1},
    {DOC(ST("Allow", COND("StringEquals", "aws:username", "\"Bob\""))),
     R("198.51.100.7", NULL, NULL, BOB), ALLOW, 0},
    {DOC(ST("Allow", COND("StringEquals", "aws:PrincipalType", "\"AssumedRole\""))),
     R("198.51.100.7", NULL, NULL, SESS), ALLOW, 0},
    {DOC(ST("Allow", COND("ArnLike", "aws:PrincipalArn", "\"arn:aws:iam::*:user/*\""))),
     R("198.51.100.7", NULL, NULL, BOB), ALLOW, 0},
    {DOC(ST("Allow", COND("ArnLike", "aws:PrincipalArn", "\"arn:aws:iam::*:user/*\""))),
     R("198.51.100.7", NULL, NULL, SESS), IDENY, -1},
    /* Null, Bool (SecureTransport is true, as on AWS's HTTPS-only endpoints) */
    {DOC2(ST("Deny", COND("Null", "aws:SourceVpce", "\"true\"")), ST("Allow", "")), NOBODY, XDENY,
     0},
    {DOC2(ST("Deny", COND("Bool", "aws:SecureTransport", "false")), ST("Allow", "")), NOBODY, ALLOW,
     1},
    /* fail closed: an unsupported operator or key in an applying statement denies */
    {DOC(ST("Allow", COND("DateGreaterThan", "aws:CurrentTime", "\"2020-01-01T00:00:00Z\""))),
     NOBODY, XDENY, 0},
    {DOC(ST("Allow", COND("StringEquals", "aws:PrincipalOrgID", "\"o-abc\""))), NOBODY, XDENY, 0},
    {DOC(ST("Allow", COND("IpAddress", "aws:SourceVpc", "\"10.0.0.0/8\""))), NOBODY, XDENY, 0},
    /* ... but not when the statement does not apply to this caller or method */
    {DOC(STP("Allow", "{\"AWS\":\"" ALICE "\"}", ALL,
             COND("DateGreaterThan", "aws:CurrentTime", "\"2020-01-01T00:00:00Z\""))),
     NOBODY, IDENY, -1},
    /* malformed */
    {DOC("{\"Effect\":\"Allow\",\"Action\":\"execute-api:Invoke\",\"Resource\":" ALL "}"), NOBODY,
     BAD, -1},
    {DOC(STP("Allow", "\"" ALICE "\"", ALL, "")), NOBODY, BAD, -1},
    {DOC(ST("Allow", COND("IpAddress", "aws:SourceIp", "\"10.0.0.0/33\""))), NOBODY, BAD, -1},
    {DOC(ST("Allow", COND("IpAddress", "aws:SourceIp", "\"::/129\""))), NOBODY, BAD, -1},
    {DOC(ST("Allow", COND("IpAddress", "aws:SourceIp", "\"10.0.0/8\""))), NOBODY, BAD, -1},
    {DOC(ST("Allow", COND("IpAddress", "aws:SourceIp", "\"10.0.0.0/\""))), NOBODY, BAD, -1},
    {DOC(ST("Allow", COND("StringEquals", "aws:SourceVpc", "{\"a\":1}"))), NOBODY, BAD, -1},
    {DOC(ST("Allow", ",\"Condition\":[]")), NOBODY, BAD, -1},
};

static void test_evaluate_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        inv_fixture f;
        inv_fixture_init(&f);
        f.req.source_ip = cases[i].r.ip;
        if (cases[i].r.vpc)
            gh_headers_add(f.arena, &f.req.headers, "X-Gatehouse-Source-Vpc", cases[i].r.vpc);
        if (cases[i].r.vpce)
            gh_headers_add(f.arena, &f.req.headers, "x-gatehouse-source-vpce", cases[i].r.vpce);
        json_error_t jerr;
        json_t *doc = json_loads(cases[i].doc, 0, &jerr);
        if (!doc)
            fail_msg("case %zu: bad test JSON: %s", i, jerr.text);
        gh_policy_result out = {GH_POLICY_ALLOW, 42};
        gh_policy_error err = {{0}};
        int rc = gh_resource_policy_evaluate(&f.inv, doc, cases[i].r.caller, &out, &err);
        int got = rc != 0 ? BAD : (int)out.decision;
        int stmt = rc != 0 ? -1 : out.statement;
        if (got != cases[i].expect || stmt != cases[i].statement)
            fail_msg("case %zu: got %d (statement %d), want %d (statement %d); err '%s'", i, got,
                     stmt, cases[i].expect, cases[i].statement, err.message);
        if (rc != 0)
            assert_true(strncmp(err.message, "policy: Statement[0]", 20) == 0);
        json_decref(doc);
        inv_fixture_free(&f);
    }
}

/* The address matcher alone, including what never parses. */
static void test_ip_in(void **state)
{
    (void)state;
    static const struct {
        const char *addr, *cidr;
        int expect;
    } t[] = {
        {"192.0.2.1", "192.0.2.0/24", 1},
        {"192.0.3.1", "192.0.2.0/24", 0},
        {"192.0.2.1", "192.0.2.1", 1},
        {"192.0.2.1", "0.0.0.0/0", 1},
        {"128.0.0.0", "0.0.0.0/1", 0},
        {"127.255.255.255", "0.0.0.0/1", 1},
        {"fe80::1", "fe80::/10", 1},
        {"febf::1", "fe80::/10", 1},
        {"fec0::1", "fe80::/10", 0},
        {"::ffff:10.1.2.3", "10.0.0.0/8", 1},
        {"10.1.2.3", "::ffff:10.0.0.0/104", 1},
        {"::ffff:10.1.2.3", "::/0", 0},
        {"10.1.2.3/32", "10.0.0.0/8", -1},
        {"not-an-ip", "10.0.0.0/8", -1},
        {"10.1.2.3", "10.0.0.0/-1", -1},
        {"10.1.2.3", "10.0.0.0/8x", -1},
        {"10.1.2.3", "10.0.0.0/0008", -1},
        {"", "10.0.0.0/8", -1},
        {"10.1.2.3", "", -1},
        {"fe80::1%eth0", "fe80::/10", -1},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        if (gh_condition_ip_in(t[i].addr, t[i].cidr) != t[i].expect)
            fail_msg("case %zu: %s in %s: want %d", i, t[i].addr, t[i].cidr, t[i].expect);
    }
}

/* The headers are read by the evaluation, then stripped before anything else sees them. */
static void test_strip_headers(void **state)
{
    (void)state;
    inv_fixture f;
    inv_fixture_init(&f);
    gh_headers_add(f.arena, &f.req.headers, "X-Gatehouse-Source-Vpc", "vpc-a");
    gh_headers_add(f.arena, &f.req.headers, "x-gatehouse-source-vpce", "vpce-a");
    size_t before = f.req.headers.n;
    gh_resource_policy_strip_headers(&f.req);
    assert_int_equal(f.req.headers.n, before - 2);
    assert_null(gh_headers_get(&f.req.headers, "X-Gatehouse-Source-Vpc"));
    assert_null(gh_headers_get(&f.req.headers, "X-Gatehouse-Source-Vpce"));
    assert_string_equal(gh_headers_get(&f.req.headers, "x-tenant"), "blue");
    inv_fixture_free(&f);
}

/* The loader's check: supported, unsupported (named), malformed. */
static void test_check(void **state)
{
    (void)state;
    static const struct {
        const char *doc;
        int expect;
        const char *message; /* substring of err.message, or NULL */
    } t[] = {
        {DOC(ST("Allow", COND("IpAddress", "aws:SourceIp", "\"10.0.0.0/8\""))), 0, NULL},
        {DOC2(ST("Allow", ""), ST("Deny", COND("NumericLessThan", "aws:EpochTime", "1"))), 1,
         "Statement[1] uses condition operator NumericLessThan"},
        {DOC(ST("Allow", COND("StringEquals", "aws:RequestTag/x", "\"y\""))), 1,
         "condition key aws:RequestTag/x"},
        {DOC(ST("Allow", COND("ForAnyValue:StringEquals", "aws:SourceVpc", "\"y\""))), 1,
         "ForAnyValue:StringEquals"},
        {DOC(ST("Allow", COND("NullIfExists", "aws:SourceVpc", "\"true\""))), 1, "NullIfExists"},
        {DOC(ST("Allow", COND("IpAddress", "aws:SourceIp", "\"10.0.0.300\""))), -1,
         "is not an IP address"},
        {"{\"Statement\":\"x\"}", -1, "Statement must be"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        json_t *doc = json_loads(t[i].doc, 0, NULL);
        assert_non_null(doc);
        gh_policy_error err = {{0}};
        int rc = gh_resource_policy_check(doc, &err);
        if (rc != t[i].expect || (t[i].message && !strstr(err.message, t[i].message)))
            fail_msg("case %zu: got %d '%s', want %d '%s'", i, rc, err.message, t[i].expect,
                     t[i].message ? t[i].message : "");
        json_decref(doc);
    }
}

/* apigateway-authorization-flow, "Policy evaluation outcome tables": one line per row,
 * for each kind of authorization. rp NONE: the API has no resource policy. */
enum { A = GH_AUTH_ALLOW, N = GH_AUTH_DENY_IMPLICIT, D = GH_AUTH_DENY_EXPLICIT };
enum {
    NOAUTH = -1,
    LAMBDA_TOKEN = GH_AUTHZ_TOKEN,
    LAMBDA_REQ = GH_AUTHZ_REQUEST,
    COGNITO = GH_AUTHZ_COGNITO,
    IAM = GH_AUTHZ_IAM
};
enum {
    RP_ALLOW = GH_POLICY_ALLOW,
    RP_NEITHER = GH_POLICY_IMPLICIT_DENY,
    RP_DENY = GH_POLICY_EXPLICIT_DENY,
    RP_NONE = -1
};

static const struct {
    int kind;
    int authz; /* the method's verdict (ignored for NOAUTH) */
    int rp;
    const char *caller_account;
    int expect;
} flow[] = {
    /* no authorization, no resource policy */
    {NOAUTH, 0, RP_NONE, NULL, A},
    /* resource policy only: an explicit allow is needed */
    {NOAUTH, 0, RP_ALLOW, NULL, A},
    {NOAUTH, 0, RP_NEITHER, NULL, N},
    {NOAUTH, 0, RP_DENY, NULL, D},
    /* Table A, Lambda authorizer (TOKEN) */
    {LAMBDA_TOKEN, A, RP_ALLOW, NULL, A},
    {LAMBDA_TOKEN, A, RP_NEITHER, NULL, A},
    {LAMBDA_TOKEN, A, RP_DENY, NULL, D},
    {LAMBDA_TOKEN, N, RP_ALLOW, NULL, A},
    {LAMBDA_TOKEN, N, RP_NEITHER, NULL, N},
    {LAMBDA_TOKEN, N, RP_DENY, NULL, D},
    {LAMBDA_TOKEN, D, RP_ALLOW, NULL, D},
    {LAMBDA_TOKEN, D, RP_NEITHER, NULL, D},
    {LAMBDA_TOKEN, D, RP_DENY, NULL, D},
    /* Table A, Lambda authorizer (REQUEST) */
    {LAMBDA_REQ, A, RP_ALLOW, NULL, A},
    {LAMBDA_REQ, A, RP_NEITHER, NULL, A},
    {LAMBDA_REQ, A, RP_DENY, NULL, D},
    {LAMBDA_REQ, N, RP_ALLOW, NULL, A},
    {LAMBDA_REQ, N, RP_NEITHER, NULL, N},
    {LAMBDA_REQ, N, RP_DENY, NULL, D},
    {LAMBDA_REQ, D, RP_ALLOW, NULL, D},
    {LAMBDA_REQ, D, RP_NEITHER, NULL, D},
    {LAMBDA_REQ, D, RP_DENY, NULL, D},
    /* Lambda without a resource policy: its own answer */
    {LAMBDA_TOKEN, A, RP_NONE, NULL, A},
    {LAMBDA_TOKEN, N, RP_NONE, NULL, N},
    {LAMBDA_TOKEN, D, RP_NONE, NULL, D},
    /* Table A, IAM caller in the API's account */
    {IAM, A, RP_ALLOW, ACCT, A},
    {IAM, A, RP_NEITHER, ACCT, A},
    {IAM, A, RP_DENY, ACCT, D},
    {IAM, N, RP_ALLOW, ACCT, A},
    {IAM, N, RP_NEITHER, ACCT, N},
    {IAM, N, RP_DENY, ACCT, D},
    {IAM, D, RP_ALLOW, ACCT, D},
    {IAM, D, RP_NEITHER, ACCT, D},
    {IAM, D, RP_DENY, ACCT, D},
    {IAM, A, RP_NONE, ACCT, A},
    {IAM, N, RP_NONE, ACCT, N},
    /* Table B, IAM caller from another account: both must allow */
    {IAM, A, RP_ALLOW, OTHER, A},
    {IAM, A, RP_NEITHER, OTHER, N},
    {IAM, A, RP_DENY, OTHER, D},
    {IAM, N, RP_ALLOW, OTHER, N},
    {IAM, N, RP_NEITHER, OTHER, N},
    {IAM, N, RP_DENY, OTHER, D},
    {IAM, D, RP_ALLOW, OTHER, D},
    {IAM, D, RP_NEITHER, OTHER, D},
    {IAM, D, RP_DENY, OTHER, D},
    /* ... and without a resource policy nothing grants the other account */
    {IAM, A, RP_NONE, OTHER, N},
    /* Cognito: authenticated, then "an explicit allow is required" (Table B) */
    {COGNITO, A, RP_ALLOW, NULL, A},
    {COGNITO, A, RP_NEITHER, NULL, N},
    {COGNITO, A, RP_DENY, NULL, D},
    {COGNITO, A, RP_NONE, NULL, A},
};

static void test_combine_table(void **state)
{
    (void)state;
    inv_fixture f;
    inv_fixture_init(&f);
    for (size_t i = 0; i < sizeof flow / sizeof flow[0]; i++) {
        gh_authorizer az = {.name = "auth",
                            .kind = (gh_authz_kind)(flow[i].kind < 0 ? 0 : flow[i].kind)};
        gh_auth_outcome out = {.verdict = (gh_auth_verdict)flow[i].authz};
        gh_policy_result rp = {(gh_policy_decision)flow[i].rp, flow[i].rp == RP_NEITHER ? -1 : 0};
        gh_auth_verdict got =
            gh_auth_combine(&f.api, flow[i].kind < 0 ? NULL : &az, flow[i].kind < 0 ? NULL : &out,
                            flow[i].rp == RP_NONE ? NULL : &rp, flow[i].caller_account);
        if ((int)got != flow[i].expect)
            fail_msg("row %zu: got %d, want %d", i, (int)got, flow[i].expect);
    }
    inv_fixture_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_evaluate_table), cmocka_unit_test(test_ip_in),
        cmocka_unit_test(test_strip_headers),  cmocka_unit_test(test_check),
        cmocka_unit_test(test_combine_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
