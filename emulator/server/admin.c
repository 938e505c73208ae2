/* The admin API's router and handlers: one table of routes, each a method, a path
 * pattern under /_gatehouse/ ({name} takes one percent-decoded segment) and a function.
 * Answers are JSON; an unknown path is a JSON 404, a known path with another method a
 * JSON 405 with Allow. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/admin.h"
#include "server/admin_json.h"
#include "util/buf.h"
#include "util/json_text.h"
#include "util/url.h"

/* Peek answers up to this many messages per call (?max=N); AWS has no such call, the
 * limit only keeps an answer small enough to read. */
#define PEEK_DEFAULT 10
#define PEEK_MAX 1000

typedef struct admin_call {
    gh_sim *sim;
    const gh_request *req;
    gh_response *resp;
    const char *name; /* the {name} segment, decoded; NULL when the route has none */
} admin_call;

typedef void (*admin_fn)(admin_call *c);

typedef struct admin_route {
    const char *method;
    const char *pattern; /* after "/_gatehouse/" */
    admin_fn fn;
    bool needs_sim;
} admin_route;

static void reply(admin_call *c, int status, json_t *body)
{
    gh_buf b = GH_BUF_INIT;
    gh_json_text(body, false, &b);
    gh_buf_putc(&b, '\n');
    json_decref(body);
    c->resp->status = status;
    c->resp->body = gh_arena_strndup(c->req->arena, b.data, b.len);
    c->resp->body_len = b.len;
    gh_buf_free(&b);
    gh_headers_set(c->req->arena, &c->resp->headers, "Content-Type", "application/json");
    gh_headers_set(c->req->arena, &c->resp->headers, "Cache-Control", "no-store");
}

static void reply_error(admin_call *c, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void reply_error(admin_call *c, int status, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = gh_arena_vprintf(c->req->arena, fmt, ap);
    va_end(ap);
    /* msg may quote a name decoded from the URL, not necessarily UTF-8. */
    reply(c, status, json_pack("{s:s, s:o}", "error", code, "message", gh_json_str_lossy(msg)));
}

static const char *host_of(const gh_request *req)
{
    const char *h = gh_headers_get(&req->headers, "Host");
    if (h && *h)
        return h;
    return gh_arena_printf(req->arena, "127.0.0.1:%d", req->local_port);
}

static bool queue_exists(admin_call *c)
{
    if (gh_sqs_exists(c->sim->sqs, c->name))
        return true;
    reply_error(c, 404, "NonExistentQueue",
                "no queue named '%s'; GET " GH_ADMIN_PREFIX "/queues lists them", c->name);
    return false;
}

static void health(admin_call *c)
{
    json_t *o = json_pack("{s:s, s:s}", "status", "ok", "version", GH_VERSION);
    if (c->sim) {
        char **names;
        size_t n = gh_sqs_list_queues(c->sim->sqs, NULL, &names);
        gh_sqs_names_free(names, n);
        json_object_set_new(o, "queues", json_integer((json_int_t)n));
        n = gh_sns_list_topics(c->sim->sns, &names);
        gh_sqs_names_free(names, n);
        json_object_set_new(o, "topics", json_integer((json_int_t)n));
    }
    json_object_set_new(o, "simulator", json_boolean(c->sim != NULL));
    reply(c, 200, o);
}

static void queues_list(admin_call *c)
{
    char **names;
    size_t n = gh_sqs_list_queues(c->sim->sqs, NULL, &names);
    json_t *list = json_array();
    const char *host = host_of(c->req);
    for (size_t i = 0; i < n; i++) {
        json_t *q = gh_admin_queue_json(c->sim->sqs, names[i], host);
        if (q) /* deleted between the listing and now */
            json_array_append_new(list, q);
    }
    gh_sqs_names_free(names, n);
    reply(c, 200, json_pack("{s:o}", "queues", list));
}

static void queue_one(admin_call *c)
{
    json_t *q = gh_admin_queue_json(c->sim->sqs, c->name, host_of(c->req));
    if (q)
        reply(c, 200, q);
    else
        queue_exists(c);
}

/* ?max=N: 1..PEEK_MAX; -1 when the query says something else. */
static long peek_max(const gh_request *req)
{
    gh_headers q = {0};
    gh_query_parse(req->arena, req->query, &q);
    const char *v = gh_headers_get(&q, "max");
    if (!v)
        return PEEK_DEFAULT;
    char *end;
    long n = strtol(v, &end, 10);
    return *v && !*end && n >= 1 && n <= PEEK_MAX ? n : -1;
}

static void messages_peek(admin_call *c)
{
    long max = peek_max(c->req);
    if (max < 0) {
        reply_error(c, 400, "InvalidParameterValue", "max must be a number from 1 to %d", PEEK_MAX);
        return;
    }
    gh_sqs_message *m;
    size_t n;
    if (gh_sqs_peek(c->sim->sqs, c->name, (size_t)max, &m, &n) < 0) {
        queue_exists(c);
        return;
    }
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, gh_admin_message_json(&m[i]));
    gh_sqs_messages_free(m, n);
    reply(c, 200, json_pack("{s:s, s:o}", "queue", c->name, "messages", list));
}

static void messages_purge(admin_call *c)
{
    size_t removed = 0;
    if (gh_sqs_purge_now(c->sim->sqs, c->name, &removed) < 0) {
        queue_exists(c);
        return;
    }
    reply(c, 200, json_pack("{s:s, s:I}", "queue", c->name, "purged", (json_int_t)removed));
}

/* The request body is the message body as it is; FIFO queues take ?groupId= and
 * ?dedupId=, any queue ?delaySeconds=. */
static void messages_send(admin_call *c)
{
    if (!queue_exists(c))
        return;
    gh_headers q = {0};
    gh_query_parse(c->req->arena, c->req->query, &q);
    const char *delay = gh_headers_get(&q, "delaySeconds");
    /* Read strictly: atoi took "abc" for 0 and overflowed on long digit runs (UB). The
     * engine checks the 0..900 range and words the error as SQS does. */
    long seconds = -1;
    if (delay) {
        char *end;
        seconds = strtol(delay, &end, 10);
        if (!*delay || *end || seconds < 0 || seconds > 900) {
            reply_error(c, 400, "InvalidParameterValue",
                        "delaySeconds must be a number from 0 to 900, not '%s'", delay);
            return;
        }
    }
    gh_sqs_send m = {
        .body = c->req->body ? c->req->body : "",
        .body_len = c->req->body_len,
        .delay_seconds = (int)seconds,
        .group_id = gh_headers_get(&q, "groupId"),
        .dedup_id = gh_headers_get(&q, "dedupId"),
    };
    gh_sqs_sent sent;
    gh_sqs_error err = {0};
    if (gh_sqs_send_message(c->sim->sqs, c->name, &m, &sent, &err) < 0) {
        reply_error(c, err.status ? err.status : 400, err.code ? err.code : "InvalidParameterValue",
                    "%s", err.message);
        return;
    }
    json_t *o = json_pack("{s:s, s:s, s:s}", "queue", c->name, "messageId", sent.message_id,
                          "md5OfBody", sent.md5_body);
    if (sent.sequence_number[0])
        json_object_set_new(o, "sequenceNumber", json_string(sent.sequence_number));
    reply(c, 200, o);
}

static void topics_list(admin_call *c)
{
    char **arns;
    size_t n = gh_sns_list_topics(c->sim->sns, &arns);
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *t = gh_admin_topic_json(c->sim->sns, arns[i]);
        if (t)
            json_array_append_new(list, t);
    }
    gh_sqs_names_free(arns, n);
    reply(c, 200, json_pack("{s:o}", "topics", list));
}

static const admin_route routes[] = {
    {"GET", "health", health, false},
    {"GET", "queues", queues_list, true},
    {"GET", "queues/{name}", queue_one, true},
    {"GET", "queues/{name}/messages", messages_peek, true},
    {"POST", "queues/{name}/messages", messages_send, true},
    {"DELETE", "queues/{name}/messages", messages_purge, true},
    {"GET", "topics", topics_list, true},
};

bool gh_admin_claims(const gh_request *req)
{
    size_t n = strlen(GH_ADMIN_PREFIX);
    return req->path && !strncmp(req->path, GH_ADMIN_PREFIX, n) &&
           (req->path[n] == '\0' || req->path[n] == '/');
}

/* Does path (after the prefix and its slash, without a trailing slash) fit pattern?
 * *name gets the {name} segment decoded. */
static bool fits(gh_arena *a, const char *pattern, const char *path, size_t len, const char **name)
{
    const char *p = pattern, *s = path, *end = path + len;
    for (;;) {
        size_t plen = strcspn(p, "/");
        const char *slash = memchr(s, '/', (size_t)(end - s));
        size_t slen = slash ? (size_t)(slash - s) : (size_t)(end - s);
        if (!slen)
            return false;
        if (plen == 6 && !strncmp(p, "{name}", 6))
            *name = gh_url_decode(a, s, slen, 0);
        else if (plen != slen || strncmp(p, s, slen))
            return false;
        p += plen;
        s += slen;
        if (!*p)
            return s == end;
        if (s == end)
            return false;
        p++;
        s++;
    }
}

void gh_admin_handle(gh_sim *sim, const gh_request *req, gh_response *resp)
{
    admin_call c = {.sim = sim, .req = req, .resp = resp};
    size_t n = strlen(GH_ADMIN_PREFIX);
    const char *path = req->path + n;
    while (*path == '/')
        path++;
    size_t len = strlen(path);
    while (len && path[len - 1] == '/')
        len--;
    gh_buf allow = GH_BUF_INIT;
    for (size_t i = 0; i < sizeof routes / sizeof *routes; i++) {
        const char *name = NULL;
        if (!fits(req->arena, routes[i].pattern, path, len, &name))
            continue;
        if (strcmp(routes[i].method, req->method)) {
            if (allow.len)
                gh_buf_puts(&allow, ", ");
            gh_buf_puts(&allow, routes[i].method);
            continue;
        }
        gh_buf_free(&allow);
        c.name = name;
        if (routes[i].needs_sim && !sim) {
            reply_error(&c, 503, "NoSimulator", "this server runs no simulated SQS or SNS");
            return;
        }
        routes[i].fn(&c);
        return;
    }
    if (allow.len) {
        const char *methods = gh_arena_strndup(req->arena, allow.data, allow.len);
        reply_error(&c, 405, "MethodNotAllowed", "%s %s takes %s", req->method, req->path, methods);
        gh_headers_set(req->arena, &resp->headers, "Allow", methods);
    } else {
        reply_error(&c, 404, "NotFound",
                    "no admin route %s %s; see docs/sim.md (Looking inside) for the list",
                    req->method, req->path);
    }
    gh_buf_free(&allow);
}
