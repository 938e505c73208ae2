/* SHIM: drop at merge. Throwaway stand-ins for ws_dispatch.h (helper ws-dispatch),
 * ws_mgmt.h and gh_module_set_ws (helper ws-mgmt) so the server side builds and runs:
 * an upgrade on /{stage} of the first API is accepted, messages are echoed. */
#include <string.h>

#include "script/module.h"
#include "websocket/ws_dispatch.h"
#include "util/log.h"
#include "websocket/ws_mgmt.h"

const gh_api *gh_ws_resolve(const gh_runtime *rt, const gh_request *req, const gh_stage **stage)
{
    if (!rt->model->napis || strcmp(req->method, "GET") != 0 || req->path[0] != '/')
        return NULL;
    const gh_api *api = &rt->model->apis[0];
    const char *name = req->path + 1;
    size_t n = strcspn(name, "/");
    if (name[n] == '/' && name[n + 1])
        return NULL;
    for (size_t i = 0; i < api->nstages; i++)
        if (strlen(api->stages[i].name) == n && !strncmp(api->stages[i].name, name, n)) {
            *stage = &api->stages[i];
            return api;
        }
    return NULL;
}

void gh_ws_connect(const gh_runtime *rt, gh_request *req, const gh_ws_session *s,
                   gh_ws_connect_result *out)
{
    (void)rt;
    (void)s;
    memset(out, 0, sizeof *out);
    if (req->query && strstr(req->query, "refuse")) {
        out->refuse_status = 403;
        out->body = "{\"message\":\"Forbidden\"}";
        out->body_len = strlen(out->body);
    }
    if (req->query && strstr(req->query, "proto"))
        gh_headers_add(req->arena, &out->headers, "Sec-WebSocket-Protocol", "chat");
}

void gh_ws_message(const gh_runtime *rt, const gh_ws_session *s, gh_arena *a, const char *data,
                   size_t len, bool binary, gh_ws_reply *out)
{
    (void)rt;
    (void)s;
    out->data = gh_arena_memdup(a, data, len);
    out->len = len;
    out->binary = binary;
}

void gh_ws_disconnect(const gh_runtime *rt, const gh_ws_session *s, gh_arena *a, int status_code,
                      const char *reason)
{
    (void)rt;
    (void)a;
    gh_log_access("DISCONNECT %s %d %s", s->connection_id, status_code, reason);
}

bool gh_ws_mgmt_claims(const gh_runtime *rt, const gh_request *req)
{
    (void)rt;
    (void)req;
    return false;
}

void gh_ws_mgmt_handle(gh_ws_hub *hub, const gh_runtime *rt, bool check_signatures,
                       gh_request *req, gh_response *resp)
{
    (void)hub;
    (void)rt;
    (void)check_signatures;
    (void)req;
    resp->status = 500;
}

void gh_module_set_ws(struct gh_ws_hub *hub)
{
    (void)hub;
}
