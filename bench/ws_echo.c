/* The WebSocket benchmark's yardstick (bench/ws.sh): a bare civetweb server that echoes
 * every text or binary message back as one frame, on any path, with the civetweb options
 * gatehouse's server uses (emulator/server/server.c: a thread per connection, keep-alive,
 * TCP_NODELAY, the same timeouts and queues). gatehouse's messages per second are
 * reported as a ratio to this server measured in the same run. It also answers plain GET
 * with "hello", so its idle-connection cost can be measured with wrk like gatehouse's.
 *
 *   gh_bench_ws_echo [--port N] [--threads N]
 * Prints "listening on http://127.0.0.1:PORT" first, like `gatehouse serve`. */
#include <civetweb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static int hello(struct mg_connection *conn, void *data)
{
    (void)data;
    static const char resp[] = "HTTP/1.1 200 OK\r\n"
                               "Content-Type: text/plain\r\n"
                               "Content-Length: 5\r\n"
                               "Connection: keep-alive\r\n"
                               "\r\n"
                               "hello";
    mg_write(conn, resp, sizeof resp - 1);
    return 200;
}

static int ws_connect(const struct mg_connection *conn, void *data)
{
    (void)conn;
    (void)data;
    return 0; /* accept every upgrade, as an API without $connect does */
}

/* One frame in, the same frame out. The benchmark's messages are small single frames;
 * a close frame ends the connection (civetweb answers it). */
static int ws_data(struct mg_connection *conn, int bits, char *data, size_t len, void *cb)
{
    (void)cb;
    int op = bits & 0xf;
    if (op == MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE)
        return 0;
    if (op == MG_WEBSOCKET_OPCODE_TEXT || op == MG_WEBSOCKET_OPCODE_BINARY)
        return mg_websocket_write(conn, op, data, len) > 0 || len == 0;
    return 1;
}

int main(int argc, char **argv)
{
    const char *port = "0";
    const char *threads = "512"; /* gatehouse's default (server.c DEFAULT_THREADS) */
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--port") == 0 && i + 1 < argc)
            port = argv[++i];
        else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
            threads = argv[++i];
        else {
            fprintf(stderr, "usage: %s [--port N] [--threads N]\n", argv[0]);
            return 2;
        }
    }
    char listen[64];
    snprintf(listen, sizeof listen, "127.0.0.1:%s", port);
    /* name, value pairs, as emulator/server/server.c sets them */
    /* clang-format off */
    const char *options[] = {
        "listening_ports", listen,
        "num_threads", threads,
        "enable_keep_alive", "yes",
        "keep_alive_timeout_ms", "60000",
        "request_timeout_ms", "60000",
        "decode_url", "no",
        "tcp_nodelay", "1",
        "listen_backlog", "1024",
        "connection_queue", "1024",
        NULL,
    };
    /* clang-format on */
    mg_init_library(0);
    struct mg_callbacks cb;
    memset(&cb, 0, sizeof cb);
    struct mg_context *ctx = mg_start(&cb, NULL, options);
    if (!ctx) {
        fprintf(stderr, "gh_bench_ws_echo: cannot listen on %s with %s threads\n", listen, threads);
        return 1;
    }
    /* civetweb picks the WebSocket handler for an Upgrade request and the request
     * handler otherwise, on the same path, as gatehouse serves both on /{stage}. */
    mg_set_websocket_handler(ctx, "/", ws_connect, NULL, ws_data, NULL, NULL);
    mg_set_request_handler(ctx, "/", hello, NULL);
    struct mg_server_port ports[4];
    int n = mg_get_server_ports(ctx, 4, ports);
    if (n < 1) {
        fprintf(stderr, "gh_bench_ws_echo: no listening port\n");
        mg_stop(ctx);
        return 1;
    }
    printf("listening on http://127.0.0.1:%d\n", ports[0].port);
    fflush(stdout);

    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    while (!stop_requested)
        pause();
    mg_stop(ctx);
    mg_exit_library();
    return 0;
}
