/* harness/queue_expect and queue_watch: expect.queues of docs/fixtures.md. Loading
 * errors and durations one case per line; matching against messages stored in a
 * simulated queue (json subset, exact body, attributes, count, too many, none), and a
 * wait that a message sent from another thread ends early. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/fixture.h"
#include "harness/queue_expect.h"
#include "harness/queue_watch.h"
#include "sim/sqs.h"
#include "util/clock.h"

static gh_fixture_file *load(const char *expect_yaml, gh_diags *d)
{
    char text[2048];
    snprintf(text, sizeof text,
             "fixtures:\n  - name: f\n    request: {path: /dev/x}\n    expect:\n      queues: %s\n",
             expect_yaml);
    gh_fixture_file *f = NULL;
    gh_fixture_file_load_buffer("t.yaml", text, strlen(text), &f, d);
    return f;
}

typedef struct load_case {
    const char *queues; /* YAML of expect.queues */
    const char *error;  /* a part of the first error, NULL when it loads */
} load_case;

static const load_case load_cases[] = {
    {"{orders: {within: 2s, count: 1, messages: [{json: {id: 1}}]}}", NULL},
    {"{orders: {}}", NULL},
    {"{orders: {within: 500ms}}", NULL},
    {"{orders: {within: 2}}", NULL},
    {"{orders: {count: 0, within: 0.1}}", NULL},
    {"{orders: {messages: [{body: hi}, {attributes: {kind: order, n: 5}}]}}", NULL},
    {"{orders: {within: 2 minutes}}", "within must be a time from 0 to 60s"},
    {"{orders: {within: 61s}}", "within must be a time from 0 to 60s"},
    {"{orders: {within: -1s}}", "within must be a time from 0 to 60s"},
    {"{orders: {count: -1}}", "count must be a whole number"},
    {"{orders: {count: x}}", "count must be a whole number"},
    {"{orders: {count: 1, messages: [{body: a}, {body: b}]}}", "count 1 is less than the 2"},
    {"{orders: {messages: [{}]}}", "says nothing about the message"},
    {"{orders: {messages: [{bdy: x}]}}", "unknown key 'bdy' in a queues message"},
    {"{orders: {messages: [{body: {a: 1}}]}}", "a queues message's body must be"},
    {"{orders: {messages: [{attributes: {k: [1]}}]}}", "attribute 'k' must be a value"},
    {"{orders: {messages: {json: {}}}}", "messages must be"},
    {"{orders: {wait: 2s}}", "unknown key 'wait'"},
    {"[orders]", "expect.queues must be"},
    {"{orders: 1}", "an expect.queues entry must be"},
};

static void test_load(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof load_cases / sizeof *load_cases; i++) {
        gh_diags d = GH_DIAGS_INIT;
        gh_fixture_file *f = load(load_cases[i].queues, &d);
        if (!load_cases[i].error) {
            if (!f)
                fail_msg("%s: %s", load_cases[i].queues, d.n ? d.items[0].text : "?");
            assert_non_null(f->items[0].exp_queues);
        } else {
            assert_null(f);
            if (!d.n || !strstr(d.items[0].text, load_cases[i].error))
                fail_msg("%s: got '%s', expected '%s'", load_cases[i].queues,
                         d.n ? d.items[0].text : "(no error)", load_cases[i].error);
        }
        gh_fixture_file_free(f);
        gh_diags_free(&d);
    }
}

static void test_queue_key_renamed(void **state)
{
    (void)state;
    const char *text = "fixtures:\n  - name: f\n    request: {path: /dev/x}\n"
                       "    expect: {queue: {orders: {}}}\n";
    gh_fixture_file *f = NULL;
    gh_diags d = GH_DIAGS_INIT;
    assert_int_equal(gh_fixture_file_load_buffer("t.yaml", text, strlen(text), &f, &d), -1);
    assert_non_null(strstr(d.items[0].text, "unknown key 'queue'"));
    gh_diags_free(&d);
}

typedef struct dur_case {
    const char *yaml;
    long ms;
} dur_case;

static const dur_case dur_cases[] = {
    {"2s", 2000}, {"500ms", 500}, {"2", 2000}, {"0.25", 250}, {"1.5s", 1500},
    {"0s", 0},    {"'3'", 3000},  {"2m", -1},  {"s", -1},      {"-1", -1},
    {"[1]", -1},  {"true", -1},
};

static void test_duration(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof dur_cases / sizeof *dur_cases; i++) {
        gh_doc *doc = NULL;
        gh_diags d = GH_DIAGS_INIT;
        char text[64];
        snprintf(text, sizeof text, "v: %s\n", dur_cases[i].yaml);
        assert_int_equal(gh_doc_load_buffer("d.yaml", text, strlen(text), &doc, &d), 0);
        long got = gh_fx_duration_ms(gh_node_get(doc->root, "v"));
        if (got != dur_cases[i].ms)
            fail_msg("%s: %ld, expected %ld", dur_cases[i].yaml, got, dur_cases[i].ms);
        gh_doc_free(doc);
        gh_diags_free(&d);
    }
}

typedef struct env {
    gh_sqs *sqs;
    gh_fx_queues *w;
} env;

static int setup(void **state)
{
    gh_clock_fake(1700000000000LL);
    env *e = calloc(1, sizeof *e);
    e->sqs = gh_sqs_new("us-east-1", "123456789012");
    gh_sqs_error err;
    assert_int_equal(gh_sqs_create_queue(e->sqs, "orders", NULL, 0, &err), 0);
    assert_int_equal(gh_sqs_create_queue(e->sqs, "other", NULL, 0, &err), 0);
    e->w = gh_fx_queues_new(e->sqs);
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    env *e = *state;
    gh_fx_queues_free(e->w);
    gh_sqs_free(e->sqs);
    free(e);
    return 0;
}

static void send(gh_sqs *sqs, const char *queue, const char *body, const char *kind)
{
    gh_sqs_attr at[] = {{.name = "kind", .data_type = "String", .string_value = kind},
                        {.name = "n", .data_type = "Number", .string_value = "5"}};
    gh_sqs_send m = {.body = body, .body_len = strlen(body), .delay_seconds = -1,
                     .attrs = kind ? at : NULL, .nattrs = kind ? 2 : 0};
    gh_sqs_sent sent;
    gh_sqs_error err;
    assert_int_equal(gh_sqs_send_message(sqs, queue, &m, &sent, &err), 0);
}

typedef struct match_case {
    const char *queues;   /* expect.queues; within 0s unless it should wait */
    int nfails;           /* 0: passes */
    const char *first;    /* a part of the first failure's what + message */
} match_case;

/* Arrived after the mark: on orders {"id":1,"tags":["a"]} (kind order, n 5) and
 * "plain"; on other "elsewhere". */
static const match_case match_cases[] = {
    {"{orders: {within: 0s, count: 2}}", 0, NULL},
    {"{orders: {within: 0s, count: 2, messages: [{json: {id: 1}}]}}", 0, NULL},
    {"{orders: {within: 0s, messages: [{json: {id: 1}}, {body: plain}]}}", 0, NULL},
    {"{orders: {within: 0s, messages: [{body: plain}, {json: {tags: [a]}}]}}", 0, NULL},
    {"{orders: {within: 0s, count: 2, messages: [{attributes: {kind: order, n: 5}}]}}", 0, NULL},
    {"{orders: {within: 0s, count: 2, messages: [{attributes: {n: '5'}}]}}", 1, "attributes $.n"},
    {"{orders: {within: 0s}}", 1, "queue orders"},
    {"{orders: {within: 0s, count: 3}}", 1, "queue orders"},
    {"{orders: {within: 0s, count: 2, messages: [{json: {id: 2}}]}}", 1, "json $.id"},
    {"{orders: {within: 0s, count: 2, messages: [{body: plan}]}}", 1, "messages[0]"},
    {"{orders: {within: 0s, messages: [{body: plain}, {body: plain}]}}", 1, "messages[1]"},
    {"{other: {within: 0s, messages: [{body: elsewhere}]}}", 0, NULL},
    {"{other: {within: 0s, count: 0}}", 1, "queue other"},
    {"{nothing: {within: 0s, count: 0}}", 0, NULL},
    {"{nothing: {within: 0s}}", 1, "1 message within 0ms"},
};

static void test_match(void **state)
{
    env *e = *state;
    for (size_t i = 0; i < sizeof match_cases / sizeof *match_cases; i++) {
        const match_case *c = &match_cases[i];
        gh_diags d = GH_DIAGS_INIT;
        gh_fixture_file *f = load(c->queues, &d);
        if (!f)
            fail_msg("%s: %s", c->queues, d.items[0].text);
        uint64_t mark = gh_fx_queues_mark(e->w);
        send(e->sqs, "orders", "{\"id\":1,\"tags\":[\"a\"]}", "order");
        send(e->sqs, "orders", "plain", NULL);
        send(e->sqs, "other", "elsewhere", NULL);
        gh_arena *a = gh_arena_new(4096);
        gh_vars v;
        gh_vars_init(&v, a);
        gh_fx_result r = {.passed = true};
        gh_fx_expect_queues(a, &v, &f->items[0], e->w, mark, gh_fx_queues_now_ms(), &r);
        if ((int)r.nfails != c->nfails)
            fail_msg("%s: %zu failures (first: %s %s), expected %d", c->queues, r.nfails,
                     r.nfails ? r.fails[0].what : "", r.nfails && r.fails[0].message ?
                     r.fails[0].message : "", c->nfails);
        if (c->first) {
            char *all = gh_arena_printf(a, "%s %s %s", r.fails[0].what,
                                        r.fails[0].expected ? r.fails[0].expected : "",
                                        r.fails[0].message ? r.fails[0].message : "");
            if (!strstr(all, c->first))
                fail_msg("%s: first failure '%s' lacks '%s'", c->queues, all, c->first);
        }
        gh_arena_free(a);
        gh_fixture_file_free(f);
        gh_diags_free(&d);
    }
}

static void *late_sender(void *ud)
{
    env *e = ud;
    send(e->sqs, "orders", "{\"late\":true}", NULL);
    return NULL;
}

/* The wait ends when the message arrives, long before within's 30 s. */
static void test_wait_wakes(void **state)
{
    env *e = *state;
    gh_diags d = GH_DIAGS_INIT;
    gh_fixture_file *f = load("{orders: {within: 30s, messages: [{json: {late: true}}]}}", &d);
    assert_non_null(f);
    uint64_t mark = gh_fx_queues_mark(e->w);
    int64_t t0 = gh_fx_queues_now_ms();
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, late_sender, e), 0);
    gh_arena *a = gh_arena_new(4096);
    gh_vars v;
    gh_vars_init(&v, a);
    gh_fx_result r = {.passed = true};
    gh_fx_expect_queues(a, &v, &f->items[0], e->w, mark, t0, &r);
    pthread_join(t, NULL);
    assert_int_equal(r.nfails, 0);
    assert_true(gh_fx_queues_now_ms() - t0 < 10000);
    gh_arena_free(a);
    gh_fixture_file_free(f);
    gh_diags_free(&d);
}

static void test_without_watcher(void **state)
{
    (void)state;
    gh_diags d = GH_DIAGS_INIT;
    gh_fixture_file *f = load("{orders: {}}", &d);
    gh_arena *a = gh_arena_new(4096);
    gh_vars v;
    gh_vars_init(&v, a);
    gh_fx_result r = {.passed = true};
    gh_fx_expect_queues(a, &v, &f->items[0], NULL, 0, gh_fx_queues_now_ms(), &r);
    assert_int_equal(r.nfails, 1);
    assert_non_null(strstr(r.fails[0].message, "not --target"));
    gh_arena_free(a);
    gh_fixture_file_free(f);
    gh_diags_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load),
        cmocka_unit_test(test_queue_key_renamed),
        cmocka_unit_test(test_duration),
        cmocka_unit_test_setup_teardown(test_match, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wait_wakes, setup, teardown),
        cmocka_unit_test(test_without_watcher),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
