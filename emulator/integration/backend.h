/* How HTTP integrations reach their backend: one exchange (request out, response in)
 * through a backend object chosen once per process. `live` sends it over the network
 * with libcurl; `record` does the same and writes each exchange to a folder of recordings;
 * `replay` answers from such a folder and never touches the network (an exchange it has
 * no recording for fails loudly with the closest one and what differed). The HTTP
 * integration runners (integration/http.c) only ever call gh_backend_exchange, so serve,
 * test and render work the same with any of the three. */
#ifndef GH_BACKEND_H
#define GH_BACKEND_H
#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"
#include "util/http.h"

typedef struct gh_backend gh_backend;

typedef struct gh_backend_request {
    const char *method;     /* "GET", ... */
    const char *url;        /* absolute: scheme, host, path, query already encoded */
    gh_headers headers;     /* to send as they are (hop-by-hop ones already removed) */
    const char *body;       /* may hold NULs; NULL when none */
    size_t body_len;
    int timeout_ms;         /* the integration's timeoutInMillis (50..29000) */
} gh_backend_request;

typedef struct gh_backend_response {
    int status;
    gh_headers headers;     /* as received, in order; from the arena */
    const char *body;       /* from the arena; may hold NULs */
    size_t body_len;
} gh_backend_response;

typedef enum {
    GH_BACKEND_OK,          /* *rs holds the backend's answer, whatever its status */
    GH_BACKEND_TIMEOUT,     /* no complete answer within timeout_ms: AWS's 504 */
    GH_BACKEND_UNREACHABLE, /* DNS, connect, TLS or protocol failure: AWS's 5xx */
    GH_BACKEND_NO_RECORDING /* replay: nothing recorded matches (detail says what) */
} gh_backend_status;

/* Performs one exchange; everything *rs holds comes from a (the request's arena).
 * *detail (from a) says why for anything but OK: for the log, never for the client. */
gh_backend_status gh_backend_exchange(gh_backend *b, gh_arena *a, const gh_backend_request *rq,
                                      gh_backend_response *rs, const char **detail);

/* The network, through libcurl: redirects are not followed (API Gateway hands a 3xx to
 * the client), TLS certificates are verified, bodies may be chunked either way. */
gh_backend *gh_backend_live(void);
/* libcurl's global state: init once at start-up before any thread runs (main.c), and
 * shutdown once at exit (frees the calling thread's handle, then libcurl's globals). */
void gh_backend_live_init(void);
void gh_backend_live_shutdown(void);
/* Frees the calling thread's connection (a server worker's exit hook); the next
 * exchange on this thread opens a new one. */
void gh_backend_live_thread_cleanup(void);

/* Options of the recording backends. */
typedef struct gh_backend_options {
    const char *dir;              /* the recordings folder */
    const char *const *redact;    /* header names to redact when recording (case-
                                   * insensitive); NULL: Authorization, Cookie, Set-Cookie,
                                   * Proxy-Authorization, X-Api-Key, X-Amz-Security-Token */
    bool match_body;              /* replay: the body must match too (default true) */
    const char *const *match_headers; /* replay: headers that must match (NULL: none) */
} gh_backend_options;

/* The default redaction list above, NULL-terminated (for callers that extend it). */
extern const char *const gh_backend_default_redact[];

/* Live, writing every exchange into opt->dir (recording format: docs/fixtures.md). NULL
 * with *error when the folder cannot be created. */
gh_backend *gh_backend_record(const gh_backend_options *opt, const char **error);
/* From the recordings in opt->dir (and HAR files there). NULL with *error when a file
 * there does not load ("file:line:col: ..."). */
gh_backend *gh_backend_replay(const gh_backend_options *opt, const char **error);

void gh_backend_free(gh_backend *b); /* no-op for the shared live backend */

#endif
