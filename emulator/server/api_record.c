/* The API-level half of `serve --record` (see api_record.h): each request the pipeline
 * answered becomes one fixture, appended and flushed under a lock so the file is valid
 * after every exchange. What is written is what `gatehouse test` needs to send the same
 * request and check the answer: the request as the client sent it (minus what the test
 * client sets itself), the status, the Content-Type, and the body (as a JSON value when
 * it is JSON, so member order and spacing do not matter). Volatile headers (ids, dates)
 * are left out. */
#include "server/api_record.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "util/buf.h"
#include "util/json_text.h"
#include "util/log.h"
#include "util/url.h"
#include "util/utf8.h"
#include "util/yaml_text.h"

struct gh_api_recorder {
    char *dir;
    char **redact; /* NULL-terminated */
    size_t nredact;
    pthread_mutex_t mu; /* guards everything below and the writes */
    FILE *f;
    char *stem;  /* "api-20261128-090311": the file's name without .yaml */
    bool failed; /* the file could not be created (said once) */
    unsigned count;
};

/* Headers the test client sets for itself, or that describe one connection only. */
static const char *const dropped[] = {
    "Host", "Content-Length", "Connection", "Keep-Alive", "Transfer-Encoding", "TE",
    "Upgrade", "Proxy-Connection", "Trailer", NULL,
};

/* A string fixture runners substitute ${...} in: a literal "${" is written "$${". */
static void put_text(gh_buf *out, const char *s, size_t n)
{
    gh_buf esc = GH_BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '$' && i + 1 < n && s[i + 1] == '{')
            gh_buf_putc(&esc, '$');
        gh_buf_putc(&esc, s[i]);
    }
    gh_yaml_string(out, esc.data ? esc.data : "", esc.len);
    gh_buf_free(&esc);
}

static void put_cstr(gh_buf *out, const char *s)
{
    put_text(out, s, strlen(s));
}

/* A JSON value as YAML flow (which JSON is), strings through put_text. */
static void put_json(gh_buf *out, const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        gh_buf_putc(out, '{');
        const char *key;
        json_t *item;
        bool first = true;
        json_object_foreach((json_t *)v, key, item) {
            gh_buf_puts(out, first ? "" : ", ");
            first = false;
            gh_yaml_cstring(out, key); /* keys are never substituted: no $${ escape */
            gh_buf_puts(out, ": ");
            put_json(out, item);
        }
        gh_buf_putc(out, '}');
        break;
    }
    case JSON_ARRAY:
        gh_buf_putc(out, '[');
        for (size_t i = 0; i < json_array_size(v); i++) {
            gh_buf_puts(out, i ? ", " : "");
            put_json(out, json_array_get(v, i));
        }
        gh_buf_putc(out, ']');
        break;
    case JSON_STRING:
        put_text(out, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        gh_buf_printf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        break;
    case JSON_REAL:
        gh_json_number(json_real_value(v), out);
        break;
    case JSON_TRUE:
        gh_buf_puts(out, "true");
        break;
    case JSON_FALSE:
        gh_buf_puts(out, "false");
        break;
    default:
        gh_buf_puts(out, "null");
    }
}

static bool in_list(const char *const *list, const char *name)
{
    for (size_t i = 0; list && list[i]; i++)
        if (!strcasecmp(list[i], name))
            return true;
    return false;
}

/* ${env.REDACTED_X_API_KEY}: the fixture fails loudly until the secret is provided. */
static void put_redacted(gh_buf *out, const char *name)
{
    gh_buf ref = GH_BUF_INIT;
    gh_buf_puts(&ref, "${env.REDACTED_");
    for (const char *c = name; *c; c++)
        gh_buf_putc(&ref, (*c >= 'a' && *c <= 'z')   ? (char)(*c - 'a' + 'A')
                          : (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ? *c
                                                                                 : '_');
    gh_buf_putc(&ref, '}');
    gh_yaml_string(out, ref.data, ref.len);
    gh_buf_free(&ref);
}

/* Host is kept only when it addresses an API by id ({apiId}.execute-api.localhost). */
static bool keep_host(const char *value)
{
    size_t n = strcspn(value, ":");
    static const char suffix[] = ".execute-api.localhost";
    return n > sizeof suffix - 1 &&
           !strncasecmp(value + n - (sizeof suffix - 1), suffix, sizeof suffix - 1);
}

/* {Name: value}; a repeated request header is one value joined by ", " (RFC 9110). */
static void put_request_headers(const gh_api_recorder *r, const gh_headers *h, gh_buf *out)
{
    gh_buf_puts(out, "{");
    bool first = true;
    for (size_t i = 0; i < h->n; i++) {
        const char *name = h->items[i].name;
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++)
            seen = !strcasecmp(h->items[k].name, name);
        if (seen || (in_list(dropped, name) &&
                     !(!strcasecmp(name, "Host") && keep_host(h->items[i].value))))
            continue;
        gh_buf_puts(out, first ? "" : ", ");
        first = false;
        gh_yaml_cstring(out, name); /* names are sent as written */
        gh_buf_puts(out, ": ");
        if (in_list((const char *const *)r->redact, name)) {
            put_redacted(out, name);
            continue;
        }
        gh_buf joined = GH_BUF_INIT;
        for (size_t k = i; k < h->n; k++)
            if (!strcasecmp(h->items[k].name, name)) {
                gh_buf_puts(&joined, joined.len ? ", " : "");
                gh_buf_puts(&joined, h->items[k].value);
            }
        put_text(out, joined.data, joined.len);
        gh_buf_free(&joined);
    }
    gh_buf_puts(out, "}\n");
}

/* {name: value, name: [v1, v2]} from the raw query (values decoded, as fixtures hold). */
static void put_query(gh_arena *a, const char *query, gh_buf *out)
{
    gh_headers q = {0};
    gh_query_parse(a, query, &q);
    if (!q.n)
        return;
    gh_buf_puts(out, "      query: {");
    bool first = true;
    for (size_t i = 0; i < q.n; i++) {
        size_t count = 0;
        bool seen = false;
        for (size_t k = 0; k < q.n; k++)
            if (!strcmp(q.items[k].name, q.items[i].name)) {
                seen |= k < i;
                count++;
            }
        if (seen)
            continue;
        gh_buf_puts(out, first ? "" : ", ");
        first = false;
        gh_yaml_cstring(out, q.items[i].name); /* names are sent as written */
        gh_buf_puts(out, count > 1 ? ": [" : ": ");
        size_t written = 0;
        for (size_t k = i; k < q.n; k++)
            if (!strcmp(q.items[k].name, q.items[i].name)) {
                gh_buf_puts(out, written++ ? ", " : "");
                put_cstr(out, q.items[k].value);
            }
        gh_buf_puts(out, count > 1 ? "]" : "");
    }
    gh_buf_puts(out, "}\n");
}

/* Bytes that are not text go to STEM-bodies/N-WHAT.bin, named relative to the fixture
 * file as bodyFile wants. NULL when the file cannot be written (logged). */
static char *save_body(gh_api_recorder *r, const char *what, const char *body, size_t len)
{
    gh_buf rel = GH_BUF_INIT, full = GH_BUF_INIT;
    gh_buf_printf(&rel, "%s-bodies", r->stem);
    gh_buf_printf(&full, "%s/%s", r->dir, rel.data);
    mkdir(full.data, 0755);
    gh_buf_printf(&rel, "/%u-%s.bin", r->count, what);
    gh_buf_reset(&full);
    gh_buf_printf(&full, "%s/%s", r->dir, rel.data);
    FILE *f = fopen(full.data, "wb");
    bool ok = f && fwrite(body, 1, len, f) == len;
    if (f && fclose(f) != 0)
        ok = false;
    if (!ok) {
        gh_log(GH_LOG_ERROR, "cannot write %s: %s", full.data, strerror(errno));
        gh_buf_free(&rel);
    }
    gh_buf_free(&full);
    return ok ? gh_buf_steal(&rel, NULL) : NULL;
}

static bool is_text(const char *body, size_t len)
{
    return gh_utf8_valid(body, len) && !memchr(body, '\0', len);
}

/* body: text, or bodyFile for bytes; nothing for an empty request body. */
static void put_body(gh_api_recorder *r, const char *what, const char *body, size_t len,
                     gh_buf *out)
{
    if (is_text(body, len)) {
        gh_buf_puts(out, "      body: ");
        put_text(out, body, len);
        gh_buf_putc(out, '\n');
        return;
    }
    char *file = save_body(r, what, body, len);
    if (file) {
        gh_buf_puts(out, "      bodyFile: ");
        gh_yaml_cstring(out, file);
        gh_buf_putc(out, '\n');
    }
    free(file);
}

static void put_fixture(gh_api_recorder *r, const gh_request *req, const gh_response *resp,
                        gh_buf *out)
{
    gh_buf_printf(out, "  - name: ");
    gh_buf name = GH_BUF_INIT;
    gh_buf_printf(&name, "%u %s %s", r->count, req->method, req->path);
    put_text(out, name.data, name.len);
    gh_buf_free(&name);
    gh_buf_puts(out, "\n    request:\n      method: ");
    put_cstr(out, req->method);
    gh_buf_puts(out, "\n      path: ");
    put_cstr(out, req->path);
    gh_buf_putc(out, '\n');
    put_query(req->arena, req->query, out);
    gh_buf_puts(out, "      headers: ");
    put_request_headers(r, &req->headers, out);
    if (req->body && req->body_len)
        put_body(r, "request", req->body, req->body_len, out);

    gh_buf_printf(out, "    expect:\n      status: %d\n", resp->status);
    const char *type = gh_headers_get(&resp->headers, "Content-Type");
    if (type) {
        gh_buf_puts(out, "      headers: {\"Content-Type\": ");
        put_cstr(out, type);
        gh_buf_puts(out, "}\n");
    }
    json_t *json = resp->body_len ? json_loadb(resp->body, resp->body_len, JSON_DECODE_ANY,
                                               NULL)
                                  : NULL;
    if (json) {
        gh_buf_puts(out, "      json: ");
        put_json(out, json);
        gh_buf_putc(out, '\n');
        json_decref(json);
    } else {
        put_body(r, "response", resp->body ? resp->body : "", resp->body_len, out);
    }
}

void gh_api_recorder_observe(void *ud, const gh_request *req, const gh_response *resp)
{
    gh_api_recorder *r = ud;
    pthread_mutex_lock(&r->mu);
    if (!r->f && !r->failed) {
        char *path = NULL;
        r->f = gh_yaml_create(r->dir, "api", &path);
        if (!r->f) {
            r->failed = true;
            gh_log(GH_LOG_ERROR, "cannot create the fixture file %s: %s", path, strerror(errno));
        } else {
            const char *base = strrchr(path, '/');
            base = base ? base + 1 : path;
            r->stem = strndup(base, strlen(base) - 5); /* without ".yaml" */
            gh_log(GH_LOG_INFO, "recording the API's exchanges as fixtures into %s", path);
            fprintf(r->f, "# gatehouse fixtures recorded by serve --record (docs/fixtures.md)\n"
                          "fixtures:\n");
            fflush(r->f);
        }
        free(path);
    }
    if (r->f && r->stem) {
        r->count++;
        gh_buf out = GH_BUF_INIT;
        put_fixture(r, req, resp, &out);
        fwrite(out.data, 1, out.len, r->f);
        fflush(r->f);
        gh_buf_free(&out);
    }
    pthread_mutex_unlock(&r->mu);
}

gh_api_recorder *gh_api_recorder_new(const char *dir, const char *const *redact)
{
    gh_api_recorder *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->dir = strdup(dir);
    size_t n = 0;
    while (redact && redact[n])
        n++;
    r->redact = calloc(n + 1, sizeof *r->redact);
    for (size_t i = 0; r->redact && i < n; i++)
        r->redact[r->nredact++] = strdup(redact[i]);
    pthread_mutex_init(&r->mu, NULL);
    return r;
}

void gh_api_recorder_free(gh_api_recorder *r)
{
    if (!r)
        return;
    if (r->f)
        fclose(r->f);
    for (size_t i = 0; i < r->nredact; i++)
        free(r->redact[i]);
    free(r->redact);
    free(r->stem);
    free(r->dir);
    pthread_mutex_destroy(&r->mu);
    free(r);
}
