/* IAM policy Condition blocks, as resource policies use them (auth/resource_policy.h):
 * String*, Arn*, IpAddress / NotIpAddress and Bool operators with their IfExists forms,
 * over the global condition keys API Gateway fills for a REST call
 * (apigateway-resource-policies-aws-condition-keys). Every operator in a block must
 * hold, every key in an operator must hold, a key holds when any value matches (none,
 * for the negated operators). A key the request does not carry makes a positive
 * operator false and a negated one true; IfExists makes it true
 * (reference_policies_elements_condition_operators). */
#ifndef GH_AUTH_CONDITION_H
#define GH_AUTH_CONDITION_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "auth/policy.h"

/* What the condition keys read for one request; NULL: the key is absent. */
typedef struct gh_condition_context {
    const char *source_ip;         /* aws:SourceIp */
    const char *vpc_source_ip;     /* aws:VpcSourceIp: only through a VPC endpoint */
    const char *source_vpc;        /* aws:SourceVpc */
    const char *source_vpce;       /* aws:SourceVpce */
    const char *principal_arn;     /* aws:PrincipalArn (signed callers only) */
    const char *principal_account; /* aws:PrincipalAccount */
    const char *principal_type;    /* aws:PrincipalType: "User", "AssumedRole", "Account" */
    const char *username;          /* aws:username (IAM users only) */
    const char *referer;           /* aws:Referer */
    const char *user_agent;        /* aws:UserAgent */
    bool secure_transport;         /* aws:SecureTransport; always set */
} gh_condition_context;

/* Checks the shape of statement `idx`'s Condition (an object of operators, each an object
 * of keys, each a string, number, boolean or array of those) and that IpAddress values are
 * addresses or CIDRs. Operators and keys it does not support are not errors here. */
int gh_condition_check(const json_t *cond, int idx, gh_policy_error *err);

/* 1 when the whole block holds for ctx, 0 when it does not, -1 when it uses an operator
 * or key this module does not evaluate (`why`, if not NULL, names it). */
int gh_condition_eval(const json_t *cond, const gh_condition_context *ctx, char *why,
                      size_t why_len);

/* The first operator or key of the block this module does not evaluate, written to
 * `why`: 1 if there is one, else 0. For the loader's warning. */
int gh_condition_unsupported(const json_t *cond, char *why, size_t why_len);

/* 1 when `addr` (IPv4 or IPv6 text) lies in `cidr` (an address, or address/prefix), 0
 * when not, -1 when either does not parse. IPv4-mapped IPv6 (::ffff:a.b.c.d) counts as
 * the IPv4 address on both sides; otherwise IPv4 never matches an IPv6 range. */
int gh_condition_ip_in(const char *addr, const char *cidr);

#endif
