/* sim/store + sqs_persist.c + sns_persist.c (--state DIR): every kind of state written,
 * the simulator freed, a new one opened on the same directory, and what it holds
 * compared with what the first one held; deadlines checked on the fake clock, which
 * keeps running "while the process is down". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/sim.h"
#include "sim/store.h"
#include "util/clock.h"

#define T0 1700000000000LL

typedef struct fx {
    char dir[64];
    gh_sim *sim;
} fx;

static gh_sim *open_sim(fx *f)
{
    gh_sim *sim = gh_sim_new("eu-west-1", "111122223333");
    assert_non_null(sim);
    char err[512];
    if (gh_sim_open_state(sim, f->dir, err, sizeof err) != 0)
        fail_msg("open %s: %s", f->dir, err);
    return sim;
}

/* The process stops and starts again on the same directory. */
static void restart(fx *f)
{
    gh_sim_free(f->sim);
    f->sim = open_sim(f);
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/gh-store-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    gh_clock_fake(T0);
    f->sim = open_sim(f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    gh_sim_free(f->sim);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    gh_clock_fake(-1);
    return 0;
}

static void create(gh_sqs *q, const char *name, const gh_kv *kv, size_t n)
{
    gh_sqs_error e;
    if (gh_sqs_create_queue(q, name, kv, n, &e) != 0)
        fail_msg("create %s: %s %s", name, e.code, e.message);
}

static void send(gh_sqs *q, const char *queue, const gh_sqs_send *m, gh_sqs_sent *out)
{
    gh_sqs_error e;
    if (gh_sqs_send_message(q, queue, m, out, &e) != 0)
        fail_msg("send %s: %s %s", queue, e.code, e.message);
}

static size_t recv_n(gh_sqs *q, const char *queue, int max, int vis, gh_sqs_message **out)
{
    gh_sqs_receive r = {.max_messages = max, .visibility_timeout = vis, .wait_seconds = 0};
    gh_sqs_error e;
    size_t n = 0;
    *out = NULL;
    if (gh_sqs_receive_messages(q, queue, &r, out, &n, &e) != 0)
        fail_msg("receive %s: %s %s", queue, e.code, e.message);
    return n;
}

static json_t *attrs_of(gh_sqs *q, const char *queue)
{
    gh_sqs_error e;
    json_t *o = gh_sqs_get_attributes(q, queue, NULL, 0, &e);
    assert_non_null(o);
    return o;
}

static json_t *peek_json(gh_sqs *q, const char *queue)
{
    gh_sqs_message *m;
    size_t n;
    assert_int_equal(gh_sqs_peek(q, queue, 100, &m, &n), 0);
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *attrs = json_object();
        for (size_t k = 0; k < m[i].nattrs; k++) {
            const gh_sqs_attr *x = &m[i].attrs[k];
            json_object_set_new(
                attrs, x->name,
                json_pack("{s:s, s:s%}", "type", x->data_type, "value",
                          x->binary_value ? (const char *)x->binary_value : x->string_value,
                          x->binary_value ? x->binary_len : strlen(x->string_value)));
        }
        for (size_t k = 0; k < m[i].nsystem_attrs; k++)
            json_object_set_new(attrs, m[i].system_attrs[k].name,
                                json_string(m[i].system_attrs[k].string_value));
        json_array_append_new(
            a,
            json_pack("{s:s, s:s%, s:s, s:s, s:o, s:I, s:I, s:i, s:s, s:s?, s:s?, s:s?, s:s?}",
                      "id", m[i].message_id, "body", m[i].body, m[i].body_len, "md5", m[i].md5_body,
                      "md5a", m[i].md5_attrs, "attrs", attrs, "sent", (json_int_t)m[i].sent_ms,
                      "first", (json_int_t)m[i].first_receive_ms, "count", m[i].receive_count,
                      "sender", m[i].sender_id, "group", m[i].group_id, "dedup", m[i].dedup_id,
                      "seq", m[i].sequence_number, "dlq", m[i].dead_letter_source_arn));
    }
    gh_sqs_messages_free(m, n);
    return a;
}

static void assert_json_same(json_t *a, json_t *b)
{
    if (!json_equal(a, b)) {
        char *x = json_dumps(a, JSON_SORT_KEYS), *y = json_dumps(b, JSON_SORT_KEYS);
        fail_msg("before: %s\nafter:  %s", x, y);
    }
    json_decref(a);
    json_decref(b);
}

/* Queues with attributes and messages of every shape come back equal. */
static void queues_and_messages_round_trip(void **state)
{
    fx *f = *state;
    gh_sqs *q = f->sim->sqs;
    create(q, "dlq", NULL, 0);
    gh_kv std[] = {{.key = "VisibilityTimeout", .value = "45"},
                   {.key = "Policy", .value = "{\"Version\":\"2012-10-17\"}"},
                   {.key = "RedrivePolicy",
                    .value = "{\"deadLetterTargetArn\":\"arn:aws:sqs:eu-west-1:111122223333:dlq\","
                             "\"maxReceiveCount\":\"3\"}"}};
    create(q, "orders", std, 3);
    gh_kv fifo[] = {{.key = "FifoQueue", .value = "true"},
                    {.key = "ContentBasedDeduplication", .value = "true"}};
    create(q, "jobs.fifo", fifo, 2);

    static const unsigned char bin[] = {0, 1, 2, 255, 0};
    gh_sqs_attr attrs[] = {
        {.name = "kind", .data_type = "String", .string_value = "book"},
        {.name = "qty", .data_type = "Number.int", .string_value = "12"},
        {.name = "raw", .data_type = "Binary", .binary_value = bin, .binary_len = sizeof bin}};
    gh_sqs_attr sys[] = {{.name = "AWSTraceHeader",
                          .data_type = "String",
                          .string_value = "Root=1-5759e988-bd862e3fe1be46a994272793"}};
    gh_sqs_sent out;
    const char body[] = "caf\xc3\xa9 \xf0\x9f\x8d\xb0 with\nnewline";
    gh_sqs_send m = {.body = body,
                     .body_len = strlen(body),
                     .delay_seconds = -1,
                     .attrs = attrs,
                     .nattrs = 3,
                     .system_attrs = sys,
                     .nsystem_attrs = 1,
                     .sender_id = "AIDAEXAMPLE"};
    send(q, "orders", &m, &out);
    gh_sqs_send plain = {.body = "second", .body_len = 6, .delay_seconds = -1};
    send(q, "orders", &plain, &out);
    gh_sqs_send later = {.body = "delayed", .body_len = 7, .delay_seconds = 30};
    send(q, "orders", &later, &out);
    for (int i = 0; i < 3; i++) {
        char b[8];
        snprintf(b, sizeof b, "j%d", i);
        gh_sqs_send j = {.body = b,
                         .body_len = strlen(b),
                         .delay_seconds = -1,
                         .group_id = i == 1 ? "g2" : "g1"};
        send(q, "jobs.fifo", &j, &out);
    }
    gh_clock_advance(1500);
    gh_sqs_message *got;
    assert_int_equal(recv_n(q, "orders", 1, -1, &got), 1); /* in flight, count 1 */
    gh_sqs_messages_free(got, 1);

    json_t *before[6] = {attrs_of(q, "orders"),  attrs_of(q, "jobs.fifo"),  attrs_of(q, "dlq"),
                         peek_json(q, "orders"), peek_json(q, "jobs.fifo"), peek_json(q, "dlq")};
    restart(f);
    q = f->sim->sqs;
    char **names;
    size_t n = gh_sqs_list_queues(q, NULL, &names);
    assert_int_equal(n, 3);
    assert_string_equal(names[0], "dlq");
    assert_string_equal(names[1], "jobs.fifo");
    assert_string_equal(names[2], "orders");
    gh_sqs_names_free(names, n);
    json_t *after[6] = {attrs_of(q, "orders"),  attrs_of(q, "jobs.fifo"),  attrs_of(q, "dlq"),
                        peek_json(q, "orders"), peek_json(q, "jobs.fifo"), peek_json(q, "dlq")};
    for (int i = 0; i < 6; i++)
        assert_json_same(before[i], after[i]);
    gh_sqs_counts c;
    assert_int_equal(gh_sqs_counts_of(q, "orders", &c), 0);
    assert_int_equal(c.visible, 1);
    assert_int_equal(c.in_flight, 1);
    assert_int_equal(c.delayed, 1);
}

/* Visibility deadlines and delays are wall-clock instants: they hold across a restart,
 * and time that passed while the process was down counts. A receipt handle issued before
 * the restart still deletes. */
static void deadlines_survive_on_the_fake_clock(void **state)
{
    fx *f = *state;
    gh_sqs *q = f->sim->sqs;
    create(q, "q", NULL, 0);
    gh_sqs_sent out;
    gh_sqs_send a = {.body = "a", .body_len = 1, .delay_seconds = -1};
    gh_sqs_send b = {.body = "b", .body_len = 1, .delay_seconds = 90};
    send(q, "q", &a, &out);
    send(q, "q", &b, &out);
    gh_sqs_message *got;
    assert_int_equal(recv_n(q, "q", 1, 60, &got), 1);
    char *handle = strdup(got[0].receipt_handle);
    gh_sqs_messages_free(got, 1);

    gh_clock_advance(20000); /* down for 20 s */
    restart(f);
    q = f->sim->sqs;
    assert_int_equal(recv_n(q, "q", 10, 60, &got), 0);
    gh_clock_advance(39999);
    assert_int_equal(recv_n(q, "q", 10, 60, &got), 0); /* 59.999 s after the receive */
    gh_clock_advance(1);
    assert_int_equal(recv_n(q, "q", 10, 5, &got), 1);
    assert_string_equal(got[0].body, "a");
    assert_int_equal(got[0].receive_count, 2);
    gh_sqs_messages_free(got, 1);
    gh_clock_advance(30000); /* 90 s after the send: b's delay is over */
    assert_int_equal(recv_n(q, "q", 10, 60, &got), 2);
    assert_string_equal(got[0].body, "a");
    assert_string_equal(got[1].body, "b");
    gh_sqs_messages_free(got, 2);

    /* a is in flight again: the handle of its first receive deletes it (standard queue). */
    restart(f);
    q = f->sim->sqs;
    gh_sqs_error e;
    assert_int_equal(gh_sqs_delete_message(q, "q", handle, &e), 0);
    free(handle);
    restart(f);
    gh_sqs_message *m;
    size_t n;
    assert_int_equal(gh_sqs_peek(f->sim->sqs, "q", 10, &m, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(m[0].body, "b");
    gh_sqs_messages_free(m, n);
}

/* FIFO: the deduplication window, sequence numbers and a group blocked by a message in
 * flight all hold across a restart. */
static void fifo_state_survives(void **state)
{
    fx *f = *state;
    gh_sqs *q = f->sim->sqs;
    gh_kv fifo[] = {{.key = "FifoQueue", .value = "true"}};
    create(q, "f.fifo", fifo, 1);
    gh_sqs_sent first, dup, next;
    gh_sqs_send m1 = {
        .body = "1", .body_len = 1, .delay_seconds = -1, .group_id = "g", .dedup_id = "d1"};
    gh_sqs_send m2 = {
        .body = "2", .body_len = 1, .delay_seconds = -1, .group_id = "g", .dedup_id = "d2"};
    send(q, "f.fifo", &m1, &first);
    send(q, "f.fifo", &m2, &next);
    gh_sqs_message *got;
    assert_int_equal(recv_n(q, "f.fifo", 1, 30, &got), 1);
    assert_string_equal(got[0].body, "1");
    gh_sqs_messages_free(got, 1);

    gh_clock_advance(60000); /* 1 minute later: the window (5 min) still holds d1 */
    restart(f);
    q = f->sim->sqs;
    send(q, "f.fifo", &m1, &dup);
    assert_string_equal(dup.message_id, first.message_id);
    assert_string_equal(dup.sequence_number, first.sequence_number);
    gh_sqs_send m3 = {
        .body = "3", .body_len = 1, .delay_seconds = -1, .group_id = "g", .dedup_id = "d3"};
    gh_sqs_sent third;
    send(q, "f.fifo", &m3, &third);
    assert_true(strcmp(third.sequence_number, next.sequence_number) > 0);
    /* 1's visibility ended while down: the group is served again, in order. */
    assert_int_equal(recv_n(q, "f.fifo", 10, 30, &got), 3);
    assert_string_equal(got[0].body, "1");
    assert_int_equal(got[0].receive_count, 2);
    assert_string_equal(got[1].body, "2");
    assert_string_equal(got[2].body, "3");
    gh_sqs_messages_free(got, 3);
    /* All three in flight: after a restart the group stays blocked until they return. */
    restart(f);
    q = f->sim->sqs;
    assert_int_equal(recv_n(q, "f.fifo", 10, 30, &got), 0);
    gh_clock_advance(5 * 60000); /* the window is over: d1 is new again */
    restart(f);
    gh_sqs_sent again;
    send(f->sim->sqs, "f.fifo", &m1, &again);
    assert_string_not_equal(again.message_id, first.message_id);
}

/* Retention counts the downtime; a redrive, deletions and purges persist. */
static void removals_and_redrive_persist(void **state)
{
    fx *f = *state;
    gh_sqs *q = f->sim->sqs;
    create(q, "dead", NULL, 0);
    gh_kv src[] = {{.key = "MessageRetentionPeriod", .value = "600"},
                   {.key = "RedrivePolicy",
                    .value = "{\"deadLetterTargetArn\":\"arn:aws:sqs:eu-west-1:111122223333:"
                             "dead\",\"maxReceiveCount\":\"1\"}"}};
    create(q, "src", src, 2);
    create(q, "gone", NULL, 0);
    gh_sqs_sent out;
    gh_sqs_send m = {.body = "x", .body_len = 1, .delay_seconds = -1};
    send(q, "src", &m, &out);
    char id[37];
    memcpy(id, out.message_id, sizeof id);
    send(q, "gone", &m, &out);
    gh_sqs_message *got;
    assert_int_equal(recv_n(q, "src", 1, 0, &got), 1); /* count 1, visible again at once */
    gh_sqs_messages_free(got, 1);
    assert_int_equal(recv_n(q, "src", 1, 30, &got), 0); /* moved to dead instead */
    gh_sqs_error e;
    assert_int_equal(gh_sqs_delete_queue(q, "gone", &e), 0);
    send(q, "src", &m, &out);
    restart(f);
    q = f->sim->sqs;
    assert_int_equal(gh_sqs_exists(q, "gone"), 0);
    gh_sqs_message *peek;
    size_t n;
    assert_int_equal(gh_sqs_peek(q, "dead", 10, &peek, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(peek[0].message_id, id);
    assert_string_equal(peek[0].dead_letter_source_arn, "arn:aws:sqs:eu-west-1:111122223333:src");
    gh_sqs_messages_free(peek, n);
    gh_clock_advance(600000); /* src's retention passes while down */
    restart(f);
    q = f->sim->sqs;
    gh_sqs_counts c;
    assert_int_equal(gh_sqs_counts_of(q, "src", &c), 0);
    assert_int_equal(c.visible + c.in_flight + c.delayed, 0);
    assert_int_equal(gh_sqs_purge_now(q, "dead", &n), 0);
    assert_int_equal(n, 1);
    restart(f);
    assert_int_equal(gh_sqs_counts_of(f->sim->sqs, "dead", &c), 0);
    assert_int_equal(c.visible, 0);
}

/* Topics, their attributes and subscriptions (ARNs, raw delivery, filter policies) come
 * back; a publish after the restart is filtered and delivered as before. */
static void topics_and_subscriptions_round_trip(void **state)
{
    fx *f = *state;
    gh_sqs *q = f->sim->sqs;
    gh_sns *s = f->sim->sns;
    create(q, "books", NULL, 0);
    char *arn, *sub, *gone;
    gh_sns_error e;
    gh_kv tattrs[] = {{.key = "DisplayName", .value = "Shop"}};
    assert_int_equal(gh_sns_create_topic(s, "events", tattrs, 1, &arn, &e), 0);
    gh_kv sattrs[] = {{.key = "RawMessageDelivery", .value = "true"},
                      {.key = "FilterPolicy", .value = "{\"kind\":[\"book\"]}"}};
    assert_int_equal(gh_sns_subscribe(s, arn, "sqs", "arn:aws:sqs:eu-west-1:111122223333:books",
                                      sattrs, 2, &sub, &e),
                     0);
    assert_int_equal(gh_sns_subscribe(s, arn, "lambda", "worker", NULL, 0, &gone, &e), 0);
    assert_int_equal(gh_sns_unsubscribe(s, gone, &e), 0);
    char *farn;
    gh_kv fattrs[] = {{.key = "FifoTopic", .value = "true"},
                      {.key = "ContentBasedDeduplication", .value = "true"}};
    assert_int_equal(gh_sns_create_topic(s, "orders.fifo", fattrs, 2, &farn, &e), 0);
    char mid[37], seq1[21], seq2[21];
    struct gh_sns_publish fp = {.topic_arn = farn, .message = "one", .group_id = "g"};
    assert_int_equal(gh_sns_publish(s, &fp, mid, seq1, &e), 0);
    char *dropped;
    assert_int_equal(gh_sns_create_topic(s, "dropped", NULL, 0, &dropped, &e), 0);
    assert_int_equal(gh_sns_delete_topic(s, dropped, &e), 0);

    json_t *before[4] = {
        gh_sns_get_topic_attributes(s, arn, &e), gh_sns_get_topic_attributes(s, farn, &e),
        gh_sns_list_subscriptions(s, NULL, &e), gh_sns_get_subscription_attributes(s, sub, &e)};
    restart(f);
    s = f->sim->sns;
    json_t *after[4] = {
        gh_sns_get_topic_attributes(s, arn, &e), gh_sns_get_topic_attributes(s, farn, &e),
        gh_sns_list_subscriptions(s, NULL, &e), gh_sns_get_subscription_attributes(s, sub, &e)};
    for (int i = 0; i < 4; i++)
        assert_json_same(before[i], after[i]);
    char **arns;
    size_t n = gh_sns_list_topics(s, &arns);
    assert_int_equal(n, 2); /* "dropped" stays deleted */
    gh_sqs_names_free(arns, n);
    struct gh_sns_publish fp2 = {.topic_arn = farn, .message = "two", .group_id = "g"};
    assert_int_equal(gh_sns_publish(s, &fp2, mid, seq2, &e), 0);
    assert_true(strcmp(seq2, seq1) > 0); /* the topic's sequence goes on */

    gh_sqs_attr book = {.name = "kind", .data_type = "String", .string_value = "book"};
    gh_sqs_attr pen = {.name = "kind", .data_type = "String", .string_value = "pen"};
    struct gh_sns_publish p1 = {.topic_arn = arn, .message = "a pen", .attrs = &pen, .nattrs = 1};
    struct gh_sns_publish p2 = {.topic_arn = arn, .message = "a book", .attrs = &book, .nattrs = 1};
    assert_int_equal(gh_sns_publish(s, &p1, mid, seq1, &e), 0);
    assert_int_equal(gh_sns_publish(s, &p2, mid, seq1, &e), 0);
    gh_sqs_message *got;
    assert_int_equal(recv_n(f->sim->sqs, "books", 10, 30, &got), 1);
    assert_string_equal(got[0].body, "a book"); /* raw delivery, filtered */
    gh_sqs_messages_free(got, 1);
    free(arn);
    free(farn);
    free(sub);
    free(gone);
    free(dropped);
}

/* A second gatehouse on the same directory is refused while the first runs; a file
 * that is not a database is an error, not a crash. */
static void a_directory_in_use_or_broken_is_refused(void **state)
{
    fx *f = *state;
    char err[512];
    gh_store *other = gh_store_open(f->dir, err, sizeof err);
    assert_null(other);
    assert_non_null(strstr(err, "another gatehouse uses this --state directory"));

    char dir[64], path[96];
    snprintf(dir, sizeof dir, "/tmp/gh-store-bad-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/gatehouse.db", dir);
    FILE *fp = fopen(path, "w");
    fputs("this is not a database, just text that is long enough to look like a header", fp);
    fclose(fp);
    assert_null(gh_store_open(dir, err, sizeof err));
    assert_non_null(strstr(err, "gatehouse.db"));
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(queues_and_messages_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(deadlines_survive_on_the_fake_clock, setup, teardown),
        cmocka_unit_test_setup_teardown(fifo_state_survives, setup, teardown),
        cmocka_unit_test_setup_teardown(removals_and_redrive_persist, setup, teardown),
        cmocka_unit_test_setup_teardown(topics_and_subscriptions_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(a_directory_in_use_or_broken_is_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
