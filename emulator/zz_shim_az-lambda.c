/* SHIM: drop at merge. Throwaway stand-ins for functions other helpers implement
 * (auth/cognito.h, auth/iam.h, auth/resource_policy.h), so the authorization phase
 * links and its tests run before their branches are merged. */
#include <string.h>

#include "auth/cognito.h"
#include "auth/iam.h"
#include "auth/resource_policy.h"

void gh_cognito_authorize(gh_invocation *inv, const gh_authorizer *az, gh_auth_outcome *out)
{
    (void)inv;
    (void)az;
    memset(out, 0, sizeof *out);
    out->verdict = GH_AUTH_FAIL;
    out->fail_type = GH_GW_UNAUTHORIZED;
    out->log = "cognito shim";
}

void gh_iam_authorize(gh_invocation *inv, gh_auth_outcome *out)
{
    (void)inv;
    memset(out, 0, sizeof *out);
    out->verdict = GH_AUTH_FAIL;
    out->fail_type = GH_GW_UNAUTHORIZED;
    out->log = "iam shim";
}

int gh_resource_policy_evaluate(const gh_invocation *inv, const json_t *doc,
                                const char *caller_arn, gh_policy_result *out,
                                gh_policy_error *err)
{
    (void)caller_arn;
    return gh_policy_evaluate(doc, "execute-api:Invoke", gh_policy_method_arn(
                                  inv->arena, inv->api->region, inv->api->account_id,
                                  inv->api->id, inv->stage->name, inv->req->method, inv->path),
                              out, err);
}

gh_auth_verdict gh_auth_combine(const gh_api *api, const gh_authorizer *az,
                                const gh_auth_outcome *authz, const gh_policy_result *rp,
                                const char *caller_account)
{
    (void)api;
    (void)az;
    (void)caller_account;
    if (rp && rp->decision == GH_POLICY_EXPLICIT_DENY)
        return GH_AUTH_DENY_EXPLICIT;
    if (authz)
        return authz->verdict;
    return rp && rp->decision == GH_POLICY_ALLOW ? GH_AUTH_ALLOW : GH_AUTH_DENY_IMPLICIT;
}
