/* spec/settings_sim.c: x-gatehouse.queues, topics and eventSources compiled into the
 * model as SQS/SNS attribute names and string values, and every mistake an error (or a
 * warning) at its file:line:col with a fix. Ranges are AWS's (SQS quotas,
 * SetQueueAttributes, Lambda services-sqs-parameters). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scratch.h"
#include "spec/load.h"
#include "util/buf.h"

#define HEAD                                                                                       \
    "openapi: 3.0.1\ninfo: {title: t, version: '1'}\npaths: {}\n"                                  \
    "x-gatehouse:\n  region: eu-west-1\n  accountId: '111122223333'\n"                             \
    "  functions:\n    worker: {handler: h.lua}\n"

static gh_model *load(scratch *s, const char *yaml, gh_diags *d)
{
    put(s, "h.lua", "return function(e) return {} end\n");
    const char *def = put(s, "api.yaml", yaml);
    gh_load_options o = {.definitions = &def, .ndefinitions = 1, .port = -1};
    return gh_model_load(&o, d);
}

static const char good[] = HEAD
    "  queues:\n"
    "    orders:\n" /* line 8 */
    "      visibilityTimeout: 45\n"
    "      messageRetentionPeriod: 86400\n"
    "      delaySeconds: 2\n"
    "      receiveMessageWaitTimeSeconds: 20\n"
    "      maximumMessageSize: 1048576\n"
    "      deadLetterQueue: {queue: orders-dlq, maxReceiveCount: 3}\n"
    "    orders-dlq: {}\n"
    "    jobs.fifo: {contentBasedDeduplication: true}\n"
    "  topics:\n"
    "    events:\n"
    "      displayName: Events\n"
    "      subscriptions:\n"
    "        - {protocol: sqs, endpoint: orders, rawMessageDelivery: true,\n"
    "           filterPolicy: {kind: [order], price: [{numeric: ['>=', 100]}]},\n"
    "           filterPolicyScope: MessageAttributes}\n"
    "        - {protocol: lambda, endpoint: worker}\n"
    "        - {protocol: https, endpoint: 'https://example.com/hook'}\n"
    "    audit.fifo: {fifo: true}\n"
    "  eventSources:\n"
    "    - {queue: orders, function: worker, batchSize: 100, maximumBatchingWindowInSeconds: 5,\n"
    "       functionResponseTypes: [ReportBatchItemFailures]}\n"
    "    - {queue: jobs.fifo, function: 'arn:aws:lambda:eu-west-1:111122223333:function:worker', "
    "enabled: false}\n";

static void test_declarations(void **state)
{
    (void)state;
    scratch s = {0};
    gh_diags d = GH_DIAGS_INIT;
    gh_model *m = load(&s, good, &d);
    for (size_t i = 0; i < d.n; i++)
        fprintf(stderr, "  %s\n", d.items[i].text);
    assert_non_null(m);
    assert_int_equal(d.n, 0);
    const gh_api *api = &m->apis[0];
    assert_int_equal(api->nqueues, 3);
    const gh_queue_decl *q = &api->queues[0];
    assert_string_equal(q->name, "orders");
    assert_int_equal(q->mark.line, 10);
    static const struct {
        const char *key, *value;
    } want[] = {
        {"VisibilityTimeout", "45"},
        {"MessageRetentionPeriod", "86400"},
        {"DelaySeconds", "2"},
        {"ReceiveMessageWaitTimeSeconds", "20"},
        {"MaximumMessageSize", "1048576"},
        {"RedrivePolicy", "{\"deadLetterTargetArn\":\"arn:aws:sqs:eu-west-1:111122223333:"
                          "orders-dlq\",\"maxReceiveCount\":3}"},
    };
    assert_int_equal(q->attributes.n, sizeof want / sizeof *want);
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        assert_string_equal(gh_kvs_get(&q->attributes, want[i].key), want[i].value);
    assert_int_equal(api->queues[1].attributes.n, 0);
    assert_string_equal(gh_kvs_get(&api->queues[2].attributes, "FifoQueue"), "true");
    assert_string_equal(gh_kvs_get(&api->queues[2].attributes, "ContentBasedDeduplication"),
                        "true");

    assert_int_equal(api->ntopics, 2);
    const gh_topic_decl *t = &api->topics[0];
    assert_string_equal(t->name, "events");
    assert_string_equal(gh_kvs_get(&t->attributes, "DisplayName"), "Events");
    assert_null(gh_kvs_get(&t->attributes, "FifoTopic"));
    assert_int_equal(t->nsubscriptions, 3);
    assert_string_equal(t->subscriptions[0].protocol, "sqs");
    assert_string_equal(t->subscriptions[0].endpoint, "orders");
    assert_string_equal(gh_kvs_get(&t->subscriptions[0].attributes, "RawMessageDelivery"), "true");
    assert_string_equal(gh_kvs_get(&t->subscriptions[0].attributes, "FilterPolicy"),
                        "{\"kind\":[\"order\"],\"price\":[{\"numeric\":[\">=\",100]}]}");
    assert_string_equal(gh_kvs_get(&t->subscriptions[0].attributes, "FilterPolicyScope"),
                        "MessageAttributes");
    assert_string_equal(t->subscriptions[1].protocol, "lambda");
    assert_int_equal(t->subscriptions[1].attributes.n, 0);
    assert_string_equal(t->subscriptions[2].endpoint, "https://example.com/hook");
    assert_string_equal(gh_kvs_get(&api->topics[1].attributes, "FifoTopic"), "true");

    assert_int_equal(api->nevent_sources, 2);
    const gh_event_source_decl *e = &api->event_sources[0];
    assert_string_equal(e->queue, "orders");
    assert_string_equal(e->function, "worker");
    assert_int_equal(e->batch_size, 100);
    assert_int_equal(e->batching_window_s, 5);
    assert_true(e->report_batch_item_failures);
    assert_true(e->enabled);
    e = &api->event_sources[1];
    assert_int_equal(e->batch_size, 10); /* Lambda's default */
    assert_int_equal(e->batching_window_s, 0);
    assert_false(e->report_batch_item_failures);
    assert_false(e->enabled);
    gh_model_unref(m);
    gh_diags_free(&d);
    scratch_free(&s);
}

/* One mistake per case: the line:col it is reported at and a piece of the message. */
static const struct {
    const char *yaml;
    unsigned line, col;
    const char *text;
} errors[] = {
    {"  queues:\n    q: {visibilityTimeout: 43201}\n", 10, 28,
     "visibilityTimeout must be a whole number from 0 to 43200"},
    {"  queues:\n    q: {messageRetentionPeriod: 59}\n", 10, 33, "from 60 to 1209600"},
    {"  queues:\n    q: {delaySeconds: 901}\n", 10, 23, "from 0 to 900"},
    {"  queues:\n    q: {receiveMessageWaitTimeSeconds: 21}\n", 10, 40, "from 0 to 20"},
    {"  queues:\n    q: {maximumMessageSize: 1048577}\n", 10, 29, "from 1024 to 1048576"},
    {"  queues:\n    q: {deadLetterQueue: {queue: nope, maxReceiveCount: 2}}\n", 10, 34,
     "dead-letter queue 'nope' is not declared in x-gatehouse.queues (declared: q)"},
    {"  queues:\n    q: {deadLetterQueue: {queue: d, maxReceiveCount: 1001}}\n    d: {}\n", 10, 54,
     "maxReceiveCount must be a whole number from 1 to 1000"},
    {"  queues:\n    q: {deadLetterQueue: {queue: d}}\n    d: {}\n", 10, 26,
     "deadLetterQueue needs maxReceiveCount"},
    {"  queues:\n    q.fifo: {deadLetterQueue: {queue: d, maxReceiveCount: 2}}\n    d: {}\n", 10,
     39, "SQS requires both FIFO or both standard"},
    {"  queues:\n    q: {fifo: true}\n", 10, 5, "rename it 'q.fifo'"},
    {"  queues:\n    q: {contentBasedDeduplication: true}\n", 10, 36,
     "contentBasedDeduplication applies to FIFO queues only"},
    {"  queues:\n    'bad name': {}\n", 10, 5, "invalid queue name 'bad name'"},
    {"  queues: [a]\n", 9, 11, "x-gatehouse.queues must be a map"},
    {"  topics:\n    t: {subscriptions: [{protocol: sqs, endpoint: nope}]}\n", 10, 51,
     "subscription endpoint 'nope' is not a queue declared"},
    {"  topics:\n    t: {subscriptions: [{protocol: lambda, endpoint: ghost}]}\n", 10, 54,
     "subscription endpoint 'ghost' is not a function in x-gatehouse.functions"},
    {"  topics:\n    t: {subscriptions: [{protocol: email, endpoint: a@b.c}]}\n", 10, 36,
     "subscription protocol must be one of sqs, lambda, http, https; got 'email'"},
    {"  topics:\n    t: {subscriptions: [{protocol: https, endpoint: 'http://x'}]}\n", 10, 53,
     "a https subscription's endpoint must be a https:// URL"},
    {"  topics:\n    t: {subscriptions: [{protocol: lambda, endpoint: worker, "
     "rawMessageDelivery: true}]}\n",
     10, 82, "rawMessageDelivery applies to sqs, http and https subscriptions, not lambda"},
    {"  topics:\n    t: {subscriptions: [{protocol: https, endpoint: 'https://x', "
     "filterPolicy: '{}'}]}\n",
     10, 80, "filterPolicy must be a map"},
    {"  topics:\n    t: {subscriptions: [{protocol: https, endpoint: 'https://x', "
     "filterPolicyScope: Body}]}\n",
     10, 85, "filterPolicyScope must be MessageAttributes (the default) or MessageBody"},
    /* Policies SNS's Subscribe refuses, caught by validate (not only when serve starts). */
    {"  topics:\n    t: {subscriptions: [{protocol: https, endpoint: 'https://x', "
     "filterPolicy: {a: [1], b: [1], c: [1], d: [1], e: [1], f: [1]}}]}\n",
     10, 80, "SNS refuses this filterPolicy: Invalid parameter: FilterPolicy: Filter policy can "
     "not have more than 5 keys; fix it"},
    {"  topics:\n    t: {subscriptions: [{protocol: https, endpoint: 'https://x', "
     "filterPolicy: {a: [{prefix: 1}]}}]}\n",
     10, 80, "SNS refuses this filterPolicy: Invalid parameter: FilterPolicy: prefix match "
     "pattern must be a string"},
    {"  topics:\n    t: {subscriptions: [{protocol: https, endpoint: 'https://x', "
     "filterPolicy: {a: {b: [1]}}}]}\n",
     10, 80, "nests keys, which SNS allows only with filterPolicyScope: MessageBody"},
    {"  eventSources:\n    - {queue: nope, function: worker}\n", 10, 15,
     "event source queue 'nope' is not declared in x-gatehouse.queues (declared: none)"},
    {"  queues: {q: {}}\n  eventSources:\n    - {queue: q, function: ghost}\n", 11, 28,
     "event source function 'ghost' is not declared in x-gatehouse.functions"},
    {"  queues: {q: {}}\n  eventSources:\n    - {queue: q, function: worker, batchSize: 10001}\n",
     11, 47, "batchSize must be a whole number from 1 to 10000"},
    {"  queues: {q.fifo: {}}\n  eventSources:\n    - {queue: q.fifo, function: worker, "
     "batchSize: 11}\n",
     11, 52, "batchSize (FIFO queue) must be a whole number from 1 to 10"},
    {"  queues: {q: {}}\n  eventSources:\n    - {queue: q, function: worker, batchSize: 11}\n", 11,
     47, "batchSize 11 needs maximumBatchingWindowInSeconds of at least 1"},
    {"  queues: {q.fifo: {}}\n  eventSources:\n    - {queue: q.fifo, function: worker, "
     "maximumBatchingWindowInSeconds: 1}\n",
     11, 73, "maximumBatchingWindowInSeconds is not supported for FIFO queues"},
    {"  queues: {q: {}}\n  eventSources:\n    - {queue: q, function: worker, "
     "maximumBatchingWindowInSeconds: 301}\n",
     11, 68, "from 0 to 300"},
    {"  queues: {q: {}}\n  eventSources:\n    - {queue: q, function: worker, "
     "functionResponseTypes: [Everything]}\n",
     11, 59, "functionResponseTypes must be a list holding only ReportBatchItemFailures"},
};

static void test_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof errors / sizeof *errors; i++) {
        scratch s = {0};
        gh_diags d = GH_DIAGS_INIT;
        char *yaml = gh_strprintf("%s%s", HEAD, errors[i].yaml);
        gh_model *m = load(&s, yaml, &d);
        char at[64];
        snprintf(at, sizeof at, "api.yaml:%u:%u: ", errors[i].line, errors[i].col);
        bool found = false;
        for (size_t k = 0; k < d.n && !found; k++)
            found = strstr(d.items[k].text, errors[i].text) && strstr(d.items[k].text, at) &&
                    d.items[k].severity == GH_DIAG_ERROR;
        if (!found) {
            for (size_t k = 0; k < d.n; k++)
                fprintf(stderr, "  %s\n", d.items[k].text);
            fail_msg("case %zu: no error at %s'%s'", i, at, errors[i].text);
        }
        assert_null(m);
        free(yaml);
        gh_diags_free(&d);
        scratch_free(&s);
    }
}

static void test_unknown_setting_warns(void **state)
{
    (void)state;
    scratch s = {0};
    gh_diags d = GH_DIAGS_INIT;
    gh_model *m = load(&s, HEAD "  queues:\n    q: {visibility: 3}\n", &d);
    assert_non_null(m);
    assert_int_equal(d.n, 1);
    assert_int_equal(d.items[0].severity, GH_DIAG_WARNING);
    assert_non_null(strstr(d.items[0].text, "api.yaml:10:9: "));
    assert_non_null(strstr(d.items[0].text, "unknown queue setting 'visibility' is ignored; "
                                            "known: visibilityTimeout"));
    gh_model_unref(m);
    gh_diags_free(&d);
    scratch_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_declarations),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_unknown_setting_warns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
