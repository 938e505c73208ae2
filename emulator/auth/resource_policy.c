/* Resource policies (see resource_policy.h): policy.c's statement walk for
 * execute-api:Invoke on the method ARN, with hooks that add what a resource policy has
 * and an authorizer's policy has not: Principal / NotPrincipal and Condition
 * (auth/condition.h). Then gh_auth_combine, AWS's authorization-flow tables.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-authorization-flow.html
 */
#include "auth/resource_policy.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "auth/condition.h"
#include "auth/event.h"
#include "util/http.h"
#include "util/log.h"

/* ---- the caller, as ARN parts ------------------------------------------------------ */

typedef struct {
    const char *arn;      /* NULL: anonymous (no SigV4 identity) */
    const char *account;  /* the ARN's account field */
    const char *resource; /* after the fifth ':': "user/alice", "assumed-role/R/S", "root" */
    const char *partition, *service;
} caller_info;

/* Splits arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE into arena strings; -1 if it is
 * not shaped like an ARN. */
static int split_arn(gh_arena *a, const char *arn, const char *parts[6])
{
    const char *p = arn;
    for (int i = 0; i < 5; i++) {
        const char *c = strchr(p, ':');
        if (!c)
            return -1;
        parts[i] = gh_arena_strndup(a, p, (size_t)(c - p));
        p = c + 1;
    }
    parts[5] = p;
    return strcmp(parts[0], "arn") == 0 ? 0 : -1;
}

static void caller_init(gh_arena *a, const char *arn, caller_info *c)
{
    memset(c, 0, sizeof *c);
    const char *parts[6];
    if (!arn || split_arn(a, arn, parts) != 0)
        return;
    c->arn = arn;
    c->partition = parts[1];
    c->service = parts[2];
    c->account = parts[4];
    c->resource = parts[5];
}

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int is_account_id(const char *s)
{
    return strlen(s) == 12 && strspn(s, "0123456789") == 12;
}

/* One entry of Principal.AWS (IAM "AWS account and root user principals", "IAM user",
 * "role" and "role session" principals). */
static int aws_principal_matches(gh_arena *a, const char *p, const caller_info *c)
{
    if (strcmp(p, "*") == 0)
        return 1;
    if (!c->arn)
        return 0; /* only "*" covers anonymous callers */
    /* An account id, or its root ARN, stands for every identity of that account. */
    if (is_account_id(p))
        return strcmp(p, c->account) == 0;
    const char *pp[6];
    if (split_arn(a, p, pp) != 0)
        return 0;
    if (strcmp(pp[2], "iam") == 0 && strcmp(pp[5], "root") == 0)
        return strcmp(pp[4], c->account) == 0;
    if (strcmp(p, c->arn) == 0)
        return 1;
    /* A role ARN covers the sessions of that role: the caller's
     * arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION drops the role's path. */
    if (strcmp(pp[2], "iam") == 0 && starts_with(pp[5], "role/") &&
        strcmp(c->service, "sts") == 0 && starts_with(c->resource, "assumed-role/") &&
        strcmp(pp[4], c->account) == 0 && strcmp(pp[1], c->partition) == 0) {
        const char *role = strrchr(pp[5], '/') + 1;
        const char *sess = c->resource + strlen("assumed-role/");
        size_t n = strlen(role);
        return strncmp(sess, role, n) == 0 && sess[n] == '/';
    }
    return 0;
}

/* Principal "*", or {"AWS": entry or [entries]}. Other principal types (Service,
 * Federated, CanonicalUser) never name an execute-api caller. */
static int principal_matches(gh_arena *a, const json_t *pr, const caller_info *c)
{
    if (json_is_string(pr))
        return strcmp(json_string_value(pr), "*") == 0;
    const json_t *aws = json_object_get(pr, "AWS");
    if (json_is_string(aws))
        return aws_principal_matches(a, json_string_value(aws), c);
    size_t i;
    const json_t *e;
    json_array_foreach(aws, i, e)
    {
        if (aws_principal_matches(a, json_string_value(e), c))
            return 1;
    }
    return 0;
}

static int check_principal(const json_t *pr, int idx, const char *name, gh_policy_error *err)
{
    if (json_is_string(pr)) {
        if (strcmp(json_string_value(pr), "*") == 0)
            return 0;
    } else if (json_is_object(pr)) {
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)pr, k, v)
        {
            int ok = json_is_string(v);
            if (json_is_array(v)) {
                size_t i;
                json_t *e;
                ok = 1;
                json_array_foreach(v, i, e) ok = ok && json_is_string(e);
            }
            if (!ok)
                return gh_policy_fail(err,
                                      "policy: Statement[%d].%s.%s must be a string or an array "
                                      "of strings",
                                      idx, name, k);
        }
        return 0;
    }
    return gh_policy_fail(err,
                          "policy: Statement[%d].%s must be \"*\" or an object such as "
                          "{\"AWS\": ...}",
                          idx, name);
}

/* ---- hooks ------------------------------------------------------------------------- */

typedef struct {
    gh_arena *arena;
    caller_info caller;
    gh_condition_context ctx;
} eval_state;

static int hook_check(const json_t *st, int idx, void *ud, gh_policy_error *err)
{
    (void)ud;
    const json_t *p = json_object_get(st, "Principal"), *np = json_object_get(st, "NotPrincipal");
    if (p && np)
        return gh_policy_fail(
            err, "policy: Statement[%d] has both Principal and NotPrincipal; use one", idx);
    /* A resource-based policy names whom it applies to (IAM Principal element). */
    if (!p && !np)
        return gh_policy_fail(err,
                              "policy: Statement[%d] has no Principal; a resource policy needs one "
                              "(\"Principal\": \"*\" for everyone)",
                              idx);
    if (check_principal(p ? p : np, idx, p ? "Principal" : "NotPrincipal", err) != 0)
        return -1;
    const json_t *cond = json_object_get(st, "Condition");
    return cond ? gh_condition_check(cond, idx, err) : 0;
}

/* 1 when the statement's Condition (if any) holds for the request, 0 when not, -1 when it
 * uses what gatehouse does not evaluate (the statement then denies: fail closed). */
static int conditions_hold(eval_state *es, const json_t *st, int idx, const char *what)
{
    const json_t *cond = json_object_get(st, "Condition");
    if (!cond)
        return 1;
    char why[160];
    int r = gh_condition_eval(cond, &es->ctx, why, sizeof why);
    if (r < 0)
        gh_log(GH_LOG_WARN,
               "%s: Statement[%d] uses %s, which gatehouse does not evaluate; denying the call "
               "(fail closed)",
               what, idx, why);
    return r;
}

static int hook_applies(const json_t *st, int idx, void *ud)
{
    eval_state *es = ud;
    const json_t *p = json_object_get(st, "Principal");
    int who = p ? principal_matches(es->arena, p, &es->caller)
                : !principal_matches(es->arena, json_object_get(st, "NotPrincipal"), &es->caller);
    if (!who)
        return 0;
    return conditions_hold(es, st, idx, "resource policy");
}

/* aws:PrincipalType from the caller's ARN (IAM "aws:PrincipalType" values). */
static const char *principal_type(const caller_info *c)
{
    if (!c->arn)
        return NULL;
    if (strcmp(c->resource, "root") == 0)
        return "Account";
    if (starts_with(c->resource, "user/"))
        return "User";
    if (starts_with(c->resource, "assumed-role/"))
        return "AssumedRole";
    if (starts_with(c->resource, "federated-user/"))
        return "FederatedUser";
    return NULL;
}

/* The request's condition keys as IAM sees them, for resource and identity policies. */
static void state_init(eval_state *es, gh_arena *a, const gh_request *req, const char *caller_arn)
{
    memset(es, 0, sizeof *es);
    es->arena = a;
    caller_init(a, caller_arn, &es->caller);
    const gh_headers *h = &req->headers;
    es->ctx.source_ip = req->source_ip;
    es->ctx.source_vpc = gh_headers_get(h, GH_RESOURCE_POLICY_VPC_HEADER);
    es->ctx.source_vpce = gh_headers_get(h, GH_RESOURCE_POLICY_VPCE_HEADER);
    /* Through a VPC endpoint AWS rewrites the source address and keeps the client's in
     * aws:VpcSourceIp; locally the address is the client's either way. */
    if (es->ctx.source_vpce)
        es->ctx.vpc_source_ip = es->ctx.source_ip;
    es->ctx.principal_arn = es->caller.arn;
    es->ctx.principal_account = es->caller.account;
    es->ctx.principal_type = principal_type(&es->caller);
    /* aws:username is the friendly name of an IAM user: the last segment of its path. */
    if (es->caller.arn && starts_with(es->caller.resource, "user/"))
        es->ctx.username = strrchr(es->caller.resource, '/') + 1;
    es->ctx.referer = gh_headers_get(h, "Referer");
    es->ctx.user_agent = gh_headers_get(h, "User-Agent");
    /* API Gateway endpoints are HTTPS only, so on AWS this key is always true; answering
     * the same keeps "Deny unless SecureTransport" policies working over local HTTP. */
    es->ctx.secure_transport = true;
}

int gh_resource_policy_evaluate(const gh_invocation *inv, const json_t *doc, const char *caller_arn,
                                gh_policy_result *out, gh_policy_error *err)
{
    eval_state es;
    state_init(&es, inv->arena, inv->req, caller_arn);
    gh_policy_hooks hooks = {hook_check, hook_applies, &es};
    return gh_policy_evaluate_hooked(doc, "execute-api:Invoke", gh_auth_method_arn(inv), &hooks,
                                     out, err);
}

/* An identity policy names no principal (it is attached to one); only its conditions
 * decide beyond Action and Resource. */
static int identity_check(const json_t *st, int idx, void *ud, gh_policy_error *err)
{
    (void)ud;
    const json_t *cond = json_object_get(st, "Condition");
    return cond ? gh_condition_check(cond, idx, err) : 0;
}

static int identity_applies(const json_t *st, int idx, void *ud)
{
    return conditions_hold(ud, st, idx, "identity policy");
}

int gh_identity_policy_evaluate(const gh_invocation *inv, const json_t *doc,
                                const char *caller_arn, gh_policy_result *out,
                                gh_policy_error *err)
{
    return gh_identity_policy_evaluate_action(inv->arena, inv->req, doc, caller_arn,
                                              "execute-api:Invoke", gh_auth_method_arn(inv), out,
                                              err);
}

int gh_identity_policy_evaluate_action(gh_arena *a, const gh_request *req, const json_t *doc,
                                       const char *caller_arn, const char *action,
                                       const char *resource_arn, gh_policy_result *out,
                                       gh_policy_error *err)
{
    eval_state es;
    state_init(&es, a, req, caller_arn);
    gh_policy_hooks hooks = {identity_check, identity_applies, &es};
    return gh_policy_evaluate_hooked(doc, action, resource_arn, &hooks, out, err);
}

int gh_resource_policy_check(const json_t *doc, gh_policy_error *err)
{
    /* Validation without a request: an implicit-deny run over a placeholder ARN. */
    gh_policy_hooks hooks = {hook_check, NULL, NULL};
    gh_policy_result unused;
    if (gh_policy_evaluate_hooked(doc, "execute-api:Invoke", "", &hooks, &unused, err) != 0)
        return -1;
    const json_t *stmts = json_object_get(doc, "Statement");
    size_t n = json_is_array(stmts) ? json_array_size(stmts) : 1;
    for (size_t i = 0; i < n; i++) {
        const json_t *st = json_is_array(stmts) ? json_array_get(stmts, i) : stmts;
        const json_t *cond = json_object_get(st, "Condition");
        char why[160];
        if (cond && gh_condition_unsupported(cond, why, sizeof why)) {
            gh_policy_fail(err,
                           "policy: Statement[%zu] uses %.120s, which gatehouse does not "
                           "evaluate; calls it applies to are denied",
                           i, why);
            return 1;
        }
    }
    return 0;
}

void gh_resource_policy_strip_headers(gh_request *req)
{
    gh_headers_remove(&req->headers, GH_RESOURCE_POLICY_VPC_HEADER);
    gh_headers_remove(&req->headers, GH_RESOURCE_POLICY_VPCE_HEADER);
}

/* ---- combining with the method's authorization ------------------------------------- */

/* The three answers a policy (or an authorizer) gives, in the doc's words. */
enum { ALLOW, NEITHER, DENY };

static const gh_auth_verdict AS_VERDICT[3] = {GH_AUTH_ALLOW, GH_AUTH_DENY_IMPLICIT,
                                              GH_AUTH_DENY_EXPLICIT};

/* apigateway-authorization-flow, "Policy evaluation outcome tables", indexed
 * [authorization][resource policy]. Table A: caller and API in the same account (IAM)
 * or a Lambda authorizer: either side may allow, any Deny wins. */
static const int TABLE_A[3][3] = {
    [ALLOW] = {[ALLOW] = ALLOW, [NEITHER] = ALLOW, [DENY] = DENY},
    [NEITHER] = {[ALLOW] = ALLOW, [NEITHER] = NEITHER, [DENY] = DENY},
    [DENY] = {[ALLOW] = DENY, [NEITHER] = DENY, [DENY] = DENY},
};
/* Table B: another account's IAM caller, or a Cognito user pool ("the resource policy is
 * evaluated independently, and an explicit allow is required"): both must allow. */
static const int TABLE_B[3][3] = {
    [ALLOW] = {[ALLOW] = ALLOW, [NEITHER] = NEITHER, [DENY] = DENY},
    [NEITHER] = {[ALLOW] = NEITHER, [NEITHER] = NEITHER, [DENY] = DENY},
    [DENY] = {[ALLOW] = DENY, [NEITHER] = DENY, [DENY] = DENY},
};

static int answer_of_policy(gh_policy_decision d)
{
    return d == GH_POLICY_ALLOW ? ALLOW : d == GH_POLICY_EXPLICIT_DENY ? DENY : NEITHER;
}

static int answer_of_outcome(gh_auth_verdict v)
{
    /* GH_AUTH_FAIL never reaches here (it ends the call first); were it to, it must not
     * let anyone in. */
    return v == GH_AUTH_ALLOW ? ALLOW : v == GH_AUTH_DENY_IMPLICIT ? NEITHER : DENY;
}

gh_auth_verdict gh_auth_combine(const gh_api *api, const gh_authorizer *az,
                                const gh_auth_outcome *authz, const gh_policy_result *rp,
                                const char *caller_account)
{
    if (!authz) {
        /* Resource policy only: "seeking an explicit allow ... An implicit denial or any
         * explicit denial results in denying the caller." No policy: nothing to deny. */
        return rp ? AS_VERDICT[answer_of_policy(rp->decision)] : GH_AUTH_ALLOW;
    }
    int who = answer_of_outcome(authz->verdict);
    bool cross_account = az && az->kind == GH_AUTHZ_IAM && caller_account && api &&
                         api->account_id && strcmp(caller_account, api->account_id) != 0;
    if (!rp) {
        /* Without a resource policy the method's own answer stands, except across
         * accounts: that access "requires that both the resource policy and the IAM
         * policy explicitly grant access" (Table B with a silent resource policy). */
        return AS_VERDICT[cross_account ? TABLE_B[who][NEITHER] : who];
    }
    int res = answer_of_policy(rp->decision);
    bool table_b = cross_account || (az && az->kind == GH_AUTHZ_COGNITO);
    return AS_VERDICT[table_b ? TABLE_B[who][res] : TABLE_A[who][res]];
}
