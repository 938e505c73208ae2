/* --state DIR on the real binary: messages sent through the SQS JSON protocol (what the
 * current SDKs send) survive `kill -9` of the server and are received, all of them, from
 * a new server started on the same directory; the queue declared by the definition
 * (specs/tests/orders.yaml: orders) merges with its stored self, and a FIFO queue created
 * at run time comes back with its order. Receives long-poll with bounded waits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.h"
#include "e2e_sqs.h"

#define NSTD 25
#define NFIFO 5

static e2e_server *srv;
static char dir[64];

static e2e_server *start(void)
{
    const char *const args[] = {"specs/tests/orders.yaml", "--state", dir, "--quiet", NULL};
    e2e_server *s = e2e_start(args);
    assert_non_null(s);
    return s;
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/gh-state-e2e-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    e2e_kill(srv);
    srv = NULL;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void url_of(const char *queue, char *out, size_t n)
{
    snprintf(out, n, "http://127.0.0.1:%d/123456789012/%s", e2e_port(srv), queue);
}

static void send_to(const char *queue, const char *body, const char *group)
{
    char url[128], payload[512];
    url_of(queue, url, sizeof url);
    if (group)
        snprintf(payload, sizeof payload,
                 "{\"QueueUrl\":\"%s\",\"MessageBody\":\"%s\",\"MessageGroupId\":\"%s\"}", url,
                 body, group);
    else
        snprintf(payload, sizeof payload,
                 "{\"QueueUrl\":\"%s\",\"MessageBody\":\"%s\",\"MessageAttributes\":{\"n\":"
                 "{\"DataType\":\"Number\",\"StringValue\":\"%s\"}}}",
                 url, body, body + 1);
    json_t *v = sqs_call(srv, "SendMessage", payload, NULL);
    assert_non_null(json_object_get(v, "MessageId"));
    json_decref(v);
}

/* Receives (and deletes) until want messages came, appending the bodies to got; long
 * polls of one second, at most 3 * want + 10 of them. */
static void drain(const char *queue, size_t want, json_t *got)
{
    char url[128], payload[256];
    url_of(queue, url, sizeof url);
    snprintf(payload, sizeof payload,
             "{\"QueueUrl\":\"%s\",\"WaitTimeSeconds\":1,\"MaxNumberOfMessages\":10,"
             "\"MessageAttributeNames\":[\"All\"]}",
             url);
    for (size_t round = 0; json_array_size(got) < want && round < 3 * want + 10; round++) {
        json_t *v = sqs_call(srv, "ReceiveMessage", payload, NULL);
        size_t i;
        json_t *m;
        json_array_foreach(json_object_get(v, "Messages"), i, m)
        {
            json_array_append(got, json_object_get(m, "Body"));
            char del[512];
            snprintf(del, sizeof del, "{\"QueueUrl\":\"%s\",\"ReceiptHandle\":\"%s\"}", url,
                     json_string_value(json_object_get(m, "ReceiptHandle")));
            json_decref(sqs_call(srv, "DeleteMessage", del, NULL));
        }
        json_decref(v);
    }
    assert_int_equal(json_array_size(got), want);
}

static void test_messages_survive_kill_9(void **state)
{
    (void)state;
    srv = start();
    json_decref(sqs_call(srv, "CreateQueue", "{\"QueueName\":\"jobs.fifo\",\"Attributes\":{\"FifoQueue\":"
                                   "\"true\",\"ContentBasedDeduplication\":\"true\"}}", NULL));
    for (int i = 0; i < NSTD; i++) {
        char body[16];
        snprintf(body, sizeof body, "m%d", i);
        send_to("orders", body, NULL);
    }
    for (int i = 0; i < NFIFO; i++) {
        char body[16];
        snprintf(body, sizeof body, "job-%d", i);
        send_to("jobs.fifo", body, "g");
    }
    /* Every SendMessage above returned: the process dies without a chance to flush. */
    assert_int_equal(e2e_stop_signal(srv, SIGKILL), 128 + SIGKILL);
    e2e_kill(srv);

    srv = start();
    json_t *got = json_array();
    drain("orders", NSTD, got);
    /* Each body once, whatever the order. */
    for (int i = 0; i < NSTD; i++) {
        char body[16];
        snprintf(body, sizeof body, "m%d", i);
        int seen = 0;
        size_t k;
        json_t *b;
        json_array_foreach(got, k, b) seen += strcmp(json_string_value(b), body) == 0;
        if (seen != 1)
            fail_msg("%s arrived %d times after the restart", body, seen);
    }
    json_array_clear(got);
    drain("jobs.fifo", NFIFO, got);
    for (int i = 0; i < NFIFO; i++) {
        char body[16];
        snprintf(body, sizeof body, "job-%d", i);
        assert_string_equal(json_string_value(json_array_get(got, (size_t)i)), body);
    }
    json_decref(got);

    /* The declared queue kept its declared attribute; the deletes were kept too. */
    char url[128], payload[256];
    url_of("orders", url, sizeof url);
    snprintf(payload, sizeof payload, "{\"QueueUrl\":\"%s\",\"AttributeNames\":[\"All\"]}", url);
    json_t *a = sqs_call(srv, "GetQueueAttributes", payload, NULL);
    json_t *attrs = json_object_get(a, "Attributes");
    assert_string_equal(json_string_value(json_object_get(attrs, "VisibilityTimeout")), "30");
    assert_string_equal(json_string_value(json_object_get(attrs, "ApproximateNumberOfMessages")),
                        "0");
    json_decref(a);
    assert_int_equal(e2e_stop(srv), 0);
    e2e_kill(srv);
    srv = start();
    a = sqs_call(srv, "GetQueueAttributes", payload, NULL);
    attrs = json_object_get(a, "Attributes");
    assert_string_equal(json_string_value(json_object_get(attrs, "ApproximateNumberOfMessages")),
                        "0");
    assert_string_equal(
        json_string_value(json_object_get(attrs, "ApproximateNumberOfMessagesNotVisible")), "0");
    json_decref(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_messages_survive_kill_9, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
