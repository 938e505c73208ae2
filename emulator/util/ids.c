#include "util/ids.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

static _Atomic int seeded;
static _Atomic uint64_t seed_state;

static uint64_t splitmix(void)
{
    uint64_t z = atomic_fetch_add(&seed_state, 0x9e3779b97f4a7c15ULL) + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void gh_ids_seed(uint64_t seed)
{
    atomic_store(&seed_state, seed);
    atomic_store(&seeded, 1);
}

/* xoshiro256** per thread, seeded once from getrandom: ids need to be unique and
 * unpredictable enough for a local emulator, not cryptographic, and a syscall per id was
 * measurable under load (four ids per Lambda request). */
static _Thread_local uint64_t xs[4];
static _Thread_local int xs_ready;

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t xoshiro(void)
{
    if (!xs_ready) {
        while (getrandom(xs, sizeof xs, 0) != (ssize_t)sizeof xs)
            ;
        xs[0] |= 1; /* never the all-zero state */
        xs_ready = 1;
    }
    uint64_t r = rotl(xs[1] * 5, 7) * 9, t = xs[1] << 17;
    xs[2] ^= xs[0];
    xs[3] ^= xs[1];
    xs[1] ^= xs[2];
    xs[0] ^= xs[3];
    xs[2] ^= t;
    xs[3] = rotl(xs[3], 45);
    return r;
}

void gh_random_bytes(void *out, size_t n)
{
    unsigned char *p = out;
    int det = atomic_load(&seeded);
    while (n) {
        uint64_t v = det ? splitmix() : xoshiro();
        size_t k = n < 8 ? n : 8;
        memcpy(p, &v, k);
        p += k;
        n -= k;
    }
}

static const char hexdigits[] = "0123456789abcdef";

/* Formats by table rather than snprintf: ids are made on every request. */
void gh_uuid4(char out[GH_UUID_LEN + 1])
{
    unsigned char b[16];
    gh_random_bytes(b, sizeof b);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    char *o = out;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *o++ = '-';
        *o++ = hexdigits[b[i] >> 4];
        *o++ = hexdigits[b[i] & 15];
    }
    *o = '\0';
}

void gh_extended_request_id(char out[GH_EXT_ID_LEN + 1])
{
    /* URL-safe base64, as AWS's ids are ("VNRXVFJOywMF3-Q=" in a recorded WebSocket error
     * frame; connection ids likewise): they travel in URLs (@connections/{id}). */
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned char b[15];
    gh_random_bytes(b, sizeof b);
    for (int i = 0; i < 15; i++)
        out[i] = b64[b[i] & 63];
    out[15] = '=';
    out[16] = '\0';
}

void gh_trace_id(char out[GH_TRACE_ID_LEN + 1], int64_t epoch_ms)
{
    unsigned char b[12];
    gh_random_bytes(b, sizeof b);
    uint32_t secs = (uint32_t)((uint64_t)(epoch_ms / 1000) & 0xffffffffu);
    memcpy(out, "Root=1-", 7);
    for (int i = 0; i < 8; i++)
        out[7 + i] = hexdigits[(secs >> (28 - 4 * i)) & 15];
    out[15] = '-';
    for (int i = 0; i < 12; i++) {
        out[16 + 2 * i] = hexdigits[b[i] >> 4];
        out[17 + 2 * i] = hexdigits[b[i] & 15];
    }
    out[GH_TRACE_ID_LEN] = '\0';
}

void gh_stable_id(const char *from, size_t n, char *out)
{
    static const char alnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (const char *p = from; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    for (size_t i = 0; i < n; i++) {
        h = (h ^ i) * 1099511628211ULL;
        out[i] = alnum[(h >> 17) % 36];
    }
    out[n] = '\0';
}
