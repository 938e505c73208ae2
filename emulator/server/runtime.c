#include "server/runtime.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "auth/cache.h"
#include "script/pool.h"

/* A runtime with its reference count; gh_runtime is the first member so the pointer a
 * request holds converts back. */
typedef struct slot {
    gh_runtime rt;
    atomic_int refs;
} slot;

struct gh_live {
    pthread_mutex_t lock;
    slot *current;
};

gh_runtime *gh_runtime_build(const gh_load_options *opt, gh_diags *d)
{
    gh_model *m = gh_model_load(opt, d);
    if (!m)
        return NULL;
    gh_script_pool *pool = gh_script_pool_new(m, 0, d);
    if (!pool) {
        gh_model_unref(m);
        return NULL;
    }
    slot *s = calloc(1, sizeof *s);
    if (!s)
        abort();
    s->rt.model = m;
    s->rt.scripts = pool;
    atomic_init(&s->refs, 1);
    return &s->rt;
}

void gh_runtime_free(gh_runtime *rt)
{
    if (!rt)
        return;
    gh_script_pool_free(rt->scripts);
    gh_auth_cache_free(rt->auth_cache);
    gh_model_unref(rt->model);
    free((slot *)rt);
}

static void slot_release(slot *s)
{
    if (s && atomic_fetch_sub(&s->refs, 1) == 1)
        gh_runtime_free(&s->rt);
}

gh_live *gh_live_new(gh_runtime *rt)
{
    gh_live *l = calloc(1, sizeof *l);
    if (!l)
        abort();
    pthread_mutex_init(&l->lock, NULL);
    l->current = (slot *)rt;
    return l;
}

void gh_live_free(gh_live *l)
{
    if (!l)
        return;
    slot_release(l->current);
    pthread_mutex_destroy(&l->lock);
    free(l);
}

void gh_live_swap(gh_live *l, gh_runtime *rt)
{
    pthread_mutex_lock(&l->lock);
    slot *old = l->current;
    l->current = (slot *)rt;
    pthread_mutex_unlock(&l->lock);
    slot_release(old);
}

const gh_runtime *gh_live_acquire(gh_live *l)
{
    pthread_mutex_lock(&l->lock);
    slot *s = l->current;
    atomic_fetch_add(&s->refs, 1);
    pthread_mutex_unlock(&l->lock);
    return &s->rt;
}

void gh_live_release(gh_live *l, const gh_runtime *rt)
{
    (void)l;
    slot_release((slot *)rt);
}
