/* sim/sqs: the simulated SQS engine on the fake clock (visibility, handles, receive
 * counts, redrive, delay, retention, FIFO order and deduplication, long polling, MD5s,
 * and the error texts of the SQS API Reference). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sqs.h"
#include "util/clock.h"

#define T0 1700000000000LL

static gh_sqs *fresh(void)
{
    gh_clock_fake(T0);
    gh_sqs *q = gh_sqs_new("eu-west-1", "111122223333");
    assert_non_null(q);
    return q;
}

static void create(gh_sqs *q, const char *name, const char *k1, const char *v1, const char *k2,
                   const char *v2)
{
    gh_kv kv[2] = {{.key = k1, .value = v1}, {.key = k2, .value = v2}};
    gh_sqs_error e;
    size_t n = k2 ? 2 : k1 ? 1 : 0;
    int rc = gh_sqs_create_queue(q, name, kv, n, &e);
    if (rc != 0)
        fail_msg("create %s: %s %s", name, e.code, e.message);
}

static void send_body(gh_sqs *q, const char *queue, const char *body, const char *group,
                      const char *dedup, gh_sqs_sent *out)
{
    gh_sqs_send m = {.body = body,
                     .body_len = strlen(body),
                     .delay_seconds = -1,
                     .group_id = group,
                     .dedup_id = dedup};
    gh_sqs_error e;
    gh_sqs_sent tmp;
    if (gh_sqs_send_message(q, queue, &m, out ? out : &tmp, &e) != 0)
        fail_msg("send %s: %s %s", queue, e.code, e.message);
}

/* Receives without waiting; returns the count. */
static size_t recv_n(gh_sqs *q, const char *queue, int max, int vis, gh_sqs_message **out)
{
    gh_sqs_receive r = {.max_messages = max, .visibility_timeout = vis, .wait_seconds = 0};
    gh_sqs_error e;
    size_t n = 0;
    gh_sqs_message *m = NULL;
    if (gh_sqs_receive_messages(q, queue, &r, &m, &n, &e) != 0)
        fail_msg("receive %s: %s %s", queue, e.code, e.message);
    if (out)
        *out = m;
    else
        gh_sqs_messages_free(m, n);
    return n;
}

static void md5_of_attributes_matches_aws(void **state)
{
    (void)state;
    /* Values AWS returned (the SQS Developer Guide's example and recorded responses). */
    gh_sqs_attr one[] = {
        {.name = "SellerName", .data_type = "String", .string_value = "Example Store"}};
    gh_sqs_attr ts[] = {
        {.name = "timestamp", .data_type = "Number", .string_value = "1493147359900"}};
    gh_sqs_attr two[] = {{.name = "ordinal", .data_type = "Number", .string_value = "1"},
                         {.name = "category", .data_type = "String", .string_value = "test"}};
    char out[33];
    gh_sqs_md5_of_attributes(one, 1, out);
    assert_string_equal(out, "cd28f3b68aeee4b2eac9c66f2f694b58");
    gh_sqs_md5_of_attributes(ts, 1, out);
    assert_string_equal(out, "235c5c510d26fb653d073faed50ae77c");
    gh_sqs_md5_of_attributes(two, 2, out);
    assert_string_equal(out, "d21ae90c49061e927f57df5f5d72be1f");
    gh_sqs_md5_of_attributes(NULL, 0, out);
    assert_string_equal(out, "");
}

static void send_receive_delete(void **state)
{
    (void)state;
    gh_sqs *q = fresh();
    create(q, "orders", NULL, NULL, NULL, NULL);
    gh_sqs_sent s;
    send_body(q, "orders", "hello", NULL, NULL, &s);
    assert_string_equal(s.md5_body, "5d41402abc4b2a76b9719d911017c592");
    assert_string_equal(s.md5_attrs, "");
    assert_string_equal(s.sequence_number, "");
    assert_int_equal(strlen(s.message_id), 36);
    gh_sqs_message *m;
    assert_int_equal(recv_n(q, "orders", 10, -1, &m), 1);
    assert_string_equal(m[0].message_id, s.message_id);
    assert_string_equal(m[0].body, "hello");
    assert_int_equal(m[0].receive_count, 1);
    assert_int_equal(m[0].sent_ms, T0);
    assert_int_equal(m[0].first_receive_ms, T0);
    assert_string_equal(m[0].sender_id, "111122223333");
    gh_sqs_counts c;
    assert_int_equal(gh_sqs_counts_of(q, "orders", &c), 0);
    assert_int_equal(c.visible, 0);
    assert_int_equal(c.in_flight, 1);
    gh_sqs_error e;
    assert_int_equal(gh_sqs_delete_message(q, "orders", m[0].receipt_handle, &e), 0);
    /* Deleting again succeeds: the message is gone. */
    assert_int_equal(gh_sqs_delete_message(q, "orders", m[0].receipt_handle, &e), 0);
    gh_sqs_messages_free(m, 1);
    assert_int_equal(gh_sqs_counts_of(q, "orders", &c), 0);
    assert_int_equal(c.visible + c.in_flight + c.delayed, 0);
    gh_sqs_free(q);
}

static void create_errors_have_aws_texts(void **state)
{
    (void)state;
    gh_sqs *q = fresh();
    create(q, "dlq", NULL, NULL, NULL, NULL);
    create(q, "dlq.fifo", "FifoQueue", "true", NULL, NULL);
    static const struct {
        const char *name, *k, *v, *code, *message;
    } cases[] = {
        {"bad name!", NULL, NULL, "InvalidParameterValue",
         "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"},
        {"x.fifo", NULL, NULL, "InvalidParameterValue",
         "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"},
        {"plain", "FifoQueue", "true", "InvalidParameterValue",
         "The name of a FIFO queue can only include alphanumeric characters, hyphens, or "
         "underscores, must end with .fifo suffix and be 1 to 80 in length."},
        {"q", "VisibilityTimeout", "43201", "InvalidAttributeValue",
         "Invalid value for the parameter VisibilityTimeout."},
        {"q", "VisibilityTimeout", "-1", "InvalidAttributeValue",
         "Invalid value for the parameter VisibilityTimeout."},
        {"q", "MessageRetentionPeriod", "59", "InvalidAttributeValue",
         "Invalid value for the parameter MessageRetentionPeriod."},
        {"q", "MessageRetentionPeriod", "1209601", "InvalidAttributeValue",
         "Invalid value for the parameter MessageRetentionPeriod."},
        {"q", "DelaySeconds", "901", "InvalidAttributeValue",
         "Invalid value for the parameter DelaySeconds."},
        {"q", "ReceiveMessageWaitTimeSeconds", "21", "InvalidAttributeValue",
         "Invalid value for the parameter ReceiveMessageWaitTimeSeconds."},
        {"q", "MaximumMessageSize", "1023", "InvalidAttributeValue",
         "Invalid value for the parameter MaximumMessageSize."},
        {"q", "MaximumMessageSize", "1048577", "InvalidAttributeValue",
         "Invalid value for the parameter MaximumMessageSize."},
        {"q", "Colour", "red", "InvalidAttributeName", "Unknown Attribute Colour."},
        {"q", "ContentBasedDeduplication", "true", "InvalidAttributeName",
         "Unknown Attribute ContentBasedDeduplication."},
        {"q", "RedrivePolicy", "nope", "InvalidParameterValue",
         "Value nope for parameter RedrivePolicy is invalid. Reason: Redrive policy is not a "
         "valid JSON map."},
        {"q", "RedrivePolicy", "{\"maxReceiveCount\":3}", "InvalidParameterValue",
         "Value {\"maxReceiveCount\":3} for parameter RedrivePolicy is invalid. Reason: Redrive "
         "policy does not contain mandatory attribute: deadLetterTargetArn."},
        {"q", "RedrivePolicy",
         "{\"deadLetterTargetArn\":\"arn:aws:sqs:eu-west-1:1:dlq\",\"maxReceiveCount\":0}",
         "InvalidParameterValue",
         "Value {\"deadLetterTargetArn\":\"arn:aws:sqs:eu-west-1:1:dlq\",\"maxReceiveCount\":0} "
         "for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: 0, "
         "valid values are from 1 to 1000 both inclusive."},
        {"q", "RedrivePolicy",
         "{\"deadLetterTargetArn\":\"arn:aws:sqs:eu-west-1:1:none\",\"maxReceiveCount\":3}",
         "InvalidParameterValue",
         "Value {\"deadLetterTargetArn\":\"arn:aws:sqs:eu-west-1:1:none\",\"maxReceiveCount\":3} "
         "for parameter RedrivePolicy is invalid. Reason: Dead-letter target does not exist."},
        {"q", "RedrivePolicy",
         "{\"deadLetterTargetArn\":\"arn:aws:sqs:eu-west-1:1:dlq.fifo\",\"maxReceiveCount\":3}",
         "InvalidParameterValue",
         "Value "
         "{\"deadLetterTargetArn\":\"arn:aws:sqs:eu-west-1:1:dlq.fifo\",\"maxReceiveCount\":3} "
         "for parameter RedrivePolicy is invalid. Reason: Dead-letter queue must be same type of "
         "queue as the source."},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gh_kv kv = {.key = cases[i].k, .value = cases[i].v};
        gh_sqs_error e = {0};
        int rc = gh_sqs_create_queue(q, cases[i].name, &kv, cases[i].k ? 1 : 0, &e);
        if (rc == 0 || strcmp(e.code, cases[i].code) != 0 ||
            strcmp(e.message, cases[i].message) != 0)
            fail_msg("case %zu: rc %d, %s: %s", i, rc, rc ? e.code : "", rc ? e.message : "");
        assert_int_equal(e.status, 400);
        assert_true(e.sender);
    }
    assert_false(gh_sqs_exists(q, "q"));
    /* Same attributes: idempotent; a different value: QueueAlreadyExists. */
    create(q, "q", "VisibilityTimeout", "40", NULL, NULL);
    create(q, "q", "VisibilityTimeout", "40", NULL, NULL);
    gh_kv kv = {.key = "VisibilityTimeout", .value = "41"};
    gh_sqs_error e;
    assert_int_equal(gh_sqs_create_queue(q, "q", &kv, 1, &e), -1);
    assert_string_equal(e.code, "QueueAlreadyExists");
    assert_string_equal(e.message, "A queue already exists with the same name and a different "
                                   "value for attribute VisibilityTimeout");
    gh_sqs_free(q);
}

static void attributes_and_counts(void **state)
{
    (void)state;
    gh_sqs *q = fresh();
    create(q, "dlq", NULL, NULL, NULL, NULL);
    create(q, "work", "DelaySeconds", "5", "RedrivePolicy",
           "{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:999:dlq\",\"maxReceiveCount\":\"4\"}");
    send_body(q, "work", "a", NULL, NULL, NULL);
    json_t *all = gh_sqs_get_attributes(q, "work", NULL, 0, NULL);
    assert_non_null(all);
    char *text = json_dumps(all, JSON_COMPACT | JSON_PRESERVE_ORDER);
    assert_string_equal(
        text,
        "{\"QueueArn\":\"arn:aws:sqs:eu-west-1:111122223333:work\","
        "\"ApproximateNumberOfMessages\":\"0\",\"ApproximateNumberOfMessagesNotVisible\":\"0\","
        "\"ApproximateNumberOfMessagesDelayed\":\"1\",\"CreatedTimestamp\":\"1700000000\","
        "\"LastModifiedTimestamp\":\"1700000000\",\"VisibilityTimeout\":\"30\","
        "\"MaximumMessageSize\":\"1048576\",\"MessageRetentionPeriod\":\"345600\","
        "\"DelaySeconds\":\"5\",\"RedrivePolicy\":\"{\\\"deadLetterTargetArn\\\":\\\"arn:aws:sqs:"
        "us-east-1:999:dlq\\\",\\\"maxReceiveCount\\\":4}\",\"ReceiveMessageWaitTimeSeconds\":"
        "\"0\","
        "\"SqsManagedSseEnabled\":\"true\"}");
    free(text);
    json_decref(all);
    const char *which[] = {"VisibilityTimeout", "ApproximateNumberOfMessages"};
    gh_clock_advance(5000);
    json_t *two = gh_sqs_get_attributes(q, "work", which, 2, NULL);
    assert_string_equal(json_string_value(json_object_get(two, "ApproximateNumberOfMessages")),
                        "1");
    assert_int_equal(json_object_size(two), 2);
    json_decref(two);
    const char *bad[] = {"Nope"};
    gh_sqs_error e;
    assert_null(gh_sqs_get_attributes(q, "work", bad, 1, &e));
    assert_string_equal(e.code, "InvalidAttributeName");
    assert_string_equal(e.message, "Unknown Attribute Nope.");
    gh_kv set = {.key = "VisibilityTimeout", .value = "99"};
    assert_int_equal(gh_sqs_set_attributes(q, "work", &set, 1, &e), 0);
    gh_kv fifo = {.key = "FifoQueue", .value = "true"};
    assert_int_equal(gh_sqs_set_attributes(q, "work", &fifo, 1, &e), -1);
    assert_string_equal(e.code, "InvalidAttributeName");
    const char *vt[] = {"VisibilityTimeout"};
    json_t *one = gh_sqs_get_attributes(q, "work", vt, 1, NULL);
    assert_string_equal(json_string_value(json_object_get(one, "VisibilityTimeout")), "99");
    json_decref(one);
    assert_null(gh_sqs_get_attributes(q, "absent", NULL, 0, &e));
    assert_string_equal(e.code, "AWS.SimpleQueueService.NonExistentQueue");
    assert_string_equal(e.message, "The specified queue does not exist for this wsdl version.");
    gh_sqs_free(q);
}

static void visibility_and_receipt_handles(void **state)
{
    (void)state;
    gh_sqs *q = fresh();
    create(q, "v", NULL, NULL, NULL, NULL);
    send_body(q, "v", "m", NULL, NULL, NULL);
    gh_sqs_message *a, *b;
    assert_int_equal(recv_n(q, "v", 1, 10, &a), 1);
    assert_int_equal(recv_n(q, "v", 1, 10, NULL), 0); /* invisible */
    gh_clock_advance(9999);
    assert_int_equal(recv_n(q, "v", 1, 10, NULL), 0);
    gh_clock_advance(1);
    assert_int_equal(recv_n(q, "v", 1, 10, &b), 1); /* visible again after exactly 10 s */
    assert_int_equal(b[0].receive_count, 2);
    assert_int_equal(b[0].first_receive_ms, T0);
    assert_string_not_equal(a[0].receipt_handle, b[0].receipt_handle);
    gh_sqs_error e;
    /* An older handle of a message still in flight changes visibility. */
    assert_int_equal(gh_sqs_change_visibility(q, "v", a[0].receipt_handle, 60, &e), 0);
    gh_clock_advance(59000);
    assert_int_equal(recv_n(q, "v", 1, 10, NULL), 0);
    gh_clock_advance(1000);
    /* Visible again: the handles have expired for ChangeMessageVisibility. */
    char expect[300];
    snprintf(expect, sizeof expect,
             "Value %s for parameter ReceiptHandle is invalid. Reason: The receipt handle has "
             "expired.",
             b[0].receipt_handle);
    assert_int_equal(gh_sqs_change_visibility(q, "v", b[0].receipt_handle, 5, &e), -1);
    assert_string_equal(e.code, "InvalidParameterValue");
    assert_string_equal(e.message, expect);
    /* Malformed handle. */
    assert_int_equal(gh_sqs_delete_message(q, "v", "garbage", &e), -1);
    assert_string_equal(e.code, "ReceiptHandleIsInvalid");
    assert_string_equal(e.message,
                        "The input receipt handle \"garbage\" is not a valid receipt handle.");
    /* Visibility 0 makes it visible at once; the 12-hour cap counts from the receive. */
    gh_sqs_message *c;
    assert_int_equal(recv_n(q, "v", 1, 100, &c), 1);
    assert_int_equal(c[0].receive_count, 3);
    gh_clock_advance(100 * 1000);
    gh_sqs_message *d;
    assert_int_equal(recv_n(q, "v", 1, 43200, &d), 1);
    gh_clock_advance(1000);
    assert_int_equal(gh_sqs_change_visibility(q, "v", d[0].receipt_handle, 43200, &e), -1);
    assert_string_equal(e.message, "Value 43200 for parameter VisibilityTimeout is invalid. "
                                   "Reason: Total VisibilityTimeout for the message is beyond "
                                   "the limit [43200 seconds]");
    assert_int_equal(gh_sqs_change_visibility(q, "v", d[0].receipt_handle, 0, &e), 0);
    gh_sqs_counts n;
    gh_sqs_counts_of(q, "v", &n);
    assert_int_equal(n.visible, 1);
    /* An older handle of a message in flight deletes it (as AWS does). */
    gh_sqs_message *f;
    assert_int_equal(recv_n(q, "v", 1, 30, &f), 1);
    assert_int_equal(gh_sqs_delete_message(q, "v", a[0].receipt_handle, &e), 0);
    gh_sqs_counts_of(q, "v", &n);
    assert_int_equal(n.visible + n.in_flight, 0);
    assert_int_equal(gh_sqs_change_visibility(q, "v", f[0].receipt_handle, 5, &e), -1);
    snprintf(expect, sizeof expect,
             "Value %s for parameter ReceiptHandle is invalid. Reason: Message does not exist or "
             "is not available for visibility timeout change.",
             f[0].receipt_handle);
    assert_string_equal(e.message, expect);
    gh_sqs_messages_free(a, 1);
    gh_sqs_messages_free(b, 1);
    gh_sqs_messages_free(c, 1);
    gh_sqs_messages_free(d, 1);
    gh_sqs_messages_free(f, 1);
    gh_sqs_free(q);
}

static void redrive_moves_after_max_receive_count(void **state)
{
    (void)state;
    gh_sqs *q = fresh();
    create(q, "dead", NULL, NULL, NULL, NULL);
    create(q, "src", "RedrivePolicy",
           "{\"deadLetterTargetArn\":\"arn:aws:sqs:eu-west-1:111122223333:dead\","
           "\"maxReceiveCount\":2}",
           NULL, NULL);
    gh_sqs_sent s;
    send_body(q, "src", "poison", NULL, NULL, &s);
    send_body(q, "src", "fine", NULL, NULL, NULL);
    for (int i = 1; i <= 2; i++) {
        gh_sqs_message *m;
        assert_int_equal(recv_n(q, "src", 1, 1, &m), 1);
        assert_string_equal(m[0].body, "poison");
        assert_int_equal(m[0].receive_count, i);
        gh_sqs_messages_free(m, 1);
        gh_clock_advance(1000);
    }
    /* Third receive: the poison message goes to the DLQ, the next one is served. */
    gh_sqs_message *m;
    assert_int_equal(recv_n(q, "src", 10, 30, &m), 1);
    assert_string_equal(m[0].body, "fine");
    gh_sqs_messages_free(m, 1);
    assert_int_equal(recv_n(q, "dead", 10, 30, &m), 1);
    assert_string_equal(m[0].message_id, s.message_id);
    assert_string_equal(m[0].body, "poison");
    assert_string_equal(m[0].dead_letter_source_arn, "arn:aws:sqs:eu-west-1:111122223333:src");
    gh_sqs_messages_free(m, 1);
    gh_sqs_free(q);
}

static void delay_and_retention(void **state)
{
    (void)state;
    gh_sqs *q = fresh();
    create(q, "d", "MessageRetentionPeriod", "60", NULL, NULL);
    gh_sqs_send m = {.body = "later", .body_len = 5, .delay_seconds = 10};
    gh_sqs_sent s;
    gh_sqs_error e;
    assert_int_equal(gh_sqs_send_message(q, "d", &m, &s, &e), 0);
    gh_sqs_counts c;
    gh_sqs_counts_of(q, "d", &c);
    assert_int_equal(c.delayed, 1);
    assert_int_equal(recv_n(q, "d", 1, 30, NULL), 0);
    gh_clock_advance(10000);
    gh_sqs_counts_of(q, "d", &c);
    assert_int_equal(c.delayed, 0);
    assert_int_equal(c.visible, 1);
    assert_int_equal(recv_n(q, "d", 1, 5, NULL), 1);
    /* Retention counts from the send, in flight or not: gone after 60 s. */
    gh_clock_advance(49999);
    gh_sqs_counts_of(q, "d", &c);
    assert_int_equal(c.visible, 1);
    gh_clock_advance(1);
    gh_sqs_counts_of(q, "d", &c);
    assert_int_equal(c.visible + c.in_flight + c.delayed, 0);
    assert_int_equal(recv_n(q, "d", 1, 5, NULL), 0);
    gh_sqs_free(q);
}

static void send_errors_have_aws_texts(void **state)
{
    (void)state;
    gh_sqs *q = fresh();
    create(q, "s", "MaximumMessageSize", "1024", NULL, NULL);
    create(q, "f.fifo", "FifoQueue", "true", NULL, NULL);
    static char big[1026];
    memset(big, 'x', 1025);
    gh_sqs_attr noval[] = {{.name = "a", .data_type = "String", .string_value = ""}};
    gh_sqs_attr badtype[] = {{.name = "a", .data_type = "Text", .string_value = "x"}};
    gh_sqs_attr badnum[] = {{.name = "n", .data_type = "Number", .string_value = "1x"}};
    const struct {
        const char *queue, *body, *group, *dedup;
        int delay;
        const gh_sqs_attr *attrs;
        const char *code, *message;
    } cases[] = {
        {"s", "", NULL, NULL, -1, NULL, "MissingParameter",
         "The request must contain the parameter MessageBody."},
        {"s", big, NULL, NULL, -1, NULL, "InvalidParameterValue",
         "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes."},
        {"s", "a\x01z", NULL, NULL, -1, NULL, "InvalidMessageContents",
         "Invalid binary character '#x1' was found in the message body, the set of allowed "
         "characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to "
         "#x10FFFF"},
        {"s", "x", NULL, NULL, 901, NULL, "InvalidParameterValue",
         "Value 901 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 "
         "and <= 900."},
        {"s", "x", NULL, "d1", -1, NULL, "InvalidParameterValue",
         "Value d1 for parameter MessageDeduplicationId is invalid. Reason: The request include "
         "parameter that is not valid for this queue type."},
        {"s", "x", NULL, NULL, -1, noval, "InvalidParameterValue",
         "Message (user) attribute 'a' must contain a non-empty value of type 'String'."},
        {"s", "x", NULL, NULL, -1, badtype, "InvalidParameterValue",
         "The type of message (user) attribute 'a' is invalid. You must use only the following "
         "supported type prefixes: Binary, Number, String."},
        {"s", "x", NULL, NULL, -1, badnum, "InvalidParameterValue",
         "Can't cast the value of message (user) attribute 'n' to a number."},
        {"f.fifo", "x", NULL, "d", -1, NULL, "MissingParameter",
         "The request must contain the parameter MessageGroupId."},
        {"f.fifo", "x", "g", NULL, -1, NULL, "InvalidParameterValue",
         "The queue should either have ContentBasedDeduplication enabled or "
         "MessageDeduplicationId provided explicitly"},
        {"f.fifo", "x", "g", "d", 5, NULL, "InvalidParameterValue",
         "Value 5 for parameter DelaySeconds is invalid. Reason: The request include parameter "
         "that is not valid for this queue type."},
        {"nope", "x", NULL, NULL, -1, NULL, "AWS.SimpleQueueService.NonExistentQueue",
         "The specified queue does not exist for this wsdl version."},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gh_sqs_send m = {.body = cases[i].body,
                         .body_len = strlen(cases[i].body),
                         .delay_seconds = cases[i].delay,
                         .group_id = cases[i].group,
                         .dedup_id = cases[i].dedup,
                         .attrs = cases[i].attrs,
                         .nattrs = cases[i].attrs ? 1 : 0};
        gh_sqs_sent s;
        gh_sqs_error e = {0};
        int rc = gh_sqs_send_message(q, cases[i].queue, &m, &s, &e);
        if (rc == 0 || strcmp(e.code, cases[i].code) != 0 ||
            strcmp(e.message, cases[i].message) != 0)
            fail_msg("case %zu: rc %d, %s: %s", i, rc, rc ? e.code : "", rc ? e.message : "");
    }
    /* Exactly the limit is fine (AWS counts body plus attributes). */
    big[1024] = '\0';
    send_body(q, "s", big, NULL, NULL, NULL);
    static const struct {
        int max, wait, vis;
        const char *message;
    } rcases[] = {
        {11, 0, -1,
         "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, "
         "if provided."},
        {-1, 0, -1,
         "Value -1 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, "
         "if provided."},
        {1, 21, -1,
         "Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if "
         "provided."},
        {1, 0, 43201,
         "Value 43201 for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= "
         "43200, if provided."},
    };
    for (size_t i = 0; i < sizeof rcases / sizeof rcases[0]; i++) {
        gh_sqs_receive r = {.max_messages = rcases[i].max,
                            .wait_seconds = rcases[i].wait,
                            .visibility_timeout = rcases[i].vis};
        gh_sqs_message *m;
        size_t n;
        gh_sqs_error e;
        assert_int_equal(gh_sqs_receive_messages(q, "s", &r, &m, &n, &e), -1);
        assert_string_equal(e.code, "InvalidParameterValue");
        assert_string_equal(e.message, rcases[i].message);
    }
    gh_sqs_free(q);
}

static void attributes_md5_on_send_and_receive(void **state)
{
    (void)state;
    gh_sqs *q = fresh();
    create(q, "a", NULL, NULL, NULL, NULL);
    unsigned char bin[] = {0, 1, 2, 255};
    gh_sqs_attr attrs[] = {
        {.name = "SellerName", .data_type = "String", .string_value = "Example Store"},
        {.name = "Blob", .data_type = "Binary", .binary_value = bin, .binary_len = 4},
    };
    gh_sqs_attr trace[] = {{.name = "AWSTraceHeader",
                            .data_type = "String",
                            .string_value = "Root=1-5759e988-bd862e3fe1be46a994272793"}};
    gh_sqs_send m = {.body = "{}",
                     .body_len = 2,
                     .delay_seconds = -1,
                     .attrs = attrs,
                     .nattrs = 2,
                     .system_attrs = trace,
                     .nsystem_attrs = 1};
    gh_sqs_sent s;
    gh_sqs_error e;
    assert_int_equal(gh_sqs_send_message(q, "a", &m, &s, &e), 0);
    assert_string_equal(s.md5_body, "99914b932bd37a50b983c5e7c90ae93b");
    char want[33];
    gh_sqs_md5_of_attributes(attrs, 2, want);
    assert_string_equal(s.md5_attrs, want);
    assert_int_equal(strlen(s.md5_system_attrs), 32);
    gh_sqs_message *r;
    assert_int_equal(recv_n(q, "a", 1, 30, &r), 1);
    assert_string_equal(r[0].md5_attrs, want);
    assert_int_equal(r[0].nattrs, 2);
    assert_int_equal(r[0].nsystem_attrs, 1);
    assert_memory_equal(r[0].attrs[1].binary_value, bin, 4);
    gh_sqs_messages_free(r, 1);
    gh_sqs_free(q);
}

static void fifo_order_groups_and_dedup(void **state)
{
    (void)state;
    gh_sqs *q = fresh();
    create(q, "o.fifo", "FifoQueue", "true", "ContentBasedDeduplication", "true");
    gh_sqs_sent s1, s2, dup;
    send_body(q, "o.fifo", "a1", "A", NULL, &s1);
    send_body(q, "o.fifo", "b1", "B", NULL, NULL);
    send_body(q, "o.fifo", "a2", "A", NULL, &s2);
    send_body(q, "o.fifo", "a1", "A", NULL, &dup); /* same body: a duplicate */
    assert_string_equal(dup.message_id, s1.message_id);
    assert_string_equal(dup.sequence_number, s1.sequence_number);
    assert_int_equal(strlen(s1.sequence_number), 20);
    assert_true(strcmp(s1.sequence_number, s2.sequence_number) < 0);
    gh_sqs_counts c;
    gh_sqs_counts_of(q, "o.fifo", &c);
    assert_int_equal(c.visible, 3);
    /* One at a time: A's first, then B's (A is blocked while a1 is in flight). */
    gh_sqs_message *m1, *m2;
    assert_int_equal(recv_n(q, "o.fifo", 1, 30, &m1), 1);
    assert_string_equal(m1[0].body, "a1");
    assert_string_equal(m1[0].group_id, "A");
    assert_int_equal(strlen(m1[0].dedup_id), 64); /* SHA-256 of the body */
    assert_int_equal(recv_n(q, "o.fifo", 10, 30, &m2), 1);
    assert_string_equal(m2[0].body, "b1");
    assert_int_equal(recv_n(q, "o.fifo", 10, 30, NULL), 0);
    gh_sqs_error e;
    assert_int_equal(gh_sqs_delete_message(q, "o.fifo", m1[0].receipt_handle, &e), 0);
    gh_sqs_message *m3;
    assert_int_equal(recv_n(q, "o.fifo", 10, 30, &m3), 1);
    assert_string_equal(m3[0].body, "a2");
    /* After the visibility timeout a2 comes back first; an expired FIFO handle cannot
     * delete. */
    gh_clock_advance(30000);
    gh_sqs_message *m4;
    assert_int_equal(recv_n(q, "o.fifo", 10, 30, &m4), 2);
    assert_int_equal(gh_sqs_delete_message(q, "o.fifo", m3[0].receipt_handle, &e), -1);
    assert_string_equal(e.code, "InvalidParameterValue");
    assert_non_null(strstr(e.message, "Reason: The receipt handle has expired."));
    /* The dedup window is 5 minutes from the first send. */
    assert_int_equal(gh_sqs_delete_message(q, "o.fifo", m4[0].receipt_handle, &e), 0);
    assert_int_equal(gh_sqs_delete_message(q, "o.fifo", m4[1].receipt_handle, &e), 0);
    gh_clock_advance(5 * 60 * 1000 - 30000 - 1);
    send_body(q, "o.fifo", "a1", "A", NULL, &dup);
    assert_string_equal(dup.message_id, s1.message_id);
    gh_clock_advance(1);
    send_body(q, "o.fifo", "a1", "A", NULL, &dup);
    assert_string_not_equal(dup.message_id, s1.message_id);
    gh_sqs_messages_free(m1, 1);
    gh_sqs_messages_free(m2, 1);
    gh_sqs_messages_free(m3, 1);
    gh_sqs_messages_free(m4, 2);
    gh_sqs_free(q);
}

static void purge_is_rate_limited(void **state)
{
    (void)state;
    gh_sqs *q = fresh();
    create(q, "p", NULL, NULL, NULL, NULL);
    send_body(q, "p", "x", NULL, NULL, NULL);
    gh_sqs_error e;
    assert_int_equal(gh_sqs_purge(q, "p", &e), 0);
    gh_sqs_counts c;
    gh_sqs_counts_of(q, "p", &c);
    assert_int_equal(c.visible, 0);
    gh_clock_advance(59999);
    assert_int_equal(gh_sqs_purge(q, "p", &e), -1);
    assert_string_equal(e.code, "AWS.SimpleQueueService.PurgeQueueInProgress");
    assert_string_equal(e.message,
                        "Only one PurgeQueue operation on p is allowed every 60 seconds.");
    gh_clock_advance(1);
    assert_int_equal(gh_sqs_purge(q, "p", &e), 0);
    gh_sqs_free(q);
}

/* The admin API's purge: every message, in flight too, at once and as often as asked,
 * without starting PurgeQueue's 60 s period. */
static void purge_now_is_immediate(void **state)
{
    (void)state;
    gh_sqs *q = fresh();
    create(q, "p", NULL, NULL, NULL, NULL);
    send_body(q, "p", "a", NULL, NULL, NULL);
    send_body(q, "p", "b", NULL, NULL, NULL);
    gh_sqs_receive r = {1, -1, 0, NULL};
    gh_sqs_message *m = NULL;
    size_t n = 0;
    gh_sqs_error e;
    assert_int_equal(gh_sqs_receive_messages(q, "p", &r, &m, &n, &e), 0);
    assert_int_equal(n, 1);
    gh_sqs_messages_free(m, n);
    size_t removed = 0;
    assert_int_equal(gh_sqs_purge_now(q, "p", &removed), 0);
    assert_int_equal(removed, 2);
    gh_sqs_counts c;
    gh_sqs_counts_of(q, "p", &c);
    assert_int_equal(c.visible + c.in_flight + c.delayed, 0);
    assert_int_equal(gh_sqs_purge_now(q, "p", NULL), 0);
    assert_int_equal(gh_sqs_purge(q, "p", &e), 0); /* no PurgeQueue period was started */
    assert_int_equal(gh_sqs_purge_now(q, "nope", NULL), -1);
    gh_sqs_free(q);
}

static void list_delete_and_peek(void **state)
{
    (void)state;
    gh_sqs *q = fresh();
    create(q, "b-two", NULL, NULL, NULL, NULL);
    create(q, "a-one", NULL, NULL, NULL, NULL);
    create(q, "b-one", NULL, NULL, NULL, NULL);
    char **names;
    size_t n = gh_sqs_list_queues(q, "b-", &names);
    assert_int_equal(n, 2);
    assert_string_equal(names[0], "b-one");
    assert_string_equal(names[1], "b-two");
    gh_sqs_names_free(names, n);
    send_body(q, "a-one", "first", NULL, NULL, NULL);
    send_body(q, "a-one", "second", NULL, NULL, NULL);
    assert_int_equal(recv_n(q, "a-one", 1, 30, NULL), 1);
    gh_sqs_message *p;
    assert_int_equal(gh_sqs_peek(q, "a-one", 10, &p, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(p[0].body, "first");
    assert_null(p[0].receipt_handle);
    assert_int_equal(p[0].receive_count, 1);
    assert_string_equal(p[1].body, "second");
    gh_sqs_messages_free(p, n);
    gh_sqs_error e;
    assert_int_equal(gh_sqs_delete_queue(q, "a-one", &e), 0);
    assert_int_equal(gh_sqs_delete_queue(q, "a-one", &e), -1);
    assert_string_equal(e.code, "AWS.SimpleQueueService.NonExistentQueue");
    assert_int_equal(gh_sqs_peek(q, "a-one", 10, &p, &n), -1);
    gh_sqs_free(q);
}

typedef struct {
    gh_sqs *q;
    const char *queue;
    size_t got;
    char body[16];
    atomic_int done;
} poller;

static void *long_poll(void *arg)
{
    poller *p = arg;
    gh_sqs_receive r = {.max_messages = 1, .visibility_timeout = -1, .wait_seconds = 20};
    gh_sqs_message *m = NULL;
    gh_sqs_error e;
    int rc = gh_sqs_receive_messages(p->q, p->queue, &r, &m, &p->got, &e);
    if (rc == 0 && p->got)
        snprintf(p->body, sizeof p->body, "%s", m[0].body);
    gh_sqs_messages_free(m, p->got);
    atomic_store(&p->done, 1);
    return NULL;
}

static int observed;
static void observe(void *ud, const char *queue, const gh_sqs_message *m)
{
    (void)ud;
    if (strcmp(queue, "lp") == 0 && strcmp(m->body, "wake") == 0)
        observed++;
}

static void long_poll_wakes_on_send_and_ends_on_clock(void **state)
{
    (void)state;
    gh_sqs *q = fresh();
    create(q, "lp", NULL, NULL, NULL, NULL);
    gh_sqs_set_observer(q, observe, NULL);
    /* A sender wakes the poller: the fake clock never moves, so only the send can. */
    poller p = {.q = q, .queue = "lp"};
    pthread_t t;
    pthread_create(&t, NULL, long_poll, &p);
    send_body(q, "lp", "wake", NULL, NULL, NULL);
    pthread_join(t, NULL);
    assert_int_equal(p.got, 1);
    assert_string_equal(p.body, "wake");
    assert_int_equal(observed, 1);
    /* Nothing sent: advancing the fake clock past 20 s ends the wait empty. */
    create(q, "empty", NULL, NULL, NULL, NULL);
    poller p2 = {.q = q, .queue = "empty"};
    pthread_create(&t, NULL, long_poll, &p2);
    /* The poller may start before or after any one advance; keep moving the clock until
     * it returns (each step is well under its 20 s, so it waits for several). */
    int steps = 0;
    while (!atomic_load(&p2.done)) {
        gh_clock_advance(1000);
        steps++;
        sched_yield();
    }
    pthread_join(t, NULL);
    assert_true(steps >= 20);
    assert_int_equal(p2.got, 0);
    gh_sqs_set_observer(q, NULL, NULL);
    gh_sqs_free(q);
}

/* Removing the observer while a sender is inside it: gh_sqs_set_observer(NULL) must
 * not return before the call ends (the fixture watcher frees its ud right after). The
 * observer blocks until released; the remover runs meanwhile and marks when it returns;
 * the observer, once released, must still see "not removed". */
typedef struct blocker {
    gh_sqs *q;
    atomic_int entered, release, removed, saw_removed;
} blocker;

static void blocking_observe(void *ud, const char *queue, const gh_sqs_message *m)
{
    (void)queue;
    (void)m;
    blocker *b = ud;
    atomic_store(&b->entered, 1);
    while (!atomic_load(&b->release))
        sched_yield();
    atomic_store(&b->saw_removed, atomic_load(&b->removed));
}

static void *send_one(void *arg)
{
    blocker *b = arg;
    send_body(b->q, "ob", "x", NULL, NULL, NULL);
    return NULL;
}

static void *remove_observer(void *arg)
{
    blocker *b = arg;
    gh_sqs_set_observer(b->q, NULL, NULL);
    atomic_store(&b->removed, 1);
    return NULL;
}

static void observer_removal_waits_for_calls_under_way(void **state)
{
    (void)state;
    gh_sqs *q = fresh();
    create(q, "ob", NULL, NULL, NULL, NULL);
    blocker b = {.q = q};
    gh_sqs_set_observer(q, blocking_observe, &b);
    pthread_t sender, remover;
    pthread_create(&sender, NULL, send_one, &b);
    while (!atomic_load(&b.entered))
        sched_yield();
    pthread_create(&remover, NULL, remove_observer, &b);
    /* Give the remover every chance to return early (it must not). */
    for (int i = 0; i < 20000 && !atomic_load(&b.removed); i++)
        sched_yield();
    atomic_store(&b.release, 1);
    pthread_join(sender, NULL);
    pthread_join(remover, NULL);
    assert_int_equal(atomic_load(&b.saw_removed), 0);
    assert_int_equal(atomic_load(&b.removed), 1);
    gh_sqs_free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(md5_of_attributes_matches_aws),
        cmocka_unit_test(send_receive_delete),
        cmocka_unit_test(create_errors_have_aws_texts),
        cmocka_unit_test(attributes_and_counts),
        cmocka_unit_test(visibility_and_receipt_handles),
        cmocka_unit_test(redrive_moves_after_max_receive_count),
        cmocka_unit_test(delay_and_retention),
        cmocka_unit_test(send_errors_have_aws_texts),
        cmocka_unit_test(attributes_md5_on_send_and_receive),
        cmocka_unit_test(fifo_order_groups_and_dedup),
        cmocka_unit_test(purge_is_rate_limited),
        cmocka_unit_test(purge_now_is_immediate),
        cmocka_unit_test(list_delete_and_peek),
        cmocka_unit_test(long_poll_wakes_on_send_and_ends_on_clock),
        cmocka_unit_test(observer_removal_waits_for_calls_under_way),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
