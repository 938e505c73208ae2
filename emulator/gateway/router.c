/* Resource and method matching for REST APIs, as API Gateway resolves a request.
 *
 * AWS resolves on the (resource, method) pair, not on the resource alone: it takes the
 * most specific resource whose path matches AND that declares the verb (or ANY), trying
 * literal, then {param}, then {greedy+} at every depth. Measured on real REST APIs:
 * with /users/me (PATCH) beside /users/{id} (GET), `GET /users/me` is served by
 * /users/{id}; a method-less intermediate resource falls through to a /{proxy+} ANY
 * (floci-io/floci#3399, ministackorg/ministack#1423). So the search below backtracks
 * whenever a matched resource lacks the verb, and only answers "no method" when no
 * alternative declares it.
 *
 * Segments: the path after the stage is split on '/'. One leading slash and one trailing
 * slash are ignored (AWS: `/pets/` hits `/pets`). A doubled slash inside the path is kept
 * as an empty segment: AWS passes `/a//b` to a root `{proxy+}` as `a//b` (reference
 * §1.3), so a greedy variable takes it verbatim; an empty segment never matches a literal
 * (definitions cannot declare one) nor a `{param}` (a path parameter cannot be empty).
 * Values stay percent-encoded as sent, as AWS leaves them. */
#include "gateway/router.h"

#include <stdlib.h>
#include <string.h>

typedef struct seg {
    const char *p;
    size_t len;
} seg;

typedef struct search {
    const char *verb;
    const seg *segs;
    size_t nsegs;
    const char *rest_end; /* end of the matchable path (trailing slash excluded) */
    seg *vals;            /* values of the {param}/{greedy+} on the current path */
    const gh_resource **owners;
    size_t nvals;
    const gh_resource *first_path_match; /* most specific path-only match, for errors */
    const gh_resource *resource; /* the accepted resource */
    const gh_method *method;
} search;

/* ANY stands for exactly these verbs (AWS docs, "Set up a method"). */
static int any_covers(const char *verb)
{
    static const char *const verbs[] = {"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST",
                                        "PUT"};
    for (size_t i = 0; i < sizeof verbs / sizeof *verbs; i++)
        if (strcmp(verbs[i], verb) == 0)
            return 1;
    return 0;
}

/* An explicit verb wins over ANY on the same resource. */
static const gh_method *find_method(const gh_resource *r, const char *verb)
{
    const gh_method *any = NULL;
    for (size_t i = 0; i < r->nmethods; i++) {
        if (strcmp(r->methods[i].verb, verb) == 0)
            return &r->methods[i];
        if (strcmp(r->methods[i].verb, "ANY") == 0)
            any = &r->methods[i];
    }
    return any && any_covers(verb) ? any : NULL;
}

static int literal_cmp(const void *key, const void *elem)
{
    const seg *s = key;
    const char *name = (*(gh_resource *const *)elem)->segment;
    int r = strncmp(s->p, name, s->len);
    if (r != 0)
        return r;
    return name[s->len] == '\0' ? 0 : -1;
}

/* The path ends at r: accept it when r declares the verb. */
static int accept(search *st, const gh_resource *r)
{
    if (!st->first_path_match)
        st->first_path_match = r;
    st->method = find_method(r, st->verb);
    st->resource = st->method ? r : NULL;
    return st->method != NULL;
}

static int walk(search *st, const gh_resource *r, size_t i)
{
    if (i == st->nsegs)
        return accept(st, r);
    const seg *s = &st->segs[i];

    if (s->len > 0 && r->nliterals > 0) {
        gh_resource *const *hit =
            bsearch(s, r->literals, r->nliterals, sizeof *r->literals, literal_cmp);
        if (hit && walk(st, *hit, i + 1))
            return 1;
    }
    if (s->len > 0 && r->param_child) {
        st->owners[st->nvals] = r->param_child;
        st->vals[st->nvals++] = *s;
        if (walk(st, r->param_child, i + 1))
            return 1;
        st->nvals--;
    }
    if (r->greedy_child) {
        /* One or more segments: everything left, raw, slashes and all. */
        seg rest = {s->p, (size_t)(st->rest_end - s->p)};
        if (rest.len > 0) {
            st->owners[st->nvals] = r->greedy_child;
            st->vals[st->nvals++] = rest;
            if (accept(st, r->greedy_child))
                return 1;
            st->nvals--;
        }
    }
    return 0;
}

int gh_router_match(const gh_api *api, const char *verb, const char *path, gh_arena *a,
                    gh_route *out)
{
    memset(out, 0, sizeof *out);
    if (!api || !api->root || !verb || !path)
        return -1;

    const char *start = path[0] == '/' ? path + 1 : path;
    const char *end = start + strlen(start);
    if (end > start && end[-1] == '/')
        end--;

    /* Count segments first so every array is sized once from the arena. */
    size_t nsegs = 0;
    if (end > start) {
        nsegs = 1;
        for (const char *p = start; p < end; p++)
            nsegs += *p == '/';
    }
    seg *segs = gh_arena_alloc(a, (nsegs + 1) * sizeof *segs);
    size_t k = 0;
    for (const char *p = start; k < nsegs;) {
        const char *slash = memchr(p, '/', (size_t)(end - p));
        const char *e = slash ? slash : end;
        segs[k].p = p;
        segs[k].len = (size_t)(e - p);
        k++;
        p = e + 1;
    }

    search st = {
        .verb = verb,
        .segs = segs,
        .nsegs = nsegs,
        .rest_end = end,
        .vals = gh_arena_alloc(a, (nsegs + 1) * sizeof(seg)),
        .owners = gh_arena_alloc(a, (nsegs + 1) * sizeof(gh_resource *)),
    };
    if (!walk(&st, api->root, 0)) {
        out->resource = st.first_path_match;
        return -1;
    }

    out->resource = st.resource;
    out->method = st.method;
    out->nparams = st.nvals;
    out->params = st.nvals ? gh_arena_alloc(a, st.nvals * sizeof *out->params) : NULL;
    for (size_t i = 0; i < st.nvals; i++) {
        out->params[i].name = st.owners[i]->param;
        out->params[i].value = gh_arena_strndup(a, st.vals[i].p, st.vals[i].len);
    }
    return 0;
}
