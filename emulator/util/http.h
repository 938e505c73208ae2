/* The request and response as the pipeline sees them, independent of civetweb. Every
 * string lives in the request's arena. Header names keep the case the client sent. */
#ifndef GH_HTTP_H
#define GH_HTTP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"
#include "util/ids.h"

/* API Gateway's payload limit: larger requests get 413 (AWS quotas page). */
#define GH_MAX_BODY_BYTES ((size_t)10 * 1024 * 1024)

typedef struct gh_header {
    const char *name;
    const char *value;
} gh_header;

typedef struct gh_headers {
    gh_header *items;
    size_t n, cap;
} gh_headers;

typedef struct gh_request {
    gh_arena *arena;
    const char *method;   /* as sent, e.g. "GET" */
    const char *path;     /* request target's path, percent-encoded as sent */
    const char *query;    /* raw query string without '?'; NULL when there was none */
    gh_headers headers;   /* arrival order */
    const char *body;     /* may contain NULs; NULL when empty */
    size_t body_len;
    bool body_too_large;  /* over GH_MAX_BODY_BYTES: not read, body is NULL */
    const char *source_ip;
    const char *protocol; /* "HTTP/1.1" */
    const char *host;     /* Host header without port, lower-cased; NULL if absent */
    int local_port;       /* the server port the client connected to; 0 if unknown */
    int64_t time_ms;      /* gh_clock_now_ms() at arrival */
    int64_t start_ns;     /* gh_clock_mono_ns() at arrival, for latency */
    char request_id[GH_UUID_LEN + 1];
    char extended_id[GH_EXT_ID_LEN + 1];
} gh_request;

typedef struct gh_response {
    int status;
    gh_headers headers;
    const char *body; /* arena memory; may contain NULs */
    size_t body_len;
} gh_response;

void gh_headers_add(gh_arena *a, gh_headers *h, const char *name, const char *value);
/* Replaces every header of that name (case-insensitive) with one value. */
void gh_headers_set(gh_arena *a, gh_headers *h, const char *name, const char *value);
void gh_headers_remove(gh_headers *h, const char *name);
/* Last value of a header (case-insensitive), NULL if absent. */
const char *gh_headers_get(const gh_headers *h, const char *name);
bool gh_headers_has(const gh_headers *h, const char *name);

/* Fills the request's ids and arrival times. */
void gh_request_stamp(gh_request *r);
/* Standard reason phrase, "Unknown" for codes it does not know. */
const char *gh_http_reason(int status);

#endif
