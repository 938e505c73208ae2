/* The compiled, immutable model of one or more API definitions. Loading (spec/load.h)
 * builds it once; the pipeline only reads it. Everything inside lives in model->arena.
 * It is reference-counted so a hot reload can swap it while requests in flight finish on
 * the old one. The model never points at runtime state (Lua states, caches, queues). */
#ifndef GH_MODEL_H
#define GH_MODEL_H
#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"
#include "util/diag.h"

typedef struct gh_kv {
    const char *key;
    const char *value;
    gh_mark mark;
} gh_kv;

typedef struct gh_kvs {
    gh_kv *items;
    size_t n;
} gh_kvs;

/* Gateway response types, as AWS names them (supported-gateway-response-types). */
typedef enum {
    GH_GW_ACCESS_DENIED,
    GH_GW_API_CONFIGURATION_ERROR,
    GH_GW_AUTHORIZER_CONFIGURATION_ERROR,
    GH_GW_AUTHORIZER_FAILURE,
    GH_GW_BAD_REQUEST_PARAMETERS,
    GH_GW_BAD_REQUEST_BODY,
    GH_GW_DEFAULT_4XX,
    GH_GW_DEFAULT_5XX,
    GH_GW_EXPIRED_TOKEN,
    GH_GW_INTEGRATION_FAILURE,
    GH_GW_INTEGRATION_TIMEOUT,
    GH_GW_INVALID_API_KEY,
    GH_GW_INVALID_SIGNATURE,
    GH_GW_MISSING_AUTHENTICATION_TOKEN,
    GH_GW_QUOTA_EXCEEDED,
    GH_GW_REQUEST_TOO_LARGE,
    GH_GW_RESOURCE_NOT_FOUND,
    GH_GW_THROTTLED,
    GH_GW_UNAUTHORIZED,
    GH_GW_UNSUPPORTED_MEDIA_TYPE,
    GH_GW_WAF_FILTERED,
    GH_GW__COUNT
} gh_gw_type;

/* A mapping template as written in the definition. Later layers may attach a compiled
 * form; `mark` is where the template string starts. */
typedef struct gh_template {
    const char *media_type;
    const char *text;
    size_t len;
    gh_mark mark;
    const void *compiled; /* VTL: the gh_vtl parsed at load (model arena); NULL when lua
                           * or broken */
    /* Non-NULL when the VTL does not parse ("file:line:col: why"): AWS imports such a
     * template and fails the request that uses it with a 500, so loading warns and
     * keeps it, and rendering it fails with this text in the log. */
    const char *broken;
    bool lua;             /* a Lua template (x-gatehouse-*Templates): `script` runs it */
    int script;           /* lua: index into model->scripts */
} gh_template;

/* An x-amazon-apigateway-gateway-responses entry. */
typedef struct gh_gw_override {
    bool set;
    int status;          /* 0 = keep the type's default status */
    gh_kvs parameters;   /* "gatewayresponse.header.X" -> "'literal'" | "method.request..." | ... */
    gh_kvs templates;    /* media type -> template text (simple substitution, not VTL) */
    gh_mark mark;
} gh_gw_override;

typedef enum {
    GH_INTEG_NONE,       /* the method declares no integration */
    GH_INTEG_MOCK,
    GH_INTEG_AWS_PROXY,
    GH_INTEG_AWS,
    GH_INTEG_HTTP,
    GH_INTEG_HTTP_PROXY,
} gh_integ_type;

typedef enum {
    GH_PASSTHROUGH_WHEN_NO_MATCH,
    GH_PASSTHROUGH_WHEN_NO_TEMPLATES,
    GH_PASSTHROUGH_NEVER,
} gh_passthrough;


typedef struct gh_integ_response {
    const char *pattern;   /* selection pattern as written; NULL for "default" */
    int status;            /* method response status to use */
    gh_kvs parameters;     /* "method.response.header.X" -> expression */
    gh_template *templates;
    size_t ntemplates;
    const char *content_handling;
    gh_mark mark;
} gh_integ_response;

/* An `aws` integration's service URI, arn:aws:apigateway:REGION:[SUB.]SERVICE:action/ACTION
 * or ...:path/PATH (reference §10.1). */
typedef struct gh_aws_service_uri {
    const char *region;
    const char *service;   /* "sqs", "sns", "dynamodb", ...; NULL for a Lambda URI */
    const char *subdomain; /* NULL if none */
    const char *action;    /* action/ACTION form, else NULL */
    const char *path;      /* path/PATH form ("123456789012/orders"), else NULL */
} gh_aws_service_uri;

typedef struct gh_integration {
    gh_integ_type type;
    gh_mark mark;
    const char *uri;             /* as written (CloudFormation intrinsics resolved) */
    const char *http_method;
    /* For Lambda URIs (arn:aws:apigateway:R:lambda:path/2015-03-31/functions/ARN/invocations):
     * the function name, possibly holding ${stageVariables.x} to substitute per stage,
     * and its qualifier (alias or version) or NULL. */
    const char *lambda_function;
    const char *lambda_qualifier;
    gh_aws_service_uri service;  /* type aws with a non-Lambda URI: service set */
    const char *credentials;     /* the role ARN integrations name (accepted, not used) */
    gh_kvs request_parameters;   /* "integration.request.header.X" -> expression */
    const char **cache_key_parameters; /* "method.request.path.id", ...: parsed for caching */
    size_t ncache_key_parameters;
    gh_template *request_templates;
    size_t nrequest_templates;
    gh_passthrough passthrough;
    gh_integ_response *responses;
    size_t nresponses;
    int timeout_ms;              /* timeoutInMillis; 29000 when absent */
    const char *content_handling;
    const char *payload_format_version; /* "1.0" (default) or "2.0" */
    int mock_script;             /* x-gatehouse-mock: index into model->scripts, -1 if none */
    /* Non-NULL when we cannot serve this integration (unsupported type or subtype,
     * unresolved placeholder, ...): loading warned at `mark`, calling it answers the 5xx
     * AWS gives for a broken integration and logs this reason. */
    const char *broken;
} gh_integration;

/* How a method authorizes its callers (the authorizer's `type`, or the security scheme's
 * x-amazon-apigateway-authtype for IAM). */
typedef enum {
    GH_AUTHZ_TOKEN,   /* Lambda TOKEN authorizer */
    GH_AUTHZ_REQUEST, /* Lambda REQUEST authorizer */
    GH_AUTHZ_COGNITO, /* cognito_user_pools */
    GH_AUTHZ_IAM,     /* AWS_IAM: x-amazon-apigateway-authtype awsSigv4 */
} gh_authz_kind;

struct gh_idsrcs; /* auth/identity.h: identity sources parsed at load */

/* A security scheme that names an authorizer (securitySchemes / securityDefinitions). */
typedef struct gh_authorizer {
    const char *name;          /* the scheme's key */
    gh_authz_kind kind;
    gh_mark mark;              /* the scheme */
    /* Lambda: the function authorizerUri names (may hold ${stageVariables.x}, substituted
     * per stage like an integration's) and its qualifier or NULL. */
    const char *function;
    const char *qualifier;
    /* As written; for TOKEN and COGNITO the header the token is read from (default
     * method.request.header.Authorization). Parsed into `identity`. */
    const char *identity_source;
    const struct gh_idsrcs *identity;
    const char *validation_expression; /* identityValidationExpression; NULL if none */
    int ttl_seconds;           /* authorizerResultTtlInSeconds: default 300, 0 = no cache */
    const char **provider_arns;/* COGNITO: user pool ARNs */
    size_t nprovider_arns;
    /* Non-NULL when the authorizer cannot run (unknown function, unparsable source, ...):
     * loading reported it; a request through it answers 500
     * AUTHORIZER_CONFIGURATION_ERROR and logs this. */
    const char *broken;
} gh_authorizer;

typedef struct gh_pool_user {
    const char *name;          /* the username (cognito:username) */
    json_t *attributes;        /* object of attribute -> string; owned by the model */
    const char **groups;       /* cognito:groups */
    size_t ngroups;
} gh_pool_user;

/* x-gatehouse.userPools.<id>: a simulated Cognito user pool. */
typedef struct gh_user_pool {
    const char *id;            /* "us-east-1_AbC123" */
    const char *region;        /* the id's prefix */
    const char *client_id;     /* the app client tokens are minted for (clientId, or a
                                * stable id derived from the pool id) */
    const char *signing_key;   /* absolute path of the RSA private key PEM */
    const char *signing_pem;   /* its text (read, or generated and written, at load) */
    const char *jwks;          /* JSON text of a cached JWKS (x-gatehouse.userPools.<id>.jwks
                                * file) verifying real Cognito tokens; NULL if none */
    gh_pool_user *users;       /* sorted by name */
    size_t nusers;
    gh_mark mark;
} gh_user_pool;

/* x-gatehouse.queues.<name>: a queue the simulator creates at start (sim/sqs.h), with its
 * settings as SQS attribute names and string values (VisibilityTimeout "30",
 * RedrivePolicy "{\"deadLetterTargetArn\":...,\"maxReceiveCount\":3}", FifoQueue ...). */
typedef struct gh_queue_decl {
    const char *name;
    gh_kvs attributes;
    gh_mark mark;
} gh_queue_decl;

/* One subscription of a declared topic: protocol sqs | lambda | http | https, the
 * endpoint (a queue name or ARN, a function name or ARN, a URL), and its attributes as
 * SNS names them (RawMessageDelivery "true", FilterPolicy JSON text, FilterPolicyScope). */
typedef struct gh_subscription_decl {
    const char *protocol;
    const char *endpoint;
    gh_kvs attributes;
    gh_mark mark;
} gh_subscription_decl;

/* x-gatehouse.topics.<name>. */
typedef struct gh_topic_decl {
    const char *name;
    gh_kvs attributes;                   /* FifoTopic, ContentBasedDeduplication, ... */
    gh_subscription_decl *subscriptions;
    size_t nsubscriptions;
    gh_mark mark;
} gh_topic_decl;

/* One x-gatehouse.eventSources entry: a queue feeding a function (sim/event_source.h). */
typedef struct gh_event_source_decl {
    const char *queue;
    const char *function;
    int batch_size;              /* 1..10000, default 10 */
    int batching_window_s;       /* MaximumBatchingWindowInSeconds 0..300, default 0 */
    bool report_batch_item_failures; /* FunctionResponseTypes: [ReportBatchItemFailures] */
    bool enabled;                /* default true */
    gh_mark mark;
} gh_event_source_decl;

/* x-gatehouse.credentials.<access key id>: an IAM identity SigV4 requests may sign as. */
typedef struct gh_credential {
    const char *access_key;
    const char *secret_key;
    const char *arn;           /* arn:aws:iam::ACCOUNT:user/NAME (or a role/assumed role) */
    const char *account_id;    /* from the ARN */
    json_t *policy;            /* IAM-style identity policy, owned; NULL: allow everything */
    gh_mark mark;
} gh_credential;

typedef struct gh_method {
    const char *verb;            /* upper case; "ANY" for x-amazon-apigateway-any-method */
    gh_mark mark;
    const char *operation_id;    /* NULL if none */
    bool api_key_required;
    gh_kvs request_parameters;   /* "method.request.header.X" -> "true"|"false" (required) */
    const gh_integration *integration; /* never NULL: type GH_INTEG_NONE when undeclared */
    /* The operation's `security` authorizer (AWS takes one per method); NULL: NONE. */
    const gh_authorizer *authorizer;
    /* COGNITO: the scopes the requirement lists (an access token must carry one of
     * them); none: ID tokens are accepted. */
    const char **authorization_scopes;
    size_t nauthorization_scopes;
} gh_method;

typedef enum { GH_SEG_ROOT, GH_SEG_LITERAL, GH_SEG_PARAM, GH_SEG_GREEDY } gh_seg_kind;

typedef struct gh_resource gh_resource;
struct gh_resource {
    const char *path;          /* full resource path template: "/", "/pets/{petId}" */
    const char *segment;       /* last segment as written ("{petId}"); "" for the root */
    gh_seg_kind kind;
    const char *param;         /* PARAM/GREEDY: the name ("petId", "proxy"); else NULL */
    const char *id;            /* 6-char resource id, stable across runs */
    gh_mark mark;
    gh_resource *parent;
    gh_resource **literals;    /* literal children, sorted by strcmp(segment) */
    size_t nliterals;
    gh_resource *param_child;  /* at most one {name} child */
    gh_resource *greedy_child; /* at most one {name+} child */
    gh_method *methods;        /* sorted by verb; "ANY" among them */
    size_t nmethods;
};

typedef struct gh_stage {
    const char *name;
    const char *description;
    gh_kvs variables;
    const char *deployment_id; /* 6-char id */
    gh_mark mark;
} gh_stage;

typedef struct gh_function {
    const char *name;
    gh_mark mark;
    const char *handler;   /* as written */
    int script;            /* index into model->scripts */
    int timeout_ms;        /* default 3000, as Lambda */
    int memory_mb;         /* default 128 */
    gh_kvs environment;
} gh_function;

/* A Lua source compiled into every Lua state of the runtime. */
typedef struct gh_script {
    const char *path;       /* file it was read from */
    const char *chunkname;  /* "@path", so tracebacks point at the user's file */
    const char *source;
    size_t len;
    gh_mark mark;           /* where the definition names it */
} gh_script;

/* A WebSocket API's $connect authorizer (x-gatehouse.websocket.authorizers.<name>): a
 * Lambda REQUEST authorizer, the only kind besides IAM that WebSocket APIs take, run
 * once per connection during the upgrade (reference §9.1). */
typedef struct gh_ws_authorizer {
    const char *name;
    const char *function;      /* an x-gatehouse.functions entry */
    /* identitySource as AWS writes it for WebSocket APIs: route.request.header.NAME and
     * route.request.querystring.NAME (stageVariables.NAME and context.NAME too); parsed
     * into `identity` with the prefixes mapped to auth/identity.h's kinds. Missing or
     * empty values answer 401 without calling the function, as for REST. */
    const char **identity_sources;
    size_t nidentity_sources;
    const struct gh_idsrcs *identity;
    int ttl_seconds;           /* authorizerResultTtlInSeconds is not offered for WebSocket
                                * APIs: always 0 (no cache) unless declared */
    const char *broken;        /* as gh_authorizer.broken */
    gh_mark mark;
} gh_ws_authorizer;

/* One route of a WebSocket API (x-gatehouse.websocket.routes.<key>). Exactly one of
 * function / integration is set. */
typedef struct gh_ws_route {
    const char *key;           /* "$connect", "$disconnect", "$default", or a custom key */
    const char *function;      /* a Lambda proxy route to this x-gatehouse.functions entry */
    /* Otherwise an x-amazon-apigateway-integration object (mock, http, http_proxy, aws
     * for SQS/SNS, aws_proxy naming a function), compiled as REST's are. */
    const gh_integration *integration;
    /* routeResponse: true (AWS: routeResponseSelectionExpression $default with a
     * $default route response): the integration's answer goes back to the client as a
     * frame. One-way otherwise. */
    bool two_way;
    const gh_ws_authorizer *authorizer; /* $connect only; NULL: NONE */
    bool api_key_required;     /* $connect only */
    gh_mark mark;
} gh_ws_route;

/* x-gatehouse.websocket: the definition's WebSocket API, served on the same stages as its
 * REST API (ws://host:port/{stage}). */
typedef struct gh_ws_api {
    const char *route_selection_expression; /* default "$request.body.action" */
    const struct gh_route_expr *route_expr; /* websocket/route_select.h, parsed at load */
    const char *api_key_selection_expression; /* "$request.header.x-api-key" default */
    int64_t idle_timeout_ms;   /* idleTimeout seconds * 1000; 600000 by default */
    gh_ws_route *routes;       /* sorted by key (strcmp) */
    size_t nroutes;
    gh_ws_authorizer *authorizers; /* sorted by name */
    size_t nauthorizers;
    /* The AWS::ApiGatewayV2 template it came from when loaded from CloudFormation/SAM,
     * else NULL. */
    const char *template_source;
    gh_mark mark;
} gh_ws_api;

typedef struct gh_api {
    const char *id;            /* 10 lowercase alphanumerics */
    const char *title;
    const char *source;        /* definition file */
    const char *dir;           /* its folder */
    const char *region;        /* "us-east-1" unless x-gatehouse.region */
    const char *account_id;    /* "123456789012" unless x-gatehouse.accountId */
    bool http_api;             /* an HTTP API (v2) export */
    gh_stage *stages;
    size_t nstages;
    const gh_stage *default_stage;
    gh_resource *root;
    size_t nresources;
    size_t nmethods;
    gh_gw_override gateway_responses[GH_GW__COUNT];
    const char **binary_media_types;
    size_t nbinary_media_types;
    gh_function *functions;    /* sorted by name */
    size_t nfunctions;
    gh_authorizer *authorizers;/* every scheme some method uses, sorted by name */
    size_t nauthorizers;
    gh_user_pool *user_pools;  /* x-gatehouse.userPools, sorted by id */
    size_t nuser_pools;
    gh_credential *credentials;/* x-gatehouse.credentials, sorted by access key */
    size_t ncredentials;
    /* x-amazon-apigateway-policy as a JSON policy document, `execute-api:/...` resources
     * expanded to full ARNs at load; owned by the model. NULL: none. */
    json_t *resource_policy;
    gh_mark resource_policy_mark;
    gh_queue_decl *queues;     /* x-gatehouse.queues, in declaration order */
    size_t nqueues;
    gh_topic_decl *topics;     /* x-gatehouse.topics */
    size_t ntopics;
    gh_event_source_decl *event_sources;
    size_t nevent_sources;
    const gh_ws_api *websocket; /* x-gatehouse.websocket; NULL: no WebSocket API */
} gh_api;

typedef struct gh_model {
    atomic_uint refs;
    unsigned generation;
    gh_arena *arena;
    gh_api *apis;               /* apis[0] is also served on a plain 127.0.0.1 Host */
    size_t napis;
    gh_script *scripts;
    size_t nscripts;
    const char **files;         /* every file loading read, for --watch */
    size_t nfiles;
    /* Settings from the first definition's x-gatehouse, already overridden by the CLI. */
    const char *host;
    int port;                   /* -1 when neither the CLI nor x-gatehouse set it */
} gh_model;

gh_model *gh_model_ref(gh_model *m);
void gh_model_unref(gh_model *m); /* frees on the last reference */

const gh_api *gh_model_api(const gh_model *m, const char *api_id);
const gh_stage *gh_api_stage(const gh_api *api, const char *name);
const gh_function *gh_api_function(const gh_api *api, const char *name);
const gh_user_pool *gh_api_user_pool(const gh_api *api, const char *id);
const gh_credential *gh_api_credential(const gh_api *api, const char *access_key);
/* The route with exactly this key, NULL if none (binary search). */
const gh_ws_route *gh_ws_api_route(const gh_ws_api *ws, const char *key);
/* Linear lookup in a kvs (exact key), NULL if absent. */
const char *gh_kvs_get(const gh_kvs *kv, const char *key);

const char *gh_gw_type_name(gh_gw_type t);            /* "MISSING_AUTHENTICATION_TOKEN" */
bool gh_gw_type_from_name(const char *name, gh_gw_type *out);

#endif
