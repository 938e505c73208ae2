/* Idle WebSocket connections (bench/ws.sh, issue 8 item 6): opens N connections to
 * ws://127.0.0.1:PORT/PATH and holds them, sending nothing, while the script measures
 * HTTP latency on the same server; then closes each with a close frame. Thousands of
 * clients on one thread, so plain sockets and poll(2) instead of civetweb's client (a
 * reader thread per connection). Handshakes go out in batches of 64 and each must be
 * answered "101" within 10 s: a server that runs out of connection threads shows here.
 *   gh_bench_ws_idle PORT PATH N [MAX_SECONDS]
 * Prints "open=N ms=T" once every connection is open (T: how long opening took), then
 * holds them until SIGTERM/SIGINT or MAX_SECONDS (default 120) and prints
 * "held=N dropped=D seconds=S" (D: connections the server closed meanwhile). Pings are
 * answered with pongs. Exits 1 when a connection could not be opened or was dropped. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define HANDSHAKE_MS 10000

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int open_socket(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

/* Reads the handshake answer up to its blank line; 0 when it is "101". Any bytes after
 * the head would be frames, which a server does not send unprompted. */
static int read_101(int fd, double deadline, char *why, size_t whylen)
{
    char head[2048];
    size_t n = 0;
    while (n < sizeof head - 1) {
        int left = (int)(deadline - now_ms());
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (left <= 0 || poll(&p, 1, left) <= 0) {
            snprintf(why, whylen, "no answer to the upgrade within %d ms", HANDSHAKE_MS);
            return -1;
        }
        ssize_t r = read(fd, head + n, sizeof head - 1 - n);
        if (r <= 0) {
            snprintf(why, whylen, "connection closed during the upgrade");
            return -1;
        }
        n += (size_t)r;
        head[n] = '\0';
        if (strstr(head, "\r\n\r\n"))
            break;
    }
    if (strncmp(head, "HTTP/1.1 101", 12) != 0) {
        snprintf(why, whylen, "upgrade answered: %.60s", head);
        return -1;
    }
    return 0;
}

/* A masked control frame (client frames must be masked; a zero key is a valid key). */
static void send_control(int fd, int opcode, const unsigned char *payload, size_t len)
{
    unsigned char f[2 + 4 + 125];
    if (len > 125)
        len = 125;
    f[0] = (unsigned char)(0x80 | opcode);
    f[1] = (unsigned char)(0x80 | len);
    memset(f + 2, 0, 4);
    memcpy(f + 6, payload, len);
    (void)!write(fd, f, 6 + len);
}

/* Something arrived on an idle connection: a ping gets its pong; a close frame or EOF
 * means the server dropped it. Returns 1 when the connection is gone. */
static int on_readable(int fd)
{
    unsigned char b[512];
    ssize_t r = read(fd, b, sizeof b);
    if (r <= 0)
        return 1;
    size_t at = 0;
    while (at + 2 <= (size_t)r) {
        int op = b[at] & 0xf;
        size_t len = b[at + 1] & 0x7f; /* server frames are unmasked; control ones short */
        if (op == 0x8)
            return 1;
        if (op == 0x9 && at + 2 + len <= (size_t)r)
            send_control(fd, 0xA, b + at + 2, len);
        if (len > 125)
            break;
        at += 2 + len;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s PORT PATH N [MAX_SECONDS]\n", argv[0]);
        return 2;
    }
    int port = atoi(argv[1]);
    const char *path = argv[2];
    long n = atol(argv[3]);
    double max_s = argc > 4 ? atof(argv[4]) : 120;
    if (port <= 0 || port > 65535 || n < 1 || n > 60000 || max_s <= 0 || max_s > 3600) {
        fprintf(stderr, "%s: bad arguments\n", argv[0]);
        return 2;
    }
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);
    struct pollfd *fds = calloc((size_t)n, sizeof *fds);
    if (!fds)
        return 1;

    char req[512];
    int reqlen = snprintf(req, sizeof req,
                          "GET %s HTTP/1.1\r\n"
                          "Host: 127.0.0.1:%d\r\n"
                          "Upgrade: websocket\r\n"
                          "Connection: Upgrade\r\n"
                          "Sec-WebSocket-Key: Z2F0ZWhvdXNlYmVuY2gxMg==\r\n"
                          "Sec-WebSocket-Version: 13\r\n"
                          "\r\n",
                          path, port);
    double t0 = now_ms();
    long open = 0;
    char why[128] = "";
    while (open < n && !stop_requested) {
        long end = open + BATCH < n ? open + BATCH : n;
        for (long i = open; i < end; i++) {
            fds[i].fd = open_socket(port);
            if (fds[i].fd < 0 || write(fds[i].fd, req, (size_t)reqlen) != reqlen) {
                snprintf(why, sizeof why, "connect: %s", strerror(errno));
                break;
            }
        }
        if (why[0])
            break;
        double deadline = now_ms() + HANDSHAKE_MS;
        for (long i = open; i < end; i++) {
            if (read_101(fds[i].fd, deadline, why, sizeof why) != 0)
                break;
            fds[i].events = POLLIN;
            open++;
        }
        if (why[0])
            break;
    }
    double open_ms = now_ms() - t0;
    if (open < n) {
        fprintf(stderr, "%s: opened %ld of %ld connections in %.0f ms; then %s\n", argv[0], open, n,
                open_ms, why[0] ? why : "interrupted");
        printf("open=%ld ms=%.0f failed\n", open, open_ms);
        return 1;
    }
    printf("open=%ld ms=%.0f\n", open, open_ms);
    fflush(stdout);

    long dropped = 0;
    double hold0 = now_ms();
    while (!stop_requested && now_ms() - hold0 < max_s * 1000) {
        int r = poll(fds, (nfds_t)n, 200);
        if (r <= 0)
            continue;
        for (long i = 0; i < n; i++) {
            if (fds[i].fd < 0 || !fds[i].revents)
                continue;
            if (on_readable(fds[i].fd)) {
                close(fds[i].fd);
                fds[i].fd = -1;
                dropped++;
            }
        }
    }
    double held_s = (now_ms() - hold0) / 1e3;
    static const unsigned char normal[2] = {0x03, 0xe8}; /* 1000 */
    for (long i = 0; i < n; i++)
        if (fds[i].fd >= 0)
            send_control(fds[i].fd, 0x8, normal, 2);
    for (long i = 0; i < n; i++)
        if (fds[i].fd >= 0)
            close(fds[i].fd);
    printf("held=%ld dropped=%ld seconds=%.1f\n", n - dropped, dropped, held_s);
    free(fds);
    return dropped ? 1 : 0;
}
