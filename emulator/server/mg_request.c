/* See mg_request.h. */
#include "server/mg_request.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "util/buf.h"
#include "util/log.h"

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

void gh_mg_build_request(struct mg_connection *conn, const struct mg_request_info *ri,
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

void gh_mg_send_response(struct mg_connection *conn, const gh_request *req,
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

