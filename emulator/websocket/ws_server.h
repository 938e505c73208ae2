/* civetweb glue for WebSocket APIs: the upgrade on /{stage} ($connect through
 * websocket/ws_dispatch.h, the 101 or AWS's refusal), frames in (reassembly, AWS's size
 * limits, pings, close codes), messages to the route, replies out, $disconnect once per
 * connection, and the hub (websocket/ws_hub.h) whose writers push @connections posts.
 * A sweeper thread closes idle and 2-hour-old connections about once a second. */
#ifndef GH_WS_SERVER_H
#define GH_WS_SERVER_H
#include <civetweb.h>
#include <stddef.h>

#include "server/runtime.h"
#include "websocket/ws_hub.h"

typedef struct gh_ws_server gh_ws_server;

/* How an upgrade no WebSocket API claims is answered: as the REST pipeline answers the
 * same request, written on conn with Connection: close (the server's HTTP handler). */
typedef void (*gh_ws_http_fallback)(struct mg_connection *conn, void *ud);

/* Creates the hub and starts the sweeper; NULL when out of memory. */
gh_ws_server *gh_ws_server_new(gh_live *live, gh_ws_http_fallback fallback, void *ud);
/* The most connections open at once (unlimited by default): an upgrade beyond it is
 * refused with 429 {"message":"Too Many Requests"}, API Gateway's throttling answer, so
 * connections can never take the civetweb workers HTTP requests need. */
void gh_ws_server_set_capacity(gh_ws_server *ws, size_t max_connections);
/* Registers the WebSocket handler on "/" of ctx, next to the HTTP handler. */
void gh_ws_server_install(gh_ws_server *ws, struct mg_context *ctx);
gh_ws_hub *gh_ws_server_hub(gh_ws_server *ws);
/* Before mg_stop: every open connection gets a close frame 1001 "Going away" (the code
 * its $disconnect then reports). */
void gh_ws_server_close_all(gh_ws_server *ws);
/* After mg_stop (every connection ended, every $disconnect ran): stops the sweeper and
 * frees the hub. */
void gh_ws_server_free(gh_ws_server *ws);

#endif
