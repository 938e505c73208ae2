/* IAM policy evaluation for execute-api, as API Gateway applies a Lambda authorizer's
 * policyDocument to the request's method ARN: Allow/Deny statements, Action/NotAction and
 * Resource/NotResource with IAM's '*' and '?' globs, explicit Deny beating Allow, and no
 * matching Allow meaning implicit deny. Pure: no globals, no allocation except the
 * method-ARN helper, which takes the request arena. Conditions and principals (resource
 * policies) are left to the caller's hooks (gh_policy_hooks). */
#ifndef GH_POLICY_H
#define GH_POLICY_H
#include <jansson.h>

#include "util/arena.h"

typedef enum {
    GH_POLICY_ALLOW,
    GH_POLICY_EXPLICIT_DENY, /* AWS: 403 "... with an explicit deny" */
    GH_POLICY_IMPLICIT_DENY, /* AWS: 403 "User is not authorized to access this resource" */
} gh_policy_decision;

typedef struct {
    gh_policy_decision decision;
    /* Index of the statement that decided (the first matching Deny, else the first
     * matching Allow), -1 for an implicit deny; for the "which statement decided" log. */
    int statement;
} gh_policy_result;

typedef struct {
    char message[256]; /* "policy: Statement[1].Effect must be ..." for the log */
} gh_policy_error;

/* Writes a printf-style message into err (when not NULL) and returns -1, so a check
 * reports with `return gh_policy_fail(err, "policy: Statement[%d] ...", ...)`. For
 * policy.c and the modules that extend it through gh_policy_hooks. */
int gh_policy_fail(gh_policy_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Checks the whole document, then evaluates it for `action` (execute-api:Invoke) on
 * `resource_arn`. Returns 0 and fills *out, or -1 with err->message when the document is
 * malformed (the caller answers 500 AUTHORIZER_CONFIGURATION_ERROR, as AWS does for a
 * policy it cannot parse). A malformed statement fails the document even when another
 * statement would have decided. */
int gh_policy_evaluate(const json_t *doc, const char *action, const char *resource_arn,
                       gh_policy_result *out, gh_policy_error *err);

/* Extension points for documents that carry more than Action and Resource (resource
 * policies add Principal and Condition, auth/resource_policy.h). Both are optional. */
typedef struct gh_policy_hooks {
    /* Checks the rest of statement `idx` while the document is validated: 0, or -1 with
     * err->message filled (the document is then malformed). */
    int (*check)(const json_t *st, int idx, void *ud, gh_policy_error *err);
    /* Whether statement `idx`, whose Action and Resource already match, applies to this
     * request: 1 yes, 0 no, -1 it cannot be decided here (something the evaluator does
     * not support): the evaluation fails closed, as an explicit deny by that statement. */
    int (*applies)(const json_t *st, int idx, void *ud);
    void *ud;
} gh_policy_hooks;

/* gh_policy_evaluate with hooks (NULL: none, the same as gh_policy_evaluate). */
int gh_policy_evaluate_hooked(const json_t *doc, const char *action, const char *resource_arn,
                              const gh_policy_hooks *hooks, gh_policy_result *out,
                              gh_policy_error *err);

/* IAM's glob: '*' matches any run of characters (also '/' and ':'), '?' exactly one.
 * Case-sensitive unless `nocase` (IAM compares action names case-insensitively, ARNs
 * case-sensitively). */
int gh_policy_glob(const char *pattern, const char *subject, int nocase);

/* arn:aws:execute-api:REGION:ACCOUNT:APIID/STAGE/VERB/PATH as AWS builds methodArn: from
 * the request path (path parameter values, not the resource template), without its
 * leading '/', so the root resource ends in "/VERB/". `path` NULL or "" means "/". */
char *gh_policy_method_arn(gh_arena *a, const char *region, const char *account, const char *api_id,
                           const char *stage, const char *verb, const char *path);

/* The ARN as AWS's denial texts show it: the account masked but for its last four digits
 * ("arn:aws:execute-api:us-west-2:********2543:vd2gh6uqw3/api/GET/"). In a. */
const char *gh_policy_masked_arn(gh_arena *a, const char *arn);

#endif
