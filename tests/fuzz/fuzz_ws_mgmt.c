/* Fuzz target: the @connections API (websocket/ws_mgmt.h) on a hub whose transport only
 * counts. The input is requests separated by a line `====`: each a line `METHOD TARGET`
 * (path, optionally `?query`), `Name: value` headers, a blank line, the body; a request
 * line `SWEEP` moves the fake clock past the idle timeout and sweeps. Two connections
 * are open at the start of each input (ids CONN1AAAAAAAAAA= and CONN2AAAAAAAAAA=); the
 * API is hand-built (id abcdef1234, stage dev, a WebSocket API, one credential); a
 * request with a header X-Fuzz-Check has its signature checked. Every answer must carry a status,
 * a body length that covers its body, and an x-amzn-ErrorType on every 4xx; then the
 * connections' threads end as the server's would, and the hub is freed clean. */
#include <string.h>

#include "fuzz.h"
#include "util/clock.h"
#include "util/log.h"
#include "websocket/ws_mgmt.h"

#define SEPARATOR "\n====\n"

static int fake_send(void *ud, void *owner, const void *data, size_t len, bool binary)
{
    (void)ud;
    (void)owner;
    (void)binary;
    return data || len == 0 ? 0 : -1;
}

static void fake_close(void *ud, void *owner, int code, const char *reason)
{
    (void)ud;
    (void)owner;
    if (code < 1000 || code > 4999 || !reason)
        __builtin_trap(); /* the hub closes only with codes AWS uses */
}

static gh_stage stages[] = {{.name = "dev"}};
static gh_ws_api ws_api = {.route_selection_expression = "$request.body.action"};
static gh_credential creds[] = {{.access_key = "AKIDEXAMPLE",
                                 .secret_key = "s3cr3t",
                                 .arn = "arn:aws:iam::111122223333:user/ops",
                                 .account_id = "111122223333"}};
static gh_api apis[] = {{.id = "abcdef1234",
                         .region = "eu-west-1",
                         .account_id = "111122223333",
                         .stages = stages,
                         .nstages = 1,
                         .websocket = &ws_api,
                         .credentials = creds,
                         .ncredentials = 1},
                        {.id = "restonly12",
                         .region = "eu-west-1",
                         .account_id = "111122223333",
                         .stages = stages,
                         .nstages = 1}};
static gh_model model = {.apis = apis, .napis = 2};
static gh_runtime rt = {.model = &model};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *ids[] = {"CONN1AAAAAAAAAA=", "CONN2AAAAAAAAAA="};
    gh_log_set_level(GH_LOG_ERROR);
    gh_clock_fake(1781014000111LL);
    gh_ws_transport t = {fake_send, fake_close, NULL};
    gh_ws_hub *hub = gh_ws_hub_new(&t);
    if (!hub)
        return 0;
    static int owners[2];
    gh_ws_conn_info info;
    for (int i = 0; i < 2; i++)
        if (gh_ws_hub_add_id(hub, ids[i], &owners[i], "dev", "127.0.0.1", "fuzz", 0, &info) != 0)
            __builtin_trap();
    const char *p = (const char *)data, *end = p + size;
    size_t sl = strlen(SEPARATOR);
    for (int i = 0; p < end && i < 16; i++) {
        const char *next = memmem(p, (size_t)(end - p), SEPARATOR, sl);
        const char *stop = next ? next : end;
        if (stop - p >= 5 && memcmp(p, "SWEEP", 5) == 0) {
            gh_clock_advance(11 * 60 * 1000);
            gh_ws_hub_sweep(hub);
            p = next ? next + sl : end;
            continue;
        }
        gh_arena *a = gh_arena_new(4096);
        gh_request req = {.arena = a};
        gh_request_stamp(&req);
        fuzz_parse_request(a, p, stop, &req, "127.0.0.1", 8080);
        if (gh_ws_mgmt_claims(&rt, &req)) {
            gh_response resp = {0};
            gh_ws_mgmt_handle(hub, &rt, gh_headers_get(&req.headers, "X-Fuzz-Check") != NULL, &req,
                              &resp);
            if (resp.status < 100 || resp.status > 599)
                __builtin_trap(); /* every request gets an answer */
            if (resp.body_len && (!resp.body || strlen(resp.body) != resp.body_len))
                __builtin_trap(); /* the length covers the body (JSON or empty) */
            if (resp.status >= 400 && !gh_headers_get(&resp.headers, "x-amzn-ErrorType"))
                __builtin_trap(); /* SDKs pick the exception class from it */
        }
        gh_arena_free(a);
        p = next ? next + sl : end;
    }
    /* The connections' threads end, as the server's do when it stops. */
    gh_ws_hub_flush(hub, 5000);
    for (int i = 0; i < 2; i++)
        gh_ws_hub_remove(hub, ids[i]);
    gh_ws_hub_free(hub);
    return 0;
}
