/* The authorization phase (authorize.h): the method's authorizer by kind, then the API's
 * resource policy combined with it, then what the integration may see. Every decision
 * is logged at info level with how it was reached; the reason never reaches the body. */
#include "auth/authorize.h"

#include <string.h>

#include "auth/cognito.h"
#include "auth/event.h"
#include "auth/iam.h"
#include "auth/lambda_authorizer.h"
#include "auth/resource_policy.h"
#include "util/log.h"


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

/* The body of a denial. An authorizer's own deny keeps its text (the two short Lambda
 * messages, IAM's "User: ARN is not authorized ..."); a resource policy's names the caller
 * ("anonymous" when unsigned) and the masked method ARN, as AWS's real bodies do
 * ({"Message":"User: anonymous is not authorized to perform: execute-api:Invoke on
 * resource: arn:aws:execute-api:us-west-2:********2543:vd2gh6uqw3/api/GET/"}, seen in
 * ASFHyP3/hyp3#2283 and serverless#5071). */
static const char *policy_message(gh_invocation *inv, const char *caller, bool explicit_deny)
{
    return gh_arena_printf(inv->arena,
                           "User: %s is not authorized to perform: execute-api:Invoke on "
                           "resource: %s%s",
                           caller ? caller : "anonymous",
                           gh_policy_masked_arn(inv->arena, gh_auth_method_arn(inv)),
                           explicit_deny ? " with an explicit deny" : "");
}

static int deny(gh_invocation *inv, gh_auth_verdict v, const char *message, const char *why)
{
    inv->fail_type = GH_GW_ACCESS_DENIED;
    inv->fail_status = 0;
    inv->fail_message = message;
    inv->log_detail = why;
    gh_log(GH_LOG_INFO, "authorization: denied (%s): %s (request %s)",
           v == GH_AUTH_DENY_EXPLICIT ? "explicit deny" : "implicit deny", why, request_id(inv));
    return -1;
}

/* The resource policy's decision for the caller; -1 (and the call denied) when it cannot
 * be evaluated. */
static int evaluate_policy(gh_invocation *inv, const json_t *doc, const char *caller,
                           gh_policy_result *rp)
{
    gh_policy_error err;
    if (gh_resource_policy_evaluate(inv, doc, caller, rp, &err) == 0)
        return 0;
    inv->fail_type = GH_GW_ACCESS_DENIED;
    inv->fail_status = 0;
    inv->fail_message = NULL;
    inv->log_detail = gh_arena_printf(inv->arena, "resource policy: %s", err.message);
    gh_log(GH_LOG_WARN, "authorization: %s (request %s)", inv->log_detail, request_id(inv));
    return -1;
}

static const char *statement_text(gh_invocation *inv, const gh_policy_result *rp)
{
    if (rp->statement < 0)
        return "no statement applies";
    return gh_arena_printf(inv->arena, "Statement[%d] %s", rp->statement,
                           rp->decision == GH_POLICY_ALLOW ? "allows" : "denies");
}

static int decide(gh_invocation *inv, gh_auth_cache *cache)
{
    const gh_method *m = inv->method;
    const gh_authorizer *az = m ? m->authorizer : NULL;
    const json_t *rp_doc = inv->api ? inv->api->resource_policy : NULL;
    if (!az && !rp_doc)
        return 0;

    /* Without a signed caller the resource policy's answer does not depend on the
     * authorizer, and AWS stops at its explicit deny before invoking a Lambda authorizer
     * (apigateway-authorization-flow): evaluate it first. An IAM caller's ARN is known
     * only after the signature is checked. */
    gh_policy_result rp = {GH_POLICY_IMPLICIT_DENY, -1};
    bool rp_done = false;
    if (rp_doc && !(az && az->kind == GH_AUTHZ_IAM)) {
        if (evaluate_policy(inv, rp_doc, NULL, &rp) != 0)
            return -1;
        rp_done = true;
        if (rp.decision == GH_POLICY_EXPLICIT_DENY)
            return deny(inv, GH_AUTH_DENY_EXPLICIT, policy_message(inv, NULL, true),
                        gh_arena_printf(inv->arena, "resource policy: %s",
                                        statement_text(inv, &rp)));
    }

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
            inv->fail_error_type = outcome.fail_error_type;
            inv->log_detail = how;
            gh_log(GH_LOG_INFO, "authorization: %s (%s): %s (request %s)",
                   gh_gw_type_name(outcome.fail_type), kind_name(az->kind), how, request_id(inv));
            return -1;
        }
        authz = &outcome;
    }

    gh_auth_verdict verdict = authz ? authz->verdict : GH_AUTH_ALLOW;
    const char *how = authz && authz->log ? authz->log : "no authorizer";
    const char *caller = authz ? authz->identity.user_arn : NULL;
    if (rp_doc) {
        if (!rp_done && evaluate_policy(inv, rp_doc, caller, &rp) != 0)
            return -1;
        verdict =
            gh_auth_combine(inv->api, az, authz, &rp, authz ? authz->identity.account_id : NULL);
        how = gh_arena_printf(inv->arena, "%s; resource policy: %s", how, statement_text(inv, &rp));
    } else if (authz) {
        /* No resource policy: the authorizer decides, except for an IAM caller of another
         * account, whom only a resource policy can let in (api-gateway-cross-account-403). */
        verdict = gh_auth_combine(inv->api, az, authz, NULL, authz->identity.account_id);
        if (verdict != authz->verdict)
            how = gh_arena_printf(inv->arena, "%s; caller of account %s, API of account %s, "
                                  "no resource policy", how, authz->identity.account_id,
                                  inv->api ? inv->api->account_id : "?");
    }

    if (verdict != GH_AUTH_ALLOW) {
        const char *message;
        if (rp_doc && rp.decision == GH_POLICY_EXPLICIT_DENY)
            message = policy_message(inv, caller, true);
        else if (authz && authz->verdict != GH_AUTH_ALLOW)
            message = authz->fail_message ? authz->fail_message
                      : authz->verdict == GH_AUTH_DENY_EXPLICIT ? GH_AUTH_EXPLICIT_DENY_MESSAGE
                                                                : NULL;
        else
            message = policy_message(inv, caller, false);
        return deny(inv, verdict, message, how);
    }
    if (authz) {
        inv->authorizer = authz->authorizer;
        inv->identity.access_key = authz->identity.access_key;
        inv->identity.account_id = authz->identity.account_id;
        inv->identity.caller = authz->identity.caller;
        inv->identity.user = authz->identity.user;
        inv->identity.user_arn = authz->identity.user_arn;
        inv->usage_identifier_key = authz->usage_identifier_key;
    }
    /* Allowed calls are the common case: their line goes with the access log, which
     * --quiet turns off (denials and failures are always logged). */
    if (!gh_log_quiet())
        gh_log(GH_LOG_INFO, "authorization: allowed: %s (request %s)", how, request_id(inv));
    return 0;
}

int gh_authorize(gh_invocation *inv, gh_auth_cache *cache)
{
    int rc = decide(inv, cache);
    /* The test-only VPC headers never reach an integration, whatever was decided. */
    if (inv->req)
        gh_resource_policy_strip_headers(inv->req);
    return rc;
}
