/* A scenario's variables: the file's `vars`, then what fixtures capture, reachable as
 * ${name} in every string of a request and its expectations (docs/fixtures.md).
 * ${env.NAME} reads the environment; $${ writes a literal ${. An unknown name is an
 * error, so a request never goes out with "${x}" in it by accident. */
#ifndef GH_VARS_H
#define GH_VARS_H
#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"

typedef struct gh_var {
    const char *name;
    const char *value;
    size_t len;
} gh_var;

/* Values are copied into the table's arena; a later set of the same name replaces. */
typedef struct gh_vars {
    gh_arena *arena;
    gh_var *items;
    size_t n, cap;
} gh_vars;

void gh_vars_init(gh_vars *v, gh_arena *a);
void gh_vars_set(gh_vars *v, const char *name, const char *value, size_t len);
/* The variable's value, NULL when there is none (env.NAME included). */
const char *gh_vars_get(const gh_vars *v, const char *name, size_t nlen, size_t *len);

/* Substitutes s into a (NUL-terminated, length in *out_len). Returns NULL and sets
 * *error (from a) when a ${...} names no variable or is not closed. *changed (may be
 * NULL) tells whether a ${name} was replaced. */
const char *gh_vars_subst(const gh_vars *v, gh_arena *a, const char *s, size_t len,
                          size_t *out_len, bool *changed, const char **error);

#endif
