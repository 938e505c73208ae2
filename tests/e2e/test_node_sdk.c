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

static void node_sdk_end_to_end(void **state)
{
    (void)state;
    static const char *const packages[] = {"@aws-sdk/client-sqs", NULL};
    if (!e2e_node_ready("test_node_sdk", packages))
        skip();
    const char *const args[] = {"specs/tests/echo.yaml", NULL};
    srv = e2e_start(args);
    assert_non_null(srv);

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
    char *why =
        e2e_node_script("sqs_sns.mjs", e2e_port(srv), steps, sizeof steps / sizeof steps[0]);
    if (why)
        fail_msg("%s", why);
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
