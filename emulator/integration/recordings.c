/* Loading a recordings folder for the replay backend: gatehouse's recordings files and
 * HAR 1.2 files (what browsers and proxies export), both read through the position-
 * keeping node reader so every entry knows its file:line for "closest recording" notes
 * and every load error points into the file. */
#include "integration/recordings.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "spec/node.h"
#include "util/base64.h"
#include "util/url.h"

typedef struct loader {
    gh_recordings *rs;
    const char *file;
    char *err;
    size_t errlen;
} loader;

__attribute__((format(printf, 3, 4))) static int fail(loader *l, const gh_node *at,
                                                      const char *fmt, ...)
{
    int n = snprintf(l->err, l->errlen, "%s:%u:%u: ", l->file, at ? at->mark.line : 1,
                     at ? at->mark.col : 1);
    if (n < 0 || (size_t)n >= l->errlen)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->err + n, l->errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

static gh_arena *A(loader *l)
{
    return l->rs->arena;
}

void gh_rec_url_parse(gh_arena *a, const char *url, gh_rec_url *out)
{
    *out = (gh_rec_url){"", "", "/", {0}};
    const char *p = url;
    const char *sep = strstr(url, "://");
    if (sep) {
        char *scheme = gh_arena_strndup(a, url, (size_t)(sep - url));
        for (char *c = scheme; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                *c = (char)(*c - 'A' + 'a');
        out->scheme = scheme;
        p = sep + 3;
    }
    size_t n = strcspn(p, "/?#");
    char *auth = gh_arena_strndup(a, p, n);
    for (char *c = auth; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    /* http://h:80/ and http://h/ are the same place. */
    size_t alen = strlen(auth);
    if ((!strcmp(out->scheme, "http") && alen > 3 && !strcmp(auth + alen - 3, ":80")) ||
        (!strcmp(out->scheme, "https") && alen > 4 && !strcmp(auth + alen - 4, ":443")))
        *strrchr(auth, ':') = '\0';
    out->authority = auth;
    p += n;
    size_t plen = strcspn(p, "?#");
    if (plen)
        out->path = gh_arena_strndup(a, p, plen);
    p += plen;
    if (*p == '?') {
        size_t qlen = strcspn(p + 1, "#");
        gh_query_parse(a, gh_arena_strndup(a, p + 1, qlen), &out->query);
    }
}

json_t *gh_rec_body_json(const char *body, size_t len)
{
    if (!body || !len)
        return NULL;
    return json_loadb(body, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
}

static gh_recording *add(loader *l, const gh_node *at)
{
    gh_recordings *rs = l->rs;
    if (rs->n == rs->cap) {
        size_t cap = rs->cap ? rs->cap * 2 : 16;
        gh_recording *grown = realloc(rs->items, cap * sizeof *grown);
        if (!grown)
            return NULL;
        rs->items = grown;
        rs->cap = cap;
    }
    gh_recording *r = &rs->items[rs->n++];
    memset(r, 0, sizeof *r);
    r->where = gh_arena_printf(A(l), "%s:%u", l->file, at->mark.line);
    return r;
}

/* Method upper-cased, the URL split, the body's JSON parsed once. */
static void finish_request(loader *l, gh_recording *r, const char *method, const char *url)
{
    char *m = gh_arena_strdup(A(l), method);
    for (char *c = m; *c; c++)
        if (*c >= 'a' && *c <= 'z')
            *c = (char)(*c - 'a' + 'A');
    r->method = m;
    r->url = gh_arena_strdup(A(l), url);
    gh_rec_url_parse(A(l), r->url, &r->parts);
    r->body_json = gh_rec_body_json(r->body, r->body_len);
}

/* body: text, or bodyBase64 (exclusive). */
static int read_body(loader *l, const gh_node *map, const char **body, size_t *len)
{
    const gh_node *text = gh_node_get(map, "body");
    const gh_node *b64 = gh_node_get(map, "bodyBase64");
    *body = NULL;
    *len = 0;
    if (text && b64)
        return fail(l, b64, "give body or bodyBase64, not both");
    if (text && text->kind != GH_NODE_NULL) {
        if (text->kind == GH_NODE_SEQ || text->kind == GH_NODE_MAP)
            return fail(l, text, "body must be a string (use bodyBase64 for bytes)");
        *body = gh_arena_memdup(A(l), text->text, text->len + 1);
        *len = text->len;
    } else if (b64 && b64->kind != GH_NODE_NULL) {
        char *out;
        if (!gh_node_str(b64) || gh_base64_decode(A(l), b64->text, b64->len, &out, len) != 0)
            return fail(l, b64, "bodyBase64 is not valid base64");
        *body = out;
    }
    return 0;
}

/* headers: {Name: value, Name: [value, value]} */
static int read_headers(loader *l, const gh_node *map, gh_headers *out)
{
    const gh_node *h = gh_node_get(map, "headers");
    if (!h || h->kind == GH_NODE_NULL)
        return 0;
    if (h->kind != GH_NODE_MAP)
        return fail(l, h, "headers must be a map of name to value (or list of values)");
    for (size_t i = 0; i < h->n; i++) {
        const gh_node *v = h->pairs[i].value;
        const char *name = gh_arena_strdup(A(l), h->pairs[i].key->text);
        size_t count = v->kind == GH_NODE_SEQ ? v->n : 1;
        for (size_t k = 0; k < count; k++) {
            const gh_node *one = v->kind == GH_NODE_SEQ ? v->items[k] : v;
            const char *text = gh_node_scalar(one);
            if (!text)
                return fail(l, one, "header '%s' needs a text value", name);
            gh_headers_add(A(l), out, name, gh_arena_strdup(A(l), text));
        }
    }
    return 0;
}

static int read_entry(loader *l, const gh_node *e)
{
    const gh_node *rq = gh_node_get(e, "request");
    if (e->kind != GH_NODE_MAP || !rq || rq->kind != GH_NODE_MAP)
        return fail(l, e, "a recording needs a 'request' map (docs/fixtures.md)");
    const char *method = gh_node_scalar(gh_node_get(rq, "method"));
    const char *url = gh_node_str(gh_node_get(rq, "url"));
    if (!url || !strstr(url, "://"))
        return fail(l, rq, "a recorded request needs an absolute 'url' (scheme://host/path)");
    gh_recording *r = add(l, e);
    if (!r)
        return fail(l, e, "out of memory");
    if (read_headers(l, rq, &r->headers) || read_body(l, rq, &r->body, &r->body_len))
        return -1;
    finish_request(l, r, method ? method : "GET", url);

    const gh_node *resp = gh_node_get(e, "response");
    const gh_node *error = gh_node_get(e, "error");
    if (error) {
        const char *what = gh_node_str(error);
        if (what && !strcmp(what, "timeout"))
            r->outcome = GH_BACKEND_TIMEOUT;
        else if (what && !strcmp(what, "unreachable"))
            r->outcome = GH_BACKEND_UNREACHABLE;
        else
            return fail(l, error, "error must be timeout or unreachable");
        r->error_detail = gh_arena_strdup(A(l), gh_node_str(gh_node_get(e, "detail")));
        return 0;
    }
    if (!resp || resp->kind != GH_NODE_MAP)
        return fail(l, e, "a recording needs a 'response' map or an 'error'");
    const gh_node *status = gh_node_get(resp, "status");
    const char *st = gh_node_scalar(status);
    char *end = NULL;
    long code = st ? strtol(st, &end, 10) : 0;
    if (!st || *end || code < 100 || code > 599)
        return fail(l, status ? status : resp, "response status must be a number from 100 to 599");
    r->response.status = (int)code;
    return read_headers(l, resp, &r->response.headers) ||
           read_body(l, resp, &r->response.body, &r->response.body_len);
}

/* HAR name/value lists; HTTP/2 pseudo-headers (":authority") are not headers to send. */
static int read_har_headers(loader *l, const gh_node *list, gh_headers *out, bool decoded)
{
    if (!list || list->kind == GH_NODE_NULL)
        return 0;
    if (list->kind != GH_NODE_SEQ)
        return fail(l, list, "HAR headers must be a list of {name, value}");
    for (size_t i = 0; i < list->n; i++) {
        const char *name = gh_node_str(gh_node_get(list->items[i], "name"));
        const char *value = gh_node_scalar(gh_node_get(list->items[i], "value"));
        if (!name || !value)
            return fail(l, list->items[i], "a HAR header needs a name and a value");
        if (name[0] == ':')
            continue;
        /* HAR's content.text is the decoded body: its original length and coding no
         * longer describe it. */
        if (decoded && (!strcasecmp(name, "Content-Encoding") ||
                        !strcasecmp(name, "Content-Length") ||
                        !strcasecmp(name, "Transfer-Encoding")))
            continue;
        gh_headers_add(A(l), out, gh_arena_strdup(A(l), name), gh_arena_strdup(A(l), value));
    }
    return 0;
}

/* HAR content: text, base64 when encoding says so. */
static int read_har_text(loader *l, const gh_node *content, const char **body, size_t *len)
{
    const gh_node *text = gh_node_get(content, "text");
    const char *enc = gh_node_str(gh_node_get(content, "encoding"));
    *body = NULL;
    *len = 0;
    if (!text || !gh_node_str(text))
        return 0;
    if (enc && !strcasecmp(enc, "base64")) {
        char *out;
        if (gh_base64_decode(A(l), text->text, text->len, &out, len) != 0)
            return fail(l, text, "content.text is not valid base64");
        *body = out;
        return 0;
    }
    *body = gh_arena_memdup(A(l), text->text, text->len + 1);
    *len = text->len;
    return 0;
}

static int read_har(loader *l, const gh_node *root)
{
    const gh_node *entries = gh_node_get(gh_node_get(root, "log"), "entries");
    if (!entries || entries->kind != GH_NODE_SEQ)
        return fail(l, root, "not a HAR file: expected log.entries (HAR 1.2)");
    for (size_t i = 0; i < entries->n; i++) {
        const gh_node *e = entries->items[i];
        const gh_node *rq = gh_node_get(e, "request");
        const gh_node *resp = gh_node_get(e, "response");
        const char *method = gh_node_str(gh_node_get(rq, "method"));
        const char *url = gh_node_str(gh_node_get(rq, "url"));
        if (!method || !url || !strstr(url, "://") || !resp)
            return fail(l, e, "a HAR entry needs request.method, an absolute request.url "
                              "and a response");
        gh_recording *r = add(l, e);
        if (!r)
            return fail(l, e, "out of memory");
        if (read_har_headers(l, gh_node_get(rq, "headers"), &r->headers, false) ||
            read_har_text(l, gh_node_get(rq, "postData"), &r->body, &r->body_len))
            return -1;
        finish_request(l, r, method, url);
        const char *st = gh_node_scalar(gh_node_get(resp, "status"));
        long code = st ? strtol(st, NULL, 10) : 0;
        /* Browsers write status 0 for a request that got no answer. */
        if (code < 100 || code > 599) {
            r->outcome = GH_BACKEND_UNREACHABLE;
            r->error_detail = "HAR entry without a response (status 0)";
            continue;
        }
        r->response.status = (int)code;
        if (read_har_headers(l, gh_node_get(resp, "headers"), &r->response.headers, true) ||
            read_har_text(l, gh_node_get(resp, "content"), &r->response.body,
                          &r->response.body_len))
            return -1;
    }
    return 0;
}

static int read_file(loader *l, const gh_doc *doc, bool har)
{
    const gh_node *root = doc->root;
    /* Tools also save HAR as .json: log.entries says what it is. */
    if (har || gh_node_get(gh_node_get(root, "log"), "entries"))
        return read_har(l, root);
    const gh_node *list = gh_node_get(root, "recordings");
    if (!list && gh_node_get(root, "fixtures"))
        return 0; /* a fixture file (`serve --record` writes them beside recordings) */
    if (!gh_node_get_pair(root, "recordings"))
        return fail(l, root, "not a recordings file: expected a top-level 'recordings' "
                             "list (docs/fixtures.md) or a fixture file");
    if (!list || list->kind == GH_NODE_NULL)
        return 0; /* a run that recorded nothing yet */
    if (list->kind != GH_NODE_SEQ)
        return fail(l, list, "recordings must be a list");
    for (size_t i = 0; i < list->n; i++)
        if (read_entry(l, list->items[i]) != 0)
            return -1;
    return 0;
}

static const char *suffix(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot ? dot + 1 : "";
}

static int wanted(const struct dirent *d)
{
    const char *s = suffix(d->d_name);
    return d->d_name[0] != '.' && (!strcasecmp(s, "yaml") || !strcasecmp(s, "yml") ||
                                   !strcasecmp(s, "json") || !strcasecmp(s, "har"));
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

int gh_recordings_load(gh_recordings *rs, const char *dir, char *err, size_t errlen)
{
    memset(rs, 0, sizeof *rs);
    rs->arena = gh_arena_new(64 * 1024);
    struct dirent **names = NULL;
    int n = scandir(dir, &names, wanted, by_name);
    if (n < 0) {
        snprintf(err, errlen, "%s: cannot read the recordings folder: %s", dir, strerror(errno));
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
        if (rc == 0) {
            char *path = gh_arena_printf(rs->arena, "%s/%s", dir, names[i]->d_name);
            gh_diags d = GH_DIAGS_INIT;
            gh_doc *doc = NULL;
            loader l = {rs, path, err, errlen};
            if (gh_doc_load_file(path, &doc, &d) != 0) {
                snprintf(err, errlen, "%s", d.n ? d.items[0].text : path);
                rc = -1;
            } else {
                rc = read_file(&l, doc, !strcasecmp(suffix(path), "har"));
            }
            gh_doc_free(doc);
            gh_diags_free(&d);
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

void gh_recordings_free(gh_recordings *rs)
{
    for (size_t i = 0; i < rs->n; i++)
        json_decref(rs->items[i].body_json);
    free(rs->items);
    gh_arena_free(rs->arena);
    memset(rs, 0, sizeof *rs);
}
