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
#include "sim/aws_protocol.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/jregex.h"
#include "util/log.h"

/* Debian's civetweb spends one thread per open connection, keep-alive ones included, so
 * the thread count bounds concurrent clients, not CPU use. */
#define DEFAULT_THREADS 512

struct gh_server {
    struct mg_context *ctx;
    gh_live *live;
    int port;
};

static void http_date(char out[32], int64_t ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/* Reads the body into the request arena. A declared length over the limit is not read
 * at all (the pipeline answers 413 and the connection closes, so civetweb discards the
 * rest); a chunked body is read until it passes the limit. */
static void read_body(struct mg_connection *conn, const struct mg_request_info *ri,
                      gh_request *req, int *must_close)
{
    long long declared = ri->content_length;
    if (declared == 0)
        return;
    if (declared > (long long)GH_MAX_BODY_BYTES) {
        req->body_too_large = true;
        *must_close = 1;
        return;
    }
    if (declared > 0) {
        char *body = gh_arena_alloc(req->arena, (size_t)declared + 1);
        size_t got = 0;
        int n;
        while (got < (size_t)declared &&
               (n = mg_read(conn, body + got, (size_t)declared - got)) > 0)
            got += (size_t)n;
        body[got] = '\0';
        req->body = body;
        req->body_len = got;
        return;
    }
    gh_buf b = GH_BUF_INIT;
    char chunk[16384];
    int n;
    while ((n = mg_read(conn, chunk, sizeof chunk)) > 0) {
        if (b.len + (size_t)n > GH_MAX_BODY_BYTES) {
            req->body_too_large = true;
            *must_close = 1;
            break;
        }
        gh_buf_append(&b, chunk, (size_t)n);
    }
    if (b.len && !req->body_too_large) {
        req->body = gh_arena_memdup(req->arena, b.data, b.len);
        req->body_len = b.len;
    }
    gh_buf_free(&b);
}

static void build_request(struct mg_connection *conn, const struct mg_request_info *ri,
                          gh_request *req, int *must_close)
{
    gh_arena *a = req->arena;
    req->method = gh_arena_strdup(a, ri->request_method);
    /* decode_url is off, so local_uri_raw is the path exactly as sent: AWS hands
     * path and path parameters to integrations still percent-encoded. */
    const char *uri = ri->local_uri_raw ? ri->local_uri_raw : ri->request_uri;
    req->path = gh_arena_strdup(a, uri ? uri : "/");
    req->query = ri->query_string ? gh_arena_strdup(a, ri->query_string) : NULL;
    req->protocol = gh_arena_printf(a, "HTTP/%s", ri->http_version ? ri->http_version : "1.1");
    req->source_ip = gh_arena_strdup(a, ri->remote_addr);
    req->local_port = ri->server_port;
    for (int i = 0; i < ri->num_headers; i++) {
        const char *name = gh_arena_strdup(a, ri->http_headers[i].name);
        const char *value = gh_arena_strdup(a, ri->http_headers[i].value);
        gh_headers_add(a, &req->headers, name, value);
        if (!strcasecmp(name, "Host") && !req->host) {
            char *h = gh_arena_strdup(a, value);
            char *colon = strrchr(h, ':');
            if (colon && !strchr(h, ']'))
                *colon = '\0';
            for (char *p = h; *p; p++)
                if (*p >= 'A' && *p <= 'Z')
                    *p = (char)(*p - 'A' + 'a');
            req->host = h;
        }
    }
    read_body(conn, ri, req, must_close);
}

/* A header a script made must not be able to end the head early and inject a second
 * response (CR/LF), nor carry other control bytes; a name is a token. */
static bool header_safe(const char *s, bool is_name)
{
    if (is_name && !*s)
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
            return false;
        if (is_name && (*p == ':' || *p == ' ' || *p == '\t'))
            return false;
    }
    return true;
}

static void send_response(struct mg_connection *conn, const gh_request *req,
                          const gh_response *resp, int must_close)
{
    gh_buf out = GH_BUF_INIT;
    gh_buf_reserve(&out, 512 + resp->body_len);
    char num[32];
    int status = resp->status >= 100 && resp->status <= 999 ? resp->status : 500;
    snprintf(num, sizeof num, "%d ", status);
    gh_buf_puts(&out, "HTTP/1.1 ");
    gh_buf_puts(&out, num);
    gh_buf_puts(&out, gh_http_reason(status));
    gh_buf_puts(&out, "\r\nDate: ");
    char date[32];
    http_date(date, req->time_ms);
    gh_buf_puts(&out, date);
    gh_buf_puts(&out, "\r\n");
    for (size_t i = 0; i < resp->headers.n; i++) {
        const gh_header *h = &resp->headers.items[i];
        /* We frame the body ourselves; a Content-Length or Transfer-Encoding from an
         * integration would contradict it (the pipeline remaps those already). */
        if (!strcasecmp(h->name, "Content-Length") || !strcasecmp(h->name, "Transfer-Encoding"))
            continue;
        if (!header_safe(h->name, true) || !header_safe(h->value, false)) {
            gh_log(GH_LOG_WARN, "dropped response header '%s': it holds a line break or "
                   "control character (request %s)", h->name, req->request_id);
            continue;
        }
        gh_buf_puts(&out, h->name);
        gh_buf_puts(&out, ": ");
        gh_buf_puts(&out, h->value);
        gh_buf_puts(&out, "\r\n");
    }
    snprintf(num, sizeof num, "%zu", resp->body_len);
    gh_buf_puts(&out, "Content-Length: ");
    gh_buf_puts(&out, num);
    gh_buf_puts(&out, "\r\n");
    gh_buf_puts(&out, must_close ? "Connection: close\r\n\r\n" : "Connection: keep-alive\r\n\r\n");
    /* A HEAD answer carries the length of the body it does not send. */
    if (strcmp(req->method, "HEAD") != 0 && resp->body_len)
        gh_buf_append(&out, resp->body, resp->body_len);
    /* One write for head and body: measured ~25% more requests per second than
     * separate writes, which cost an extra segment and syscall per response. */
    mg_write(conn, out.data, out.len);
    gh_buf_free(&out);
}

static int on_request(struct mg_connection *conn, void *cbdata)
{
    gh_server *s = cbdata;
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
    int must_close = 0;
    build_request(conn, ri, &req, &must_close);
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
    else if (gh_aws_protocol_claims(&req))
        gh_aws_protocol_handle(rt->sim, &req, &resp);
    else
        gh_pipeline_handle(rt, &req, &resp);
    /* Hold the runtime until the response is written: its headers and body may point
     * into the model (gateway-response overrides, mock templates), and a --watch reload
     * during this request frees the old model on its last release. */
    send_response(conn, &req, &resp, must_close);
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
    char ports[300], threads[32];
    snprintf(ports, sizeof ports, "%s:%d", opt->host ? opt->host : "127.0.0.1", opt->port);
    snprintf(threads, sizeof threads, "%zu", opt->threads ? opt->threads : DEFAULT_THREADS);
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
        free(s);
        return NULL;
    }
    mg_set_request_handler(s->ctx, "/", on_request, s);
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
    mg_stop(s->ctx);
    free(s);
}
