/* IAM authorization for AWS_IAM methods (see iam.h): the SigV4 verdict of auth/sigv4.c
 * turned into API Gateway's answers, then the declared credential's identity policy.
 * The texts are the ones AWS's "How do I troubleshoot HTTP 403 errors from API Gateway?"
 * (repost.aws knowledge center) lists with their x-amzn-ErrorType, and real bodies
 * reported against execute-api. */
#include "auth/iam.h"

#include <openssl/evp.h>
#include <string.h>

#include "auth/event.h"
#include "auth/policy.h"
#include "auth/resource_policy.h"
#include "auth/sigv4.h"
#include "util/clock.h"

/* API Gateway's SigV4 window: its "Signature expired" texts say "- 5 min." (bodies
 * reported by API Gateway clients, e.g. aws-sdk-android issue 253), not the 15 minutes
 * of the generic SigV4 documentation. */
#define IAM_SKEW_SECONDS 300
#define INVOKE "execute-api:Invoke"

static const char *lookup(void *ctx, const char *access_key, const void **credential)
{
    const gh_credential *c = gh_api_credential(ctx, access_key);
    *credential = c;
    return c ? c->secret_key : NULL;
}

/* A stable stand-in for IAM's unique id, which AWS puts in $context.identity.user and
 * .caller: "AIDA" + 17 base32 characters for users, "AROA..." for roles (":SESSION"
 * appended for an assumed-role session), the account id for the root user. Derived from
 * a SHA-256 of the ARN so the same credential always shows the same id. */
static const char *principal_id(gh_arena *a, const char *arn, const char *account)
{
    static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    const char *res = strrchr(arn, ':');
    res = res ? res + 1 : arn;
    if (strcmp(res, "root") == 0)
        return account;
    int role = strncmp(res, "role/", 5) == 0 || strncmp(res, "assumed-role/", 13) == 0;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_Digest(arn, strlen(arn), md, &n, EVP_sha256(), NULL);
    char id[22];
    memcpy(id, role ? "AROA" : "AIDA", 4);
    for (int i = 0; i < 17; i++)
        id[4 + i] = b32[md[i] & 31];
    id[21] = '\0';
    const char *session = NULL;
    if (strncmp(res, "assumed-role/", 13) == 0) {
        session = strchr(res + 13, '/');
        session = session ? session + 1 : NULL;
    }
    return session ? gh_arena_printf(a, "%s:%s", id, session) : gh_arena_strdup(a, id);
}

static void fail(gh_auth_outcome *out, gh_gw_type type, const char *message, const char *log)
{
    out->verdict = GH_AUTH_FAIL;
    out->fail_type = type;
    out->fail_message = message;
    out->log = log;
}

void gh_iam_authorize(gh_invocation *inv, gh_auth_outcome *out)
{
    gh_arena *a = inv->arena;
    const gh_request *rq = inv->req;
    gh_sigv4_request req = {rq->method, rq->path, rq->query, &rq->headers, rq->body,
                            rq->body_len};
    gh_sigv4_expect expect = {inv->api->region, "execute-api", IAM_SKEW_SECONDS};
    gh_sigv4_result r;
    gh_sigv4_status st = gh_sigv4_verify(a, &req, &expect, lookup, (void *)inv->api,
                                         gh_clock_now_ms(), &r);
    const char *ak = r.access_key ? r.access_key : "-";
    switch (st) {
    case GH_SIGV4_MISSING:
        fail(out, GH_GW_MISSING_AUTHENTICATION_TOKEN, NULL, "IAM: request not signed");
        return;
    case GH_SIGV4_MALFORMED:
        /* AWS sends x-amzn-ErrorType IncompleteSignatureException with this text; the
         * gateway response it goes through is MISSING_AUTHENTICATION_TOKEN's. */
        fail(out, GH_GW_MISSING_AUTHENTICATION_TOKEN, r.message,
             gh_arena_printf(a, "IAM: malformed signature: %s", r.message));
        out->fail_error_type = "IncompleteSignatureException";
        return;
    case GH_SIGV4_SCOPE:
    case GH_SIGV4_EXPIRED:
        fail(out, GH_GW_INVALID_SIGNATURE, r.message,
             gh_arena_printf(a, "IAM: %s: %s", ak, r.message));
        return;
    case GH_SIGV4_UNKNOWN_KEY:
        /* Knowledge center: AccessDeniedException "The security token included in the
         * request is invalid." for keys that are not valid. */
        fail(out, GH_GW_ACCESS_DENIED, "The security token included in the request is invalid.",
             gh_arena_printf(a, "IAM: access key %s is not in x-gatehouse.credentials", ak));
        return;
    case GH_SIGV4_MISMATCH:
        fail(out, GH_GW_INVALID_SIGNATURE, gh_sigv4_mismatch_message(a, &r),
             gh_arena_printf(a, "IAM: %s: signature does not match (canonical request:\n%s)", ak,
                             r.canonical_request));
        return;
    case GH_SIGV4_OK:
        break;
    }

    const gh_credential *c = r.credential;
    const char *arn_log = "no identity policy";
    if (c->policy) {
        const char *method_arn = gh_auth_method_arn(inv);
        gh_policy_result pr;
        gh_policy_error perr;
        if (gh_identity_policy_evaluate(inv, c->policy, c->arn, &pr, &perr) != 0) {
            /* IAM refuses such a policy when it is attached; here it can only deny. */
            pr.decision = GH_POLICY_IMPLICIT_DENY;
            pr.statement = -1;
            arn_log = gh_arena_printf(a, "identity policy unusable (%s)", perr.message);
        } else if (pr.decision == GH_POLICY_ALLOW) {
            arn_log = gh_arena_printf(a, "identity policy Statement[%d] allows", pr.statement);
        }
        if (pr.decision != GH_POLICY_ALLOW) {
            int explicit_deny = pr.decision == GH_POLICY_EXPLICIT_DENY;
            out->verdict = explicit_deny ? GH_AUTH_DENY_EXPLICIT : GH_AUTH_DENY_IMPLICIT;
            out->fail_type = GH_GW_ACCESS_DENIED;
            out->fail_message = gh_arena_printf(
                a, "User: %s is not authorized to perform: " INVOKE " on resource: %s %s", c->arn,
                gh_policy_masked_arn(a, method_arn),
                explicit_deny ? "with an explicit deny"
                              : "because no identity-based policy allows the " INVOKE " action");
            const char *why = explicit_deny
                                  ? gh_arena_printf(a, "identity policy Statement[%d] denies",
                                                    pr.statement)
                                  : strcmp(arn_log, "no identity policy") != 0
                                        ? arn_log
                                        : "no identity policy statement allows";
            out->log = gh_arena_printf(a, "IAM: %s (%s): %s", c->access_key, c->arn, why);
            return;
        }
    }

    out->verdict = GH_AUTH_ALLOW;
    out->identity.access_key = c->access_key;
    out->identity.account_id = c->account_id;
    out->identity.user_arn = c->arn;
    out->identity.user = principal_id(a, c->arn, c->account_id);
    out->identity.caller = out->identity.user;
    out->log = gh_arena_printf(a, "IAM: %s (%s): signature ok%s, %s", c->access_key, c->arn,
                               r.presigned ? " (presigned)" : "", arn_log);
}
