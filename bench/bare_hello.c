/* The benchmark's yardstick: a bare civetweb server answering "hello" with keep-alive,
 * configured the way gatehouse configures civetweb (a thread per connection, so
 * num_threads >= connections; one write per response). gatehouse's figures are reported
 * as ratios to this server measured in the same run, which cancels out the machine.
 *
 *   gh_bench_bare [--port N] [--threads N]
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
    /* Headers and body in one write, as gatehouse does. */
    mg_write(conn, resp, sizeof resp - 1);
    return 200;
}

int main(int argc, char **argv)
{
    const char *port = "0";
    const char *threads = "256";
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
    const char *options[] = {"listening_ports", listen, "num_threads", threads,
                             "enable_keep_alive", "yes", "keep_alive_timeout_ms", "30000",
                             "tcp_nodelay", "1", "listen_backlog", "1024", NULL};
    mg_init_library(0);
    struct mg_callbacks cb;
    memset(&cb, 0, sizeof cb);
    struct mg_context *ctx = mg_start(&cb, NULL, options);
    if (!ctx) {
        fprintf(stderr, "gh_bench_bare: cannot listen on %s\n", listen);
        return 1;
    }
    mg_set_request_handler(ctx, "/", hello, NULL);
    struct mg_server_port ports[4];
    int n = mg_get_server_ports(ctx, 4, ports);
    if (n < 1) {
        fprintf(stderr, "gh_bench_bare: no listening port\n");
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
