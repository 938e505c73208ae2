/* The authorization phase (authorize.h): the method's authorizer by kind, then the API's
 * resource policy combined with it, then what the integration may see. Every decision
 * is logged at info level with how it was reached; the reason never reaches the body. */
#include "auth/authorize.h"

#include <string.h>

#include "auth/cognito.h"
#include "auth/iam.h"
#include "auth/lambda_authorizer.h"
#include "auth/resource_policy.h"
#include "util/log.h"

#define EXPLICIT_DENY_MESSAGE "User is not authorized to access this resource with an explicit deny"

static const char *kind_name(gh_authz_kind k)
{
    switch (k) {
    case GH_AUTHZ_TOKEN: return "TOKEN";
    case GH_AUTHZ_REQUEST: return "REQUEST";
    case GH_AUTHZ_COGNITO: return "COGNITO_USER_POOLS";
    case GH_AUTHZ_IAM: return "AWS_IAM";
    }
    return "?";
}

static const char *request_id(const gh_invocation *inv)
{
    return inv->req ? inv->req->request_id : "-";
}

static int deny(gh_invocation *inv, gh_auth_verdict v, const char *why)
{
    inv->fail_type = GH_GW_ACCESS_DENIED;
    inv->fail_status = 0;
    inv->fail_message = v == GH_AUTH_DENY_EXPLICIT ? EXPLICIT_DENY_MESSAGE : NULL;
    inv->log_detail = why;
    gh_log(GH_LOG_INFO, "authorization: denied (%s): %s (request %s)",
           v == GH_AUTH_DENY_EXPLICIT ? "explicit deny" : "implicit deny", why, request_id(inv));
    return -1;
}

int gh_authorize(gh_invocation *inv, gh_auth_cache *cache)
{
    const gh_method *m = inv->method;
    const gh_authorizer *az = m ? m->authorizer : NULL;
    const json_t *rp_doc = inv->api ? inv->api->resource_policy : NULL;
    if (!az && !rp_doc)
        return 0;

    gh_auth_outcome outcome;
    memset(&outcome, 0, sizeof outcome);
    const gh_auth_outcome *authz = NULL;
    if (az) {
        if (az->broken) {
            outcome.verdict = GH_AUTH_FAIL;
            outcome.fail_type = GH_GW_AUTHORIZER_CONFIGURATION_ERROR;
            outcome.log =
                gh_arena_printf(inv->arena, "authorizer '%s' cannot run: %s", az->name, az->broken);
        } else {
            switch (az->kind) {
            case GH_AUTHZ_TOKEN:
            case GH_AUTHZ_REQUEST: gh_lambda_authorize(inv, az, cache, &outcome); break;
            case GH_AUTHZ_COGNITO: gh_cognito_authorize(inv, az, &outcome); break;
            case GH_AUTHZ_IAM: gh_iam_authorize(inv, &outcome); break;
            }
        }
        const char *how = outcome.log ? outcome.log : kind_name(az->kind);
        if (outcome.verdict == GH_AUTH_FAIL) {
            /* The authorizer's own failures end the call before any resource policy
             * (apigateway-authorization-flow). */
            inv->fail_type = outcome.fail_type;
            inv->fail_status = 0;
            inv->fail_message = outcome.fail_message;
            inv->log_detail = how;
            gh_log(GH_LOG_INFO, "authorization: %s (%s): %s (request %s)",
                   gh_gw_type_name(outcome.fail_type), kind_name(az->kind), how, request_id(inv));
            return -1;
        }
        authz = &outcome;
    }

    gh_auth_verdict verdict = authz ? authz->verdict : GH_AUTH_ALLOW;
    const char *how = authz && authz->log ? authz->log : "no authorizer";
    if (rp_doc) {
        gh_policy_result rp;
        gh_policy_error err;
        const char *caller = authz ? authz->identity.user_arn : NULL;
        if (gh_resource_policy_evaluate(inv, rp_doc, caller, &rp, &err) != 0) {
            inv->fail_type = GH_GW_ACCESS_DENIED;
            inv->fail_status = 0;
            inv->fail_message = NULL;
            inv->log_detail = gh_arena_printf(inv->arena, "resource policy: %s", err.message);
            gh_log(GH_LOG_WARN, "authorization: %s (request %s)", inv->log_detail, request_id(inv));
            return -1;
        }
        verdict =
            gh_auth_combine(inv->api, az, authz, &rp, authz ? authz->identity.account_id : NULL);
        how = gh_arena_printf(
            inv->arena, "%s; resource policy: %s", how,
            rp.statement >= 0
                ? gh_arena_printf(inv->arena, "Statement[%d] %s", rp.statement,
                                  rp.decision == GH_POLICY_ALLOW ? "allows" : "denies")
                : "no statement applies");
    }

    if (verdict != GH_AUTH_ALLOW)
        return deny(inv, verdict, how);
    if (authz) {
        inv->authorizer = authz->authorizer;
        inv->identity.access_key = authz->identity.access_key;
        inv->identity.account_id = authz->identity.account_id;
        inv->identity.caller = authz->identity.caller;
        inv->identity.user = authz->identity.user;
        inv->identity.user_arn = authz->identity.user_arn;
        inv->usage_identifier_key = authz->usage_identifier_key;
    }
    gh_log(GH_LOG_INFO, "authorization: allowed: %s (request %s)", how, request_id(inv));
    return 0;
}
