/* The registry of live WebSocket connections (see connections.h): a chained hash table
 * keyed by connection id under one mutex, each entry carrying its identity, its clocks
 * and a bounded FIFO of frames waiting for the server's writer.
 *
 * AWS's close codes, as far as they can be checked (the quotas page,
 * docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-execution-service-websocket-limits-table.html,
 * lists "Idle Connection Timeout: 10 minutes" and "Connection duration for WebSocket API:
 * 2 hours", both not adjustable, but names no close code for either):
 *  - idle timeout and 2-hour lifetime: 1001 ("going away"); the $disconnect event
 *    recorded by aws-lambda-go's fixtures (corpus apigw-websocket-request-disconnect.json)
 *    carries disconnectStatusCode 1001 with an empty disconnectReason;
 *  - DELETE @connections/{id}: 1000, disconnectReason "Connection Closed Normally", as
 *    API Gateway's execution log shows it in boto/boto3#3789 (the API takes no code);
 *  - a frame or message over the size limits: 1009 (quotas page, footnote **).
 * The codes are the server's to send; this module only reports the reason. */
#include "websocket/connections.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"
#include "util/ids.h"

typedef struct ws_frame {
    struct ws_frame *next;
    void *data;
    size_t len;
    bool binary;
} ws_frame;

typedef struct ws_entry {
    struct ws_entry *next; /* bucket chain */
    char id[24];
    void *owner;
    char *stage, *source_ip, *user_agent;
    int64_t connected_at_ms, last_active_at_ms; /* wall: what GetConnection reports */
    int64_t connected_mono, last_active_mono;   /* monotonic: what the timeouts use */
    int64_t idle_timeout_ms;                    /* 0: the registry's */
    ws_frame *head, *tail;
    size_t queued_bytes;
} ws_entry;

struct gh_connections {
    pthread_mutex_t mu;
    ws_entry **buckets;
    size_t nbuckets; /* a power of two */
    size_t count;
    int64_t idle_timeout_ms;
};

#define INITIAL_BUCKETS 64

static size_t hash_id(const char *id)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (const char *p = id; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return (size_t)h;
}

static ws_entry **slot_of(gh_connections *c, const char *id)
{
    ws_entry **pp = &c->buckets[hash_id(id) & (c->nbuckets - 1)];
    while (*pp && strcmp((*pp)->id, id) != 0)
        pp = &(*pp)->next;
    return pp;
}

static ws_entry *find(gh_connections *c, const char *id)
{
    return id ? *slot_of(c, id) : NULL;
}

static void free_entry(ws_entry *e)
{
    for (ws_frame *f = e->head, *n; f; f = n) {
        n = f->next;
        free(f->data);
        free(f);
    }
    free(e->stage);
    free(e->source_ip);
    free(e->user_agent);
    free(e);
}

/* Doubling keeps chains short as connections pile up; a failed grow only costs speed. */
static void maybe_grow(gh_connections *c)
{
    if (c->count < c->nbuckets * 2)
        return;
    size_t nb = c->nbuckets * 2;
    ws_entry **b = calloc(nb, sizeof *b);
    if (!b)
        return;
    for (size_t i = 0; i < c->nbuckets; i++) {
        for (ws_entry *e = c->buckets[i], *n; e; e = n) {
            n = e->next;
            size_t k = hash_id(e->id) & (nb - 1);
            e->next = b[k];
            b[k] = e;
        }
    }
    free(c->buckets);
    c->buckets = b;
    c->nbuckets = nb;
}

/* Real ids ("R1kmxc2VNjMCFIA=", "L0SM9cOFvHcCIhw=", "JC1dgf9yoAMCK-g=" in hotsock.io's
 * wscat transcript against execute-api) are 16 characters with one '=' of padding: that
 * is 11 bytes in base64 (15 characters carry 88 bits plus 2 zero bits, then '='), not 12,
 * which would encode to 16 characters without padding. The '-' in the third shows AWS's
 * alphabet is the URL-safe one, which also keeps '/' out of @connections paths. Drawing
 * from gh_random_bytes makes ids repeatable under gh_ids_seed (--seed). */
static void new_id(char out[24])
{
    static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned char b[12];
    gh_random_bytes(b, 11);
    b[11] = 0;
    char *o = out;
    for (int i = 0; i < 12; i += 3) {
        uint32_t v = (uint32_t)b[i] << 16 | (uint32_t)b[i + 1] << 8 | b[i + 2];
        *o++ = b64url[(v >> 18) & 63];
        *o++ = b64url[(v >> 12) & 63];
        *o++ = b64url[(v >> 6) & 63];
        *o++ = b64url[v & 63];
    }
    out[15] = '=';
    out[16] = '\0';
}

static void fill_info(const ws_entry *e, gh_ws_conn_info *out)
{
    if (!out)
        return;
    memcpy(out->id, e->id, sizeof out->id);
    out->connected_at_ms = e->connected_at_ms;
    out->last_active_at_ms = e->last_active_at_ms;
    out->source_ip = e->source_ip;
    out->user_agent = e->user_agent;
    out->stage = e->stage;
}

static char *dup_or_empty(const char *s)
{
    return strdup(s ? s : "");
}

gh_connections *gh_connections_new(int64_t idle_timeout_ms)
{
    gh_connections *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->buckets = calloc(INITIAL_BUCKETS, sizeof *c->buckets);
    if (!c->buckets || pthread_mutex_init(&c->mu, NULL) != 0) {
        free(c->buckets);
        free(c);
        return NULL;
    }
    c->nbuckets = INITIAL_BUCKETS;
    c->idle_timeout_ms = idle_timeout_ms > 0 ? idle_timeout_ms : GH_WS_IDLE_TIMEOUT_MS_DEFAULT;
    return c;
}

void gh_connections_free(gh_connections *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nbuckets; i++) {
        for (ws_entry *e = c->buckets[i], *n; e; e = n) {
            n = e->next;
            free_entry(e);
        }
    }
    free(c->buckets);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

/* Builds an entry outside the lock (copies of the identity strings). */
static ws_entry *new_entry(void *owner, const char *stage, const char *source_ip,
                           const char *user_agent, int64_t idle_timeout_ms)
{
    ws_entry *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->owner = owner;
    e->stage = dup_or_empty(stage);
    e->source_ip = dup_or_empty(source_ip);
    e->user_agent = dup_or_empty(user_agent);
    if (!e->stage || !e->source_ip || !e->user_agent) {
        free_entry(e);
        return NULL;
    }
    e->idle_timeout_ms = idle_timeout_ms > 0 ? idle_timeout_ms : 0;
    e->connected_at_ms = e->last_active_at_ms = gh_clock_now_ms();
    e->connected_mono = e->last_active_mono = gh_clock_mono_ms();
    return e;
}

static void link_entry(gh_connections *c, ws_entry **pp, ws_entry *e, gh_ws_conn_info *out)
{
    *pp = e;
    c->count++;
    fill_info(e, out);
    maybe_grow(c);
}

int gh_connections_add(gh_connections *c, void *owner, const char *stage, const char *source_ip,
                       const char *user_agent, gh_ws_conn_info *out)
{
    ws_entry *e = new_entry(owner, stage, source_ip, user_agent, 0);
    if (!e)
        return -1;
    pthread_mutex_lock(&c->mu);
    /* 88 random bits make a clash all but impossible, but an id must never name two
     * live connections, so draw again if one does. */
    ws_entry **pp;
    do {
        new_id(e->id);
        pp = slot_of(c, e->id);
    } while (*pp);
    link_entry(c, pp, e, out);
    pthread_mutex_unlock(&c->mu);
    return 0;
}

void gh_connections_draw_id(gh_connections *c, char out[24])
{
    pthread_mutex_lock(&c->mu);
    do
        new_id(out);
    while (*slot_of(c, out));
    pthread_mutex_unlock(&c->mu);
}

int gh_connections_add_id(gh_connections *c, const char *id, void *owner, const char *stage,
                          const char *source_ip, const char *user_agent,
                          int64_t idle_timeout_ms, gh_ws_conn_info *out)
{
    if (!id || strlen(id) >= sizeof ((ws_entry *)0)->id)
        return -1;
    ws_entry *e = new_entry(owner, stage, source_ip, user_agent, idle_timeout_ms);
    if (!e)
        return -1;
    strcpy(e->id, id);
    pthread_mutex_lock(&c->mu);
    ws_entry **pp = slot_of(c, e->id);
    bool taken = *pp != NULL;
    if (!taken)
        link_entry(c, pp, e, out);
    pthread_mutex_unlock(&c->mu);
    if (taken)
        free_entry(e);
    return taken ? -1 : 0;
}

int gh_connections_remove(gh_connections *c, const char *id)
{
    if (!id)
        return -1;
    pthread_mutex_lock(&c->mu);
    ws_entry **pp = slot_of(c, id), *e = *pp;
    if (e) {
        *pp = e->next;
        c->count--;
    }
    pthread_mutex_unlock(&c->mu);
    if (!e)
        return -1;
    free_entry(e);
    return 0;
}

int gh_connections_get(gh_connections *c, const char *id, gh_ws_conn_info *out)
{
    pthread_mutex_lock(&c->mu);
    ws_entry *e = find(c, id);
    if (e)
        fill_info(e, out);
    pthread_mutex_unlock(&c->mu);
    return e ? 0 : -1;
}

void gh_connections_touch(gh_connections *c, const char *id)
{
    pthread_mutex_lock(&c->mu);
    ws_entry *e = find(c, id);
    if (e) {
        e->last_active_at_ms = gh_clock_now_ms();
        e->last_active_mono = gh_clock_mono_ms();
    }
    pthread_mutex_unlock(&c->mu);
}

void *gh_connections_owner(gh_connections *c, const char *id)
{
    pthread_mutex_lock(&c->mu);
    ws_entry *e = find(c, id);
    void *owner = e ? e->owner : NULL;
    pthread_mutex_unlock(&c->mu);
    return owner;
}

int gh_connections_enqueue(gh_connections *c, const char *id, const void *data, size_t len,
                           bool binary)
{
    /* Copy outside the lock: frames are up to 128 KB. */
    ws_frame *f = malloc(sizeof *f);
    void *copy = malloc(len ? len : 1);
    if (!f || !copy) {
        free(f);
        free(copy);
        return -2; /* nothing can be queued: the same answer as a full queue */
    }
    if (len)
        memcpy(copy, data, len);
    *f = (ws_frame){.data = copy, .len = len, .binary = binary};

    int rc = 0;
    pthread_mutex_lock(&c->mu);
    ws_entry *e = find(c, id);
    if (!e)
        rc = -1;
    else if (len > GH_WS_SEND_QUEUE_MAX_BYTES - e->queued_bytes)
        rc = -2;
    else {
        if (e->tail)
            e->tail->next = f;
        else
            e->head = f;
        e->tail = f;
        e->queued_bytes += len;
    }
    pthread_mutex_unlock(&c->mu);
    if (rc != 0) {
        free(copy);
        free(f);
    }
    return rc;
}

int gh_connections_dequeue(gh_connections *c, const char *id, void **data, size_t *len,
                           bool *binary)
{
    pthread_mutex_lock(&c->mu);
    ws_entry *e = find(c, id);
    ws_frame *f = e ? e->head : NULL;
    if (f) {
        e->head = f->next;
        if (!e->head)
            e->tail = NULL;
        e->queued_bytes -= f->len;
    }
    pthread_mutex_unlock(&c->mu);
    if (!f)
        return 0;
    *data = f->data; /* ownership moves to the caller */
    *len = f->len;
    *binary = f->binary;
    free(f);
    return 1;
}

/* Lifetime wins when both limits have passed: it is the one activity cannot postpone.
 * Both fire at the exact millisecond the limit is reached. */
static gh_ws_close_reason expiry_of(const gh_connections *c, const ws_entry *e, int64_t now)
{
    if (now - e->connected_mono >= GH_WS_MAX_LIFETIME_MS)
        return GH_WS_CLOSE_LIFETIME;
    int64_t idle = e->idle_timeout_ms > 0 ? e->idle_timeout_ms : c->idle_timeout_ms;
    if (now - e->last_active_mono >= idle)
        return GH_WS_CLOSE_IDLE;
    return GH_WS_CLOSE_NONE;
}

size_t gh_connections_expire(gh_connections *c, char (*ids)[24], gh_ws_close_reason *reasons,
                             size_t max)
{
    size_t n = 0;
    ws_entry *dead = NULL;
    int64_t now = gh_clock_mono_ms();
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < c->nbuckets && n < max; i++) {
        ws_entry **pp = &c->buckets[i];
        while (*pp && n < max) {
            ws_entry *e = *pp;
            gh_ws_close_reason r = expiry_of(c, e, now);
            if (r == GH_WS_CLOSE_NONE) {
                pp = &e->next;
                continue;
            }
            *pp = e->next;
            c->count--;
            memcpy(ids[n], e->id, sizeof ids[n]);
            reasons[n] = r;
            n++;
            e->next = dead;
            dead = e;
        }
    }
    pthread_mutex_unlock(&c->mu);
    for (ws_entry *e = dead, *nx; e; e = nx) {
        nx = e->next;
        free_entry(e);
    }
    return n;
}

size_t gh_connections_count(gh_connections *c)
{
    pthread_mutex_lock(&c->mu);
    size_t n = c->count;
    pthread_mutex_unlock(&c->mu);
    return n;
}

size_t gh_connections_list(gh_connections *c, char (*ids)[24], size_t max)
{
    size_t n = 0;
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < c->nbuckets && n < max; i++)
        for (ws_entry *e = c->buckets[i]; e && n < max; e = e->next)
            memcpy(ids[n++], e->id, sizeof ids[0]);
    size_t total = c->count;
    pthread_mutex_unlock(&c->mu);
    return total;
}
