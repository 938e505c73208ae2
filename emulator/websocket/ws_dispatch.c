/* Which API and stage an upgrade addresses, each message and $disconnect
 * (ws_dispatch.h); $connect lives in ws_connect.c, running a route in ws_route_run.c. */
#include "websocket/ws_dispatch.h"

#include <string.h>

#include "util/ids.h"
#include "util/log.h"
#include "websocket/route_select.h"
#include "websocket/ws_route_run.h"

const gh_api *gh_ws_resolve(const gh_runtime *rt, const gh_request *req, const gh_stage **stage)
{
    *stage = NULL;
    const gh_api *api = gh_pipeline_api_for_host(rt->model, req->host, req->arena, NULL);
    if (!api || !api->websocket || !req->path || req->path[0] != '/')
        return NULL;
    /* The stage root only: /{stage} or /{stage}/ (a query string is not part of path). */
    const char *name = req->path + 1;
    size_t n = strcspn(name, "/?");
    if (n == 0 || (name[n] == '/' && name[n + 1] != '\0' && name[n + 1] != '?'))
        return NULL;
    *stage = gh_api_stage(api, gh_arena_strndup(req->arena, name, n));
    return *stage ? api : NULL;
}

/* The frame API Gateway sends for a message whose integration failed, whether or not the
 * route is two-way, byte for byte as AWS writes it (aws-samples/simple-websockets-chat-
 * app#42: < {"message": "Internal server error", "connectionId":"VNRUSeldSwMCIRQ=",
 * "requestId":"VNRXVFJOywMF3-Q="}). Ids are base64 text: nothing to escape. */
static const char *error_frame(gh_arena *a, const char *connection_id, const char *request_id)
{
    return gh_arena_concat(a, "{\"message\": \"Internal server error\", \"connectionId\":\"",
                           connection_id, "\", \"requestId\":\"", request_id, "\"}", (char *)NULL);
}

/* The route a message selects: the expression's key when a route has it, else $default
 * (non-JSON messages, binary frames and missing values included), else NULL. $connect and
 * $disconnect are never chosen by a message. */
static const gh_ws_route *select_route(gh_arena *a, const gh_ws_api *ws, const char *data,
                                       size_t len, bool binary)
{
    const char *key =
        !binary && ws->route_expr ? gh_route_expr_eval(a, ws->route_expr, data, len) : NULL;
    const gh_ws_route *r = key ? gh_ws_api_route(ws, key) : NULL;
    if (r && (strcmp(r->key, "$connect") == 0 || strcmp(r->key, "$disconnect") == 0))
        r = NULL;
    return r ? r : gh_ws_api_route(ws, "$default");
}

void gh_ws_message(const gh_runtime *rt, const gh_ws_session *s, gh_arena *a, const char *data,
                   size_t len, bool binary, gh_ws_reply *out)
{
    memset(out, 0, sizeof *out);
    const gh_stage *st;
    const gh_api *api = gh_ws_session_api(rt, s, &st);
    const gh_ws_route *route = api ? select_route(a, api->websocket, data, len, binary) : NULL;
    gh_ws_ctx c;
    gh_ws_ctx_init(&c, rt, api, st, s, a, NULL, "MESSAGE", route ? route->key : NULL);
    if (!route) {
        out->data = gh_route_forbidden_frame(a, s->connection_id, c.request_id);
        out->len = strlen(out->data);
        gh_ws_log_call(&c, 403);
        return;
    }
    char *message_id = gh_arena_alloc(a, GH_EXT_ID_LEN + 1);
    gh_extended_request_id(message_id);
    c.call.message_id = message_id;
    c.authorizer = s->authorizer ? s->authorizer : gh_ws_authorizer_value(a, s->authorizer_json);
    c.req->body = data;
    c.req->body_len = len;

    gh_ws_event_in in;
    gh_ws_event_base(&c, &in);
    in.body = data;
    in.body_len = len;
    in.binary = binary;
    gh_ws_outcome res;
    gh_ws_route_run(&c, route, &in, &res);
    if (res.failed) {
        out->data = error_frame(a, s->connection_id, c.request_id);
        out->len = strlen(out->data);
    } else if (route->two_way && res.has_body) {
        /* Only a two-way route answers; its statusCode does not matter: a function
         * answering 500 still gets its body to the client as a message
         * (yai333/React-Chat-App-using-AWS-API-Gateway-Websocket-and-Serverless-Framework#2). */
        out->data = res.body;
        out->len = res.body_len;
    }
    gh_ws_log_call(&c, res.status);
}

void gh_ws_disconnect(const gh_runtime *rt, const gh_ws_session *s, gh_arena *a, int status_code,
                      const char *reason)
{
    const gh_stage *st;
    const gh_api *api = gh_ws_session_api(rt, s, &st);
    const gh_ws_route *route = api ? gh_ws_api_route(api->websocket, "$disconnect") : NULL;
    if (!route)
        return;
    gh_ws_ctx c;
    gh_ws_ctx_init(&c, rt, api, st, s, a, NULL, "DISCONNECT", "$disconnect");
    c.authorizer = s->authorizer ? s->authorizer : gh_ws_authorizer_value(a, s->authorizer_json);
    gh_ws_event_in in;
    gh_ws_event_base(&c, &in);
    in.disconnect_status_code = status_code;
    in.disconnect_reason = reason;
    gh_ws_outcome res;
    /* Best effort, as on AWS: the connection is already closed, a failure is only logged
     * (by the route run). */
    gh_ws_route_run(&c, route, &in, &res);
    gh_ws_log_call(&c, res.status);
}
