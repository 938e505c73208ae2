/* IAM Condition blocks for resource policies (see condition.h). Operators:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 * Keys API Gateway fills: apigateway-resource-policies-aws-condition-keys. Anything else
 * is reported as unsupported so the caller can fail closed rather than guess. */
#include "auth/condition.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

typedef enum { F_STR_EQ, F_STR_LIKE, F_ARN, F_IP, F_BOOL, F_NULL } op_family;

typedef struct {
    const char *name;
    op_family family;
    bool negated;
    bool nocase;
} op_def;

/* ArnEquals and ArnLike are the same test in IAM (both take wildcards per component). */
static const op_def OPS[] = {
    {"StringEquals", F_STR_EQ, false, false},
    {"StringNotEquals", F_STR_EQ, true, false},
    {"StringEqualsIgnoreCase", F_STR_EQ, false, true},
    {"StringNotEqualsIgnoreCase", F_STR_EQ, true, true},
    {"StringLike", F_STR_LIKE, false, false},
    {"StringNotLike", F_STR_LIKE, true, false},
    {"ArnEquals", F_ARN, false, false},
    {"ArnNotEquals", F_ARN, true, false},
    {"ArnLike", F_ARN, false, false},
    {"ArnNotLike", F_ARN, true, false},
    {"IpAddress", F_IP, false, false},
    {"NotIpAddress", F_IP, true, false},
    {"Bool", F_BOOL, false, false},
    {"Null", F_NULL, false, false},
};

typedef enum {
    K_SOURCE_IP,
    K_VPC_SOURCE_IP,
    K_SOURCE_VPC,
    K_SOURCE_VPCE,
    K_PRINCIPAL_ARN,
    K_PRINCIPAL_ACCOUNT,
    K_PRINCIPAL_TYPE,
    K_USERNAME,
    K_REFERER,
    K_USER_AGENT,
    K_SECURE_TRANSPORT,
} key_id;

/* IAM: condition key names are case-insensitive. */
static const struct {
    const char *name;
    key_id id;
} KEYS[] = {
    {"aws:SourceIp", K_SOURCE_IP},
    {"aws:VpcSourceIp", K_VPC_SOURCE_IP},
    {"aws:SourceVpc", K_SOURCE_VPC},
    {"aws:SourceVpce", K_SOURCE_VPCE},
    {"aws:PrincipalArn", K_PRINCIPAL_ARN},
    {"aws:PrincipalAccount", K_PRINCIPAL_ACCOUNT},
    {"aws:PrincipalType", K_PRINCIPAL_TYPE},
    {"aws:username", K_USERNAME},
    {"aws:Referer", K_REFERER},
    {"aws:UserAgent", K_USER_AGENT},
    {"aws:SecureTransport", K_SECURE_TRANSPORT},
};

static const char IFEXISTS[] = "IfExists";

/* The operator `name` names, with its IfExists suffix split off; NULL if unknown. */
static const op_def *find_op(const char *name, bool *if_exists)
{
    char base[64];
    size_t n = strlen(name), sl = sizeof IFEXISTS - 1;
    *if_exists = n > sl && strcmp(name + n - sl, IFEXISTS) == 0;
    if (*if_exists)
        n -= sl;
    if (n >= sizeof base)
        return NULL;
    memcpy(base, name, n);
    base[n] = '\0';
    for (size_t i = 0; i < sizeof OPS / sizeof OPS[0]; i++) {
        if (strcmp(OPS[i].name, base) == 0)
            /* Null tests presence itself; IAM has no NullIfExists. */
            return OPS[i].family == F_NULL && *if_exists ? NULL : &OPS[i];
    }
    return NULL;
}

static int find_key(const char *name, key_id *out)
{
    for (size_t i = 0; i < sizeof KEYS / sizeof KEYS[0]; i++) {
        if (strcasecmp(KEYS[i].name, name) == 0) {
            *out = KEYS[i].id;
            return 0;
        }
    }
    return -1;
}

static const char *key_value(key_id k, const gh_condition_context *c)
{
    switch (k) {
    case K_SOURCE_IP: return c->source_ip;
    case K_VPC_SOURCE_IP: return c->vpc_source_ip;
    case K_SOURCE_VPC: return c->source_vpc;
    case K_SOURCE_VPCE: return c->source_vpce;
    case K_PRINCIPAL_ARN: return c->principal_arn;
    case K_PRINCIPAL_ACCOUNT: return c->principal_account;
    case K_PRINCIPAL_TYPE: return c->principal_type;
    case K_USERNAME: return c->username;
    case K_REFERER: return c->referer;
    case K_USER_AGENT: return c->user_agent;
    case K_SECURE_TRANSPORT: return c->secure_transport ? "true" : "false";
    }
    return NULL;
}

/* ---- IP addresses -------------------------------------------------------------- */

typedef struct {
    unsigned char b[16];
    int bits; /* 32 (IPv4) or 128 */
} ip_addr;

static const unsigned char V4_MAPPED[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* Parses `len` bytes of text as an address; IPv4-mapped IPv6 becomes IPv4. */
static int parse_addr(const char *s, size_t len, ip_addr *out)
{
    char buf[INET6_ADDRSTRLEN + 1];
    if (len == 0 || len >= sizeof buf)
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (inet_pton(AF_INET, buf, out->b) == 1) {
        out->bits = 32;
        return 0;
    }
    if (inet_pton(AF_INET6, buf, out->b) != 1)
        return -1;
    out->bits = 128;
    return 0;
}

/* address[/prefix]; a bare address is a /32 or /128 (IAM's IpAddress reference). */
static int parse_cidr(const char *s, ip_addr *net, int *prefix)
{
    const char *slash = strchr(s, '/');
    if (parse_addr(s, slash ? (size_t)(slash - s) : strlen(s), net) != 0)
        return -1;
    *prefix = net->bits;
    if (slash) {
        const char *p = slash + 1;
        size_t nd = strspn(p, "0123456789");
        if (nd == 0 || nd > 3 || p[nd] != '\0')
            return -1;
        int v = 0;
        for (size_t i = 0; i < nd; i++)
            v = v * 10 + (p[i] - '0');
        if (v > net->bits)
            return -1;
        *prefix = v;
    }
    /* ::ffff:a.b.c.d/96+n is the IPv4 range a.b.c.d/n. */
    if (net->bits == 128 && *prefix >= 96 && memcmp(net->b, V4_MAPPED, 12) == 0) {
        memmove(net->b, net->b + 12, 4);
        net->bits = 32;
        *prefix -= 96;
    }
    return 0;
}

static int prefix_equal(const unsigned char *a, const unsigned char *b, int prefix)
{
    int whole = prefix / 8, rest = prefix % 8;
    if (memcmp(a, b, (size_t)whole) != 0)
        return 0;
    if (rest == 0)
        return 1;
    unsigned char mask = (unsigned char)(0xff << (8 - rest));
    return (a[whole] & mask) == (b[whole] & mask);
}

static int cidr_valid(const char *s)
{
    ip_addr net;
    int prefix;
    return parse_cidr(s, &net, &prefix) == 0;
}

/* A request address: no prefix; a mapped IPv6 one is its IPv4 address. */
static int parse_request_addr(const char *s, ip_addr *a)
{
    int prefix;
    return strchr(s, '/') ? -1 : parse_cidr(s, a, &prefix);
}

int gh_condition_ip_in(const char *addr, const char *cidr)
{
    ip_addr a, net;
    int prefix;
    if (!addr || !cidr || parse_request_addr(addr, &a) != 0 || parse_cidr(cidr, &net, &prefix) != 0)
        return -1;
    if (a.bits != net.bits)
        return 0;
    return prefix_equal(a.b, net.b, prefix);
}

/* ---- values ---------------------------------------------------------------------- */

/* A condition value as text: IAM takes "true" and true alike, numbers as written. */
static const char *value_text(const json_t *v, char *buf, size_t n)
{
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_true(v))
        return "true";
    if (json_is_false(v))
        return "false";
    if (json_is_integer(v)) {
        snprintf(buf, n, "%lld", (long long)json_integer_value(v));
        return buf;
    }
    if (json_is_real(v)) {
        snprintf(buf, n, "%g", json_real_value(v));
        return buf;
    }
    return NULL;
}

static int scalar_ok(const json_t *v)
{
    return json_is_string(v) || json_is_boolean(v) || json_is_number(v);
}

/* ArnLike: each of the six colon-separated parts is globbed on its own, so a '*' in the
 * region never swallows the account. Patterns without six parts glob the whole ARN. */
static int arn_like(const char *pattern, const char *arn)
{
    const char *p = pattern, *s = arn;
    for (int part = 0; part < 5; part++) {
        const char *pc = strchr(p, ':'), *sc = strchr(s, ':');
        if (!pc)
            return part == 0 ? gh_policy_glob(pattern, arn, 0) : 0;
        if (!sc)
            return 0;
        char pb[128], sb[128];
        size_t pl = (size_t)(pc - p), sl = (size_t)(sc - s);
        if (pl >= sizeof pb || sl >= sizeof sb)
            return 0;
        memcpy(pb, p, pl);
        pb[pl] = '\0';
        memcpy(sb, s, sl);
        sb[sl] = '\0';
        if (!gh_policy_glob(pb, sb, 0))
            return 0;
        p = pc + 1;
        s = sc + 1;
    }
    return gh_policy_glob(p, s, 0);
}

static int value_matches(const op_def *op, const char *want, const char *have)
{
    switch (op->family) {
    case F_STR_EQ: return op->nocase ? strcasecmp(want, have) == 0 : strcmp(want, have) == 0;
    case F_STR_LIKE: return gh_policy_glob(want, have, 0);
    case F_ARN: return arn_like(want, have);
    case F_IP: return gh_condition_ip_in(have, want) == 1;
    case F_BOOL: return strcasecmp(want, have) == 0;
    case F_NULL: return 0; /* decided by presence, in key_holds */
    }
    return 0;
}

/* Any-of over a string or a list of values. */
static int any_value_matches(const op_def *op, const json_t *vals, const char *have)
{
    char buf[64];
    if (!json_is_array(vals)) {
        const char *t = value_text(vals, buf, sizeof buf);
        return t && value_matches(op, t, have);
    }
    size_t i;
    const json_t *v;
    json_array_foreach(vals, i, v)
    {
        const char *t = value_text(v, buf, sizeof buf);
        if (t && value_matches(op, t, have))
            return 1;
    }
    return 0;
}

static int key_holds(const op_def *op, bool if_exists, key_id k, const json_t *vals,
                     const gh_condition_context *ctx)
{
    const char *have = key_value(k, ctx);
    /* An address we cannot parse is no address: the key is absent for IP operators. */
    ip_addr unused;
    if (have && op->family == F_IP && parse_request_addr(have, &unused) != 0)
        have = NULL;
    if (op->family == F_NULL) {
        /* Null: "true" asks for the key to be absent, "false" for it to be present. */
        char buf[64];
        const char *t =
            value_text(json_is_array(vals) ? json_array_get(vals, 0) : vals, buf, sizeof buf);
        bool want_absent = t && strcasecmp(t, "true") == 0;
        return want_absent == (have == NULL);
    }
    if (!have)
        return if_exists || op->negated;
    int any = any_value_matches(op, vals, have);
    return op->negated ? !any : any;
}

/* ---- blocks ---------------------------------------------------------------------- */

static void say(char *why, size_t n, const char *fmt, const char *a, const char *b)
{
    if (why && n)
        snprintf(why, n, fmt, a, b);
}

int gh_condition_unsupported(const json_t *cond, char *why, size_t why_len)
{
    const char *opname;
    json_t *keys;
    json_object_foreach((json_t *)cond, opname, keys)
    {
        bool if_exists;
        const op_def *op = find_op(opname, &if_exists);
        if (!op) {
            say(why, why_len, "condition operator %s%s", opname, "");
            return 1;
        }
        const char *keyname;
        json_t *vals;
        json_object_foreach(keys, keyname, vals)
        {
            key_id k;
            if (find_key(keyname, &k) != 0) {
                say(why, why_len, "condition key %s (in %s)", keyname, opname);
                return 1;
            }
            if (op->family == F_IP && k != K_SOURCE_IP && k != K_VPC_SOURCE_IP) {
                say(why, why_len, "%s on %s (IP operators take aws:SourceIp or aws:VpcSourceIp)",
                    opname, keyname);
                return 1;
            }
        }
    }
    return 0;
}

int gh_condition_check(const json_t *cond, int idx, gh_policy_error *err)
{
    if (!json_is_object(cond))
        return gh_policy_fail(err, "policy: Statement[%d].Condition must be an object", idx);
    const char *opname;
    json_t *keys;
    json_object_foreach((json_t *)cond, opname, keys)
    {
        if (!json_is_object(keys))
            return gh_policy_fail(
                err, "policy: Statement[%d].Condition.%s must be an object of keys", idx, opname);
        bool if_exists;
        const op_def *op = find_op(opname, &if_exists);
        const char *keyname;
        json_t *vals;
        json_object_foreach(keys, keyname, vals)
        {
            if (json_is_array(vals)) {
                size_t i;
                json_t *v;
                json_array_foreach(vals, i, v)
                {
                    if (!scalar_ok(v))
                        return gh_policy_fail(
                            err,
                            "policy: Statement[%d].Condition.%s.%s[%zu] must be a "
                            "string, number or boolean",
                            idx, opname, keyname, i);
                }
            } else if (!scalar_ok(vals)) {
                return gh_policy_fail(
                    err,
                    "policy: Statement[%d].Condition.%s.%s must be a string, number, "
                    "boolean or an array of them",
                    idx, opname, keyname);
            }
            if (!op || op->family != F_IP)
                continue;
            /* AWS refuses a policy whose IP condition does not parse; so do we. */
            size_t n = json_is_array(vals) ? json_array_size(vals) : 1;
            for (size_t i = 0; i < n; i++) {
                const json_t *v = json_is_array(vals) ? json_array_get(vals, i) : vals;
                const char *s = json_string_value(v);
                if (!s || !cidr_valid(s))
                    return gh_policy_fail(err,
                                          "policy: Statement[%d].Condition.%s.%s: %s is not an IP "
                                          "address or CIDR (a.b.c.d/n or IPv6/n)",
                                          idx, opname, keyname, s ? s : "a non-string value");
            }
        }
    }
    return 0;
}

int gh_condition_eval(const json_t *cond, const gh_condition_context *ctx, char *why,
                      size_t why_len)
{
    /* Unsupported anywhere in the block decides, whatever the order of its operators. */
    if (gh_condition_unsupported(cond, why, why_len))
        return -1;
    const char *opname;
    json_t *keys;
    json_object_foreach((json_t *)cond, opname, keys)
    {
        bool if_exists;
        const op_def *op = find_op(opname, &if_exists);
        const char *keyname;
        json_t *vals;
        json_object_foreach(keys, keyname, vals)
        {
            key_id k;
            if (find_key(keyname, &k) != 0) /* ruled out above; kept for the compiler */
                return -1;
            if (!key_holds(op, if_exists, k, vals, ctx))
                return 0;
        }
    }
    return 1;
}
