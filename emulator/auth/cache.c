/* Authorizer result cache: a chained hash table of serialized keys, plus a list in
 * insertion order so the oldest entry can be evicted at the bound. One mutex guards both;
 * results are deep-copied in and out so no json_t is shared between threads. */
#include "auth/cache.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"

typedef struct entry {
    struct entry *hnext;         /* bucket chain */
    struct entry *older, *newer; /* insertion order */
    uint64_t hash;
    char *key;
    size_t key_len;
    json_t *result;
    int64_t expires_ms; /* monotonic; a miss from this instant on */
} entry;

struct gh_auth_cache {
    pthread_mutex_t lock;
    entry **buckets;
    size_t n_buckets; /* power of two */
    size_t count, max_entries;
    entry *oldest, *newest;
};

static int source_missing(const char *s)
{
    return s == NULL || s[0] == '\0';
}

static int key_usable(const gh_auth_cache_key *k)
{
    if (k == NULL || k->api_id == NULL || k->authorizer == NULL || k->n_sources == 0)
        return 0;
    for (size_t i = 0; i < k->n_sources; i++)
        if (source_missing(k->sources[i]))
            return 0;
    return 1;
}

/* Each part is written as "<length>:<bytes>", so ("a,b") and ("a", "b") or an api id
 * ending where an authorizer name begins can never collide. Caller frees. */
static char *key_serialize(const gh_auth_cache_key *k, size_t *len_out)
{
    size_t n = k->n_sources + 2, total = 0;
    for (size_t i = 0; i < n; i++) {
        const char *p = i == 0 ? k->api_id : i == 1 ? k->authorizer : k->sources[i - 2];
        total += strlen(p) + 24;
    }
    char *buf = malloc(total + 1);
    if (buf == NULL)
        return NULL;
    size_t off = 0;
    for (size_t i = 0; i < n; i++) {
        const char *p = i == 0 ? k->api_id : i == 1 ? k->authorizer : k->sources[i - 2];
        size_t pl = strlen(p);
        off += (size_t)snprintf(buf + off, total + 1 - off, "%zu:", pl);
        memcpy(buf + off, p, pl);
        off += pl;
    }
    *len_out = off;
    return buf;
}

static uint64_t hash_bytes(const char *p, size_t n)
{
    uint64_t h = 14695981039346656037ULL; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

gh_auth_cache *gh_auth_cache_new(size_t max_entries)
{
    gh_auth_cache *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    c->max_entries = max_entries ? max_entries : GH_AUTH_CACHE_MAX_ENTRIES;
    c->n_buckets = 16;
    while (c->n_buckets < c->max_entries && c->n_buckets < ((size_t)1 << 20))
        c->n_buckets <<= 1;
    c->buckets = calloc(c->n_buckets, sizeof *c->buckets);
    if (c->buckets == NULL || pthread_mutex_init(&c->lock, NULL) != 0) {
        free(c->buckets);
        free(c);
        return NULL;
    }
    return c;
}

static void entry_free(entry *e)
{
    json_decref(e->result);
    free(e->key);
    free(e);
}

/* Unlinks e from its bucket and the age list and frees it. Lock held. */
static void entry_remove(gh_auth_cache *c, entry *e)
{
    entry **pp = &c->buckets[e->hash & (c->n_buckets - 1)];
    while (*pp != e)
        pp = &(*pp)->hnext;
    *pp = e->hnext;
    if (e->older)
        e->older->newer = e->newer;
    else
        c->oldest = e->newer;
    if (e->newer)
        e->newer->older = e->older;
    else
        c->newest = e->older;
    c->count--;
    entry_free(e);
}

static entry *entry_find(gh_auth_cache *c, uint64_t h, const char *key, size_t len)
{
    for (entry *e = c->buckets[h & (c->n_buckets - 1)]; e; e = e->hnext)
        if (e->hash == h && e->key_len == len && memcmp(e->key, key, len) == 0)
            return e;
    return NULL;
}

static void flush_locked(gh_auth_cache *c)
{
    while (c->oldest)
        entry_remove(c, c->oldest);
}

void gh_auth_cache_free(gh_auth_cache *c)
{
    if (c == NULL)
        return;
    flush_locked(c);
    pthread_mutex_destroy(&c->lock);
    free(c->buckets);
    free(c);
}

int gh_auth_cache_ttl_valid(long ttl_seconds)
{
    return ttl_seconds >= 0 && ttl_seconds <= GH_AUTH_CACHE_TTL_MAX;
}

int gh_auth_cache_get(gh_auth_cache *c, const gh_auth_cache_key *key, json_t **out)
{
    *out = NULL;
    if (!key_usable(key))
        return 0;
    size_t len;
    char *k = key_serialize(key, &len);
    if (k == NULL)
        return 0;
    uint64_t h = hash_bytes(k, len);
    int hit = 0;
    pthread_mutex_lock(&c->lock);
    entry *e = entry_find(c, h, k, len);
    if (e != NULL) {
        if (gh_clock_mono_ms() >= e->expires_ms) {
            entry_remove(c, e);
        } else {
            *out = json_incref(e->result); /* immutable once stored; refcounts are atomic */
            hit = *out != NULL;
        }
    }
    pthread_mutex_unlock(&c->lock);
    free(k);
    return hit;
}

/* Makes room for one entry: first every expired entry goes (TTLs differ between
 * authorizers, so the oldest is not always the first to expire), then the oldest. */
static void evict_for_one(gh_auth_cache *c, int64_t now)
{
    if (c->count < c->max_entries)
        return;
    for (entry *e = c->oldest, *next; e; e = next) {
        next = e->newer;
        if (now >= e->expires_ms)
            entry_remove(c, e);
    }
    while (c->count >= c->max_entries)
        entry_remove(c, c->oldest);
}

int gh_auth_cache_put(gh_auth_cache *c, const gh_auth_cache_key *key, long ttl_seconds,
                      const json_t *result)
{
    if (!gh_auth_cache_ttl_valid(ttl_seconds) || result == NULL)
        return -1;
    if (ttl_seconds == 0 || !key_usable(key))
        return 0;
    entry *n = calloc(1, sizeof *n);
    if (n == NULL)
        return -1;
    n->key = key_serialize(key, &n->key_len);
    n->result = json_deep_copy(result);
    if (n->key == NULL || n->result == NULL) {
        entry_free(n);
        return -1;
    }
    n->hash = hash_bytes(n->key, n->key_len);
    pthread_mutex_lock(&c->lock);
    int64_t now = gh_clock_mono_ms();
    n->expires_ms = now + (int64_t)ttl_seconds * 1000;
    entry *old = entry_find(c, n->hash, n->key, n->key_len);
    if (old != NULL)
        entry_remove(c, old);
    evict_for_one(c, now);
    size_t b = n->hash & (c->n_buckets - 1);
    n->hnext = c->buckets[b];
    c->buckets[b] = n;
    n->older = c->newest;
    if (c->newest)
        c->newest->newer = n;
    else
        c->oldest = n;
    c->newest = n;
    c->count++;
    pthread_mutex_unlock(&c->lock);
    return 0;
}

void gh_auth_cache_flush(gh_auth_cache *c)
{
    pthread_mutex_lock(&c->lock);
    flush_locked(c);
    pthread_mutex_unlock(&c->lock);
}

size_t gh_auth_cache_count(gh_auth_cache *c)
{
    pthread_mutex_lock(&c->lock);
    size_t n = c->count;
    pthread_mutex_unlock(&c->lock);
    return n;
}
