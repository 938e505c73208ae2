/* Which Lambda function an integration calls, and the `context` its handler receives.
 * Pure (no Lua), so the routes listing and the unit tests can use it. */
#ifndef GH_LAMBDA_TARGET_H
#define GH_LAMBDA_TARGET_H
#include <stdbool.h>

#include "integration/invocation.h"

/* The function name for this request: integration->lambda_function with
 * ${stageVariables.x} substituted from inv->stage (an unset variable becomes empty, as
 * AWS leaves an unusable ARN), reduced to the bare name when it is still a full ARN or
 * carries a ":qualifier". NULL when the integration names no function. */
const char *gh_lambda_function_name(const gh_invocation *inv);
/* The same for integration `in` served in stage `st` (may be NULL: variables unset),
 * allocated from a: what `gatehouse routes` lists per stage. */
const char *gh_lambda_function_for_stage(gh_arena *a, const gh_integration *in, const gh_stage *st);

/* Fills ctx for a call of fn in inv's API: "$LATEST", the invoked ARN
 * arn:aws:lambda:REGION:ACCOUNT:function:NAME, a fresh request id, /aws/lambda/NAME and
 * a log stream named as Lambda names them (YYYY/MM/DD/[$LATEST]<32 hex>). */
void gh_lambda_context_init(const gh_invocation *inv, const gh_function *fn,
                            gh_lambda_context *ctx);

/* The function this request calls, or NULL after gh_integration_fail with AWS's 500 when
 * the URI names none, no such function is declared (Lambda's ResourceNotFoundException)
 * or no Lua runtime runs. Shared by the proxy and non-proxy Lambda integrations. */
const gh_function *gh_lambda_resolve(gh_invocation *inv);

/* The X-Amzn-Trace-Id API Gateway sends to Lambda (§1.4) and returns on Lambda
 * responses (§1.5): the client's own when it sent one, else a fresh one, which is also
 * added to the request's headers. */
const char *gh_lambda_trace_id(gh_invocation *inv);

/* How long a call of fn may run: its own timeout, unless the integration's
 * timeoutInMillis is shorter; then API Gateway gives up first (504) and *gateway_first
 * is set. */
int gh_lambda_timeout(const gh_invocation *inv, const gh_function *fn, bool *gateway_first);

/* Lua prefixes error("msg") with "chunk:line: " (unless the level is 0); a Node function
 * throwing new Error("msg") has errorMessage "msg" and the position in its stackTrace,
 * and API Gateway compares an authorizer's raised message without it ("Unauthorized").
 * Chunks here are files ("@path", printed as path.lua) or strings ([string "..."]).
 * Returns the length of that prefix in msg, 0 when there is none. */
size_t gh_lambda_error_prefix_len(const char *msg);

/* The error payload Lambda returns for the failed call r (status ERROR, TIMEOUT or
 * MEMORY) made with request id request_id: {"errorMessage", "errorType", "stackTrace"}
 * as the Lambda integrations, the Invoke endpoint and the simulated invoker give it.
 * New reference. */
json_t *gh_lambda_error_payload(const gh_script_result *r, const char *request_id);

#endif
