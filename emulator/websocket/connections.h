/* The WebSocket connections of one server (reference aws-api-gateway.md §9.3-9.4): ids in
 * AWS's format (11 random bytes, URL-safe base64 with its '=' padding: "L0SM9cOFvHcCIhw="),
 * connectedAt / lastActiveAt, the identity seen at $connect, the idle timeout (10 minutes
 * by default) and the 2-hour connection limit, both on util/clock.h, and a bounded send
 * queue per connection so a slow client never blocks another. The registry knows nothing
 * of sockets: the server owns them and drains each connection's queue. Thread-safe. */
#ifndef GH_CONNECTIONS_H
#define GH_CONNECTIONS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GH_WS_IDLE_TIMEOUT_MS_DEFAULT (10 * 60 * 1000)
#define GH_WS_MAX_LIFETIME_MS (2 * 60 * 60 * 1000)
/* Bytes queued for one client before further sends are refused (the @connections API
 * then answers as AWS does for a client that cannot keep up). */
#define GH_WS_SEND_QUEUE_MAX_BYTES (1024 * 1024)

typedef struct gh_connections gh_connections;

typedef struct gh_ws_conn_info {
    char id[24];
    int64_t connected_at_ms;   /* wall clock, as connectedAt reports it */
    int64_t last_active_at_ms; /* wall clock */
    const char *source_ip;     /* the registry's own copies, valid while the entry is */
    const char *user_agent;
    const char *stage;
} gh_ws_conn_info;

typedef enum {
    GH_WS_CLOSE_NONE,
    GH_WS_CLOSE_IDLE,     /* idle timeout: AWS closes with 1001 "Going away" (recorded
                             $disconnect events; the quotas page names no code) */
    GH_WS_CLOSE_LIFETIME, /* the 2-hour limit: 1001 */
    GH_WS_CLOSE_CLIENT,   /* the client closed */
    GH_WS_CLOSE_DELETED,  /* DELETE @connections/{id}: 1000? see the .c for AWS's code;
                             1000 "Connection Closed Normally" in AWS's logs */
} gh_ws_close_reason;

/* idle_timeout_ms 0 means the default. NULL when out of memory. */
gh_connections *gh_connections_new(int64_t idle_timeout_ms);
void gh_connections_free(gh_connections *c);

/* Registers a new connection (after $connect allowed it); fills *out (a copy). owner is
 * the server's handle for the socket, returned by gh_connections_owner. */
int gh_connections_add(gh_connections *c, void *owner, const char *stage, const char *source_ip,
                       const char *user_agent, gh_ws_conn_info *out);
/* A fresh id no open connection holds, drawn before the connection exists: $connect's
 * event carries it, yet nothing may reach the connection until $connect let it in. */
void gh_connections_draw_id(gh_connections *c, char out[24]);
/* gh_connections_add under a given id (from gh_connections_draw_id; -1 when an open
 * connection holds it, or out of memory) with the connection's own idle timeout (its
 * API's idleTimeout; 0: the registry's). */
int gh_connections_add_id(gh_connections *c, const char *id, void *owner, const char *stage,
                          const char *source_ip, const char *user_agent,
                          int64_t idle_timeout_ms, gh_ws_conn_info *out);
/* Forgets a connection; 0 when it existed, -1 if not (already gone: AWS's 410). */
int gh_connections_remove(gh_connections *c, const char *id);
/* A copy of the connection's info; -1 when unknown (410 GoneException). */
int gh_connections_get(gh_connections *c, const char *id, gh_ws_conn_info *out);
/* Marks activity (a message in or out) now, resetting the idle timer. */
void gh_connections_touch(gh_connections *c, const char *id);
void *gh_connections_owner(gh_connections *c, const char *id);

/* Queues data for the client: 0, -1 when the connection is unknown (410), -2 when its
 * queue is full (the client does not read). */
int gh_connections_enqueue(gh_connections *c, const char *id, const void *data, size_t len,
                           bool binary);
/* Takes the next queued frame for id into *data (malloc'd) / *len / *binary: 1, or 0
 * when the queue is empty. The server's writer calls it. */
int gh_connections_dequeue(gh_connections *c, const char *id, void **data, size_t *len,
                           bool *binary);

/* Connections whose idle timeout or lifetime has passed at util/clock.h's now: up to max
 * ids (with their reasons) written to ids/reasons, removed from the registry. Returns
 * how many. The server closes them and runs $disconnect. */
size_t gh_connections_expire(gh_connections *c, char (*ids)[24], gh_ws_close_reason *reasons,
                             size_t max);
size_t gh_connections_count(gh_connections *c);
/* Up to max ids of open connections into ids; returns how many are open in all. */
size_t gh_connections_list(gh_connections *c, char (*ids)[24], size_t max);

#endif
