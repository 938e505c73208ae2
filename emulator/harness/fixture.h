/* Fixture files (docs/fixtures.md): a scenario of named requests and what must come
 * back. Loading checks the whole shape once, with every problem reported as
 * file:line:col: what; how to fix, and keeps the position-keeping nodes: expectations are
 * compared from the nodes at run time (after ${name} substitution, harness/vars.h), and
 * --update rewrites values in place at their marks. */
#ifndef GH_FIXTURE_H
#define GH_FIXTURE_H
#include <stdbool.h>
#include <stddef.h>

#include "spec/node.h"
#include "util/diag.h"

typedef struct gh_fixture {
    const char *name;
    gh_mark mark;            /* of the fixture's map */
    /* request */
    const gh_node *method;   /* NULL: GET */
    const gh_node *path;
    const gh_node *stage;
    const gh_node *query;    /* map of scalar or list of scalars */
    const gh_node *headers;  /* map of scalars */
    const gh_node *body;     /* text */
    const gh_node *json;     /* any value, sent as compact JSON */
    const gh_node *body_file;
    const gh_node *api_key;
    /* expect (each NULL when not given) */
    const gh_node *status;
    const gh_node *exp_headers;   /* map: scalar, {regex: R} or {absent: true} */
    const gh_node *exp_body;
    const gh_node *exp_json;
    const gh_node *exp_jsonpath;  /* map: path -> value, {regex: R} or {absent: true} */
    const gh_node *exp_body_regex;
    const gh_node *exp_body_file;
    const gh_node *unsupported;   /* expect.invoked: fails, never passes */
    const gh_node *exp_queues;    /* map: queue name -> {within, count, messages}
                                   * (harness/queue_expect.h) */
    const gh_node *capture;       /* map: name -> {jsonpath: P} or {header: H} */
} gh_fixture;

typedef struct gh_fixture_file {
    gh_doc *doc;
    const char *path;   /* as given */
    const char *name;   /* `name:` or the file name */
    const gh_node *vars;
    gh_fixture *items;
    size_t n;
} gh_fixture_file;

/* Loads and checks path. Returns 0, or -1 with every problem in d (and *out NULL). */
int gh_fixture_file_load(const char *path, gh_fixture_file **out, gh_diags *d);
/* The same from text in memory; name is what positions say. */
int gh_fixture_file_load_buffer(const char *name, const char *text, size_t len,
                                gh_fixture_file **out, gh_diags *d);
void gh_fixture_file_free(gh_fixture_file *f);

/* Does path name a fixture file: .yaml, .yml or .json with a top-level `fixtures` key
 * (looked for in the text, so a definition is never parsed twice)? */
bool gh_fixture_is_file(const char *path);

/* A matcher map ({regex: R} or {absent: true}, nothing else): the kind, else NULL. */
const char *gh_fixture_matcher(const gh_node *n);

#endif
