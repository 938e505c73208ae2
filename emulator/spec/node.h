/* A position-keeping document tree. YAML and JSON both go through libyaml (JSON is YAML
 * for our purposes), so every value in a definition knows its file:line:col and every load
 * error can point at it. A document owns all of its nodes (one arena). */
#ifndef GH_NODE_H
#define GH_NODE_H
#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"
#include "util/diag.h"

typedef enum {
    GH_NODE_NULL,
    GH_NODE_BOOL,
    GH_NODE_INT,
    GH_NODE_REAL,
    GH_NODE_STR,
    GH_NODE_SEQ,
    GH_NODE_MAP,
} gh_node_kind;

typedef struct gh_node gh_node;

typedef struct gh_pair {
    gh_node *key; /* always GH_NODE_STR (non-string YAML keys are stringified) */
    gh_node *value;
} gh_pair;

struct gh_node {
    gh_node_kind kind;
    gh_mark mark;      /* where the value starts */
    const char *text;  /* every scalar: its text as written (after YAML unescaping) */
    size_t len;        /* length of text; text is NUL-terminated too */
    bool quoted;       /* quoted or block scalar: "true" stays a string */
    union {
        bool b;
        long long i;
        double r;
    } v;
    size_t n;        /* SEQ: items, MAP: pairs */
    gh_node **items; /* SEQ */
    gh_pair *pairs;  /* MAP, in document order, keys unique (last one wins on load) */
};

typedef struct gh_doc {
    gh_arena *arena;
    gh_node *root;
    const char *path; /* as given by the user */
    const char *dir;  /* folder of path, for relative file references */
    /* The file's text as read (NUL-terminated), so a position inside a scalar's value
     * (a template's syntax error) can be mapped back to file:line:col
     * (spec/scalar_pos.h). Nodes merged in from an overlay point into the overlay's. */
    const char *source;
    size_t source_len;
} gh_doc;

/* Plain scalars resolve as YAML 1.2's core schema does (null/~/empty, true/false,
 * integers, floats); quoted scalars are strings. Anchors and aliases are followed.
 * On failure returns -1 with "file:line:col: ..." diagnostics in d and *out NULL. */
int gh_doc_load_file(const char *path, gh_doc **out, gh_diags *d);
int gh_doc_load_buffer(const char *name, const char *text, size_t len, gh_doc **out, gh_diags *d);
void gh_doc_free(gh_doc *doc);

/* Lookups are NULL-safe: a NULL or non-map node yields NULL. */
gh_node *gh_node_get(const gh_node *map, const char *key);
gh_pair *gh_node_get_pair(const gh_node *map, const char *key);
/* The text of a GH_NODE_STR, NULL for anything else. */
const char *gh_node_str(const gh_node *n);
/* The text of any scalar (numbers and booleans as written), NULL for SEQ/MAP/NULL. */
const char *gh_node_scalar(const gh_node *n);
bool gh_node_truthy(const gh_node *n); /* BOOL true, or the string "true" (any case) */
/* "a string", "a map", ... for messages. */
const char *gh_node_kind_name(gh_node_kind k);

/* Building nodes (merge patch, compiled defaults). Memory comes from doc's arena. */
gh_node *gh_node_new(gh_doc *doc, gh_node_kind kind, gh_mark at);
gh_node *gh_node_new_str(gh_doc *doc, const char *s, gh_mark at);
gh_node *gh_node_copy(gh_doc *doc, const gh_node *src); /* deep copy into doc */
void gh_node_map_set(gh_doc *doc, gh_node *map, const char *key, gh_node *value, gh_mark at);
void gh_node_map_remove(gh_node *map, const char *key);

/* RFC 7386 JSON Merge Patch: applies patch onto doc->root (patch nodes are copied into
 * doc, keeping their own file:line:col, so errors point into the overlay file). */
void gh_merge_patch(gh_doc *doc, const gh_node *patch);

/* Resolves a local "$ref" ("#/components/schemas/Pet", JSON-pointer escapes ~0 ~1,
 * percent-encoding) against doc->root. NULL when it names nothing. Remote refs
 * ("other.yaml#/x") return NULL too; the compiler reports them. */
gh_node *gh_doc_resolve_ref(const gh_doc *doc, const char *ref);

#endif
