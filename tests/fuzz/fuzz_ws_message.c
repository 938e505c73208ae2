/* Fuzz target: one WebSocket message through gh_ws_message (websocket/ws_dispatch.h) on
 * the runtime of tests/data/websocket-e2e/api.yaml (Lua function routes two-way and
 * one-way, a failing route, a mock route with WebSocket $context templates, $default),
 * loaded once from the working directory, which must be the repository root (as
 * bounded.sh and ctest run it). The first input byte's low bit makes the message binary;
 * the rest is the message. A reply must have a length that covers it and, for a text
 * message, come from the routes' answers or AWS's JSON error frames. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "server/runtime.h"
#include "util/clock.h"
#include "util/log.h"
#include "websocket/ws_dispatch.h"

static const gh_runtime *runtime(void)
{
    static gh_runtime *rt;
    if (!rt) {
        gh_log_set_level(GH_LOG_ERROR);
        gh_log_set_quiet(1); /* no access line per message */
        gh_clock_fake(1781014000111LL);
        const char *defs[] = {"tests/data/websocket-e2e/api.yaml"};
        gh_load_options opt = {.definitions = defs, .ndefinitions = 1, .port = -1};
        gh_diags d = GH_DIAGS_INIT;
        rt = gh_runtime_build(&opt, &d);
        if (!rt) {
            gh_diags_print(&d, stderr);
            abort(); /* run from the repository root */
        }
        gh_diags_free(&d);
    }
    return rt;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const gh_runtime *rt = runtime();
    if (size == 0)
        return 0;
    const gh_api *api = &rt->model->apis[0];
    gh_ws_session s = {.connection_id = "L0SM9cOFvHcCIhw=",
                       .api_id = api->id,
                       .stage = api->nstages ? api->stages[0].name : "dev",
                       .domain_name = "127.0.0.1:8080",
                       .source_ip = "127.0.0.1",
                       .user_agent = "fuzz",
                       .connected_at_ms = 1781014000000LL};
    bool binary = data[0] & 1;
    gh_arena *a = gh_arena_new(4096);
    gh_ws_reply reply = {0};
    gh_ws_message(rt, &s, a, (const char *)data + 1, size - 1, binary, &reply);
    if (reply.data && reply.len > 0) {
        volatile char sink = 0;
        for (size_t i = 0; i < reply.len; i++)
            sink ^= reply.data[i]; /* the whole reply is readable */
        (void)sink;
    } else if (!reply.data && reply.len != 0) {
        __builtin_trap();
    }
    gh_arena_free(a);
    return 0;
}
