/* The JSONPath subset API Gateway evaluates in $input.json, $input.path and the
 * method.request.body.* / integration.response.body.* mapping expressions: AWS runs
 * Jayway JsonPath, so results follow it ("$", ".name", "['name']", "[n]", "[-n]",
 * "[a,b]", "[start:end]", "*", "..name" recursive descent, "[?(@.x == 'y')]" filters
 * with ==, !=, <, <=, >, >=, =~ and &&/||). A definite path yields the value itself; an
 * indefinite one (wildcard, slice, filter, recursive descent, union) yields a JSON list
 * of every match. */
#ifndef GH_JSONPATH_H
#define GH_JSONPATH_H
#include <stdbool.h>
#include <stddef.h>

#include "template/vtl_value.h"
#include "util/arena.h"

/* Evaluates path against root. Returns true with *out set (null when a definite path
 * matches nothing, an empty JSON list when an indefinite one does), false with *error
 * (static text) when the path does not parse. A path without a leading "$" is taken
 * relative to the root, as AWS does for "method.request.body.a.b". */
bool gh_jsonpath_eval(gh_arena *a, gh_vval root, const char *path, size_t len, gh_vval *out,
                      const char **error);

/* Syntax check only, for load-time validation; NULL when path parses. */
const char *gh_jsonpath_check(const char *path, size_t len);

#endif
