/* The live backend: one HTTP exchange over the network with libcurl. Each thread keeps
 * one easy handle, so its connections to a backend stay open between requests (as API
 * Gateway's own pool does). Redirects are the client's business (API Gateway hands a 3xx
 * back as it is), certificates are verified, no signals are used (threads), and only the
 * final response's headers are kept (a 100 Continue's are dropped). */
#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "integration/backend_impl.h"
#include "util/buf.h"

static gh_backend_status live_exchange(gh_backend *b, gh_arena *a, const gh_backend_request *rq,
                                       gh_backend_response *rs, const char **detail);
static gh_backend live = {live_exchange, NULL};
static pthread_key_t handle_key;
static pthread_once_t handle_once = PTHREAD_ONCE_INIT;
static _Thread_local CURL *tls_handle;

static void free_handle(void *p)
{
    if (p)
        curl_easy_cleanup(p);
}

/* Threads that never call the cleanup still free their handle when they end. */
static void make_key(void)
{
    pthread_key_create(&handle_key, free_handle);
}

static CURL *thread_handle(void)
{
    if (tls_handle) {
        curl_easy_reset(tls_handle); /* options only: open connections stay */
        return tls_handle;
    }
    pthread_once(&handle_once, make_key);
    tls_handle = curl_easy_init();
    if (tls_handle)
        pthread_setspecific(handle_key, tls_handle);
    return tls_handle;
}

void gh_backend_live_thread_cleanup(void)
{
    if (!tls_handle)
        return;
    pthread_setspecific(handle_key, NULL);
    curl_easy_cleanup(tls_handle);
    tls_handle = NULL;
}

void gh_backend_live_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

void gh_backend_live_shutdown(void)
{
    gh_backend_live_thread_cleanup();
    curl_global_cleanup();
}

/* What the callbacks fill. The body goes straight into an arena block when the backend
 * announced its length; otherwise (chunked, or until close) into a buffer copied once. */
typedef struct exchange {
    gh_arena *a;
    gh_headers headers;
    char *fixed;      /* Content-Length bytes from the arena, or NULL */
    size_t fixed_cap;
    size_t len;
    gh_buf grow;
    bool too_large;
} exchange;

static void trim(const char **s, size_t *n)
{
    while (*n && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*n)--;
    }
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' || (*s)[*n - 1] == '\r' ||
                  (*s)[*n - 1] == '\n'))
        (*n)--;
}

static size_t on_header(char *data, size_t size, size_t n, void *user)
{
    exchange *x = user;
    size_t len = size * n;
    if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
        /* A new status line: an interim (1xx) response's headers do not count. */
        x->headers = (gh_headers){0};
        x->fixed = NULL;
        x->len = 0;
        x->grow.len = 0;
        return len;
    }
    const char *colon = memchr(data, ':', len);
    if (!colon)
        return len; /* the blank line that ends the headers */
    const char *name = data, *value = colon + 1;
    size_t nlen = (size_t)(colon - data), vlen = len - nlen - 1;
    trim(&name, &nlen);
    trim(&value, &vlen);
    if (!nlen)
        return len;
    const char *v = gh_arena_strndup(x->a, value, vlen);
    gh_headers_add(x->a, &x->headers, gh_arena_strndup(x->a, name, nlen), v);
    if (nlen == 14 && strncasecmp(name, "Content-Length", 14) == 0) {
        char *end;
        unsigned long long cl = strtoull(v, &end, 10);
        if (end != v && !*end && cl > 0 && cl <= GH_MAX_BODY_BYTES) {
            x->fixed = gh_arena_alloc(x->a, (size_t)cl + 1);
            x->fixed_cap = (size_t)cl;
        }
    }
    return len;
}

static size_t on_body(char *data, size_t size, size_t n, void *user)
{
    exchange *x = user;
    size_t len = size * n;
    /* API Gateway's payload limit applies to what comes back too (10 MB). */
    if (x->len + len > GH_MAX_BODY_BYTES) {
        x->too_large = true;
        return 0;
    }
    if (x->fixed && x->len + len <= x->fixed_cap) {
        memcpy(x->fixed + x->len, data, len);
    } else {
        if (x->fixed) { /* longer than announced: what came so far moves to the buffer */
            gh_buf_append(&x->grow, x->fixed, x->len);
            x->fixed = NULL;
        }
        gh_buf_append(&x->grow, data, len);
    }
    x->len += len;
    return len;
}

static struct curl_slist *header_list(const gh_headers *h, bool *failed)
{
    struct curl_slist *list = NULL;
    bool has_accept = false;
    for (size_t i = 0; i < h->n && !*failed; i++) {
        const gh_header *e = &h->items[i];
        has_accept = has_accept || strcasecmp(e->name, "Accept") == 0;
        /* "Name;" is libcurl's way to send a header with an empty value. */
        size_t n = strlen(e->name) + strlen(e->value) + 3;
        char *line = malloc(n);
        if (!line) {
            *failed = true;
            break;
        }
        if (*e->value)
            snprintf(line, n, "%s: %s", e->name, e->value);
        else
            snprintf(line, n, "%s;", e->name);
        struct curl_slist *next = curl_slist_append(list, line);
        free(line);
        if (!next)
            *failed = true;
        else
            list = next;
    }
    /* Only what the integration request holds goes out: no default Accept, and no
     * Expect: 100-continue round trip for large bodies. */
    const char *const none[] = {"Expect:", has_accept ? NULL : "Accept:"};
    for (size_t i = 0; i < 2 && !*failed; i++) {
        if (!none[i])
            continue;
        struct curl_slist *next = curl_slist_append(list, none[i]);
        if (!next)
            *failed = true;
        else
            list = next;
    }
    return list;
}

static gh_backend_status live_exchange(gh_backend *b, gh_arena *a, const gh_backend_request *rq,
                                       gh_backend_response *rs, const char **detail)
{
    (void)b;
    CURL *h = thread_handle();
    if (!h) {
        *detail = "libcurl could not create a handle";
        return GH_BACKEND_UNREACHABLE;
    }
    bool failed = false;
    struct curl_slist *list = header_list(&rq->headers, &failed);
    if (failed) {
        curl_slist_free_all(list);
        *detail = "out of memory building the request headers";
        return GH_BACKEND_UNREACHABLE;
    }
    exchange x = {.a = a, .grow = GH_BUF_INIT};
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_URL, rq->url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(rq->timeout_ms > 0 ? rq->timeout_ms : 29000));
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &x);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
    if (strcmp(rq->method, "HEAD") == 0)
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    else if (rq->body || strcmp(rq->method, "POST") == 0 || strcmp(rq->method, "PUT") == 0 ||
             strcmp(rq->method, "PATCH") == 0) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, rq->body ? rq->body : "");
    }
    if (strcmp(rq->method, "HEAD") != 0)
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, rq->method);

    CURLcode rc = curl_easy_perform(h);
    curl_slist_free_all(list);
    gh_backend_status st = GH_BACKEND_OK;
    if (rc == CURLE_OK) {
        long status = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        rs->status = (int)status;
        rs->headers = x.headers;
        if (!x.fixed && x.len) {
            char *body = gh_arena_alloc(a, x.len + 1);
            memcpy(body, x.grow.data, x.len);
            body[x.len] = '\0';
            rs->body = body;
            rs->body_len = x.len;
        } else if (x.fixed && x.len) {
            x.fixed[x.len] = '\0';
            rs->body = x.fixed;
            rs->body_len = x.len;
        }
    } else {
        st = rc == CURLE_OPERATION_TIMEDOUT ? GH_BACKEND_TIMEOUT : GH_BACKEND_UNREACHABLE;
        *detail = x.too_large ? "the response body is over API Gateway's 10 MB limit"
                              : gh_arena_printf(a, "%s: %s", curl_easy_strerror(rc),
                                                errbuf[0] ? errbuf : "-");
    }
    gh_buf_free(&x.grow);
    /* The handle may outlive this call: never leave it pointing at our stack. */
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
    return st;
}

gh_backend *gh_backend_live(void)
{
    return &live;
}
