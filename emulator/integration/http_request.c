/* HTTP integration request building and proxy response header rules (http_request.h).
 * Header lists: reference §1.4 (recorded on AWS); URI templates: setup-http-integrations
 * ("https://petstore-demo-endpoint.execute-api.com/petstore/{proxy}" filled from
 * requestParameters integration.request.path.proxy: method.request.path.proxy). */
#include "integration/http_request.h"

#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/url.h"

static bool in_list(const char *name, const char *const *list)
{
    for (; *list; list++)
        if (strcasecmp(name, *list) == 0)
            return true;
    return false;
}

bool gh_http_request_header_dropped(const char *name)
{
    static const char *const dropped[] = {
        "Connection", "Content-MD5", "Expect", "Max-Forwards", "Proxy-Authenticate", "Server",
        "TE", "Transfer-Encoding", "Trailer", "Upgrade", "WWW-Authenticate",
        /* recomputed: the backend's own Host, the length of what we send */
        "Host", "Content-Length",
        /* hop-by-hop by definition (RFC 9110 7.6.1): never forwarded by a proxy */
        "Keep-Alive", "Proxy-Connection", NULL};
    return in_list(name, dropped);
}

static const char *path_value(const gh_invocation *inv, const char *name, size_t n)
{
    for (size_t i = 0; i < inv->ninteg_path; i++)
        if (strlen(inv->integ_path[i].name) == n && strncmp(inv->integ_path[i].name, name, n) == 0)
            return inv->integ_path[i].value;
    return NULL;
}

/* A path value goes in as it is (method path parameters stay percent-encoded as sent,
 * §1.3), with whatever a URL path cannot hold encoded (a mapped header value's spaces). */
static void put_path_value(gh_buf *b, const char *v)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
        if (*p > 0x20 && *p < 0x7f && !strchr("\"<>\\^`{|}#?", *p)) {
            gh_buf_putc(b, (char)*p);
        } else {
            gh_buf_putc(b, '%');
            gh_buf_putc(b, hex[*p >> 4]);
            gh_buf_putc(b, hex[*p & 15]);
        }
    }
}

/* ${stageVariables.x}: anywhere in the uri (reference §8.2). */
static const char *stage_vars(gh_invocation *inv, const char *uri, const char **why)
{
    gh_buf b = GH_BUF_INIT;
    const char *p = uri;
    const char *res = NULL;
    for (;;) {
        const char *s = strstr(p, "${stageVariables.");
        if (!s) {
            gh_buf_puts(&b, p);
            break;
        }
        const char *name = s + strlen("${stageVariables.");
        const char *e = strchr(name, '}');
        if (!e) {
            gh_buf_puts(&b, p);
            break;
        }
        gh_buf_append(&b, p, (size_t)(s - p));
        const char *n = gh_arena_strndup(inv->arena, name, (size_t)(e - name));
        const char *v = inv->stage ? gh_kvs_get(&inv->stage->variables, n) : NULL;
        if (!v) {
            *why = gh_arena_printf(inv->arena, "the uri uses ${stageVariables.%s}, and stage %s "
                                   "does not set it",
                                   n, inv->stage ? inv->stage->name : "?");
            goto out;
        }
        gh_buf_puts(&b, v);
        p = e + 1;
    }
    res = gh_arena_strndup(inv->arena, b.data ? b.data : "", b.len);
out:
    gh_buf_free(&b);
    return res;
}

static void put_query_pair(gh_buf *b, gh_arena *a, const gh_header *q)
{
    if (b->len && b->data[b->len - 1] != '?')
        gh_buf_putc(b, '&');
    gh_buf_puts(b, gh_url_encode(a, q->name, strlen(q->name)));
    gh_buf_putc(b, '=');
    gh_buf_puts(b, gh_url_encode(a, q->value, strlen(q->value)));
}

const char *gh_http_url(gh_invocation *inv, bool proxy, const char **why)
{
    const char *uri = stage_vars(inv, inv->integration->uri ? inv->integration->uri : "", why);
    if (!uri)
        return NULL;
    if (strncasecmp(uri, "http://", 7) != 0 && strncasecmp(uri, "https://", 8) != 0) {
        *why = gh_arena_printf(inv->arena, "the uri '%s' is not an http:// or https:// URL", uri);
        return NULL;
    }
    const char *qmark = strchr(uri, '?');
    size_t plen = qmark ? (size_t)(qmark - uri) : strlen(uri);
    gh_buf b = GH_BUF_INIT;
    const char *res = NULL;
    for (size_t i = 0; i < plen; i++) {
        const char *close = uri[i] == '{' ? memchr(uri + i, '}', plen - i) : NULL;
        if (!close) {
            gh_buf_putc(&b, uri[i]);
            continue;
        }
        const char *name = uri + i + 1;
        size_t n = (size_t)(close - name);
        if (n && name[n - 1] == '+')
            n--;
        const char *v = path_value(inv, name, n);
        if (!v) {
            /* AWS sends nothing it cannot fill and answers 500 (serverless#4549: a uri
             * with {id} and no mapping gives {"message": "Internal server error"}). */
            *why = gh_arena_printf(inv->arena, "the uri's {%.*s} has no value: map it with "
                                   "requestParameters integration.request.path.%.*s: "
                                   "method.request.path.%.*s",
                                   (int)n, name, (int)n, name, (int)n, name);
            goto out;
        }
        put_path_value(&b, v);
        i = (size_t)(close - uri);
    }
    gh_buf_putc(&b, '?');
    if (qmark && qmark[1])
        gh_buf_puts(&b, qmark + 1);
    if (proxy && inv->req && inv->req->query && *inv->req->query) {
        if (b.data[b.len - 1] != '?')
            gh_buf_putc(&b, '&');
        gh_buf_puts(&b, inv->req->query);
    }
    for (size_t i = 0; i < inv->integ_query.n; i++)
        put_query_pair(&b, inv->arena, &inv->integ_query.items[i]);
    if (b.data[b.len - 1] == '?')
        b.len--;
    res = gh_arena_strndup(inv->arena, b.data, b.len);
out:
    gh_buf_free(&b);
    return res;
}

const char *gh_http_method(const gh_invocation *inv)
{
    const char *m = inv->integration->http_method;
    if (!m || !*m || strcasecmp(m, "ANY") == 0)
        return inv->req && inv->req->method ? inv->req->method : "GET";
    char *up = gh_arena_strdup(inv->arena, m);
    for (char *p = up; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    return up;
}

/* Headers API Gateway adds to every HTTP integration request (§1.4). */
static void gateway_headers(gh_invocation *inv, gh_headers *out)
{
    if (inv->api && inv->api->id && !gh_headers_has(out, "X-Amzn-Apigateway-Api-Id"))
        gh_headers_add(inv->arena, out, "X-Amzn-Apigateway-Api-Id", inv->api->id);
}

void gh_http_proxy_headers(gh_invocation *inv, gh_headers *out)
{
    const gh_headers *in = inv->req ? &inv->req->headers : NULL;
    for (size_t i = 0; in && i < in->n; i++)
        if (!gh_http_request_header_dropped(in->items[i].name))
            gh_headers_add(inv->arena, out, in->items[i].name, in->items[i].value);
    for (size_t i = 0; i < inv->integ_headers.n; i++)
        if (!gh_http_request_header_dropped(inv->integ_headers.items[i].name))
            gh_headers_set(inv->arena, out, inv->integ_headers.items[i].name,
                           inv->integ_headers.items[i].value);
    gateway_headers(inv, out);
}

void gh_http_plain_headers(gh_invocation *inv, const char *content_type, gh_headers *out)
{
    for (size_t i = 0; i < inv->integ_headers.n; i++)
        if (!gh_http_request_header_dropped(inv->integ_headers.items[i].name))
            gh_headers_set(inv->arena, out, inv->integ_headers.items[i].name,
                           inv->integ_headers.items[i].value);
    if (inv->integ_body_len && content_type && !gh_headers_has(out, "Content-Type"))
        gh_headers_add(inv->arena, out, "Content-Type", content_type);
    /* A non-proxy integration request is API Gateway's own: it names itself. */
    if (!gh_headers_has(out, "User-Agent") && inv->api && inv->api->id)
        gh_headers_add(inv->arena, out, "User-Agent",
                       gh_arena_printf(inv->arena, "AmazonAPIGateway_%s", inv->api->id));
    /* The forwarding headers the pipeline computed go to every backend (§1.4). */
    static const char *const fwd[] = {"X-Forwarded-For", "X-Forwarded-Port", "X-Forwarded-Proto"};
    for (size_t i = 0; i < 3; i++) {
        const char *v = inv->req ? gh_headers_get(&inv->req->headers, fwd[i]) : NULL;
        if (v && !gh_headers_has(out, fwd[i]))
            gh_headers_add(inv->arena, out, fwd[i], v);
    }
    gateway_headers(inv, out);
}

void gh_http_response_headers(gh_arena *a, const gh_headers *in, gh_headers *out)
{
    static const char *const remapped[] = {
        "Authorization", "Connection", "Content-Length", "Content-MD5", "Date", "Expect",
        "Host", "Max-Forwards", "Proxy-Authenticate", "Server", "Trailer", "Upgrade",
        "User-Agent", "WWW-Authenticate", NULL};
    /* The body was de-chunked and is framed again by the server. */
    static const char *const framing[] = {"Transfer-Encoding", "Keep-Alive", NULL};
    for (size_t i = 0; in && i < in->n; i++) {
        const gh_header *h = &in->items[i];
        if (in_list(h->name, framing))
            continue;
        if (in_list(h->name, remapped))
            gh_headers_add(a, out, gh_arena_printf(a, "x-amzn-Remapped-%s", h->name), h->value);
        else
            gh_headers_add(a, out, h->name, h->value);
    }
}
