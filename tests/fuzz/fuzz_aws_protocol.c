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
        fuzz_parse_request(a, p, stop, &req, "localhost", 4566);
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
