/* x-gatehouse-mock: a Lua script answers in place of the integration, whatever its type.
 * It is called with (request, context): request is the payload 1.0 proxy event, context
 * is empty. It returns {statusCode, headers, body} read like a Lambda proxy response but
 * leniently (statusCode defaults to 200, a table body is JSON-encoded). */
#include "integration/proxy_event.h"
#include "integration/proxy_response.h"
#include "integration/runners.h"
#include "util/log.h"

int gh_lua_mock_run(gh_invocation *inv)
{
    const gh_integration *in = inv->integration;
    if (!inv->scripts)
        return gh_integration_fail(inv, GH_GW_API_CONFIGURATION_ERROR, 500,
                                   GH_INTERNAL_ERROR_MESSAGE, "%s", "no Lua runtime is running");
    const gh_value *event = gh_proxy_event_v1_value(inv);
    int timeout = in->timeout_ms > 0 ? in->timeout_ms : 29000;
    gh_script_result r;
    gh_script_status st =
        gh_script_call_value(inv->scripts, in->mock_script, event, NULL, timeout, &r);
    int rc;
    const char *script = inv->model && (size_t)in->mock_script < inv->model->nscripts
                             ? inv->model->scripts[in->mock_script].path
                             : "x-gatehouse-mock";
    if (st == GH_SCRIPT_OK) {
        rc = gh_proxy_response_apply(inv, r.value, GH_PROXY_LENIENT);
    } else {
        gh_log(GH_LOG_ERROR, "mock %s %s: %s%s%s (request %s)", script,
               st == GH_SCRIPT_TIMEOUT ? "timed out" : st == GH_SCRIPT_MEMORY ? "ran out of memory" : "failed",
               r.error_message ? r.error_message : "", r.traceback ? "\n" : "",
               r.traceback ? r.traceback : "", inv->req->request_id);
        if (st == GH_SCRIPT_TIMEOUT)
            rc = gh_integration_fail(inv, GH_GW_INTEGRATION_TIMEOUT, 504, GH_TIMEOUT_MESSAGE,
                                     "mock %s ran past the integration timeout (%d ms)", script,
                                     timeout);
        else
            rc = gh_integration_fail(inv, GH_GW_API_CONFIGURATION_ERROR, 502,
                                     GH_INTERNAL_ERROR_MESSAGE, "mock %s did not return a response",
                                     script);
    }
    gh_script_result_free(&r);
    return rc;
}
