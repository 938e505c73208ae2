/* sim/event_source + sim/sqs_event: the SQS event Lambda's poller builds (checked field
 * by field against AWS's sample events in the corpus), the partial batch response
 * rules, and the mappings pumped on a fake clock against a Lua worker: success deletes,
 * a failure comes back after the visibility timeout and reaches the dead-letter queue
 * after maxReceiveCount, batchItemFailures keeps only the reported messages, FIFO
 * groups keep their order. The worker records what it saw on the queue `seen`
 * (gatehouse.sqs.send) as "body#ApproximateReceiveCount". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime_build.h"
#include "scratch.h"
#include "server/runtime.h"
#include "server/sim_invoke.h"
#include "sim/event_source.h"
#include "sim/sim.h"
#include "sim/sqs_event.h"
#include "util/clock.h"

#define T0 1700000000000LL

static const char DEFINITION[] =
    "openapi: \"3.0.1\"\n"
    "info: {title: \"events\", version: \"1\"}\n"
    "paths: {}\n"
    "x-gatehouse:\n"
    "  functions:\n"
    "    worker: {handler: \"worker.lua\"}\n";

/* Records every message, then: "fail" raises; "invalid" answers an itemIdentifier
 * Lambda refuses; a body containing "bad" is reported as a batch item failure. */
static const char WORKER[] =
    "local gh = require('gatehouse')\n"
    "return function(event, context)\n"
    "  local failures = {}\n"
    "  for _, r in ipairs(event.Records) do\n"
    "    gh.sqs.send('seen', r.body .. '#' .. r.attributes.ApproximateReceiveCount)\n"
    "    if r.body == 'fail' then error('failing on purpose') end\n"
    "    if r.body == 'invalid' then return {batchItemFailures = {{itemIdentifier = ''}}} end\n"
    "    if r.body:find('bad') then failures[#failures + 1] = {itemIdentifier = r.messageId} end\n"
    "  end\n"
    "  return {batchItemFailures = failures}\n"
    "end\n";

typedef struct fixture {
    scratch files;
    gh_runtime *rt;
    gh_sim *sim;
    gh_sim_invoker *inv;
    gh_event_source_decl decls[4];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    gh_clock_fake(T0);
    const char *def = put(&f->files, "api.yaml", DEFINITION);
    put(&f->files, "worker.lua", WORKER);
    f->rt = build_runtime(def, 1);
    f->sim = gh_sim_new("us-east-1", "123456789012");
    f->inv = gh_sim_invoker_install(f->sim, NULL, f->rt, true);
    gh_sqs_create_queue(f->sim->sqs, "seen", NULL, 0, NULL);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    gh_sim_invoker_free(f->inv);
    gh_sim_free(f->sim);
    f->rt->model->apis[0].event_sources = NULL;
    f->rt->model->apis[0].nevent_sources = 0;
    gh_runtime_free(f->rt);
    scratch_free(&f->files);
    free(f);
    gh_clock_fake(-1);
    return 0;
}

/* Declares queue -> worker (as x-gatehouse.eventSources would) and applies it. */
static void map(fixture *f, const char *queue, int batch, bool report)
{
    gh_api *api = &f->rt->model->apis[0];
    gh_event_source_decl *d = &f->decls[api->nevent_sources];
    *d = (gh_event_source_decl){.queue = queue, .function = "worker", .batch_size = batch,
                                .report_batch_item_failures = report, .enabled = true};
    api->event_sources = f->decls;
    api->nevent_sources++;
    gh_diags diags = GH_DIAGS_INIT;
    assert_int_equal(gh_event_sources_apply(f->sim->sources, f->rt->model, &diags), 0);
    gh_diags_free(&diags);
}

static void queue(fixture *f, const char *name, const char *attr, const char *value)
{
    gh_kv kv = {attr, value, {0}};
    assert_int_equal(gh_sqs_create_queue(f->sim->sqs, name, &kv, attr ? 1 : 0, NULL), 0);
}

static void send(fixture *f, const char *q, const char *body, const char *group)
{
    gh_sqs_send m = {.body = body, .body_len = strlen(body), .delay_seconds = -1,
                     .group_id = group, .dedup_id = group ? body : NULL};
    gh_sqs_sent out;
    gh_sqs_error err;
    assert_int_equal(gh_sqs_send_message(f->sim->sqs, q, &m, &out, &err), 0);
}

static gh_sqs_counts counts(fixture *f, const char *q)
{
    gh_sqs_counts c;
    assert_int_equal(gh_sqs_counts_of(f->sim->sqs, q, &c), 0);
    return c;
}

/* What the worker saw so far, "a#1,b#1", in order. */
static void assert_seen(fixture *f, const char *expected)
{
    gh_sqs_message *m;
    size_t n;
    assert_int_equal(gh_sqs_peek(f->sim->sqs, "seen", 100, &m, &n), 0);
    char got[1024] = "";
    for (size_t i = 0; i < n; i++)
        snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", i ? "," : "", m[i].body);
    gh_sqs_messages_free(m, n);
    assert_string_equal(got, expected);
}

/* ---- the event's shape ---- */

static json_t *corpus(const char *name)
{
    char path[512];
    const char *root = getenv("GH_SOURCE_DIR");
    snprintf(path, sizeof path, "%s/tests/data/events/%s", root ? root : ".", name);
    json_t *v = json_load_file(path, 0, NULL);
    assert_non_null(v);
    return v;
}

/* A record of AWS's sample built from the same message: every field equal, keys in
 * AWS's order. */
static void test_event_matches_aws_sample(void **state)
{
    (void)state;
    json_t *sample = corpus("powertools-python__sqsEvent.json");
    json_t *want = json_array_get(json_object_get(sample, "Records"), 1);
    gh_sqs_message m = {
        .message_id = "2e1424d4-f796-459a-8184-9c92662be6da",
        .receipt_handle = "AQEBzWwaftRI0KuVm4tP+/7q1rGgNqicHq...",
        .body = "{\"message\": \"foo1\"}",
        .body_len = strlen("{\"message\": \"foo1\"}"),
        .md5_body = "e4e68fb7bd0e697a0ae8f1bb342846b3",
        .sent_ms = 1545082650636,
        .first_receive_ms = 1545082650649,
        .receive_count = 1,
        .sender_id = "AIDAIENQZJOLO23YVJ4VO",
    };
    json_t *ev = gh_sqs_event_build(&m, 1, "arn:aws:sqs:us-east-2:123456789012:my-queue",
                                    "us-east-2");
    json_t *got = json_array_get(json_object_get(ev, "Records"), 0);
    assert_true(json_equal(got, want));
    /* Key order of the record and of its attributes, as AWS sends them. */
    const char *kw, *kg;
    json_t *vw, *vg;
    void *iw = json_object_iter(want), *ig = json_object_iter(got);
    for (; iw && ig; iw = json_object_iter_next(want, iw), ig = json_object_iter_next(got, ig)) {
        kw = json_object_iter_key(iw);
        kg = json_object_iter_key(ig);
        assert_string_equal(kg, kw);
        vw = json_object_iter_value(iw);
        vg = json_object_iter_value(ig);
        assert_true(json_equal(vg, vw));
    }
    assert_null(iw);
    assert_null(ig);
    json_t *aw = json_object_get(want, "attributes"), *ag = json_object_get(got, "attributes");
    for (iw = json_object_iter(aw), ig = json_object_iter(ag); iw && ig;
         iw = json_object_iter_next(aw, iw), ig = json_object_iter_next(ag, ig))
        assert_string_equal(json_object_iter_key(ig), json_object_iter_key(iw));
    json_decref(ev);
    json_decref(sample);
}

/* A String attribute as the aws-lambda-go sample shows it (stringValue, the two empty
 * lists, dataType), a Binary one base64-encoded, and md5OfMessageAttributes present only
 * when there are attributes. */
static void test_event_message_attributes(void **state)
{
    (void)state;
    json_t *sample = corpus("aws-lambda-go__sqs-event.json");
    json_t *rec = json_array_get(json_object_get(sample, "Records"), 0);
    json_t *want1 = json_object_get(json_object_get(rec, "messageAttributes"), "Attribute1");
    gh_sqs_attr attrs[] = {
        {.name = "Attribute1", .data_type = "String", .string_value = "AttributeValue1"},
        {.name = "Attribute3", .data_type = "Binary", .binary_value = (const unsigned char *)"1100",
         .binary_len = 4},
    };
    gh_sqs_message m = {.message_id = "MessageID_1", .receipt_handle = "MessageReceiptHandle",
                        .body = "Message Body", .body_len = 12,
                        .md5_body = "fce0ea8dd236ccb3ed9b37dae260836f",
                        .md5_attrs = "582c92c5c5b6ac403040a4f3ab3115c9", .attrs = attrs,
                        .nattrs = 2, .receive_count = 2, .sender_id = "x"};
    json_t *ev = gh_sqs_event_build(&m, 1, json_string_value(json_object_get(rec, "eventSourceARN")),
                                    "us-west-2");
    json_t *got = json_array_get(json_object_get(ev, "Records"), 0);
    json_t *ma = json_object_get(got, "messageAttributes");
    assert_true(json_equal(json_object_get(ma, "Attribute1"), want1));
    assert_string_equal(json_string_value(json_object_get(json_object_get(ma, "Attribute3"),
                                                          "binaryValue")),
                        "MTEwMA==");
    assert_string_equal(json_string_value(json_object_get(got, "md5OfMessageAttributes")),
                        json_string_value(json_object_get(rec, "md5OfMessageAttributes")));
    assert_string_equal(json_string_value(json_object_get(got, "eventSourceARN")),
                        "arn:aws:sqs:us-west-2:123456789012:SQSQueue");
    json_decref(ev);
    m.nattrs = 0;
    ev = gh_sqs_event_build(&m, 1, "arn", "us-west-2");
    got = json_array_get(json_object_get(ev, "Records"), 0);
    assert_null(json_object_get(got, "md5OfMessageAttributes"));
    assert_int_equal(json_object_size(json_object_get(got, "messageAttributes")), 0);
    json_decref(ev);
    json_decref(sample);
}

/* A FIFO record's attributes in the order of AWS's FIFO sample. */
static void test_event_fifo_attributes(void **state)
{
    (void)state;
    gh_sqs_message m = {.message_id = "id", .receipt_handle = "rh", .body = "b", .body_len = 1,
                        .receive_count = 1, .sent_ms = 1, .first_receive_ms = 2,
                        .sender_id = "AIDA", .group_id = "g1", .dedup_id = "d1",
                        .sequence_number = "18849496460467696128"};
    json_t *ev = gh_sqs_event_build(&m, 1, "arn:aws:sqs:us-east-1:1:q.fifo", "us-east-1");
    json_t *a = json_object_get(json_array_get(json_object_get(ev, "Records"), 0), "attributes");
    char *text = json_dumps(a, JSON_COMPACT);
    assert_string_equal(text, "{\"ApproximateReceiveCount\":\"1\",\"SentTimestamp\":\"1\","
                              "\"SequenceNumber\":\"18849496460467696128\",\"MessageGroupId\":"
                              "\"g1\",\"SenderId\":\"AIDA\",\"MessageDeduplicationId\":\"d1\","
                              "\"ApproximateFirstReceiveTimestamp\":\"2\"}");
    free(text);
    json_decref(ev);
}

/* ReportBatchItemFailures answers: what stays (1) for the batch a, b, c. */
static void test_batch_failures_table(void **state)
{
    (void)state;
    static const struct {
        const char *answer;
        int rc;
        const char *failed; /* per message */
    } cases[] = {
        {"null", 0, "000"},
        {"{}", 0, "000"},
        {"{\"batchItemFailures\":null}", 0, "000"},
        {"{\"batchItemFailures\":[]}", 0, "000"},
        {"{\"batchItemFailures\":{}}", 0, "000"}, /* a Lua empty table */
        {"{\"batchItemFailures\":[{\"itemIdentifier\":\"b\"}]}", 0, "010"},
        {"{\"batchItemFailures\":[{\"itemIdentifier\":\"a\"},{\"itemIdentifier\":\"c\"}]}", 0, "101"},
        {"{\"batchItemFailures\":[{\"itemIdentifier\":\"\"}]}", -1, "111"},
        {"{\"batchItemFailures\":[{\"itemIdentifier\":null}]}", -1, "111"},
        {"{\"batchItemFailures\":[{\"messageId\":\"b\"}]}", -1, "111"},
        {"{\"batchItemFailures\":[{\"itemIdentifier\":\"zz\"}]}", -1, "111"},
        {"{\"batchItemFailures\":[\"b\"]}", -1, "111"},
        {"{\"batchItemFailures\":\"b\"}", -1, "111"},
        {"\"ok\"", -1, "111"},
        {"not json", -1, "111"},
    };
    gh_sqs_message m[3] = {{.message_id = "a"}, {.message_id = "b"}, {.message_id = "c"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        bool failed[3];
        int rc = gh_sqs_event_failures(cases[i].answer, m, 3, failed);
        char got[4] = {(char)('0' + failed[0]), (char)('0' + failed[1]), (char)('0' + failed[2]), 0};
        if (rc != cases[i].rc || strcmp(got, cases[i].failed))
            fail_msg("%s: rc %d failed %s, want %d %s", cases[i].answer, rc, got, cases[i].rc,
                     cases[i].failed);
    }
}

/* ---- mappings, pumped ---- */

static void test_success_deletes(void **state)
{
    fixture *f = *state;
    queue(f, "orders", NULL, NULL);
    map(f, "orders", 10, false);
    send(f, "orders", "a", NULL);
    send(f, "orders", "b", NULL);
    assert_int_equal(gh_event_sources_pump(f->sim->sources), 1);
    gh_sqs_counts c = counts(f, "orders");
    assert_int_equal(c.visible + c.in_flight, 0);
    assert_seen(f, "a#1,b#1");
    assert_int_equal(gh_event_sources_pump(f->sim->sources), 0);
}

static void test_batch_size_splits(void **state)
{
    fixture *f = *state;
    queue(f, "many", NULL, NULL);
    map(f, "many", 4, false);
    char body[8];
    for (int i = 0; i < 10; i++) {
        snprintf(body, sizeof body, "m%d", i);
        send(f, "many", body, NULL);
    }
    /* 10 messages in batches of at most 4: three invocations. */
    assert_int_equal(gh_event_sources_pump(f->sim->sources), 3);
    assert_int_equal(counts(f, "many").visible + counts(f, "many").in_flight, 0);
}

static void test_failure_returns_after_visibility(void **state)
{
    fixture *f = *state;
    queue(f, "jobs", "VisibilityTimeout", "30");
    map(f, "jobs", 10, false);
    send(f, "jobs", "fail", NULL);
    assert_int_equal(gh_event_sources_pump(f->sim->sources), 1);
    assert_int_equal(counts(f, "jobs").in_flight, 1);
    gh_clock_advance(29999);
    assert_int_equal(gh_event_sources_pump(f->sim->sources), 0);
    gh_clock_advance(1);
    assert_int_equal(gh_event_sources_pump(f->sim->sources), 1);
    assert_seen(f, "fail#1,fail#2");
}

static void test_dead_letter_after_max_receives(void **state)
{
    fixture *f = *state;
    queue(f, "dlq", NULL, NULL);
    queue(f, "work", "RedrivePolicy",
          "{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:123456789012:dlq\",\"maxReceiveCount\":2}");
    map(f, "work", 10, false);
    send(f, "work", "fail", NULL);
    size_t calls = 0;
    for (int round = 0; round < 4; round++) {
        calls += gh_event_sources_pump(f->sim->sources);
        gh_clock_advance(30000);
    }
    /* Received twice (two failed invocations), then moved instead of a third receive. */
    assert_int_equal(calls, 2);
    assert_seen(f, "fail#1,fail#2");
    assert_int_equal(counts(f, "work").visible + counts(f, "work").in_flight, 0);
    assert_int_equal(counts(f, "dlq").visible, 1);
}

static void test_partial_batch_failure(void **state)
{
    fixture *f = *state;
    queue(f, "partial", NULL, NULL);
    map(f, "partial", 10, true);
    send(f, "partial", "ok1", NULL);
    send(f, "partial", "bad2", NULL);
    send(f, "partial", "ok3", NULL);
    assert_int_equal(gh_event_sources_pump(f->sim->sources), 1);
    gh_sqs_counts c = counts(f, "partial");
    assert_int_equal(c.visible, 0);
    assert_int_equal(c.in_flight, 1);
    gh_clock_advance(30000);
    assert_int_equal(gh_event_sources_pump(f->sim->sources), 1);
    assert_seen(f, "ok1#1,bad2#1,ok3#1,bad2#2");
}

static void test_invalid_answer_fails_whole_batch(void **state)
{
    fixture *f = *state;
    queue(f, "inv", NULL, NULL);
    map(f, "inv", 10, true);
    send(f, "inv", "ok1", NULL);
    send(f, "inv", "invalid", NULL);
    assert_int_equal(gh_event_sources_pump(f->sim->sources), 1);
    assert_int_equal(counts(f, "inv").in_flight, 2);
}

/* Without ReportBatchItemFailures a reported failure means nothing: all deleted. */
static void test_answer_ignored_without_report(void **state)
{
    fixture *f = *state;
    queue(f, "plain", NULL, NULL);
    map(f, "plain", 10, false);
    send(f, "plain", "bad", NULL);
    assert_int_equal(gh_event_sources_pump(f->sim->sources), 1);
    assert_int_equal(counts(f, "plain").in_flight + counts(f, "plain").visible, 0);
}

/* FIFO: a fails at a2; a3 is held with it (group order), b1 goes on; after the
 * visibility timeout a2 and a3 come back, in order. */
static void test_fifo_group_order(void **state)
{
    fixture *f = *state;
    queue(f, "q.fifo", "FifoQueue", "true"); /* visibility: the default 30 s */
    map(f, "q.fifo", 10, true);
    send(f, "q.fifo", "a1", "A");
    send(f, "q.fifo", "a2-bad", "A");
    send(f, "q.fifo", "a3", "A");
    send(f, "q.fifo", "b1", "B");
    assert_int_equal(gh_event_sources_pump(f->sim->sources), 1);
    assert_int_equal(counts(f, "q.fifo").in_flight, 2);
    gh_clock_advance(30000);
    assert_int_equal(gh_event_sources_pump(f->sim->sources), 1);
    assert_seen(f, "a1#1,a2-bad#1,a3#1,b1#1,a2-bad#2,a3#2");
}

static void test_unknown_queue_and_function(void **state)
{
    fixture *f = *state;
    gh_api *api = &f->rt->model->apis[0];
    f->decls[0] = (gh_event_source_decl){.queue = "nope", .function = "ghost", .batch_size = 10,
                                         .enabled = true, .mark = {"api.yaml", 9, 5}};
    api->event_sources = f->decls;
    api->nevent_sources = 1;
    gh_diags d = GH_DIAGS_INIT;
    assert_int_equal(gh_event_sources_apply(f->sim->sources, f->rt->model, &d), 2);
    assert_int_equal(d.errors, 2);
    assert_non_null(strstr(d.items[0].text, "api.yaml:9:5: event source: queue 'nope' does not exist"));
    assert_non_null(strstr(d.items[1].text, "function 'ghost' does not exist"));
    gh_diags_free(&d);
}

/* A queue named by ARN and a function by ARN map to the same names; a disabled mapping
 * is not pumped; the poller starts and stops (stop joins at once). */
static void test_arns_disabled_and_poller(void **state)
{
    fixture *f = *state;
    queue(f, "arnq", NULL, NULL);
    gh_api *api = &f->rt->model->apis[0];
    f->decls[0] = (gh_event_source_decl){
        .queue = "arn:aws:sqs:us-east-1:999999999999:arnq",
        .function = "arn:aws:lambda:us-east-1:123456789012:function:worker:live",
        .batch_size = 10, .enabled = false};
    api->event_sources = f->decls;
    api->nevent_sources = 1;
    gh_diags d = GH_DIAGS_INIT;
    assert_int_equal(gh_event_sources_apply(f->sim->sources, f->rt->model, &d), 0);
    send(f, "arnq", "x", NULL);
    assert_int_equal(gh_event_sources_pump(f->sim->sources), 0);
    f->decls[0].enabled = true;
    assert_int_equal(gh_event_sources_apply(f->sim->sources, f->rt->model, &d), 0);
    gh_diags_free(&d);
    gh_event_sources_start(f->sim->sources);
    gh_event_sources_start(f->sim->sources);
    gh_event_sources_stop(f->sim->sources);
    /* Whatever the poller did before it stopped, the pump finishes: x was handled once. */
    gh_event_sources_pump(f->sim->sources);
    assert_seen(f, "x#1");
    /* A reload whose definition drops the mapping stops it. */
    api->nevent_sources = 0;
    gh_diags d2 = GH_DIAGS_INIT;
    assert_int_equal(gh_event_sources_apply(f->sim->sources, f->rt->model, &d2), 0);
    gh_diags_free(&d2);
    send(f, "arnq", "y", NULL);
    assert_int_equal(gh_event_sources_pump(f->sim->sources), 0);
    assert_int_equal(counts(f, "arnq").visible, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_matches_aws_sample),
        cmocka_unit_test(test_event_message_attributes),
        cmocka_unit_test(test_event_fifo_attributes),
        cmocka_unit_test(test_batch_failures_table),
        cmocka_unit_test_setup_teardown(test_success_deletes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch_size_splits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failure_returns_after_visibility, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dead_letter_after_max_receives, setup, teardown),
        cmocka_unit_test_setup_teardown(test_partial_batch_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_answer_fails_whole_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_answer_ignored_without_report, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fifo_group_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_queue_and_function, setup, teardown),
        cmocka_unit_test_setup_teardown(test_arns_disabled_and_poller, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
