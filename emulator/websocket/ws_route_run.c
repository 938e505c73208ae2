/* Running one WebSocket route (ws_route_run.h): a Lua function with the WebSocket event,
 * or an integration through the same door REST uses. Failures are reduced to the status
 * AWS answers; the reason and any Lua traceback go to the log, never to the client. */
#include "websocket/ws_route_run.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "integration/integration.h"
#include "integration/lambda_target.h"
#include "util/clock.h"
#include "gateway/gateway_response.h"
#include "util/log.h"

void gh_ws_ctx_init(gh_ws_ctx *c, const gh_runtime *rt, const gh_api *api, const gh_stage *st,
                    const gh_ws_session *s, gh_arena *a, gh_request *req, const char *event_type,
                    const char *route_key)
{
    memset(c, 0, sizeof *c);
    c->rt = rt;
    c->api = api;
    c->stage = st;
    c->s = s;
    c->a = a;
    if (!req) {
        req = gh_arena_calloc(a, sizeof *req);
        req->arena = a;
        gh_request_stamp(req);
        /* Integrations see the requestId the event carries. */
        memcpy(req->request_id, req->extended_id, sizeof req->extended_id);
        req->method = "POST";
        req->path = gh_arena_concat(a, "/", st ? st->name : "", (char *)NULL);
        req->protocol = "HTTP/1.1";
        req->source_ip = s->source_ip;
        if (s->user_agent)
            gh_headers_add(a, &req->headers, "User-Agent", s->user_agent);
        if (s->domain_name)
            gh_headers_add(a, &req->headers, "Host", s->domain_name);
    }
    c->req = req;
    c->request_id = req->extended_id;
    c->call = (gh_ws_call){.session = s, .event_type = event_type, .route_key = route_key};
}

void gh_ws_event_base(const gh_ws_ctx *c, gh_ws_event_in *in)
{
    memset(in, 0, sizeof *in);
    in->event_type = c->call.event_type;
    in->route_key = c->call.route_key;
    in->connection_id = c->s->connection_id;
    in->connected_at_ms = c->s->connected_at_ms;
    in->message_id = c->call.message_id;
    in->stage = c->stage ? c->stage->name : c->s->stage;
    in->domain_name = c->s->domain_name;
    in->api_id = c->api ? c->api->id : c->s->api_id;
    in->request_id = c->request_id;
    in->extended_request_id = c->request_id;
    in->request_time_ms = c->req->time_ms;
    in->source_ip = c->s->source_ip;
    in->user_agent = c->s->user_agent;
    in->authorizer = c->authorizer;
}

void gh_ws_log_call(const gh_ws_ctx *c, int status)
{
    if (gh_log_quiet())
        return;
    double ms = (double)(gh_clock_mono_ns() - c->req->start_ns) / 1e6;
    gh_log_access("WS %s %s %s %d %.2fms %s", c->call.event_type,
                  c->call.route_key ? c->call.route_key : "-", c->s->connection_id, status, ms,
                  c->request_id);
}

/* The invocation an integration (or the Lambda context) is built from. */
static void invocation(gh_ws_ctx *c, const gh_integration *in, gh_response *resp,
                       gh_invocation *inv)
{
    memset(inv, 0, sizeof *inv);
    inv->req = c->req;
    inv->resp = resp;
    inv->arena = c->a;
    inv->model = c->rt->model;
    inv->api = c->api;
    inv->stage = c->stage;
    inv->integration = in;
    inv->path = "/";
    inv->stage_path = c->req->path;
    inv->domain_name = c->s->domain_name;
    inv->scripts = c->rt->scripts;
    inv->backend = c->rt->backend;
    inv->sim = c->rt->sim;
    inv->authorizer = c->authorizer;
    inv->ws = &c->call;
}

static const char *dump(gh_arena *a, const json_t *v, size_t *len)
{
    char *t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    const char *out = t ? gh_arena_strdup(a, t) : "";
    free(t);
    *len = strlen(out);
    return out;
}

/* A function's result as API Gateway reads a Lambda proxy answer on a WebSocket route
 * (developer guide, "Set up route responses": "The body of your Lambda function should
 * return"): {statusCode, headers, body}, the body sent as it is. Our choices where AWS
 * says nothing precise: a result that is not a {statusCode, body} table (a bare string,
 * a table without either key) is sent whole, a string as its text and anything else as
 * JSON; nil and a result without a body send nothing. */
static void read_result(gh_arena *a, const json_t *res, gh_ws_outcome *out)
{
    out->status = 200;
    if (!res || json_is_null(res))
        return;
    if (json_is_string(res)) {
        out->has_body = true;
        out->body_len = json_string_length(res);
        out->body = gh_arena_memdup(a, json_string_value(res), out->body_len + 1);
        return;
    }
    const json_t *code = json_is_object(res) ? json_object_get(res, "statusCode") : NULL;
    const json_t *body = json_is_object(res) ? json_object_get(res, "body") : NULL;
    if (!code && !body) {
        out->has_body = true;
        out->body = dump(a, res, &out->body_len);
        return;
    }
    if (json_is_integer(code))
        out->status = (int)json_integer_value(code);
    else if (json_is_string(code))
        out->status = atoi(json_string_value(code));
    if (json_is_string(body)) {
        out->has_body = true;
        out->body_len = json_string_length(body);
        out->body = gh_arena_memdup(a, json_string_value(body), out->body_len + 1);
    } else if (body && !json_is_null(body)) {
        out->has_body = true;
        out->body = dump(a, body, &out->body_len);
    }
    const json_t *headers = json_object_get(res, "headers");
    const char *name;
    const json_t *v;
    if (json_is_object(headers))
        json_object_foreach((json_t *)headers, name, v)
        {
            size_t n;
            const char *text = json_is_string(v) ? json_string_value(v) : dump(a, v, &n);
            gh_headers_add(a, &out->headers, gh_arena_strdup(a, name), gh_arena_strdup(a, text));
        }
}

static void run_function(gh_ws_ctx *c, const char *name, const gh_integration *in,
                         const gh_ws_event_in *ev, gh_ws_outcome *out)
{
    const gh_function *fn = name && *name ? gh_api_function(c->api, name) : NULL;
    if (!fn || !c->rt->scripts) {
        /* Lambda refuses to invoke a function that does not exist: AWS answers 500. */
        gh_log(GH_LOG_ERROR, "websocket route %s: %s (request %s)", c->call.route_key,
               fn ? "no Lua runtime is running"
                  : gh_arena_printf(c->a,
                                    "function '%s' is not declared under "
                                    "x-gatehouse.functions",
                                    name ? name : ""),
               c->request_id);
        out->failed = true;
        out->status = 500;
        return;
    }
    gh_invocation inv;
    invocation(c, in, NULL, &inv);
    gh_lambda_context ctx;
    gh_lambda_context_init(&inv, fn, &ctx);
    bool gateway_first;
    int timeout = gh_lambda_timeout(&inv, fn, &gateway_first);
    gh_script_result r;
    gh_script_status st =
        gh_script_call_value(c->rt->scripts, fn->script, gh_ws_event(c->a, ev), &ctx, timeout, &r);
    if (st == GH_SCRIPT_OK) {
        read_result(c->a, r.value, out);
    } else {
        gh_log(GH_LOG_ERROR, "websocket route %s: function %s (%s) %s: %s%s%s (request %s)",
               c->call.route_key, fn->name, fn->handler,
               st == GH_SCRIPT_TIMEOUT  ? "timed out"
               : st == GH_SCRIPT_MEMORY ? "ran out of memory"
                                        : "failed",
               r.error_message ? r.error_message : "", r.traceback ? "\n" : "",
               r.traceback ? r.traceback : "", c->request_id);
        out->failed = true;
        /* As the REST Lambda proxy: a failed function is 502, API Gateway giving up
         * first (integration timeout) 504. */
        out->status = st == GH_SCRIPT_TIMEOUT && gateway_first ? 504 : 502;
    }
    gh_script_result_free(&r);
}

void gh_ws_route_run(gh_ws_ctx *c, const gh_ws_route *r, const gh_ws_event_in *ev,
                     gh_ws_outcome *out)
{
    memset(out, 0, sizeof *out);
    const gh_integration *in = r->integration;
    if (r->function || !in) {
        run_function(c, r->function, NULL, ev, out);
        return;
    }
    gh_response *resp = gh_arena_calloc(c->a, sizeof *resp);
    gh_invocation inv;
    invocation(c, in, resp, &inv);
    /* An aws_proxy integration naming a function is a Lambda proxy route: the function
     * gets the WebSocket event, not REST's. A Lua mock still takes precedence. */
    if (in->type == GH_INTEG_AWS_PROXY && in->mock_script < 0 && !in->broken) {
        run_function(c, gh_lambda_function_name(&inv), in, ev, out);
        return;
    }
    if (gh_integration_run(&inv) != 0) {
        out->failed = true;
        out->status = inv.fail_status ? inv.fail_status : gh_gw_default_status(inv.fail_type);
        return;
    }
    out->status = resp->status ? resp->status : 200;
    out->headers = resp->headers;
    out->has_body = resp->body != NULL;
    out->body = resp->body;
    out->body_len = resp->body_len;
}

const gh_api *gh_ws_session_api(const gh_runtime *rt, const gh_ws_session *s, const gh_stage **st)
{
    const gh_api *api = s->api_id ? gh_model_api(rt->model, s->api_id) : NULL;
    *st = api && s->stage ? gh_api_stage(api, s->stage) : NULL;
    return api && api->websocket && *st ? api : NULL;
}

const char *gh_ws_authorizer_text(gh_arena *a, const gh_value *authorizer)
{
    if (!authorizer)
        return NULL;
    json_t *j = gh_value_to_json(authorizer);
    char *t = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(j);
    const char *out = t ? gh_arena_strdup(a, t) : NULL;
    free(t);
    return out;
}

/* The authorizer value is flat (principalId, context values as strings,
 * integrationLatency): scalars are all it holds. */
const gh_value *gh_ws_authorizer_value(gh_arena *a, const char *json_text)
{
    if (!json_text)
        return NULL;
    json_t *j = json_loads(json_text, JSON_DECODE_ANY, NULL);
    if (!json_is_object(j)) {
        json_decref(j);
        return NULL;
    }
    gh_value *o = gh_value_object(a, json_object_size(j));
    const char *key;
    json_t *v;
    json_object_foreach(j, key, v)
    {
        const gh_value *x;
        size_t n;
        switch (json_typeof(v)) {
        case JSON_STRING: /* copied: the value would borrow jansson's text */
            x = gh_value_strn(a, gh_arena_strndup(a, json_string_value(v), json_string_length(v)),
                              json_string_length(v));
            break;
        case JSON_INTEGER: x = gh_value_int(a, (int64_t)json_integer_value(v)); break;
        case JSON_TRUE: x = gh_value_bool(true); break;
        case JSON_FALSE: x = gh_value_bool(false); break;
        case JSON_NULL: x = gh_value_null(); break;
        default: x = gh_value_str(a, dump(a, v, &n)); break;
        }
        gh_value_set(a, o, gh_arena_strdup(a, key), x);
    }
    json_decref(j);
    return o;
}
