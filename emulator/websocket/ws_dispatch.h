/* What happens on a WebSocket API's connection apart from the socket (reference
 * aws-api-gateway.md §9): which API and stage an upgrade addresses, $connect (the REQUEST
 * authorizer, then the route, whose non-2xx answer refuses the handshake with AWS's
 * status), each message (route selection, the route's Lua function or integration, the
 * reply frame of a two-way route, the Forbidden frame when nothing matches) and
 * $disconnect. No civetweb here: the server (websocket/ws_server.c) calls these from the
 * connection's own thread and owns the socket, so all of this is unit-testable. */
#ifndef GH_WS_DISPATCH_H
#define GH_WS_DISPATCH_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gateway/pipeline.h"
#include "util/arena.h"
#include "util/http.h"

/* What a connection keeps between calls; the server owns it and its strings (copies
 * that live as long as the connection). */
typedef struct gh_ws_session {
    char connection_id[24];
    const char *api_id;       /* resolved again on every call: a reload may swap the model */
    const char *stage;
    const char *domain_name;  /* the upgrade's Host, as requestContext.domainName */
    const char *source_ip, *user_agent;
    int64_t connected_at_ms;  /* wall clock */
    /* requestContext.authorizer as $connect's authorizer left it (JSON object text), given
     * to every later event of the connection as AWS does; NULL: no authorizer. */
    const char *authorizer_json;
    /* The same, parsed once into the session's memory by its owner so messages do not
     * parse it again; NULL: authorizer_json is parsed per call (or there is none). */
    const struct gh_value *authorizer;
} gh_ws_session;

/* A WebSocket route's call as mapping templates see it ($context.connectionId,
 * connectedAt, eventType, messageId, routeKey, status; reference §9.2): hung on
 * gh_invocation.ws for integration routes. */
typedef struct gh_ws_call {
    const gh_ws_session *session;
    const char *event_type; /* "CONNECT", "MESSAGE", "DISCONNECT" */
    const char *route_key;
    const char *message_id; /* MESSAGE only */
} gh_ws_call;

/* The API with a WebSocket API and the stage whose root the upgrade request addresses
 * (GET /{stage} or /{stage}/, API chosen by Host as REST does); NULL when none: the
 * server then lets the request through to the REST pipeline, which answers as AWS does
 * for a path it does not serve. */
const gh_api *gh_ws_resolve(const gh_runtime *rt, const gh_request *req,
                            const gh_stage **stage);

typedef struct gh_ws_connect_result {
    /* 0: open the connection (a 101 with `headers` added: the Sec-WebSocket-Protocol the
     * $connect integration answered, if any); else the HTTP status the handshake is
     * refused with, `headers` and `body` making AWS's answer (401 {"message":
     * "Unauthorized"}, 403 Forbidden, 500 ..., or the route's own non-2xx status). */
    int refuse_status;
    gh_headers headers;
    const char *body;
    size_t body_len;
    /* What to keep in the session's authorizer_json (from req->arena; the server copies
     * it). NULL: no authorizer ran. */
    const char *authorizer_json;
} gh_ws_connect_result;

/* Runs $connect for the upgrade request req (s is filled by the server: id, api, stage,
 * domain, peer, connectedAt; the handshake is not yet answered). Every string of out is
 * from req->arena. Logs one access line per route call as REST does. */
void gh_ws_connect(const gh_runtime *rt, gh_request *req, const gh_ws_session *s,
                   gh_ws_connect_result *out);

typedef struct gh_ws_reply {
    const char *data; /* NULL: nothing goes back (one-way route, or no answer) */
    size_t len;
    bool binary;
} gh_ws_reply;

/* Handles one whole message (fragments already joined) from the client of s: selects the
 * route, runs it, and fills out with the frame to send back (the two-way route's answer,
 * the Forbidden frame, or an error frame as AWS sends one for a failed integration:
 * {"message": "Internal server error", "connectionId":..., "requestId":...}). Memory from
 * a. */
void gh_ws_message(const gh_runtime *rt, const gh_ws_session *s, gh_arena *a,
                   const char *data, size_t len, bool binary, gh_ws_reply *out);

/* Runs $disconnect (if the API has the route) once the connection is closed, with the
 * close code and reason (requestContext.disconnectStatusCode / disconnectReason).
 * Best effort as on AWS: a failure is logged, nothing else. Memory from a. */
void gh_ws_disconnect(const gh_runtime *rt, const gh_ws_session *s, gh_arena *a,
                      int status_code, const char *reason);

#endif
