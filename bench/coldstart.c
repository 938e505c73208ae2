/* Cold start: from exec of `gatehouse serve DEF --port 0` to the first answered request.
 * Runs it `runs` times and prints each time and the median in milliseconds.
 *
 *   gh_bench_coldstart GATEHOUSE DEF PATH [runs [SERVE_ARGS...]]
 * PATH is requested once the server announces its port (any HTTP status counts as an
 * answer: this measures start-up, not the route). SERVE_ARGS are added to the serve
 * command (bench/ws.sh times a start with `--threads 5256`). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Reads the first line from fd within timeout_ms; returns the port or -1. */
static int read_port(int fd, int timeout_ms)
{
    char line[256];
    size_t n = 0;
    double end = now_ms() + timeout_ms;
    while (n < sizeof line - 1) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int left = (int)(end - now_ms());
        if (left <= 0 || poll(&p, 1, left) <= 0)
            return -1;
        ssize_t r = read(fd, line + n, 1);
        if (r <= 0)
            return -1;
        if (line[n] == '\n')
            break;
        n++;
    }
    line[n] = '\0';
    const char *colon = strrchr(line, ':');
    return colon ? atoi(colon + 1) : -1;
}

static int request(int port, const char *path, int timeout_ms)
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
    char req[512];
    int len = snprintf(req, sizeof req,
                       "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", path);
    if (write(fd, req, (size_t)len) != len) {
        close(fd);
        return -1;
    }
    char buf[64];
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int ok = poll(&p, 1, timeout_ms) == 1 && read(fd, buf, sizeof buf) >= 12 &&
             strncmp(buf, "HTTP/1.1 ", 9) == 0;
    close(fd);
    return ok ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s GATEHOUSE DEF PATH [runs]\n", argv[0]);
        return 2;
    }
    int runs = argc > 4 ? atoi(argv[4]) : 10;
    if (runs < 1 || runs > 1000)
        runs = 10;
    double *t = calloc((size_t)runs, sizeof *t);
    if (!t)
        return 1;
    /* serve DEF --port 0 --host 127.0.0.1 --quiet SERVE_ARGS... NULL */
    int nextra = argc > 5 ? argc - 5 : 0;
    char **cmd = calloc((size_t)nextra + 9, sizeof *cmd);
    if (!cmd)
        return 1;
    char *fixed[] = {argv[1], "serve", argv[2], "--port", "0", "--host", "127.0.0.1", "--quiet"};
    memcpy(cmd, fixed, sizeof fixed);
    for (int k = 0; k < nextra; k++)
        cmd[8 + k] = argv[5 + k];
    signal(SIGPIPE, SIG_IGN);
    for (int i = 0; i < runs; i++) {
        int out[2];
        if (pipe(out) != 0)
            return 1;
        double t0 = now_ms();
        pid_t pid = fork();
        if (pid == 0) {
            dup2(out[1], 1);
            close(out[0]);
            close(out[1]);
            execv(argv[1], cmd);
            _exit(127);
        }
        close(out[1]);
        int port = read_port(out[0], 10000);
        int ok = port > 0 && request(port, argv[3], 10000) == 0;
        t[i] = now_ms() - t0;
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
        close(out[0]);
        if (!ok) {
            fprintf(stderr, "run %d: no answer from %s\n", i + 1, argv[1]);
            free(t);
            return 1;
        }
        fprintf(stderr, "run %d: %.2f ms\n", i + 1, t[i]);
    }
    qsort(t, (size_t)runs, sizeof *t, cmp);
    double median = runs % 2 ? t[runs / 2] : (t[runs / 2 - 1] + t[runs / 2]) / 2;
    printf("%.2f\n", median);
    free(t);
    free(cmd);
    return 0;
}
