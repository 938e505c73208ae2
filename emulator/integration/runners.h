/* Inside the integration folder: one runner per integration kind, the entries of the
 * dispatch table in integration.c, and the one way a runner reports failure. */
#ifndef GH_INTEGRATION_RUNNERS_H
#define GH_INTEGRATION_RUNNERS_H
#include "integration/invocation.h"

/* Each fills inv->resp and returns 0, or fails through gh_integration_fail. */
int gh_mock_run(gh_invocation *inv);          /* type mock (AWS's way: templates) */
int gh_lambda_proxy_run(gh_invocation *inv);  /* type aws_proxy, payload 1.0 */
int gh_lua_mock_run(gh_invocation *inv);      /* x-gatehouse-mock on any type */
int gh_lambda_aws_run(gh_invocation *inv);    /* type aws with a Lambda URI (non-proxy) */
int gh_aws_service_run(gh_invocation *inv);   /* type aws with a service URI (sqs, sns) */
int gh_http_proxy_run(gh_invocation *inv);    /* type http_proxy */
int gh_http_run(gh_invocation *inv);          /* type http (custom, non-proxy) */

/* Records a failure the gateway renders as gateway response `type` with `status` (0: the
 * type's default) and $context.error.message `message` (NULL: the type's default), and
 * logs why (printf-style) at warning level with the request id. The reason never
 * reaches the body. Returns -1, so runners can `return gh_integration_fail(...)`. */
int gh_integration_fail(gh_invocation *inv, gh_gw_type type, int status, const char *message,
                        const char *why_fmt, ...) __attribute__((format(printf, 5, 6)));

/* The 5xx AWS answers for a misconfigured integration, a Lambda function that cannot be
 * invoked (500), or one that failed or answered malformed output (502): always
 * {"message": "Internal server error"} with x-amzn-ErrorType
 * InternalServerErrorException (Lambda developer guide, services-apigateway-errors:
 * "If the Lambda API rejects the invocation request, API Gateway returns a 500 error
 * code. If the function runs but returns an error, or returns a response in the wrong
 * format, API Gateway returns a 502"). AWS logs these as "Execution failed due to
 * configuration error", hence API_CONFIGURATION_ERROR. */
#define GH_INTERNAL_ERROR_MESSAGE "Internal server error"
#define GH_TIMEOUT_MESSAGE "Endpoint request timed out"

#endif
