/* The arrival log behind expect.queues: an SQS observer copying each message. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness/queue_watch.h"

/* The log keeps this many messages; when full, the older half goes. A fixture waits
 * seconds at most, so only a run sending this many messages meanwhile could miss one. */
#define LOG_MAX 100000

typedef struct arrival {
    uint64_t seq;
    char *queue;
    gh_sqs_message m; /* a deep copy */
} arrival;

struct gh_fx_queues {
    gh_sqs *sqs;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    arrival *log;
    size_t n, cap;
    uint64_t next;
};

static char *dup_n(const char *s, size_t n)
{
    if (!s)
        return NULL;
    char *d = malloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

static char *dup_s(const char *s)
{
    return s ? dup_n(s, strlen(s)) : NULL;
}

static gh_sqs_attr *copy_attrs(const gh_sqs_attr *a, size_t n)
{
    gh_sqs_attr *c = calloc(n + 1, sizeof *c);
    for (size_t i = 0; i < n; i++) {
        c[i].name = dup_s(a[i].name);
        c[i].data_type = dup_s(a[i].data_type);
        c[i].string_value = dup_s(a[i].string_value);
        c[i].binary_value =
            (const unsigned char *)dup_n((const char *)a[i].binary_value, a[i].binary_len);
        c[i].binary_len = a[i].binary_len;
    }
    return c;
}

static void free_attrs(gh_sqs_attr *a, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free((char *)a[i].name);
        free((char *)a[i].data_type);
        free((char *)a[i].string_value);
        free((unsigned char *)a[i].binary_value);
    }
    free(a);
}

static void drop(arrival *a)
{
    free(a->queue);
    free(a->m.message_id);
    free(a->m.body);
    free_attrs(a->m.attrs, a->m.nattrs);
    free_attrs(a->m.system_attrs, a->m.nsystem_attrs);
}

static void observe(void *ud, const char *queue, const gh_sqs_message *m)
{
    gh_fx_queues *w = ud;
    arrival a = {.queue = dup_s(queue)};
    a.m.message_id = dup_s(m->message_id);
    a.m.body = dup_n(m->body ? m->body : "", m->body_len);
    a.m.body_len = m->body_len;
    memcpy(a.m.md5_body, m->md5_body, sizeof a.m.md5_body);
    a.m.attrs = copy_attrs(m->attrs, m->nattrs);
    a.m.nattrs = m->nattrs;
    a.m.system_attrs = copy_attrs(m->system_attrs, m->nsystem_attrs);
    a.m.nsystem_attrs = m->nsystem_attrs;
    a.m.sent_ms = m->sent_ms;
    pthread_mutex_lock(&w->lock);
    if (w->n == LOG_MAX) {
        size_t half = LOG_MAX / 2;
        for (size_t i = 0; i < half; i++)
            drop(&w->log[i]);
        memmove(w->log, w->log + half, (w->n - half) * sizeof *w->log);
        w->n -= half;
    }
    if (w->n == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 64;
        w->log = realloc(w->log, w->cap * sizeof *w->log);
    }
    a.seq = w->next++;
    w->log[w->n++] = a;
    pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

gh_fx_queues *gh_fx_queues_new(gh_sqs *sqs)
{
    gh_fx_queues *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->sqs = sqs;
    pthread_mutex_init(&w->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&w->cond, &ca);
    pthread_condattr_destroy(&ca);
    gh_sqs_set_observer(sqs, observe, w);
    return w;
}

void gh_fx_queues_free(gh_fx_queues *w)
{
    if (!w)
        return;
    gh_sqs_set_observer(w->sqs, NULL, NULL);
    for (size_t i = 0; i < w->n; i++)
        drop(&w->log[i]);
    free(w->log);
    pthread_cond_destroy(&w->cond);
    pthread_mutex_destroy(&w->lock);
    free(w);
}

uint64_t gh_fx_queues_mark(gh_fx_queues *w)
{
    pthread_mutex_lock(&w->lock);
    uint64_t m = w->next;
    pthread_mutex_unlock(&w->lock);
    return m;
}

int64_t gh_fx_queues_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool gh_fx_queues_wait(gh_fx_queues *w, const char *queue, uint64_t mark, int64_t deadline_ms,
                       gh_fx_arrivals_check check, void *ud)
{
    const gh_sqs_message **msgs = NULL;
    size_t cap = 0;
    bool ok = false;
    struct timespec until = {(time_t)(deadline_ms / 1000), (long)(deadline_ms % 1000) * 1000000L};
    pthread_mutex_lock(&w->lock);
    for (;;) {
        size_t n = 0;
        for (size_t i = 0; i < w->n; i++) {
            if (w->log[i].seq < mark || strcmp(w->log[i].queue, queue))
                continue;
            if (n == cap) {
                cap = cap ? cap * 2 : 16;
                msgs = realloc(msgs, cap * sizeof *msgs);
            }
            msgs[n++] = &w->log[i].m;
        }
        ok = check(ud, msgs, n);
        if (ok || gh_fx_queues_now_ms() >= deadline_ms)
            break;
        uint64_t seen = w->next;
        while (w->next == seen)
            if (pthread_cond_timedwait(&w->cond, &w->lock, &until) == ETIMEDOUT)
                break;
        if (w->next == seen) /* timed out with nothing new: check's answer stands */
            break;
    }
    pthread_mutex_unlock(&w->lock);
    free(msgs);
    return ok;
}
