/* One request on its way through an integration: everything the gateway resolved
 * (api, stage, resource, method, path parameters) plus the runtime services the
 * integration may use. The gateway fills it; an integration fills inv->resp or reports
 * a failure that the gateway renders as a gateway response. */
#ifndef GH_INVOCATION_H
#define GH_INVOCATION_H
#include <jansson.h>
#include <stdint.h>

#include "integration/backend.h"
#include "script/pool.h"
#include "spec/model.h"
#include "util/http.h"
#include "util/value.h"

typedef struct gh_invocation {
    gh_request *req;
    gh_response *resp;
    gh_arena *arena;                /* == req->arena */
    const gh_model *model;
    const gh_api *api;
    const gh_stage *stage;
    const gh_resource *resource;
    const gh_method *method;
    const gh_integration *integration;
    gh_header *path_params;         /* raw (not decoded) values, resource order */
    size_t npath_params;
    const char *path;               /* path after the stage, as sent: "/pets/1" */
    const char *stage_path;         /* "/{stage}" + path as sent: requestContext.path */
    const char *domain_name;        /* Host the client used, e.g. "127.0.0.1:8080" */
    gh_script_pool *scripts;
    gh_backend *backend;            /* HTTP integrations' backend; NULL: the live one */
    struct gh_sim *sim;             /* the simulated SQS/SNS (sim/sim.h); NULL: none */

    /* Filled when the integration (or a phase) fails: the gateway renders fail_type,
     * with fail_status instead of the type's default status when non-zero. */
    gh_gw_type fail_type;
    int fail_status;
    const char *fail_message;       /* $context.error.message; NULL: the type's default */
    const char *fail_error_type;    /* x-amzn-ErrorType; NULL: the type's own */
    const char *log_detail;         /* why, for the log line (never the body) */
    int64_t integration_latency_ms;
    /* The request id of the AWS call the integration made (Lambda's aws_request_id):
     * $context.awsEndpointRequestId. NULL before the call or for a mock. */
    const char *endpoint_request_id;

    /* Who the authorization phase (auth/authorize.h) let in; NULL/empty for a method
     * without authorization. `authorizer` is requestContext.authorizer as the proxy
     * event carries it and what $context.authorizer.* and context.authorizer.* read:
     * Lambda {principalId, <context values as strings>, integrationLatency}, Cognito
     * {claims: {...}}. The identity strings are $context.identity.* (IAM callers). */
    const gh_value *authorizer;
    struct {
        const char *access_key, *account_id, *caller, *user, *user_arn;
    } identity;
    const char *usage_identifier_key; /* a Lambda authorizer's, for API keys */

    /* The integration request of a non-proxy integration (request_mapping.h): headers,
     * query string and path parameters mapped from requestParameters and the request
     * template's $context.requestOverride, and the body the template rendered (or the
     * method request body passed through). For the HTTP and AWS-service integrations. */
    gh_headers integ_headers;
    gh_headers integ_query;
    gh_header *integ_path;
    size_t ninteg_path;
    const char *integ_body;
    size_t integ_body_len;
    /* A WebSocket route's call (websocket/ws_dispatch.h): $context.connectionId,
     * eventType, routeKey, messageId, connectedAt read it. NULL for REST requests. */
    const struct gh_ws_call *ws;
} gh_invocation;

#endif
