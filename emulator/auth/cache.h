/* The Lambda authorizer result cache, keyed as API Gateway keys it: the token for a
 * TOKEN authorizer, every identity-source value in declared order for a REQUEST one,
 * always scoped to one authorizer (api id + authorizer name). The method ARN is NOT part
 * of the key: AWS reuses a cached policy for any method and re-evaluates it against each
 * request's ARN, so a policy naming one path denies the others until the TTL runs out.
 * Shared by the server threads (one mutex); bounded to a maximum entry count. Time comes
 * from util/clock.h (monotonic). Not wired into the pipeline yet. */
#ifndef GH_AUTH_CACHE_H
#define GH_AUTH_CACHE_H
#include <jansson.h>
#include <stddef.h>

#define GH_AUTH_CACHE_TTL_DEFAULT 300 /* AWS: authorizerResultTtlInSeconds when unset */
#define GH_AUTH_CACHE_TTL_MAX 3600    /* AWS: maximum value, 1 hour */
/* Entries kept before the expired, then the oldest, are evicted. */
#define GH_AUTH_CACHE_MAX_ENTRIES 10000

typedef struct gh_auth_cache gh_auth_cache;

typedef struct {
    const char *api_id;
    const char *authorizer; /* the authorizer's name in the definition */
    /* TOKEN: one source, the token. REQUEST: the identity-source values in the declared
     * order. A NULL or empty value is a missing source: nothing is cached or found (AWS
     * answers 401 without calling the authorizer, so the cache is never consulted). */
    const char *const *sources;
    size_t n_sources;
} gh_auth_cache_key;

/* max_entries 0 means GH_AUTH_CACHE_MAX_ENTRIES. NULL when out of memory. */
gh_auth_cache *gh_auth_cache_new(size_t max_entries);
void gh_auth_cache_free(gh_auth_cache *c);

/* 1 when ttl_seconds is a value AWS accepts (0..3600), else 0: AWS rejects anything
 * outside that range when the authorizer is created, so the loader reports it rather
 * than clamping. */
int gh_auth_cache_ttl_valid(long ttl_seconds);

/* On a hit returns 1 and sets *out to a new reference to the stored result, shared with
 * other threads: read it, never modify it, json_decref it (jansson's reference counts
 * are atomic; a deep copy per hit cost a third of a cached call). Else 0 and *out =
 * NULL. An entry is a miss from the exact millisecond its TTL ends. */
int gh_auth_cache_get(gh_auth_cache *c, const gh_auth_cache_key *key, json_t **out);

/* Stores a deep copy of `result` (the caller keeps its reference) for ttl_seconds,
 * replacing any entry with the same key. TTL 0 or a missing source stores nothing and
 * returns 0. Returns -1 for a TTL outside 0..3600 or out of memory, else 0. */
int gh_auth_cache_put(gh_auth_cache *c, const gh_auth_cache_key *key, long ttl_seconds,
                      const json_t *result);

/* Drops every entry (--no-auth-cache, hot reload). */
void gh_auth_cache_flush(gh_auth_cache *c);
/* Entries currently stored, expired ones included until evicted. */
size_t gh_auth_cache_count(gh_auth_cache *c);

#endif
