/* Resource policies (x-amazon-apigateway-policy) and how their verdict combines with
 * the method's authorization (apigateway-authorization-flow: the tables for no
 * authorizer, Lambda, Cognito and IAM, same and cross account). Statements may name
 * Principal "*" / {"AWS": ARN or account}, and Condition with IpAddress / NotIpAddress on
 * aws:SourceIp (IPv4 and IPv6 CIDR), StringEquals / StringNotEquals (and the Like forms)
 * on aws:SourceVpc and aws:SourceVpce. A test sets the VPC values per request with the
 * X-Gatehouse-Source-Vpc / X-Gatehouse-Source-Vpce headers (never forwarded). */
#ifndef GH_RESOURCE_POLICY_H
#define GH_RESOURCE_POLICY_H
#include <jansson.h>

#include "auth/outcome.h"
#include "auth/policy.h"
#include "integration/invocation.h"

/* The resource policy's decision for inv's method ARN and caller (caller_arn: the IAM
 * ARN of a signed request, NULL when anonymous). GH_POLICY_IMPLICIT_DENY means no
 * statement applies. -1 with err when the document is malformed (load rejects those, so
 * only hand-built ones). */
int gh_resource_policy_evaluate(const gh_invocation *inv, const json_t *doc,
                                const char *caller_arn, gh_policy_result *out,
                                gh_policy_error *err);

/* The final verdict: `authz` is the method's authorization outcome (NULL when the method
 * has none; kind says which it was), `rp` the resource policy's decision (NULL when the
 * API has none). caller_account: the IAM caller's account (same- vs cross-account rows
 * of AWS's table), NULL otherwise. Never returns GH_AUTH_FAIL: failures end the call
 * before combining. */
gh_auth_verdict gh_auth_combine(const gh_api *api, const gh_authorizer *az,
                                const gh_auth_outcome *authz, const gh_policy_result *rp,
                                const char *caller_account);

#endif
