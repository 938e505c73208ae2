/* SHIM: drop at merge. Throwaway stand-ins for ws_dispatch.h (helper ws-dispatch),
 * ws_mgmt.h and gh_module_set_ws (helper ws-mgmt) so the server side builds and runs:
 * an upgrade on /{stage} of the first API is accepted, messages are echoed. */
#include <string.h>

#include "script/module.h"
#include "websocket/ws_dispatch.h"
#include "util/log.h"
#include "websocket/ws_mgmt.h"

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
