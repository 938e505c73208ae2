/* What a fixture expects against what came back: status, headers (exact, regex, absent),
 * and the body (exact text, JSON subset, JSONPath assertions, regex, a file), each
 * failed check recorded with its expected and actual text for the report. Regexes are
 * Java's (util/jregex.h) and JSONPath is API Gateway's (template/jsonpath.h), so a
 * fixture means what a mapping template would. */
#ifndef GH_MATCH_H
#define GH_MATCH_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "harness/fixture.h"
#include "harness/vars.h"
#include "template/vtl_value.h"
#include "util/arena.h"

typedef struct gh_fx_header {
    const char *name;
    const char *value;
} gh_fx_header;

typedef struct gh_fx_response {
    long status;
    gh_fx_header *headers; /* in the order received */
    size_t nheaders;
    const char *body;      /* NUL-terminated; may hold NULs */
    size_t body_len;
} gh_fx_response;

typedef enum {
    GH_FX_STATUS, GH_FX_HEADER, GH_FX_BODY, GH_FX_JSON, GH_FX_JSONPATH, GH_FX_BODY_REGEX,
    GH_FX_BODY_FILE, GH_FX_OTHER,
} gh_fx_check;

typedef struct gh_fx_failure {
    gh_fx_check check;
    const char *what;     /* "status", "header Content-Type", "json $.pets[0].id", ... */
    const char *expected; /* text, NULL when the check has none (an error) */
    const char *actual;
    const char *message;  /* why, when expected/actual do not say it all; may be NULL */
} gh_fx_failure;

/* One fixture's outcome; strings come from the run's arena. */
typedef struct gh_fx_result {
    const gh_fixture *fixture;
    bool passed;
    bool sent;               /* a response came back (resp is valid) */
    double seconds;
    gh_fx_failure *fails;
    size_t nfails, cap;
    gh_fx_response resp;
} gh_fx_result;

void gh_fx_fail(gh_arena *a, gh_fx_result *r, gh_fx_check check, const char *what,
                const char *expected, const char *actual, const char *message);

/* The node as JSON with ${} substituted in every string (a new reference), NULL with
 * *error when a substitution fails. */
json_t *gh_fx_node_json(gh_arena *a, const gh_vars *v, const gh_node *n, const char **error);

/* Does actual hold expected? subset: maps need only the members expected gives (lists
 * still the same length); otherwise equal. Numbers compare by value (1 == 1.0); an
 * expected string that a ${name} built also matches a number or boolean whose JSON text it
 * is. Mismatches are added to r under `what` + the JSON path. */
bool gh_fx_match_json(gh_arena *a, const gh_vars *v, const gh_node *expected, gh_vval actual,
                      bool subset, gh_fx_check check, const char *what, gh_fx_result *r);

/* All of f's expectations against r->resp; dir: the fixture file's folder (bodyFile). */
void gh_fx_match(gh_arena *a, const gh_vars *v, const gh_fixture *f, const char *dir,
                 gh_fx_result *r);

/* The response headers named name (ASCII case-insensitive) joined with ", ", NULL when
 * there is none. */
const char *gh_fx_header_get(gh_arena *a, const gh_fx_response *resp, const char *name);

/* Runs the fixture's captures into v; false (with failures in r) when one finds nothing. */
bool gh_fx_capture(gh_arena *a, gh_vars *v, const gh_fixture *f, gh_fx_result *r);

#endif
