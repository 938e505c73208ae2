/* End to end: hundreds of keep-alive connections at once (issue 3, item 5). civetweb
 * spends a thread on every open connection, so a server sized by cores would leave most
 * of these waiting; the total rate would still look fine, which is why this test counts
 * answers per connection. 300 plain sockets, all kept open until the end, 3 requests on
 * each, driven by one poll loop and bounded by a deadline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "e2e.h"

#define NCONN 300
#define NREQ 3
#define DEADLINE_MS 15000

static const char HEALTH_BODY[] = "{\"status\": \"ok\", \"service\": \"petstore\"}";

typedef enum { C_CONNECTING, C_SENDING, C_RECEIVING, C_DONE, C_FAILED } conn_state;

typedef struct conn {
    int fd;
    conn_state st;
    int answered;          /* complete 200 responses with the expected body */
    char req[256];
    size_t req_len, sent;
    char in[8192];
    size_t in_len;
    char why[128];         /* first failure, for the report */
} conn;

static e2e_server *srv;

static int setup(void **state)
{
    (void)state;
    /* 300 sockets here and 300 accepted ones in the child: make room under the limit. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 4096) {
        rl.rlim_cur = rl.rlim_max < 4096 ? rl.rlim_max : 4096;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    const char *const args[] = {"examples/petstore/api.yaml", "--quiet", NULL};
    srv = e2e_start(args);
    return srv ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    e2e_kill(srv);
    srv = NULL;
    return 0;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void conn_fail(conn *c, const char *why)
{
    if (c->st != C_FAILED)
        snprintf(c->why, sizeof c->why, "%s (after %d answers)", why, c->answered);
    c->st = C_FAILED;
}

/* Value of a header inside a raw header block, NULL if absent (copied into out). */
static const char *raw_header(const char *head, size_t len, const char *name, char *out,
                              size_t outsz)
{
    size_t nlen = strlen(name);
    const char *p = head, *end = head + len;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        if ((size_t)(eol - p) > nlen && strncasecmp(p, name, nlen) == 0 && p[nlen] == ':') {
            const char *v = p + nlen + 1;
            while (v < eol && (*v == ' ' || *v == '\t'))
                v++;
            const char *ve = eol;
            while (ve > v && (ve[-1] == '\r' || ve[-1] == ' '))
                ve--;
            snprintf(out, outsz, "%.*s", (int)(ve - v), v);
            return out;
        }
        p = eol + 1;
    }
    return NULL;
}

/* Consumes one complete response from c->in if there is one. Returns 1 when one was
 * consumed, 0 when more bytes are needed, -1 on a bad response (c marked failed). */
static int take_response(conn *c)
{
    char *hend = memmem(c->in, c->in_len, "\r\n\r\n", 4);
    if (!hend)
    {
        if (c->in_len < sizeof c->in)
            return 0;
        conn_fail(c, "header block too large");
        return -1;
    }
    size_t hlen = (size_t)(hend - c->in) + 4;
    if (c->in_len < 12 || strncmp(c->in, "HTTP/1.1 ", 9) != 0) {
        conn_fail(c, "not an HTTP/1.1 status line");
        return -1;
    }
    int status = atoi(c->in + 9);
    char v[64];
    if (raw_header(c->in, hlen, "Transfer-Encoding", v, sizeof v)) {
        conn_fail(c, "chunked response (expected Content-Length)");
        return -1;
    }
    if (!raw_header(c->in, hlen, "Content-Length", v, sizeof v)) {
        conn_fail(c, "no Content-Length");
        return -1;
    }
    size_t blen = (size_t)strtoul(v, NULL, 10);
    if (c->in_len < hlen + blen)
        return 0;
    if (status != 200) {
        conn_fail(c, "status not 200");
        return -1;
    }
    if (blen != strlen(HEALTH_BODY) || memcmp(c->in + hlen, HEALTH_BODY, blen) != 0) {
        conn_fail(c, "unexpected body");
        return -1;
    }
    if (raw_header(c->in, hlen, "Connection", v, sizeof v) && strcasecmp(v, "close") == 0 &&
        c->answered + 1 < NREQ) {
        conn_fail(c, "server closed a keep-alive connection");
        return -1;
    }
    memmove(c->in, c->in + hlen + blen, c->in_len - hlen - blen);
    c->in_len -= hlen + blen;
    c->answered++;
    return 1;
}

static void open_conn(conn *c, int port)
{
    memset(c, 0, sizeof *c);
    c->req_len = (size_t)snprintf(c->req, sizeof c->req,
                                  "GET /dev/health HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                                  "User-Agent: gatehouse-e2e-keepalive\r\n\r\n",
                                  port);
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) {
        conn_fail(c, "socket() failed");
        return;
    }
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(c->fd, (struct sockaddr *)&a, sizeof a) == 0)
        c->st = C_SENDING;
    else if (errno == EINPROGRESS)
        c->st = C_CONNECTING;
    else
        conn_fail(c, "connect() failed");
}

static void step(conn *c, short revents)
{
    if (c->st == C_CONNECTING) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err) {
            conn_fail(c, "connect failed");
            return;
        }
        c->st = C_SENDING;
    }
    if (c->st == C_SENDING && (revents & POLLOUT)) {
        ssize_t w = send(c->fd, c->req + c->sent, c->req_len - c->sent, MSG_NOSIGNAL);
        if (w < 0 && errno != EAGAIN && errno != EINTR) {
            conn_fail(c, "send failed");
            return;
        }
        if (w > 0)
            c->sent += (size_t)w;
        if (c->sent == c->req_len)
            c->st = C_RECEIVING;
        return;
    }
    if (c->st == C_RECEIVING && (revents & (POLLIN | POLLHUP | POLLERR))) {
        ssize_t r = recv(c->fd, c->in + c->in_len, sizeof c->in - c->in_len, 0);
        if (r == 0) {
            conn_fail(c, "server closed the connection");
            return;
        }
        if (r < 0) {
            if (errno != EAGAIN && errno != EINTR)
                conn_fail(c, "recv failed");
            return;
        }
        c->in_len += (size_t)r;
        int got = take_response(c);
        if (got == 1) {
            if (c->answered == NREQ) {
                c->st = C_DONE; /* stays open until every connection is done */
            } else {
                c->sent = 0;
                c->st = C_SENDING;
            }
        }
    }
}

static void test_300_keepalive_connections(void **state)
{
    (void)state;
    assert_non_null(srv);
    static conn conns[NCONN];
    static struct pollfd pfds[NCONN];
    static int idx[NCONN];
    for (int i = 0; i < NCONN; i++)
        open_conn(&conns[i], e2e_port(srv));

    int64_t deadline = now_ms() + DEADLINE_MS;
    for (;;) {
        nfds_t n = 0;
        for (int i = 0; i < NCONN; i++) {
            conn *c = &conns[i];
            if (c->st == C_DONE || c->st == C_FAILED)
                continue;
            short ev = c->st == C_RECEIVING ? POLLIN : POLLOUT;
            pfds[n] = (struct pollfd){.fd = c->fd, .events = ev};
            idx[n++] = i;
        }
        if (n == 0)
            break;
        int64_t left = deadline - now_ms();
        if (left <= 0)
            break;
        int r = poll(pfds, n, (int)left);
        if (r < 0 && errno != EINTR)
            break;
        for (nfds_t k = 0; r > 0 && k < n; k++)
            if (pfds[k].revents)
                step(&conns[idx[k]], pfds[k].revents);
    }

    int done = 0, total = 0, failed = 0;
    for (int i = 0; i < NCONN; i++) {
        conn *c = &conns[i];
        total += c->answered;
        if (c->st == C_DONE) {
            done++;
        } else if (++failed <= 10) {
            /* Report a few, not 300 lines. */
            fprintf(stderr, "connection %d: %s\n", i,
                    c->st == C_FAILED ? c->why : "no answer before the deadline");
        }
        if (c->fd >= 0)
            close(c->fd);
    }
    fprintf(stderr, "%d/%d connections got all %d answers (%d answers in all)\n", done, NCONN,
            NREQ, total);
    assert_int_equal(done, NCONN);
    assert_int_equal(total, NCONN * NREQ);
    assert_false(e2e_exited(srv));
    assert_int_equal(e2e_stop(srv), 0);
    char *err = e2e_stderr(srv);
    assert_false(e2e_has_sanitizer_report(err));
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_300_keepalive_connections),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
