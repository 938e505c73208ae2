/* See ws_server.h. What Debian's civetweb 1.15 does around these handlers, checked
 * against the library itself (a probe server and client, and its disassembly):
 *  - an Upgrade request on "/" reaches the WebSocket handler, a plain request the HTTP
 *    handler registered on the same "/";
 *  - acceptedWebSocketSubprotocol is set (to the last name the client offered) BEFORE
 *    the connect handler runs, and the 101 carries Sec-WebSocket-Protocol exactly when
 *    it is non-NULL afterwards; we overwrite it with what $connect answered (AWS's rule);
 *  - a connect handler returning non-zero gets no 101 and no close handler; what it
 *    wrote is the answer, then civetweb closes the socket (the upgrade asked for
 *    Connection: Upgrade, not keep-alive);
 *  - the data handler gets every frame separately (bits = FIN | opcode), continuations
 *    included, pings too: civetweb answers no ping itself, so we do;
 *  - a close frame from the client ends the read loop whatever the handler returns,
 *    and civetweb sends no close frame back, so we echo it;
 *  - websocket_timeout_ms does not close an idle connection (a 1 s value kept one
 *    open for 6 s), so it cannot cut connections before our idle timeout;
 *  - mg_websocket_write takes the connection's lock around its writes, so a reply from
 *    the connection's thread cannot interleave with a hub writer's frame. */
#include "websocket/ws_server.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "script/module.h"
#include "server/mg_request.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/log.h"
#include "websocket/peer_socket.h"
#include "websocket/ws_dispatch.h"
#include "websocket/ws_route_run.h"

/* AWS's limits (reference §9.4): a frame over 32 KB or a message over 128 KB closes the
 * connection with 1009 (message too big). */
#define WS_MAX_FRAME_BYTES (32 * 1024)
#define WS_CLOSE_TOO_BIG 1009
#define WS_CLOSE_ABNORMAL 1006 /* no close frame: the socket dropped */
/* How long a client has to answer our close frame (idle, lifetime, DeleteConnection,
 * stop) before we drop its socket, as API Gateway does not keep such a client. */
#define WS_CLOSE_GRACE_MS 2000

typedef struct ws_conn ws_conn;

struct gh_ws_server {
    gh_live *live;
    /* Connections open or in their handshake, and the most that may be: each holds a
     * civetweb worker for its whole life, and HTTP requests need some left. */
    atomic_size_t open;
    size_t capacity;
    atomic_bool warned_full;
    /* Connections we sent a close frame, waiting for the client's (under mu). */
    ws_conn *closing;
    gh_ws_hub *hub;
    gh_ws_http_fallback fallback;
    void *fallback_ud;
    pthread_t sweeper;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
};

/* One accepted connection (civetweb's user connection data), from the connect handler
 * to the close handler. */
struct ws_conn {
    gh_ws_server *srv;
    /* The socket's two ends, to drop it when the client ignores our close. */
    char remote_addr[48];
    int remote_port, local_port;
    /* On srv->closing since our close frame went out (srv->mu). */
    bool closing_listed;
    int64_t drop_at_ms;
    ws_conn *closing_next;
    gh_arena *arena; /* the session's strings */
    gh_ws_session s;
    int64_t idle_timeout_ms;
    bool registered;
    /* The first close wins (ours or the client's): $disconnect reports it. */
    pthread_mutex_t mu;
    int close_code;
    char close_reason[128];
    /* The message being reassembled from fragments. */
    gh_buf msg;
    bool in_msg, msg_binary;
};

static void note_close(ws_conn *wc, int code, const char *reason, size_t reason_len)
{
    pthread_mutex_lock(&wc->mu);
    if (!wc->close_code) {
        wc->close_code = code;
        if (reason_len >= sizeof wc->close_reason)
            reason_len = sizeof wc->close_reason - 1;
        memcpy(wc->close_reason, reason, reason_len);
        wc->close_reason[reason_len] = '\0';
    }
    pthread_mutex_unlock(&wc->mu);
}

static int write_close(struct mg_connection *conn, int code, const char *reason)
{
    char frame[125];
    size_t rl = strlen(reason);
    if (rl > sizeof frame - 2)
        rl = sizeof frame - 2;
    frame[0] = (char)((code >> 8) & 0xff);
    frame[1] = (char)(code & 0xff);
    memcpy(frame + 2, reason, rl);
    return mg_websocket_write(conn, MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE, frame, rl + 2);
}

/* The hub's transport: owner is the civetweb connection (kept valid by the hub). */
static int transport_send(void *ud, void *owner, const void *data, size_t len, bool binary)
{
    (void)ud;
    int op = binary ? MG_WEBSOCKET_OPCODE_BINARY : MG_WEBSOCKET_OPCODE_TEXT;
    return mg_websocket_write(owner, op, data, len) > 0 ? 0 : -1;
}

static void transport_close(void *ud, void *owner, int code, const char *reason)
{
    gh_ws_server *ws = ud;
    ws_conn *wc = mg_get_user_connection_data(owner);
    if (wc)
        note_close(wc, code, reason, strlen(reason));
    /* The client answers with its close frame, which ends the read loop; one that does
     * not has its socket dropped by the sweeper after the grace period. The hub calls
     * this from the connection's writer, which on_close waits for before unlisting. */
    write_close(owner, code, reason);
    if (!wc)
        return;
    pthread_mutex_lock(&ws->mu);
    if (!wc->closing_listed) {
        wc->closing_listed = true;
        wc->drop_at_ms = gh_clock_mono_ms() + WS_CLOSE_GRACE_MS;
        wc->closing_next = ws->closing;
        ws->closing = wc;
    }
    pthread_mutex_unlock(&ws->mu);
}

/* With ws->mu held: drops the sockets of clients that left our close frame unanswered
 * past the grace period. Their on_close waits for ws->mu to unlist them, and civetweb
 * closes a socket only after on_close returns, so each descriptor found is still its
 * connection's. */
static void drop_unanswered(gh_ws_server *ws)
{
    int64_t now = gh_clock_mono_ms();
    for (ws_conn **pp = &ws->closing; *pp;) {
        ws_conn *wc = *pp;
        if (wc->drop_at_ms > now) {
            pp = &wc->closing_next;
            continue;
        }
        if (gh_peer_socket_shutdown(wc->remote_addr, wc->remote_port, wc->local_port) == 0)
            gh_log(GH_LOG_DEBUG, "websocket: %s did not answer the close frame within %d ms; "
                   "dropped", wc->s.connection_id, WS_CLOSE_GRACE_MS);
        *pp = wc->closing_next;
        wc->closing_listed = false;
    }
}

static void ws_conn_free(ws_conn *wc)
{
    gh_buf_free(&wc->msg);
    gh_arena_free(wc->arena);
    pthread_mutex_destroy(&wc->mu);
    free(wc);
}

static gh_arena *thread_arena(const struct mg_connection *conn, bool *own)
{
    gh_arena *a = mg_get_thread_pointer(conn);
    *own = !a;
    return a ? a : gh_arena_new(16 * 1024);
}

static void done_arena(gh_arena *a, bool own)
{
    if (own)
        gh_arena_free(a);
    else
        gh_arena_reset(a);
}

/* Writes $connect's refusal as a whole HTTP response and closes. */
static void refuse(struct mg_connection *conn, gh_request *req, const gh_ws_connect_result *r)
{
    gh_response resp = {.status = r->refuse_status, .headers = r->headers,
                        .body = r->body, .body_len = r->body_len};
    gh_mg_send_response(conn, req, &resp, 1);
}

static const char *copy(gh_arena *a, const char *s)
{
    return gh_arena_strdup(a, s ? s : "");
}

static int on_connect(const struct mg_connection *cconn, void *cbdata)
{
    gh_ws_server *ws = cbdata;
    /* civetweb hands the handler its own mutable connection as const: reading the
     * request and writing a refusal need the plain pointer. */
    struct mg_connection *conn = (struct mg_connection *)cconn;
    const struct mg_request_info *ri = mg_get_request_info(conn);
    bool own;
    gh_arena *a = thread_arena(conn, &own);
    gh_request req = {.arena = a};
    gh_request_stamp(&req);
    int must_close = 0;
    gh_mg_build_request(conn, ri, &req, &must_close);

    const gh_runtime *rt = gh_live_acquire(ws->live);
    const gh_stage *stage = NULL;
    const gh_api *api = gh_ws_resolve(rt, &req, &stage);
    if (!api || !stage) {
        gh_live_release(ws->live, rt);
        done_arena(a, own);
        ws->fallback(conn, ws->fallback_ud);
        return 1;
    }
    if (atomic_fetch_add(&ws->open, 1) >= ws->capacity) {
        atomic_fetch_sub(&ws->open, 1);
        if (!atomic_exchange(&ws->warned_full, true))
            gh_log(GH_LOG_WARN, "websocket: %zu connections open, all this server's worker "
                   "threads can hold while keeping some for HTTP requests; new connections "
                   "get 429 until some close: raise --threads (docs/websocket.md, "
                   "\"Connections, limits and scale\")", ws->capacity);
        gh_ws_connect_result full = {.refuse_status = 429,
                                     .body = "{\"message\":\"Too Many Requests\"}"};
        full.body_len = strlen(full.body);
        gh_headers_add(a, &full.headers, "Content-Type", "application/json");
        refuse(conn, &req, &full);
        gh_live_release(ws->live, rt);
        done_arena(a, own);
        return 1;
    }
    ws_conn *wc = calloc(1, sizeof *wc);
    gh_arena *sa = wc ? gh_arena_new(1024) : NULL;
    if (!wc || !sa) {
        atomic_fetch_sub(&ws->open, 1);
        free(wc);
        gh_live_release(ws->live, rt);
        done_arena(a, own);
        mg_send_http_error(conn, 500, "%s", "out of memory");
        return 1;
    }
    wc->srv = ws;
    wc->arena = sa;
    snprintf(wc->remote_addr, sizeof wc->remote_addr, "%s", ri->remote_addr);
    wc->remote_port = ri->remote_port;
    wc->local_port = ri->server_port;
    pthread_mutex_init(&wc->mu, NULL);
    gh_ws_hub_new_id(ws->hub, wc->s.connection_id);
    wc->s.api_id = copy(sa, api->id);
    wc->s.stage = copy(sa, stage->name);
    wc->s.domain_name = copy(sa, req.host);
    wc->s.source_ip = copy(sa, req.source_ip);
    wc->s.user_agent = copy(sa, gh_headers_get(&req.headers, "User-Agent"));
    wc->s.connected_at_ms = gh_clock_now_ms();
    wc->idle_timeout_ms = api->websocket ? api->websocket->idle_timeout_ms : 0;

    gh_ws_connect_result res = {0};
    gh_ws_connect(rt, &req, &wc->s, &res);
    if (res.refuse_status) {
        refuse(conn, &req, &res);
        gh_live_release(ws->live, rt);
        done_arena(a, own);
        ws_conn_free(wc); /* no close handler follows a refused upgrade */
        atomic_fetch_sub(&ws->open, 1);
        return 1;
    }
    if (res.authorizer_json) {
        wc->s.authorizer_json = copy(sa, res.authorizer_json);
        wc->s.authorizer = gh_ws_authorizer_value(sa, wc->s.authorizer_json);
    }
    /* AWS answers Sec-WebSocket-Protocol only when the $connect integration returned
     * one; civetweb would otherwise echo the client's offer. The string must live until
     * civetweb writes the 101, right after we return: the session arena outlives it. */
    const char *proto = gh_headers_get(&res.headers, "Sec-WebSocket-Protocol");
    ((struct mg_request_info *)ri)->acceptedWebSocketSubprotocol =
        proto ? gh_arena_strdup(sa, proto) : NULL;
    mg_set_user_connection_data(conn, wc);
    gh_live_release(ws->live, rt);
    done_arena(a, own);
    return 0;
}

/* After the 101 went out: only now may anyone post to the connection (a frame written
 * before the handshake would corrupt it). */
static void on_ready(struct mg_connection *conn, void *cbdata)
{
    gh_ws_server *ws = cbdata;
    ws_conn *wc = mg_get_user_connection_data(conn);
    if (!wc)
        return;
    gh_ws_conn_info info;
    if (gh_ws_hub_add_id(ws->hub, wc->s.connection_id, conn, wc->s.stage, wc->s.source_ip,
                         wc->s.user_agent, wc->idle_timeout_ms, &info) == 0)
        wc->registered = true;
    else
        gh_log(GH_LOG_WARN, "websocket: connection %s could not be registered",
               wc->s.connection_id);
}

static int close_too_big(struct mg_connection *conn, ws_conn *wc)
{
    note_close(wc, WS_CLOSE_TOO_BIG, "", 0);
    write_close(conn, WS_CLOSE_TOO_BIG, "");
    return 0;
}

static void dispatch(struct mg_connection *conn, ws_conn *wc)
{
    gh_ws_server *ws = wc->srv;
    bool own;
    gh_arena *a = thread_arena(conn, &own);
    const gh_runtime *rt = gh_live_acquire(ws->live);
    gh_ws_reply reply = {0};
    /* The message and its reply each reset the idle timer. A touch takes the hub's lock
     * and a lookup, so the reply's is skipped when both clocks still read what the
     * message's touch (made after these reads) wrote: it would store the same times. */
    int64_t in_ms = gh_clock_now_ms(), in_mono = gh_clock_mono_ms();
    gh_ws_hub_touch(ws->hub, wc->s.connection_id);
    gh_ws_message(rt, &wc->s, a, wc->msg.data ? wc->msg.data : "", wc->msg.len,
                  wc->msg_binary, &reply);
    if (reply.data) {
        int op = reply.binary ? MG_WEBSOCKET_OPCODE_BINARY : MG_WEBSOCKET_OPCODE_TEXT;
        if (mg_websocket_write(conn, op, reply.data, reply.len) > 0 &&
            (gh_clock_now_ms() != in_ms || gh_clock_mono_ms() != in_mono))
            gh_ws_hub_touch(ws->hub, wc->s.connection_id);
    }
    /* The reply may point into the model: release after writing it. */
    gh_live_release(ws->live, rt);
    done_arena(a, own);
    wc->msg.len = 0;
    wc->in_msg = false;
}

static int on_data(struct mg_connection *conn, int bits, char *data, size_t len, void *cbdata)
{
    (void)cbdata;
    ws_conn *wc = mg_get_user_connection_data(conn);
    if (!wc)
        return 0;
    int op = bits & 0x0f;
    bool fin = (bits & 0x80) != 0;
    switch (op) {
    case MG_WEBSOCKET_OPCODE_PING:
        mg_websocket_write(conn, MG_WEBSOCKET_OPCODE_PONG, data, len);
        return 1;
    case MG_WEBSOCKET_OPCODE_PONG:
        return 1;
    case MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE: {
        /* RFC 6455 §5.5.1: no code in the frame reads as 1005 (no status received). */
        int code = len >= 2 ? ((unsigned char)data[0] << 8 | (unsigned char)data[1]) : 1005;
        note_close(wc, code, len > 2 ? data + 2 : "", len > 2 ? len - 2 : 0);
        /* Echo the close (civetweb does not): the code only, as most servers do. */
        mg_websocket_write(conn, MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE, data, len >= 2 ? 2 : 0);
        return 0;
    }
    case MG_WEBSOCKET_OPCODE_TEXT:
    case MG_WEBSOCKET_OPCODE_BINARY:
    case MG_WEBSOCKET_OPCODE_CONTINUATION:
        break;
    default:
        return 1; /* reserved opcodes: ignored */
    }
    if (len > WS_MAX_FRAME_BYTES)
        return close_too_big(conn, wc);
    if (op == MG_WEBSOCKET_OPCODE_CONTINUATION) {
        if (!wc->in_msg)
            return 1; /* a continuation of nothing: dropped */
    } else {
        wc->msg.len = 0;
        wc->in_msg = true;
        wc->msg_binary = op == MG_WEBSOCKET_OPCODE_BINARY;
    }
    if (wc->msg.len + len > GH_WS_MAX_MESSAGE_BYTES)
        return close_too_big(conn, wc);
    gh_buf_append(&wc->msg, data, len);
    if (fin)
        dispatch(conn, wc);
    return 1;
}

static void on_close(const struct mg_connection *conn, void *cbdata)
{
    gh_ws_server *ws = cbdata;
    ws_conn *wc = mg_get_user_connection_data(conn);
    if (!wc)
        return;
    mg_set_user_connection_data(conn, NULL);
    if (wc->registered)
        gh_ws_hub_remove(ws->hub, wc->s.connection_id); /* no writer runs after this */
    pthread_mutex_lock(&ws->mu);
    for (ws_conn **pp = &ws->closing; wc->closing_listed && *pp; pp = &(*pp)->closing_next)
        if (*pp == wc) {
            *pp = wc->closing_next;
            wc->closing_listed = false;
            break;
        }
    pthread_mutex_unlock(&ws->mu);
    pthread_mutex_lock(&wc->mu);
    if (!wc->close_code)
        wc->close_code = WS_CLOSE_ABNORMAL;
    pthread_mutex_unlock(&wc->mu);
    bool own;
    gh_arena *a = thread_arena(conn, &own);
    const gh_runtime *rt = gh_live_acquire(ws->live);
    gh_ws_disconnect(rt, &wc->s, a, wc->close_code, wc->close_reason);
    gh_live_release(ws->live, rt);
    done_arena(a, own);
    ws_conn_free(wc);
    atomic_fetch_sub(&ws->open, 1);
}

static void *sweeper_main(void *arg)
{
    gh_ws_server *ws = arg;
    pthread_mutex_lock(&ws->mu);
    while (!ws->stop) {
        struct timespec dl;
        clock_gettime(CLOCK_REALTIME, &dl);
        dl.tv_sec += 1;
        pthread_cond_timedwait(&ws->cv, &ws->mu, &dl);
        if (ws->stop)
            break;
        pthread_mutex_unlock(&ws->mu);
        gh_ws_hub_sweep(ws->hub);
        pthread_mutex_lock(&ws->mu);
        drop_unanswered(ws);
    }
    pthread_mutex_unlock(&ws->mu);
    return NULL;
}

gh_ws_server *gh_ws_server_new(gh_live *live, gh_ws_http_fallback fallback, void *ud)
{
    gh_ws_server *ws = calloc(1, sizeof *ws);
    if (!ws)
        return NULL;
    ws->live = live;
    ws->capacity = SIZE_MAX;
    ws->fallback = fallback;
    ws->fallback_ud = ud;
    gh_ws_transport t = {.send = transport_send, .close = transport_close, .ud = ws};
    ws->hub = gh_ws_hub_new(&t);
    if (!ws->hub) {
        free(ws);
        return NULL;
    }
    pthread_mutex_init(&ws->mu, NULL);
    pthread_cond_init(&ws->cv, NULL);
    if (pthread_create(&ws->sweeper, NULL, sweeper_main, ws) != 0) {
        gh_ws_hub_free(ws->hub);
        pthread_cond_destroy(&ws->cv);
        pthread_mutex_destroy(&ws->mu);
        free(ws);
        return NULL;
    }
    return ws;
}

void gh_ws_server_set_capacity(gh_ws_server *ws, size_t max_connections)
{
    ws->capacity = max_connections;
}

void gh_ws_server_install(gh_ws_server *ws, struct mg_context *ctx)
{
    mg_set_websocket_handler(ctx, "/", on_connect, on_ready, on_data, on_close, ws);
}

gh_ws_hub *gh_ws_server_hub(gh_ws_server *ws)
{
    return ws->hub;
}

void gh_ws_server_close_all(gh_ws_server *ws)
{
    char ids[256][24];
    size_t n;
    /* Closed connections leave the list at once, so each round sees new ones. */
    while ((n = gh_ws_hub_list(ws->hub, ids, 256)) > 0) {
        size_t k = n < 256 ? n : 256;
        for (size_t i = 0; i < k; i++)
            gh_ws_hub_close(ws->hub, ids[i], 1001, "Going away");
    }
    /* The closes are written by the hub's writers: let them finish before civetweb
     * shuts the sockets, or a client sees its connection drop with no close frame (and
     * $disconnect reports 1006). Bounded: a client that does not read may stall its
     * writer until civetweb's send timeout. */
    if (!gh_ws_hub_flush(ws->hub, 2000))
        gh_log(GH_LOG_WARN, "websocket: close frames still being written at shutdown");
}

void gh_ws_server_free(gh_ws_server *ws)
{
    if (!ws)
        return;
    pthread_mutex_lock(&ws->mu);
    ws->stop = true;
    pthread_cond_broadcast(&ws->cv);
    pthread_mutex_unlock(&ws->mu);
    pthread_join(ws->sweeper, NULL);
    gh_ws_hub_free(ws->hub);
    pthread_cond_destroy(&ws->cv);
    pthread_mutex_destroy(&ws->mu);
    free(ws);
}
