/* The @connections management API (ws_mgmt.h): the three operations of AWS's
 * apigatewaymanagementapi service (botocore's service-2.json, rest-json, signing name
 * execute-api) on the server's own port, answering with the statuses, bodies and
 * x-amzn-ErrorType AWS sends so SDKs raise their own exception classes:
 *   POST   /{stage}/@connections/{id}  PostToConnection  200, no body
 *   GET    /{stage}/@connections/{id}  GetConnection     200 {"connectedAt":..., ...}
 *   DELETE /{stage}/@connections/{id}  DeleteConnection  204
 * The connections themselves are websocket/ws_hub.h's. */
#include "websocket/ws_mgmt.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth/policy.h"
#include "auth/resource_policy.h"
#include "auth/sigv4.h"
#include "gateway/gateway_response.h"
#include "gateway/router.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/url.h"

/* As the REST pipeline picks an API (gateway/pipeline.c). */
#define EXECUTE_API_SUFFIX ".execute-api.localhost"
/* API Gateway accepts a signing date up to 5 minutes off (auth/iam.c). */
#define SKEW_SECONDS 300

static const gh_api *api_of(const gh_runtime *rt, const gh_request *req)
{
    const gh_model *m = rt && rt->model ? rt->model : NULL;
    if (!m || m->napis == 0)
        return NULL;
    const char *host = req->host;
    size_t hlen = host ? strlen(host) : 0, slen = strlen(EXECUTE_API_SUFFIX);
    if (hlen > slen && strcmp(host + hlen - slen, EXECUTE_API_SUFFIX) == 0) {
        for (size_t i = 0; i < m->napis; i++)
            if (strlen(m->apis[i].id) == hlen - slen &&
                strncmp(m->apis[i].id, host, hlen - slen) == 0)
                return &m->apis[i];
        return NULL;
    }
    return &m->apis[0];
}

/* The parts of /{stage}/@connections{rest}: the SDKs send the `@` as is, the CLI (and
 * some HTTP libraries) as %40. */
typedef struct mgmt_path {
    const char *stage; /* arena copy */
    const char *rest;  /* after "@connections": "", "/", "/ID", "/a/b", ... */
} mgmt_path;

/* "@connections" (or "%40connections") at seg, followed by the end or a '/': the
 * length of the name, else 0. */
static size_t connections_name(const char *seg)
{
    size_t at = 0;
    if (seg[0] == '@')
        at = 1;
    else if (seg[0] == '%' && seg[1] == '4' && seg[2] == '0')
        at = 3;
    else
        return 0;
    if (strncmp(seg + at, "connections", 11) != 0)
        return 0;
    return seg[at + 11] == '\0' || seg[at + 11] == '/' ? at + 11 : 0;
}

static bool split_path(gh_arena *a, const char *path, mgmt_path *out)
{
    if (!path || path[0] != '/')
        return false;
    const char *stage = path + 1;
    const char *slash = strchr(stage, '/');
    if (!slash || slash == stage)
        return false;
    const char *seg = slash + 1;
    size_t n = connections_name(seg);
    if (!n)
        return false;
    const char *rest = seg + n;
    out->stage = gh_arena_strndup(a, stage, (size_t)(slash - stage));
    out->rest = rest;
    return true;
}

/* A WebSocket API's own stage: the operations are answered. */
static bool serves_stage(const gh_api *api, const char *stage)
{
    return api->websocket && stage && gh_api_stage(api, stage) != NULL;
}

/* The REST API of the definition has a resource at this path of a stage it has (a
 * literal `@connections` resource, or a greedy `{proxy+}` above it): REST keeps it. */
static bool rest_serves(const gh_api *api, const gh_request *req, const mgmt_path *p)
{
    if (!p->stage || !gh_api_stage(api, p->stage))
        return false;
    const char *rest = strchr(req->path + 1, '/');
    gh_route r;
    (void)gh_router_match(api, req->method ? req->method : "GET", rest, req->arena, &r);
    return r.resource != NULL;
}

bool gh_ws_mgmt_claims(const gh_runtime *rt, const gh_request *req)
{
    const gh_api *api = api_of(rt, req);
    if (!api || !req->path || req->path[0] != '/')
        return false;
    mgmt_path p = {0};
    if (!split_path(req->arena, req->path, &p)) {
        /* /@connections/{id}: the SDK's endpoint without its stage (aws-sdk-php#1955). */
        return connections_name(req->path + 1) != 0;
    }
    if (serves_stage(api, p.stage))
        return true;
    /* A stage without a WebSocket API (or none at all): AWS answers 403 Forbidden, unless
     * our REST API really serves that path. */
    return !rest_serves(api, req, &p);
}

/* ---- answers ---- */

static void answer(gh_request *req, gh_response *resp, int status, const char *error_type,
                   const char *body)
{
    resp->status = status;
    gh_headers_set(req->arena, &resp->headers, "Content-Type", "application/json");
    gh_headers_set(req->arena, &resp->headers, "x-amzn-RequestId", req->request_id);
    if (error_type)
        gh_headers_set(req->arena, &resp->headers, "x-amzn-ErrorType", error_type);
    resp->body = body ? body : "";
    resp->body_len = body ? strlen(body) : 0;
}

/* {"<key>":"<message>"}, JSON-escaped. */
static const char *message_body(gh_arena *a, const char *key, const char *message)
{
    json_t *o = json_object();
    json_object_set_new(o, key, json_string(message));
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    const char *out = gh_arena_strdup(a, text ? text : "{}");
    free(text);
    return out;
}

/* GoneException (and LimitExceededException, whose shape has no members either) come
 * with an empty body: the v2 JavaScript SDK reports such errors with the status code as
 * their message ("GoneException: 410", aws-sdk-js-v3#2763), which it does only for an
 * empty body, and the PHP SDK fails to parse a JSON error from them
 * (laravel-echo-api-gateway#9). */
static void gone(gh_request *req, gh_response *resp)
{
    answer(req, resp, 410, "GoneException", NULL);
}

/* An operation that does not exist on this path (another verb, no id, more segments):
 * ForbiddenException, the caller "not authorized to invoke this operation", worded as
 * API Gateway words an unmatched route of this service ("No method found matching route
 * ... for http method ...", aws-samples/simple-websockets-chat-app#40). */
static void no_route(gh_request *req, gh_response *resp, const char *route)
{
    answer(req, resp, 403, "ForbiddenException",
           message_body(req->arena, "message",
                        gh_arena_printf(req->arena,
                                        "No method found matching route %s for http method %s.",
                                        route, req->method ? req->method : "")));
}

static void gateway_failure(gh_request *req, gh_response *resp, gh_gw_type t, const char *msg)
{
    /* ACCESS_DENIED capitalises "Message" (gateway/gateway_response.c). */
    const char *key = t == GH_GW_ACCESS_DENIED ? "Message" : "message";
    answer(req, resp, gh_gw_default_status(t), gh_gw_error_type(t),
           message_body(req->arena, key, msg ? msg : gh_gw_default_message(t)));
}

/* ---- signatures ---- */

static const char *lookup(void *ctx, const char *access_key, const void **credential)
{
    const gh_credential *c = gh_api_credential(ctx, access_key);
    *credential = c;
    return c ? c->secret_key : NULL;
}

/* SigV4 for service execute-api in the API's region, the failures worded as API
 * Gateway's IAM authorization words them (auth/iam.h). 0 when the request may go on,
 * with *who the credential that signed it. */
static int check_signature(const gh_api *api, gh_request *req, gh_response *resp,
                           const gh_credential **who)
{
    gh_sigv4_request sr = {req->method,   req->path, req->query,
                           &req->headers, req->body, req->body_len};
    gh_sigv4_expect ex = {api->region, "execute-api", SKEW_SECONDS};
    gh_sigv4_result r;
    switch (gh_sigv4_verify(req->arena, &sr, &ex, lookup, (void *)api, gh_clock_now_ms(), &r)) {
    case GH_SIGV4_OK: *who = r.credential; return 0;
    case GH_SIGV4_MISSING:
        gateway_failure(req, resp, GH_GW_MISSING_AUTHENTICATION_TOKEN, NULL);
        break;
    case GH_SIGV4_MALFORMED:
        gateway_failure(req, resp, GH_GW_MISSING_AUTHENTICATION_TOKEN, r.message);
        gh_headers_set(req->arena, &resp->headers, "x-amzn-ErrorType",
                       "IncompleteSignatureException");
        break;
    case GH_SIGV4_SCOPE:
    case GH_SIGV4_EXPIRED: gateway_failure(req, resp, GH_GW_INVALID_SIGNATURE, r.message); break;
    case GH_SIGV4_UNKNOWN_KEY:
        gateway_failure(req, resp, GH_GW_ACCESS_DENIED,
                        "The security token included in the request is invalid.");
        break;
    case GH_SIGV4_MISMATCH:
        gateway_failure(req, resp, GH_GW_INVALID_SIGNATURE,
                        gh_sigv4_mismatch_message(req->arena, &r));
        break;
    }
    gh_log(GH_LOG_INFO, "@connections: %s %s: signature refused (%d)", req->method, req->path,
           resp->status);
    return -1;
}

/* ---- the identity policy ---- */

#define MANAGE "execute-api:ManageConnections"

/* The signer's identity policy (x-gatehouse.credentials.*.policy; none allows everything,
 * as for REST methods) must allow execute-api:ManageConnections on
 * arn:aws:execute-api:REGION:ACCOUNT:APIID/STAGE/VERB/@connections/{connectionId}: the
 * action and the REST-style ARN are the developer guide's
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-control-access-iam.html),
 * and the last segment is the literal "{connectionId}", not the id called, as every denial
 * AWS sends shows it (".../prod/POST/@connections/{connectionId}", aws-solutions/
 * innovation-sandbox-on-aws#59; ".../stage/DELETE/@connections/{connectionId}",
 * aws-cdk#18410). The refusal is the one those report: 403 AccessDeniedException (botocore
 * names it "(AccessDeniedException) when calling the PostToConnection operation"), "User:
 * ARN is not authorized to perform: execute-api:ManageConnections on resource: ARN", the
 * resource's account masked, then IAM's reason ("with an explicit deny in an
 * identity-based policy" / "because no identity-based policy allows the ... action",
 * reference_policies_access-denied). 0 when the call may go on. */
static int check_policy(const gh_api *api, const char *stage, const gh_credential *who,
                        gh_request *req, gh_response *resp)
{
    if (!who || !who->policy)
        return 0;
    gh_arena *a = req->arena;
    const char *arn = gh_policy_method_arn(a, api->region, api->account_id, api->id, stage,
                                           req->method, "@connections/{connectionId}");
    gh_policy_result pr;
    gh_policy_error perr;
    const char *why;
    if (gh_identity_policy_evaluate_action(a, req, who->policy, who->arn, MANAGE, arn, &pr,
                                           &perr) != 0) {
        /* The loader refuses such a document; a hand-built one can only deny. */
        pr.decision = GH_POLICY_IMPLICIT_DENY;
        why = gh_arena_printf(a, "identity policy unusable (%s)", perr.message);
    } else if (pr.decision == GH_POLICY_ALLOW) {
        return 0;
    } else {
        why = pr.decision == GH_POLICY_EXPLICIT_DENY
                  ? gh_arena_printf(a, "identity policy Statement[%d] denies", pr.statement)
                  : "no identity policy statement allows";
    }
    gateway_failure(
        req, resp, GH_GW_ACCESS_DENIED,
        gh_arena_printf(a, "User: %s is not authorized to perform: " MANAGE " on resource: %s %s",
                        who->arn, gh_policy_masked_arn(a, arn),
                        pr.decision == GH_POLICY_EXPLICIT_DENY
                            ? "with an explicit deny in an identity-based policy"
                            : "because no identity-based policy allows the " MANAGE " action"));
    gh_log(GH_LOG_INFO, "@connections: %s %s: %s (%s): %s", req->method, req->path,
           who->access_key, who->arn, why);
    return -1;
}

/* ---- operations ---- */

/* 2020-04-30T20:10:33.236Z: what the CLI prints raw (aws-cli's get-connection example). */
void gh_ws_mgmt_time(int64_t epoch_ms, char out[GH_WS_MGMT_TIME_LEN])
{
    int64_t ms = epoch_ms < 0 ? 0 : epoch_ms;
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&s, &tm);
    if (strftime(out, GH_WS_MGMT_TIME_LEN, "%Y-%m-%dT%H:%M:%S", &tm) != 19) {
        snprintf(out, GH_WS_MGMT_TIME_LEN, "1970-01-01T00:00:00.000Z");
        return;
    }
    int frac = (int)(ms % 1000);
    out[19] = '.';
    out[20] = (char)('0' + frac / 100);
    out[21] = (char)('0' + frac / 10 % 10);
    out[22] = (char)('0' + frac % 10);
    out[23] = 'Z';
    out[24] = '\0';
}

static void post(gh_ws_hub *hub, const char *id, gh_request *req, gh_response *resp)
{
    /* The Data blob's max in the service model (131072 bytes), checked first. */
    if (req->body_too_large || req->body_len > GH_WS_MAX_MESSAGE_BYTES) {
        answer(req, resp, 413, "PayloadTooLargeException",
               message_body(req->arena, "message", "Message too long"));
        return;
    }
    if (!id) {
        gone(req, resp);
        return;
    }
    /* One text frame, as clients receive PostToConnection data; binary frames come
     * only from gatehouse.connections.post(id, data, {binary = true}). */
    switch (gh_ws_hub_post(hub, id, req->body ? req->body : "", req->body_len, false)) {
    case GH_WS_OK: answer(req, resp, 200, NULL, NULL); return;
    case GH_WS_GONE: gone(req, resp); return;
    case GH_WS_FULL: answer(req, resp, 429, "LimitExceededException", NULL); return;
    case GH_WS_TOO_LARGE:
        answer(req, resp, 413, "PayloadTooLargeException",
               message_body(req->arena, "message", "Message too long"));
        return;
    }
}

static void get(gh_ws_hub *hub, const char *id, gh_request *req, gh_response *resp)
{
    gh_ws_conn_info info;
    if (!id || gh_ws_hub_get(hub, id, req->arena, &info) != GH_WS_OK) {
        gone(req, resp);
        return;
    }
    char connected[GH_WS_MGMT_TIME_LEN], active[GH_WS_MGMT_TIME_LEN];
    gh_ws_mgmt_time(info.connected_at_ms, connected);
    gh_ws_mgmt_time(info.last_active_at_ms, active);
    json_t *o = json_object();
    json_object_set_new(o, "connectedAt", json_string(connected));
    json_object_set_new(o, "identity",
                        json_pack("{s:s, s:s}", "sourceIp", info.source_ip ? info.source_ip : "",
                                  "userAgent", info.user_agent ? info.user_agent : ""));
    json_object_set_new(o, "lastActiveAt", json_string(active));
    char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    answer(req, resp, 200, NULL, gh_arena_strdup(req->arena, text ? text : "{}"));
    free(text);
}

static void del(gh_ws_hub *hub, const char *id, gh_request *req, gh_response *resp)
{
    if (!id || gh_ws_hub_delete(hub, id) != GH_WS_OK) {
        gone(req, resp);
        return;
    }
    answer(req, resp, 204, NULL, NULL);
    gh_headers_remove(&resp->headers, "Content-Type");
}

void gh_ws_mgmt_handle(gh_ws_hub *hub, const gh_runtime *rt, bool check_signatures, gh_request *req,
                       gh_response *resp)
{
    const gh_api *api = api_of(rt, req);
    mgmt_path p;
    if (!api || !split_path(req->arena, req->path, &p) || !serves_stage(api, p.stage)) {
        /* A stage the WebSocket API does not have, or no stage at all (the SDK's
         * endpoint without one, aws-sdk-php#1955): AWS's answer for a stage it does not
         * know, before any signature check. */
        answer(req, resp, 403, "ForbiddenException",
               message_body(req->arena, "message", "Forbidden"));
        return;
    }
    const gh_credential *who = NULL;
    if (check_signatures && check_signature(api, req, resp, &who) != 0)
        return;

    const char *raw = p.rest[0] == '/' ? p.rest + 1 : p.rest;
    const char *route = gh_arena_printf(req->arena, "@connections%s", p.rest);
    const char *m = req->method ? req->method : "";
    bool post_op = strcmp(m, "POST") == 0, get_op = strcmp(m, "GET") == 0;
    if (!*raw || strchr(raw, '/') || !(post_op || get_op || strcmp(m, "DELETE") == 0)) {
        no_route(req, resp, route);
        return;
    }
    /* Authorization before the operation: a caller the policy refuses learns nothing of
     * the connection (no 410 for an id that is not open). */
    if (check_policy(api, p.stage, who, req, resp) != 0)
        return;
    if (!hub) {
        gone(req, resp); /* no server owns connections: none is open */
        return;
    }
    /* Ids are URL-encoded by the clients ('=' as %3D). */
    size_t idlen;
    const char *id = gh_url_decode_n(req->arena, raw, strlen(raw), 0, &idlen);
    /* Longer than any id AWS issues (or holding a NUL): no such connection, and the hub
     * is not asked. */
    if (idlen >= sizeof((gh_ws_conn_info *)0)->id || strlen(id) != idlen)
        id = NULL;
    if (post_op)
        post(hub, id, req, resp);
    else if (get_op)
        get(hub, id, req, resp);
    else
        del(hub, id, req, resp);
}
