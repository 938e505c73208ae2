/* The server's open WebSocket connections (see ws_hub.h): the registry of
 * websocket/connections.h (ids, clocks, bounded queues) plus what the socket side needs,
 * one small record per connection from gh_ws_hub_add until its thread calls
 * gh_ws_hub_remove.
 *
 * Writers. A message posted for a connection is written by a writer thread of that
 * connection, started on demand when its queue goes from empty to not empty and ending
 * when the queue is empty again. At most one writer serves a connection at a time and it
 * takes frames in queue order, so each client gets its messages in the order they were
 * posted. A client that never reads blocks only its own writer (inside the transport's
 * send, until civetweb's write times out or the socket dies): every other connection has
 * its own writer, and posting only queues, so no request thread ever waits on a client.
 * A fixed pool could be exhausted by as many stuck clients as it has threads; a thread
 * per busy connection cannot, and costs nothing for the idle majority (a broadcast to N
 * connections starts at most N short-lived writers, each with a small stack). The queue
 * bound (GH_WS_SEND_QUEUE_MAX_BYTES) caps what a stuck client can pile up.
 *
 * Closing. A close (DeleteConnection: 1000; idle timeout or the 2-hour limit: 1001) is
 * also written by the connection's writer, after what it was already writing, so the
 * sweeper never blocks on a stuck client either.
 *
 * Lifetime of the transport's owner (a civetweb connection, reused by civetweb once its
 * thread returns): it is only used by a writer marked busy, and gh_ws_hub_remove, which
 * the connection's thread calls before returning, waits until no writer is busy with it
 * and stops further use. Every registry call that frees an entry (remove, expire) runs
 * under the hub lock, so strings read from the registry stay valid while it is held.
 * Lock order: hub, then registry. */
#include "websocket/ws_hub.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/log.h"

/* Writers need little stack (the transport frames and writes); 256 KB leaves room for
 * the sanitizers' larger frames. */
#define WRITER_STACK_BYTES (256 * 1024)
#define INITIAL_BUCKETS 64

typedef struct hub_conn {
    struct hub_conn *next;
    char id[24];
    void *owner;
    bool writer;  /* a writer thread serves it */
    int busy;     /* writers using owner outside the lock */
    bool ended;   /* gh_ws_hub_remove ran: owner must not be used again */
    bool close_pending;
    int close_code;
    char close_reason[64];
} hub_conn;

struct gh_ws_hub {
    gh_ws_transport t;
    gh_connections *reg;
    pthread_mutex_t mu;
    pthread_cond_t cv; /* a writer ended or stopped being busy */
    hub_conn **buckets;
    size_t nbuckets, count;
    size_t writers;    /* running writer threads */
};

typedef struct writer_arg {
    gh_ws_hub *h;
    char id[24];
} writer_arg;

static size_t hash_id(const char *id)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (const char *p = id; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return (size_t)h;
}

static hub_conn **slot_of(gh_ws_hub *h, const char *id)
{
    hub_conn **pp = &h->buckets[hash_id(id) & (h->nbuckets - 1)];
    while (*pp && strcmp((*pp)->id, id) != 0)
        pp = &(*pp)->next;
    return pp;
}

static hub_conn *find(gh_ws_hub *h, const char *id)
{
    return id ? *slot_of(h, id) : NULL;
}

/* Doubling keeps chains short as connections pile up; a failed grow only costs speed. */
static void maybe_grow(gh_ws_hub *h)
{
    if (h->count < h->nbuckets * 2)
        return;
    size_t nb = h->nbuckets * 2;
    hub_conn **b = calloc(nb, sizeof *b);
    if (!b)
        return;
    for (size_t i = 0; i < h->nbuckets; i++) {
        for (hub_conn *e = h->buckets[i], *n; e; e = n) {
            n = e->next;
            size_t k = hash_id(e->id) & (nb - 1);
            e->next = b[k];
            b[k] = e;
        }
    }
    free(h->buckets);
    h->buckets = b;
    h->nbuckets = nb;
}

gh_ws_hub *gh_ws_hub_new(const gh_ws_transport *t)
{
    gh_ws_hub *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->t = *t;
    h->reg = gh_connections_new(0);
    h->buckets = calloc(INITIAL_BUCKETS, sizeof *h->buckets);
    h->nbuckets = INITIAL_BUCKETS;
    if (!h->reg || !h->buckets) {
        gh_connections_free(h->reg);
        free(h->buckets);
        free(h);
        return NULL;
    }
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->cv, NULL);
    return h;
}

void gh_ws_hub_free(gh_ws_hub *h)
{
    if (!h)
        return;
    /* The server stopped, so every socket is gone and a writer still running ends as
     * soon as its send fails: wait for them (they are detached; this is their join). */
    pthread_mutex_lock(&h->mu);
    while (h->writers > 0)
        pthread_cond_wait(&h->cv, &h->mu);
    pthread_mutex_unlock(&h->mu);
    for (size_t i = 0; i < h->nbuckets; i++) {
        for (hub_conn *e = h->buckets[i], *n; e; e = n) {
            n = e->next;
            free(e);
        }
    }
    free(h->buckets);
    gh_connections_free(h->reg);
    pthread_cond_destroy(&h->cv);
    pthread_mutex_destroy(&h->mu);
    free(h);
}

static void *writer_main(void *arg)
{
    writer_arg *wa = arg;
    gh_ws_hub *h = wa->h;
    const char *id = wa->id;
    pthread_mutex_lock(&h->mu);
    for (;;) {
        hub_conn *hc = find(h, id);
        if (!hc || hc->ended)
            break;
        void *data;
        size_t len;
        bool binary;
        if (gh_connections_dequeue(h->reg, id, &data, &len, &binary)) {
            void *owner = hc->owner;
            hc->busy++;
            pthread_mutex_unlock(&h->mu);
            int rc = h->t.send(h->t.ud, owner, data, len, binary);
            free(data);
            if (rc == 0)
                gh_connections_touch(h->reg, id);
            pthread_mutex_lock(&h->mu);
            hc->busy--; /* hc stays: remove waits for busy to drop to 0 */
            pthread_cond_broadcast(&h->cv);
            /* A dead socket: its thread will notice and remove it; what is queued after
             * is dropped with it. Keep going only to deliver a pending close. */
            if (rc != 0) {
                void *d2;
                while (gh_connections_dequeue(h->reg, id, &d2, &len, &binary))
                    free(d2);
            }
            continue;
        }
        if (hc->close_pending) {
            hc->close_pending = false;
            void *owner = hc->owner;
            int code = hc->close_code;
            char reason[sizeof hc->close_reason];
            memcpy(reason, hc->close_reason, sizeof reason);
            hc->busy++;
            pthread_mutex_unlock(&h->mu);
            h->t.close(h->t.ud, owner, code, reason);
            pthread_mutex_lock(&h->mu);
            hc->busy--;
            pthread_cond_broadcast(&h->cv);
            continue;
        }
        break;
    }
    /* Under the lock the queue is empty and no post can slip in between: a post takes
     * the lock, sees writer false and starts a new writer. */
    hub_conn *hc = find(h, id);
    if (hc)
        hc->writer = false;
    h->writers--;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
    free(wa);
    return NULL;
}

/* Called with the lock held: makes sure a writer serves hc. */
static void wake_writer(gh_ws_hub *h, hub_conn *hc)
{
    if (hc->writer)
        return;
    writer_arg *wa = malloc(sizeof *wa);
    pthread_attr_t attr;
    pthread_t tid;
    int rc = -1;
    if (wa && pthread_attr_init(&attr) == 0) {
        wa->h = h;
        memcpy(wa->id, hc->id, sizeof wa->id);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        pthread_attr_setstacksize(&attr, WRITER_STACK_BYTES);
        hc->writer = true;
        h->writers++;
        rc = pthread_create(&tid, &attr, writer_main, wa);
        pthread_attr_destroy(&attr);
        if (rc != 0) {
            hc->writer = false;
            h->writers--;
        }
    }
    if (rc != 0) {
        free(wa);
        /* Out of threads: what is queued waits for the next post to try again. */
        gh_log(GH_LOG_WARN, "websocket: cannot start a writer for connection %s", hc->id);
    }
}

static hub_conn *new_hub_conn(const char *id, void *owner)
{
    hub_conn *hc = calloc(1, sizeof *hc);
    if (hc) {
        /* id may be shorter than the field (a caller's literal): copy the string only. */
        snprintf(hc->id, sizeof hc->id, "%s", id);
        hc->owner = owner;
    }
    return hc;
}

void gh_ws_hub_new_id(gh_ws_hub *h, char out[24])
{
    pthread_mutex_lock(&h->mu);
    do
        gh_connections_draw_id(h->reg, out);
    while (find(h, out)); /* a connection removed from the registry but not yet ended */
    pthread_mutex_unlock(&h->mu);
}

int gh_ws_hub_add_id(gh_ws_hub *h, const char *id, void *owner, const char *stage,
                     const char *source_ip, const char *user_agent, int64_t idle_timeout_ms,
                     gh_ws_conn_info *out)
{
    if (!id || strlen(id) >= sizeof ((hub_conn *)0)->id)
        return -1;
    hub_conn *hc = new_hub_conn(id, owner);
    if (!hc)
        return -1;
    pthread_mutex_lock(&h->mu);
    hub_conn **pp = slot_of(h, id);
    int rc = -1;
    if (!*pp && gh_connections_add_id(h->reg, id, owner, stage, source_ip, user_agent,
                                      idle_timeout_ms, out) == 0) {
        *pp = hc;
        h->count++;
        maybe_grow(h);
        rc = 0;
    }
    pthread_mutex_unlock(&h->mu);
    if (rc != 0)
        free(hc);
    return rc;
}

int gh_ws_hub_add(gh_ws_hub *h, void *owner, const char *stage, const char *source_ip,
                  const char *user_agent, int64_t idle_timeout_ms, gh_ws_conn_info *out)
{
    char id[24];
    for (int tries = 0; tries < 4; tries++) {
        gh_ws_hub_new_id(h, id);
        if (gh_ws_hub_add_id(h, id, owner, stage, source_ip, user_agent, idle_timeout_ms,
                             out) == 0)
            return 0;
    }
    return -1;
}

void gh_ws_hub_remove(gh_ws_hub *h, const char *id)
{
    if (!id)
        return;
    pthread_mutex_lock(&h->mu);
    hub_conn **pp = slot_of(h, id), *hc = *pp;
    if (hc) {
        hc->ended = true;
        gh_connections_remove(h->reg, id); /* drops the queue; -1 if delete/sweep did */
        while (hc->busy > 0)
            pthread_cond_wait(&h->cv, &h->mu);
        pp = slot_of(h, id); /* the table may have grown meanwhile */
        *pp = hc->next;
        h->count--;
        free(hc);
    }
    pthread_mutex_unlock(&h->mu);
}

void gh_ws_hub_touch(gh_ws_hub *h, const char *id)
{
    gh_connections_touch(h->reg, id);
}

/* With the lock held: the connection leaves the registry (later calls are GONE) and its
 * writer sends the close frame after what it is writing. */
static void schedule_close(gh_ws_hub *h, hub_conn *hc, int code, const char *reason)
{
    hc->close_pending = true;
    hc->close_code = code;
    snprintf(hc->close_reason, sizeof hc->close_reason, "%s", reason);
    wake_writer(h, hc);
}

size_t gh_ws_hub_sweep(gh_ws_hub *h)
{
    size_t total = 0;
    char ids[64][24];
    gh_ws_close_reason reasons[64];
    size_t n;
    do {
        pthread_mutex_lock(&h->mu);
        n = gh_connections_expire(h->reg, ids, reasons, 64);
        for (size_t i = 0; i < n; i++) {
            hub_conn *hc = find(h, ids[i]);
            /* AWS closes both an idle connection and one at its 2-hour limit with 1001
             * (connections.c cites the recorded $disconnect event). */
            if (hc && !hc->ended)
                schedule_close(h, hc, 1001, "Going away");
        }
        pthread_mutex_unlock(&h->mu);
        total += n;
    } while (n == 64);
    return total;
}

gh_ws_status gh_ws_hub_post(gh_ws_hub *h, const char *id, const void *data, size_t len,
                            bool binary)
{
    if (len > GH_WS_MAX_MESSAGE_BYTES)
        return GH_WS_TOO_LARGE;
    gh_ws_status st = GH_WS_OK;
    pthread_mutex_lock(&h->mu);
    hub_conn *hc = find(h, id);
    if (!hc || hc->ended)
        st = GH_WS_GONE;
    else {
        int rc = gh_connections_enqueue(h->reg, id, data, len, binary);
        if (rc == -1)
            st = GH_WS_GONE; /* deleted or expired, its thread not yet ended */
        else if (rc == -2)
            st = GH_WS_FULL;
        else
            wake_writer(h, hc);
    }
    pthread_mutex_unlock(&h->mu);
    return st;
}

static const char *arena_copy(gh_arena *a, const char *s)
{
    return gh_arena_strdup(a, s ? s : "");
}

gh_ws_status gh_ws_hub_get(gh_ws_hub *h, const char *id, gh_arena *a, gh_ws_conn_info *out)
{
    /* The registry's strings live only while its entry does; entries are freed only
     * under the hub lock (remove, delete, sweep), so copying under it is safe. */
    pthread_mutex_lock(&h->mu);
    gh_ws_conn_info info;
    int rc = gh_connections_get(h->reg, id, &info);
    if (rc == 0) {
        *out = info;
        out->source_ip = arena_copy(a, info.source_ip);
        out->user_agent = arena_copy(a, info.user_agent);
        out->stage = arena_copy(a, info.stage);
    }
    pthread_mutex_unlock(&h->mu);
    return rc == 0 ? GH_WS_OK : GH_WS_GONE;
}

gh_ws_status gh_ws_hub_close(gh_ws_hub *h, const char *id, int code, const char *reason)
{
    gh_ws_status st = GH_WS_GONE;
    pthread_mutex_lock(&h->mu);
    hub_conn *hc = find(h, id);
    if (hc && !hc->ended && gh_connections_remove(h->reg, id) == 0) {
        schedule_close(h, hc, code, reason);
        st = GH_WS_OK;
    }
    pthread_mutex_unlock(&h->mu);
    return st;
}

gh_ws_status gh_ws_hub_delete(gh_ws_hub *h, const char *id)
{
    /* AWS's execution log shows DeleteConnection closing with 1000 "Connection Closed
     * Normally" (connections.c). */
    return gh_ws_hub_close(h, id, 1000, "Connection Closed Normally");
}

bool gh_ws_hub_flush(gh_ws_hub *h, int timeout_ms)
{
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl); /* h->cv uses the default clock */
    dl.tv_sec += timeout_ms / 1000;
    dl.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (dl.tv_nsec >= 1000000000L) {
        dl.tv_sec++;
        dl.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&h->mu);
    int rc = 0;
    while (h->writers > 0 && rc == 0)
        rc = pthread_cond_timedwait(&h->cv, &h->mu, &dl);
    bool done = h->writers == 0;
    pthread_mutex_unlock(&h->mu);
    return done;
}

size_t gh_ws_hub_list(gh_ws_hub *h, char (*ids)[24], size_t max)
{
    return gh_connections_list(h->reg, ids, max);
}
