/* The recordings a replay backend answers from, loaded from a folder: gatehouse's own
 * recordings files (docs/fixtures.md, "Recordings") and HAR 1.2 files. Private to the
 * replay backend (integration/backend_replay.c). */
#ifndef GH_RECORDINGS_H
#define GH_RECORDINGS_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "integration/backend.h"
#include "util/arena.h"
#include "util/http.h"

/* A URL split for matching: scheme and host lower-cased, the scheme's default port
 * dropped, the path as written, the query decoded into (name, value) pairs. */
typedef struct gh_rec_url {
    const char *scheme, *authority, *path;
    gh_headers query;
} gh_rec_url;

typedef struct gh_recording {
    const char *where;  /* "file:line" of the entry */
    const char *method; /* upper-cased */
    const char *url;
    gh_rec_url parts;
    gh_headers headers;
    const char *body;
    size_t body_len;
    json_t *body_json;  /* the body parsed, when it is JSON; NULL otherwise */
    gh_backend_status outcome; /* OK, TIMEOUT or UNREACHABLE */
    const char *error_detail;
    gh_backend_response response;
    unsigned uses;      /* times it answered (under the replay lock) */
} gh_recording;

typedef struct gh_recordings {
    gh_arena *arena; /* everything below */
    gh_recording *items;
    size_t n, cap;
} gh_recordings;

/* Loads every *.yaml, *.yml, *.json and *.har file of dir, in file-name order (entries
 * in file order). Files whose root is a fixture file (a `fixtures` key) are skipped.
 * Returns 0, or -1 with "file:line:col: ..." in err. */
int gh_recordings_load(gh_recordings *rs, const char *dir, char *err, size_t errlen);
void gh_recordings_free(gh_recordings *rs);

/* Splits url (into arena memory). */
void gh_rec_url_parse(gh_arena *a, const char *url, gh_rec_url *out);
/* The body parsed as JSON when it is (an object, array, or any JSON value), else NULL. */
json_t *gh_rec_body_json(const char *body, size_t len);

#endif
