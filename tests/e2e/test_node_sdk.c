/* The AWS SDK for JavaScript v3 against `gatehouse serve` (issue 7): runs
 * tests/e2e/sdk/sqs_sns.mjs with node, pointed at a served instance. The script asserts
 * each step itself (queues, messages and their MD5s, SNS fan-out through a filter policy
 * and raw delivery, redrive to a dead-letter queue, AWS's exception classes) and exits
 * non-zero at the first failure. Skips when node is not on PATH or the SDK is not
 * installed (`npm ci` in tests/e2e/sdk). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "e2e.h"

static e2e_server *srv;

static int teardown(void **state)
{
    (void)state;
    e2e_kill(srv);
    srv = NULL;
    return 0;
}

static bool have_node(void)
{
    return system("command -v node >/dev/null 2>&1") == 0;
}

static void node_sdk_end_to_end(void **state)
{
    (void)state;
    char modules[1024];
    snprintf(modules, sizeof modules, "%s/tests/e2e/sdk/node_modules/@aws-sdk/client-sqs",
             e2e_source_dir());
    if (!have_node() || access(modules, R_OK) != 0) {
        fprintf(stderr, "test_node_sdk: node or tests/e2e/sdk/node_modules missing "
                        "(npm ci in tests/e2e/sdk); skipped\n");
        skip();
    }
    const char *const args[] = {"specs/tests/echo.yaml", NULL};
    srv = e2e_start(args);
    assert_non_null(srv);

    /* timeout(1) bounds the run: a hung SDK call must fail the test, not stall ctest. */
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "timeout 60 node '%s/tests/e2e/sdk/sqs_sns.mjs' http://127.0.0.1:%d 2>&1",
             e2e_source_dir(), e2e_port(srv));
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t cap = 1 << 16, n = 0, got;
    char *out = malloc(cap);
    assert_non_null(out);
    while (n < cap - 1 && (got = fread(out + n, 1, cap - n - 1, p)) > 0)
        n += got;
    out[n] = '\0';
    int status = pclose(p);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("node sqs_sns.mjs failed (status %d):\n%s", status, out);
    /* Every step ran, in order, and said so. */
    static const char *const steps[] = {
        "ok - create queue\n",
        "ok - send message with an attribute (the SDK checks both MD5s)\n",
        "ok - receive it with its attributes\n",
        "ok - delete it; the queue is empty\n",
        "ok - create topic, subscribe a queue with a filter policy and one raw\n",
        "ok - publish a matching and a non-matching message\n",
        "ok - the filtered queue receives only the red one, in SNS's envelope\n",
        "ok - the raw subscription receives both bare messages with SQS attributes\n",
        "ok - after maxReceiveCount receives the message moves to the dead-letter queue\n",
        "ok - errors are AWS's exceptions\n",
        "all steps passed\n",
    };
    const char *at = out;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        const char *hit = strstr(at, steps[i]);
        if (!hit)
            fail_msg("missing '%s' after the earlier steps in:\n%s", steps[i], out);
        at = hit + strlen(steps[i]);
    }
    free(out);
    assert_int_equal(e2e_stop(srv), 0);
    char *err = e2e_stderr(srv);
    assert_false(e2e_has_sanitizer_report(err));
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(node_sdk_end_to_end, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
