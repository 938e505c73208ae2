/* sim/sqs under load: producers and consumers on a standard and a FIFO queue at once,
 * about 10^6 send/receive/delete operations in all, with no message lost or delivered
 * twice (the visibility timeout is far longer than the run, so at-least-once never has
 * to redeliver) and, on FIFO, every group's messages in the order they were sent. The
 * real clock runs here: nothing waits on it. Prints the operations per second. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sqs.h"
#include "util/clock.h"

#define PRODUCERS 4
#define CONSUMERS 4
#define PER_PRODUCER 41667 /* x 4 producers x 2 queues x 3 operations ~ 10^6 */
#define TOTAL (PRODUCERS * PER_PRODUCER)

typedef struct {
    gh_sqs *q;
    const char *queue;
    bool fifo;
    int id;
    unsigned char *seen; /* one byte per message: times delivered */
    int last[PRODUCERS]; /* FIFO: the last index seen per group (= producer) */
    atomic_int *consumed;
    atomic_int order_errors;
} run;

typedef struct {
    run *r;
    int id;
} worker;

static void *produce(void *arg)
{
    worker *w = arg;
    char body[32], group[8];
    snprintf(group, sizeof group, "g%d", w->id);
    for (int i = 0; i < PER_PRODUCER; i++) {
        int n = snprintf(body, sizeof body, "%d:%d", w->id, i);
        gh_sqs_send m = {.body = body,
                         .body_len = (size_t)n,
                         .delay_seconds = -1,
                         .group_id = w->r->fifo ? group : NULL};
        gh_sqs_sent s;
        gh_sqs_error e;
        if (gh_sqs_send_message(w->r->q, w->r->queue, &m, &s, &e) != 0)
            fprintf(stderr, "send: %s %s\n", e.code, e.message);
    }
    return NULL;
}

static pthread_mutex_t seen_mu = PTHREAD_MUTEX_INITIALIZER;

static void *consume(void *arg)
{
    worker *w = arg;
    run *r = w->r;
    gh_sqs_receive rq = {.max_messages = 10, .visibility_timeout = 43200, .wait_seconds = 1};
    while (atomic_load(r->consumed) < TOTAL) {
        gh_sqs_message *m = NULL;
        size_t n = 0;
        gh_sqs_error e;
        if (gh_sqs_receive_messages(r->q, r->queue, &rq, &m, &n, &e) != 0) {
            fprintf(stderr, "receive: %s %s\n", e.code, e.message);
            break;
        }
        for (size_t i = 0; i < n; i++) {
            int p = -1, k = -1;
            sscanf(m[i].body, "%d:%d", &p, &k);
            assert_true(p >= 0 && p < PRODUCERS && k >= 0 && k < PER_PRODUCER);
            pthread_mutex_lock(&seen_mu);
            r->seen[p * PER_PRODUCER + k]++;
            /* FIFO: a group's messages arrive in order, each exactly once. */
            if (r->fifo && k != r->last[p] + 1)
                atomic_fetch_add(&r->order_errors, 1);
            r->last[p] = k;
            pthread_mutex_unlock(&seen_mu);
            if (gh_sqs_delete_message(r->q, r->queue, m[i].receipt_handle, &e) != 0)
                fprintf(stderr, "delete: %s %s\n", e.code, e.message);
            atomic_fetch_add(r->consumed, 1);
        }
        gh_sqs_messages_free(m, n);
    }
    return NULL;
}

static void start(run *r, pthread_t *t, worker *w)
{
    for (int i = 0; i < PRODUCERS; i++) {
        w[i] = (worker){r, i};
        pthread_create(&t[i], NULL, produce, &w[i]);
    }
    for (int i = 0; i < CONSUMERS; i++) {
        w[PRODUCERS + i] = (worker){r, i};
        pthread_create(&t[PRODUCERS + i], NULL, consume, &w[PRODUCERS + i]);
    }
}

static void million_operations_lose_and_duplicate_nothing(void **state)
{
    (void)state;
    gh_clock_fake(-1); /* real time: consumers' 1 s long polls end on their own */
    gh_sqs *q = gh_sqs_new("us-east-1", "000000000000");
    gh_sqs_error e;
    gh_kv fifo[] = {{.key = "FifoQueue", .value = "true"},
                    {.key = "ContentBasedDeduplication", .value = "true"}};
    assert_int_equal(gh_sqs_create_queue(q, "std", NULL, 0, &e), 0);
    assert_int_equal(gh_sqs_create_queue(q, "ord.fifo", fifo, 2, &e), 0);
    atomic_int consumed_std = 0, consumed_fifo = 0;
    run rs = {.q = q, .queue = "std", .seen = calloc(TOTAL, 1), .consumed = &consumed_std};
    run rf = {.q = q,
              .queue = "ord.fifo",
              .fifo = true,
              .seen = calloc(TOTAL, 1),
              .consumed = &consumed_fifo};
    for (int i = 0; i < PRODUCERS; i++)
        rs.last[i] = rf.last[i] = -1;
    pthread_t ts[PRODUCERS + CONSUMERS], tf[PRODUCERS + CONSUMERS];
    worker ws[PRODUCERS + CONSUMERS], wf[PRODUCERS + CONSUMERS];
    int64_t t0 = gh_clock_mono_ns();
    start(&rs, ts, ws);
    start(&rf, tf, wf);
    for (int i = 0; i < PRODUCERS + CONSUMERS; i++) {
        pthread_join(ts[i], NULL);
        pthread_join(tf[i], NULL);
    }
    double secs = (double)(gh_clock_mono_ns() - t0) / 1e9;
    size_t ops = (size_t)TOTAL * 2 * 3;
    printf("sqs load: %zu operations (send+receive+delete, standard and FIFO, %d producers "
           "and %d consumers each) in %.2f s: %.0f ops/s\n",
           ops, PRODUCERS, CONSUMERS, secs, (double)ops / secs);
    for (size_t i = 0; i < TOTAL; i++) {
        if (rs.seen[i] != 1)
            fail_msg("standard message %zu delivered %d times", i, rs.seen[i]);
        if (rf.seen[i] != 1)
            fail_msg("FIFO message %zu delivered %d times", i, rf.seen[i]);
    }
    assert_int_equal(atomic_load(&rf.order_errors), 0);
    gh_sqs_counts c;
    assert_int_equal(gh_sqs_counts_of(q, "std", &c), 0);
    assert_int_equal(c.visible + c.in_flight + c.delayed, 0);
    assert_int_equal(gh_sqs_counts_of(q, "ord.fifo", &c), 0);
    assert_int_equal(c.visible + c.in_flight + c.delayed, 0);
    free(rs.seen);
    free(rf.seen);
    gh_sqs_free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(million_operations_lose_and_duplicate_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
