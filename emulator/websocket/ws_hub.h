/* The open WebSocket connections of a running server, for whoever talks to a client from
 * outside that client's own thread: the @connections API (websocket/ws_mgmt.h) and
 * gatehouse.connections in Lua. Owned by the server; it outlives hot reloads, so a
 * reload keeps every connection open. Thread-safe. Sends are queued per connection
 * (websocket/connections.h) and written by the server's writers, so a client that does
 * not read delays nobody else. */
#ifndef GH_WS_HUB_H
#define GH_WS_HUB_H
#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"
#include "websocket/connections.h"

typedef struct gh_ws_hub gh_ws_hub;

/* The socket side the hub drives: the server's civetweb connections, or a test's fake. */
typedef struct gh_ws_transport {
    /* Writes one whole message to the client (owner as given to gh_ws_hub_add); 0, or -1
     * when the socket failed. May block on a slow client: only the hub's writers call it,
     * never a request thread. */
    int (*send)(void *ud, void *owner, const void *data, size_t len, bool binary);
    /* Sends a close frame (code, reason) and makes the connection end; the connection's
     * own thread then notices and calls gh_ws_hub_remove and runs $disconnect. */
    void (*close)(void *ud, void *owner, int code, const char *reason);
    void *ud;
} gh_ws_transport;

/* NULL when out of memory. Starts the writer threads. */
gh_ws_hub *gh_ws_hub_new(const gh_ws_transport *t);
/* After every connection ended (the server stopped): stops the writers, frees. */
void gh_ws_hub_free(gh_ws_hub *h);

/* Registers a connection $connect let in (websocket/connections.h gh_connections_add;
 * idle_timeout_ms: its API's idleTimeout, 0 for the default). */
int gh_ws_hub_add(gh_ws_hub *h, void *owner, const char *stage, const char *source_ip,
                  const char *user_agent, int64_t idle_timeout_ms, gh_ws_conn_info *out);
/* An id for a connection not yet registered (its $connect event carries it), and
 * gh_ws_hub_add under that id once $connect let it in (-1: taken meanwhile, or out of
 * memory). Until then @connections answers GoneException for it, as AWS does. */
void gh_ws_hub_new_id(gh_ws_hub *h, char out[24]);
int gh_ws_hub_add_id(gh_ws_hub *h, const char *id, void *owner, const char *stage,
                     const char *source_ip, const char *user_agent, int64_t idle_timeout_ms,
                     gh_ws_conn_info *out);
/* The connection's thread, when it ended: forgets it (no-op if gh_ws_hub_delete or the
 * sweep already did) and drops what was still queued. */
void gh_ws_hub_remove(gh_ws_hub *h, const char *id);
/* A message in or out: resets the idle timer. */
void gh_ws_hub_touch(gh_ws_hub *h, const char *id);
/* Closes every connection whose idle timeout or 2-hour limit passed at util/clock.h's
 * now, with close code 1001 (the server calls it about once a second; tests call it
 * after advancing a fake clock). Returns how many it closed. */
size_t gh_ws_hub_sweep(gh_ws_hub *h);

/* AWS's PostToConnection limit on data (reference §9.3, §9.4). */
#define GH_WS_MAX_MESSAGE_BYTES (128 * 1024)

typedef enum {
    GH_WS_OK = 0,
    GH_WS_GONE = -1,      /* no such open connection: 410 GoneException */
    GH_WS_FULL = -2,      /* the client's queue is full: 429 LimitExceededException */
    GH_WS_TOO_LARGE = -3, /* data over 128 KB: 413 PayloadTooLargeException */
} gh_ws_status;

/* Queues one message (a text frame, or binary) for connection id. */
gh_ws_status gh_ws_hub_post(gh_ws_hub *h, const char *id, const void *data, size_t len,
                            bool binary);

/* The connection's info, strings copied into a (GetConnection: connectedAt,
 * lastActiveAt, identity.sourceIp/userAgent). GH_WS_GONE when not open. */
gh_ws_status gh_ws_hub_get(gh_ws_hub *h, const char *id, gh_arena *a, gh_ws_conn_info *out);

/* Closes the connection (DeleteConnection): a close frame with code 1000 goes out, the
 * connection leaves the registry at once (later calls are GH_WS_GONE) and $disconnect
 * runs once, from the connection's thread. GH_WS_GONE when not open. */
gh_ws_status gh_ws_hub_delete(gh_ws_hub *h, const char *id);

/* Closes the connection with code/reason as gh_ws_hub_delete does (the server's own
 * closes: shutdown with 1001). GH_WS_GONE when not open. */
gh_ws_status gh_ws_hub_close(gh_ws_hub *h, const char *id, int code, const char *reason);

/* Ids of the open connections (up to max, into ids); how many are open in all. For the
 * admin API and tests. */
size_t gh_ws_hub_list(gh_ws_hub *h, char (*ids)[24], size_t max);

#endif
