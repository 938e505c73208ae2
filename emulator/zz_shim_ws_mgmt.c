/* SHIM (helper ws-mgmt): a throwaway websocket/ws_hub.h over websocket/connections.h with
 * one writer thread, so the @connections API and gatehouse.connections build and test
 * before helper ws-server's hub lands. Dropped at merge. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "websocket/ws_hub.h"

#define SHIM_MAX 4096

struct gh_ws_hub {
    gh_connections *c;
    gh_ws_transport t;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
    char (*ids)[24];
    size_t nids;
    char (*pending)[24];
    size_t npending;
    pthread_t writer;
};

static void *writer(void *arg)
{
    gh_ws_hub *h = arg;
    pthread_mutex_lock(&h->mu);
    for (;;) {
        while (!h->stop && h->npending == 0)
            pthread_cond_wait(&h->cv, &h->mu);
        if (h->stop)
            break;
        char id[24];
        memcpy(id, h->pending[--h->npending], sizeof id);
        pthread_mutex_unlock(&h->mu);
        void *owner = gh_connections_owner(h->c, id);
        void *data;
        size_t len;
        bool bin;
        while (gh_connections_dequeue(h->c, id, &data, &len, &bin) == 1) {
            h->t.send(h->t.ud, owner, data, len, bin);
            free(data);
        }
        pthread_mutex_lock(&h->mu);
    }
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

gh_ws_hub *gh_ws_hub_new(const gh_ws_transport *t)
{
    gh_ws_hub *h = calloc(1, sizeof *h);
    h->c = gh_connections_new(0);
    h->t = *t;
    h->ids = calloc(SHIM_MAX, sizeof *h->ids);
    h->pending = calloc(SHIM_MAX, sizeof *h->pending);
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->cv, NULL);
    pthread_create(&h->writer, NULL, writer, h);
    return h;
}

void gh_ws_hub_free(gh_ws_hub *h)
{
    if (!h)
        return;
    pthread_mutex_lock(&h->mu);
    h->stop = true;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
    pthread_join(h->writer, NULL);
    gh_connections_free(h->c);
    free(h->ids);
    free(h->pending);
    pthread_mutex_destroy(&h->mu);
    pthread_cond_destroy(&h->cv);
    free(h);
}

static void forget(gh_ws_hub *h, const char *id)
{
    pthread_mutex_lock(&h->mu);
    for (size_t i = 0; i < h->nids; i++)
        if (strcmp(h->ids[i], id) == 0) {
            memmove(h->ids[i], h->ids[i + 1], (h->nids - i - 1) * sizeof h->ids[0]);
            h->nids--;
            break;
        }
    pthread_mutex_unlock(&h->mu);
}

int gh_ws_hub_add(gh_ws_hub *h, void *owner, const char *stage, const char *source_ip,
                  const char *user_agent, int64_t idle_timeout_ms, gh_ws_conn_info *out)
{
    (void)idle_timeout_ms;
    if (gh_connections_add(h->c, owner, stage, source_ip, user_agent, out) != 0)
        return -1;
    pthread_mutex_lock(&h->mu);
    if (h->nids < SHIM_MAX)
        memcpy(h->ids[h->nids++], out->id, sizeof out->id);
    pthread_mutex_unlock(&h->mu);
    return 0;
}

void gh_ws_hub_remove(gh_ws_hub *h, const char *id)
{
    gh_connections_remove(h->c, id);
    forget(h, id);
}

void gh_ws_hub_touch(gh_ws_hub *h, const char *id)
{
    gh_connections_touch(h->c, id);
}

size_t gh_ws_hub_sweep(gh_ws_hub *h)
{
    (void)h;
    return 0;
}

gh_ws_status gh_ws_hub_post(gh_ws_hub *h, const char *id, const void *data, size_t len,
                            bool binary)
{
    if (len > GH_WS_MAX_MESSAGE_BYTES)
        return GH_WS_TOO_LARGE;
    int rc = gh_connections_enqueue(h->c, id, data, len, binary);
    if (rc == -1)
        return GH_WS_GONE;
    if (rc == -2)
        return GH_WS_FULL;
    pthread_mutex_lock(&h->mu);
    if (h->npending < SHIM_MAX)
        snprintf(h->pending[h->npending++], 24, "%s", id);
    pthread_cond_signal(&h->cv);
    pthread_mutex_unlock(&h->mu);
    return GH_WS_OK;
}

gh_ws_status gh_ws_hub_get(gh_ws_hub *h, const char *id, gh_arena *a, gh_ws_conn_info *out)
{
    if (gh_connections_get(h->c, id, out) != 0)
        return GH_WS_GONE;
    out->source_ip = gh_arena_strdup(a, out->source_ip);
    out->user_agent = gh_arena_strdup(a, out->user_agent);
    out->stage = gh_arena_strdup(a, out->stage);
    return GH_WS_OK;
}

gh_ws_status gh_ws_hub_delete(gh_ws_hub *h, const char *id)
{
    void *owner = gh_connections_owner(h->c, id);
    if (gh_connections_remove(h->c, id) != 0)
        return GH_WS_GONE;
    forget(h, id);
    h->t.close(h->t.ud, owner, 1000, "");
    return GH_WS_OK;
}

size_t gh_ws_hub_list(gh_ws_hub *h, char (*ids)[24], size_t max)
{
    pthread_mutex_lock(&h->mu);
    size_t n = h->nids;
    for (size_t i = 0; i < n && i < max; i++)
        memcpy(ids[i], h->ids[i], 24);
    pthread_mutex_unlock(&h->mu);
    return n;
}
