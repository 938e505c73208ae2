/* HTTP integrations (setup-http-integrations): http_proxy passes the whole request to
 * the backend and its whole answer back; http (custom) sends the integration request
 * that parameter mapping and the request template built, and maps the backend's answer
 * through the integration responses selected by its status code (reference §5.6). The
 * network (or a recording) is behind gh_backend_exchange. */
#include <string.h>

#include "integration/backend.h"
#include "integration/http_request.h"
#include "integration/integ_response.h"
#include "integration/param_map.h"
#include "integration/request_mapping.h"
#include "integration/runners.h"
#include "integration/template_pick.h"

/* One exchange, its failures as AWS renders them. Returns 0 with *rs filled. */
static int exchange(gh_invocation *inv, gh_backend_request *rq, gh_backend_response *rs)
{
    rq->timeout_ms = inv->integration->timeout_ms > 0 ? inv->integration->timeout_ms : 29000;
    const char *detail = NULL;
    gh_backend_status st = gh_backend_exchange(inv->backend, inv->arena, rq, rs, &detail);
    switch (st) {
    case GH_BACKEND_OK:
        return 0;
    case GH_BACKEND_TIMEOUT:
        /* "Execution failed due to a timeout error": 504 {"message": "Endpoint request
         * timed out"} (api-gateway-known-issues, the 29 s integration timeout). */
        return gh_integration_fail(inv, GH_GW_INTEGRATION_TIMEOUT, 504, GH_TIMEOUT_MESSAGE,
                                   "%s %s: no answer within %d ms (%s)", rq->method, rq->url,
                                   rq->timeout_ms, detail ? detail : "timeout");
    case GH_BACKEND_NO_RECORDING:
        return gh_integration_fail(inv, GH_GW_API_CONFIGURATION_ERROR, 502,
                                   GH_INTERNAL_ERROR_MESSAGE, "%s %s: %s",
                                   rq->method, rq->url, detail ? detail : "-");
    case GH_BACKEND_UNREACHABLE:
    default:
        /* A backend that cannot be reached is "Execution failed due to configuration
         * error" and a 500 (knowledge-center api-gateway-500-error-vpc: "The target
         * isn't listening on the target ports"). */
        return gh_integration_fail(inv, GH_GW_API_CONFIGURATION_ERROR, 500,
                                   GH_INTERNAL_ERROR_MESSAGE, "%s %s: %s", rq->method, rq->url,
                                   detail ? detail : "unreachable");
    }
}

static int bad_url(gh_invocation *inv, const char *why)
{
    return gh_integration_fail(inv, GH_GW_API_CONFIGURATION_ERROR, 500, GH_INTERNAL_ERROR_MESSAGE,
                               "%s", why ? why : "the integration uri cannot be built");
}

int gh_http_proxy_run(gh_invocation *inv)
{
    /* requestParameters apply to proxies too: they are what fills {proxy} in the uri. */
    gh_param_map_request(inv);
    const char *why = NULL;
    gh_backend_request rq = {0};
    rq.url = gh_http_url(inv, true, &why);
    if (!rq.url)
        return bad_url(inv, why);
    rq.method = gh_http_method(inv);
    gh_http_proxy_headers(inv, &rq.headers);
    if (inv->req && inv->req->body_len) {
        rq.body = inv->req->body;
        rq.body_len = inv->req->body_len;
    }
    gh_backend_response rs;
    if (exchange(inv, &rq, &rs) < 0)
        return -1;
    gh_response *resp = inv->resp;
    resp->status = rs.status;
    gh_http_response_headers(inv->arena, &rs.headers, &resp->headers);
    /* "API Gateway returns the default Content-Type:application/json header if the
     * content type of a payload is unspecified" (api-gateway-set-up-simple-proxy). */
    if (!gh_headers_has(&resp->headers, "Content-Type"))
        gh_headers_add(inv->arena, &resp->headers, "Content-Type", "application/json");
    resp->body = rs.body ? rs.body : "";
    resp->body_len = rs.body_len;
    return 0;
}

int gh_http_run(gh_invocation *inv)
{
    const gh_integration *in = inv->integration;
    bool templated;
    if (gh_request_mapping_apply(inv, &templated) < 0)
        return -1;
    /* The body's Content-Type: the chosen template's media type, else the client's. */
    const char *ct = inv->req ? gh_headers_get(&inv->req->headers, "Content-Type") : NULL;
    if (templated) {
        const gh_template *t = NULL;
        const char *type = NULL;
        gh_template_pick_request(in, ct, inv->arena, &t, &type);
        if (t && t->media_type)
            ct = t->media_type;
    }
    const char *why = NULL;
    gh_backend_request rq = {0};
    rq.url = gh_http_url(inv, false, &why);
    if (!rq.url)
        return bad_url(inv, why);
    rq.method = gh_http_method(inv);
    gh_http_plain_headers(inv, ct, &rq.headers);
    if (inv->integ_body_len) {
        rq.body = inv->integ_body;
        rq.body_len = inv->integ_body_len;
    }
    gh_backend_response rs;
    if (exchange(inv, &rq, &rs) < 0)
        return -1;
    /* Selection matches the backend's status code as text (§5.6). */
    const char *status = gh_arena_printf(inv->arena, "%d", rs.status);
    const gh_integ_response *r = gh_integ_response_select(in, status);
    if (!r)
        return gh_integration_fail(inv, GH_GW_API_CONFIGURATION_ERROR, 0, GH_INTERNAL_ERROR_MESSAGE,
                                   "the backend answered %d: no integration response matches it "
                                   "and none is the default",
                                   rs.status);
    return gh_integ_response_apply(inv, r, rs.body, rs.body_len, &rs.headers);
}
