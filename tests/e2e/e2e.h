/* End-to-end harness: drives the real `gatehouse` binary (env GH_BIN) over loopback.
 * A served instance is started with `serve ... --port 0 --host 127.0.0.1`; its first
 * stdout line gives the port. A drain thread keeps reading stdout and stderr into
 * buffers so the access log can never block the server, and so tests can read what it
 * logged. Every wait is bounded; a test that fails leaves its child to e2e_kill (call it
 * from the cmocka teardown). Requests go through libcurl, one easy handle per request. */
#ifndef GH_E2E_H
#define GH_E2E_H
#include <stdbool.h>
#include <jansson.h>
#include <stddef.h>
#include <sys/types.h>

/* Bounds, in milliseconds. ASan makes start-up slower, hence the generous values. */
#define E2E_START_TIMEOUT_MS 10000
#define E2E_STOP_TIMEOUT_MS 5000
#define E2E_REQUEST_TIMEOUT_MS 10000
#define E2E_RUN_TIMEOUT_MS 20000

typedef struct e2e_server e2e_server;

typedef struct e2e_header {
    char *name;
    char *value;
} e2e_header;

typedef struct e2e_response {
    long status;
    e2e_header *headers; /* in the order received */
    size_t nheaders;
    char *body;          /* NUL-terminated; body_len excludes the NUL */
    size_t body_len;
} e2e_response;

/* The built binary (GH_BIN) and the repository root (GH_SOURCE_DIR, else "."). */
const char *e2e_bin(void);
const char *e2e_source_dir(void);

/* The Node tests (tests/e2e/sdk, `npm ci` there): true when node is on PATH and every
 * package named (NULL-terminated, under tests/e2e/sdk/node_modules) is installed; else
 * says on stderr that `test` skips and why. */
bool e2e_node_ready(const char *test, const char *const packages[]);
/* Runs `node tests/e2e/sdk/SCRIPT http://127.0.0.1:PORT` (60 s at most; the script checks
 * each step itself and prints "ok - ..." lines). NULL when it exited 0 having printed
 * every one of steps, in order; else why, with its output (malloc'd). */
char *e2e_node_script(const char *script, int port, const char *const steps[], size_t nsteps);

/* Starts `gatehouse serve ARGS... --port 0 --host 127.0.0.1`; args is NULL-terminated.
 * Returns NULL (and prints why to stderr, with whatever the child printed) when the
 * child does not print `listening on http://127.0.0.1:PORT` in time. */
e2e_server *e2e_start(const char *const args[]);
int e2e_port(const e2e_server *s);
pid_t e2e_pid(const e2e_server *s);

/* Sends one request to http://127.0.0.1:PORT{path}. headers is NULL or a
 * NULL-terminated list of "Name: value" strings. body may be NULL. Fills *resp; returns
 * 0 on a complete HTTP exchange, -1 on a transport error (message on stderr). */
int e2e_request(e2e_server *s, const char *method, const char *path,
                const char *const headers[], const char *body, size_t len,
                e2e_response *resp);
/* First header of that name (case-insensitive), NULL if absent. */
const char *e2e_header_get(const e2e_response *r, const char *name);
/* Number of headers with that name (case-insensitive). */
size_t e2e_header_count(const e2e_response *r, const char *name);
void e2e_response_free(e2e_response *r);

/* Copies of what the server printed so far (caller frees). */
char *e2e_stdout(e2e_server *s);
char *e2e_stderr(e2e_server *s);
/* Waits (bounded by timeout_ms) until the server's stdout / stderr contains needle.
 * Access-log and error lines are written after the response is sent, so a test that
 * checks them after a request must wait rather than read once. */
bool e2e_wait_stdout(e2e_server *s, const char *needle, int timeout_ms);
bool e2e_wait_stderr(e2e_server *s, const char *needle, int timeout_ms);
/* True when the process has exited (it should not have, while serving). */
bool e2e_exited(e2e_server *s);

/* SIGTERM, wait up to E2E_STOP_TIMEOUT_MS, SIGKILL past that. Returns the exit code
 * (0..255), 128+signal when killed by a signal, -1 when it had to be killed. Joins the
 * drain thread; the buffers stay readable until e2e_free. */
int e2e_stop(e2e_server *s);
/* Same with another signal (SIGINT, say). */
int e2e_stop_signal(e2e_server *s, int sig);
/* SIGKILL if still running, then frees everything. Safe on NULL and after e2e_stop. */
void e2e_kill(e2e_server *s);

/* Runs `gatehouse ARGV...` (argv[0] is the first argument, not the binary; NULL
 * terminated) to completion with stdin at /dev/null. Fills malloc'ed *out, *err (may be
 * NULL if the caller does not want them) and *exit_code (128+signal when signalled, -1
 * when it had to be killed after E2E_RUN_TIMEOUT_MS). Returns 0 when it ran. */
int e2e_run(const char *const argv[], char **out, char **err, int *exit_code);

/* The body parsed as JSON (caller decrefs), NULL when it is not JSON. */
json_t *e2e_body_json(const e2e_response *r);
/* Walks "a.b.0.c" (object keys, array indexes) from root; NULL when absent. */
json_t *e2e_json_at(json_t *root, const char *path);
/* The string at path, NULL when absent or not a string. */
const char *e2e_json_str(json_t *root, const char *path);

/* Checks that every line of text that starts with `file` continues with
 * ":LINE:COL: " (both numbers > 0). On the first line that does not, copies it into bad
 * and returns false. *nlines (may be NULL) gets the number of lines that started with file. */
bool e2e_lines_have_positions(const char *text, const char *file, char *bad, size_t badsz,
                              size_t *nlines);
/* True when some line of text contains every one of the NULL-terminated needles. */
bool e2e_line_with(const char *text, const char *const needles[]);

/* True when text contains the sanitizer's report marker. */
bool e2e_has_sanitizer_report(const char *text);

/* Reads a whole file (NUL-terminated, caller frees); NULL if it cannot. */
char *e2e_read_file(const char *path, size_t *len);

#endif
