/* sim/sqs: the simulated SQS engine on the fake clock (visibility, handles, receive
 * counts, redrive, delay, retention, FIFO order and deduplication, long polling, MD5s,
 * and the error texts of the SQS API Reference). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
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
    gh_sqs_send m = {.body = body, .body_len = strlen(body), .delay_seconds = -1,
                     .group_id = group, .dedup_id = dedup};
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
    gh_sqs_attr one[] = {{.name = "SellerName", .data_type = "String", .string_value = "Example Store"}};
    gh_sqs_attr ts[] = {{.name = "timestamp", .data_type = "Number", .string_value = "1493147359900"}};
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(md5_of_attributes_matches_aws),
        cmocka_unit_test(send_receive_delete),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
