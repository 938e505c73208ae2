/* WebSocket load generator (bench/ws.sh, issue 8): C connections through civetweb's own
 * WebSocket client (mg_connect_websocket_client), each keeping K messages in flight: it
 * sends K, then one more for every reply, for T seconds. Messages are
 * {"action":"echo","n":N}; a reply must be the very message sent (bench/ws_echo.c echoes
 * it, gatehouse's $default route in bench/ws-api.yaml returns event.body), so a broken
 * route fails the run instead of timing an error frame. Prints one line:
 *   connections=C inflight=K seconds=S messages=M messages_per_s=X p50_ms=.. p90_ms=..
 *   p99_ms=.. max_ms=.. errors=E
 * and exits 1 on any error (a wrong reply, a connection closed by the server, replies
 * still missing 2 s after the clock stopped).
 *   gh_bench_ws_load PORT PATH [CONNECTIONS] [INFLIGHT] [SECONDS]
 * Latency is from the send call to the reply's arrival on the client's reader thread, so
 * it includes the queueing behind the K-1 other messages in flight. */
#include <arpa/inet.h>
#include <civetweb.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define RING 1024        /* send times of the messages in flight, by n % RING */
#define MAX_INFLIGHT 256 /* well under RING, so a slot is free again before reuse */

typedef struct client {
    struct mg_connection *conn;
    pthread_mutex_t mu; /* next_n and the ring: the main thread sends the first K */
    uint64_t next_n;
    uint64_t sent_ns[RING];
    uint64_t sent_n[RING];
    /* Only the reader thread touches these. */
    uint32_t *lat_us;
    size_t nlat, caplat;
    atomic_ulong received;  /* replies, in the window or after */
    atomic_ulong in_window; /* replies that arrived before the clock stopped */
    atomic_ulong sent;
    atomic_int closed;
} client;

static atomic_int stopping;
static atomic_ulong errors;
static char first_error[256];
static pthread_mutex_t error_mu = PTHREAD_MUTEX_INITIALIZER;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void fail(const char *what, const char *data, size_t len)
{
    atomic_fetch_add(&errors, 1);
    pthread_mutex_lock(&error_mu);
    if (!first_error[0])
        snprintf(first_error, sizeof first_error, "%s: %.*s", what, (int)(len > 160 ? 160 : len),
                 data ? data : "");
    pthread_mutex_unlock(&error_mu);
}

static int message(char *out, size_t cap, uint64_t n)
{
    return snprintf(out, cap, "{\"action\":\"echo\",\"n\":%llu}", (unsigned long long)n);
}

/* Sends the client's next message; 0, or -1 when the write failed. */
static int send_next(client *c)
{
    char msg[64];
    pthread_mutex_lock(&c->mu);
    uint64_t n = c->next_n++;
    c->sent_n[n % RING] = n;
    c->sent_ns[n % RING] = now_ns();
    int len = message(msg, sizeof msg, n);
    /* civetweb serialises writes on one connection; under our lock too, so the ring and
     * the wire agree on order. */
    int r = mg_websocket_client_write(c->conn, MG_WEBSOCKET_OPCODE_TEXT, msg, (size_t)len);
    pthread_mutex_unlock(&c->mu);
    if (r <= 0) {
        fail("write failed", NULL, 0);
        return -1;
    }
    atomic_fetch_add(&c->sent, 1);
    return 0;
}

static int on_data(struct mg_connection *conn, int bits, char *data, size_t len, void *ud)
{
    (void)conn;
    client *c = ud;
    int op = bits & 0xf;
    if (op == MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE)
        return 0;
    if (op == MG_WEBSOCKET_OPCODE_PING || op == MG_WEBSOCKET_OPCODE_PONG)
        return 1;
    uint64_t t = now_ns();
    if (!(bits & 0x80) || op != MG_WEBSOCKET_OPCODE_TEXT) {
        fail("not one whole text frame", data, len);
        return 1;
    }
    const char *p = memmem(data, len, "\"n\":", 4);
    if (!p) {
        fail("reply without n", data, len);
        return 1;
    }
    uint64_t n = strtoull(p + 4, NULL, 10);
    char want[64];
    int wlen = message(want, sizeof want, n);
    pthread_mutex_lock(&c->mu);
    bool known = c->sent_n[n % RING] == n && n < c->next_n;
    uint64_t t0 = c->sent_ns[n % RING];
    c->sent_n[n % RING] = UINT64_MAX; /* a second reply to n is an error */
    pthread_mutex_unlock(&c->mu);
    if (!known || (size_t)wlen != len || memcmp(want, data, len) != 0) {
        fail(known ? "reply differs from the message" : "reply to no message in flight", data, len);
        return 1;
    }
    atomic_fetch_add(&c->received, 1);
    if (atomic_load(&stopping))
        return 1;
    atomic_fetch_add(&c->in_window, 1);
    if (c->nlat == c->caplat) {
        size_t cap = c->caplat ? c->caplat * 2 : 65536;
        uint32_t *l = realloc(c->lat_us, cap * sizeof *l);
        if (!l) {
            fail("out of memory", NULL, 0);
            return 1;
        }
        c->lat_us = l;
        c->caplat = cap;
    }
    uint64_t us = (t - t0) / 1000;
    c->lat_us[c->nlat++] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
    send_next(c);
    return 1;
}

static void on_close(const struct mg_connection *conn, void *ud)
{
    (void)conn;
    client *c = ud;
    atomic_store(&c->closed, 1);
    if (!atomic_load(&stopping))
        fail("connection closed by the server", NULL, 0);
}

/* civetweb's client leaves Nagle's algorithm on and offers no way to reach its socket:
 * with several messages in flight, a small write then waits for the server's delayed
 * ACK (40 ms on Linux). Browsers and Node's `ws` set TCP_NODELAY, so do it to every
 * socket of ours connected to the server under test. */
static void no_delay_to(int port)
{
    for (int fd = 3; fd < 65536; fd++) {
        struct sockaddr_in peer;
        socklen_t len = sizeof peer;
        if (getpeername(fd, (struct sockaddr *)&peer, &len) != 0) {
            if (errno == EBADF && fd > 4096 + 64)
                break;
            continue;
        }
        if (peer.sin_family == AF_INET && ntohs(peer.sin_port) == port) {
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        }
    }
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static double pct_ms(const uint32_t *v, size_t n, double p)
{
    if (!n)
        return 0;
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);
    return v[i] / 1000.0;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s PORT PATH [CONNECTIONS] [INFLIGHT] [SECONDS]\n", argv[0]);
        return 2;
    }
    int port = atoi(argv[1]);
    const char *path = argv[2];
    int nconn = argc > 3 ? atoi(argv[3]) : 16;
    int inflight = argc > 4 ? atoi(argv[4]) : 8;
    double seconds = argc > 5 ? atof(argv[5]) : 10;
    if (port <= 0 || port > 65535 || nconn < 1 || nconn > 4096 || inflight < 1 ||
        inflight > MAX_INFLIGHT || seconds <= 0 || seconds > 600) {
        fprintf(stderr, "%s: bad arguments\n", argv[0]);
        return 2;
    }
    mg_init_library(0);
    client *cs = calloc((size_t)nconn, sizeof *cs);
    if (!cs)
        return 1;
    for (int i = 0; i < nconn; i++) {
        char err[256] = "";
        pthread_mutex_init(&cs[i].mu, NULL);
        for (int s = 0; s < RING; s++)
            cs[i].sent_n[s] = UINT64_MAX;
        cs[i].conn = mg_connect_websocket_client("127.0.0.1", port, 0, err, sizeof err, path, NULL,
                                                 on_data, on_close, &cs[i]);
        if (!cs[i].conn) {
            fprintf(stderr, "%s: connection %d to 127.0.0.1:%d%s failed: %s\n", argv[0], i + 1,
                    port, path, err[0] ? err : "no reason given");
            return 1;
        }
    }

    no_delay_to(port);

    uint64_t t0 = now_ns();
    for (int k = 0; k < inflight; k++)
        for (int i = 0; i < nconn; i++)
            send_next(&cs[i]);
    sleep_ms((long)(seconds * 1000));
    atomic_store(&stopping, 1);
    double elapsed = (double)(now_ns() - t0) / 1e9;

    /* Let the replies still in flight arrive (bounded), then close each connection
     * with a close frame, as a well-behaved client does. */
    for (int waited = 0; waited < 2000; waited += 10) {
        bool done = true;
        for (int i = 0; i < nconn; i++)
            if (atomic_load(&cs[i].received) < atomic_load(&cs[i].sent) &&
                !atomic_load(&cs[i].closed))
                done = false;
        if (done)
            break;
        sleep_ms(10);
    }
    unsigned long missing = 0;
    for (int i = 0; i < nconn; i++)
        missing += atomic_load(&cs[i].sent) - atomic_load(&cs[i].received);
    if (missing)
        fail("replies never came", NULL, 0);
    for (int i = 0; i < nconn; i++) {
        if (!atomic_load(&cs[i].closed))
            mg_websocket_client_write(cs[i].conn, MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE, "\x03\xe8",
                                      2); /* 1000, normal closure */
    }
    for (int i = 0; i < nconn; i++)
        mg_close_connection(cs[i].conn);

    size_t total = 0;
    for (int i = 0; i < nconn; i++)
        total += cs[i].nlat;
    uint32_t *all = malloc((total ? total : 1) * sizeof *all);
    if (!all)
        return 1;
    size_t at = 0;
    unsigned long in_window = 0;
    for (int i = 0; i < nconn; i++) {
        memcpy(all + at, cs[i].lat_us, cs[i].nlat * sizeof *all);
        at += cs[i].nlat;
        in_window += atomic_load(&cs[i].in_window);
        free(cs[i].lat_us);
    }
    qsort(all, total, sizeof *all, cmp_u32);
    printf("connections=%d inflight=%d seconds=%.2f messages=%lu messages_per_s=%.0f "
           "p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f errors=%lu\n",
           nconn, inflight, elapsed, in_window, (double)in_window / elapsed,
           pct_ms(all, total, 0.50), pct_ms(all, total, 0.90), pct_ms(all, total, 0.99),
           total ? all[total - 1] / 1000.0 : 0, atomic_load(&errors));
    if (atomic_load(&errors))
        fprintf(stderr, "%s: %lu error(s); first: %s (%lu replies missing)\n", argv[0],
                atomic_load(&errors), first_error, missing);
    free(all);
    free(cs);
    mg_exit_library();
    return atomic_load(&errors) ? 1 : 0;
}
