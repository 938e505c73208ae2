/* Sending a scenario's requests with libcurl and matching what comes back. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "harness/queue_expect.h"
#include "harness/runner.h"
#include "util/buf.h"

struct gh_runner {
    CURL *curl;
    gh_fx_queues *queues;
};

void gh_runner_set_queues(gh_runner *r, gh_fx_queues *q)
{
    r->queues = q;
}

gh_runner *gh_runner_new(void)
{
    gh_runner *r = calloc(1, sizeof *r);
    r->curl = curl_easy_init();
    if (!r->curl) {
        free(r);
        return NULL;
    }
    return r;
}

void gh_runner_free(gh_runner *r)
{
    if (!r)
        return;
    curl_easy_cleanup(r->curl);
    free(r);
}

/* A request in the making: everything from the run's arena. */
typedef struct exchange {
    gh_arena *a;
    gh_buf body;
    gh_fx_header *headers;
    size_t nheaders, cap;
} exchange;

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    exchange *x = ud;
    gh_buf_append(&x->body, p, size * n);
    return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    exchange *x = ud;
    size_t len = size * n;
    while (len && (p[len - 1] == '\n' || p[len - 1] == '\r'))
        len--;
    if (len >= 5 && !strncmp(p, "HTTP/", 5)) {
        x->nheaders = 0; /* a new response (after a 100 Continue): its own headers */
        return size * n;
    }
    const char *colon = memchr(p, ':', len);
    if (!colon)
        return size * n;
    const char *v = colon + 1;
    while (v < p + len && (*v == ' ' || *v == '\t'))
        v++;
    if (x->nheaders == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 16;
        gh_fx_header *h = gh_arena_alloc(x->a, cap * sizeof *h);
        if (x->nheaders)
            memcpy(h, x->headers, x->nheaders * sizeof *h);
        x->headers = h;
        x->cap = cap;
    }
    x->headers[x->nheaders++] = (gh_fx_header){
        gh_arena_strndup(x->a, p, (size_t)(colon - p)),
        gh_arena_strndup(x->a, v, (size_t)(p + len - v))};
    return size * n;
}

static void put_encoded(gh_buf *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            gh_buf_putc(b, (char)c);
        } else {
            gh_buf_putc(b, '%');
            gh_buf_putc(b, hex[c >> 4]);
            gh_buf_putc(b, hex[c & 15]);
        }
    }
}

const char *gh_runner_url(gh_arena *a, const char *base, const char *stage, const char *path,
                          const char *query)
{
    gh_buf b = GH_BUF_INIT;
    size_t blen = strlen(base);
    while (blen && base[blen - 1] == '/')
        blen--;
    gh_buf_append(&b, base, blen);
    if (stage && *stage) {
        gh_buf_putc(&b, '/');
        gh_buf_puts(&b, stage);
    }
    gh_buf_puts(&b, path);
    if (query && *query) {
        gh_buf_putc(&b, strchr(path, '?') ? '&' : '?');
        gh_buf_puts(&b, query);
    }
    const char *out = gh_arena_strndup(a, b.data, b.len);
    gh_buf_free(&b);
    return out;
}

/* Substitutes a string node, failing the fixture (not sending) when a variable is
 * unknown. */
static const char *sub(gh_arena *a, const gh_vars *v, const gh_node *n, size_t *len,
                       gh_fx_result *r, const char *what)
{
    const char *err = NULL;
    size_t l;
    /* n->len, not strlen: a body may hold "\u0000" */
    const char *text = gh_node_scalar(n) ? n->text : "";
    size_t tlen = gh_node_scalar(n) ? n->len : 0;
    const char *s = gh_vars_subst(v, a, text, tlen, &l, NULL, &err);
    if (!s)
        gh_fx_fail(a, r, GH_FX_OTHER, what, NULL, NULL, err);
    if (len)
        *len = l;
    return s;
}

static bool add_query(gh_arena *a, const gh_vars *v, const gh_node *q, gh_buf *out,
                      gh_fx_result *r)
{
    for (size_t i = 0; q && i < q->n; i++) {
        const gh_node *val = q->pairs[i].value;
        size_t count = val->kind == GH_NODE_SEQ ? val->n : 1;
        for (size_t k = 0; k < count; k++) {
            const gh_node *one = val->kind == GH_NODE_SEQ ? val->items[k] : val;
            size_t len;
            const char *s = sub(a, v, one, &len, r, "request.query");
            if (!s)
                return false;
            if (out->len)
                gh_buf_putc(out, '&');
            put_encoded(out, q->pairs[i].key->text, q->pairs[i].key->len);
            gh_buf_putc(out, '=');
            put_encoded(out, s, len);
        }
    }
    return true;
}

static bool has_header(const gh_node *h, const char *name)
{
    for (size_t i = 0; h && i < h->n; i++)
        if (!strcasecmp(h->pairs[i].key->text, name))
            return true;
    return false;
}

static struct curl_slist *header(struct curl_slist *l, gh_arena *a, const char *name,
                                 const char *value)
{
    /* curl sends "Name;" as a header with an empty value ("Name:" would remove it). */
    const char *line = *value ? gh_arena_printf(a, "%s: %s", name, value)
                              : gh_arena_printf(a, "%s;", name);
    return curl_slist_append(l, line);
}

/* Builds and sends f's request; false (with the reason in r) when it could not go out. */
static bool send_one(gh_runner *rn, gh_arena *a, const gh_vars *v, const char *base,
                     const gh_fixture *f, const char *dir, gh_fx_result *r)
{
    const char *method = f->method ? sub(a, v, f->method, NULL, r, "request.method") : "GET";
    const char *path = sub(a, v, f->path, NULL, r, "request.path");
    const char *stage = f->stage ? sub(a, v, f->stage, NULL, r, "request.stage") : NULL;
    if (!method || !path || (f->stage && !stage))
        return false;
    gh_buf q = GH_BUF_INIT;
    bool ok = add_query(a, v, f->query, &q, r);
    const char *url = gh_runner_url(a, base, stage, path, q.data);
    gh_buf_free(&q);
    if (!ok)
        return false;

    const char *body = NULL;
    size_t body_len = 0;
    if (f->body) {
        body = sub(a, v, f->body, &body_len, r, "request.body");
        if (!body)
            return false;
    } else if (f->json) {
        const char *err = NULL;
        json_t *j = gh_fx_node_json(a, v, f->json, &err);
        if (!j) {
            gh_fx_fail(a, r, GH_FX_OTHER, "request.json", NULL, NULL, err);
            return false;
        }
        char *s = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
        json_decref(j);
        body = gh_arena_strdup(a, s ? s : "null");
        body_len = strlen(body);
        free(s);
    } else if (f->body_file) {
        const char *name = sub(a, v, f->body_file, NULL, r, "request.bodyFile");
        if (!name)
            return false;
        const char *p = name[0] == '/' || !dir || !*dir ? name : gh_arena_printf(a, "%s/%s", dir, name);
        FILE *fp = fopen(p, "rb");
        if (!fp) {
            gh_fx_fail(a, r, GH_FX_OTHER, "request.bodyFile", NULL, NULL,
                       gh_arena_printf(a, "cannot read %s", p));
            return false;
        }
        gh_buf b = GH_BUF_INIT;
        char chunk[8192];
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
            gh_buf_append(&b, chunk, n);
        fclose(fp);
        body = gh_arena_strndup(a, b.data ? b.data : "", b.len);
        body_len = b.len;
        gh_buf_free(&b);
    }

    struct curl_slist *hl = NULL;
    bool hl_ok = true;
    for (size_t i = 0; f->headers && i < f->headers->n; i++) {
        const char *val = sub(a, v, f->headers->pairs[i].value, NULL, r, "request.headers");
        hl_ok = hl_ok && val;
        if (val)
            hl = header(hl, a, f->headers->pairs[i].key->text, val);
    }
    if (f->api_key) {
        const char *key = sub(a, v, f->api_key, NULL, r, "request.apiKey");
        hl_ok = hl_ok && key;
        if (key)
            hl = header(hl, a, "x-api-key", key);
    }
    if (!has_header(f->headers, "Content-Type"))
        /* json: says what it is; otherwise no Content-Type unless the fixture gives one
         * (curl would add a form type to any body). */
        hl = curl_slist_append(hl, f->json ? "Content-Type: application/json" : "Content-Type:");
    hl = curl_slist_append(hl, "Expect:");
    if (!hl_ok) {
        curl_slist_free_all(hl);
        return false;
    }

    CURL *c = rn->curl;
    curl_easy_reset(c);
    exchange x = {a, GH_BUF_INIT, NULL, 0, 0};
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)GH_RUNNER_TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &x);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &x);
    if (!strcmp(method, "HEAD"))
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    else if (strcmp(method, "GET") || body)
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    }
    CURLcode rc = curl_easy_perform(c);
    curl_slist_free_all(hl);
    double secs = 0;
    curl_easy_getinfo(c, CURLINFO_TOTAL_TIME, &secs);
    r->seconds = secs;
    if (rc != CURLE_OK) {
        gh_fx_fail(a, r, GH_FX_OTHER, gh_arena_printf(a, "%s %s", method, url), NULL, NULL,
                   gh_arena_printf(a, "no response: %s", curl_easy_strerror(rc)));
        gh_buf_free(&x.body);
        return false;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->resp.status);
    r->resp.headers = x.headers;
    r->resp.nheaders = x.nheaders;
    r->resp.body = gh_arena_strndup(a, x.body.data ? x.body.data : "", x.body.len);
    r->resp.body_len = x.body.len;
    r->sent = true;
    gh_buf_free(&x.body);
    return true;
}

void gh_runner_run_file(gh_runner *rn, const char *base_url, const char *path,
                        gh_fx_file_result *out)
{
    memset(out, 0, sizeof *out);
    out->path = path;
    out->arena = gh_arena_new(16384);
    gh_diags d = GH_DIAGS_INIT;
    if (gh_fixture_file_load(path, &out->file, &d) < 0) {
        gh_buf b = GH_BUF_INIT;
        for (size_t i = 0; i < d.n; i++) {
            gh_buf_puts(&b, d.items[i].text);
            gh_buf_putc(&b, '\n');
        }
        out->load_error = gh_buf_steal(&b, NULL);
        out->failed = 1;
        gh_diags_free(&d);
        return;
    }
    gh_diags_free(&d);
    gh_arena *a = out->arena;
    const gh_fixture_file *ff = out->file;
    gh_vars vars;
    gh_vars_init(&vars, a);
    for (size_t i = 0; ff->vars && i < ff->vars->n; i++) {
        const char *val = gh_node_scalar(ff->vars->pairs[i].value);
        val = val ? val : "";
        gh_vars_set(&vars, ff->vars->pairs[i].key->text, val, strlen(val));
    }
    out->n = ff->n;
    out->results = gh_arena_calloc(a, (ff->n ? ff->n : 1) * sizeof *out->results);
    for (size_t i = 0; i < ff->n; i++) {
        gh_fx_result *r = &out->results[i];
        r->fixture = &ff->items[i];
        r->passed = true;
        /* Arrivals count from just before the request: what it caused, within T of it. */
        uint64_t mark = rn->queues ? gh_fx_queues_mark(rn->queues) : 0;
        int64_t sent_ms = gh_fx_queues_now_ms();
        if (send_one(rn, a, &vars, base_url, r->fixture, ff->doc->dir, r)) {
            gh_fx_match(a, &vars, r->fixture, ff->doc->dir, r);
            if (r->fixture->exp_queues)
                gh_fx_expect_queues(a, &vars, r->fixture, rn->queues, mark, sent_ms, r);
            if (r->passed)
                gh_fx_capture(a, &vars, r->fixture, r);
        }
        r->passed = r->nfails == 0;
        out->failed += !r->passed;
        out->seconds += r->seconds;
    }
}

void gh_fx_file_result_free(gh_fx_file_result *fr)
{
    gh_fixture_file_free(fr->file);
    free(fr->load_error);
    gh_arena_free(fr->arena);
    memset(fr, 0, sizeof *fr);
}
