/* Lambda custom (non-proxy) integration: type aws with a Lambda URI (reference §3.5).
 * The request template's output is the event; what the function returns, or the error
 * it raised in Lambda's shape, is the integration response body (Lambda answers 200
 * either way), and the integration responses map it: selectionPattern against the
 * errorMessage of an error, against "" for a success (§5.6). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "integration/integ_response.h"
#include "integration/lambda_target.h"
#include "integration/request_mapping.h"
#include "integration/runners.h"
#include "util/json_text.h"
#include "util/log.h"

/* The error body Lambda returns for a failed invocation, and its errorMessage. */
static json_t *error_body(const gh_script_result *r, const gh_lambda_context *ctx,
                          const char **message)
{
    json_t *err = gh_lambda_error_payload(r, ctx->aws_request_id);
    *message = json_string_value(json_object_get(err, "errorMessage"));
    return err;
}

static void log_failure(const gh_invocation *inv, const gh_function *fn, const gh_script_result *r)
{
    gh_log(GH_LOG_INFO, "function %s (%s) %s: %s%s%s (request %s)", fn->name, fn->handler,
           r->status == GH_SCRIPT_TIMEOUT  ? "timed out"
           : r->status == GH_SCRIPT_MEMORY ? "ran out of memory"
                                           : "raised an error",
           r->error_message ? r->error_message : "", r->traceback ? "\n" : "",
           r->traceback ? r->traceback : "", inv->req ? inv->req->request_id : "-");
}

/* The event: the request template's output (or the passed-through body) as JSON. An
 * empty payload is the empty object, as Lambda's Invoke gives a function. NULL with
 * *why when the payload is not JSON. */
static json_t *event_of(gh_invocation *inv, const char **why)
{
    if (!inv->integ_body_len)
        return json_object();
    json_error_t err;
    json_t *event = json_loadb(inv->integ_body, inv->integ_body_len, JSON_DECODE_ANY, &err);
    if (!event)
        *why = gh_arena_printf(inv->arena, "%s at [line: %d, column: %d]", err.text, err.line,
                               err.column);
    return event;
}

int gh_lambda_aws_run(gh_invocation *inv)
{
    const gh_integration *in = inv->integration;
    const gh_function *fn = gh_lambda_resolve(inv);
    if (!fn)
        return -1;
    bool templated;
    if (gh_request_mapping_apply(inv, &templated) < 0)
        return -1;
    const char *why = NULL;
    json_t *event = event_of(inv, &why);
    if (!event)
        /* Lambda's Invoke refuses a payload that is not JSON with 400
         * InvalidRequestContentException, and API Gateway hands the client that status
         * and message: the classic form post passed through to a Lambda
         * (serverless/serverless#2270, nateyolles/slack-pokerbot#1). The parser's detail
         * is Jackson's on AWS and ours here; the prefix is AWS's. */
        return gh_integration_fail(inv, GH_GW_DEFAULT_4XX, 400,
                                   gh_arena_printf(inv->arena,
                                                   "Could not parse request body into json: %s",
                                                   why),
                                   "the %s is not JSON, and Lambda accepts only JSON events: "
                                   "%.*s",
                                   templated ? "request template's output" : "request body",
                                   (int)(inv->integ_body_len < 200 ? inv->integ_body_len : 200),
                                   inv->integ_body);

    const char *trace = gh_lambda_trace_id(inv);
    gh_lambda_context ctx;
    gh_lambda_context_init(inv, fn, &ctx);
    inv->endpoint_request_id = ctx.aws_request_id;
    bool gateway_gives_up;
    int timeout = gh_lambda_timeout(inv, fn, &gateway_gives_up);
    /* X-Amz-Invocation-Type, mapped into the integration request by requestParameters:
     * 'Event' invokes asynchronously (Lambda answers 202 with no body, so the client gets
     * the default response at once and never the result) and 'DryRun' only checks (204)
     * (set-up-lambda-integration-async). Here an Event call still runs before the answer
     * is sent, so its side effects are visible to the next request, as a test wants. */
    const char *itype = gh_headers_get(&inv->integ_headers, "X-Amz-Invocation-Type");
    if (itype && (strcmp(itype, "Event") == 0 || strcmp(itype, "DryRun") == 0)) {
        if (strcmp(itype, "Event") == 0) {
            gh_script_result r;
            if (gh_script_call(inv->scripts, fn->script, event, &ctx, fn->timeout_ms, &r) !=
                GH_SCRIPT_OK)
                log_failure(inv, fn, &r);
            gh_script_result_free(&r);
        }
        json_decref(event);
        gh_headers integ_headers = {0};
        gh_headers_add(inv->arena, &integ_headers, "x-amzn-RequestId", ctx.aws_request_id);
        const gh_integ_response *resp = gh_integ_response_select(in, "");
        if (!resp)
            return gh_integration_fail(inv, GH_GW_API_CONFIGURATION_ERROR, 0,
                                       GH_INTERNAL_ERROR_MESSAGE,
                                       "no default integration response for the %s invocation",
                                       itype);
        return gh_integ_response_apply(inv, resp, "", 0, &integ_headers);
    }
    gh_script_result r;
    gh_script_status st = gh_script_call(inv->scripts, fn->script, event, &ctx, timeout, &r);
    json_decref(event);

    if (st == GH_SCRIPT_TIMEOUT && gateway_gives_up) {
        log_failure(inv, fn, &r);
        gh_script_result_free(&r);
        return gh_integration_fail(inv, GH_GW_INTEGRATION_TIMEOUT, 504, GH_TIMEOUT_MESSAGE,
                                   "function %s ran past the integration timeout (%d ms)",
                                   fn->name, timeout);
    }

    /* What Lambda's Invoke answered: a 200 carrying the result or the error. */
    gh_headers integ_headers = {0};
    gh_arena *a = inv->arena;
    gh_headers_add(a, &integ_headers, "Content-Type", "application/json");
    gh_headers_add(a, &integ_headers, "X-Amz-Executed-Version", ctx.function_version);
    gh_headers_add(a, &integ_headers, "x-amzn-RequestId", ctx.aws_request_id);
    gh_headers_add(a, &integ_headers, "X-Amzn-Trace-Id", trace);
    json_t *body_json;
    const char *selector = "";
    if (st == GH_SCRIPT_OK) {
        body_json = json_incref(r.value);
    } else {
        log_failure(inv, fn, &r);
        body_json = error_body(&r, &ctx, &selector);
        selector = gh_arena_strdup(a, selector);
        gh_headers_add(a, &integ_headers, "X-Amz-Function-Error", "Unhandled");
    }
    /* As the Node runtime writes it; a result's keys sorted (a Lua table has no order),
     * the error object in Lambda's own order. */
    gh_buf text = GH_BUF_INIT;
    gh_json_text(body_json, st == GH_SCRIPT_OK, &text);
    json_decref(body_json);
    gh_script_result_free(&r);
    const char *body = gh_arena_strndup(a, text.data, text.len);
    gh_buf_free(&text);

    const gh_integ_response *resp = gh_integ_response_select(in, selector);
    if (!resp)
        return gh_integration_fail(inv, GH_GW_API_CONFIGURATION_ERROR, 0, GH_INTERNAL_ERROR_MESSAGE,
                                   "no integration response matches %s%s%s and none is the "
                                   "default",
                                   *selector ? "errorMessage '" : "the function's result",
                                   selector, *selector ? "'" : "");
    if (gh_integ_response_apply(inv, resp, body, strlen(body), &integ_headers) < 0)
        return -1;
    if (!gh_headers_has(&inv->resp->headers, "X-Amzn-Trace-Id"))
        gh_headers_add(a, &inv->resp->headers, "X-Amzn-Trace-Id", trace);
    return 0;
}
