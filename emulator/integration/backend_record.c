/* The record backend: every exchange goes to an inner backend (the network, for
 * `serve --record`), then is appended to a recordings file in the folder, one file per
 * backend host and run (format: docs/fixtures.md, "Recordings"). Server threads record
 * concurrently: an entry is built outside the lock and written and flushed under it, so
 * entries never interleave and a crash loses at most the exchange in flight. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "integration/backend_impl.h"
#include "util/base64.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/utf8.h"
#include "util/yaml_text.h"

/* What a redacted header value becomes in a recording. */
#define REDACTED "<redacted>"

typedef struct host_file {
    char *host;
    FILE *f; /* NULL when it could not be created (logged once) */
} host_file;

typedef struct recorder {
    gh_backend base;
    gh_backend *inner;
    char *dir;
    char **redact;
    size_t nredact;
    pthread_mutex_t mu; /* guards files and every write to them */
    host_file *files;
    size_t nfiles, cap;
} recorder;

static _Thread_local char error_text[1024];

static bool redacted(const recorder *r, const char *name)
{
    for (size_t i = 0; i < r->nredact; i++)
        if (!strcasecmp(r->redact[i], name))
            return true;
    return false;
}

/* {"Name": "value", "Set-Cookie": ["a", "b"]}: a repeated header becomes a list of its
 * values in order, at the place of its first occurrence (a YAML map cannot repeat keys). */
static void write_headers(const recorder *r, const gh_headers *h, gh_buf *out)
{
    gh_buf_putc(out, '{');
    bool first = true;
    for (size_t i = 0; i < h->n; i++) {
        const char *name = h->items[i].name;
        bool seen = false;
        size_t count = 0;
        for (size_t k = 0; k < h->n; k++) {
            if (strcasecmp(h->items[k].name, name))
                continue;
            if (k < i)
                seen = true;
            count++;
        }
        if (seen)
            continue;
        if (!first)
            gh_buf_puts(out, ", ");
        first = false;
        gh_yaml_cstring(out, name);
        gh_buf_puts(out, ": ");
        if (count > 1)
            gh_buf_putc(out, '[');
        size_t written = 0;
        for (size_t k = i; k < h->n; k++) {
            if (strcasecmp(h->items[k].name, name))
                continue;
            if (written++)
                gh_buf_puts(out, ", ");
            gh_yaml_cstring(out, redacted(r, name) ? REDACTED : h->items[k].value);
        }
        if (count > 1)
            gh_buf_putc(out, ']');
    }
    gh_buf_puts(out, "}\n");
}

/* Text when it is UTF-8 without NULs (what a YAML string holds faithfully), else base64.
 * Nothing is written for an empty body. */
static void write_body(gh_arena *a, const char *indent, const char *body, size_t len,
                       gh_buf *out)
{
    if (!body || !len)
        return;
    if (gh_utf8_valid(body, len) && !memchr(body, '\0', len)) {
        gh_buf_printf(out, "%sbody: ", indent);
        gh_yaml_string(out, body, len);
    } else {
        gh_buf_printf(out, "%sbodyBase64: ", indent);
        gh_yaml_cstring(out, gh_base64_encode(a, body, len));
    }
    gh_buf_putc(out, '\n');
}

static void write_entry(const recorder *r, gh_arena *a, const gh_backend_request *rq,
                        gh_backend_status st, const gh_backend_response *rs,
                        const char *detail, gh_buf *out)
{
    gh_buf_puts(out, "  - request:\n      method: ");
    gh_yaml_cstring(out, rq->method);
    gh_buf_puts(out, "\n      url: ");
    gh_yaml_cstring(out, rq->url);
    gh_buf_puts(out, "\n      headers: ");
    write_headers(r, &rq->headers, out);
    write_body(a, "      ", rq->body, rq->body_len, out);
    if (st == GH_BACKEND_OK) {
        gh_buf_printf(out, "    response:\n      status: %d\n      headers: ", rs->status);
        write_headers(r, &rs->headers, out);
        write_body(a, "      ", rs->body, rs->body_len, out);
        return;
    }
    /* Failures are recorded too, so a replay fails the same way (a 504 stays a 504). */
    gh_buf_printf(out, "    error: %s\n",
                  st == GH_BACKEND_TIMEOUT ? "timeout" : "unreachable");
    if (detail) {
        gh_buf_puts(out, "    detail: ");
        gh_yaml_cstring(out, detail);
        gh_buf_putc(out, '\n');
    }
}

/* "api.example.com" from "https://user@API.example.com:8443/x": lower-cased, the port
 * kept as "_8443" (file names stay portable), anything unusual as '_'. */
static char *host_of(const char *url)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    size_t n = strcspn(p, "/?#");
    const char *at = memchr(p, '@', n);
    if (at) {
        n -= (size_t)(at + 1 - p);
        p = at + 1;
    }
    if (!n)
        return strdup("unknown-host");
    char *h = malloc(n + 1);
    if (!h)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-'))
            c = '_';
        h[i] = c;
    }
    h[n] = '\0';
    return h;
}

/* DIR/HOST-YYYYMMDD-HHMMSS.yaml, with the header every recordings file starts with. */
static FILE *create_file(const recorder *r, const char *host)
{
    char *path = NULL;
    FILE *f = gh_yaml_create(r->dir, host, &path);
    if (!f) {
        gh_log(GH_LOG_ERROR, "cannot create a recordings file %s: %s", path, strerror(errno));
    } else {
        gh_log(GH_LOG_INFO, "recording %s exchanges into %s", host, path);
        fprintf(f, "# gatehouse recordings: exchanges with %s (docs/fixtures.md)\n"
                   "recordings:\n", host);
        fflush(f);
    }
    free(path);
    return f;
}

/* The file of a host, created on its first exchange. Called with the lock held. */
static FILE *file_for(recorder *r, const char *url)
{
    char *host = host_of(url);
    if (!host)
        return NULL;
    for (size_t i = 0; i < r->nfiles; i++)
        if (!strcmp(r->files[i].host, host)) {
            free(host);
            return r->files[i].f;
        }
    if (r->nfiles == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 4;
        host_file *grown = realloc(r->files, cap * sizeof *grown);
        if (!grown) {
            free(host);
            return NULL;
        }
        r->files = grown;
        r->cap = cap;
    }
    FILE *f = create_file(r, host);
    r->files[r->nfiles++] = (host_file){host, f};
    return f;
}

static gh_backend_status record_exchange(gh_backend *self, gh_arena *a,
                                         const gh_backend_request *rq, gh_backend_response *rs,
                                         const char **detail)
{
    recorder *r = (recorder *)self;
    gh_backend_status st = gh_backend_exchange(r->inner, a, rq, rs, detail);
    /* A replay has nothing to learn from an exchange that never had a backend. */
    if (st == GH_BACKEND_NO_RECORDING)
        return st;
    gh_buf entry = GH_BUF_INIT;
    write_entry(r, a, rq, st, rs, *detail, &entry);
    pthread_mutex_lock(&r->mu);
    FILE *f = file_for(r, rq->url);
    if (f) {
        fwrite(entry.data, 1, entry.len, f);
        fflush(f);
    }
    pthread_mutex_unlock(&r->mu);
    gh_buf_free(&entry);
    return st;
}

static void record_free(gh_backend *self)
{
    recorder *r = (recorder *)self;
    for (size_t i = 0; i < r->nfiles; i++) {
        if (r->files[i].f)
            fclose(r->files[i].f);
        free(r->files[i].host);
    }
    free(r->files);
    for (size_t i = 0; i < r->nredact; i++)
        free(r->redact[i]);
    free(r->redact);
    free(r->dir);
    pthread_mutex_destroy(&r->mu);
    gh_backend_free(r->inner);
    free(r);
}

/* mkdir -p */
static int make_dir(const char *dir)
{
    char *p = strdup(dir);
    if (!p)
        return -1;
    int rc = 0;
    for (char *s = p + 1; rc == 0; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, 0755) != 0 && errno != EEXIST)
            rc = -1;
        *s = c;
        if (!c)
            break;
    }
    free(p);
    struct stat st;
    if (rc == 0 && (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))) {
        errno = ENOTDIR;
        rc = -1;
    }
    return rc;
}

gh_backend *gh_backend_record_wrap(gh_backend *inner, const gh_backend_options *opt,
                                   const char **error)
{
    *error = NULL;
    if (!opt->dir || !*opt->dir || make_dir(opt->dir) != 0) {
        snprintf(error_text, sizeof error_text, "cannot create the recordings folder '%s': %s",
                 opt->dir ? opt->dir : "", opt->dir && *opt->dir ? strerror(errno) : "empty name");
        *error = error_text;
        gh_backend_free(inner);
        return NULL;
    }
    recorder *r = calloc(1, sizeof *r);
    if (!r) {
        *error = "out of memory";
        gh_backend_free(inner);
        return NULL;
    }
    r->base = (gh_backend){record_exchange, record_free};
    r->inner = inner;
    r->dir = strdup(opt->dir);
    const char *const *list = opt->redact ? opt->redact : gh_backend_default_redact;
    size_t n = 0;
    while (list[n])
        n++;
    r->redact = calloc(n + 1, sizeof *r->redact);
    for (size_t i = 0; r->redact && i < n; i++)
        r->redact[r->nredact++] = strdup(list[i]);
    pthread_mutex_init(&r->mu, NULL);
    return &r->base;
}

gh_backend *gh_backend_record(const gh_backend_options *opt, const char **error)
{
    return gh_backend_record_wrap(gh_backend_live(), opt, error);
}
