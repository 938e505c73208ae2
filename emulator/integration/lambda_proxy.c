/* Lambda proxy integration (type aws_proxy, payload 1.0): build the event, run the
 * function's Lua handler, turn its output into the response as AWS does. Failures are
 * AWS's fixed answers; the reason and any Lua traceback go to the log only. */
#include <string.h>

#include "integration/lambda_target.h"
#include "integration/proxy_event.h"
#include "integration/proxy_response.h"
#include "integration/runners.h"
#include "util/ids.h"
#include "util/log.h"

static void log_script_failure(const gh_invocation *inv, const gh_function *fn,
                               const gh_script_result *r)
{
    gh_log(GH_LOG_ERROR, "function %s (%s) %s: %s%s%s (request %s)", fn->name, fn->handler,
           r->status == GH_SCRIPT_TIMEOUT  ? "timed out"
           : r->status == GH_SCRIPT_MEMORY ? "ran out of memory"
                                           : "failed",
           r->error_message ? r->error_message : "", r->traceback ? "\n" : "",
           r->traceback ? r->traceback : "", inv->req->request_id);
}

int gh_lambda_proxy_run(gh_invocation *inv)
{
    const gh_function *fn = gh_lambda_resolve(inv);
    if (!fn)
        return -1;

    const char *trace = gh_lambda_trace_id(inv);
    /* Built in the request's arena and pushed into Lua as it is: no JSON in between. */
    const gh_value *event = gh_proxy_event_v1_value(inv);
    gh_lambda_context ctx;
    gh_lambda_context_init(inv, fn, &ctx);
    inv->endpoint_request_id = ctx.aws_request_id;

    bool gateway_gives_up;
    int timeout = gh_lambda_timeout(inv, fn, &gateway_gives_up);
    gh_script_result r;
    gh_script_status st =
        gh_script_call_value(inv->scripts, fn->script, event, &ctx, timeout, &r);

    int rc;
    if (st == GH_SCRIPT_OK) {
        rc = gh_proxy_response_apply(inv, r.value, GH_PROXY_STRICT);
        if (rc == 0 && !gh_headers_has(&inv->resp->headers, "X-Amzn-Trace-Id"))
            gh_headers_add(inv->arena, &inv->resp->headers, "X-Amzn-Trace-Id", trace);
    } else if (st == GH_SCRIPT_TIMEOUT && gateway_gives_up) {
        log_script_failure(inv, fn, &r);
        rc = gh_integration_fail(inv, GH_GW_INTEGRATION_TIMEOUT, 504, GH_TIMEOUT_MESSAGE,
                                 "function %s ran past the integration timeout (%d ms)",
                                 fn->name, timeout);
    } else {
        /* A function error, Lambda-side timeout or memory blow-up: 502 on proxy. */
        log_script_failure(inv, fn, &r);
        rc = gh_integration_fail(inv, GH_GW_API_CONFIGURATION_ERROR, 502,
                                 GH_INTERNAL_ERROR_MESSAGE, "function %s did not return a response",
                                 fn->name);
    }
    gh_script_result_free(&r);
    return rc;
}
