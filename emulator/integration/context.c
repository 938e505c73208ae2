/* $context variables, parameter-mapping sources and simple-substitution rendering for
 * one invocation (context.h). Everything here only reads the invocation; values are
 * built in inv->arena. AWS's list of REST variables: api-gateway-mapping-template-
 * reference ("$context Variables"); variables tied to API keys, WAF, mTLS and request
 * overrides render null until those features exist. */
#include "integration/context.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "integration/param_map.h"
#include "websocket/ws_dispatch.h"
#include "util/buf.h"
#include "util/url.h"

/* Written digit by digit: every proxy event and WebSocket message carries requestTime,
 * and printf cost more than the rest (a tenth of a message: bench/README.md, issue 8). */
static char *two_digits(char *p, int v)
{
    p[0] = (char)('0' + v / 10 % 10);
    p[1] = (char)('0' + v % 10);
    return p + 2;
}

const char *gh_context_request_time(gh_arena *a, int64_t ms)
{
    static const char mon[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    char *out = gh_arena_alloc(a, sizeof "dd/MMM/yyyy:HH:mm:ss +0000"), *p = out;
    p = two_digits(p, tm.tm_mday);
    *p++ = '/';
    memcpy(p, mon + 3 * tm.tm_mon, 3);
    p += 3;
    *p++ = '/';
    p = two_digits(p, (tm.tm_year + 1900) / 100);
    p = two_digits(p, (tm.tm_year + 1900) % 100);
    *p++ = ':';
    p = two_digits(p, tm.tm_hour);
    *p++ = ':';
    p = two_digits(p, tm.tm_min);
    *p++ = ':';
    p = two_digits(p, tm.tm_sec);
    memcpy(p, " +0000", sizeof " +0000");
    return out;
}

/* The first DNS label of the host the client used: AWS's domainPrefix
 * ("k3x9q2w7ab.execute-api..." -> "k3x9q2w7ab"). */
static const char *domain_prefix(gh_arena *a, const char *domain)
{
    if (!domain)
        return NULL;
    return gh_arena_strndup(a, domain, strcspn(domain, ".:"));
}

/* JSON string literal of s ("a\"b" -> "\"a\\\"b\""), as error.messageString. */
static const char *json_quote(gh_arena *a, const char *s)
{
    json_t *j = json_string(s);
    if (!j)
        j = json_stringn_nocheck(s, strlen(s));
    char *txt = json_dumps(j, JSON_ENCODE_ANY);
    json_decref(j);
    const char *out = gh_arena_strdup(a, txt);
    free(txt);
    return out;
}

/* A failure is recorded when fail_type was moved off its zero value or a message was
 * set; ACCESS_DENIED (the zero value) always carries a message. */
static int failed(const gh_invocation *inv)
{
    return inv->fail_type != (gh_gw_type)0 || inv->fail_message != NULL || inv->fail_status;
}

static const char *identity_get(const gh_invocation *inv, const char *name)
{
    if (strcmp(name, "sourceIp") == 0)
        return inv->req ? inv->req->source_ip : NULL;
    if (strcmp(name, "userAgent") == 0)
        return inv->req ? gh_headers_get(&inv->req->headers, "User-Agent") : NULL;
    /* What IAM authorization filled in for a signed caller (auth/authorize.h). */
    if (strcmp(name, "accessKey") == 0)
        return inv->identity.access_key;
    if (strcmp(name, "accountId") == 0)
        return inv->identity.account_id;
    if (strcmp(name, "caller") == 0)
        return inv->identity.caller;
    if (strcmp(name, "user") == 0)
        return inv->identity.user;
    if (strcmp(name, "userArn") == 0)
        return inv->identity.user_arn;
    /* cognito*, principalOrgId, apiKey, apiKeyId, clientCert: null without Cognito
     * identity pools, API keys or mTLS. */
    return NULL;
}

/* A scalar member of an authorizer value as text (integrationLatency is a number). */
static const char *value_text(gh_arena *a, const gh_value *v)
{
    if (!v)
        return NULL;
    switch (v->kind) {
    case GH_VALUE_STRING:
        return gh_arena_strndup(a, v->u.str.s, v->u.str.len);
    case GH_VALUE_INT:
        return gh_arena_printf(a, "%lld", (long long)v->u.i);
    case GH_VALUE_BOOL:
        return v->u.b ? "true" : "false";
    default:
        return NULL;
    }
}

/* authorizer.principalId, authorizer.<context key>, authorizer.claims.<claim>: what the
 * authorization phase put in inv->authorizer. A bare authorizer.claims is null, as AWS
 * renders it (reference §5.3). */
static const char *authorizer_get(const gh_invocation *inv, const char *name)
{
    const gh_value *az = inv->authorizer;
    if (!az || az->kind != GH_VALUE_OBJECT)
        return NULL;
    if (strncmp(name, "claims.", 7) == 0) {
        const gh_value *claims = gh_value_get(az, "claims");
        return claims && claims->kind == GH_VALUE_OBJECT
                   ? value_text(inv->arena, gh_value_get(claims, name + 7))
                   : NULL;
    }
    return value_text(inv->arena, gh_value_get(az, name));
}

/* The WebSocket variables of a route's call (reference §9.2; developer guide,
 * websocket-api-data-transformations "$context variables"): connectionId, connectedAt,
 * eventType, messageId, routeKey, status, and the names whose value differs from REST's:
 * requestId is the extendedRequestId form, identity is the connection's. Returns 1 with
 * *out set (NULL: null) when name is one of them. */
static int ws_get(const gh_invocation *inv, const char *name, const char **out)
{
    const gh_ws_call *w = inv->ws;
    const gh_ws_session *s = w->session;
    if (strcmp(name, "connectionId") == 0)
        *out = s ? s->connection_id : NULL;
    else if (strcmp(name, "connectedAt") == 0)
        *out = s ? gh_arena_printf(inv->arena, "%lld", (long long)s->connected_at_ms) : NULL;
    else if (strcmp(name, "eventType") == 0)
        *out = w->event_type;
    else if (strcmp(name, "messageId") == 0)
        *out = w->message_id;
    else if (strcmp(name, "routeKey") == 0)
        *out = w->route_key;
    else if (strcmp(name, "status") == 0)
        /* The response's status: known once the integration answered. */
        *out = inv->resp && inv->resp->status
                   ? gh_arena_printf(inv->arena, "%d", inv->resp->status)
                   : NULL;
    else if (strcmp(name, "requestId") == 0 || strcmp(name, "extendedRequestId") == 0)
        *out = inv->req ? inv->req->extended_id : NULL;
    else if (strcmp(name, "identity.sourceIp") == 0)
        *out = s ? s->source_ip : NULL;
    else if (strcmp(name, "identity.userAgent") == 0)
        *out = s ? s->user_agent : NULL;
    else
        return 0;
    return 1;
}

const char *gh_context_get(const gh_invocation *inv, const char *name)
{
    const gh_request *req = inv->req;
    gh_arena *a = inv->arena;
    if (!name)
        return NULL;
    const char *ws_value;
    if (inv->ws && ws_get(inv, name, &ws_value))
        return ws_value;
    if (strncmp(name, "identity.", 9) == 0)
        return identity_get(inv, name + 9);
    if (strncmp(name, "authorizer.", 11) == 0)
        return authorizer_get(inv, name + 11);
    if (strcmp(name, "accountId") == 0)
        return inv->api ? inv->api->account_id : NULL;
    if (strcmp(name, "apiId") == 0)
        return inv->api ? inv->api->id : NULL;
    if (strcmp(name, "domainName") == 0)
        return inv->domain_name;
    if (strcmp(name, "domainPrefix") == 0)
        return domain_prefix(a, inv->domain_name);
    if (strcmp(name, "extendedRequestId") == 0)
        return req ? req->extended_id : NULL;
    if (strcmp(name, "awsEndpointRequestId") == 0)
        return inv->endpoint_request_id;
    if (strcmp(name, "requestId") == 0)
        return req ? req->request_id : NULL;
    if (strcmp(name, "httpMethod") == 0)
        return req ? req->method : NULL;
    if (strcmp(name, "path") == 0)
        return inv->stage_path;
    if (strcmp(name, "protocol") == 0)
        return req && req->protocol ? req->protocol : "HTTP/1.1";
    if (strcmp(name, "requestTime") == 0)
        return req ? gh_context_request_time(a, req->time_ms) : NULL;
    if (strcmp(name, "requestTimeEpoch") == 0)
        return req ? gh_arena_printf(a, "%lld", (long long)req->time_ms) : NULL;
    if (strcmp(name, "resourceId") == 0)
        return inv->resource ? inv->resource->id : NULL;
    if (strcmp(name, "resourcePath") == 0)
        return inv->resource ? inv->resource->path : NULL;
    if (strcmp(name, "stage") == 0)
        return inv->stage ? inv->stage->name : NULL;
    if (strcmp(name, "deploymentId") == 0)
        return inv->stage ? inv->stage->deployment_id : NULL;
    if (strcmp(name, "error.message") == 0)
        return inv->fail_message;
    if (strcmp(name, "error.messageString") == 0)
        return inv->fail_message ? json_quote(a, inv->fail_message) : NULL;
    if (strcmp(name, "error.responseType") == 0)
        return failed(inv) ? gh_gw_type_name(inv->fail_type) : NULL;
    return NULL;
}

/* Values of query parameter `name` joined with ',' (AWS joins multi values that way in
 * parameter mapping); last value only when !multi. */
static const char *query_get(const gh_invocation *inv, const char *name, int multi)
{
    if (!inv->req || !inv->req->query)
        return NULL;
    gh_headers q = {0};
    gh_query_parse(inv->arena, inv->req->query, &q);
    const char *last = NULL;
    gh_buf b = GH_BUF_INIT;
    for (size_t i = 0; i < q.n; i++)
        if (strcmp(q.items[i].name, name) == 0) {
            if (last) /* not b.len: a first empty value still counts ("?a=&a=x" is ",x") */
                gh_buf_putc(&b, ',');
            gh_buf_puts(&b, q.items[i].value);
            last = q.items[i].value;
        }
    const char *out = multi && last ? gh_arena_strndup(inv->arena, b.data, b.len) : last;
    gh_buf_free(&b);
    return out;
}

static const char *header_multi(const gh_invocation *inv, const char *name)
{
    if (!inv->req)
        return NULL;
    const gh_headers *h = &inv->req->headers;
    gh_buf b = GH_BUF_INIT;
    int found = 0;
    for (size_t i = 0; i < h->n; i++)
        if (strcasecmp(h->items[i].name, name) == 0) {
            if (found++)
                gh_buf_putc(&b, ',');
            gh_buf_puts(&b, h->items[i].value);
        }
    const char *out = found ? gh_arena_strndup(inv->arena, b.data ? b.data : "", b.len) : NULL;
    gh_buf_free(&b);
    return out;
}

static const char *path_get(const gh_invocation *inv, const char *name)
{
    for (size_t i = 0; i < inv->npath_params; i++)
        if (strcmp(inv->path_params[i].name, name) == 0)
            return inv->path_params[i].value;
    return NULL;
}

static const char *stage_var(const gh_invocation *inv, const char *name)
{
    return inv->stage ? gh_kvs_get(&inv->stage->variables, name) : NULL;
}

const char *gh_param_source(const gh_invocation *inv, const char *expr)
{
    if (!expr)
        return NULL;
    size_t len = strlen(expr);
    if (len >= 2 && expr[0] == '\'' && expr[len - 1] == '\'')
        return gh_arena_strndup(inv->arena, expr + 1, len - 2);
    static const char mr[] = "method.request.";
    if (strncmp(expr, mr, sizeof mr - 1) == 0) {
        const char *rest = expr + sizeof mr - 1;
        if (strncmp(rest, "header.", 7) == 0)
            return inv->req ? gh_headers_get(&inv->req->headers, rest + 7) : NULL;
        if (strncmp(rest, "multivalueheader.", 17) == 0)
            return header_multi(inv, rest + 17);
        if (strncmp(rest, "querystring.", 12) == 0)
            return query_get(inv, rest + 12, 0);
        if (strncmp(rest, "multivaluequerystring.", 22) == 0)
            return query_get(inv, rest + 22, 1);
        if (strncmp(rest, "path.", 5) == 0)
            return path_get(inv, rest + 5);
        /* The body as sent, or the JSONPath "a.b" inside it (reference §5.7). */
        if (strcmp(rest, "body") == 0)
            return inv->req ? gh_param_body_value(inv->arena, inv->req->body, inv->req->body_len,
                                                  NULL)
                            : NULL;
        if (strncmp(rest, "body.", 5) == 0)
            return inv->req ? gh_param_body_value(inv->arena, inv->req->body, inv->req->body_len,
                                                  rest + 5)
                            : NULL;
        return NULL;
    }
    if (strncmp(expr, "stageVariables.", 15) == 0)
        return stage_var(inv, expr + 15);
    if (strncmp(expr, "context.", 8) == 0)
        return gh_context_get(inv, expr + 8);
    return NULL;
}

/* $input.params('x'): path first, then query string, then headers; "" when absent
 * (api-gateway-mapping-template-reference, $input.params(x)). */
static const char *input_param(const gh_invocation *inv, const char *name)
{
    const char *v = path_get(inv, name);
    if (!v)
        v = query_get(inv, name, 0);
    if (!v && inv->req)
        v = gh_headers_get(&inv->req->headers, name);
    return v ? v : "";
}

static int ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_';
}

/* Reads a dotted name ("error.messageString") at p; a trailing '.' is not part of it. */
static size_t dotted_len(const char *p, const char *end)
{
    size_t n = 0;
    while (p + n < end) {
        if (ident_char(p[n])) {
            n++;
        } else if (p[n] == '.' && p + n + 1 < end && ident_char(p[n + 1]) && n > 0) {
            n++;
        } else {
            break;
        }
    }
    return n;
}

/* Reads "('name')" or "(\"name\")" at p; returns its length and the name, or 0. */
static size_t quoted_arg(gh_arena *a, const char *p, const char *end, char open, char close,
                         const char **name)
{
    if (p + 4 > end || p[0] != open || (p[1] != '\'' && p[1] != '"'))
        return 0;
    char q = p[1];
    const char *s = p + 2;
    const char *e = memchr(s, q, (size_t)(end - s));
    if (!e || e + 1 >= end || e[1] != close)
        return 0;
    *name = gh_arena_strndup(a, s, (size_t)(e - s));
    return (size_t)(e + 2 - p);
}

static int starts(const char *p, const char *end, const char *lit)
{
    size_t n = strlen(lit);
    return (size_t)(end - p) >= n && memcmp(p, lit, n) == 0;
}

/* Tries to read one reference at p (just after '$'); returns its length (0: not one we
 * substitute) and the value (NULL renders as nothing, except messageString). */
static size_t reference(const gh_invocation *inv, const char *p, const char *end,
                        const char **value)
{
    gh_arena *a = inv->arena;
    const char *name;
    size_t n;
    int braced = p < end && *p == '{';
    const char *q = p + braced;
    if (starts(q, end, "context.")) {
        n = dotted_len(q + 8, end);
        if (!n)
            return 0;
        char *var = gh_arena_strndup(a, q + 8, n);
        size_t used = braced + 8 + n;
        if (braced) {
            if (q + 8 + n >= end || q[8 + n] != '}')
                return 0;
            used++;
        }
        *value = gh_context_get(inv, var);
        /* An unset message still renders as the JSON literal null, so the default
         * gateway template gives {"message":null} (supported-gateway-response-types). */
        if (!*value && strcmp(var, "error.messageString") == 0)
            *value = "null";
        return used;
    }
    if (starts(q, end, "stageVariables")) {
        const char *r = q + 14;
        size_t used;
        if (r < end && *r == '.') {
            /* Stage variable names are [A-Za-z0-9_]+ (stage-variables), so the name
             * ends at the first other character, a '.' included. */
            n = 0;
            while (r + 1 + n < end && ident_char(r[1 + n]))
                n++;
            if (!n)
                return 0;
            name = gh_arena_strndup(a, r + 1, n);
            used = braced + 14 + 1 + n;
        } else if ((n = quoted_arg(a, r, end, '[', ']', &name)) != 0) {
            used = braced + 14 + n;
        } else {
            return 0;
        }
        if (braced) {
            if (p + used >= end || p[used] != '}')
                return 0;
            used++;
        }
        *value = stage_var(inv, name);
        return used;
    }
    if (braced)
        return 0;
    if (starts(p, end, "input.params(")) {
        const char *r = p + 12;
        if ((n = quoted_arg(a, r, end, '(', ')', &name)) != 0) {
            *value = input_param(inv, name);
            return 12 + n;
        }
        static const char *const locs[] = {"().header.get", "().querystring.get", "().path.get"};
        for (int i = 0; i < 3; i++) {
            if (!starts(r, end, locs[i]))
                continue;
            const char *s = r + strlen(locs[i]);
            if ((n = quoted_arg(a, s, end, '(', ')', &name)) == 0)
                return 0;
            *value = i == 0 ? (inv->req ? gh_headers_get(&inv->req->headers, name) : NULL)
                     : i == 1 ? query_get(inv, name, 0)
                              : path_get(inv, name);
            return (size_t)(s - p) + n;
        }
    }
    return 0;
}

char *gh_template_render_simple(const gh_invocation *inv, const char *text, size_t len,
                                size_t *out_len)
{
    gh_buf b = GH_BUF_INIT;
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *dollar = memchr(p, '$', (size_t)(end - p));
        if (!dollar) {
            gh_buf_append(&b, p, (size_t)(end - p));
            break;
        }
        gh_buf_append(&b, p, (size_t)(dollar - p));
        const char *value = NULL;
        size_t used = reference(inv, dollar + 1, end, &value);
        if (!used) {
            gh_buf_putc(&b, '$');
            p = dollar + 1;
            continue;
        }
        if (value)
            gh_buf_puts(&b, value);
        p = dollar + 1 + used;
    }
    char *out = gh_arena_strndup(inv->arena, b.data ? b.data : "", b.len);
    if (out_len)
        *out_len = b.len;
    gh_buf_free(&b);
    return out;
}
