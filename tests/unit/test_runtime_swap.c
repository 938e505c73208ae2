/* server/runtime: gh_live's reference counting. A swap installs the new runtime at once;
 * the old one (model + Lua states) lives until the last request holding it releases it,
 * and not a moment longer. The model's own reference count shows when a runtime was
 * freed: the test holds an extra model reference, so the count drops from 2 to 1 exactly
 * when the runtime is freed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "runtime_build.h"
#include "server/runtime.h"

static char dir[64];
static char def[128];

static const char DEFINITION[] =
    "openapi: \"3.0.1\"\n"
    "info: {title: \"swap\", version: \"1\"}\n"
    "paths:\n"
    "  /ping:\n"
    "    get:\n"
    "      x-amazon-apigateway-integration:\n"
    "        type: \"mock\"\n"
    "        requestTemplates: {application/json: \"{\\\"statusCode\\\": 200}\"}\n"
    "        responses: {default: {statusCode: \"200\"}}\n";

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/gh-swap-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(def, sizeof def, "%s/api.yaml", dir);
    FILE *f = fopen(def, "w");
    if (!f)
        return -1;
    fputs(DEFINITION, f);
    return fclose(f);
}

static int teardown(void **state)
{
    (void)state;
    unlink(def);
    return rmdir(dir);
}

static gh_runtime *build(unsigned generation)
{
    gh_runtime *rt = build_runtime(def, generation);
    assert_int_equal(rt->model->generation, generation);
    return rt;
}

static unsigned refs(gh_model *m)
{
    return atomic_load(&m->refs);
}

static void test_old_runtime_freed_on_last_release(void **state)
{
    (void)state;
    gh_runtime *r1 = build(1), *r2 = build(2), *r3 = build(3);
    gh_model *m1 = gh_model_ref(r1->model), *m2 = gh_model_ref(r2->model),
             *m3 = gh_model_ref(r3->model);
    assert_int_equal(refs(m1), 2);

    gh_live *live = gh_live_new(r1);
    const gh_runtime *a = gh_live_acquire(live);
    const gh_runtime *b = gh_live_acquire(live);
    assert_ptr_equal(a, r1);
    assert_ptr_equal(b, r1);

    gh_live_swap(live, r2);
    assert_int_equal(refs(m1), 2);            /* two requests still hold generation 1 */
    const gh_runtime *c = gh_live_acquire(live);
    assert_ptr_equal(c, r2);                  /* new requests get generation 2 at once */
    assert_int_equal(c->model->generation, 2);

    gh_live_release(live, a);
    assert_int_equal(refs(m1), 2);            /* b still holds it */
    gh_live_release(live, b);
    assert_int_equal(refs(m1), 1);            /* the last release freed runtime 1 */

    /* A swap while nothing holds the current runtime frees it on the spot... */
    gh_live_release(live, c);
    gh_live_swap(live, r3);
    assert_int_equal(refs(m2), 1);
    /* ...and the live one goes with gh_live_free. */
    assert_int_equal(refs(m3), 2);
    gh_live_free(live);
    assert_int_equal(refs(m3), 1);

    gh_model_unref(m1);
    gh_model_unref(m2);
    gh_model_unref(m3);
}

typedef struct worker {
    gh_live *live;
    int rounds;
    unsigned max_generation; /* generations never go backwards for one reader */
    int went_back;
} worker;

static void *reader(void *arg)
{
    worker *w = arg;
    for (int i = 0; i < w->rounds; i++) {
        const gh_runtime *rt = gh_live_acquire(w->live);
        unsigned g = rt->model->generation;
        if (g < w->max_generation)
            w->went_back++;
        w->max_generation = g;
        gh_live_release(w->live, rt);
    }
    return NULL;
}

/* Readers acquiring and releasing while the main thread swaps: every runtime but the
 * current one is freed by the end (the models' counts say so), and under ASan a runtime
 * freed while held would be a use-after-free report. */
static void test_concurrent_swaps(void **state)
{
    (void)state;
    enum { NGEN = 8, NREADERS = 4 };
    gh_model *models[NGEN];
    gh_runtime *first = build(1);
    models[0] = gh_model_ref(first->model);
    gh_live *live = gh_live_new(first);
    worker w[NREADERS];
    pthread_t t[NREADERS];
    for (int i = 0; i < NREADERS; i++) {
        w[i] = (worker){.live = live, .rounds = 20000};
        assert_int_equal(pthread_create(&t[i], NULL, reader, &w[i]), 0);
    }
    for (unsigned g = 2; g <= NGEN; g++) {
        gh_runtime *rt = build(g);
        models[g - 1] = gh_model_ref(rt->model);
        gh_live_swap(live, rt);
    }
    for (int i = 0; i < NREADERS; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].went_back, 0);
    }
    for (int g = 0; g < NGEN - 1; g++)
        assert_int_equal(refs(models[g]), 1);
    assert_int_equal(refs(models[NGEN - 1]), 2);
    gh_live_free(live);
    for (int g = 0; g < NGEN; g++) {
        assert_int_equal(refs(models[g]), 1);
        gh_model_unref(models[g]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_old_runtime_freed_on_last_release),
        cmocka_unit_test(test_concurrent_swaps),
    };
    return cmocka_run_group_tests_name("runtime swap", tests, setup, teardown);
}
