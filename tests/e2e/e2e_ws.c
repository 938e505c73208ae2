/* See e2e_ws.h. The raw client follows RFC 6455: the handshake with the RFC's sample
 * key (so the expected Sec-WebSocket-Accept is the RFC's too, no SHA-1 needed here),
 * client frames masked, server frames unmasked. */
#include "e2e_ws.h"

#include <arpa/inet.h>
#include <civetweb.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define WS_KEY "dGhlIHNhbXBsZSBub25jZQ=="
#define WS_ACCEPT "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" /* RFC 6455 §1.3 */
#define HANDSHAKE_TIMEOUT_MS 10000

typedef struct frame {
    struct frame *next;
    e2e_ws_msg m;
} frame;

struct e2e_ws {
    struct mg_connection *mg; /* civetweb's client, or */
    int fd;                   /* the raw client's socket (-1 with civetweb) */
    pthread_t reader;
    bool reader_started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    frame *head, *tail;
    bool ended; /* no frame will come any more */
    /* raw reader: bytes received and not yet parsed */
    unsigned char *in;
    size_t in_len, in_cap;
    uint32_t mask_seed;
};

static void push(e2e_ws *ws, int opcode, const char *data, size_t len)
{
    frame *f = calloc(1, sizeof *f);
    f->m.opcode = opcode;
    f->m.data = malloc(len + 1);
    if (len)
        memcpy(f->m.data, data, len);
    f->m.data[len] = '\0';
    f->m.len = len;
    pthread_mutex_lock(&ws->mu);
    if (ws->tail)
        ws->tail->next = f;
    else
        ws->head = f;
    ws->tail = f;
    pthread_cond_broadcast(&ws->cv);
    pthread_mutex_unlock(&ws->mu);
}

static void set_ended(e2e_ws *ws)
{
    pthread_mutex_lock(&ws->mu);
    ws->ended = true;
    pthread_cond_broadcast(&ws->cv);
    pthread_mutex_unlock(&ws->mu);
}

static e2e_ws *ws_new(void)
{
    e2e_ws *ws = calloc(1, sizeof *ws);
    ws->fd = -1;
    ws->mask_seed = 0x9e3779b9u;
    pthread_mutex_init(&ws->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&ws->cv, &ca);
    pthread_condattr_destroy(&ca);
    return ws;
}

/* --- civetweb's client --- */

static int mg_on_data(struct mg_connection *conn, int bits, char *data, size_t len, void *ud)
{
    (void)conn;
    e2e_ws *ws = ud;
    push(ws, bits & 0x0f, data, len);
    return 1;
}

static void mg_on_close(const struct mg_connection *conn, void *ud)
{
    (void)conn;
    set_ended(ud);
}

static pthread_once_t mg_once = PTHREAD_ONCE_INIT;
static void mg_init(void)
{
    mg_init_library(0);
}

/* --- the raw client --- */

static int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

static void in_append(e2e_ws *ws, const void *p, size_t n)
{
    if (ws->in_len + n > ws->in_cap) {
        ws->in_cap = (ws->in_len + n) * 2;
        ws->in = realloc(ws->in, ws->in_cap);
    }
    memcpy(ws->in + ws->in_len, p, n);
    ws->in_len += n;
}

/* Parses the complete server frames at the start of ws->in. */
static void parse_frames(e2e_ws *ws)
{
    size_t off = 0;
    for (;;) {
        const unsigned char *b = ws->in + off;
        size_t avail = ws->in_len - off, hdr = 2;
        if (avail < 2)
            break;
        uint64_t len = b[1] & 0x7f;
        if (len == 126) {
            hdr = 4;
            if (avail < hdr)
                break;
            len = (uint64_t)b[2] << 8 | b[3];
        } else if (len == 127) {
            hdr = 10;
            if (avail < hdr)
                break;
            len = 0;
            for (int i = 0; i < 8; i++)
                len = len << 8 | b[2 + i];
        }
        if (avail - hdr < len)
            break;
        push(ws, b[0] & 0x0f, (const char *)b + hdr, (size_t)len);
        off += hdr + (size_t)len;
    }
    memmove(ws->in, ws->in + off, ws->in_len - off);
    ws->in_len -= off;
}

static void *raw_reader(void *arg)
{
    e2e_ws *ws = arg;
    char buf[16384];
    parse_frames(ws); /* what came with the handshake's answer */
    for (;;) {
        ssize_t n = recv(ws->fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        in_append(ws, buf, (size_t)n);
        parse_frames(ws);
    }
    set_ended(ws);
    return NULL;
}

static char *find_head_end(unsigned char *p, size_t n)
{
    for (size_t i = 0; i + 3 < n; i++)
        if (memcmp(p + i, "\r\n\r\n", 4) == 0)
            return (char *)p + i;
    return NULL;
}

bool e2e_ws_answer_header(const e2e_ws_answer *ans, const char *name, char *out, size_t outsz)
{
    if (!ans->head)
        return false;
    size_t nl = strlen(name);
    for (const char *line = strstr(ans->head, "\r\n"); line; line = strstr(line, "\r\n")) {
        line += 2;
        if (strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
            const char *v = line + nl + 1;
            while (*v == ' ')
                v++;
            size_t vl = strcspn(v, "\r\n");
            if (vl >= outsz)
                vl = outsz - 1;
            memcpy(out, v, vl);
            out[vl] = '\0';
            return true;
        }
    }
    return false;
}

/* Reads until the peer closes or the deadline passes (a refusal's body). */
static int recv_some(int fd, char *buf, size_t n, int timeout_ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, timeout_ms) <= 0)
        return -1;
    ssize_t r = recv(fd, buf, n, 0);
    return r < 0 ? -1 : (int)r;
}

static e2e_ws *raw_connect(int port, const char *path, const e2e_ws_options *o,
                           e2e_ws_answer *ans)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        snprintf(ans->error, sizeof ans->error, "connect: %s", strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    char req[4096];
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Key: " WS_KEY "\r\n"
                     "Sec-WebSocket-Version: 13\r\n",
                     path, port);
    for (const char *const *h = o && o->headers ? o->headers : NULL; h && *h; h++)
        n += snprintf(req + n, sizeof req - (size_t)n, "%s\r\n", *h);
    n += snprintf(req + n, sizeof req - (size_t)n, "\r\n");
    e2e_ws *ws = ws_new();
    ws->fd = fd;
    if (write_all(fd, req, (size_t)n) != 0) {
        snprintf(ans->error, sizeof ans->error, "sending the handshake failed");
        goto fail;
    }
    char buf[8192], *end;
    while (!(end = find_head_end(ws->in, ws->in_len))) {
        int r = recv_some(fd, buf, sizeof buf, HANDSHAKE_TIMEOUT_MS);
        if (r <= 0) {
            snprintf(ans->error, sizeof ans->error, "no complete answer to the handshake");
            goto fail;
        }
        in_append(ws, buf, (size_t)r);
    }
    size_t head_len = (size_t)(end - (char *)ws->in);
    ans->head = strndup((char *)ws->in, head_len);
    size_t rest = ws->in_len - head_len - 4;
    memmove(ws->in, ws->in + head_len + 4, rest);
    ws->in_len = rest;
    if (sscanf(ans->head, "HTTP/1.%*d %d", &ans->status) != 1) {
        snprintf(ans->error, sizeof ans->error, "not an HTTP answer");
        goto fail;
    }
    if (ans->status != 101) {
        /* The refusal's body: Content-Length bytes, or up to the close. */
        char cl[32];
        long want = e2e_ws_answer_header(ans, "Content-Length", cl, sizeof cl) ? atol(cl) : -1;
        while (want < 0 || (long)ws->in_len < want) {
            int r = recv_some(fd, buf, sizeof buf, HANDSHAKE_TIMEOUT_MS);
            if (r <= 0)
                break;
            in_append(ws, buf, (size_t)r);
        }
        ans->body = strndup((char *)ws->in, ws->in_len);
        snprintf(ans->error, sizeof ans->error, "refused with %d", ans->status);
        goto fail;
    }
    char accept[64];
    if (!e2e_ws_answer_header(ans, "Sec-WebSocket-Accept", accept, sizeof accept) ||
        strcmp(accept, WS_ACCEPT) != 0) {
        snprintf(ans->error, sizeof ans->error, "101 without the right Sec-WebSocket-Accept");
        goto fail;
    }
    if (pthread_create(&ws->reader, NULL, raw_reader, ws) != 0)
        goto fail;
    ws->reader_started = true;
    return ws;
fail:
    e2e_ws_free(ws);
    return NULL;
}

e2e_ws *e2e_ws_connect(int port, const char *path, const e2e_ws_options *o, e2e_ws_answer *ans)
{
    memset(ans, 0, sizeof *ans);
    if (o && (o->raw || o->headers))
        return raw_connect(port, path, o, ans);
    pthread_once(&mg_once, mg_init);
    e2e_ws *ws = ws_new();
    ws->mg = mg_connect_websocket_client("127.0.0.1", port, 0, ans->error, sizeof ans->error,
                                         path, NULL, mg_on_data, mg_on_close, ws);
    if (!ws->mg) {
        e2e_ws_free(ws);
        return NULL;
    }
    ans->status = 101;
    return ws;
}

void e2e_ws_answer_free(e2e_ws_answer *ans)
{
    free(ans->head);
    free(ans->body);
    ans->head = ans->body = NULL;
}

int e2e_ws_send_frame(e2e_ws *ws, int opcode, bool fin, const void *data, size_t len)
{
    if (ws->fd < 0)
        return -1;
    unsigned char *f = malloc(len + 14), *p = f;
    *p++ = (unsigned char)((fin ? 0x80 : 0) | (opcode & 0x0f));
    if (len < 126) {
        *p++ = (unsigned char)(0x80 | len);
    } else if (len <= 0xffff) {
        *p++ = 0x80 | 126;
        *p++ = (unsigned char)(len >> 8);
        *p++ = (unsigned char)len;
    } else {
        *p++ = 0x80 | 127;
        for (int i = 7; i >= 0; i--)
            *p++ = (unsigned char)((uint64_t)len >> (8 * i));
    }
    /* A client must mask every frame (RFC 6455 §5.3); any key will do. */
    ws->mask_seed = ws->mask_seed * 1664525u + 1013904223u;
    unsigned char key[4] = {(unsigned char)(ws->mask_seed >> 24),
                            (unsigned char)(ws->mask_seed >> 16),
                            (unsigned char)(ws->mask_seed >> 8), (unsigned char)ws->mask_seed};
    memcpy(p, key, 4);
    p += 4;
    const unsigned char *d = data;
    for (size_t i = 0; i < len; i++)
        p[i] = d[i] ^ key[i & 3];
    int rc = write_all(ws->fd, f, (size_t)(p - f) + len);
    free(f);
    return rc;
}

int e2e_ws_send(e2e_ws *ws, int opcode, const void *data, size_t len)
{
    if (ws->mg)
        return mg_websocket_client_write(ws->mg, opcode, data, len) > 0 ? 0 : -1;
    return e2e_ws_send_frame(ws, opcode, true, data, len);
}

int e2e_ws_send_text(e2e_ws *ws, const char *text)
{
    return e2e_ws_send(ws, E2E_WS_TEXT, text, strlen(text));
}

int e2e_ws_close(e2e_ws *ws, int code, const char *reason)
{
    char payload[125];
    size_t rl = reason ? strlen(reason) : 0;
    if (rl > sizeof payload - 2)
        rl = sizeof payload - 2;
    payload[0] = (char)(code >> 8);
    payload[1] = (char)code;
    if (rl)
        memcpy(payload + 2, reason, rl);
    return e2e_ws_send(ws, E2E_WS_CLOSE, payload, rl + 2);
}

int e2e_ws_recv(e2e_ws *ws, int timeout_ms, e2e_ws_msg *out)
{
    struct timespec dl;
    clock_gettime(CLOCK_MONOTONIC, &dl);
    dl.tv_sec += timeout_ms / 1000;
    dl.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (dl.tv_nsec >= 1000000000L) {
        dl.tv_sec++;
        dl.tv_nsec -= 1000000000L;
    }
    int rc = 0;
    pthread_mutex_lock(&ws->mu);
    while (!ws->head && !ws->ended && rc == 0)
        rc = pthread_cond_timedwait(&ws->cv, &ws->mu, &dl);
    frame *f = ws->head;
    if (f) {
        ws->head = f->next;
        if (!ws->head)
            ws->tail = NULL;
    }
    bool ended = ws->ended;
    pthread_mutex_unlock(&ws->mu);
    memset(out, 0, sizeof *out);
    if (!f)
        return ended ? 1 : -1;
    *out = f->m;
    free(f);
    return 0;
}

void e2e_ws_msg_free(e2e_ws_msg *m)
{
    free(m->data);
    m->data = NULL;
}

int e2e_ws_recv_close(e2e_ws *ws, int timeout_ms, char *reason, size_t reasonsz)
{
    e2e_ws_msg m;
    if (e2e_ws_recv(ws, timeout_ms, &m) != 0)
        return -1;
    int code = -1;
    if (m.opcode == E2E_WS_CLOSE) {
        code = m.len >= 2 ? ((unsigned char)m.data[0] << 8 | (unsigned char)m.data[1]) : 1005;
        if (reason && reasonsz) {
            size_t rl = m.len > 2 ? m.len - 2 : 0;
            if (rl >= reasonsz)
                rl = reasonsz - 1;
            memcpy(reason, m.data + (m.len > 2 ? 2 : 0), rl);
            reason[rl] = '\0';
        }
    }
    e2e_ws_msg_free(&m);
    return code;
}

static void ws_release(e2e_ws *ws, bool drop)
{
    if (!ws)
        return;
    if (ws->mg)
        mg_close_connection(ws->mg); /* joins civetweb's reader thread */
    if (ws->fd >= 0) {
        /* drop: a reset, as a client whose process died; else an orderly shutdown.
         * Neither sends a close frame. */
        if (drop) {
            struct linger lg = {.l_onoff = 1, .l_linger = 0};
            setsockopt(ws->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        }
        shutdown(ws->fd, SHUT_RDWR);
    }
    if (ws->reader_started)
        pthread_join(ws->reader, NULL);
    if (ws->fd >= 0)
        close(ws->fd);
    for (frame *f = ws->head, *next; f; f = next) {
        next = f->next;
        free(f->m.data);
        free(f);
    }
    free(ws->in);
    pthread_cond_destroy(&ws->cv);
    pthread_mutex_destroy(&ws->mu);
    free(ws);
}

void e2e_ws_free(e2e_ws *ws)
{
    ws_release(ws, false);
}

void e2e_ws_drop(e2e_ws *ws)
{
    ws_release(ws, true);
}
