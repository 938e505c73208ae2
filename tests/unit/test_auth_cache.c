/* auth/cache: keys as AWS builds them (token; identity sources in order; per authorizer;
 * never the method ARN), TTL on the fake clock to the millisecond, TTL 0, the AWS range,
 * eviction at the bound, flush, and four threads sharing one cache. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "auth/cache.h"
#include "util/clock.h"

#define T0 1700000000000LL

static json_t *result(const char *principal)
{
    return json_pack("{s:s, s:{s:s, s:[{s:s, s:s, s:s}]}}", "principalId", principal,
                     "policyDocument", "Version", "2012-10-17", "Statement", "Effect", "Allow",
                     "Action", "execute-api:Invoke", "Resource",
                     "arn:aws:execute-api:eu-west-1:111122223333:k3x9q2w7ab/prod/GET/orders/42");
}

static gh_auth_cache_key key1(const char *api, const char *auth, const char *const *src, size_t n)
{
    gh_auth_cache_key k = {api, auth, src, n};
    return k;
}

/* The principal of a hit, or "" on a miss (static buffer). */
static const char *lookup(gh_auth_cache *c, const gh_auth_cache_key *k)
{
    static char buf[64];
    json_t *out = NULL;
    buf[0] = '\0';
    if (gh_auth_cache_get(c, k, &out)) {
        snprintf(buf, sizeof buf, "%s", json_string_value(json_object_get(out, "principalId")));
        json_decref(out);
    } else {
        assert_null(out);
    }
    return buf;
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

static void put(gh_auth_cache *c, const gh_auth_cache_key *k, long ttl, const char *principal)
{
    json_t *r = result(principal);
    assert_int_equal(gh_auth_cache_put(c, k, ttl, r), 0);
    /* the cache copied: the caller's reference is untouched and still its own */
    assert_int_equal(r->refcount, 1);
    json_decref(r);
}

static void test_hit_miss_and_copy(void **state)
{
    (void)state;
    gh_auth_cache *c = gh_auth_cache_new(0);
    const char *tok[] = {"Bearer abc"}, *other[] = {"Bearer abd"};
    gh_auth_cache_key k = key1("k3x9q2w7ab", "Tok", tok, 1);
    gh_auth_cache_key k2 = key1("k3x9q2w7ab", "Tok", other, 1);
    assert_string_equal(lookup(c, &k), "");
    put(c, &k, 300, "user-1");
    assert_string_equal(lookup(c, &k), "user-1");
    assert_string_equal(lookup(c, &k2), "");
    /* a hit shares the stored result (no copy per hit); a put stored its own copy, so
     * the caller's object changing later does not reach the cache */
    json_t *out = NULL, *again = NULL;
    assert_int_equal(gh_auth_cache_get(c, &k, &out), 1);
    assert_int_equal(gh_auth_cache_get(c, &k, &again), 1);
    assert_ptr_equal(out, again);
    json_decref(again);
    json_t *mine = json_pack("{s:s}", "principalId", "user-3");
    assert_int_equal(gh_auth_cache_put(c, &k2, 300, mine), 0);
    json_object_set_new(mine, "principalId", json_string("mutated"));
    json_decref(mine);
    assert_string_equal(lookup(c, &k2), "user-3");
    /* the shared reference outlives a replacement of its entry */
    put(c, &k, 300, "user-1b");
    assert_string_equal(json_string_value(json_object_get(out, "principalId")), "user-1");
    json_decref(out);
    put(c, &k, 300, "user-1");
    assert_string_equal(lookup(c, &k), "user-1");
    /* put on the same key replaces */
    put(c, &k, 300, "user-2");
    assert_string_equal(lookup(c, &k), "user-2");
    assert_int_equal(gh_auth_cache_count(c), 2);
    gh_auth_cache_free(c);
}

static void test_ttl_boundary(void **state)
{
    (void)state;
    static const struct {
        long ttl;
        int64_t after_ms;
        const char *expect;
    } cases[] = {
        {300, 0, "u"}, {300, 299999, "u"}, {300, 300000, ""},    {300, 300001, ""},
        {1, 999, "u"}, {1, 1000, ""},      {3600, 3599999, "u"}, {3600, 3600000, ""},
    };
    const char *tok[] = {"t"};
    gh_auth_cache_key k = key1("a", "A", tok, 1);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gh_clock_fake(T0);
        gh_auth_cache *c = gh_auth_cache_new(0);
        put(c, &k, cases[i].ttl, "u");
        gh_clock_advance(cases[i].after_ms);
        if (strcmp(lookup(c, &k), cases[i].expect) != 0)
            fail_msg("case %zu: ttl %ld after %lld ms", i, cases[i].ttl,
                     (long long)cases[i].after_ms);
        gh_auth_cache_free(c);
    }
}

static void test_ttl_zero_and_range(void **state)
{
    (void)state;
    static const struct {
        long ttl;
        int valid;
    } cases[] = {{-1, 0}, {0, 1}, {1, 1}, {300, 1}, {3600, 1}, {3601, 0}, {86400, 0}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(gh_auth_cache_ttl_valid(cases[i].ttl), cases[i].valid);

    gh_auth_cache *c = gh_auth_cache_new(0);
    const char *tok[] = {"t"};
    gh_auth_cache_key k = key1("a", "A", tok, 1);
    json_t *r = result("u");
    assert_int_equal(gh_auth_cache_put(c, &k, 0, r), 0); /* TTL 0: stores nothing */
    assert_int_equal(gh_auth_cache_count(c), 0);
    assert_string_equal(lookup(c, &k), "");
    assert_int_equal(gh_auth_cache_put(c, &k, 3601, r), -1); /* AWS rejects > 3600 */
    assert_int_equal(gh_auth_cache_put(c, &k, -5, r), -1);
    assert_int_equal(gh_auth_cache_count(c), 0);
    json_decref(r);
    gh_auth_cache_free(c);
}

static void test_separate_authorizers(void **state)
{
    (void)state;
    gh_auth_cache *c = gh_auth_cache_new(0);
    const char *tok[] = {"same-token"};
    /* "ab"+"c" and "a"+"bc" must not collide either */
    gh_auth_cache_key keys[] = {key1("api1", "Auth", tok, 1), key1("api1", "Other", tok, 1),
                                key1("api2", "Auth", tok, 1), key1("ab", "c", tok, 1),
                                key1("a", "bc", tok, 1)};
    const char *who[] = {"p0", "p1", "p2", "p3", "p4"};
    for (size_t i = 0; i < 5; i++)
        put(c, &keys[i], 300, who[i]);
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(lookup(c, &keys[i]), who[i]);
    assert_int_equal(gh_auth_cache_count(c), 5);
    gh_auth_cache_free(c);
}

static void test_request_sources(void **state)
{
    (void)state;
    gh_auth_cache *c = gh_auth_cache_new(0);
    const char *stored[] = {"h1", "q1", "prod"};
    gh_auth_cache_key ks = key1("api", "Req", stored, 3);
    put(c, &ks, 300, "req");
    static const struct {
        const char *src[3];
        size_t n;
        const char *expect;
    } cases[] = {
        {{"h1", "q1", "prod"}, 3, "req"}, /* same values, same order */
        {{"q1", "h1", "prod"}, 3, ""},    /* order matters */
        {{"h1", "q1", "dev"}, 3, ""},     /* any value differs */
        {{"h1", "q1"}, 2, ""},            /* fewer sources */
        {{"h1,q1", "prod"}, 2, ""},       /* joined values are not the same key */
        {{"h1", NULL, "prod"}, 3, ""},    /* a missing source: never found */
        {{"h1", "", "prod"}, 3, ""},      /* an empty one counts as missing */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gh_auth_cache_key k = key1("api", "Req", cases[i].src, cases[i].n);
        if (strcmp(lookup(c, &k), cases[i].expect) != 0)
            fail_msg("case %zu", i);
    }
    /* a key with a missing source stores nothing */
    const char *missing[] = {"h1", NULL, "prod"};
    gh_auth_cache_key km = key1("api", "Req", missing, 3);
    json_t *r = result("x");
    assert_int_equal(gh_auth_cache_put(c, &km, 300, r), 0);
    json_decref(r);
    assert_int_equal(gh_auth_cache_count(c), 1);
    gh_auth_cache_free(c);
}

/* The classic trap: the key has no method ARN, so an entry stored while calling GET
 * /orders/42 is the one found for DELETE /orders/7 too (the caller then re-evaluates its
 * policy against that ARN and, as on AWS, denies). */
static void test_no_method_in_key(void **state)
{
    (void)state;
    gh_auth_cache *c = gh_auth_cache_new(0);
    const char *tok[] = {"Bearer abc"};
    gh_auth_cache_key k = key1("k3x9q2w7ab", "Tok", tok, 1);
    put(c, &k, 300, "first-call");
    json_t *out = NULL;
    assert_int_equal(gh_auth_cache_get(c, &k, &out), 1);
    const char *res = json_string_value(json_object_get(
        json_array_get(json_object_get(json_object_get(out, "policyDocument"), "Statement"), 0),
        "Resource"));
    assert_string_equal(res,
                        "arn:aws:execute-api:eu-west-1:111122223333:k3x9q2w7ab/prod/GET/orders/42");
    json_decref(out);
    gh_auth_cache_free(c);
}

static void test_eviction(void **state)
{
    (void)state;
    gh_auth_cache *c = gh_auth_cache_new(3);
    const char *t[5][1] = {{"t0"}, {"t1"}, {"t2"}, {"t3"}, {"t4"}};
    gh_auth_cache_key k[5];
    for (size_t i = 0; i < 5; i++)
        k[i] = key1("a", "A", t[i], 1);
    put(c, &k[0], 300, "0");
    put(c, &k[1], 10, "1"); /* expires first though not the oldest */
    put(c, &k[2], 300, "2");
    assert_int_equal(gh_auth_cache_count(c), 3);
    gh_clock_advance(10000);
    put(c, &k[3], 300, "3"); /* full: the expired t1 goes, the oldest t0 stays */
    assert_int_equal(gh_auth_cache_count(c), 3);
    assert_string_equal(lookup(c, &k[0]), "0");
    assert_string_equal(lookup(c, &k[1]), "");
    put(c, &k[4], 300, "4"); /* full, nothing expired: the oldest (t0) goes */
    assert_int_equal(gh_auth_cache_count(c), 3);
    assert_string_equal(lookup(c, &k[0]), "");
    assert_string_equal(lookup(c, &k[2]), "2");
    assert_string_equal(lookup(c, &k[3]), "3");
    assert_string_equal(lookup(c, &k[4]), "4");
    gh_auth_cache_free(c);
}

static void test_flush(void **state)
{
    (void)state;
    gh_auth_cache *c = gh_auth_cache_new(0);
    const char *tok[] = {"t"};
    gh_auth_cache_key k = key1("a", "A", tok, 1);
    put(c, &k, 300, "u");
    gh_auth_cache_flush(c);
    assert_int_equal(gh_auth_cache_count(c), 0);
    assert_string_equal(lookup(c, &k), "");
    put(c, &k, 300, "v"); /* usable after a flush */
    assert_string_equal(lookup(c, &k), "v");
    gh_auth_cache_free(c);
}

typedef struct {
    gh_auth_cache *c;
    int id, hits, bad;
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    char tok[32], who[32];
    for (int i = 0; i < 2000; i++) {
        snprintf(tok, sizeof tok, "t%d", i % 50); /* shared keys across threads */
        snprintf(who, sizeof who, "p%d", i % 50);
        const char *src[] = {tok};
        gh_auth_cache_key k = {"api", "A", src, 1};
        json_t *out = NULL;
        if (gh_auth_cache_get(w->c, &k, &out)) {
            w->hits++;
            if (strcmp(json_string_value(json_object_get(out, "principalId")), who) != 0)
                w->bad++;
            json_decref(out);
        } else {
            json_t *r = result(who);
            if (gh_auth_cache_put(w->c, &k, 300, r) != 0)
                w->bad++;
            json_decref(r);
        }
        if (w->id == 0 && i % 500 == 499)
            gh_auth_cache_flush(w->c);
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    gh_auth_cache *c = gh_auth_cache_new(40); /* below the 50 keys: eviction under load */
    pthread_t th[4];
    worker w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (worker){c, i, 0, 0};
        assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
    }
    int hits = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].bad, 0);
        hits += w[i].hits;
    }
    assert_true(hits > 0);
    assert_true(gh_auth_cache_count(c) <= 40);
    gh_auth_cache_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_hit_miss_and_copy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ttl_boundary, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ttl_zero_and_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_separate_authorizers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_request_sources, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_method_in_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_eviction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flush, setup, teardown),
        cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
