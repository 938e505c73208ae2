/* Fuzz target: the AWS-protocol endpoints (sim/aws_protocol.h) on a fresh simulator per
 * input. The input is one or more requests separated by a line "====": each is a line
 * "METHOD TARGET" (TARGET is the path, optionally "?query"), header lines "Name: value",
 * a blank line, then the body (bytes up to the separator, NULs allowed). Every request
 * goes to gh_aws_protocol_handle whether or not gh_aws_protocol_claims it (API Gateway's
 * aws integrations call the handler directly); the answer must have a status and a
 * body length that matches its body. Several requests per input let a CreateQueue reach
 * SendMessage, ReceiveMessage, redrive and Subscribe on the same simulator. The fake
 * clock runs fast on a ticker thread, so long polls (WaitTimeSeconds up to 20) end
 * within a few tens of milliseconds. */
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "sim/aws_protocol.h"
#include "util/clock.h"
#include "util/log.h"

#define SEPARATOR "\n====\n"

static void *ticker(void *unused)
{
    (void)unused;
    for (;;) {
        usleep(1000);
        gh_clock_advance(1000);
    }
    return NULL;
}

static const char *line_end(const char *p, const char *end)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    return nl ? nl : end;
}

/* One request from [p, end) into the arena-backed request; NULL path when the first
 * line has no space (then the whole line is the path of a POST). */
static void parse_request(gh_arena *a, const char *p, const char *end, gh_request *req)
{
    const char *le = line_end(p, end);
    const char *sp = memchr(p, ' ', (size_t)(le - p));
    req->method = sp ? gh_arena_strndup(a, p, (size_t)(sp - p)) : "POST";
    const char *target = sp ? sp + 1 : p;
    const char *q = memchr(target, '?', (size_t)(le - target));
    req->path = gh_arena_strndup(a, target, (size_t)((q ? q : le) - target));
    req->query = q ? gh_arena_strndup(a, q + 1, (size_t)(le - q - 1)) : NULL;
    p = le < end ? le + 1 : end;
    while (p < end) {
        le = line_end(p, end);
        if (le == p || (le == p + 1 && *p == '\r')) {
            p = le < end ? le + 1 : end;
            break;
        }
        const char *colon = memchr(p, ':', (size_t)(le - p));
        if (colon) {
            const char *v = colon + 1;
            while (v < le && *v == ' ')
                v++;
            gh_headers_add(a, &req->headers, gh_arena_strndup(a, p, (size_t)(colon - p)),
                           gh_arena_strndup(a, v, (size_t)(le - v)));
        }
        p = le < end ? le + 1 : end;
    }
    if (p < end) {
        req->body = gh_arena_strndup(a, p, (size_t)(end - p));
        req->body_len = (size_t)(end - p);
    }
    const char *host = gh_headers_get(&req->headers, "Host");
    req->host = host ? host : "localhost";
    req->source_ip = "127.0.0.1";
    req->protocol = "HTTP/1.1";
    req->local_port = 4566;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool started;
    if (!started) {
        pthread_t t;
        gh_log_set_level(GH_LOG_ERROR);
        gh_clock_fake(1700000000000);
        pthread_create(&t, NULL, ticker, NULL);
        pthread_detach(t);
        started = true;
    }
    gh_sim *sim = gh_sim_new("us-east-1", "123456789012");
    if (!sim)
        return 0;
    const char *p = (const char *)data, *end = p + size;
    size_t sl = strlen(SEPARATOR);
    for (int i = 0; p < end && i < 16; i++) {
        const char *next = memmem(p, (size_t)(end - p), SEPARATOR, sl);
        const char *stop = next ? next : end;
        gh_arena *a = gh_arena_new(4096);
        gh_request req = {.arena = a};
        gh_request_stamp(&req);
        parse_request(a, p, stop, &req);
        (void)gh_aws_protocol_claims(&req);
        gh_response resp = {0};
        gh_aws_protocol_handle(sim, &req, &resp);
        if (resp.status < 100 || resp.status > 599)
            __builtin_trap(); /* every request gets an answer */
        if (resp.body && memchr(resp.body, 0, resp.body_len) == NULL &&
            strlen(resp.body) != resp.body_len)
            __builtin_trap(); /* the length must cover the body */
        gh_arena_free(a);
        p = next ? next + sl : end;
    }
    gh_sim_free(sim);
    return 0;
}
