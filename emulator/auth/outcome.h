/* What one authorization step decided (a method's authorizer, an IAM signature check),
 * in the terms the authorization phase combines with the resource policy
 * (auth/authorize.h) and renders as a gateway response. */
#ifndef GH_AUTH_OUTCOME_H
#define GH_AUTH_OUTCOME_H
#include "spec/model.h"
#include "util/value.h"

typedef enum {
    GH_AUTH_ALLOW,
    GH_AUTH_DENY_EXPLICIT, /* 403 ACCESS_DENIED "... with an explicit deny" */
    GH_AUTH_DENY_IMPLICIT, /* 403 ACCESS_DENIED "User is not authorized to access this resource" */
    GH_AUTH_FAIL,          /* fail_type: 401 UNAUTHORIZED, 500 AUTHORIZER_*, 403 SigV4 ones */
} gh_auth_verdict;

/* The body of ACCESS_DENIED for a Lambda authorizer's explicit Deny (the gateway
 * response's default message is the implicit deny's). */
#define GH_AUTH_EXPLICIT_DENY_MESSAGE                                                      \
    "User is not authorized to access this resource with an explicit deny"

typedef struct gh_auth_outcome {
    gh_auth_verdict verdict;
    gh_gw_type fail_type;       /* GH_AUTH_FAIL only */
    const char *fail_message;   /* the body's message when not the type's default (SigV4
                                 * and IAM denials carry AWS's longer texts); NULL: default */
    const char *fail_error_type;/* x-amzn-ErrorType when not the type's own (SigV4's
                                 * IncompleteSignatureException); NULL: the type's */
    const char *log;            /* how it was decided, for the log line (never the body):
                                 * "authorizer 'jwt': cache hit, Statement[0] allows" */
    /* ALLOW: what the integration sees (gh_invocation fields of the same names). */
    const gh_value *authorizer;
    struct {
        const char *access_key, *account_id, *caller, *user, *user_arn;
    } identity;
    const char *usage_identifier_key;
} gh_auth_outcome;

#endif
