/* Resource matching as API Gateway does it: literal segments beat {param} beat {proxy+}
 * at every depth, with backtracking; a greedy variable takes one or more segments; a
 * trailing slash is ignored for matching. Then the method: an explicit verb beats ANY. */
#ifndef GH_ROUTER_H
#define GH_ROUTER_H
#include <stddef.h>

#include "spec/model.h"
#include "util/arena.h"
#include "util/http.h"

typedef struct gh_route {
    const gh_resource *resource;  /* NULL: no resource matched */
    const gh_method *method;      /* NULL: resource matched but the verb is not declared */
    gh_header *params;            /* path parameters, raw values (not decoded) */
    size_t nparams;
} gh_route;

/* path: the part after the stage, as sent ("/pets/42", "/" or ""); verb upper case.
 * Returns 0 and fills *out when resource and method match, -1 otherwise (out->resource
 * tells which of the two failed). Parameter values are allocated from a. */
int gh_router_match(const gh_api *api, const char *verb, const char *path, gh_arena *a,
                    gh_route *out);

#endif
