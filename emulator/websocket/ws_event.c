/* The Lambda proxy event of a WebSocket route (aws-api-gateway.md §9.2; developer guide
 * "Set up WebSocket API integrations", recorded events in ../shared/corpus/events). Key
 * order follows the recorded events: requestContext as AWS writes it, then the top-level
 * maps. Only MESSAGE events carry a body; every event carries isBase64Encoded. */
#include "websocket/ws_event.h"

#include <string.h>
#include <strings.h>

#include "integration/context.h"
#include "util/base64.h"
#include "util/url.h"
#include "util/utf8.h"

#define SET(obj, key, value) gh_value_setn(a, obj, key, sizeof key - 1, value)

/* Client text read as UTF-8 with replacement, as API Gateway reads it; valid text is
 * borrowed. */
static const gh_value *text(gh_arena *a, const char *s, size_t n)
{
    if (gh_utf8_valid(s, n))
        return gh_value_strn(a, s, n);
    char *fixed = gh_arena_alloc(a, 3 * n + 1);
    return gh_value_strn(a, fixed, gh_utf8_repair(s, n, fixed));
}

static const gh_value *str(gh_arena *a, const char *s)
{
    return s ? text(a, s, strlen(s)) : gh_value_null();
}

/* Text gatehouse made itself (event type, ids): ASCII, so not checked as client text. */
static const gh_value *ours(gh_arena *a, const char *s)
{
    return s ? gh_value_str(a, s) : gh_value_null();
}

/* Handshake headers AWS does not pass on: the recorded $connect events have the
 * Sec-WebSocket-* and X-Forwarded-* headers but never Connection or Upgrade, and, as on
 * REST, hop-by-hop and length headers are dropped (aws-api-gateway.md §1.4). */
static int dropped(const char *name)
{
    static const char *const names[] = {"Connection", "Content-Length", "Upgrade",
                                        "Transfer-Encoding", "TE", "Trailer", "Expect"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strcasecmp(name, names[i]) == 0)
            return 1;
    return 0;
}

/* The single- and multi-value maps of (name, value) pairs: the last value and all values
 * in order, under the first spelling, in order of first appearance. Names compare
 * case-insensitively for headers, exactly for the query. Both NULL when empty. */
static void value_maps(gh_arena *a, const gh_headers *h, int headers, gh_value **single,
                       gh_value **multi)
{
    *single = *multi = NULL;
    const char **names = h->n ? gh_arena_alloc(a, h->n * sizeof *names) : NULL;
    gh_value **all = h->n ? gh_arena_alloc(a, h->n * sizeof *all) : NULL;
    const gh_value **last = h->n ? gh_arena_alloc(a, h->n * sizeof *last) : NULL;
    size_t n = 0;
    for (size_t i = 0; i < h->n; i++) {
        const char *name = h->items[i].name;
        if (headers && dropped(name))
            continue;
        size_t j = 0;
        while (j < n && (headers ? strcasecmp(names[j], name) : strcmp(names[j], name)) != 0)
            j++;
        if (j == n) {
            names[n] = name;
            all[n] = gh_value_array(a, 1);
            n++;
        }
        last[j] = str(a, h->items[i].value ? h->items[i].value : "");
        gh_value_append(a, all[j], last[j]);
    }
    if (n == 0)
        return;
    *single = gh_value_object(a, n);
    *multi = gh_value_object(a, n);
    for (size_t j = 0; j < n; j++) {
        size_t len = strlen(names[j]);
        const gh_value *key = text(a, names[j], len);
        gh_value_setn(a, *single, key->u.str.s, key->u.str.len, last[j]);
        gh_value_setn(a, *multi, key->u.str.s, key->u.str.len, all[j]);
    }
}

static int is(const char *type, const char *want)
{
    return type && strcmp(type, want) == 0;
}

static const gh_value *request_context(gh_arena *a, const gh_ws_event_in *in)
{
    gh_value *rc = gh_value_object(a, 18);
    SET(rc, "routeKey", str(a, in->route_key));
    if (is(in->event_type, "MESSAGE"))
        SET(rc, "messageId", ours(a, in->message_id));
    if (is(in->event_type, "DISCONNECT"))
        SET(rc, "disconnectStatusCode", gh_value_int(a, in->disconnect_status_code));
    SET(rc, "eventType", ours(a, in->event_type));
    SET(rc, "extendedRequestId", ours(a, in->extended_request_id));
    SET(rc, "requestTime", ours(a, gh_context_request_time(a, in->request_time_ms)));
    SET(rc, "messageDirection", gh_value_str(a, "IN"));
    if (is(in->event_type, "DISCONNECT"))
        SET(rc, "disconnectReason", str(a, in->disconnect_reason ? in->disconnect_reason : ""));
    SET(rc, "stage", str(a, in->stage));
    SET(rc, "connectedAt", gh_value_int(a, in->connected_at_ms));
    SET(rc, "requestTimeEpoch", gh_value_int(a, in->request_time_ms));
    /* A client that sends no User-Agent gets an identity without the key (recorded
     * $connect event, powertools-ts apigw-websocket-connectEvent). */
    gh_value *id = gh_value_object(a, 2);
    if (in->user_agent)
        SET(id, "userAgent", str(a, in->user_agent));
    SET(id, "sourceIp", str(a, in->source_ip));
    SET(rc, "identity", id);
    if (in->authorizer)
        SET(rc, "authorizer", in->authorizer);
    SET(rc, "requestId", ours(a, in->request_id));
    SET(rc, "domainName", str(a, in->domain_name));
    SET(rc, "connectionId", ours(a, in->connection_id));
    SET(rc, "apiId", str(a, in->api_id));
    return rc;
}

const gh_value *gh_ws_event(gh_arena *a, const gh_ws_event_in *in)
{
    gh_value *ev = gh_value_object(a, 8);
    gh_value *single = NULL, *multi = NULL;
    if (is(in->event_type, "CONNECT")) {
        gh_headers none = {0};
        value_maps(a, in->headers ? in->headers : &none, 1, &single, &multi);
    } else if (is(in->event_type, "DISCONNECT")) {
        /* AWS sends $disconnect the headers of its own internal call, not the client's
         * (recorded: aws-lambda-go apigw-websocket-request-disconnect.json). */
        gh_headers h = {0};
        gh_headers_add(a, &h, "Host", in->domain_name ? in->domain_name : "");
        gh_headers_add(a, &h, "x-api-key", "");
        gh_headers_add(a, &h, "X-Forwarded-For", "");
        gh_headers_add(a, &h, "x-restapi", "");
        value_maps(a, &h, 0, &single, &multi);
    }
    if (single) {
        SET(ev, "headers", single);
        SET(ev, "multiValueHeaders", multi);
    }
    if (is(in->event_type, "CONNECT") && in->query && *in->query) {
        /* Present only when the client sent a query string: a $connect without one has
         * neither key (unlike REST, where they are null). */
        gh_headers q = {0};
        gh_query_parse(a, in->query, &q);
        gh_value *qs, *mq;
        value_maps(a, &q, 0, &qs, &mq);
        if (qs) {
            SET(ev, "queryStringParameters", qs);
            SET(ev, "multiValueQueryStringParameters", mq);
        }
    }
    SET(ev, "requestContext", request_context(a, in));
    int binary = 0;
    if (is(in->event_type, "MESSAGE")) {
        const char *body = in->body ? in->body : "";
        if (in->binary) {
            binary = 1;
            SET(ev, "body", gh_value_str(a, gh_base64_encode(a, body, in->body_len)));
        } else {
            SET(ev, "body", text(a, body, in->body_len));
        }
    }
    SET(ev, "isBase64Encoded", gh_value_bool(binary));
    return ev;
}
