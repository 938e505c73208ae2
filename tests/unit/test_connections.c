/* websocket/connections: add/get/remove, ids in AWS's shape and unique over 10^4,
 * repeatable under gh_ids_seed, idle expiry at the exact millisecond and reset by touch,
 * the 2-hour lifetime despite activity, FIFO send queues and the full-queue refusal,
 * owners, and threads adding and enqueueing at once. Time is the fake clock throughout. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"
#include "util/ids.h"
#include "websocket/connections.h"

#define T0 1700000000000LL

static int setup(void **state)
{
    (void)state;
    gh_clock_fake(T0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    gh_clock_fake(-1);
    return 0;
}

static bool id_char_ok(char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
           ch == '-' || ch == '_';
}

/* 16 characters, URL-safe base64, one '=' of padding; 11 bytes leave the last data
 * character's two low bits zero (one of AEIMQUYcgkosw048, as in "...CIhw="). */
static void assert_id_shape(const char *id)
{
    assert_int_equal(strlen(id), 16);
    for (int i = 0; i < 15; i++)
        assert_true(id_char_ok(id[i]));
    assert_int_equal(id[15], '=');
    assert_non_null(strchr("AEIMQUYcgkosw048", id[14]));
}

static void test_add_get_remove(void **state)
{
    (void)state;
    gh_connections *c = gh_connections_new(0);
    assert_non_null(c);
    int owner_a = 1, owner_b = 2;
    gh_ws_conn_info a, b, got;
    assert_int_equal(gh_connections_add(c, &owner_a, "prod", "203.0.113.7", "wscat/5.2", &a), 0);
    gh_clock_advance(250);
    assert_int_equal(gh_connections_add(c, &owner_b, "dev", NULL, NULL, &b), 0);
    assert_int_equal(gh_connections_count(c), 2);
    assert_string_not_equal(a.id, b.id);

    assert_int_equal(gh_connections_get(c, a.id, &got), 0);
    assert_string_equal(got.id, a.id);
    assert_int_equal(got.connected_at_ms, T0);
    assert_int_equal(got.last_active_at_ms, T0);
    assert_string_equal(got.stage, "prod");
    assert_string_equal(got.source_ip, "203.0.113.7");
    assert_string_equal(got.user_agent, "wscat/5.2");

    assert_int_equal(gh_connections_get(c, b.id, &got), 0);
    assert_int_equal(got.connected_at_ms, T0 + 250);
    assert_string_equal(got.stage, "dev");
    assert_string_equal(got.source_ip, "");
    assert_string_equal(got.user_agent, "");

    assert_ptr_equal(gh_connections_owner(c, a.id), &owner_a);
    assert_ptr_equal(gh_connections_owner(c, b.id), &owner_b);
    assert_null(gh_connections_owner(c, "R1kmxc2VNjMCFIA="));
    assert_int_equal(gh_connections_get(c, "R1kmxc2VNjMCFIA=", &got), -1);

    assert_int_equal(gh_connections_remove(c, a.id), 0);
    assert_int_equal(gh_connections_remove(c, a.id), -1); /* gone: AWS's 410 */
    assert_int_equal(gh_connections_get(c, a.id, &got), -1);
    assert_null(gh_connections_owner(c, a.id));
    assert_int_equal(gh_connections_enqueue(c, a.id, "x", 1, false), -1);
    assert_int_equal(gh_connections_count(c), 1);
    gh_connections_free(c);
}

static int cmp_id(const void *x, const void *y)
{
    return strcmp(x, y);
}

static void test_ids_shape_and_unique(void **state)
{
    (void)state;
    enum { N = 10000 };
    gh_connections *c = gh_connections_new(0);
    char(*ids)[24] = calloc(N, sizeof *ids);
    assert_non_null(ids);
    for (int i = 0; i < N; i++) {
        gh_ws_conn_info info;
        assert_int_equal(gh_connections_add(c, NULL, "prod", "127.0.0.1", "t", &info), 0);
        assert_id_shape(info.id);
        memcpy(ids[i], info.id, sizeof ids[i]);
    }
    assert_int_equal(gh_connections_count(c), N);
    qsort(ids, N, sizeof *ids, cmp_id);
    for (int i = 1; i < N; i++)
        assert_string_not_equal(ids[i - 1], ids[i]);
    /* Every one is still found after the table has grown. */
    for (int i = 0; i < N; i++)
        assert_int_equal(gh_connections_get(c, ids[i], NULL), 0);
    free(ids);
    gh_connections_free(c);
}

static void test_ids_repeat_under_seed(void **state)
{
    (void)state;
    char first[3][24];
    for (int round = 0; round < 2; round++) {
        gh_ids_seed(42);
        gh_connections *c = gh_connections_new(0);
        for (int i = 0; i < 3; i++) {
            gh_ws_conn_info info;
            assert_int_equal(gh_connections_add(c, NULL, "prod", "", "", &info), 0);
            if (round == 0)
                memcpy(first[i], info.id, sizeof first[i]);
            else
                assert_string_equal(info.id, first[i]);
        }
        gh_connections_free(c);
    }
}

static void test_idle_expiry_exact_ms(void **state)
{
    (void)state;
    /* idle timeout, elapsed before expire(), expected reason */
    static const struct {
        int64_t idle, elapsed;
        gh_ws_close_reason want;
    } cases[] = {
        {0, GH_WS_IDLE_TIMEOUT_MS_DEFAULT - 1, GH_WS_CLOSE_NONE},
        {0, GH_WS_IDLE_TIMEOUT_MS_DEFAULT, GH_WS_CLOSE_IDLE},
        {5000, 4999, GH_WS_CLOSE_NONE},
        {5000, 5000, GH_WS_CLOSE_IDLE},
        {-1, GH_WS_IDLE_TIMEOUT_MS_DEFAULT, GH_WS_CLOSE_IDLE}, /* nonsense: the default */
        {3 * 60 * 60 * 1000LL, GH_WS_MAX_LIFETIME_MS - 1, GH_WS_CLOSE_NONE},
        {3 * 60 * 60 * 1000LL, GH_WS_MAX_LIFETIME_MS, GH_WS_CLOSE_LIFETIME},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gh_clock_fake(T0);
        gh_connections *c = gh_connections_new(cases[i].idle);
        gh_ws_conn_info info;
        assert_int_equal(gh_connections_add(c, NULL, "prod", "", "", &info), 0);
        gh_clock_advance(cases[i].elapsed);
        char ids[4][24];
        gh_ws_close_reason reasons[4];
        size_t n = gh_connections_expire(c, ids, reasons, 4);
        if (cases[i].want == GH_WS_CLOSE_NONE) {
            assert_int_equal(n, 0);
            assert_int_equal(gh_connections_count(c), 1);
        } else {
            assert_int_equal(n, 1);
            assert_string_equal(ids[0], info.id);
            assert_int_equal(reasons[0], cases[i].want);
            assert_int_equal(gh_connections_count(c), 0);
            assert_int_equal(gh_connections_get(c, info.id, NULL), -1);
        }
        gh_connections_free(c);
    }
}

static void test_touch_resets_idle(void **state)
{
    (void)state;
    gh_connections *c = gh_connections_new(60000);
    gh_ws_conn_info a, b, got;
    gh_connections_add(c, NULL, "prod", "", "", &a);
    gh_connections_add(c, NULL, "prod", "", "", &b);
    gh_clock_advance(59999);
    gh_connections_touch(c, a.id);
    gh_connections_touch(c, "nosuchid0000000="); /* unknown: ignored */
    assert_int_equal(gh_connections_get(c, a.id, &got), 0);
    assert_int_equal(got.last_active_at_ms, T0 + 59999);
    assert_int_equal(got.connected_at_ms, T0);

    char ids[4][24];
    gh_ws_close_reason reasons[4];
    gh_clock_advance(1); /* b reaches 60000 idle; a is at 1 */
    assert_int_equal(gh_connections_expire(c, ids, reasons, 4), 1);
    assert_string_equal(ids[0], b.id);
    assert_int_equal(reasons[0], GH_WS_CLOSE_IDLE);

    gh_clock_advance(59998); /* a: 59999 since its touch */
    assert_int_equal(gh_connections_expire(c, ids, reasons, 4), 0);
    gh_clock_advance(1);
    assert_int_equal(gh_connections_expire(c, ids, reasons, 4), 1);
    assert_string_equal(ids[0], a.id);
    assert_int_equal(reasons[0], GH_WS_CLOSE_IDLE);
    gh_connections_free(c);
}

static void test_lifetime_despite_activity(void **state)
{
    (void)state;
    gh_connections *c = gh_connections_new(0);
    gh_ws_conn_info a;
    gh_connections_add(c, NULL, "prod", "", "", &a);
    char ids[4][24];
    gh_ws_close_reason reasons[4];
    /* Active every 9 minutes: never idle, yet closed at exactly 2 hours. */
    int64_t elapsed = 0;
    while (elapsed + 9 * 60 * 1000 < GH_WS_MAX_LIFETIME_MS) {
        gh_clock_advance(9 * 60 * 1000);
        elapsed += 9 * 60 * 1000;
        gh_connections_touch(c, a.id);
        assert_int_equal(gh_connections_expire(c, ids, reasons, 4), 0);
    }
    gh_clock_advance(GH_WS_MAX_LIFETIME_MS - 1 - elapsed);
    assert_int_equal(gh_connections_expire(c, ids, reasons, 4), 0);
    gh_clock_advance(1);
    assert_int_equal(gh_connections_expire(c, ids, reasons, 4), 1);
    assert_string_equal(ids[0], a.id);
    assert_int_equal(reasons[0], GH_WS_CLOSE_LIFETIME);
    gh_connections_free(c);
}

static void test_expire_respects_max(void **state)
{
    (void)state;
    gh_connections *c = gh_connections_new(1000);
    for (int i = 0; i < 5; i++)
        gh_connections_add(c, NULL, "prod", "", "", NULL);
    gh_clock_advance(1000);
    char ids[2][24];
    gh_ws_close_reason reasons[2];
    assert_int_equal(gh_connections_expire(c, ids, reasons, 2), 2);
    assert_int_equal(gh_connections_count(c), 3);
    assert_int_equal(gh_connections_expire(c, ids, reasons, 2), 2);
    assert_int_equal(gh_connections_expire(c, ids, reasons, 2), 1);
    assert_int_equal(gh_connections_expire(c, ids, reasons, 2), 0);
    assert_int_equal(gh_connections_count(c), 0);
    gh_connections_free(c);
}

static void test_queue_order_and_full(void **state)
{
    (void)state;
    gh_connections *c = gh_connections_new(0);
    gh_ws_conn_info a, b;
    gh_connections_add(c, NULL, "prod", "", "", &a);
    gh_connections_add(c, NULL, "prod", "", "", &b);
    void *data;
    size_t len;
    bool bin;
    assert_int_equal(gh_connections_dequeue(c, a.id, &data, &len, &bin), 0);

    static const unsigned char raw[3] = {0x00, 0xff, 0x10};
    assert_int_equal(gh_connections_enqueue(c, a.id, "first", 5, false), 0);
    assert_int_equal(gh_connections_enqueue(c, a.id, raw, 3, true), 0);
    assert_int_equal(gh_connections_enqueue(c, a.id, "", 0, false), 0);
    assert_int_equal(gh_connections_enqueue(c, b.id, "other", 5, false), 0);

    assert_int_equal(gh_connections_dequeue(c, a.id, &data, &len, &bin), 1);
    assert_int_equal(len, 5);
    assert_memory_equal(data, "first", 5);
    assert_false(bin);
    free(data);
    assert_int_equal(gh_connections_dequeue(c, a.id, &data, &len, &bin), 1);
    assert_int_equal(len, 3);
    assert_memory_equal(data, raw, 3);
    assert_true(bin);
    free(data);
    assert_int_equal(gh_connections_dequeue(c, a.id, &data, &len, &bin), 1);
    assert_int_equal(len, 0);
    free(data);
    assert_int_equal(gh_connections_dequeue(c, a.id, &data, &len, &bin), 0);

    /* Fill a's queue to the byte; one more byte is refused, b's queue is unaffected. */
    enum { CHUNK = 128 * 1024 };
    char *chunk = calloc(1, CHUNK);
    for (int i = 0; i < GH_WS_SEND_QUEUE_MAX_BYTES / CHUNK; i++) {
        chunk[0] = (char)i;
        assert_int_equal(gh_connections_enqueue(c, a.id, chunk, CHUNK, false), 0);
    }
    assert_int_equal(gh_connections_enqueue(c, a.id, "x", 1, false), -2);
    assert_int_equal(gh_connections_enqueue(c, b.id, chunk, CHUNK, false), 0);
    /* Draining one frame makes room for exactly one more of its size. */
    assert_int_equal(gh_connections_dequeue(c, a.id, &data, &len, &bin), 1);
    assert_int_equal(len, CHUNK);
    assert_int_equal(((char *)data)[0], 0);
    free(data);
    assert_int_equal(gh_connections_enqueue(c, a.id, chunk, CHUNK, false), 0);
    assert_int_equal(gh_connections_enqueue(c, a.id, "x", 1, false), -2);
    assert_int_equal(gh_connections_dequeue(c, a.id, &data, &len, &bin), 1);
    assert_int_equal(((char *)data)[0], 1); /* still in order */
    free(data);
    free(chunk);
    /* Frames left queued are freed with the registry (ASan checks). */
    gh_connections_free(c);
}

enum { THREADS = 4, PER_THREAD = 500, FRAMES = 200 };

typedef struct {
    gh_connections *c;
    const char *shared_id;
    int tid;
    char ids[PER_THREAD][24];
} worker_arg;

static void *worker(void *p)
{
    worker_arg *w = p;
    for (int i = 0; i < PER_THREAD; i++) {
        gh_ws_conn_info info;
        if (gh_connections_add(w->c, w, "prod", "127.0.0.1", "t", &info) != 0)
            return NULL;
        memcpy(w->ids[i], info.id, sizeof w->ids[i]);
        if (i < FRAMES) {
            int frame[2] = {w->tid, i};
            if (gh_connections_enqueue(w->c, w->shared_id, frame, sizeof frame, true) != 0)
                return NULL;
        }
        gh_connections_touch(w->c, info.id);
    }
    return w;
}

static void test_concurrent_adds_and_enqueues(void **state)
{
    (void)state;
    gh_connections *c = gh_connections_new(0);
    gh_ws_conn_info shared;
    gh_connections_add(c, NULL, "prod", "", "", &shared);
    static worker_arg args[THREADS];
    pthread_t th[THREADS];
    for (int t = 0; t < THREADS; t++) {
        args[t] = (worker_arg){.c = c, .shared_id = shared.id, .tid = t};
        assert_int_equal(pthread_create(&th[t], NULL, worker, &args[t]), 0);
    }
    for (int t = 0; t < THREADS; t++) {
        void *ret;
        pthread_join(th[t], &ret);
        assert_ptr_equal(ret, &args[t]);
    }
    assert_int_equal(gh_connections_count(c), 1 + THREADS * PER_THREAD);
    for (int t = 0; t < THREADS; t++)
        for (int i = 0; i < PER_THREAD; i++)
            assert_ptr_equal(gh_connections_owner(c, args[t].ids[i]), &args[t]);

    /* Every frame arrived once, and each thread's frames in the order it sent them. */
    int next[THREADS] = {0};
    void *data;
    size_t len;
    bool bin;
    int total = 0;
    while (gh_connections_dequeue(c, shared.id, &data, &len, &bin) == 1) {
        int frame[2];
        assert_int_equal(len, sizeof frame);
        memcpy(frame, data, sizeof frame);
        free(data);
        assert_in_range(frame[0], 0, THREADS - 1);
        assert_int_equal(frame[1], next[frame[0]]);
        next[frame[0]]++;
        total++;
    }
    assert_int_equal(total, THREADS * FRAMES);
    gh_connections_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_add_get_remove, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ids_shape_and_unique, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ids_repeat_under_seed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idle_expiry_exact_ms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_touch_resets_idle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lifetime_despite_activity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expire_respects_max, setup, teardown),
        cmocka_unit_test_setup_teardown(test_queue_order_and_full, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_adds_and_enqueues, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
