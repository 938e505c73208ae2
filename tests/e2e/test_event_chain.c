/* The chain end to end on the real binary (specs/tests/chain.yaml): POST /orders goes
 * through the SQS service integration onto `orders`; the event source's poller hands it
 * to the Lua Lambda `fulfil`, which publishes to `order-events`; the queue `shipped`
 * receives SNS's envelope, and the Lua Lambda `audit` gets SNS's Lambda event (it files what
 * it saw on `audit-log`). What arrived is read through the SQS JSON protocol on the same
 * port, polling with bounded waits (no sleeps: long polls of one second, ten at most). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.h"
#include "e2e_sqs.h"

static e2e_server *srv;

static int setup(void **state)
{
    (void)state;
    const char *const args[] = {"specs/tests/chain.yaml", NULL};
    srv = e2e_start(args);
    return srv ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    e2e_kill(srv);
    srv = NULL;
    return 0;
}

static char *queue_url(const char *name)
{
    char *url = malloc(128);
    snprintf(url, 128, "http://127.0.0.1:%d/123456789012/%s", e2e_port(srv), name);
    return url;
}

/* Receives one message from queue, long-polling a second at a time, ten times at most. */
static json_t *receive_one(const char *name)
{
    char *url = queue_url(name), payload[256];
    snprintf(payload, sizeof payload,
             "{\"QueueUrl\":\"%s\",\"WaitTimeSeconds\":1,\"MaxNumberOfMessages\":10}", url);
    free(url);
    for (int i = 0; i < 10; i++) {
        long status;
        json_t *v = sqs_call(srv, "ReceiveMessage", payload, &status);
        assert_int_equal(status, 200);
        json_t *msgs = json_object_get(v, "Messages");
        if (json_array_size(msgs) > 0) {
            assert_int_equal(json_array_size(msgs), 1);
            json_t *m = json_incref(json_array_get(msgs, 0));
            json_decref(v);
            return m;
        }
        json_decref(v);
    }
    fail_msg("nothing arrived on %s within ten seconds", name);
    return NULL;
}

static long approximate(const char *name, const char *attr)
{
    char *url = queue_url(name), payload[256];
    snprintf(payload, sizeof payload, "{\"QueueUrl\":\"%s\",\"AttributeNames\":[\"All\"]}", url);
    free(url);
    long status;
    json_t *v = sqs_call(srv, "GetQueueAttributes", payload, &status);
    assert_int_equal(status, 200);
    json_t *a = json_object_get(json_object_get(v, "Attributes"), attr);
    long n = a ? strtol(json_string_value(a), NULL, 10) : -1;
    json_decref(v);
    return n;
}

static void test_order_reaches_subscribed_queue(void **state)
{
    (void)state;
    static const char order[] = "{\"orderId\":\"o-17\",\"items\":[\"tea\"]}";
    const char *const headers[] = {"Content-Type: application/json", NULL};
    e2e_response r;
    assert_int_equal(e2e_request(srv, "POST", "/default/orders", headers, order,
                                 strlen(order), &r), 0);
    assert_int_equal(r.status, 200);
    /* SQS's JSON answer to SendMessage, as API Gateway relays it: the exact body was
     * queued (md5 of the order's bytes). */
    json_t *sent = e2e_body_json(&r);
    assert_non_null(sent);
    assert_string_equal(e2e_json_str(sent, "SendMessageResponse.SendMessageResult.MD5OfMessageBody"),
                        "e9b42d00e1d1f6df0b2e330a35dfe4ee");
    json_decref(sent);
    e2e_response_free(&r);

    json_t *m = receive_one("shipped");
    json_t *env = json_loads(e2e_json_str(m, "Body"), 0, NULL);
    assert_non_null(env);
    assert_string_equal(e2e_json_str(env, "Type"), "Notification");
    assert_string_equal(e2e_json_str(env, "TopicArn"),
                        "arn:aws:sns:us-east-1:123456789012:order-events");
    assert_string_equal(e2e_json_str(env, "Subject"), "order o-17");
    json_t *note = json_loads(e2e_json_str(env, "Message"), 0, NULL);
    assert_string_equal(e2e_json_str(note, "orderId"), "o-17");
    assert_string_equal(e2e_json_str(note, "status"), "fulfilled");
    assert_string_equal(e2e_json_str(note, "source"), "arn:aws:sqs:us-east-1:123456789012:orders");
    assert_string_equal(e2e_json_str(note, "receiveCount"), "1");
    json_decref(note);
    json_decref(env);
    json_decref(m);
    /* The SNS Lambda subscription: the record as SNS shapes it. */
    m = receive_one("audit-log");
    json_t *seen = json_loads(e2e_json_str(m, "Body"), 0, NULL);
    assert_non_null(seen);
    assert_string_equal(e2e_json_str(seen, "eventSource"), "aws:sns");
    assert_string_equal(e2e_json_str(seen, "eventVersion"), "1.0");
    assert_string_equal(e2e_json_str(seen, "type"), "Notification");
    assert_string_equal(e2e_json_str(seen, "topic"),
                        "arn:aws:sns:us-east-1:123456789012:order-events");
    assert_string_equal(e2e_json_str(seen, "subject"), "order o-17");
    assert_non_null(strstr(e2e_json_str(seen, "message"), "\"orderId\":\"o-17\""));
    assert_non_null(strstr(e2e_json_str(seen, "subscription"),
                           "arn:aws:sns:us-east-1:123456789012:order-events:"));
    assert_int_equal(json_integer_value(json_object_get(seen, "records")), 1);
    json_decref(seen);
    json_decref(m);
    /* The event source deleted the order once the function succeeded. */
    assert_int_equal(approximate("orders", "ApproximateNumberOfMessages"), 0);
    assert_int_equal(approximate("orders", "ApproximateNumberOfMessagesNotVisible"), 0);
    /* The poller stops with the server, cleanly. */
    assert_int_equal(e2e_stop(srv), 0);
    char *err = e2e_stderr(srv);
    assert_false(e2e_has_sanitizer_report(err));
    free(err);
}

/* The same chain under `gatehouse test`: its fixtures' expect.queues see the order, the
 * envelope on shipped and the Lambda subscriber's note, so the poller runs there too. */
static void test_chain_under_gatehouse_test(void **state)
{
    (void)state;
    const char *const argv[] = {"test", "specs/tests/chain.yaml",
                                "specs/tests/chain/fixtures.yaml", NULL};
    char *out = NULL, *err = NULL;
    int code = -1;
    assert_int_equal(e2e_run(argv, &out, &err, &code), 0);
    if (code != 0)
        fail_msg("gatehouse test exited %d:\n%s\n%s", code, out, err);
    assert_non_null(strstr(out, "an order is fulfilled and announced"));
    assert_false(e2e_has_sanitizer_report(err));
    free(out);
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_order_reaches_subscribed_queue, setup, teardown),
        cmocka_unit_test(test_chain_under_gatehouse_test),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
