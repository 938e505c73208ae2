#include "server/server.h"

#include <civetweb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "gateway/pipeline.h"
#include "integration/backend.h"
#include "server/admin.h"
#include "server/mg_request.h"
#include "script/module.h"
#include "sim/aws_protocol.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/jregex.h"
#include "util/log.h"
#include "websocket/ws_mgmt.h"
#include "websocket/ws_server.h"

/* Debian's civetweb spends one thread per open connection, keep-alive ones included, so
 * the thread count bounds concurrent clients, not CPU use. */
#define DEFAULT_THREADS 512
/* A WebSocket connection holds its worker for its whole life, so a definition with a
 * WebSocket API gets more (each costs ~25 KB and ~0.1 ms of start-up: bench/README.md). */
#define DEFAULT_WS_THREADS 1024

/* Workers WebSocket connections never take, so REST, @connections, the AWS endpoints and
 * the admin API always find one however many clients sit connected. */
static size_t http_reserve(size_t threads)
{
    return threads >= 256 ? 128 : threads / 2;
}

static bool has_websocket(gh_live *live)
{
    const gh_runtime *rt = gh_live_acquire(live);
    bool ws = false;
    for (size_t i = 0; i < rt->model->napis && !ws; i++)
        ws = rt->model->apis[i].websocket != NULL;
    gh_live_release(live, rt);
    return ws;
}

struct gh_server {
    struct mg_context *ctx;
    gh_live *live;
    gh_ws_server *ws; /* WebSocket APIs: upgrades, connections, @connections */
    bool check_signatures;
    int port;
};

/* force_close: an upgrade request answered over HTTP (no WebSocket API claimed it). */
static int serve_http(struct mg_connection *conn, gh_server *s, bool force_close)
{
    const struct mg_request_info *ri = mg_get_request_info(conn);
    /* Each worker thread keeps one arena (see on_thread_start) and resets it per
     * request: that saves a 16 KB malloc/free pair, and glibc's consolidation of its
     * free lists, on every request. */
    gh_arena *arena = mg_get_thread_pointer(conn);
    bool own = !arena; /* a thread civetweb did not announce: a throwaway arena */
    if (own)
        arena = gh_arena_new(16 * 1024);
    gh_request req = {.arena = arena};
    gh_request_stamp(&req);
    int must_close = force_close;
    gh_mg_build_request(conn, ri, &req, &must_close);
    if (gh_headers_get(&req.headers, "Connection") &&
        !strcasecmp(gh_headers_get(&req.headers, "Connection"), "close"))
        must_close = 1;

    gh_response resp = {0};
    const gh_runtime *rt = gh_live_acquire(s->live);
    /* Claims before the REST pipeline: the admin API owns /_gatehouse/ (server/admin.h);
     * AWS clients pointed at this port (--endpoint-url) reach the simulated SQS, SNS and
     * Lambda. APIs live under /{stage}/, so none of them claims an API's request. */
    if (gh_admin_claims(&req))
        gh_admin_handle(rt->sim, &req, &resp);
    else if (gh_ws_mgmt_claims(rt, &req))
        gh_ws_mgmt_handle(gh_ws_server_hub(s->ws), rt, s->check_signatures, &req, &resp);
    else if (gh_aws_protocol_claims(&req))
        gh_aws_protocol_handle(rt->sim, &req, &resp);
    else
        gh_pipeline_handle(rt, &req, &resp);
    /* Hold the runtime until the response is written: its headers and body may point
     * into the model (gateway-response overrides, mock templates), and a --watch reload
     * during this request frees the old model on its last release. */
    gh_mg_send_response(conn, &req, &resp, must_close);
    gh_live_release(s->live, rt);
    if (!gh_log_quiet()) {
        double ms = (double)(gh_clock_mono_ns() - req.start_ns) / 1e6;
        gh_log_access("%s %s %d %.2fms %s", req.method, req.path, resp.status, ms,
                      req.request_id);
    }
    if (own)
        gh_arena_free(arena);
    else
        gh_arena_reset(arena);
    return resp.status ? resp.status : 500;
}

static int on_request(struct mg_connection *conn, void *cbdata)
{
    return serve_http(conn, cbdata, false);
}

static void http_fallback(struct mg_connection *conn, void *ud)
{
    serve_http(conn, ud, true);
}

static void *on_thread_start(const struct mg_context *ctx, int thread_type)
{
    (void)ctx;
    return thread_type == 1 ? gh_arena_new(16 * 1024) : NULL; /* 1: a worker thread */
}

static void on_thread_exit(const struct mg_context *ctx, int thread_type, void *ptr)
{
    (void)ctx;
    (void)thread_type;
    gh_arena_free(ptr);
    gh_jregex_thread_cleanup(); /* the thread's compiled regexes (templates) */
    gh_backend_live_thread_cleanup(); /* its connection to HTTP backends */
}

static int on_log(const struct mg_connection *conn, const char *message)
{
    (void)conn;
    gh_log(GH_LOG_DEBUG, "civetweb: %s", message);
    return 1;
}

gh_server *gh_server_start(gh_live *live, const gh_server_options *opt, char *err, size_t errlen)
{
    gh_server *s = calloc(1, sizeof *s);
    if (!s)
        abort();
    s->live = live;
    s->check_signatures = opt->check_signatures;
    s->ws = gh_ws_server_new(live, http_fallback, s);
    if (!s->ws)
        abort();
    /* gatehouse.connections in Lua reaches the same connections. */
    gh_module_set_ws(gh_ws_server_hub(s->ws));
    size_t nthreads = opt->threads ? opt->threads
                                   : has_websocket(live) ? DEFAULT_WS_THREADS : DEFAULT_THREADS;
    gh_ws_server_set_capacity(s->ws, nthreads - http_reserve(nthreads));
    char ports[300], threads[32];
    snprintf(ports, sizeof ports, "%s:%d", opt->host ? opt->host : "127.0.0.1", opt->port);
    snprintf(threads, sizeof threads, "%zu", nthreads);
    const char *options[] = {
        "listening_ports", ports,
        "num_threads", threads,
        "enable_keep_alive", "yes",
        "keep_alive_timeout_ms", "60000",
        "request_timeout_ms", "60000",
        "decode_url", "no",
        "tcp_nodelay", "1",
        "listen_backlog", "1024",
        "connection_queue", "1024",
        /* civetweb answers CORS preflights itself by default; the API's own OPTIONS
         * methods (usually mocks) must answer them, as on AWS. */
        "access_control_allow_origin", "",
        "access_control_allow_methods", "",
        "access_control_allow_headers", "",
        NULL,
    };
    struct mg_callbacks cb;
    memset(&cb, 0, sizeof cb);
    cb.log_message = on_log;
    cb.init_thread = on_thread_start;
    cb.exit_thread = on_thread_exit;
    struct mg_init_data init = {.callbacks = &cb, .user_data = s, .configuration_options = options};
    struct mg_error_data ed;
    char edbuf[256] = "";
    memset(&ed, 0, sizeof ed);
    ed.text = edbuf;
    ed.text_buffer_size = sizeof edbuf;
    s->ctx = mg_start2(&init, &ed);
    if (!s->ctx) {
        snprintf(err, errlen, "cannot listen on %s: %s", ports, edbuf[0] ? edbuf : "unknown error");
        gh_module_set_ws(NULL);
        gh_ws_server_free(s->ws);
        free(s);
        return NULL;
    }
    mg_set_request_handler(s->ctx, "/", on_request, s);
    /* Upgrade requests on any path reach this handler, every other request the one
     * above (civetweb picks by the request's kind); ws_server.c answers upgrades no
     * WebSocket API claims through http_fallback, as REST would. */
    gh_ws_server_install(s->ws, s->ctx);
    struct mg_server_port sp[4];
    int n = mg_get_server_ports(s->ctx, 4, sp);
    s->port = n > 0 ? sp[0].port : opt->port;
    return s;
}

int gh_server_port(const gh_server *s)
{
    return s->port;
}

void gh_server_stop(gh_server *s)
{
    if (!s)
        return;
    /* Every connection gets 1001 first, so its $disconnect reports it; mg_stop then
     * ends their threads, each running its $disconnect before civetweb joins it. */
    gh_ws_server_close_all(s->ws);
    mg_stop(s->ctx);
    gh_module_set_ws(NULL);
    gh_ws_server_free(s->ws);
    free(s);
}
