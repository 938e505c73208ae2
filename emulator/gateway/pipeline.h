/* The REST pipeline: a table of phases run in AWS's order, each either continuing or
 * ending the request with a named gateway response. */
#ifndef GH_PIPELINE_H
#define GH_PIPELINE_H
#include "integration/backend.h"
#include "integration/invocation.h"
#include "script/pool.h"
#include "spec/model.h"
#include "util/http.h"

/* Called with every completed request (its headers as the client sent them) and its
 * response, on the thread that handled it (concurrently from many): `serve --record`
 * writes them as fixtures. */
typedef void (*gh_pipeline_observer)(void *ud, const gh_request *req, const gh_response *resp);

/* What one generation of the server runs on: a model and the Lua states built for it. */
typedef struct gh_runtime {
    gh_model *model;
    gh_script_pool *scripts;
    /* Where HTTP integrations send their requests (live, record or replay); not owned:
     * the command that chose it frees it after the server stopped. NULL: the live one. */
    gh_backend *backend;
    /* Lambda authorizer results, shared by the server threads. A runtime from
     * gh_runtime_build (server/runtime.h) owns it and gh_runtime_free frees it, so each
     * hot-reload generation starts empty; a hand-built runtime keeps its own. NULL:
     * nothing is cached (--no-auth-cache). */
    struct gh_auth_cache *auth_cache;
    /* The simulated SQS, SNS and event sources (sim/sim.h): aws service integrations
     * reach them. Not owned (it outlives runtimes across hot reloads); NULL: none. */
    struct gh_sim *sim;
    gh_pipeline_observer observe; /* NULL: none */
    void *observe_ud;             /* not owned, like backend */
} gh_runtime;

/* Handles one request completely: resp is always filled (status, headers, body), with
 * x-amzn-RequestId and friends. All memory from req->arena. */
void gh_pipeline_handle(const gh_runtime *rt, gh_request *req, gh_response *resp);

/* Runs every phase before the integration (resolve the API, stage and route, forwarding
 * headers, ...) exactly as gh_pipeline_handle does, and fills *inv with what they
 * resolved: what the integration and its templates would see. inv->resp is kept (it
 * may be NULL). Returns 0, or -1 when a phase ended the request: inv->fail_type and
 * inv->log_detail say why, and gh_gw_render(inv) would give the client's answer.
 * For tools (`gatehouse render`); the server uses gh_pipeline_handle. */
int gh_pipeline_resolve(const gh_runtime *rt, gh_request *req, gh_invocation *inv);

/* The API a request's Host addresses, as the pipeline's first phase picks it: Host
 * `{apiId}.execute-api.localhost` (lower-cased, without the port, as gh_request.host)
 * names that API; any other Host gets the first definition. NULL with *why (may be NULL)
 * when none: the REST pipeline then answers 403 Missing Authentication Token. Shared
 * with the WebSocket upgrade (websocket/ws_dispatch.h), which must choose alike. */
const gh_api *gh_pipeline_api_for_host(const gh_model *m, const char *host, gh_arena *a,
                                       const char **why);

#endif
