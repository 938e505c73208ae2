/* The @connections management API (reference §9.3; the apigatewaymanagementapi service)
 * on the server's own port: POST /{stage}/@connections/{id} sends the raw body as one
 * frame (200, empty), GET answers the connection's info (connectedAt, lastActiveAt as
 * ISO-8601, identity), DELETE closes it (204) and so runs $disconnect; AWS's rest-json
 * errors with x-amzn-ErrorType (GoneException 410, LimitExceededException 429,
 * PayloadTooLargeException 413, ForbiddenException 403), so the AWS SDK's and CLI's
 * exception classes come out right. The `@` may arrive as %40 and the id percent-encoded
 * (`=` as %3D), as the SDK and CLI send them. SigV4 signatures (service execute-api) are
 * accepted unchecked unless the server checks signatures (serve --check-signatures),
 * then verified against x-gatehouse.credentials (auth/sigv4.h), and the signer's identity
 * policy must allow execute-api:ManageConnections on
 * arn:aws:execute-api:REGION:ACCOUNT:APIID/STAGE/VERB/@connections/{connectionId}
 * (403 AccessDeniedException otherwise, as AWS refuses). */
#ifndef GH_WS_MGMT_H
#define GH_WS_MGMT_H
#include <stdbool.h>
#include <stdint.h>

#include "gateway/pipeline.h"
#include "util/http.h"
#include "websocket/ws_hub.h"

/* True for /{stage}/@connections[/...] (or %40connections) on the API the Host picks:
 * answered as the operations when {stage} is a stage of its WebSocket API; otherwise
 * (no such stage, no WebSocket API, or /@connections/... without a stage) answered
 * 403 {"message":"Forbidden"} as AWS does, except when the API's REST resources match
 * the path on an existing stage: then the REST pipeline keeps it. */
bool gh_ws_mgmt_claims(const gh_runtime *rt, const gh_request *req);

/* Answers one claimed request (memory from req->arena). check_signatures: verify SigV4
 * against rt's credentials and evaluate the signer's identity policy. */
void gh_ws_mgmt_handle(gh_ws_hub *hub, const gh_runtime *rt, bool check_signatures,
                       gh_request *req, gh_response *resp);

/* A wall-clock time as GetConnection writes connectedAt and lastActiveAt (botocore's
 * iso8601 timestamps, milliseconds and Z: "2020-04-30T20:10:33.236Z"); also what
 * gatehouse.connections.get returns. */
#define GH_WS_MGMT_TIME_LEN 25
void gh_ws_mgmt_time(int64_t epoch_ms, char out[GH_WS_MGMT_TIME_LEN]);

#endif
