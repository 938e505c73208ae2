/* The authorization phase of the REST pipeline (reference §1.1, phase 3): the method's
 * authorizer (Lambda TOKEN or REQUEST, Cognito user pool, IAM) and the API's resource
 * policy, combined as AWS's authorization-flow table says, then rendered by the
 * gateway-responses table like every other failure.
 *
 * Order, as on AWS: a method with an authorizer runs it first, and its own failures
 * (401, 500 AUTHORIZER_*, the 403s of SigV4) end the call there; then the resource
 * policy, if any, is evaluated for the caller (the IAM ARN when signed) and the two
 * verdicts are combined (gh_auth_combine). Every decision is logged: which authorizer,
 * cache hit or miss, which statement decided. */
#ifndef GH_AUTH_AUTHORIZE_H
#define GH_AUTH_AUTHORIZE_H
#include "auth/cache.h"
#include "integration/invocation.h"

/* Runs the phase for inv (api, stage, method and path already resolved). Returns 0 when
 * the call goes on, with inv->authorizer, inv->identity and inv->usage_identifier_key
 * filled from the outcome; -1 with inv->fail_type, fail_message and log_detail set.
 * cache NULL: Lambda authorizer results are not cached (--no-auth-cache). */
int gh_authorize(gh_invocation *inv, gh_auth_cache *cache);

#endif
