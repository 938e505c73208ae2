/* IAM authorization (x-amazon-apigateway-authtype awsSigv4, AWS_IAM): the request's
 * SigV4 signature (Authorization header or X-Amz-* query parameters, as the AWS CLI,
 * SDKs and awscurl send them) verified against x-gatehouse.credentials, then the
 * credential's identity policy, if any, evaluated for execute-api:Invoke on the method
 * ARN. AWS's answers: unsigned 403 MISSING_AUTHENTICATION_TOKEN, unknown key 403
 * ("The security token included in the request is invalid."), bad signature 403
 * INVALID_SIGNATURE with AWS's text, a date outside 15 minutes 403 "Signature expired:
 * ..." (util/clock.h's wall clock). On ALLOW out->identity is filled (accessKey, user,
 * userArn, caller, accountId as AWS fills them for IAM callers). */
#ifndef GH_IAM_H
#define GH_IAM_H
#include "auth/outcome.h"
#include "integration/invocation.h"

void gh_iam_authorize(gh_invocation *inv, gh_auth_outcome *out);

#endif
