/* The REST request pipeline: a table of phases in AWS's order (reference §1.1). Each
 * phase either continues or ends the request by naming a gateway response type; the
 * table is the one place later phases (API key, authorizer, throttling, validation,
 * cache) slot in. Whatever ends the request, the response leaves here with
 * x-amzn-RequestId, x-amz-apigw-id and a Content-Type. */
#include "gateway/pipeline.h"

#include <ctype.h>
#include <string.h>

#include "auth/authorize.h"
#include "gateway/gateway_response.h"
#include "gateway/router.h"
#include "integration/integration.h"

/* Host names that address one API by id, as `{apiId}.execute-api.{region}.amazonaws.com`
 * does on AWS (reference §8.4). */
#define EXECUTE_API_SUFFIX ".execute-api.localhost"

typedef struct pctx {
    const gh_runtime *rt;
    gh_request *req;
    gh_invocation inv;
    const char *verb;
} pctx;

/* CONTINUE: next phase; FAIL: render inv.fail_type as a gateway response; DONE: the
 * response is complete (an integration answered; later, a cache hit). */
typedef enum { PHASE_CONTINUE, PHASE_FAIL, PHASE_DONE } phase_result;
typedef phase_result (*phase_fn)(pctx *c);

static phase_result fail(pctx *c, gh_gw_type t, const char *why)
{
    c->inv.fail_type = t;
    c->inv.log_detail = why;
    return PHASE_FAIL;
}

/* Phase 0: the edge limit on the body, checked before anything is resolved. */
static phase_result check_size(pctx *c)
{
    if (c->req->body_too_large || c->req->body_len > GH_MAX_BODY_BYTES)
        return fail(c, GH_GW_REQUEST_TOO_LARGE, "request body over 10 MB");
    return PHASE_CONTINUE;
}

const gh_api *gh_pipeline_api_for_host(const gh_model *m, const char *host, gh_arena *a,
                                       const char **why)
{
    size_t hlen = host ? strlen(host) : 0, slen = strlen(EXECUTE_API_SUFFIX);
    if (hlen > slen && strcmp(host + hlen - slen, EXECUTE_API_SUFFIX) == 0) {
        const gh_api *api = gh_model_api(m, gh_arena_strndup(a, host, hlen - slen));
        if (!api && why)
            *why = "no API with the Host's id";
        return api;
    }
    if (m->napis == 0) {
        if (why)
            *why = "no API loaded";
        return NULL;
    }
    return &m->apis[0];
}

/* Host `{apiId}.execute-api.localhost[:port]` picks that API; any other Host gets the
 * first definition. req->host is already lower-cased and without the port. */
static phase_result resolve_api(pctx *c)
{
    const char *why = NULL;
    c->inv.api = gh_pipeline_api_for_host(c->rt->model, c->req->host, c->req->arena, &why);
    return c->inv.api ? PHASE_CONTINUE : fail(c, GH_GW_MISSING_AUTHENTICATION_TOKEN, why);
}

/* The first path segment names the stage. AWS collapses a doubled slash right after the
 * stage in the event's `path` but keeps it in requestContext.path (reference §1.3). */
static phase_result resolve_stage(pctx *c)
{
    const char *p = c->req->path ? c->req->path : "/";
    const char *name = p[0] == '/' ? p + 1 : p;
    const char *slash = strchr(name, '/');
    size_t nlen = slash ? (size_t)(slash - name) : strlen(name);
    if (nlen == 0)
        return fail(c, GH_GW_MISSING_AUTHENTICATION_TOKEN, "no stage in the path");
    const char *stage = gh_arena_strndup(c->req->arena, name, nlen);
    c->inv.stage = gh_api_stage(c->inv.api, stage);
    if (!c->inv.stage)
        return fail(c, GH_GW_MISSING_AUTHENTICATION_TOKEN, "unknown stage");

    const char *rest = slash ? slash : "";
    while (rest[0] == '/' && rest[1] == '/')
        rest++;
    c->inv.path = rest[0] ? rest : "/";
    c->inv.stage_path = p;
    return PHASE_CONTINUE;
}

/* API Gateway honours X-HTTP-Method-Override and does not pass the header on. */
static phase_result method_override(pctx *c)
{
    const char *o = gh_headers_get(&c->req->headers, "X-HTTP-Method-Override");
    if (o && *o) {
        char *v = gh_arena_strdup(c->req->arena, o);
        for (char *q = v; *q; q++)
            *q = (char)toupper((unsigned char)*q);
        c->verb = v;
        c->req->method = v;
        gh_headers_remove(&c->req->headers, "X-HTTP-Method-Override");
    }
    return PHASE_CONTINUE;
}

/* AWS answers an unknown resource and an undeclared method alike: 403 "Missing
 * Authentication Token", not 404/405. */
static phase_result route(pctx *c)
{
    gh_route r;
    if (gh_router_match(c->inv.api, c->verb, c->inv.path, c->req->arena, &r) != 0)
        return fail(c, GH_GW_MISSING_AUTHENTICATION_TOKEN,
                    r.resource ? "method not declared on the resource" : "no resource");
    c->inv.resource = r.resource;
    c->inv.method = r.method;
    c->inv.integration = r.method->integration;
    c->inv.path_params = r.params;
    c->inv.npath_params = r.nparams;
    return PHASE_CONTINUE;
}

/* API Gateway tells every backend who called, the way a proxy does (reference §1.4):
 * X-Forwarded-For gets the caller appended, Port and Proto say how it connected. */
static phase_result forwarded_headers(pctx *c)
{
    gh_arena *a = c->req->arena;
    gh_headers *h = &c->req->headers;
    const char *ip = c->req->source_ip ? c->req->source_ip : "127.0.0.1";
    const char *xff = gh_headers_get(h, "X-Forwarded-For");
    gh_headers_set(a, h, "X-Forwarded-For", xff ? gh_arena_printf(a, "%s, %s", xff, ip) : ip);
    if (c->req->local_port > 0)
        gh_headers_set(a, h, "X-Forwarded-Port", gh_arena_printf(a, "%d", c->req->local_port));
    gh_headers_set(a, h, "X-Forwarded-Proto", "http");
    return PHASE_CONTINUE;
}

/* Authentication and authorization (reference §1.1, phase 3): the method's authorizer and
 * the API's resource policy (auth/authorize.h). It runs after forwarded_headers because
 * the REQUEST authorizer's event already carries X-Forwarded-For/-Port/-Proto on AWS
 * (aws-lambda-go's apigw-custom-auth-request-type-request.json). */
static phase_result authorize(pctx *c)
{
    return gh_authorize(&c->inv, c->rt->auth_cache) == 0 ? PHASE_CONTINUE : PHASE_FAIL;
}

/* Integration request, integration and integration response belong to integration/. */
static phase_result integrate(pctx *c)
{
    return gh_integration_run(&c->inv) == 0 ? PHASE_DONE : PHASE_FAIL;
}

/* In AWS's order (reference §1.1). Later phases go after authorize: API key, usage plan,
 * request validation, cache lookup. Every phase before
 * `integrate` decides what the integration (and its templates) will see, which is what
 * gh_pipeline_resolve runs. */
static const phase_fn phases[] = {
    check_size, resolve_api, resolve_stage, method_override, route, forwarded_headers, authorize,
    integrate,
};
#define NPHASES (sizeof phases / sizeof *phases)

static void start(pctx *c, const gh_runtime *rt, gh_request *req, gh_response *resp)
{
    memset(c, 0, sizeof *c);
    c->rt = rt;
    c->req = req;
    c->verb = req->method ? req->method : "GET";
    c->inv.req = req;
    c->inv.resp = resp;
    c->inv.arena = req->arena;
    c->inv.model = rt->model;
    c->inv.scripts = rt->scripts;
    c->inv.backend = rt->backend;
    c->inv.sim = rt->sim;
    c->inv.path = req->path ? req->path : "/";
    c->inv.stage_path = c->inv.path;
    const char *host = gh_headers_get(&req->headers, "Host");
    c->inv.domain_name = host ? host : (req->host ? req->host : "localhost");
}

static phase_result run_phases(pctx *c, size_t n)
{
    phase_result res = PHASE_CONTINUE;
    for (size_t i = 0; res == PHASE_CONTINUE && i < n; i++)
        res = phases[i](c);
    return res;
}

int gh_pipeline_resolve(const gh_runtime *rt, gh_request *req, gh_invocation *inv)
{
    pctx c;
    start(&c, rt, req, inv->resp);
    /* Every phase but the last, integrate. */
    phase_result res = run_phases(&c, NPHASES - 1);
    *inv = c.inv;
    return res == PHASE_CONTINUE ? 0 : -1;
}

void gh_pipeline_handle(const gh_runtime *rt, gh_request *req, gh_response *resp)
{
    memset(resp, 0, sizeof *resp);
    /* The observer gets the headers as the client sent them, not as forwarded_headers
     * left them for the backend. */
    gh_headers sent = {0};
    if (rt->observe && req->headers.n) {
        sent.items = gh_arena_memdup(req->arena, req->headers.items,
                                     req->headers.n * sizeof *sent.items);
        sent.n = sent.cap = req->headers.n;
    }
    pctx c;
    start(&c, rt, req, resp);
    phase_result res = run_phases(&c, NPHASES);
    if (res != PHASE_DONE)
        gh_gw_render(&c.inv);

    /* On every REST response, whoever produced it (reference §1.5). */
    gh_headers_set(req->arena, &resp->headers, "x-amzn-RequestId", req->request_id);
    gh_headers_set(req->arena, &resp->headers, "x-amz-apigw-id", req->extended_id);
    if (!gh_headers_has(&resp->headers, "Content-Type"))
        gh_headers_add(req->arena, &resp->headers, "Content-Type", "application/json");
    if (rt->observe) {
        gh_request as_sent = *req;
        as_sent.headers = sent;
        rt->observe(rt->observe_ud, &as_sent, resp);
    }
}
