/* A WebSocket hub transport for unit tests (websocket/ws_hub.h): records the frames the
 * hub's writers send and the closes they make, can hold a writer until released
 * (`stalled`, for full queues), and lets a test wait for them on a condition, never on
 * the clock. Header-only, shared by the @connections and gatehouse.connections tests. */
#ifndef GH_WS_FAKE_TRANSPORT_H
#define GH_WS_FAKE_TRANSPORT_H
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

typedef struct fake_transport {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int nsent;
    char last[256];
    size_t last_len;
    bool last_binary;
    bool stalled;
    int nclosed;
    int close_code;
} fake_transport;

static inline int fake_send(void *ud, void *owner, const void *data, size_t len, bool binary)
{
    (void)owner;
    fake_transport *f = ud;
    pthread_mutex_lock(&f->mu);
    while (f->stalled)
        pthread_cond_wait(&f->cv, &f->mu);
    f->nsent++;
    f->last_len = len;
    f->last_binary = binary;
    memcpy(f->last, data, len < sizeof f->last ? len : sizeof f->last);
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
    return 0;
}

static inline void fake_close(void *ud, void *owner, int code, const char *reason)
{
    (void)owner;
    (void)reason;
    fake_transport *f = ud;
    pthread_mutex_lock(&f->mu);
    f->nclosed++;
    f->close_code = code;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
}

/* The hub closes from its writer: wait (on the condition) for the close to go out. */
static inline void wait_closed(fake_transport *f)
{
    pthread_mutex_lock(&f->mu);
    while (f->nclosed < 1)
        pthread_cond_wait(&f->cv, &f->mu);
    pthread_mutex_unlock(&f->mu);
}

/* Waits (on the condition, not the clock) until n frames went out. */
static inline void wait_sent(fake_transport *f, int n)
{
    pthread_mutex_lock(&f->mu);
    while (f->nsent < n)
        pthread_cond_wait(&f->cv, &f->mu);
    pthread_mutex_unlock(&f->mu);
}

#endif
