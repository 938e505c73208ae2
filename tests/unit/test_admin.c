/* server/admin: the /_gatehouse/ router (one case per line: method, path, status, error
 * code) and the JSON of queues, peeked messages, purges, sends, topics and health, on a
 * simulator built in the test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/admin.h"
#include "sim/sim.h"
#include "util/clock.h"

typedef struct env {
    gh_sim *sim;
    gh_arena *a;
} env;

static json_t *call(env *e, const char *method, const char *target, const char *body,
                    int *status, gh_response *out)
{
    gh_request req = {.arena = e->a, .method = method, .local_port = 8080};
    const char *q = strchr(target, '?');
    req.path = q ? gh_arena_strndup(e->a, target, (size_t)(q - target)) : target;
    req.query = q ? q + 1 : NULL;
    gh_headers_add(e->a, &req.headers, "Host", "127.0.0.1:4566");
    if (body) {
        req.body = body;
        req.body_len = strlen(body);
    }
    gh_response resp = {0};
    gh_admin_handle(e->sim, &req, &resp);
    *status = resp.status;
    if (out)
        *out = resp;
    assert_string_equal(gh_headers_get(&resp.headers, "Content-Type"), "application/json");
    json_error_t je;
    json_t *j = json_loadb(resp.body, resp.body_len, 0, &je);
    assert_non_null(j);
    return j;
}

static int setup(void **state)
{
    gh_clock_fake(1700000000000LL);
    env *e = calloc(1, sizeof *e);
    e->sim = gh_sim_new("us-east-1", "123456789012");
    e->a = gh_arena_new(4096);
    gh_sqs_error err;
    assert_int_equal(gh_sqs_create_queue(e->sim->sqs, "orders", NULL, 0, &err), 0);
    gh_kv fifo[] = {{.key = "FifoQueue", .value = "true"},
                    {.key = "ContentBasedDeduplication", .value = "true"}};
    assert_int_equal(gh_sqs_create_queue(e->sim->sqs, "jobs.fifo", fifo, 2, &err), 0);
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    env *e = *state;
    gh_sim_free(e->sim);
    gh_arena_free(e->a);
    free(e);
    return 0;
}

static void send(env *e, const char *queue, const char *body, const char *attr)
{
    gh_sqs_attr at = {.name = "kind", .data_type = "String", .string_value = attr};
    gh_sqs_send m = {.body = body, .body_len = strlen(body), .delay_seconds = -1,
                     .attrs = attr ? &at : NULL, .nattrs = attr ? 1 : 0};
    gh_sqs_sent sent;
    gh_sqs_error err;
    assert_int_equal(gh_sqs_send_message(e->sim->sqs, queue, &m, &sent, &err), 0);
}

typedef struct route_case {
    const char *method, *target;
    int status;
    const char *error; /* the answer's "error", NULL for a 200 */
} route_case;

static const route_case route_cases[] = {
    {"GET", "/_gatehouse/health", 200, NULL},
    {"GET", "/_gatehouse/health/", 200, NULL},
    {"GET", "/_gatehouse/queues", 200, NULL},
    {"GET", "/_gatehouse/queues/orders", 200, NULL},
    {"GET", "/_gatehouse/queues/jobs.fifo", 200, NULL},
    {"GET", "/_gatehouse/queues/nope", 404, "NonExistentQueue"},
    {"GET", "/_gatehouse/queues/nope/messages", 404, "NonExistentQueue"},
    {"DELETE", "/_gatehouse/queues/nope/messages", 404, "NonExistentQueue"},
    {"POST", "/_gatehouse/queues/nope/messages", 404, "NonExistentQueue"},
    {"GET", "/_gatehouse/queues/orders/messages", 200, NULL},
    {"GET", "/_gatehouse/queues/orders/messages?max=1000", 200, NULL},
    {"GET", "/_gatehouse/queues/orders/messages?max=0", 400, "InvalidParameterValue"},
    {"GET", "/_gatehouse/queues/orders/messages?max=1001", 400, "InvalidParameterValue"},
    {"GET", "/_gatehouse/queues/orders/messages?max=x", 400, "InvalidParameterValue"},
    {"GET", "/_gatehouse/topics", 200, NULL},
    {"GET", "/_gatehouse", 404, "NotFound"},
    {"GET", "/_gatehouse/", 404, "NotFound"},
    {"GET", "/_gatehouse/queue", 404, "NotFound"},
    {"GET", "/_gatehouse/queues/orders/messages/extra", 404, "NotFound"},
    {"GET", "/_gatehouse/queues//messages", 404, "NotFound"},
    {"PUT", "/_gatehouse/queues/orders/messages", 405, "MethodNotAllowed"},
    {"POST", "/_gatehouse/health", 405, "MethodNotAllowed"},
};

static void test_routes(void **state)
{
    env *e = *state;
    for (size_t i = 0; i < sizeof route_cases / sizeof *route_cases; i++) {
        const route_case *c = &route_cases[i];
        int status;
        json_t *j = call(e, c->method, c->target, NULL, &status, NULL);
        if (status != c->status)
            fail_msg("%s %s: status %d, expected %d", c->method, c->target, status, c->status);
        const char *err = json_string_value(json_object_get(j, "error"));
        if (c->error)
            assert_string_equal(err, c->error);
        else
            assert_null(err);
        json_decref(j);
    }
}

static void test_allow_header(void **state)
{
    env *e = *state;
    int status;
    gh_response resp;
    json_t *j = call(e, "PATCH", "/_gatehouse/queues/orders/messages", NULL, &status, &resp);
    assert_int_equal(status, 405);
    assert_string_equal(gh_headers_get(&resp.headers, "Allow"), "GET, POST, DELETE");
    json_decref(j);
}

static void test_claims(void **state)
{
    (void)state;
    static const struct {
        const char *path;
        bool claimed;
    } cases[] = {
        {"/_gatehouse", true},        {"/_gatehouse/", true},    {"/_gatehouse/queues", true},
        {"/_gatehousex", false},      {"/dev/_gatehouse", false}, {"/", false},
        {"/_gatehouse?x=1", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gh_request req = {.method = "GET", .path = cases[i].path};
        if (gh_admin_claims(&req) != cases[i].claimed)
            fail_msg("%s: claimed %d", cases[i].path, !cases[i].claimed);
    }
}

static void test_queue_json(void **state)
{
    env *e = *state;
    send(e, "orders", "{\"id\":1}", "order");
    send(e, "orders", "plain", NULL);
    int status;
    json_t *j = call(e, "GET", "/_gatehouse/queues", NULL, &status, NULL);
    json_t *qs = json_object_get(j, "queues");
    assert_int_equal(json_array_size(qs), 2);
    json_t *jobs = json_array_get(qs, 0), *orders = json_array_get(qs, 1);
    assert_string_equal(json_string_value(json_object_get(jobs, "name")), "jobs.fifo");
    assert_true(json_is_true(json_object_get(jobs, "fifo")));
    assert_string_equal(json_string_value(json_object_get(orders, "name")), "orders");
    assert_true(json_is_false(json_object_get(orders, "fifo")));
    assert_string_equal(json_string_value(json_object_get(orders, "url")),
                        "http://127.0.0.1:4566/123456789012/orders");
    assert_string_equal(json_string_value(json_object_get(orders, "arn")),
                        "arn:aws:sqs:us-east-1:123456789012:orders");
    assert_int_equal(json_integer_value(json_object_get(orders, "visible")), 2);
    assert_int_equal(json_integer_value(json_object_get(orders, "inFlight")), 0);
    assert_int_equal(json_integer_value(json_object_get(orders, "delayed")), 0);
    json_t *attrs = json_object_get(orders, "attributes");
    assert_string_equal(json_string_value(json_object_get(attrs, "VisibilityTimeout")), "30");
    assert_string_equal(
        json_string_value(json_object_get(attrs, "ApproximateNumberOfMessages")), "2");
    json_decref(j);

    j = call(e, "GET", "/_gatehouse/queues/orders", NULL, &status, NULL);
    assert_int_equal(status, 200);
    assert_int_equal(json_integer_value(json_object_get(j, "visible")), 2);
    json_decref(j);
}

static void test_peek_purge_send(void **state)
{
    env *e = *state;
    send(e, "orders", "{\"id\":1}", "order");
    send(e, "orders", "second", NULL);
    int status;
    json_t *j = call(e, "GET", "/_gatehouse/queues/orders/messages?max=1", NULL, &status, NULL);
    assert_int_equal(status, 200);
    json_t *ms = json_object_get(j, "messages");
    assert_int_equal(json_array_size(ms), 1);
    json_t *m = json_array_get(ms, 0);
    assert_string_equal(json_string_value(json_object_get(m, "body")), "{\"id\":1}");
    assert_int_equal(json_integer_value(json_object_get(m, "receiveCount")), 0);
    assert_int_equal(json_integer_value(json_object_get(m, "sentTimestamp")), 1700000000000LL);
    assert_string_equal(json_string_value(json_object_get(m, "sentTime")),
                        "2023-11-14T22:13:20.000Z");
    json_t *kind = json_object_get(json_object_get(m, "messageAttributes"), "kind");
    assert_string_equal(json_string_value(json_object_get(kind, "dataType")), "String");
    assert_string_equal(json_string_value(json_object_get(kind, "stringValue")), "order");
    json_decref(j);

    /* Peeking leaves the messages visible and their counts alone. */
    j = call(e, "GET", "/_gatehouse/queues/orders/messages", NULL, &status, NULL);
    assert_int_equal(json_array_size(json_object_get(j, "messages")), 2);
    json_decref(j);
    gh_sqs_counts c;
    assert_int_equal(gh_sqs_counts_of(e->sim->sqs, "orders", &c), 0);
    assert_int_equal(c.visible, 2);

    j = call(e, "DELETE", "/_gatehouse/queues/orders/messages", NULL, &status, NULL);
    assert_int_equal(status, 200);
    assert_int_equal(json_integer_value(json_object_get(j, "purged")), 2);
    json_decref(j);
    /* A second purge at once: no PurgeQueueInProgress, unlike AWS's PurgeQueue. */
    j = call(e, "DELETE", "/_gatehouse/queues/orders/messages", NULL, &status, NULL);
    assert_int_equal(status, 200);
    assert_int_equal(json_integer_value(json_object_get(j, "purged")), 0);
    json_decref(j);

    j = call(e, "POST", "/_gatehouse/queues/orders/messages", "hello", &status, NULL);
    assert_int_equal(status, 200);
    const char *id = json_string_value(json_object_get(j, "messageId"));
    assert_int_equal(strlen(id), 36);
    char *id_copy = strdup(id);
    json_decref(j);
    j = call(e, "GET", "/_gatehouse/queues/orders/messages", NULL, &status, NULL);
    m = json_array_get(json_object_get(j, "messages"), 0);
    assert_string_equal(json_string_value(json_object_get(m, "body")), "hello");
    assert_string_equal(json_string_value(json_object_get(m, "messageId")), id_copy);
    free(id_copy);
    json_decref(j);
}

static void test_topics_and_health(void **state)
{
    env *e = *state;
    char *arn = NULL, *sub = NULL;
    gh_sns_error err;
    assert_int_equal(gh_sns_create_topic(e->sim->sns, "events", NULL, 0, &arn, &err), 0);
    gh_kv attrs[] = {{.key = "FilterPolicy", .value = "{\"kind\":[\"order\"]}"}};
    assert_int_equal(gh_sns_subscribe(e->sim->sns, arn, "sqs",
                                      "arn:aws:sqs:us-east-1:123456789012:orders", attrs, 1,
                                      &sub, &err),
                     0);
    int status;
    json_t *j = call(e, "GET", "/_gatehouse/topics", NULL, &status, NULL);
    json_t *t = json_array_get(json_object_get(j, "topics"), 0);
    assert_string_equal(json_string_value(json_object_get(t, "name")), "events");
    assert_string_equal(json_string_value(json_object_get(t, "arn")),
                        "arn:aws:sns:us-east-1:123456789012:events");
    json_t *s = json_array_get(json_object_get(t, "subscriptions"), 0);
    assert_string_equal(json_string_value(json_object_get(s, "arn")), sub);
    assert_string_equal(json_string_value(json_object_get(s, "protocol")), "sqs");
    assert_string_equal(json_string_value(json_object_get(s, "endpoint")),
                        "arn:aws:sqs:us-east-1:123456789012:orders");
    assert_true(json_is_false(json_object_get(s, "rawMessageDelivery")));
    json_t *want = json_pack("{s:[s]}", "kind", "order");
    assert_true(json_equal(json_object_get(s, "filterPolicy"), want));
    json_decref(want);
    assert_string_equal(json_string_value(json_object_get(s, "filterPolicyScope")),
                        "MessageAttributes");
    json_decref(j);

    j = call(e, "GET", "/_gatehouse/health", NULL, &status, NULL);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "ok");
    assert_int_equal(json_integer_value(json_object_get(j, "queues")), 2);
    assert_int_equal(json_integer_value(json_object_get(j, "topics")), 1);
    json_decref(j);
    free(arn);
    free(sub);
}

static void test_no_simulator(void **state)
{
    env *e = *state;
    gh_sim *sim = e->sim;
    e->sim = NULL;
    int status;
    json_t *j = call(e, "GET", "/_gatehouse/queues", NULL, &status, NULL);
    assert_int_equal(status, 503);
    assert_string_equal(json_string_value(json_object_get(j, "error")), "NoSimulator");
    json_decref(j);
    j = call(e, "GET", "/_gatehouse/health", NULL, &status, NULL);
    assert_int_equal(status, 200);
    assert_true(json_is_false(json_object_get(j, "simulator")));
    json_decref(j);
    e->sim = sim;
}

/* A queue name decoded from the URL that is not UTF-8 (%FF): the 404 must still be a
 * JSON body (jansson refuses such text, and a NULL body crashed the server). */
static void test_name_not_utf8(void **state)
{
    env *e = *state;
    int status;
    json_t *j = call(e, "GET", "/_gatehouse/queues/%FFx/messages", NULL, &status, NULL);
    assert_int_equal(status, 404);
    assert_string_equal(json_string_value(json_object_get(j, "error")), "NonExistentQueue");
    assert_non_null(strstr(json_string_value(json_object_get(j, "message")),
                           "no queue named '\xef\xbf\xbdx'"));
    json_decref(j);
}

/* ?delaySeconds= is read strictly: not a number, or past SQS's 900, is a 400 and sends
 * nothing (atoi took "abc" for 0 and sent at once). */
static void test_send_delay_checked(void **state)
{
    env *e = *state;
    static const char *const bad[] = {"abc", "", "12x", "901", "-1", "99999999999999999999"};
    int status;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        json_t *j = call(e, "POST",
                         gh_arena_printf(e->a, "/_gatehouse/queues/orders/messages?delaySeconds=%s",
                                         bad[i]),
                         "x", &status, NULL);
        if (status != 400)
            fail_msg("delaySeconds=%s: status %d", bad[i], status);
        assert_string_equal(json_string_value(json_object_get(j, "error")),
                            "InvalidParameterValue");
        json_decref(j);
    }
    json_t *j = call(e, "GET", "/_gatehouse/queues/orders", NULL, &status, NULL);
    assert_int_equal(json_integer_value(json_object_get(j, "visible")), 0);
    assert_int_equal(json_integer_value(json_object_get(j, "delayed")), 0);
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_routes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_allow_header, setup, teardown),
        cmocka_unit_test(test_claims),
        cmocka_unit_test_setup_teardown(test_queue_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_peek_purge_send, setup, teardown),
        cmocka_unit_test_setup_teardown(test_topics_and_health, setup, teardown),
        cmocka_unit_test_setup_teardown(test_name_not_utf8, setup, teardown),
        cmocka_unit_test_setup_teardown(test_send_delay_checked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_simulator, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
