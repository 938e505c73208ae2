/* Runs a fixture file, a scenario, against a base URL: each fixture in order, with its
 * ${name} substituted, sent through libcurl, matched (harness/match.h), and its captures
 * stored for the fixtures after it. One curl easy handle per thread (connections are
 * kept alive across a file's requests). */
#ifndef GH_RUNNER_H
#define GH_RUNNER_H
#include <stdbool.h>
#include <stddef.h>

#include "harness/fixture.h"
#include "harness/match.h"
#include "harness/queue_watch.h"

/* Seconds a request may take: past API Gateway's own 29 s integration maximum, so the
 * API's 504 comes back rather than a client time-out. */
#define GH_RUNNER_TIMEOUT_MS 35000

typedef struct gh_fx_file_result {
    const char *path;             /* as given */
    gh_fixture_file *file;        /* NULL when it did not load */
    char *load_error;             /* the diagnostics (malloc'ed), when it did not load */
    gh_arena *arena;              /* results' memory */
    gh_fx_result *results;        /* one per fixture, in file order */
    size_t n;
    size_t failed;
    double seconds;
} gh_fx_file_result;

typedef struct gh_runner gh_runner; /* a thread's client: one curl easy handle */

gh_runner *gh_runner_new(void);
void gh_runner_free(gh_runner *r);
/* The arrival log that expect.queues checks (the in-process emulator's); not owned.
 * Without one, a fixture's expect.queues fails saying why. */
void gh_runner_set_queues(gh_runner *r, gh_fx_queues *q);

/* Loads path and runs it against base_url ("http://127.0.0.1:PORT", no trailing slash).
 * out is filled either way (a file that does not load counts as one failure). */
void gh_runner_run_file(gh_runner *r, const char *base_url, const char *path,
                        gh_fx_file_result *out);
void gh_fx_file_result_free(gh_fx_file_result *fr);

/* The URL a fixture's request goes to, from its already substituted parts (query may be
 * NULL or "" for none; stage NULL when the path holds it). */
const char *gh_runner_url(gh_arena *a, const char *base, const char *stage, const char *path,
                          const char *query);

#endif
