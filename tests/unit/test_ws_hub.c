/* websocket/ws_hub over a fake transport: messages reach each client in posting order,
 * a full queue answers GH_WS_FULL, a client whose send blocks delays no other client,
 * the sweep closes idle and 2-hour-old connections with 1001 on the fake clock, and
 * DeleteConnection closes with 1000 and makes later calls GONE. Waits are on the fake
 * transport's condition variable (bounded only as a guard against a hang), never sleeps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/clock.h"
#include "websocket/ws_hub.h"

#define T0 1700000000000LL
#define MAX_MSGS 256

/* One fake client: what it received, and whether its send blocks. */
typedef struct fake_client {
    char got[MAX_MSGS][32];
    size_t ngot;
    size_t bytes;
    bool block;       /* sends wait until block is cleared */
    bool in_send;     /* a send is waiting on block */
    int close_code;
    char close_reason[64];
    int closes;
} fake_client;

typedef struct fake {
    pthread_mutex_t mu;
    pthread_cond_t cv;
} fake;

static fake F = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER};

static int fake_send(void *ud, void *owner, const void *data, size_t len, bool binary)
{
    (void)ud;
    (void)binary;
    fake_client *c = owner;
    pthread_mutex_lock(&F.mu);
    c->in_send = true;
    pthread_cond_broadcast(&F.cv);
    while (c->block)
        pthread_cond_wait(&F.cv, &F.mu);
    c->in_send = false;
    if (c->ngot < MAX_MSGS) {
        size_t n = len < 31 ? len : 31;
        memcpy(c->got[c->ngot], data, n);
        c->got[c->ngot][n] = '\0';
    }
    c->ngot++;
    c->bytes += len;
    pthread_cond_broadcast(&F.cv);
    pthread_mutex_unlock(&F.mu);
    return 0;
}

static void fake_close(void *ud, void *owner, int code, const char *reason)
{
    (void)ud;
    fake_client *c = owner;
    pthread_mutex_lock(&F.mu);
    c->close_code = code;
    snprintf(c->close_reason, sizeof c->close_reason, "%s", reason);
    c->closes++;
    pthread_cond_broadcast(&F.cv);
    pthread_mutex_unlock(&F.mu);
}

/* Waits (with F.mu held) for cond; fails after 10 s, which only a bug reaches. */
#define WAIT_FOR(cond)                                                                  \
    do {                                                                                \
        struct timespec dl_;                                                            \
        clock_gettime(CLOCK_REALTIME, &dl_);                                            \
        dl_.tv_sec += 10;                                                               \
        while (!(cond))                                                                 \
            if (pthread_cond_timedwait(&F.cv, &F.mu, &dl_) == ETIMEDOUT) {              \
                pthread_mutex_unlock(&F.mu);                                            \
                fail_msg("timed out waiting for %s", #cond);                            \
            }                                                                           \
    } while (0)

static gh_ws_hub *new_hub(void)
{
    gh_ws_transport t = {.send = fake_send, .close = fake_close, .ud = NULL};
    gh_ws_hub *h = gh_ws_hub_new(&t);
    assert_non_null(h);
    return h;
}

static void add(gh_ws_hub *h, fake_client *c, int64_t idle_ms, gh_ws_conn_info *info)
{
    assert_int_equal(gh_ws_hub_add(h, c, "prod", "127.0.0.1", "test", idle_ms, info), 0);
}

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

static void test_order_per_connection(void **state)
{
    (void)state;
    gh_ws_hub *h = new_hub();
    fake_client a = {0}, b = {0};
    gh_ws_conn_info ia, ib;
    add(h, &a, 0, &ia);
    add(h, &b, 0, &ib);
    char msg[32];
    for (int i = 0; i < 200; i++) {
        snprintf(msg, sizeof msg, "m%d", i);
        assert_int_equal(gh_ws_hub_post(h, i % 2 ? ia.id : ib.id, msg, strlen(msg), false),
                         GH_WS_OK);
    }
    pthread_mutex_lock(&F.mu);
    WAIT_FOR(a.ngot == 100 && b.ngot == 100);
    pthread_mutex_unlock(&F.mu);
    for (int i = 0; i < 100; i++) {
        snprintf(msg, sizeof msg, "m%d", 2 * i + 1);
        assert_string_equal(a.got[i], msg);
        snprintf(msg, sizeof msg, "m%d", 2 * i);
        assert_string_equal(b.got[i], msg);
    }
    gh_ws_hub_remove(h, ia.id);
    gh_ws_hub_remove(h, ib.id);
    gh_ws_hub_free(h);
}

/* B's client does not read: its writer blocks in send. A's messages still arrive, B's
 * queue fills to exactly GH_WS_SEND_QUEUE_MAX_BYTES, the next post is FULL, and once B
 * reads again everything queued arrives in order. */
static void test_blocked_client_full_and_isolated(void **state)
{
    (void)state;
    gh_ws_hub *h = new_hub();
    fake_client a = {0}, b = {.block = true};
    gh_ws_conn_info ia, ib;
    add(h, &a, 0, &ia);
    add(h, &b, 0, &ib);

    assert_int_equal(gh_ws_hub_post(h, ib.id, "first", 5, false), GH_WS_OK);
    pthread_mutex_lock(&F.mu);
    WAIT_FOR(b.in_send);
    pthread_mutex_unlock(&F.mu);

    static char big[GH_WS_MAX_MESSAGE_BYTES];
    memset(big, 'x', sizeof big);
    size_t per = GH_WS_SEND_QUEUE_MAX_BYTES / GH_WS_MAX_MESSAGE_BYTES;
    for (size_t i = 0; i < per; i++)
        assert_int_equal(gh_ws_hub_post(h, ib.id, big, sizeof big, true), GH_WS_OK);
    assert_int_equal(gh_ws_hub_post(h, ib.id, "x", 1, false), GH_WS_FULL);
    assert_int_equal(gh_ws_hub_post(h, ib.id, big, sizeof big + 1, true), GH_WS_TOO_LARGE);

    /* B is still stuck: A is served all the same. */
    assert_int_equal(gh_ws_hub_post(h, ia.id, "hello", 5, false), GH_WS_OK);
    pthread_mutex_lock(&F.mu);
    WAIT_FOR(a.ngot == 1);
    assert_string_equal(a.got[0], "hello");
    assert_true(b.in_send);
    assert_int_equal(b.ngot, 0);
    b.block = false;
    pthread_cond_broadcast(&F.cv);
    WAIT_FOR(b.ngot == 1 + per);
    pthread_mutex_unlock(&F.mu);
    assert_string_equal(b.got[0], "first");
    assert_int_equal(b.bytes, 5 + per * GH_WS_MAX_MESSAGE_BYTES);
    /* The queue drained: there is room again. */
    assert_int_equal(gh_ws_hub_post(h, ib.id, "again", 5, false), GH_WS_OK);
    pthread_mutex_lock(&F.mu);
    WAIT_FOR(b.ngot == 2 + per);
    pthread_mutex_unlock(&F.mu);
    assert_string_equal(b.got[1 + per], "again");

    gh_ws_hub_remove(h, ia.id);
    gh_ws_hub_remove(h, ib.id);
    gh_ws_hub_free(h);
}

static void test_sweep_idle_and_lifetime(void **state)
{
    (void)state;
    gh_ws_hub *h = new_hub();
    fake_client idle = {0}, busy = {0}, quick = {0};
    gh_ws_conn_info ii, ib, iq;
    add(h, &idle, 0, &ii);        /* the 10-minute default */
    add(h, &busy, 0, &ib);
    add(h, &quick, 30000, &iq);   /* idleTimeout: 30 */

    gh_clock_advance(29999);
    assert_int_equal(gh_ws_hub_sweep(h), 0);
    gh_clock_advance(1);
    assert_int_equal(gh_ws_hub_sweep(h), 1);
    pthread_mutex_lock(&F.mu);
    WAIT_FOR(quick.closes == 1);
    pthread_mutex_unlock(&F.mu);
    assert_int_equal(quick.close_code, 1001);
    assert_string_equal(quick.close_reason, "Going away");
    /* Closed connections answer GONE at once, before their thread ends. */
    assert_int_equal(gh_ws_hub_post(h, iq.id, "x", 1, false), GH_WS_GONE);

    /* busy stays active every 5 minutes; idle does not. */
    for (int i = 0; i < 2; i++) {
        gh_clock_advance(5 * 60 * 1000);
        gh_ws_hub_touch(h, ib.id);
    }
    assert_int_equal(gh_ws_hub_sweep(h), 1); /* idle: 10 min 30 s since it connected */
    pthread_mutex_lock(&F.mu);
    WAIT_FOR(idle.closes == 1);
    pthread_mutex_unlock(&F.mu);
    assert_int_equal(idle.close_code, 1001);
    assert_int_equal(busy.closes, 0);

    /* Activity never outlasts the 2-hour limit. */
    int64_t elapsed = 30000 + 2 * 5 * 60 * 1000;
    while (elapsed + 5 * 60 * 1000 < GH_WS_MAX_LIFETIME_MS) {
        gh_clock_advance(5 * 60 * 1000);
        elapsed += 5 * 60 * 1000;
        gh_ws_hub_touch(h, ib.id);
        assert_int_equal(gh_ws_hub_sweep(h), 0);
    }
    gh_clock_advance(GH_WS_MAX_LIFETIME_MS - elapsed);
    assert_int_equal(gh_ws_hub_sweep(h), 1);
    pthread_mutex_lock(&F.mu);
    WAIT_FOR(busy.closes == 1);
    pthread_mutex_unlock(&F.mu);
    assert_int_equal(busy.close_code, 1001);
    assert_string_equal(busy.close_reason, "Going away");

    gh_ws_hub_remove(h, ii.id);
    gh_ws_hub_remove(h, ib.id);
    gh_ws_hub_remove(h, iq.id);
    gh_ws_hub_remove(h, iq.id); /* twice: a no-op */
    gh_ws_hub_free(h);
}

static void test_delete_then_post_is_gone(void **state)
{
    (void)state;
    gh_ws_hub *h = new_hub();
    fake_client a = {0};
    gh_ws_conn_info ia, got;
    add(h, &a, 0, &ia);
    gh_arena *ar = gh_arena_new(1024);
    assert_int_equal(gh_ws_hub_get(h, ia.id, ar, &got), GH_WS_OK);
    assert_string_equal(got.source_ip, "127.0.0.1");
    assert_string_equal(got.user_agent, "test");
    assert_int_equal(got.connected_at_ms, T0);
    char ids[4][24];
    assert_int_equal(gh_ws_hub_list(h, ids, 4), 1);
    assert_string_equal(ids[0], ia.id);

    assert_int_equal(gh_ws_hub_delete(h, ia.id), GH_WS_OK);
    assert_int_equal(gh_ws_hub_post(h, ia.id, "x", 1, false), GH_WS_GONE);
    assert_int_equal(gh_ws_hub_get(h, ia.id, ar, &got), GH_WS_GONE);
    assert_int_equal(gh_ws_hub_delete(h, ia.id), GH_WS_GONE);
    assert_int_equal(gh_ws_hub_list(h, ids, 4), 0);
    pthread_mutex_lock(&F.mu);
    WAIT_FOR(a.closes == 1);
    pthread_mutex_unlock(&F.mu);
    assert_int_equal(a.close_code, 1000);
    assert_string_equal(a.close_reason, "Connection Closed Normally");
    gh_ws_hub_remove(h, ia.id);
    assert_int_equal(gh_ws_hub_post(h, "nope", "x", 1, false), GH_WS_GONE);
    gh_arena_free(ar);
    gh_ws_hub_free(h);
}

/* An id drawn before $connect is not reachable until added under it. */
static void test_id_before_registration(void **state)
{
    (void)state;
    gh_ws_hub *h = new_hub();
    fake_client a = {0};
    char id[24];
    gh_ws_hub_new_id(h, id);
    assert_int_equal(strlen(id), 16);
    assert_int_equal(id[15], '=');
    assert_int_equal(gh_ws_hub_post(h, id, "x", 1, false), GH_WS_GONE);
    gh_ws_conn_info info;
    assert_int_equal(gh_ws_hub_add_id(h, id, &a, "prod", "127.0.0.1", "t", 0, &info), 0);
    assert_string_equal(info.id, id);
    assert_int_equal(gh_ws_hub_add_id(h, id, &a, "prod", "127.0.0.1", "t", 0, &info), -1);
    assert_int_equal(gh_ws_hub_post(h, id, "x", 1, false), GH_WS_OK);
    pthread_mutex_lock(&F.mu);
    WAIT_FOR(a.ngot == 1);
    pthread_mutex_unlock(&F.mu);
    gh_ws_hub_remove(h, id);
    gh_ws_hub_free(h);
}

/* An id given as a string shorter than the 24-byte field (a literal, not a drawn
 * buffer): only the string is read (ASan caught a 24-byte copy past it). */
static void test_add_id_short_literal(void **state)
{
    (void)state;
    gh_ws_hub *h = new_hub();
    fake_client a = {0};
    gh_ws_conn_info info;
    char *id = malloc(5);
    memcpy(id, "abc=", 5);
    assert_int_equal(gh_ws_hub_add_id(h, id, &a, "prod", "127.0.0.1", "t", 0, &info), 0);
    assert_string_equal(info.id, "abc=");
    assert_int_equal(gh_ws_hub_post(h, "abc=", "x", 1, false), GH_WS_OK);
    pthread_mutex_lock(&F.mu);
    WAIT_FOR(a.ngot == 1);
    pthread_mutex_unlock(&F.mu);
    gh_ws_hub_remove(h, id);
    free(id);
    gh_ws_hub_free(h);
}

/* gh_ws_hub_flush (the server's shutdown): once it returns true every close scheduled
 * before it has been written (after the message a writer was busy with); a writer stuck on a client that does not read
 * makes it answer false at its deadline. */
static void test_flush_waits_for_writers(void **state)
{
    (void)state;
    gh_ws_hub *h = new_hub();
    fake_client a = {0}, b = {.block = true};
    gh_ws_conn_info ia, ib;
    add(h, &a, 0, &ia);
    add(h, &b, 0, &ib);
    assert_int_equal(gh_ws_hub_post(h, ib.id, "stuck", 5, false), GH_WS_OK);
    pthread_mutex_lock(&F.mu);
    WAIT_FOR(b.in_send);
    pthread_mutex_unlock(&F.mu);
    assert_false(gh_ws_hub_flush(h, 0));
    pthread_mutex_lock(&F.mu);
    b.block = false;
    pthread_cond_broadcast(&F.cv);
    pthread_mutex_unlock(&F.mu);

    assert_int_equal(gh_ws_hub_close(h, ia.id, 1001, "Going away"), GH_WS_OK);
    assert_int_equal(gh_ws_hub_close(h, ib.id, 1001, "Going away"), GH_WS_OK);
    assert_true(gh_ws_hub_flush(h, 10000));
    /* No waiting here: flush returned, so everything is written. */
    pthread_mutex_lock(&F.mu);
    assert_int_equal(a.ngot, 0);
    assert_int_equal(a.closes, 1);
    assert_int_equal(a.close_code, 1001);
    assert_string_equal(a.close_reason, "Going away");
    assert_int_equal(b.ngot, 1);
    assert_int_equal(b.closes, 1);
    assert_int_equal(b.close_code, 1001);
    pthread_mutex_unlock(&F.mu);
    gh_ws_hub_remove(h, ia.id);
    gh_ws_hub_remove(h, ib.id);
    gh_ws_hub_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_order_per_connection, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blocked_client_full_and_isolated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sweep_idle_and_lifetime, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delete_then_post_is_gone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_id_before_registration, setup, teardown),
        cmocka_unit_test_setup_teardown(test_add_id_short_literal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flush_waits_for_writers, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
