/* The Lambda proxy event of a WebSocket API route (reference aws-api-gateway.md §9.2):
 * CONNECT, MESSAGE and DISCONNECT with every field AWS sends (requestContext.routeKey,
 * eventType, connectionId, connectedAt, messageId, messageDirection "IN",
 * extendedRequestId, requestTime(Epoch), disconnectStatusCode, disconnectReason,
 * identity {sourceIp, userAgent}, stage, domainName, apiId, requestId; the client's
 * headers and multiValueHeaders (and the query string) on CONNECT only, DISCONNECT
 * carrying AWS's own Host/x-api-key/X-Forwarded-For/x-restapi set instead; body on
 * MESSAGE; isBase64Encoded on every event), as the real samples in
 * ../shared/corpus/events show them. Built as an arena value tree, like the REST proxy
 * event. */
#ifndef GH_WS_EVENT_H
#define GH_WS_EVENT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"
#include "util/http.h"
#include "util/value.h"

typedef struct gh_ws_event_in {
    const char *event_type;        /* "CONNECT", "MESSAGE", "DISCONNECT" */
    const char *route_key;         /* "$connect", "sendmessage", "$default", ... */
    const char *connection_id;
    int64_t connected_at_ms;
    const char *message_id;        /* MESSAGE only */
    const char *body;              /* MESSAGE only */
    size_t body_len;
    bool binary;                   /* a binary frame: body base64-encoded, flag true */
    const gh_headers *headers;     /* CONNECT only */
    const char *query;             /* CONNECT only: raw query string or NULL */
    const char *stage, *domain_name, *api_id;
    const char *request_id, *extended_request_id;
    int64_t request_time_ms;
    const char *source_ip, *user_agent;
    int disconnect_status_code;    /* DISCONNECT */
    const char *disconnect_reason; /* DISCONNECT */
    const gh_value *authorizer;    /* what a $connect authorizer let in; NULL: none */
} gh_ws_event_in;

const gh_value *gh_ws_event(gh_arena *a, const gh_ws_event_in *in);

#endif
