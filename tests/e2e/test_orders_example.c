/* examples/orders end to end, the path its README shows: three orders POSTed through the
 * SQS service integration; the event source's Lua worker publishes the good ones to SNS;
 * `big-orders` (filter policy total >= 100) gets only the big one in SNS's envelope with
 * its attributes, `order-feed` (raw delivery) gets both bare messages with the SNS
 * attributes as SQS ones, and the order without items, failed by the worker three times
 * through batchItemFailures, lands on `orders-dlq`; `gatehouse queues` then prints the
 * counts the README shows. Queues are read through the SQS JSON protocol with long polls
 * of one second, bounded (no sleeps). */
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
    const char *const args[] = {"examples/orders/api.yaml", NULL};
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

/* Receives until `want` messages came from queue (long polls of 1 s, `polls` at most);
 * with keep_visible they are received with a visibility timeout of 0. */
static json_t *receive(const char *queue, size_t want, int polls, bool keep_visible)
{
    char payload[512];
    snprintf(payload, sizeof payload,
             "{\"QueueUrl\":\"http://127.0.0.1:%d/123456789012/%s\",\"WaitTimeSeconds\":1,"
             "\"MaxNumberOfMessages\":10,\"MessageAttributeNames\":[\"All\"],"
             "\"MessageSystemAttributeNames\":[\"All\"]%s}",
             e2e_port(srv), queue, keep_visible ? ",\"VisibilityTimeout\":0" : "");
    json_t *all = json_array();
    for (int i = 0; i < polls && json_array_size(all) < want; i++) {
        json_t *v = sqs_call(srv, "ReceiveMessage", payload, NULL);
        json_t *msgs = json_object_get(v, "Messages");
        if (msgs)
            json_array_extend(all, msgs);
        json_decref(v);
    }
    if (json_array_size(all) != want)
        fail_msg("%s: %zu messages after %d polls, expected %zu", queue, json_array_size(all),
                 polls, want);
    return all;
}

static void post_order(const char *order)
{
    const char *const headers[] = {"Content-Type: application/json", NULL};
    e2e_response r;
    assert_int_equal(e2e_request(srv, "POST", "/dev/orders", headers, order, strlen(order), &r), 0);
    assert_int_equal(r.status, 202);
    json_t *v = e2e_body_json(&r);
    assert_non_null(v);
    assert_true(json_is_true(json_object_get(v, "queued")));
    assert_int_equal(strlen(e2e_json_str(v, "messageId")), 36);
    json_decref(v);
    e2e_response_free(&r);
}

static void test_readme_path(void **state)
{
    (void)state;
    post_order("{\"orderId\":\"o-1001\",\"customer\":\"alice\",\"items\":[{\"sku\":\"tea\",\"price\":40,\"qty\":3}]}");
    post_order("{\"orderId\":\"o-1002\",\"customer\":\"bob\",\"items\":[{\"sku\":\"mug\",\"price\":12.5,\"qty\":2}]}");
    post_order("{\"orderId\":\"o-1003\",\"customer\":\"carol\",\"items\":[]}");

    /* The filter policy lets the 120 through and keeps the 25 out. */
    json_t *big = receive("big-orders", 1, 10, false);
    json_t *env = json_loads(e2e_json_str(big, "0.Body"), 0, NULL);
    assert_non_null(env);
    assert_string_equal(e2e_json_str(env, "Type"), "Notification");
    assert_string_equal(e2e_json_str(env, "TopicArn"),
                        "arn:aws:sns:us-east-1:123456789012:order-events");
    assert_string_equal(e2e_json_str(env, "Subject"), "order o-1001 accepted");
    assert_string_equal(e2e_json_str(env, "Message"),
                        "{\"customer\":\"alice\",\"orderId\":\"o-1001\",\"status\":\"accepted\",\"total\":120}");
    assert_string_equal(e2e_json_str(env, "MessageAttributes.total.Type"), "Number");
    assert_string_equal(e2e_json_str(env, "MessageAttributes.total.Value"), "120");
    assert_string_equal(e2e_json_str(env, "MessageAttributes.customer.Value"), "alice");
    json_decref(env);
    json_decref(big);

    /* Raw delivery: the bare messages, in order, attributes carried as SQS's. */
    json_t *feed = receive("order-feed", 2, 10, false);
    assert_string_equal(e2e_json_str(feed, "0.Body"),
                        "{\"customer\":\"alice\",\"orderId\":\"o-1001\",\"status\":\"accepted\",\"total\":120}");
    assert_string_equal(e2e_json_str(feed, "1.Body"),
                        "{\"customer\":\"bob\",\"orderId\":\"o-1002\",\"status\":\"accepted\",\"total\":25}");
    assert_string_equal(e2e_json_str(feed, "1.MessageAttributes.total.DataType"), "Number");
    assert_string_equal(e2e_json_str(feed, "1.MessageAttributes.total.StringValue"), "25");
    assert_string_equal(e2e_json_str(feed, "1.MessageAttributes.customer.StringValue"), "bob");
    json_decref(feed);

    /* Three failures two seconds apart, then the dead-letter queue (kept visible). */
    json_t *dead = receive("orders-dlq", 1, 15, true);
    assert_string_equal(e2e_json_str(dead, "0.Body"),
                        "{\"orderId\":\"o-1003\",\"customer\":\"carol\",\"items\":[]}");
    assert_string_equal(e2e_json_str(dead, "0.Attributes.DeadLetterQueueSourceArn"),
                        "arn:aws:sqs:us-east-1:123456789012:orders");
    json_decref(dead);
    for (int n = 1; n <= 3; n++) {
        char line[64];
        snprintf(line, sizeof line, "worker: order o-1003 has no items (receive %d of", n);
        assert_true(e2e_wait_stderr(srv, line, 1000));
    }
    char *err = e2e_stderr(srv);
    assert_null(strstr(err, "(receive 4 of"));
    free(err);

    /* gatehouse queues after the redrive: what was received above is in flight now. */
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", e2e_port(srv));
    const char *const argv[] = {"queues", "--url", url, NULL};
    char *out = NULL, *run_err = NULL;
    int code = -1;
    assert_int_equal(e2e_run(argv, &out, &run_err, &code), 0);
    free(run_err);
    assert_int_equal(code, 0);
    assert_string_equal(out, "QUEUE        VISIBLE  IN FLIGHT  DELAYED\n"
                             "big-orders         0          1        0\n"
                             "order-feed         0          2        0\n"
                             "orders             0          0        0\n"
                             "orders-dlq         1          0        0\n");
    free(out);

    assert_int_equal(e2e_stop(srv), 0);
    err = e2e_stderr(srv);
    assert_false(e2e_has_sanitizer_report(err));
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_readme_path, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
