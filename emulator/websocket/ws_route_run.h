/* Inside websocket/: running one WebSocket route, whatever calls it ($connect, a
 * message, $disconnect). A route is a Lua function (a Lambda proxy route, or an aws_proxy
 * integration naming a function) that gets the WebSocket event (ws_event.h), or any
 * other integration run through gh_integration_run as REST runs it, with inv.ws set so
 * mapping templates read the WebSocket $context variables. What came back is reduced to
 * a status, headers and a body, and the caller decides what the client sees. */
#ifndef GH_WS_ROUTE_RUN_H
#define GH_WS_ROUTE_RUN_H
#include <stdbool.h>
#include <stddef.h>

#include "websocket/ws_dispatch.h"
#include "websocket/ws_event.h"

/* One route call: what it runs on and for whom. All memory from a. */
typedef struct gh_ws_ctx {
    const gh_runtime *rt;
    const gh_api *api;
    const gh_stage *stage;
    const gh_ws_session *s;
    gh_arena *a;
    /* The upgrade request on $connect; a request made up for the call otherwise (the
     * message as its body), so integrations find what they read in a gh_request. */
    gh_request *req;
    /* The call's requestId: API Gateway's WebSocket requestId is the extendedRequestId
     * form ("VNRXVFJOywMF3-Q="), the same value in both fields (reference §9.2). */
    const char *request_id;
    gh_ws_call call;
    const gh_value *authorizer; /* requestContext.authorizer; NULL: none */
} gh_ws_ctx;

typedef struct gh_ws_outcome {
    /* The function raised, timed out or could not be called, or the integration failed:
     * the status AWS would answer (500, 502, 504); the reason is already logged. */
    bool failed;
    int status; /* the result's statusCode / the integration response's status */
    bool has_body;
    const char *body;
    size_t body_len;
    gh_headers headers;
} gh_ws_outcome;

/* Prepares c for a call of route_key of event_type (the request, its ids and clock). req
 * NULL: a request is made up (POST /{stage}, body the message). */
void gh_ws_ctx_init(gh_ws_ctx *c, const gh_runtime *rt, const gh_api *api, const gh_stage *st,
                    const gh_ws_session *s, gh_arena *a, gh_request *req, const char *event_type,
                    const char *route_key);

/* The event fields every call shares (ids, times, identity, stage, authorizer). */
void gh_ws_event_base(const gh_ws_ctx *c, gh_ws_event_in *in);

/* Runs route r with the event `in` describes (a function route) or c->req (an
 * integration route) and fills *out. */
void gh_ws_route_run(gh_ws_ctx *c, const gh_ws_route *r, const gh_ws_event_in *in,
                     gh_ws_outcome *out);

/* One access-log line for the call, as the REST server writes one per request:
 * "WS MESSAGE sendmessage <connectionId> 200 1.23ms <requestId>". */
void gh_ws_log_call(const gh_ws_ctx *c, int status);

/* The session's API and stage in the current model (a reload may have swapped it); NULL
 * when the API, its WebSocket API or the stage is gone. */
const gh_api *gh_ws_session_api(const gh_runtime *rt, const gh_ws_session *s, const gh_stage **st);

/* The authorizer value as JSON text for the session, and back (from a). */
const char *gh_ws_authorizer_text(gh_arena *a, const gh_value *authorizer);
const gh_value *gh_ws_authorizer_value(gh_arena *a, const char *json_text);

#endif
