/* Lambda authorizers run as Lua functions (TOKEN and REQUEST), deciding as API Gateway
 * does (reference §4; apigateway-lambda-authorizer-*):
 *   - the identity sources must all be present and non-empty (a REQUEST authorizer with
 *     TTL 0 is called anyway), and a TOKEN's identityValidationExpression must match,
 *     else 401 UNAUTHORIZED without calling the function;
 *   - the cache (auth/cache.h, scoped to api + stage + authorizer) answers before the
 *     function when it holds a result for the same identity;
 *   - the function gets the TOKEN or REQUEST event (auth/event.h) and a Lambda context;
 *     error("Unauthorized") (with or without Lua's position prefix) is 401; any other
 *     error or a timeout is a 500 of the type AWS answers with (documented in
 *     docs/aws-compatibility.md, with the source that says so);
 *   - the result must be {principalId, policyDocument, context?, usageIdentifierKey?}
 *     with scalar context values, else 500 AUTHORIZER_CONFIGURATION_ERROR;
 *   - the policy is evaluated (auth/policy.h) against this request's method ARN, cached
 *     or not, so a cached policy naming one path denies the next path as on AWS.
 * Whenever the result was valid (allow or deny), out->authorizer is {principalId, <context values as strings>,
 * integrationLatency} from inv->arena. */
#ifndef GH_LAMBDA_AUTHORIZER_H
#define GH_LAMBDA_AUTHORIZER_H
#include "auth/cache.h"
#include "auth/outcome.h"
#include "integration/invocation.h"

void gh_lambda_authorize(gh_invocation *inv, const gh_authorizer *az, gh_auth_cache *cache,
                         gh_auth_outcome *out);

/* The same steps for a caller that builds the function's event itself and names the ARN
 * the policy is evaluated against: a WebSocket API's $connect authorizer
 * (websocket/ws_connect.c), whose event and methodArn (.../STAGE/$connect) are not
 * REST's. event / method_arn NULL: REST's own, as gh_lambda_authorize. event is
 * borrowed. */
void gh_lambda_authorize_event(gh_invocation *inv, const gh_authorizer *az, gh_auth_cache *cache,
                               const gh_value *event, const char *method_arn,
                               gh_auth_outcome *out);

#endif
