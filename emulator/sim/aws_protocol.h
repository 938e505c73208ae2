/* The AWS-protocol endpoints of the simulated services, on the server's own port, as
 * AWS clients call them with one --endpoint-url (reference aws-api-gateway.md §10.2):
 *   - SQS JSON protocol: POST / with X-Amz-Target: AmazonSQS.<Operation> and
 *     Content-Type application/x-amz-json-1.0 (newer SDKs and CLI);
 *   - SQS query protocol: POST / or POST /<account>/<queue> (the QueueUrl) with a form
 *     body Action=<Operation>&Version=2012-11-05..., XML answers, or JSON ones when the
 *     request says Accept: application/json (what API Gateway's aws integrations send);
 *   - SNS query protocol: Action=<Operation> with SNS's operations (or a SigV4
 *     credential scope naming sns), XML answers (JSON with Accept: application/json);
 *   - Lambda Invoke: POST /2015-03-31/functions/<name>/invocations (aws lambda invoke),
 *     through gh_sim.invoke.
 * Errors keep AWS's codes and shapes per protocol (query: <ErrorResponse> with Type,
 * Code, Message, RequestId; JSON: {"__type", "message"} with x-amzn-query-error).
 * Signatures are accepted without being checked, unless gh_sim.verify is set (`serve
 * --check-signatures`): then an unsigned or badly signed call gets AWS's common errors.
 * Queue URLs in answers are http://<Host of the request>/<account>/<queue>. */
#ifndef GH_AWS_PROTOCOL_H
#define GH_AWS_PROTOCOL_H
#include <stdbool.h>

#include "sim/sim.h"
#include "util/http.h"

/* Cheap test on method, path and headers (no body parsing beyond a form's Action):
 * true when the request is one of the calls above, so the server hands it here
 * instead of to the REST pipeline. */
bool gh_aws_protocol_claims(const gh_request *req);

/* Answers one claimed request into resp (status, headers, body from req->arena).
 * Also used in-process by API Gateway's aws service integrations, which build the
 * request their mapping produced. */
void gh_aws_protocol_handle(gh_sim *sim, const gh_request *req, gh_response *resp);

#endif
