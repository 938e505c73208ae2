/* IAM authorization (x-amazon-apigateway-authtype awsSigv4, AWS_IAM): the request's
 * SigV4 signature (Authorization header or X-Amz-* query parameters, as the AWS CLI,
 * SDKs and awscurl send them; auth/sigv4.h) verified against x-gatehouse.credentials,
 * region the API's and service execute-api, then the credential's identity policy, if
 * any, evaluated for execute-api:Invoke on the method ARN.
 *
 * What the phase renders from *out (fail_type with fail_message as the body's message):
 *   unsigned                  GH_AUTH_FAIL  MISSING_AUTHENTICATION_TOKEN (default text)
 *   malformed Authorization   GH_AUTH_FAIL  MISSING_AUTHENTICATION_TOKEN, AWS's
 *                             IncompleteSignature text ("Authorization header requires
 *                             'Credential' parameter. ... Authorization=...")
 *   unknown access key        GH_AUTH_FAIL  ACCESS_DENIED "The security token included in
 *                             the request is invalid."
 *   wrong region / service    GH_AUTH_FAIL  INVALID_SIGNATURE "Credential should be scoped
 *                             to a valid region, not 'R'. " / "... to correct service:
 *                             'execute-api'. "
 *   date outside 5 minutes    GH_AUTH_FAIL  INVALID_SIGNATURE "Signature expired: D is now
 *                             earlier than D' (NOW - 5 min.)" (or "not yet current"); the
 *                             wall clock is util/clock.h's
 *   signature mismatch        GH_AUTH_FAIL  INVALID_SIGNATURE, AWS's sentence plus the
 *                             canonical request and string to sign it expected
 *   identity policy denies    GH_AUTH_DENY_EXPLICIT / _IMPLICIT, fail_type ACCESS_DENIED,
 *                             fail_message "User: ARN is not authorized to perform:
 *                             execute-api:Invoke on resource: METHODARN with an explicit
 *                             deny" / "... because no identity-based policy allows the
 *                             execute-api:Invoke action" (account masked in METHODARN);
 *                             rendered {"Message":...} like every ACCESS_DENIED
 * On ALLOW out->identity is filled: accessKey, accountId (the ARN's), userArn (the ARN),
 * user and caller (a stable made-up IAM unique id: AIDA... for users, AROA...[:session]
 * for roles, the account id for root). */
#ifndef GH_IAM_H
#define GH_IAM_H
#include "auth/outcome.h"
#include "integration/invocation.h"

void gh_iam_authorize(gh_invocation *inv, gh_auth_outcome *out);

#endif
