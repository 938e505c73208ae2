/* The replay backend: answers HTTP integrations from a folder of recordings and never
 * touches the network. A request matches a recording when the method, the URL's scheme,
 * host and path (exactly), its query (as a multiset: order ignored), the body (unless
 * match_body is off; JSON bodies compared as JSON values) and the headers named in
 * match_headers all agree. When several recordings match, they answer in order and the
 * last one then repeats (docs/fixtures.md, "Replay"). A request nothing matches gets
 * GH_BACKEND_NO_RECORDING with the closest recording and what differed. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "integration/backend_impl.h"
#include "integration/recordings.h"
#include "util/buf.h"
#include "util/json_text.h"

/* A recorded header value that was redacted matches whatever the request sends. */
#define REDACTED "<redacted>"

/* How far apart a request and a recording are, to name the closest: a different host
 * weighs most, then method and path, then body, headers and each query parameter. */
enum { W_HOST = 16, W_METHOD = 8, W_PATH = 8, W_BODY = 4, W_HEADER = 2, W_QUERY = 1 };

typedef struct replayer {
    gh_backend base;
    gh_recordings recs;
    char *dir;
    bool match_body;
    char **match_headers;
    size_t nmatch_headers;
    pthread_mutex_t mu; /* guards every recording's uses */
} replayer;

/* The request as compared. */
typedef struct probe {
    const char *method;
    gh_rec_url parts;
    const gh_headers *headers;
    const char *body;
    size_t body_len;
    json_t *body_json;
} probe;

static _Thread_local char error_text[2048];

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The values of one query parameter, sorted, joined by ", " into *text when asked. */
static size_t values_of(gh_arena *a, const gh_headers *q, const char *name, const char ***out)
{
    size_t n = 0;
    const char **v = gh_arena_alloc(a, (q->n + 1) * sizeof *v);
    for (size_t i = 0; i < q->n; i++)
        if (!strcmp(q->items[i].name, name))
            v[n++] = q->items[i].value;
    qsort(v, n, sizeof *v, cmp_str);
    *out = v;
    return n;
}

static void put_values(gh_buf *why, const char **v, size_t n)
{
    if (!n) {
        gh_buf_puts(why, "absent");
        return;
    }
    for (size_t i = 0; i < n; i++)
        gh_buf_printf(why, "%s\"%s\"", i ? ", " : "", v[i]);
}

static bool seen_before(const gh_headers *q, size_t i)
{
    for (size_t k = 0; k < i; k++)
        if (!strcmp(q->items[k].name, q->items[i].name))
            return true;
    return false;
}

static bool has_name(const gh_headers *q, const char *name)
{
    for (size_t k = 0; k < q->n; k++)
        if (!strcmp(q->items[k].name, name))
            return true;
    return false;
}

/* Query parameters as multisets: each name whose values differ counts once. */
static unsigned compare_query(gh_arena *a, const gh_headers *sent, const gh_headers *rec,
                              gh_buf *why)
{
    unsigned score = 0;
    for (int side = 0; side < 2; side++) {
        const gh_headers *q = side ? rec : sent;
        for (size_t i = 0; i < q->n; i++) {
            const char *name = q->items[i].name;
            /* Each name once: the first time it appears on either side. */
            if (seen_before(q, i) || (side && has_name(sent, name)))
                continue;
            const char **sv, **rv;
            size_t sn = values_of(a, sent, name, &sv), rn = values_of(a, rec, name, &rv);
            bool same = sn == rn;
            for (size_t k = 0; same && k < sn; k++)
                same = !strcmp(sv[k], rv[k]);
            if (same)
                continue;
            score += W_QUERY;
            if (why) {
                gh_buf_printf(why, "; query %s: sent ", name);
                put_values(why, sv, sn);
                gh_buf_puts(why, ", recorded ");
                put_values(why, rv, rn);
            }
        }
    }
    return score;
}

static void put_json(gh_buf *why, const json_t *v)
{
    if (!v) {
        gh_buf_puts(why, "nothing");
        return;
    }
    gh_buf text = GH_BUF_INIT;
    gh_json_text(v, true, &text);
    if (text.len > 60)
        gh_buf_printf(why, "%.57s...", text.data);
    else
        gh_buf_puts(why, text.data);
    gh_buf_free(&text);
}

/* Appends "$.a[2]: sent X, recorded Y" for the first place two JSON values differ. */
static void json_first_diff(const json_t *s, const json_t *r, gh_buf *path, gh_buf *why)
{
    if (s && r && json_typeof(s) == json_typeof(r)) {
        if (json_is_object(s)) {
            const char *key;
            json_t *sv;
            json_object_foreach((json_t *)s, key, sv) {
                json_t *rv = json_object_get(r, key);
                if (rv && json_equal(sv, rv))
                    continue;
                gh_buf_printf(path, ".%s", key);
                json_first_diff(sv, rv, path, why);
                return;
            }
            json_object_foreach((json_t *)r, key, sv) {
                if (json_object_get(s, key))
                    continue;
                gh_buf_printf(path, ".%s", key);
                json_first_diff(NULL, sv, path, why);
                return;
            }
        } else if (json_is_array(s) && json_array_size(s) == json_array_size(r)) {
            for (size_t i = 0; i < json_array_size(s); i++)
                if (!json_equal(json_array_get(s, i), json_array_get(r, i))) {
                    gh_buf_printf(path, "[%zu]", i);
                    json_first_diff(json_array_get(s, i), json_array_get(r, i), path, why);
                    return;
                }
        }
    }
    gh_buf_printf(why, "; body differs at %s: sent ", path->data);
    put_json(why, s);
    gh_buf_puts(why, ", recorded ");
    put_json(why, r);
}

static unsigned compare_body(const probe *q, const gh_recording *r, gh_buf *why)
{
    if (q->body_json && r->body_json) {
        if (json_equal(q->body_json, r->body_json))
            return 0;
        if (why) {
            gh_buf path = GH_BUF_INIT;
            gh_buf_putc(&path, '$');
            json_first_diff(q->body_json, r->body_json, &path, why);
            gh_buf_free(&path);
        }
        return W_BODY;
    }
    if (q->body_len == r->body_len && (!q->body_len || !memcmp(q->body, r->body, q->body_len)))
        return 0;
    if (why) {
        size_t at = 0;
        while (at < q->body_len && at < r->body_len && q->body[at] == r->body[at])
            at++;
        gh_buf_printf(why, "; body differs from byte %zu (sent %zu bytes, recorded %zu)", at,
                      q->body_len, r->body_len);
    }
    return W_BODY;
}

/* 0 when r answers q; otherwise a distance, with what differed appended to why (when
 * not NULL) as "; what: sent X, recorded Y" parts. */
static unsigned compare(const replayer *p, gh_arena *a, const probe *q, const gh_recording *r,
                        gh_buf *why)
{
    unsigned score = 0;
    const gh_rec_url *s = &q->parts, *u = &r->parts;
    if (strcmp(s->scheme, u->scheme) || strcmp(s->authority, u->authority)) {
        score += W_HOST;
        if (why)
            gh_buf_printf(why, "; host: sent %s://%s, recorded %s://%s", s->scheme,
                          s->authority, u->scheme, u->authority);
    }
    if (strcmp(q->method, r->method)) {
        score += W_METHOD;
        if (why)
            gh_buf_printf(why, "; method: sent %s, recorded %s", q->method, r->method);
    }
    if (strcmp(s->path, u->path)) {
        score += W_PATH;
        if (why)
            gh_buf_printf(why, "; path: sent %s, recorded %s", s->path, u->path);
    }
    score += compare_query(a, &s->query, &u->query, why);
    for (size_t i = 0; i < p->nmatch_headers; i++) {
        const char *name = p->match_headers[i];
        const char *sv = gh_headers_get(q->headers, name);
        const char *rv = gh_headers_get(&r->headers, name);
        if ((!sv && !rv) || (sv && rv && (!strcmp(sv, rv) || !strcmp(rv, REDACTED))))
            continue;
        score += W_HEADER;
        if (why)
            gh_buf_printf(why, "; header %s: sent %s%s%s, recorded %s%s%s", name,
                          sv ? "\"" : "", sv ? sv : "absent", sv ? "\"" : "", rv ? "\"" : "",
                          rv ? rv : "absent", rv ? "\"" : "");
    }
    if (p->match_body)
        score += compare_body(q, r, why);
    return score;
}

static void copy_response(gh_arena *a, const gh_backend_response *from, gh_backend_response *to)
{
    memset(to, 0, sizeof *to);
    to->status = from->status;
    for (size_t i = 0; i < from->headers.n; i++)
        gh_headers_add(a, &to->headers, gh_arena_strdup(a, from->headers.items[i].name),
                       gh_arena_strdup(a, from->headers.items[i].value));
    if (from->body) {
        to->body = gh_arena_memdup(a, from->body, from->body_len + 1);
        to->body_len = from->body_len;
    }
}

static gh_backend_status replay_exchange(gh_backend *self, gh_arena *a,
                                         const gh_backend_request *rq, gh_backend_response *rs,
                                         const char **detail)
{
    replayer *p = (replayer *)self;
    char *method = gh_arena_strdup(a, rq->method ? rq->method : "GET");
    for (char *c = method; *c; c++)
        if (*c >= 'a' && *c <= 'z')
            *c = (char)(*c - 'a' + 'A');
    probe q = {.method = method, .headers = &rq->headers, .body = rq->body,
               .body_len = rq->body ? rq->body_len : 0};
    gh_rec_url_parse(a, rq->url, &q.parts);
    if (p->match_body)
        q.body_json = gh_rec_body_json(q.body, q.body_len);

    gh_recording *unused = NULL, *last = NULL, *closest = NULL;
    unsigned best = ~0u;
    pthread_mutex_lock(&p->mu);
    for (size_t i = 0; i < p->recs.n; i++) {
        gh_recording *r = &p->recs.items[i];
        unsigned score = compare(p, a, &q, r, NULL);
        if (score == 0) {
            last = r;
            if (!unused && r->uses == 0)
                unused = r;
        } else if (score < best) {
            best = score;
            closest = r;
        }
    }
    gh_recording *chosen = unused ? unused : last;
    if (chosen)
        chosen->uses++;
    pthread_mutex_unlock(&p->mu);

    gh_backend_status st = GH_BACKEND_NO_RECORDING;
    if (chosen && chosen->outcome == GH_BACKEND_OK) {
        copy_response(a, &chosen->response, rs);
        st = GH_BACKEND_OK;
    } else if (chosen) {
        st = chosen->outcome;
        *detail = gh_arena_printf(a, "recorded %s at %s%s%s",
                                  st == GH_BACKEND_TIMEOUT ? "timeout" : "unreachable",
                                  chosen->where, chosen->error_detail ? ": " : "",
                                  chosen->error_detail ? chosen->error_detail : "");
    } else {
        gh_buf why = GH_BUF_INIT;
        gh_buf_printf(&why, "no recording matches %s %s", method, rq->url);
        if (closest) {
            gh_buf_printf(&why, "; closest is %s", closest->where);
            compare(p, a, &q, closest, &why);
        } else {
            gh_buf_printf(&why, "; %s holds no recordings", p->dir);
        }
        *detail = gh_arena_strndup(a, why.data, why.len);
        gh_buf_free(&why);
    }
    json_decref(q.body_json);
    return st;
}

static void replay_free(gh_backend *self)
{
    replayer *p = (replayer *)self;
    gh_recordings_free(&p->recs);
    for (size_t i = 0; i < p->nmatch_headers; i++)
        free(p->match_headers[i]);
    free(p->match_headers);
    free(p->dir);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

gh_backend *gh_backend_replay(const gh_backend_options *opt, const char **error)
{
    *error = NULL;
    replayer *p = calloc(1, sizeof *p);
    if (!p) {
        *error = "out of memory";
        return NULL;
    }
    p->base = (gh_backend){replay_exchange, replay_free};
    pthread_mutex_init(&p->mu, NULL);
    p->dir = strdup(opt->dir ? opt->dir : "");
    p->match_body = opt->match_body;
    size_t n = 0;
    while (opt->match_headers && opt->match_headers[n])
        n++;
    p->match_headers = calloc(n + 1, sizeof *p->match_headers);
    for (size_t i = 0; p->match_headers && i < n; i++)
        p->match_headers[p->nmatch_headers++] = strdup(opt->match_headers[i]);
    if (gh_recordings_load(&p->recs, p->dir, error_text, sizeof error_text) != 0) {
        *error = error_text;
        replay_free(&p->base);
        return NULL;
    }
    return &p->base;
}
