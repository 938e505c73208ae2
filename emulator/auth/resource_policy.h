/* Resource policies (x-amazon-apigateway-policy) and how their verdict combines with
 * the method's authorization (apigateway-authorization-flow: the tables for no
 * authorizer, Lambda, Cognito and IAM, same and cross account). Statements may name
 * Principal / NotPrincipal "*" or {"AWS": "*" | ARN | account id | [...]}, and a Condition
 * (auth/condition.h: String*, Arn*, IpAddress / NotIpAddress on aws:SourceIp and
 * aws:VpcSourceIp, Bool, Null, IfExists; keys aws:SourceIp, aws:SourceVpc(e),
 * aws:Principal{Arn,Account,Type}, aws:username, aws:Referer, aws:UserAgent,
 * aws:SecureTransport). Anything else in a statement that applies denies (fail closed).
 * A test sets the VPC values per request with the X-Gatehouse-Source-Vpc /
 * X-Gatehouse-Source-Vpce headers (never forwarded). */
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
int gh_resource_policy_evaluate(const gh_invocation *inv, const json_t *doc, const char *caller_arn,
                                gh_policy_result *out, gh_policy_error *err);

/* The test-only headers that carry aws:SourceVpc and aws:SourceVpce (private APIs are
 * reached through a VPC endpoint on AWS; locally a test says which one). */
#define GH_RESOURCE_POLICY_VPC_HEADER "X-Gatehouse-Source-Vpc"
#define GH_RESOURCE_POLICY_VPCE_HEADER "X-Gatehouse-Source-Vpce"

/* Removes those headers from the request so no integration or later phase sees them.
 * The authorization phase calls it once, after its last gh_resource_policy_evaluate
 * (which reads them), on every request whether or not the API has a policy. */
void gh_resource_policy_strip_headers(gh_request *req);

/* For the loader: 0 when gatehouse evaluates every part of doc; 1 with err naming the
 * first condition operator or key it does not evaluate (calls such a statement applies
 * to are denied, fail closed: warn at load); -1 with err when doc is malformed. */
int gh_resource_policy_check(const json_t *doc, gh_policy_error *err);

/* The same for an IAM identity's own policy (x-gatehouse.credentials.*.policy): no
 * Principal, the same Condition keys and operators (caller_arn is the identity's ARN). */
int gh_identity_policy_evaluate(const gh_invocation *inv, const json_t *doc,
                                const char *caller_arn, gh_policy_result *out,
                                gh_policy_error *err);

/* The same for another action and resource than a REST call's execute-api:Invoke on its
 * method ARN (the @connections API asks execute-api:ManageConnections, websocket/ws_mgmt.c);
 * the condition keys come from req. Strings in a. */
int gh_identity_policy_evaluate_action(gh_arena *a, const gh_request *req, const json_t *doc,
                                       const char *caller_arn, const char *action,
                                       const char *resource_arn, gh_policy_result *out,
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
