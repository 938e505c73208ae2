/* End-to-end harness (see e2e.h): process control with fork/exec, a drain thread per
 * served child, and libcurl for requests. Bounded everywhere: no call here can hang a
 * test run, so a broken server fails its test instead of stalling CI. */
#include "e2e.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct e2e_buf {
    char *data;
    size_t len, cap;
} e2e_buf;

struct e2e_server {
    pid_t pid;
    int port;
    int out_fd, err_fd;
    int wake[2];           /* written to stop the drain thread early */
    pthread_t drain;
    bool drain_running;
    pthread_mutex_t lock;
    pthread_cond_t grew;   /* signalled whenever a buffer grows or the pipes close */
    e2e_buf out, err;
    bool out_eof, err_eof;
    bool reaped;
    int status;            /* waitpid status once reaped */
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void e2e_global_init(void)
{
    /* A server that dies mid-request must not take the test process with it. */
    signal(SIGPIPE, SIG_IGN);
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void pause_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

static void buf_append(e2e_buf *b, const char *data, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->data, cap);
        if (!p)
            return; /* drop output rather than crash the harness */
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
}

const char *e2e_bin(void)
{
    const char *b = getenv("GH_BIN");
    return b && *b ? b : "./build/gatehouse";
}

const char *e2e_source_dir(void)
{
    const char *d = getenv("GH_SOURCE_DIR");
    return d && *d ? d : ".";
}

char *e2e_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    e2e_buf b = {0};
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&b, chunk, n);
    fclose(f);
    if (!b.data)
        b.data = calloc(1, 1);
    if (len)
        *len = b.len;
    return b.data;
}

bool e2e_has_sanitizer_report(const char *text)
{
    return text && (strstr(text, "ERROR: AddressSanitizer") ||
                    strstr(text, "ERROR: LeakSanitizer") ||
                    strstr(text, "runtime error:"));
}

static bool read_number(const char **p)
{
    const char *s = *p;
    unsigned long v = 0;
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (unsigned long)(*s++ - '0');
    if (s == *p || v == 0)
        return false;
    *p = s;
    return true;
}

bool e2e_lines_have_positions(const char *text, const char *file, char *bad, size_t badsz,
                              size_t *nlines)
{
    size_t flen = strlen(file), n = 0;
    const char *line = text ? text : "";
    while (*line) {
        const char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
        if (len >= flen && strncmp(line, file, flen) == 0) {
            n++;
            const char *p = line + flen;
            bool ok = *p++ == ':' && read_number(&p) && *p++ == ':' && read_number(&p) &&
                      p[0] == ':' && p[1] == ' ';
            if (!ok) {
                if (bad && badsz)
                    snprintf(bad, badsz, "%.*s", (int)len, line);
                if (nlines)
                    *nlines = n;
                return false;
            }
        }
        line += len + (eol ? 1 : 0);
    }
    if (nlines)
        *nlines = n;
    return true;
}

bool e2e_line_with(const char *text, const char *const needles[])
{
    const char *line = text ? text : "";
    while (*line) {
        const char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
        char *copy = strndup(line, len);
        bool all = copy != NULL;
        for (size_t i = 0; all && needles[i]; i++)
            all = strstr(copy, needles[i]) != NULL;
        free(copy);
        if (all)
            return true;
        line += len + (eol ? 1 : 0);
    }
    return false;
}

/* argv for execv: the binary, then args, then extra (both NULL-terminated, may be NULL). */
static char **build_argv(const char *const args[], const char *const extra[])
{
    size_t n = 0, m = 0;
    while (args && args[n])
        n++;
    while (extra && extra[m])
        m++;
    char **argv = calloc(n + m + 2, sizeof *argv);
    if (!argv)
        return NULL;
    argv[0] = (char *)e2e_bin();
    for (size_t i = 0; i < n; i++)
        argv[1 + i] = (char *)args[i];
    for (size_t i = 0; i < m; i++)
        argv[1 + n + i] = (char *)extra[i];
    return argv;
}

/* fork + exec with stdout/stderr on fresh pipes and stdin on /dev/null. */
static pid_t spawn(char **argv, int *out_fd, int *err_fd)
{
    int po[2], pe[2];
    if (pipe2(po, O_CLOEXEC) != 0)
        return -1;
    if (pipe2(pe, O_CLOEXEC) != 0) {
        close(po[0]);
        close(po[1]);
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0) {
        /* Child: async-signal-safe calls only. */
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, 0);
        dup2(po[1], 1);
        dup2(pe[1], 2);
        execv(argv[0], argv);
        static const char msg[] = "e2e: exec failed\n";
        ssize_t w = write(2, msg, sizeof msg - 1);
        (void)w;
        _exit(127);
    }
    close(po[1]);
    close(pe[1]);
    if (pid < 0) {
        close(po[0]);
        close(pe[0]);
        return -1;
    }
    *out_fd = po[0];
    *err_fd = pe[0];
    return pid;
}

static void *drain_main(void *arg)
{
    e2e_server *s = arg;
    char chunk[16384];
    for (;;) {
        struct pollfd p[3];
        nfds_t n = 0;
        int out_i = -1, err_i = -1;
        if (s->out_fd >= 0) {
            out_i = (int)n;
            p[n++] = (struct pollfd){.fd = s->out_fd, .events = POLLIN};
        }
        if (s->err_fd >= 0) {
            err_i = (int)n;
            p[n++] = (struct pollfd){.fd = s->err_fd, .events = POLLIN};
        }
        if (n == 0)
            break;
        int wake_i = (int)n;
        p[n++] = (struct pollfd){.fd = s->wake[0], .events = POLLIN};
        if (poll(p, n, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (p[wake_i].revents)
            break;
        for (int k = 0; k < 2; k++) {
            int i = k == 0 ? out_i : err_i;
            if (i < 0 || !p[i].revents)
                continue;
            ssize_t r = read(p[i].fd, chunk, sizeof chunk);
            if (r < 0 && errno == EINTR)
                continue;
            pthread_mutex_lock(&s->lock);
            if (r > 0) {
                buf_append(k == 0 ? &s->out : &s->err, chunk, (size_t)r);
            } else {
                close(p[i].fd);
                if (k == 0) {
                    s->out_fd = -1;
                    s->out_eof = true;
                } else {
                    s->err_fd = -1;
                    s->err_eof = true;
                }
            }
            pthread_cond_broadcast(&s->grew);
            pthread_mutex_unlock(&s->lock);
        }
    }
    pthread_mutex_lock(&s->lock);
    s->out_eof = s->err_eof = true;
    pthread_cond_broadcast(&s->grew);
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

/* Waits until pred(s) holds or the deadline passes; called with s->lock held. */
static bool wait_locked(e2e_server *s, bool (*pred)(e2e_server *, const void *),
                        const void *arg, int timeout_ms)
{
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    while (!pred(s, arg)) {
        if (pthread_cond_timedwait(&s->grew, &s->lock, &deadline) == ETIMEDOUT)
            return pred(s, arg);
    }
    return true;
}

static bool has_first_line(e2e_server *s, const void *arg)
{
    (void)arg;
    return (s->out.data && strchr(s->out.data, '\n')) || s->out_eof;
}

static bool out_has(e2e_server *s, const void *needle)
{
    return s->out.data && strstr(s->out.data, needle);
}

static bool err_has(e2e_server *s, const void *needle)
{
    return s->err.data && strstr(s->err.data, needle);
}

static void reap(e2e_server *s, bool block)
{
    if (s->reaped || s->pid <= 0)
        return;
    int st;
    pid_t r;
    do {
        r = waitpid(s->pid, &st, block ? 0 : WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r == s->pid) {
        s->reaped = true;
        s->status = st;
    }
}

static void stop_drain(e2e_server *s)
{
    if (!s->drain_running)
        return;
    /* The child is gone; give the thread a moment to read what is left, then wake it. */
    pthread_mutex_lock(&s->lock);
    struct timespec dl;
    clock_gettime(CLOCK_MONOTONIC, &dl);
    dl.tv_sec += 2;
    while (!(s->out_eof && s->err_eof))
        if (pthread_cond_timedwait(&s->grew, &s->lock, &dl) == ETIMEDOUT)
            break;
    pthread_mutex_unlock(&s->lock);
    ssize_t w = write(s->wake[1], "x", 1);
    (void)w;
    pthread_join(s->drain, NULL);
    s->drain_running = false;
}

static void server_free(e2e_server *s)
{
    if (s->out_fd >= 0)
        close(s->out_fd);
    if (s->err_fd >= 0)
        close(s->err_fd);
    close(s->wake[0]);
    close(s->wake[1]);
    pthread_cond_destroy(&s->grew);
    pthread_mutex_destroy(&s->lock);
    free(s->out.data);
    free(s->err.data);
    free(s);
}

e2e_server *e2e_start(const char *const args[])
{
    pthread_once(&curl_once, e2e_global_init);
    static const char *const extra[] = {"--port", "0", "--host", "127.0.0.1", NULL};
    const char *const serve[] = {"serve", NULL};
    /* argv = serve ARGS... --port 0 --host 127.0.0.1 */
    size_t n = 0;
    while (args && args[n])
        n++;
    const char **all = calloc(n + 2, sizeof *all);
    if (!all)
        return NULL;
    all[0] = serve[0];
    for (size_t i = 0; i < n; i++)
        all[1 + i] = args[i];
    char **argv = build_argv(all, extra);
    free(all);
    if (!argv)
        return NULL;

    e2e_server *s = calloc(1, sizeof *s);
    if (!s) {
        free(argv);
        return NULL;
    }
    s->out_fd = s->err_fd = -1;
    if (pipe2(s->wake, O_CLOEXEC) != 0) {
        free(argv);
        free(s);
        return NULL;
    }
    pthread_mutex_init(&s->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->grew, &ca);
    pthread_condattr_destroy(&ca);

    s->pid = spawn(argv, &s->out_fd, &s->err_fd);
    free(argv);
    if (s->pid < 0) {
        fprintf(stderr, "e2e: cannot start %s: %s\n", e2e_bin(), strerror(errno));
        server_free(s);
        return NULL;
    }
    if (pthread_create(&s->drain, NULL, drain_main, s) != 0) {
        kill(s->pid, SIGKILL);
        reap(s, true);
        server_free(s);
        return NULL;
    }
    s->drain_running = true;

    pthread_mutex_lock(&s->lock);
    wait_locked(s, has_first_line, NULL, E2E_START_TIMEOUT_MS);
    const char *prefix = "listening on http://127.0.0.1:";
    int port = 0;
    if (s->out.data && strncmp(s->out.data, prefix, strlen(prefix)) == 0) {
        char *end;
        long p = strtol(s->out.data + strlen(prefix), &end, 10);
        if (*end == '\n' || (*end == '\r' && end[1] == '\n'))
            port = p > 0 && p < 65536 ? (int)p : 0;
    }
    pthread_mutex_unlock(&s->lock);
    if (port == 0) {
        char *o = e2e_stdout(s), *e = e2e_stderr(s);
        fprintf(stderr,
                "e2e: server did not announce `%s<port>` within %d ms\n--- stdout\n%s\n"
                "--- stderr\n%s\n",
                prefix, E2E_START_TIMEOUT_MS, o ? o : "", e ? e : "");
        free(o);
        free(e);
        e2e_kill(s);
        return NULL;
    }
    s->port = port;
    return s;
}

int e2e_port(const e2e_server *s)
{
    return s ? s->port : 0;
}

pid_t e2e_pid(const e2e_server *s)
{
    return s ? s->pid : -1;
}

char *e2e_stdout(e2e_server *s)
{
    pthread_mutex_lock(&s->lock);
    char *c = strdup(s->out.data ? s->out.data : "");
    pthread_mutex_unlock(&s->lock);
    return c;
}

char *e2e_stderr(e2e_server *s)
{
    pthread_mutex_lock(&s->lock);
    char *c = strdup(s->err.data ? s->err.data : "");
    pthread_mutex_unlock(&s->lock);
    return c;
}

bool e2e_wait_stdout(e2e_server *s, const char *needle, int timeout_ms)
{
    pthread_mutex_lock(&s->lock);
    bool ok = wait_locked(s, out_has, needle, timeout_ms);
    pthread_mutex_unlock(&s->lock);
    return ok;
}

bool e2e_wait_stderr(e2e_server *s, const char *needle, int timeout_ms)
{
    pthread_mutex_lock(&s->lock);
    bool ok = wait_locked(s, err_has, needle, timeout_ms);
    pthread_mutex_unlock(&s->lock);
    return ok;
}

bool e2e_exited(e2e_server *s)
{
    reap(s, false);
    return s->reaped;
}

static int decode_status(int st)
{
    if (WIFEXITED(st))
        return WEXITSTATUS(st);
    if (WIFSIGNALED(st))
        return 128 + WTERMSIG(st);
    return -1;
}

/* Polls waitpid until the child is reaped or timeout_ms passes. */
static bool reap_within(e2e_server *s, int timeout_ms)
{
    int64_t deadline = now_ms() + timeout_ms;
    for (;;) {
        reap(s, false);
        if (s->reaped)
            return true;
        if (now_ms() >= deadline)
            return false;
        pause_ms(5);
    }
}

int e2e_stop(e2e_server *s)
{
    return e2e_stop_signal(s, SIGTERM);
}

int e2e_stop_signal(e2e_server *s, int sig)
{
    if (!s)
        return -1;
    int code;
    reap(s, false);
    if (s->reaped) {
        code = decode_status(s->status);
    } else {
        kill(s->pid, sig);
        if (reap_within(s, E2E_STOP_TIMEOUT_MS)) {
            code = decode_status(s->status);
        } else {
            fprintf(stderr, "e2e: server ignored signal %d for %d ms; killing it\n", sig,
                    E2E_STOP_TIMEOUT_MS);
            kill(s->pid, SIGKILL);
            reap(s, true);
            code = -1;
        }
    }
    stop_drain(s);
    return code;
}

void e2e_kill(e2e_server *s)
{
    if (!s)
        return;
    reap(s, false);
    if (!s->reaped && s->pid > 0) {
        kill(s->pid, SIGKILL);
        reap(s, true);
    }
    stop_drain(s);
    server_free(s);
}

/* ---- HTTP ---- */

static size_t on_body(char *data, size_t size, size_t n, void *userp)
{
    buf_append(userp, data, size * n);
    return size * n;
}

static size_t on_header(char *data, size_t size, size_t n, void *userp)
{
    e2e_response *r = userp;
    size_t len = size * n;
    if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
        /* A new status line (after a 100 Continue, say): forget earlier headers. */
        for (size_t i = 0; i < r->nheaders; i++) {
            free(r->headers[i].name);
            free(r->headers[i].value);
        }
        r->nheaders = 0;
        return len;
    }
    const char *colon = memchr(data, ':', len);
    if (!colon)
        return len;
    const char *v = colon + 1, *end = data + len;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
        end--;
    e2e_header *h = realloc(r->headers, (r->nheaders + 1) * sizeof *h);
    if (!h)
        return 0;
    r->headers = h;
    h[r->nheaders].name = strndup(data, (size_t)(colon - data));
    h[r->nheaders].value = strndup(v, (size_t)(end - v));
    r->nheaders++;
    return len;
}

int e2e_request(e2e_server *s, const char *method, const char *path,
                const char *const headers[], const char *body, size_t len,
                e2e_response *resp)
{
    pthread_once(&curl_once, e2e_global_init);
    memset(resp, 0, sizeof *resp);
    CURL *c = curl_easy_init();
    if (!c)
        return -1;
    char url[4096];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", s->port, path);
    struct curl_slist *hl = NULL;
    /* No "Expect: 100-continue" round trip: send the body with the headers. */
    hl = curl_slist_append(hl, "Expect:");
    for (size_t i = 0; headers && headers[i]; i++)
        hl = curl_slist_append(hl, headers[i]);
    e2e_buf b = {0};

    curl_easy_setopt(c, CURLOPT_URL, url);
    /* Send the path byte for byte: no dot-segment squashing, so tests can probe how the
     * server treats "//", "%2F" and friends. */
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)E2E_REQUEST_TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)E2E_REQUEST_TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_PROXY, "");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, resp);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    else
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    }
    CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
    resp->body = b.data ? b.data : calloc(1, 1);
    resp->body_len = b.len;
    if (rc != CURLE_OK) {
        fprintf(stderr, "e2e: %s %s: %s\n", method, path, curl_easy_strerror(rc));
        return -1;
    }
    return 0;
}

const char *e2e_header_get(const e2e_response *r, const char *name)
{
    for (size_t i = 0; i < r->nheaders; i++)
        if (strcasecmp(r->headers[i].name, name) == 0)
            return r->headers[i].value;
    return NULL;
}

size_t e2e_header_count(const e2e_response *r, const char *name)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nheaders; i++)
        if (strcasecmp(r->headers[i].name, name) == 0)
            n++;
    return n;
}

void e2e_response_free(e2e_response *r)
{
    for (size_t i = 0; i < r->nheaders; i++) {
        free(r->headers[i].name);
        free(r->headers[i].value);
    }
    free(r->headers);
    free(r->body);
    memset(r, 0, sizeof *r);
}

json_t *e2e_body_json(const e2e_response *r)
{
    json_error_t err;
    json_t *j = json_loadb(r->body, r->body_len, JSON_DECODE_ANY, &err);
    if (!j)
        fprintf(stderr, "e2e: body is not JSON (%s): %.*s\n", err.text,
                (int)(r->body_len > 400 ? 400 : r->body_len), r->body);
    return j;
}

json_t *e2e_json_at(json_t *root, const char *path)
{
    json_t *cur = root;
    const char *p = path;
    char key[256];
    while (cur && *p) {
        size_t n = strcspn(p, ".");
        if (n >= sizeof key)
            return NULL;
        memcpy(key, p, n);
        key[n] = '\0';
        if (json_is_object(cur)) {
            cur = json_object_get(cur, key);
        } else if (json_is_array(cur)) {
            char *end;
            unsigned long i = strtoul(key, &end, 10);
            cur = *end ? NULL : json_array_get(cur, i);
        } else {
            cur = NULL;
        }
        p += n;
        if (*p == '.')
            p++;
    }
    return cur;
}

const char *e2e_json_str(json_t *root, const char *path)
{
    json_t *v = e2e_json_at(root, path);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* ---- one-shot commands ---- */

int e2e_run(const char *const argv_in[], char **out, char **err, int *exit_code)
{
    pthread_once(&curl_once, e2e_global_init);
    char **argv = build_argv(argv_in, NULL);
    if (!argv)
        return -1;
    int ofd, efd;
    pid_t pid = spawn(argv, &ofd, &efd);
    free(argv);
    if (pid < 0)
        return -1;
    e2e_buf ob = {0}, eb = {0};
    int64_t deadline = now_ms() + E2E_RUN_TIMEOUT_MS;
    bool killed = false;
    char chunk[16384];
    while (ofd >= 0 || efd >= 0) {
        struct pollfd p[2];
        nfds_t n = 0;
        if (ofd >= 0)
            p[n++] = (struct pollfd){.fd = ofd, .events = POLLIN};
        if (efd >= 0)
            p[n++] = (struct pollfd){.fd = efd, .events = POLLIN};
        int64_t left = deadline - now_ms();
        if (left <= 0) {
            kill(pid, SIGKILL);
            killed = true;
            break;
        }
        int r = poll(p, n, (int)left);
        if (r < 0 && errno != EINTR)
            break;
        for (nfds_t i = 0; r > 0 && i < n; i++) {
            if (!p[i].revents)
                continue;
            ssize_t got = read(p[i].fd, chunk, sizeof chunk);
            if (got < 0 && errno == EINTR)
                continue;
            bool is_out = p[i].fd == ofd;
            if (got > 0) {
                buf_append(is_out ? &ob : &eb, chunk, (size_t)got);
            } else {
                close(p[i].fd);
                if (is_out)
                    ofd = -1;
                else
                    efd = -1;
            }
        }
    }
    if (ofd >= 0)
        close(ofd);
    if (efd >= 0)
        close(efd);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    if (exit_code)
        *exit_code = killed ? -1 : decode_status(st);
    if (out)
        *out = ob.data ? ob.data : calloc(1, 1);
    else
        free(ob.data);
    if (err)
        *err = eb.data ? eb.data : calloc(1, 1);
    else
        free(eb.data);
    if (killed)
        fprintf(stderr, "e2e: command ran past %d ms and was killed\n", E2E_RUN_TIMEOUT_MS);
    return 0;
}

bool e2e_node_ready(const char *test, const char *const packages[])
{
    bool ok = system("command -v node >/dev/null 2>&1") == 0;
    for (size_t i = 0; ok && packages[i]; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/tests/e2e/sdk/node_modules/%s", e2e_source_dir(),
                 packages[i]);
        ok = access(path, R_OK) == 0;
    }
    if (!ok)
        fprintf(stderr,
                "%s: node or a package of tests/e2e/sdk missing (npm ci in "
                "tests/e2e/sdk); skipped\n",
                test);
    return ok;
}

char *e2e_node_script(const char *script, int port, const char *const steps[], size_t nsteps)
{
    char cmd[2048];
    /* timeout(1) bounds the run: a hung SDK call must fail the test, not stall ctest. */
    snprintf(cmd, sizeof cmd, "timeout 60 node '%s/tests/e2e/sdk/%s' http://127.0.0.1:%d 2>&1",
             e2e_source_dir(), script, port);
    FILE *p = popen(cmd, "r");
    if (!p)
        return strdup("cannot run node");
    size_t cap = 1 << 16, n = 0, got;
    char *out = malloc(cap);
    if (!out)
        abort();
    while (n < cap - 1 && (got = fread(out + n, 1, cap - n - 1, p)) > 0)
        n += got;
    out[n] = '\0';
    int status = pclose(p);
    char *why = NULL;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        why = malloc(n + 128);
        sprintf(why, "node %s failed (status %d):\n%s", script, status, out);
    }
    const char *at = out;
    for (size_t i = 0; !why && i < nsteps; i++) {
        const char *hit = strstr(at, steps[i]);
        if (!hit) {
            why = malloc(n + strlen(steps[i]) + 64);
            sprintf(why, "missing '%s' after the earlier steps in:\n%s", steps[i], out);
        } else {
            at = hit + strlen(steps[i]);
        }
    }
    free(out);
    return why;
}
