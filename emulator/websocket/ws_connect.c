/* $connect (ws_dispatch.h gh_ws_connect): the route's REQUEST authorizer, then the route,
 * during the upgrade. The connection opens only if both let it (developer guide,
 * apigateway-websocket-api-route-keys-connect-disconnect: "If authorization fails on
 * $connect, the connection will not be established, and the client will receive a 401 or
 * 403 response"). The authorizer's checks, call and policy evaluation are the REST Lambda
 * authorizer's (auth/lambda_authorizer.h), given the WebSocket event and methodArn. */
#include <string.h>
#include <strings.h>

#include "auth/identity.h"
#include "auth/lambda_authorizer.h"
#include "util/url.h"
#include "util/log.h"
#include "websocket/ws_route_run.h"

#define SET(obj, key, value) gh_value_setn(a, obj, key, sizeof key - 1, value)

static void refuse(gh_arena *a, gh_ws_connect_result *out, int status, const char *body)
{
    out->refuse_status = status;
    out->headers = (gh_headers){0};
    gh_headers_add(a, &out->headers, "Content-Type", "application/json");
    out->body = body;
    out->body_len = strlen(body);
}

/* Single- and multi-value maps of pairs in order of first appearance (the last value in
 * the single map); names compared case-insensitively for headers. NULL when empty. */
static void pair_maps(gh_arena *a, const gh_headers *h, bool nocase, gh_value **single,
                      gh_value **multi)
{
    *single = *multi = NULL;
    if (!h->n)
        return;
    *single = gh_value_object(a, h->n);
    *multi = gh_value_object(a, h->n);
    for (size_t i = 0; i < h->n; i++) {
        const char *name = h->items[i].name, *key = name;
        const gh_value *value = gh_value_str(a, h->items[i].value ? h->items[i].value : "");
        for (size_t j = 0; j < (*multi)->u.obj.n; j++) {
            const char *k = (*multi)->u.obj.members[j].key;
            if (nocase ? strcasecmp(k, name) == 0 : strcmp(k, name) == 0) {
                key = k;
                break;
            }
        }
        gh_value *all = (gh_value *)gh_value_get(*multi, key);
        if (!all) {
            all = gh_value_array(a, 1);
            gh_value_set(a, *multi, key, all);
        }
        gh_value_append(a, all, value);
        gh_value_set(a, *single, key, value);
    }
}

/* The WebSocket REQUEST authorizer's event (apigateway-websocket-api-lambda-auth): type,
 * methodArn ending in /$connect, the upgrade's headers as sent (Connection and Upgrade
 * included, unlike the $connect route's event), the query string, stageVariables ({}
 * when none) and the CONNECT event's requestContext. No path parameters: the path is
 * fixed. */
static const gh_value *authorizer_event(gh_ws_ctx *c, const char *arn)
{
    gh_arena *a = c->a;
    gh_ws_event_in in;
    gh_ws_event_base(c, &in);
    in.headers = &c->req->headers;
    in.query = c->req->query;
    const gh_value *connect = gh_ws_event(a, &in);

    gh_value *ev = gh_value_object(a, 8);
    SET(ev, "type", gh_value_str(a, "REQUEST"));
    SET(ev, "methodArn", gh_value_str(a, arn));
    gh_value *single, *multi;
    pair_maps(a, &c->req->headers, true, &single, &multi);
    SET(ev, "headers", single ? single : gh_value_object(a, 0));
    SET(ev, "multiValueHeaders", multi ? multi : gh_value_object(a, 0));
    if (c->req->query && *c->req->query) {
        gh_headers q = {0};
        gh_query_parse(a, c->req->query, &q);
        pair_maps(a, &q, false, &single, &multi);
        if (single) {
            SET(ev, "queryStringParameters", single);
            SET(ev, "multiValueQueryStringParameters", multi);
        }
    }
    gh_value *vars = gh_value_object(a, c->stage ? c->stage->variables.n : 0);
    for (size_t i = 0; c->stage && i < c->stage->variables.n; i++)
        gh_value_set(a, vars, c->stage->variables.items[i].key,
                     gh_value_str(a, c->stage->variables.items[i].value));
    SET(ev, "stageVariables", vars);
    SET(ev, "requestContext", gh_value_get(connect, "requestContext"));
    return ev;
}

/* Runs the $connect authorizer: 0 when it allows (c->authorizer set), else -1 with the
 * refusal in out. */
static int authorize(gh_ws_ctx *c, const gh_ws_authorizer *wa, gh_ws_connect_result *out)
{
    gh_arena *a = c->a;
    gh_invocation inv = {.req = c->req,
                         .arena = a,
                         .model = c->rt->model,
                         .api = c->api,
                         .stage = c->stage,
                         .path = "/",
                         .stage_path = c->req->path,
                         .domain_name = c->s->domain_name,
                         .scripts = c->rt->scripts,
                         .backend = c->rt->backend,
                         .sim = c->rt->sim,
                         .ws = &c->call};
    if (wa->broken || !wa->identity) {
        gh_log(GH_LOG_ERROR, "websocket authorizer %s: %s (request %s)", wa->name,
               wa->broken ? wa->broken : "no identity source", c->request_id);
        refuse(a, out, 500, "{\"message\": \"Internal server error\"}");
        return -1;
    }
    /* A missing or empty identity source is 401 without calling the function, as the
     * model documents for WebSocket authorizers (reference §4.1). */
    const char **values;
    if (wa->identity->n && gh_identity_values(&inv, wa->identity, &values) != GH_IDENTITY_OK) {
        gh_log(GH_LOG_INFO,
               "websocket authorizer %s: identity source missing or empty; the "
               "function was not called (request %s)",
               wa->name, c->request_id);
        refuse(a, out, 401, "{\"message\":\"Unauthorized\"}");
        return -1;
    }
    /* The REST Lambda authorizer's steps with this authorizer's settings; the cache is
     * scoped by the name, so it is marked as the WebSocket API's. */
    gh_authorizer az = {.name = gh_arena_concat(a, "websocket:", wa->name, (char *)NULL),
                        .kind = GH_AUTHZ_REQUEST,
                        .function = wa->function,
                        .identity = wa->identity,
                        .ttl_seconds = wa->ttl_seconds};
    const char *arn =
        gh_arena_concat(a, "arn:aws:execute-api:", c->api->region, ":", c->api->account_id, ":",
                        c->api->id, "/", c->stage->name, "/$connect", (char *)NULL);
    gh_auth_outcome o;
    gh_lambda_authorize_event(&inv, &az, c->rt->auth_cache, authorizer_event(c, arn), arn, &o);
    if (o.log && (o.verdict != GH_AUTH_ALLOW || !gh_log_quiet()))
        gh_log(o.verdict == GH_AUTH_ALLOW ? GH_LOG_DEBUG : GH_LOG_INFO, "%s (request %s)", o.log,
               c->request_id);
    switch (o.verdict) {
    case GH_AUTH_ALLOW: c->authorizer = o.authorizer; return 0;
    case GH_AUTH_DENY_EXPLICIT:
    case GH_AUTH_DENY_IMPLICIT:
        /* A policy that does not allow .../$connect refuses the handshake with 403
         * (powertools-lambda-python#5800: a policy whose Resource is a REST-style
         * STAGE/VERB/PATH wildcard never matches .../$connect and "results in a 403
         * error"). The body is HTTP APIs' Forbidden. */
        refuse(a, out, 403, "{\"message\":\"Forbidden\"}");
        return -1;
    case GH_AUTH_FAIL: break;
    }
    if (o.fail_type == GH_GW_UNAUTHORIZED)
        refuse(a, out, 401, "{\"message\":\"Unauthorized\"}");
    else
        /* Any other error, a timeout, a result without a policy: 500, as REST's
         * AuthorizerConfigurationException (serverless/examples#557: a WebSocket authorizer
         * answering anything but a policy gets the client a 500). */
        refuse(a, out, 500, "{\"message\": \"Internal server error\"}");
    return -1;
}

void gh_ws_connect(const gh_runtime *rt, gh_request *req, const gh_ws_session *s,
                   gh_ws_connect_result *out)
{
    memset(out, 0, sizeof *out);
    gh_arena *a = req->arena;
    const gh_stage *st;
    const gh_api *api = gh_ws_session_api(rt, s, &st);
    if (!api) {
        refuse(a, out, 403, "{\"message\":\"Forbidden\"}");
        return;
    }
    const gh_ws_route *route = gh_ws_api_route(api->websocket, "$connect");
    gh_ws_ctx c;
    gh_ws_ctx_init(&c, rt, api, st, s, a, req, "CONNECT", "$connect");
    if (route && route->authorizer && authorize(&c, route->authorizer, out) != 0) {
        gh_ws_log_call(&c, out->refuse_status);
        return;
    }
    out->authorizer_json = gh_ws_authorizer_text(a, c.authorizer);
    /* Without a $connect route every connection is accepted, as on AWS. */
    if (!route)
        return;

    gh_ws_event_in in;
    gh_ws_event_base(&c, &in);
    in.headers = &req->headers;
    in.query = req->query;
    gh_ws_outcome res;
    gh_ws_route_run(&c, route, &in, &res);
    if (res.failed) {
        /* A $connect function that fails refuses the handshake with 502, as the REST
         * Lambda proxy answers (anomalyco/guide#644: a $connect function failing on a
         * promise error gave "502 bad gateway responses"; aws-lambda-graphql#107). An
         * integration that cannot be called is 500. */
        refuse(a, out, res.status, "{\"message\": \"Internal server error\"}");
    } else if (res.status < 200 || res.status > 299) {
        /* A non-2xx statusCode refuses the connection with that status (developer guide,
         * reference §9.1), the result's headers and body making the answer. */
        out->refuse_status = res.status;
        out->headers = res.headers;
        out->body = res.has_body ? res.body : "";
        out->body_len = res.has_body ? res.body_len : 0;
    } else {
        /* The 101 carries what $connect answered: the subprotocol it chose
         * (Sec-WebSocket-Protocol), which the client requires when it offered any. */
        out->headers = res.headers;
    }
    gh_ws_log_call(&c, out->refuse_status ? out->refuse_status : 101);
}
