/* AWS service integrations: type aws with a service URI (reference §10.1), answered by
 * the simulated SQS and SNS in-process. The integration request that parameter mapping
 * and the request template built (request_mapping.h) becomes the HTTP request API
 * Gateway would send the service: the integration's httpMethod on /PATH for a
 * path/PATH URI, or on / with Action=ACTION first in the query string for an
 * action/ACTION URI, the mapped query string after it, the mapped headers (the
 * "Content-Type trick" sets application/x-www-form-urlencoded there), Accept:
 * application/json unless mapped (API Gateway's default, which is why SQS answers a
 * JSON SendMessageResponse), and the rendered body. sim/aws_protocol.h answers it as the
 * service would, and the answer goes through the integration responses as an HTTP
 * integration's does: selected by its status code, its headers readable as
 * integration.response.header.*. */
#include <string.h>
#include <strings.h>

#include "integration/aws_service.h"
#include "integration/integ_response.h"
#include "integration/request_mapping.h"
#include "integration/runners.h"
#include "integration/template_pick.h"
#include "sim/aws_protocol.h"
#include "util/buf.h"
#include "util/url.h"

/* ${stageVariables.x} and {name} (from integration.request.path.name) filled in a
 * service path or action; NULL with *why when one has no value. */
static const char *fill(gh_invocation *inv, const char *s, const char **why)
{
    gh_buf b = GH_BUF_INIT;
    const char *res = NULL;
    for (const char *p = s; *p;) {
        bool stage = strncmp(p, "${stageVariables.", 17) == 0;
        const char *close = (stage || *p == '{') ? strchr(p, '}') : NULL;
        if (!close) {
            gh_buf_putc(&b, *p++);
            continue;
        }
        const char *name = stage ? p + 17 : p + 1;
        char *n = gh_arena_strndup(inv->arena, name, (size_t)(close - name));
        size_t nl = strlen(n);
        if (!stage && nl && n[nl - 1] == '+')
            n[nl - 1] = '\0';
        const char *v = NULL;
        if (stage)
            v = inv->stage ? gh_kvs_get(&inv->stage->variables, n) : NULL;
        for (size_t i = 0; !stage && i < inv->ninteg_path; i++)
            if (strcmp(inv->integ_path[i].name, n) == 0)
                v = inv->integ_path[i].value;
        if (!v) {
            *why = stage ? gh_arena_printf(inv->arena,
                                           "the uri uses ${stageVariables.%s}, and "
                                           "stage %s does not set it",
                                           n, inv->stage ? inv->stage->name : "?")
                         : gh_arena_printf(inv->arena,
                                           "the uri's {%s} has no value: map it "
                                           "with requestParameters integration.request.path.%s",
                                           n, n);
            goto out;
        }
        gh_buf_puts(&b, v);
        p = close + 1;
    }
    res = gh_arena_strndup(inv->arena, b.data ? b.data : "", b.len);
out:
    gh_buf_free(&b);
    return res;
}

static void put_pair(gh_buf *b, gh_arena *a, const char *name, const char *value)
{
    if (b->len)
        gh_buf_putc(b, '&');
    gh_buf_puts(b, gh_url_encode(a, name, strlen(name)));
    gh_buf_putc(b, '=');
    gh_buf_puts(b, gh_url_encode(a, value, strlen(value)));
}

static const char *method_of(const gh_invocation *inv)
{
    const char *m = inv->integration->http_method;
    /* AWS service integrations default to POST, the method every query and JSON
     * protocol call uses. */
    if (!m || !*m || strcasecmp(m, "ANY") == 0)
        return "POST";
    char *up = gh_arena_strdup(inv->arena, m);
    for (char *p = up; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    return up;
}

int gh_aws_service_build(gh_invocation *inv, bool templated, gh_request *out, const char **why)
{
    const gh_integration *in = inv->integration;
    const gh_aws_service_uri *su = &in->service;
    memset(out, 0, sizeof *out);
    out->arena = inv->arena;
    out->method = method_of(inv);
    gh_buf q = GH_BUF_INIT;
    if (su->action) {
        const char *action = fill(inv, su->action, why);
        if (!action) {
            gh_buf_free(&q);
            return -1;
        }
        out->path = "/";
        put_pair(&q, inv->arena, "Action", action);
    } else {
        const char *path = fill(inv, su->path ? su->path : "", why);
        if (!path) {
            gh_buf_free(&q);
            return -1;
        }
        out->path = gh_arena_printf(inv->arena, "/%s", path[0] == '/' ? path + 1 : path);
    }
    for (size_t i = 0; i < inv->integ_query.n; i++)
        put_pair(&q, inv->arena, inv->integ_query.items[i].name, inv->integ_query.items[i].value);
    if (q.len)
        out->query = gh_arena_strndup(inv->arena, q.data, q.len);
    gh_buf_free(&q);

    for (size_t i = 0; i < inv->integ_headers.n; i++)
        gh_headers_set(inv->arena, &out->headers, inv->integ_headers.items[i].name,
                       inv->integ_headers.items[i].value);
    /* Without a mapped Content-Type the body keeps the chosen template's media type (or
     * the client's), which is why SQS's query protocol needs the Content-Type trick. */
    if (!gh_headers_has(&out->headers, "Content-Type")) {
        const char *ct = inv->req ? gh_headers_get(&inv->req->headers, "Content-Type") : NULL;
        if (templated) {
            const gh_template *t = NULL;
            const char *type = NULL;
            gh_template_pick_request(in, ct, inv->arena, &t, &type);
            if (t && t->media_type)
                ct = t->media_type;
        }
        if (ct && inv->integ_body_len)
            gh_headers_add(inv->arena, &out->headers, "Content-Type", ct);
    }
    if (!gh_headers_has(&out->headers, "Accept"))
        gh_headers_add(inv->arena, &out->headers, "Accept", "application/json");
    const char *host = inv->domain_name && *inv->domain_name ? inv->domain_name : "localhost";
    if (!gh_headers_has(&out->headers, "Host"))
        gh_headers_add(inv->arena, &out->headers, "Host", host);
    char *h = gh_arena_strdup(inv->arena, gh_headers_get(&out->headers, "Host"));
    char *colon = strchr(h, ':');
    if (colon)
        *colon = '\0';
    out->host = h;
    if (inv->integ_body_len) {
        out->body = inv->integ_body;
        out->body_len = inv->integ_body_len;
    }
    out->source_ip = "127.0.0.1";
    out->protocol = "HTTP/1.1";
    out->local_port = inv->req ? inv->req->local_port : 0;
    gh_request_stamp(out);
    return 0;
}

int gh_aws_service_run(gh_invocation *inv)
{
    const gh_integration *in = inv->integration;
    if (!inv->sim)
        return gh_integration_fail(inv, GH_GW_API_CONFIGURATION_ERROR, 500,
                                   GH_INTERNAL_ERROR_MESSAGE,
                                   "aws integration to %s: this "
                                   "process runs no simulated AWS (gh_invocation.sim is NULL), "
                                   "so nothing can answer it",
                                   in->service.service);
    bool templated;
    if (gh_request_mapping_apply(inv, &templated) < 0)
        return -1;
    const char *why = NULL;
    gh_request rq;
    if (gh_aws_service_build(inv, templated, &rq, &why) < 0)
        return gh_integration_fail(inv, GH_GW_API_CONFIGURATION_ERROR, 500,
                                   GH_INTERNAL_ERROR_MESSAGE, "aws integration to %s: %s",
                                   in->service.service, why ? why : "the uri cannot be built");
    gh_response rs = {0};
    gh_aws_protocol_handle(inv->sim, &rq, &rs);
    const char *rid = gh_headers_get(&rs.headers, "x-amzn-RequestId");
    if (rid)
        inv->endpoint_request_id = rid;
    /* Selection matches the service's status code as text, as for HTTP (§5.6). */
    const char *status = gh_arena_printf(inv->arena, "%d", rs.status);
    const gh_integ_response *r = gh_integ_response_select(in, status);
    if (!r)
        return gh_integration_fail(inv, GH_GW_API_CONFIGURATION_ERROR, 0, GH_INTERNAL_ERROR_MESSAGE,
                                   "%s answered %d: no integration response matches it and "
                                   "none is the default",
                                   in->service.service, rs.status);
    return gh_integ_response_apply(inv, r, rs.body ? rs.body : "", rs.body_len, &rs.headers);
}
