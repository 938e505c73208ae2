/* How an integration reports a failure: the gateway response to render, and a log line
 * saying why (declared in runners.h). Kept apart from the dispatcher so the pure
 * modules (mock selection, proxy response validation) link without the Lua runtime. */
#include <stdarg.h>
#include <stdio.h>

#include "integration/runners.h"
#include "util/log.h"

int gh_integration_fail(gh_invocation *inv, gh_gw_type type, int status, const char *message,
                        const char *why_fmt, ...)
{
    va_list ap;
    va_start(ap, why_fmt);
    char *why = gh_arena_vprintf(inv->arena, why_fmt, ap);
    va_end(ap);
    inv->fail_type = type;
    inv->fail_status = status;
    inv->fail_message = message;
    inv->log_detail = why;
    const gh_integration *in = inv->integration;
    char at[256] = "";
    if (in && in->mark.file)
        gh_mark_format(in->mark, at, sizeof at);
    gh_log(GH_LOG_WARN, "%s %s%s%s: %s (request %s)", inv->req ? inv->req->method : "-",
           inv->stage_path ? inv->stage_path : (inv->path ? inv->path : "-"), at[0] ? " at " : "",
           at, why, inv->req ? inv->req->request_id : "-");
    return -1;
}
