/* Fuzz target: validation of what a Lambda proxy function returns (payload 1.0), in
 * both modes (AWS's strict rules, and the lenient ones of Lua mocks). The input is any
 * JSON text; on success the response must be well formed: a status in 100..599, a body
 * of body_len readable bytes, and a name and a value for every header. */
#include <jansson.h>
#include <string.h>

#include "../unit/inv_fixture.h"
#include "fuzz.h"
#include "integration/proxy_response.h"
#include "util/log.h"

static void check(const gh_response *r)
{
    if (r->status < 100 || r->status > 599)
        __builtin_trap();
    if (r->body_len && !r->body)
        __builtin_trap();
    volatile char sink = 0;
    for (size_t i = 0; i < r->body_len; i++)
        sink ^= r->body[i]; /* the whole body is readable */
    (void)sink;
    for (size_t i = 0; i < r->headers.n; i++) {
        const gh_header *h = &r->headers.items[i];
        /* An empty or control-laden name can pass here (AWS documents no rule for it):
         * the server drops such headers when it writes the head (server.c). */
        if (!h->name || !h->value)
            __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gh_log_set_level(GH_LOG_ERROR); /* failures log a line each; keep the run quiet */
    json_error_t err;
    json_t *j = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    if (!j)
        return 0;
    for (int mode = 0; mode < 2; mode++) {
        inv_fixture f;
        inv_fixture_init(&f);
        if (gh_proxy_response_apply(&f.inv, j, mode ? GH_PROXY_LENIENT : GH_PROXY_STRICT) == 0)
            check(&f.resp);
        inv_fixture_free(&f);
    }
    json_decref(j);
    return 0;
}
